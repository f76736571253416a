#!/usr/bin/env bash
# The reliability suite's long form: the faults the test command injects briefly, at full length.
#   - the devnode under serve killed and restarted 20 times under every fault mode (every block
#     once, values and counters equal to the devnode's record);
#   - PostgreSQL stopped for 60 s while serve follows a chain (no sample lost, memory flat), and
#     writes cut short by the server;
#   - backfill killed with SIGKILL 10 times and resumed (store equal row for row), SQLite and PostgreSQL;
#   - a node answering 5 s late (scrapes unaffected), the web security cases;
#   - FLIPS random byte flips per decoder entry point on top of every truncation (default
#     40000: about ten million inputs), optimised build, zero crashes required.
# Usage: Benchmarks/reliability.sh [FLIPS]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
flips="${1:-40000}"
cd "$here"
swift build --build-tests >&2
report() { grep -E "node faults:|database outage:|writes cut short:|killed [0-9]+ times|slow node:|web security:|✘" || true; }
echo "== faults (debug build, real PostgreSQL, devnode, Python clients)"
RUNTIME_EXPORTER_OUTAGE_SECONDS=60 RUNTIME_EXPORTER_KILLS=10 RUNTIME_EXPORTER_NODE_RESTARTS=20 \
    swift test --skip-build --filter "NodeFaultTests|DatabaseOutageTests|aKilledLoadResumes|SlowNodeTests|WebSecurityTests" 2>&1 | report
echo "== decoders: every truncation and $flips flips per entry point (optimised build)"
Benchmarks/decode-torture.sh "$flips" 1000 4 | tail -1
