#!/usr/bin/env bash
# Samples per second written into a store: the embedded SQLite file, or a PostgreSQL server
# this script starts for the run (Debian's postgresql, default durability settings) and removes.
# Usage: Benchmarks/store.sh [sqlite|postgres] [BLOCKS] [SERIES_PER_BLOCK] [BLOCKS_PER_TRANSACTION]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
backend="${1:-sqlite}"
swift build -c release --package-path "$here" --product store-benchmark >&2
benchmark="$(swift build -c release --package-path "$here" --show-bin-path)/store-benchmark"
arguments=("${2:-2000}" "${3:-500}" "${4:-20}")
case "$backend" in
sqlite) "$benchmark" "${arguments[@]}" ;;
postgres)
    source "$here/postgres-server.sh"
    start_postgres
    "$benchmark" "${arguments[@]}" "$postgres_url"
    ;;
*) echo "usage: $0 [sqlite|postgres] [BLOCKS] [SERIES_PER_BLOCK] [BLOCKS_PER_TRANSACTION]" >&2; exit 2 ;;
esac
