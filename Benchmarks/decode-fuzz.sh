#!/usr/bin/env bash
# Coverage-guided fuzzing (libFuzzer) of the decoder entry points, seeded with the corpus.
# Usage: Benchmarks/decode-fuzz.sh [RUNS] [SECONDS]   — prints libFuzzer's totals; a crash
# leaves its input in Benchmarks/.fuzz/crash-* and fails the script.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
runs="${1:-1000000}"
seconds="${2:-600}"
export RUNTIME_EXPORTER_CHAINDATA="${RUNTIME_EXPORTER_CHAINDATA:-$here/../../shared/chaindata}"
scratch="$here/.build-fuzz"
swift build -c release --package-path "$here" --scratch-path "$scratch" --product decode-fuzz -Xswiftc -sanitize=fuzzer -Xswiftc -use-ld=lld >&2
binary="$(swift build -c release --package-path "$here" --scratch-path "$scratch" --show-bin-path)/decode-fuzz"

# Seeds: each fixture behind the byte that selects its entry point (see FuzzEntryPoint).
work="$here/.fuzz"
rm -rf "$work/seeds" && mkdir -p "$work/seeds" "$work/corpus"
python3 - "$RUNTIME_EXPORTER_CHAINDATA" "$work/seeds" <<'PY'
import json, os, sys
root, out = sys.argv[1], sys.argv[2]
def seed(name, selector, data):
    with open(os.path.join(out, name), "wb") as f:
        f.write(bytes([selector]) + data)
seed("metadata", 0, open(os.path.join(root, "metadata/polkadot_9110_v14.scale"), "rb").read()[:4096])
block = json.load(open(os.path.join(root, "blocks/polkadot/19772575/block.json")))
for i, hex_extrinsic in enumerate(block["extrinsics"]):
    if len(hex_extrinsic) < 20000:
        seed(f"extrinsic{i}", 1, bytes.fromhex(hex_extrinsic[2:]))
        seed(f"summary{i}", 2, bytes.fromhex(hex_extrinsic[2:]))
events = bytes.fromhex(open(os.path.join(root, "blocks/polkadot/19772575/events.hex")).read().strip()[2:])
seed("events", 3, events[:8192])
seed("summaries", 4, events[:8192])
seed("json", 6, json.dumps({"header": block["header"], "extrinsics": block["extrinsics"][:1]}).encode())
seed("ss58", 7, b"16Xuv8TZpqSP9iSxquSJ9CQDfnJink7tFFNg8YYLqE5DiXkn")
seed("compact", 8, bytes([0x03, 0xff, 0xff, 0xff, 0xff, 0x10, 0x0d, 0, 0, 0]))
small = {"header": block["header"], "extrinsics": block["extrinsics"][:1]}
seed("rpc-response", 9, json.dumps({"jsonrpc": "2.0", "id": 41, "result": {"block": small, "justifications": None}}).encode())
seed("rpc-notification", 9, json.dumps({"jsonrpc": "2.0", "method": "chain_finalizedHead", "params": {"subscription": "Xb5y0nKzBnn3Qg4f", "result": block["header"]}}).encode())
seed("rpc-batch", 9, json.dumps([{"jsonrpc": "2.0", "id": 7, "result": "0x" + "ab" * 32}, {"jsonrpc": "2.0", "id": 8, "error": {"code": -32603, "message": "Internal error"}}]).encode())
PY
cd "$work"
"$binary" -runs="$runs" -max_total_time="$seconds" -max_len=16384 -print_final_stats=1 corpus seeds 2>&1 \
    | grep -E "^#[0-9]+.*(DONE|pulse)|stat::|ERROR|SUMMARY|Done" | tail -12
