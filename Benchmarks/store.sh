#!/usr/bin/env bash
# Samples per second written into the embedded SQLite store.
# Usage: Benchmarks/store.sh [BLOCKS] [SERIES_PER_BLOCK] [BLOCKS_PER_TRANSACTION]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
swift build -c release --package-path "$here" --product store-benchmark >&2
"$(swift build -c release --package-path "$here" --show-bin-path)/store-benchmark" "${1:-2000}" "${2:-500}" "${3:-20}"
