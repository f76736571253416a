#!/usr/bin/env bash
# The reliability suite's long form: the faults the test command injects briefly, at full length.
#   - the devnode under serve killed and restarted 20 times under every fault mode (every block
#     once, values and counters equal to the devnode's record);
#   - PostgreSQL stopped for 60 s while serve follows a chain (no sample lost, memory flat), and
#     writes cut short by the server;
#   - backfill killed with SIGKILL 10 times and resumed (store equal row for row), SQLite and PostgreSQL;
#   - a node answering 5 s late (scrapes unaffected), the web security cases;
#   - the decoders and the JSON-RPC parser: 10 million libFuzzer inputs seeded with the corpus,
#     then every truncation and FLIPS random byte flips per entry point (default 20000),
#     optimised builds, zero crashes required.
# Usage: Benchmarks/reliability.sh [FLIPS]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
flips="${1:-20000}"
failed=0
cd "$here"
swift build --build-tests >&2
# The tests' findings; a failing test (its ✘ lines shown) fails the script after the rest has run.
report() {
    local out; out="$(cat)"
    grep -E "node faults:|database outage:|writes cut short:|killed [0-9]+ times|slow node:|web security:|✘" <<<"$out" || true
    ! grep -q "✘" <<<"$out"
}
echo "== faults (debug build, real PostgreSQL, devnode, Python clients)"
RUNTIME_EXPORTER_OUTAGE_SECONDS=60 RUNTIME_EXPORTER_KILLS=10 RUNTIME_EXPORTER_NODE_RESTARTS=20 \
    swift test --skip-build --filter "NodeFaultTests|DatabaseOutageTests|aKilledLoadResumes|SlowNodeTests|WebSecurityTests" 2>&1 | report || failed=1
echo "== decoders and the JSON-RPC parser: 10 million coverage-guided inputs (libFuzzer, optimised build)"
Benchmarks/decode-fuzz.sh 10000000 3600 | grep -E "DONE|stat::number_of_executed_units|stat::peak_rss|ERROR|SUMMARY" || failed=1
echo "== decoders: every truncation and $flips flips per entry point (optimised build)"
Benchmarks/decode-torture.sh "$flips" 1000 4 | tail -2 || failed=1
exit "$failed"
