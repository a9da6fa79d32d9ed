#!/usr/bin/env python3
"""The items benchmark: Macaron against bare actix-web, in one run.

Builds both servers in release, starts each pinned to core 0 (one worker),
drives it with wrk pinned to core 1, and for each workload of
../shared/bench/items.yaml reports requests/s, p99 latency and the server's
CPU time per request (from /proc/PID/stat), then the Macaron/bare ratios.

    python3 bench/items/run.py [--duration 10] [--connections 32] [--markdown]

Needs wrk (`apt-get install wrk`). Sends traffic to 127.0.0.1 only.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
HERE = os.path.dirname(os.path.abspath(__file__))
SERVERS = {
    "bare": ["items-bare", "--port", "18081"],
    "macaron": ["items-macaron", "--port", "18082", "--no-debug"],
}
PORTS = {"bare": 18081, "macaron": 18082}
ITEM = {"name": "widget", "price": 12.5, "tags": ["a", "b"], "count": 3}
WORKLOADS = [
    ("W1 GET /ping", "GET", "/ping", None, 200),
    ("W2 POST /v1/items (valid, 201)", "POST", "/v1/items", ITEM, 201),
    ("W3 POST /v1/items (invalid, 400)", "POST", "/v1/items", dict(ITEM, price=-1), 400),
    ("W4 GET /v1/items/{id} (404)", "GET", "/v1/items/8d3e2a10-0000-4000-8000-000000000000", None, 404),
]
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def check(port, method, path, body, status):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method)
    req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            got = r.status
    except urllib.error.HTTPError as e:
        got = e.code
    if got != status:
        sys.exit(f"port {port}: {method} {path} gave {got}, expected {status}")


def wrk(port, method, path, body, duration, connections):
    script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    script.write(f'wrk.method = "{method}"\nwrk.headers["Content-Type"] = "application/json"\n')
    if body is not None:
        script.write(f"wrk.body = {json.dumps(json.dumps(body))}\n")
    script.close()
    cmd = ["taskset", "-c", "1", "wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency",
           "-s", script.name, f"http://127.0.0.1:{port}{path}"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    os.unlink(script.name)
    total = int(re.search(r"(\d+) requests in", out).group(1))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    scale = {"us": 1e-3, "ms": 1.0, "s": 1e3}[p99.group(2)]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return total, rps, float(p99.group(1)) * scale, int(non2xx.group(1)) if non2xx else 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--markdown", action="store_true")
    args = ap.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk not found: apt-get install wrk")
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "bench-items"], cwd=ROOT, check=True)
    procs = {}
    try:
        for name, cmd in SERVERS.items():
            exe = os.path.join(ROOT, "target", "release", cmd[0])
            procs[name] = subprocess.Popen(["taskset", "-c", "0", exe] + cmd[1:], cwd=HERE,
                                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                           env=dict(os.environ, RUST_LOG="error"))
        for name in procs:
            for _ in range(100):
                try:
                    check(PORTS[name], "GET", "/ping", None, 200)
                    break
                except (urllib.error.URLError, ConnectionError):
                    time.sleep(0.1)
            else:
                sys.exit(f"{name} did not start")
        rows = []
        for label, method, path, body, status in WORKLOADS:
            result = {}
            for name, proc in procs.items():
                check(PORTS[name], method, path, body, status)
                before = cpu_seconds(proc.pid)
                total, rps, p99, _ = wrk(PORTS[name], method, path, body, args.duration, args.connections)
                cpu = cpu_seconds(proc.pid) - before
                result[name] = (rps, p99, cpu / total * 1e6)
            rows.append((label, result))
    finally:
        for proc in procs.values():
            proc.terminate()
            proc.wait()
    head = ("| workload | bare req/s | macaron req/s | ratio | bare p99 ms | macaron p99 ms | ratio "
            "| bare CPU µs/req | macaron CPU µs/req | ratio |")
    print(head)
    print("|" + "---|" * 10)
    for label, r in rows:
        (brps, bp99, bcpu), (mrps, mp99, mcpu) = r["bare"], r["macaron"]
        print(f"| {label} | {brps:.0f} | {mrps:.0f} | {mrps / brps:.2f} | {bp99:.2f} | {mp99:.2f} | "
              f"{mp99 / bp99:.2f} | {bcpu:.1f} | {mcpu:.1f} | {mcpu / bcpu:.2f} |")


if __name__ == "__main__":
    main()
