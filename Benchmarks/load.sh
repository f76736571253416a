#!/usr/bin/env bash
# An optimised runtime-exporter following many devnode chains while many API clients query it:
# CPU, RSS, scrape latency, API throughput and p99.
# Usage: Benchmarks/load.sh [CHAINS] [CLIENTS] [SECONDS] [BLOCK_TIME]   (default 10 50 60 0.5)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/.."
swift build -c release --package-path "$root" --product runtime-devnode >&2
swift build -c release --package-path "$root" --product runtime-exporter >&2
bin="$(swift build -c release --package-path "$root" --show-bin-path)"
chaindata="${CHAINDATA:-$root/../shared/chaindata}"
python3 "$here/load.py" "$bin" "$chaindata" "${1:-10}" "${2:-50}" "${3:-60}" "${4:-0.5}"
