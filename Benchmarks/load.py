#!/usr/bin/env python3
"""Load: an optimised runtime-exporter follows CHAINS devnode chains at once (fast blocks, three
runtimes in turn) into its SQLite store while CLIENTS concurrent API clients query it and a
scraper reads /metrics every second. Prints the exporter's CPU and RSS, scrape latency, API
throughput and latency (p50/p99/max), errors, and how far behind each chain ended.

Usage: Benchmarks/load.py BIN_DIR CHAINDATA [CHAINS] [CLIENTS] [SECONDS] [BLOCK_TIME]"""
import http.client, os, random, re, subprocess, sys, tempfile, threading, time, urllib.parse
from processes import free_port, rss_kib, stop_all, wait_listening

bin_dir, chaindata = sys.argv[1], sys.argv[2]
chain_count = int(sys.argv[3]) if len(sys.argv) > 3 else 10
client_count = int(sys.argv[4]) if len(sys.argv) > 4 else 50
seconds = float(sys.argv[5]) if len(sys.argv) > 5 else 60
block_time = sys.argv[6] if len(sys.argv) > 6 else "0.5"
ticks = os.sysconf("SC_CLK_TCK")


def percentile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / ticks


def get(connection, path):
    connection.request("GET", path)
    answer = connection.getresponse()
    return answer.status, answer.read()


runtimes = [[], ["--metadata", f"{chaindata}/metadata/kusama_2003000_v16.scale"], ["--metadata", f"{chaindata}/metadata/polkadot_2003000_v16.scale"]]
processes, chains = [], []
workdir = tempfile.mkdtemp(prefix="runtime-exporter-load-")
try:
    for index in range(chain_count):
        port = free_port()
        processes.append(subprocess.Popen(
            [f"{bin_dir}/runtime-devnode", "--port", str(port), "--history", "20", "--block-time", block_time, "--finality-lag", "1",
             "--seed", str(index + 1)] + runtimes[index % len(runtimes)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        chains.append((f"chain{index}", port))
    for _, port in chains:
        wait_listening(port)
    config = os.path.join(workdir, "exporter.yaml")
    with open(config, "w") as file:
        file.write("chains:\n" + "".join(f"  - name: {name}\n    rpc: ws://127.0.0.1:{port}\n" for name, port in chains))
    web = free_port()
    log = open(os.path.join(workdir, "exporter.log"), "w")
    exporter = subprocess.Popen([f"{bin_dir}/runtime-exporter", "serve", "--config", config, "--web.listen-address", f"127.0.0.1:{web}",
                                 "--store", f"sqlite:{workdir}/store.sqlite"], stdout=log, stderr=subprocess.STDOUT)
    processes.append(exporter)
    wait_listening(web)

    def scrape_text(connection):
        status, body = get(connection, "/metrics")
        return body.decode() if status == 200 else ""

    # Every chain followed before the load starts.
    warm = http.client.HTTPConnection("127.0.0.1", web, timeout=30)
    deadline = time.time() + 120
    while time.time() < deadline:
        text = scrape_text(warm)
        if all(f'runtime_system_block_number{{chain="{name}"}}' in text for name, _ in chains): break
        time.sleep(1)
    else:
        raise SystemExit("not every chain was followed within 120 s")
    time.sleep(5)  # a few blocks in the store to query

    stop = threading.Event()
    api_latencies, api_errors, scrape_latencies, peak = [], [], [], [0]
    lock = threading.Lock()
    metrics = ["system_block_number", "extrinsics_total", "balances_total_issuance_tokens", "transaction_payment_fees_tokens_total"]

    def api_client(seed):
        rng = random.Random(seed)
        connection = http.client.HTTPConnection("127.0.0.1", web, timeout=30)
        while not stop.is_set():
            chain = rng.choice(chains)[0]
            kind = rng.random()
            if kind < 0.7:
                query = urllib.parse.urlencode({"chain": chain, "from": "utc_now-5m", "to": "utc_now", "interval": rng.choice(["1s", "10s", "1m"]),
                                                "aggregation": rng.choice(["sum", "avg", "max", "last"]), "includeIncompleteData": "true"})
                path = f"/api/v1/metrics/{rng.choice(metrics)}/timeseries?{query}"
            elif kind < 0.9:
                path = f"/api/v1/metrics/system_block_number/timeseries?chain={chain}&from=utc_now-1m&to=utc_now&interval=1m&includeIncompleteData=true"
            else:
                path = "/api/v1/slugs"
            begun = time.perf_counter()
            try:
                status, _ = get(connection, path)
            except Exception as error:  # a refused or dropped connection counts as an error, then reconnect
                status = repr(error)
                connection = http.client.HTTPConnection("127.0.0.1", web, timeout=30)
            elapsed = time.perf_counter() - begun
            with lock:
                api_latencies.append(elapsed)
                if status != 200: api_errors.append(f"{path}: {status}")

    def scraper():
        connection = http.client.HTTPConnection("127.0.0.1", web, timeout=30)
        while not stop.is_set():
            begun = time.perf_counter()
            scrape_text(connection)
            scrape_latencies.append(time.perf_counter() - begun)
            peak[0] = max(peak[0], rss_kib(exporter.pid))
            time.sleep(1)

    cpu_before, started = cpu_seconds(exporter.pid), time.time()
    heads_before = {name: float(m.group(1)) for name, _ in chains
                    for m in [re.search(rf'^runtime_exporter_blocks_processed_total{{chain="{name}"}} (\S+)$', scrape_text(warm), re.M)] if m}
    threads = [threading.Thread(target=api_client, args=(i,)) for i in range(client_count)] + [threading.Thread(target=scraper)]
    for thread in threads: thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads: thread.join()
    wall = time.time() - started
    cpu = cpu_seconds(exporter.pid) - cpu_before
    text = scrape_text(warm)

    def value(name, chain):
        match = re.search(rf'^{name}{{chain="{chain}"}} (\S+)$', text, re.M)
        return float(match.group(1)) if match else float("nan")

    print(f"machine: {os.cpu_count()} cores; {chain_count} devnodes (a block every {block_time} s, finality 1 behind), the exporter, "
          f"{client_count} API clients and a scraper (Python threads) all on it; {wall:.0f} s under load")
    blocks = {name: value("runtime_exporter_blocks_processed_total", name) - heads_before.get(name, 0) for name, _ in chains}
    lags = {name: value("runtime_exporter_lag_blocks", name) for name, _ in chains}
    errors = sum(float(v) for v in re.findall(r'^runtime_exporter_errors_total\{[^}]*\} (\S+)$', text, re.M))
    print(f"following: {sum(blocks.values()):.0f} blocks over {chain_count} chains ({min(blocks.values()):.0f}–{max(blocks.values()):.0f} each, "
          f"{sum(blocks.values()) / wall:.1f} blocks/s); lag at the end {max(lags.values()):.0f} blocks at most; exporter errors {errors:.0f}")
    print(f"exporter CPU: {cpu:.1f} s in {wall:.0f} s ({100 * cpu / wall:.0f}% of one core); RSS peak {peak[0] / 1024:.1f} MiB, "
          f"at the end {rss_kib(exporter.pid) / 1024:.1f} MiB")
    print(f"/metrics under load ({len(text) / 1024:.0f} KiB): {len(scrape_latencies)} scrapes, p50 {percentile(scrape_latencies, 0.5) * 1000:.1f} ms, "
          f"p99 {percentile(scrape_latencies, 0.99) * 1000:.1f} ms, max {max(scrape_latencies) * 1000:.1f} ms")
    print(f"API: {len(api_latencies)} requests ({len(api_latencies) / wall:.0f}/s), p50 {percentile(api_latencies, 0.5) * 1000:.1f} ms, "
          f"p99 {percentile(api_latencies, 0.99) * 1000:.1f} ms, max {max(api_latencies) * 1000:.1f} ms; {len(api_errors)} errors")
    for error in api_errors[:5]: print(f"  {error}")
    if api_errors or errors: sys.exit(1)
finally:
    stop_all(processes)
