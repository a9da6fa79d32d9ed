#!/usr/bin/env python3
"""Startup time and memory: `stripe-macaron` (Stripe's 468 operations) next to `items-macaron` (3).

For each server, --runs times: starts it (release build, RUST_LOG=error, in
a scratch directory), times from the spawn until `GET /ping` answers 200
(polled every 2 ms) and the CPU time it took (user and system, all
threads: less sensitive to other work on the machine than the wall time),
reads its resident memory (VmRSS) then, sends a
workload with wrk for --seconds (W4 on items-macaron, `GET
/v1/customers/{customer}` on stripe-macaron, both answered 404 by a
handler), and reads its peak resident memory (VmHWM: the start's peak
included) and VmRSS again. Prints the median and the range of each.

Startup is everything `letsgo` does before serving: the configuration,
loading the spec (4.2 MB of YAML for Stripe), binding and routing every
operation, compiling its schemas, opening the listener.

    python3 bench/stripe/startup.py [--runs 11] [--seconds 5] [--no-build]

Needs wrk (`apt-get install wrk`). Honors CARGO_TARGET_DIR.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TARGET = os.environ.get("CARGO_TARGET_DIR") or os.path.join(ROOT, "target")
ID = "8d3e2a10-0000-4000-8000-000000000000"
SERVERS = [
    ("items-macaron", 18097, f"/v1/items/{ID}"),
    ("stripe-macaron", 18098, f"/v1/customers/{ID}"),
]


def status(pid):
    """VmRSS and VmHWM of a process, in MiB."""
    fields = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                fields[name] = int(value.split()[0]) / 1024
    return fields["VmRSS"], fields["VmHWM"]


def cpu_ms(pid):
    """The process's user and system CPU time so far, in ms."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def ready(port):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/ping", timeout=1) as r:
            return r.status == 200
    except OSError:
        return False


def run(exe, port, path, seconds):
    """One start: (ms to ready, CPU ms to ready, RSS after start, RSS after load, peak RSS)."""
    scratch = tempfile.mkdtemp(prefix="bench-startup-")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "PORT")
           and not k.startswith("OTEL_")}
    began = time.perf_counter()
    proc = subprocess.Popen([os.path.join(TARGET, "release", exe), "--port", str(port), "--no-debug"], cwd=scratch,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=dict(env, RUST_LOG="error"))
    try:
        while not ready(port):
            if proc.poll() is not None:
                sys.exit(f"{exe} exited with {proc.returncode} before answering /ping")
            if time.perf_counter() - began > 120:
                sys.exit(f"{exe} did not answer /ping within 120 s")
            time.sleep(0.002)
        elapsed = (time.perf_counter() - began) * 1000
        cpu = cpu_ms(proc.pid)
        started, _ = status(proc.pid)
        subprocess.run(["wrk", "-t1", "-c4", f"-d{seconds}s", f"http://127.0.0.1:{port}{path}"],
                       capture_output=True, check=True)
        loaded, peak = status(proc.pid)
        return elapsed, cpu, started, loaded, peak
    finally:
        proc.terminate()
        proc.wait()
        shutil.rmtree(scratch, ignore_errors=True)


def spread(values, unit, digits):
    return f"{statistics.median(values):.{digits}f} {unit} ({min(values):.{digits}f}–{max(values):.{digits}f})"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=11)
    ap.add_argument("--seconds", type=int, default=5, help="seconds of wrk load per run, for the peak memory")
    ap.add_argument("--no-build", action="store_true", help="use the binaries already in the target directory")
    args = ap.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk not found: apt-get install wrk")
    if not args.no_build:
        subprocess.run(["cargo", "build", "--release", "-q", "-p", "bench-items", "-p", "bench-stripe"], cwd=ROOT,
                       check=True)
    print(f"| server | startup to /ping, median of {args.runs} (range) | its CPU time | VmRSS after start | "
          f"VmRSS after {args.seconds} s of wrk | VmHWM (peak) |")
    print("|---|---|---|---|---|---|")
    for exe, port, path in SERVERS:
        runs = [run(exe, port, path, args.seconds) for _ in range(args.runs)]
        times, cpus, started, loaded, peaks = zip(*runs)
        print(f"| {exe} | {spread(times, 'ms', 0)} | {spread(cpus, 'ms', 0)} | {spread(started, 'MiB', 1)} | "
              f"{spread(loaded, 'MiB', 1)} | {spread(peaks, 'MiB', 1)} |", flush=True)


if __name__ == "__main__":
    main()
