#!/usr/bin/env bash
# The query API over a year of six-second blocks in PostgreSQL (10.5 million samples by
# default): a one-year daily and a one-week five-minute query, queries per second and latency
# percentiles. The server is started for the run (Debian's postgresql) and removed after.
# Usage: Benchmarks/query.sh [BLOCKS] [CLIENTS] [DAILY_QUERIES] [WEEKLY_QUERIES]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
swift build -c release --package-path "$here" --product query-benchmark >&2
benchmark="$(swift build -c release --package-path "$here" --show-bin-path)/query-benchmark"
source "$here/postgres-server.sh"
start_postgres
echo "machine: $(nproc) cores; PostgreSQL $(psql --version | awk '{print $3}')"
"$benchmark" "$postgres_url" "${1:-5256000}" "${2:-8}" "${3:-40}" "${4:-1000}"
