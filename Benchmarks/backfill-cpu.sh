#!/usr/bin/env bash
# CPU per block of `backfill` (user + system time of the client process, the node not counted),
# the default metric set into SQLite, against an optimised runtime-devnode holding a fixed chain
# of BLOCKS blocks; RUNS runs per binary. Extra exporter binaries (say, a build of an earlier
# commit) are measured the same way, against the same node, to compare two versions.
# Usage: Benchmarks/backfill-cpu.sh [BLOCKS] [RUNS] [OTHER_RUNTIME_EXPORTER …]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/.."
blocks="${1:-2000}"; runs="${2:-3}"; shift $(( $# > 2 ? 2 : $# ))
swift build -c release --package-path "$root" --product runtime-devnode >&2
swift build -c release --package-path "$root" --product runtime-exporter >&2
bin="$(swift build -c release --package-path "$root" --show-bin-path)"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
work="$(mktemp -d)"
"$bin/runtime-devnode" --port "$port" --history "$blocks" --block-time 0 --finality-lag 0 >/dev/null 2>&1 &
node=$!
trap 'kill $node 2>/dev/null; wait $node 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 600); do python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null && break; sleep 0.2; done
echo "machine: $(nproc) cores; blocks 1–$blocks, $runs runs each"
for exporter in "$bin/runtime-exporter" "$@"; do
    for run in $(seq "$runs"); do
        store="$work/history-$run-$RANDOM.sqlite"
        /usr/bin/time -f "%e %U %S" -o "$work/time" "$exporter" backfill --rpc "ws://127.0.0.1:$port" --from 1 --to "$blocks" --store "sqlite:$store" >/dev/null 2>&1
        read -r elapsed user system < "$work/time"
        samples=$(python3 -c "import sqlite3; print(sqlite3.connect('$store').execute('SELECT count(*) FROM samples').fetchone()[0])")
        python3 -c "print(f'$exporter run $run: {$elapsed:.2f} s, CPU {($user + $system) * 1000 / $blocks:.3f} ms per block ({$user:.2f} s user, {$system:.2f} s system), {$samples} samples')"
    done
done
