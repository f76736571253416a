#!/usr/bin/env bash
# Every truncation and many random byte flips of the corpus through every decoder entry point,
# optimised build.
# Usage: Benchmarks/decode-torture.sh [FLIPS_PER_ENTRY_POINT] [METADATA_TRUNCATIONS_PER_FILE] [JSON_TRUNCATION_STRIDE]
#        Benchmarks/decode-torture.sh short   — the parameters of the test suite's RobustnessTests (about two minutes)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if [ "${1:-}" = short ]; then set -- 2000 300 16; fi
swift build -c release --package-path "$here" --product decode-torture >&2
"$(swift build -c release --package-path "$here" --show-bin-path)/decode-torture" "$@"
