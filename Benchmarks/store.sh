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
    bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
    directory="$(mktemp -d)"
    as=()
    # The server refuses to run as root: then as the account the package created.
    if [ "$(id -u)" = 0 ]; then chown postgres "$directory"; as=(runuser -u postgres --); fi
    port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    "${as[@]}" "$bin/initdb" -D "$directory/data" -U postgres --auth=trust >/dev/null
    "${as[@]}" "$bin/pg_ctl" -D "$directory/data" -l "$directory/log" -w \
        -o "-p $port -k $directory -c listen_addresses=127.0.0.1 -c shared_buffers=1GB -c max_wal_size=4GB" start >/dev/null
    trap '"${as[@]}" "$bin/pg_ctl" -D "$directory/data" -m immediate stop >/dev/null; rm -rf "$directory"' EXIT
    "$benchmark" "${arguments[@]}" "postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
    ;;
*) echo "usage: $0 [sqlite|postgres] [BLOCKS] [SERIES_PER_BLOCK] [BLOCKS_PER_TRANSACTION]" >&2; exit 2 ;;
esac
