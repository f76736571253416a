#!/usr/bin/env python3
"""Live following, measured: an optimised runtime-exporter follows four devnode chains (three
relay runtimes and Polkadot Asset Hub, with staking-async, the multi-block election, pools through
delegated staking, assets and XCM) for a while, then prints RPC calls per block, time from a finalized head's notification
to its metrics (p50/p99 from the exporter's own histogram, interpolated as PromQL's
histogram_quantile does), the exporter's RSS, and /metrics scrape time.

Usage: Benchmarks/serve-live.py BIN_DIR CHAINDATA [SECONDS] [BLOCK_TIME]"""
import os, re, subprocess, sys, tempfile, time, urllib.request
from processes import free_port, rss_kib, stop_all, wait_listening

bin_dir, chaindata = sys.argv[1], sys.argv[2]
seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 60
block_time = sys.argv[4] if len(sys.argv) > 4 else "0.5"

runtimes = [("polkadot", []), ("kusama", ["--metadata", f"{chaindata}/metadata/kusama_2003000_v16.scale"]),
            ("polkadot-v16", ["--metadata", f"{chaindata}/metadata/polkadot_2003000_v16.scale", "--seed", "3"]),
            ("polkadot-asset-hub", ["--chain", "asset-hub"])]
processes, chains = [], []
try:
    for name, extra in runtimes:
        port = free_port()
        processes.append(subprocess.Popen([f"{bin_dir}/runtime-devnode", "--port", str(port), "--history", "30", "--block-time", block_time,
                                           "--finality-lag", "2"] + extra, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        wait_listening(port)
        chains.append((name, port))
    config = tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False)
    config.write("chains:\n" + "".join(f"  - name: {name}\n    rpc: ws://127.0.0.1:{port}\n" for name, port in chains))
    config.close()
    web = free_port()
    exporter = subprocess.Popen([f"{bin_dir}/runtime-exporter", "serve", "--config", config.name, "--web.listen-address", f"127.0.0.1:{web}"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    processes.append(exporter)
    wait_listening(web)
    url = f"http://127.0.0.1:{web}/metrics"

    peak, started = 0, time.time()
    while time.time() - started < seconds:
        peak = max(peak, rss_kib(exporter.pid)); time.sleep(1)
    final_rss = rss_kib(exporter.pid)

    def scrape():
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.read().decode()
    text = scrape()
    series = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1); series[name] = float(value)

    def labels(name):
        return dict(re.findall(r'(\w+)="([^"]*)"', name[name.index("{"):])) if "{" in name else {}

    print(f"machine: {os.cpu_count()} cores; devnodes (block time {block_time} s, finality lag 2) and the exporter on the same machine; {seconds:.0f} s")
    for chain, _ in chains:
        blocks = series.get(f'runtime_exporter_blocks_processed_total{{chain="{chain}"}}', 0)
        calls = {}
        for name, value in series.items():
            if name.startswith("runtime_exporter_rpc_request_duration_seconds_count{") and labels(name).get("chain") == chain:
                calls[labels(name)["method"]] = calls.get(labels(name)["method"], 0) + value
        buckets = sorted((float("inf") if labels(n)["le"] == "+Inf" else float(labels(n)["le"]), v) for n, v in series.items()
                         if n.startswith("runtime_exporter_head_processing_seconds_bucket{") and labels(n).get("chain") == chain)
        count = series.get(f'runtime_exporter_head_processing_seconds_count{{chain="{chain}"}}', 0)
        total = series.get(f'runtime_exporter_head_processing_seconds_sum{{chain="{chain}"}}', 0)

        def quantile(q):
            rank, lower, below = q * count, 0.0, 0.0
            for bound, cumulative in buckets:
                if cumulative >= rank:
                    if bound == float("inf"): return lower
                    return lower + (bound - lower) * (rank - below) / max(cumulative - below, 1e-9)
                lower, below = bound, cumulative
            return lower
        per_block = {m: round(c / blocks, 2) for m, c in sorted(calls.items())} if blocks else {}
        print(f"{chain}: {blocks:.0f} blocks; RPC calls per block {sum(calls.values()) / max(blocks, 1):.2f} {per_block}")
        print(f"  notification to metrics: p50 {quantile(0.5) * 1000:.2f} ms, p99 {quantile(0.99) * 1000:.2f} ms, mean {total / max(count, 1) * 1000:.2f} ms over {count:.0f} heads")
    print(f"exporter RSS following {len(chains)} chains: peak {peak / 1024:.1f} MiB, at the end {final_rss / 1024:.1f} MiB")
    durations = []
    for _ in range(100):
        begun = time.perf_counter(); scrape(); durations.append(time.perf_counter() - begun)
    durations.sort()
    print(f"/metrics scrape ({len(series)} series, {len(text) / 1024:.0f} KiB): p50 {durations[49] * 1000:.2f} ms, p99 {durations[98] * 1000:.2f} ms")
finally:
    stop_all(processes)
