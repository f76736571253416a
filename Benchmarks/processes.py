"""What the Python benchmark drivers share: free ports, waiting for a listener, a process's RSS,
stopping what they started."""
import re, socket, subprocess, time


def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close(); return port


def wait_listening(port, seconds=60):
    for _ in range(int(seconds * 10)):
        try:
            socket.create_connection(("127.0.0.1", port), 1).close(); return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nothing listens on {port}")


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        return int(re.search(r"VmRSS:\s+(\d+)", status.read()).group(1))


def stop_all(processes):
    """SIGTERM to each, then SIGKILL to any still running 5 s later."""
    for process in processes:
        process.terminate()
    for process in processes:
        try: process.wait(5)
        except subprocess.TimeoutExpired: process.kill()
