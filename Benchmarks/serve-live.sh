#!/usr/bin/env bash
# An optimised runtime-exporter following four devnode chains (Asset Hub among them): RPC calls per block,
# notification-to-metrics latency, RSS, scrape time. Usage: Benchmarks/serve-live.sh [SECONDS] [BLOCK_TIME]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/.."
swift build -c release --package-path "$root" --product runtime-devnode >&2
swift build -c release --package-path "$root" --product runtime-exporter >&2
bin="$(swift build -c release --package-path "$root" --show-bin-path)"
chaindata="${CHAINDATA:-$root/../shared/chaindata}"
python3 "$here/serve-live.py" "$bin" "$chaindata" "${1:-60}" "${2:-0.5}"
