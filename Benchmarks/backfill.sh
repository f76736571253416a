#!/usr/bin/env bash
# Loading history, measured against an optimised runtime-devnode (a fixed chain of BLOCKS
# blocks): (a) the raw limit, a client that only fetches what backfill fetches; (b) our
# backfill of the default metric set into SQLite; (c) a Python substrate-interface script
# computing the default per-block metrics block by block (over fewer blocks: it is slow).
# Between (a) and (b), the floor of storing: (a) also writing as many made-up rows per block
# into SQLite as (b) wrote, decoding nothing.
# `pinned` puts the node on the first core and each client on the second, as if the node had a
# machine of its own; `shared` lets them share every core.
# `asset-hub` runs the devnode as Polkadot Asset Hub (staking-async, the multi-block election,
# pools through delegated staking, assets, XCM); the Python script reads the relay chain's
# items, so it runs on `relay` only.
# Usage: Benchmarks/backfill.sh [BLOCKS] [WORKERS] [PYTHON_BLOCKS] [shared|pinned] [relay|asset-hub]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/.."
blocks="${1:-2000}"; workers="${2:-8}"; python_blocks="${3:-50}"; cores="${4:-shared}"; chain="${5:-relay}"
node_cpu=(); client_cpu=()
if [ "$cores" = pinned ]; then node_cpu=(taskset -c 0); client_cpu=(taskset -c 1); fi
# RUNTIME_EXPORTER_BIN: a directory with release builds of runtime-devnode and runtime-exporter
# made elsewhere (another scratch path); otherwise they are built here.
if [ -n "${RUNTIME_EXPORTER_BIN:-}" ]; then
    bin="$RUNTIME_EXPORTER_BIN"
else
    swift build -c release --package-path "$root" --product runtime-devnode >&2
    swift build -c release --package-path "$root" --product runtime-exporter >&2
    bin="$(swift build -c release --package-path "$root" --show-bin-path)"
fi
swift build -c release --package-path "$here" --product history-fetch >&2
fetch="$(swift build -c release --package-path "$here" --show-bin-path)/history-fetch"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
work="$(mktemp -d)"
"${node_cpu[@]}" "$bin/runtime-devnode" --chain "$chain" --port "$port" --history "$blocks" --block-time 0 --finality-lag 0 >/dev/null 2>&1 &
node=$!
trap 'kill $node 2>/dev/null; wait $node 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 600); do python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null && break; sleep 0.2; done
echo "machine: $(nproc) cores, $cores; $chain devnode, blocks 1–$blocks, $workers in flight"
# Both clients are timed the same way, as whole processes (start-up, metadata and all).
raw_start=$(date +%s.%N)
"${client_cpu[@]}" "$fetch" "ws://127.0.0.1:$port" 1 "$blocks" "$workers"
raw_end=$(date +%s.%N)
start=$(date +%s.%N)
"${client_cpu[@]}" "$bin/runtime-exporter" backfill --rpc "ws://127.0.0.1:$port" --from 1 --to "$blocks" --store "sqlite:$work/history.sqlite" --workers "$workers" >/dev/null
end=$(date +%s.%N)
samples=$(python3 -c "import sqlite3; print(sqlite3.connect('$work/history.sqlite').execute('SELECT count(*) FROM samples').fetchone()[0])")
python3 -c "print(f'raw fetch, whole process: {$blocks / ($raw_end - $raw_start):.0f} blocks/s')"
python3 -c "print(f'backfill: $blocks blocks, $samples samples in {$end - $start:.2f} s: {$blocks / ($end - $start):.0f} blocks/s, {$samples / ($end - $start):.0f} samples/s; {($raw_end - $raw_start) / ($end - $start):.2f}x the raw fetch')"
rows=$(( (samples + blocks / 2) / blocks ))
floor_start=$(date +%s.%N)
"${client_cpu[@]}" "$fetch" "ws://127.0.0.1:$port" 1 "$blocks" "$workers" "$work/floor.sqlite" "$rows" >/dev/null
floor_end=$(date +%s.%N)
python3 -c "print(f'raw fetch + $rows rows per block into SQLite: {$blocks / ($floor_end - $floor_start):.0f} blocks/s, {($raw_end - $raw_start) / ($floor_end - $floor_start):.2f}x the raw fetch')"
if [ "$chain" = relay ]; then "${client_cpu[@]}" python3 "$here/backfill_substrate_interface.py" "ws://127.0.0.1:$port" "$python_blocks"; fi
