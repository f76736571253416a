#!/usr/bin/env bash
# The query API over a year of six-second blocks (10.5 million samples by default), in the
# embedded SQLite store or in a PostgreSQL server started for the run (Debian's postgresql,
# removed after): one-year daily and hourly queries and a one-week five-minute query,
# queries per second and latency percentiles.
# Usage: Benchmarks/query.sh [sqlite|postgres] [BLOCKS] [CLIENTS] [LONG_QUERIES] [WEEKLY_QUERIES]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
backend="${1:-postgres}"
swift build -c release --package-path "$here" --product query-benchmark >&2
benchmark="$(swift build -c release --package-path "$here" --show-bin-path)/query-benchmark"
arguments=("${2:-5256000}" "${3:-8}" "${4:-40}" "${5:-1000}")
case "$backend" in
sqlite)
    directory="$(mktemp -d)"
    trap 'rm -rf "$directory"' EXIT
    echo "machine: $(nproc) cores; SQLite (embedded)"
    "$benchmark" "sqlite:$directory/query.sqlite" "${arguments[@]}"
    ;;
postgres)
    source "$here/postgres-server.sh"
    start_postgres
    echo "machine: $(nproc) cores; PostgreSQL $(psql --version | awk '{print $3}')"
    "$benchmark" "$postgres_url" "${arguments[@]}"
    ;;
*) echo "usage: $0 [sqlite|postgres] [BLOCKS] [CLIENTS] [LONG_QUERIES] [WEEKLY_QUERIES]" >&2; exit 2 ;;
esac
