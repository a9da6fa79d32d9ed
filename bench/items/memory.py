#!/usr/bin/env python3
"""Peak memory: items-macaron against items-bare under the benchmark's load.

    python3 bench/items/memory.py [--seconds 5] [--connections 32] [--no-build]

Starts both servers as run.py does (pinned to core 0, one worker,
RUST_LOG=error, freshly started), reads each one's resident memory once
it answers (VmRSS), then sends each workload of run.py (W1 to W4) to each
in turn with wrk (core 1, one thread) for --seconds, and prints each
server's peak resident memory (VmHWM, the kernel's high-water mark: every
page the process ever had resident at once, its binary's pages included)
and the ratio. Honors CARGO_TARGET_DIR.
"""
import argparse
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run import HERE, ROOT, PORTS, SERVERS, WORKLOADS, check, start, stop, wait_ready, wrk  # noqa: E402


def status(pid, key):
    """A /proc/PID/status figure in KiB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise KeyError(key)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=int, default=5, help="wrk's run per workload and server")
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--no-build", action="store_true", help="use the binaries already in the target directory")
    args = ap.parse_args()
    if not args.no_build:
        subprocess.run(["cargo", "build", "--release", "-p", "bench-items"], cwd=ROOT, check=True)
    procs = start(SERVERS, {name: HERE for name in SERVERS}, {}, "error")
    try:
        wait_ready(procs, PORTS)
        started = {name: status(p.pid, "VmRSS") for name, p in procs.items()}
        requests = {name: 0 for name in procs}
        for _label, method, path, body, code in WORKLOADS:
            for name in procs:
                check(PORTS[name], method, path, body, code)
                total, _rps, _p99, _non2xx = wrk(PORTS[name], method, path, body, args.seconds, args.connections)
                requests[name] += total
        peak = {name: status(p.pid, "VmHWM") for name, p in procs.items()}
    finally:
        stop(procs)
    print(f"W1-W4, {args.seconds} s each, {args.connections} connections, one worker per server")
    print("| server | RSS once ready MiB | peak RSS (VmHWM) MiB | requests served |")
    print("|---|---|---|---|")
    for name in procs:
        print(f"| items-{name} | {started[name] / 1024:.1f} | {peak[name] / 1024:.1f} | {requests[name]} |")
    print(f"peak ratio macaron / bare: {peak['macaron'] / peak['bare']:.2f}")


if __name__ == "__main__":
    main()
