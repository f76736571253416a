#!/usr/bin/env bash
# Time to render /metrics with many series. Usage: Benchmarks/exposition.sh [SERIES] [RUNS]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
swift build -c release --package-path "$here" --product exposition-benchmark >&2
echo "machine: $(nproc) cores"
"$(swift build -c release --package-path "$here" --show-bin-path)/exposition-benchmark" "${1:-10000}" "${2:-200}"
