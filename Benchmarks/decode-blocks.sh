#!/usr/bin/env bash
# Blocks per second to decode the corpus blocks' extrinsics and System.Events, single core:
# runtime-exporter's decoder (full Value trees, and the structural decode the exporter runs per
# block) next to Python's scalecodec decoding the same blocks in the same run.
#
# Usage: Benchmarks/decode-blocks.sh [SECONDS_PER_BLOCK]   (needs: pip install scalecodec)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
chaindata="${RUNTIME_EXPORTER_CHAINDATA:-$here/../../shared/chaindata}"
seconds="${1:-2}"

swift build -c release --package-path "$here" --product decode-benchmark >&2
binary="$(swift build -c release --package-path "$here" --show-bin-path)/decode-benchmark"

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(swift --version 2>/dev/null | head -1)"
swift_output="$(taskset -c 0 "$binary" "$chaindata" "$seconds")"
echo "$swift_output"
python_output="$(taskset -c 0 python3 "$here/scalecodec_decode.py" "$chaindata" "$seconds")"
echo "scalecodec $(python3 -c 'import scalecodec, importlib.metadata as m; print(m.version("scalecodec"))'):"
echo "$python_output"

full=$(echo "$swift_output" | awk '/^swift_full_blocks_per_second/ {print $2}')
structural=$(echo "$swift_output" | awk '/^swift_structural_blocks_per_second/ {print $2}')
python=$(echo "$python_output" | awk '/^scalecodec_blocks_per_second/ {print $2}')
awk -v f="$full" -v s="$structural" -v p="$python" 'BEGIN {
    printf "summary: structural %d blocks/s (%.0fx scalecodec), full %d blocks/s (%.0fx scalecodec), scalecodec %.1f blocks/s\n", s, s / p, f, f / p, p
}'
