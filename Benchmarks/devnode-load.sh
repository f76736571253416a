#!/usr/bin/env bash
# Requests per second an optimised runtime-devnode serves to many WebSocket clients
# (chain_getBlock and state_queryStorageAt, pipelined).
# Usage: Benchmarks/devnode-load.sh [CLIENTS] [DEPTH] [SECONDS]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/.."
swift build -c release --package-path "$root" --product runtime-devnode >&2
swift build -c release --package-path "$here" --product devnode-load >&2
devnode="$(swift build -c release --package-path "$root" --show-bin-path)/runtime-devnode"
load="$(swift build -c release --package-path "$here" --show-bin-path)/devnode-load"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$devnode" --port "$port" --history 1000 --block-time 0 --transfers-per-block 4 >/dev/null 2>&1 &
node=$!
trap 'kill $node 2>/dev/null; wait $node 2>/dev/null' EXIT
for _ in $(seq 100); do python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null && break; sleep 0.2; done
echo "machine: $(nproc) cores, devnode and load generator on the same machine"
"$load" "ws://127.0.0.1:$port" "${1:-16}" "${2:-8}" "${3:-10}"
