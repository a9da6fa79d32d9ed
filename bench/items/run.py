#!/usr/bin/env python3
"""The items and petstore benchmarks: Macaron against bare actix-web, in one run.

Builds the servers in release, starts each pinned to core 0 (one worker),
drives it with wrk pinned to core 1, and for each workload reports
requests/s, p99 latency and the server's CPU time per request (from
/proc/PID/stat), each the median of its slices, and the Macaron/bare
ratios, each the median of the ratios of pairs of slices taken back to back
on the two servers (see `measure`). Every round (--rounds) starts both
servers afresh and takes --slices pairs of --duration seconds per workload.

- items: the workloads of ../shared/bench/items.yaml, `items-macaron`
  against `items-bare`;
- petstore: `GET /v1/pets/{pet_id}` and a validated `POST /v1/pets` with a
  bearer token, the real `examples/petstore` (SQLite `petstore.db`) against
  `petstore-bare` (the same two operations by hand: jsonwebtoken, serde,
  sqlx on SQLite), each in a scratch working directory.

    python3 bench/items/run.py [--suite all|items|petstore] [--rounds 5] [--slices 4] [--duration 2]
                               [--connections 32] [--split] [--log error|info] [--aa] [--verbose]
                               [--syscalls]

Needs wrk (`apt-get install wrk`). Sends traffic to 127.0.0.1 only. Honors
CARGO_TARGET_DIR.
"""
import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
HERE = os.path.dirname(os.path.abspath(__file__))
TARGET = os.environ.get("CARGO_TARGET_DIR") or os.path.join(ROOT, "target")
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

# The petstore pair: the same secret, issuer and audience, so one token works on both.
PET_SERVERS = {
    "bare": ["petstore-bare", "--port", "18083", "--database", "sqlite://petstore-bare.db"],
    "macaron": ["petstore", "--port", "18084", "--no-debug"],
}
PET_PORTS = {"bare": 18083, "macaron": 18084}
PET_ENV = {
    "PETSTORE_JWT_SECRET": "bench-secret-0123456789abcdef0123456789abcdef",
    "PETSTORE_ALICE_PASSWORD": "bench-alice",
    "PETSTORE_BOB_PASSWORD": "bench-bob",
}
PET = {"name": "Rex", "tag": "dog", "birth_date": "2020-02-29", "weight_kg": 12.5}


def cpu_seconds(pid):
    """The process's (user, system) CPU seconds so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) / TICKS, int(fields[12]) / TICKS  # utime, stime


def check(port, method, path, body, status, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method)
    req.add_header("Content-Type", "application/json")
    for name, value in (headers or {}).items():
        req.add_header(name, value)
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            got, text = r.status, r.read()
    except urllib.error.HTTPError as e:
        got, text = e.code, e.read()
    if got != status:
        sys.exit(f"port {port}: {method} {path} gave {got}, expected {status}: {text[:300]!r}")
    return json.loads(text) if text else None


def wrk(port, method, path, body, duration, connections, headers=None):
    script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    script.write(f'wrk.method = "{method}"\nwrk.headers["Content-Type"] = "application/json"\n')
    for name, value in (headers or {}).items():
        script.write(f'wrk.headers["{name}"] = "{value}"\n')
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


def start(servers, cwd, env, log):
    """Starts each server pinned to core 0, with `log` as its RUST_LOG."""
    # Nothing of the caller's storage settings: embedded defaults only.
    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "PORT")}
    procs = {}
    for name, cmd in servers.items():
        exe = os.path.join(TARGET, "release", cmd[0])
        procs[name] = subprocess.Popen(["taskset", "-c", "0", exe] + cmd[1:], cwd=cwd[name],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                       env=dict(base, RUST_LOG=log, **env))
    return procs


def wait_ready(procs, ports):
    for name in procs:
        for _ in range(100):
            try:
                check(ports[name], "GET", "/ping", None, 200)
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        else:
            sys.exit(f"{name} did not start")


def measure(launch, args):
    """Runs `args.rounds` rounds, each on freshly started servers.

    `launch` is a context manager giving (procs, ports, workloads), the
    workloads as (label, method, {server: path}, body, status, headers).
    Each round starts both servers anew (a process's memory layout, and the
    cache luck that comes with it, holds for its whole life: fresh processes
    per round let the medians cover it) and, for each workload, warms both up
    for a second (not counted), then takes `args.slices` pairs of slices of
    `args.duration` seconds: one slice on each server back to back, who goes
    first alternating from pair to pair.

    Why pairs of short slices: this machine's loopback throughput moves
    between two levels (~15% apart, the system time per request moving with
    them) that each hold for many slices in a row, for any server. A slice and its neighbour almost always see the same level, so
    each pair's ratio cancels it, and the ratios reported are the medians of
    the pairs' ratios; the absolute figures are the medians of the slices.

    Returns [(label, {server: figures}, ratios)], the figures (rps, p99,
    cpu, user, system, system calls per request: 0 without --syscalls),
    the ratios Macaron/bare of the first five."""
    rounds = {}  # label -> list of {server: figures}, one per pair
    for turn in range(args.rounds):
        with launch() as (procs, ports, workloads):
            for label, method, paths, body, status, headers in workloads:
                pairs = rounds.setdefault(label, [])
                for name in procs:  # warm-up, not counted: connections, caches, allocator
                    check(ports[name], method, paths[name], body, status, headers)
                    wrk(ports[name], method, paths[name], body, 1, args.connections, headers)
                for k in range(args.slices):
                    pair = {}
                    order = list(procs.items())
                    if (turn * args.slices + k) % 2:
                        order.reverse()
                    for name, proc in order:
                        check(ports[name], method, paths[name], body, status, headers)
                        (user0, system0) = cpu_seconds(proc.pid)
                        counter = syscall_counter(proc.pid) if args.syscalls else None
                        total, rps, p99, _ = wrk(ports[name], method, paths[name], body, args.duration,
                                                 args.connections, headers)
                        calls = syscall_count(counter) / total if counter else 0.0
                        (user1, system1) = cpu_seconds(proc.pid)
                        user, system = (user1 - user0) / total * 1e6, (system1 - system0) / total * 1e6
                        pair[name] = (rps, p99, user + system, user, system, calls)
                        if args.verbose:
                            print(f"round {turn + 1} pair {k + 1} {label} {name}: {rps:.0f} req/s, "
                                  f"p99 {p99:.2f} ms, CPU {user + system:.2f} µs/req (user {user:.2f}, "
                                  f"system {system:.2f})", file=sys.stderr, flush=True)
                    pairs.append(pair)
    rows = []
    for label, pairs in rounds.items():
        medians = {name: tuple(statistics.median(p[name][i] for p in pairs) for i in range(6))
                   for name in pairs[0]}
        ratios = tuple(statistics.median(p["macaron"][i] / p["bare"][i] for p in pairs) for i in range(5))
        rows.append((label, medians, ratios))
    return rows


def syscall_counter(pid):
    """Starts counting the system calls of process `pid` (perf's raw_syscalls tracepoint)."""
    out = tempfile.NamedTemporaryFile("r", suffix=".perf", delete=False)
    perf = subprocess.Popen(["perf", "stat", "-x,", "-e", "raw_syscalls:sys_enter", "-p", str(pid), "-o", out.name],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.2)  # perf attaches before the load starts
    return perf, out.name


def syscall_count(counter):
    """Stops a counter of `syscall_counter`; the system calls it counted."""
    perf, path = counter
    perf.send_signal(signal.SIGINT)
    perf.wait()
    with open(path) as f:
        text = f.read()
    os.unlink(path)
    m = re.search(r"^(\d+),", text, re.MULTILINE)
    if not m:
        sys.exit(f"perf counted no system calls: {text.strip()[:300]}")
    return int(m.group(1))


def stop(procs):
    for proc in procs.values():
        proc.terminate()
        proc.wait()


# --aa: bare actix-web in both seats (the Macaron seat runs a second
# items-bare): the ratios then show the method's own noise, the spread two
# identical servers get.
AA_SERVERS = {"bare": SERVERS["bare"], "macaron": ["items-bare", "--port", str(PORTS["macaron"])]}


@contextlib.contextmanager
def items_servers(servers, log):
    procs = start(servers, {name: HERE for name in servers}, {}, log)
    try:
        wait_ready(procs, PORTS)
        yield procs, PORTS, [(label, method, {"bare": path, "macaron": path}, body, status, None)
                             for label, method, path, body, status in WORKLOADS]
    finally:
        stop(procs)


@contextlib.contextmanager
def petstore_servers(log):
    dirs = {name: tempfile.mkdtemp(prefix=f"bench-petstore-{name}-") for name in PET_SERVERS}
    shutil.copy(os.path.join(ROOT, "examples", "petstore", "macaron.yaml"), dirs["macaron"])
    procs = start(PET_SERVERS, dirs, PET_ENV, log)
    try:
        wait_ready(procs, PET_PORTS)
        login = {"username": "alice", "password": PET_ENV["PETSTORE_ALICE_PASSWORD"]}
        token = check(PET_PORTS["macaron"], "POST", "/v1/login", login, 200)["token"]
        auth = {"Authorization": f"Bearer {token}"}
        # One pet on each side to read back.
        ids = {name: check(PET_PORTS[name], "POST", "/v1/pets", PET, 201, auth)["id"] for name in procs}
        get = {name: f"/v1/pets/{ids[name]}" for name in procs}
        yield procs, PET_PORTS, [
            ("P1 GET /v1/pets/{pet_id} (200)", "GET", get, None, 200, None),
            ("P2 POST /v1/pets (token, valid, 201)", "POST", {n: "/v1/pets" for n in procs}, PET, 201, auth),
        ]
    finally:
        stop(procs)
        for d in dirs.values():
            shutil.rmtree(d, ignore_errors=True)


def table(rows):
    head = ("| workload | bare req/s | macaron req/s | ratio | bare p99 ms | macaron p99 ms | ratio "
            "| bare CPU µs/req | macaron CPU µs/req | ratio |")
    print(head)
    print("|" + "---|" * 10)
    for label, r, ratio in rows:
        (brps, bp99, bcpu, *_), (mrps, mp99, mcpu, *_) = r["bare"], r["macaron"]
        print(f"| {label} | {brps:.0f} | {mrps:.0f} | {ratio[0]:.2f} | {bp99:.2f} | {mp99:.2f} | "
              f"{ratio[1]:.2f} | {bcpu:.1f} | {mcpu:.1f} | {ratio[2]:.2f} |")


def split_table(rows):
    """The CPU time per request split into user and system (kernel) time."""
    print()
    print("| workload | bare user µs/req | bare system µs/req | macaron user µs/req | macaron system µs/req "
          "| user ratio | system ratio |")
    print("|" + "---|" * 7)
    for label, r, ratio in rows:
        (_, _, _, buser, bsys, _), (_, _, _, muser, msys, _) = r["bare"], r["macaron"]
        print(f"| {label} | {buser:.2f} | {bsys:.2f} | {muser:.2f} | {msys:.2f} | {ratio[3]:.2f} | "
              f"{ratio[4]:.2f} |")


def syscalls_table(rows):
    """System calls per request (--syscalls)."""
    print()
    print("| workload | bare syscalls/req | macaron syscalls/req |")
    print("|---|---|---|")
    for label, r, _ in rows:
        print(f"| {label} | {r['bare'][5]:.3f} | {r['macaron'][5]:.3f} |")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--duration", type=int, default=2, help="seconds per slice")
    ap.add_argument("--slices", type=int, default=4, help="pairs of slices per round and workload")
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--rounds", type=int, default=5, help="rounds, each on freshly started servers")
    ap.add_argument("--suite", choices=["all", "items", "petstore"], default="all")
    ap.add_argument("--split", action="store_true", help="also print the CPU time split into user and system time")
    ap.add_argument("--no-build", action="store_true", help="use the binaries already in the target directory")
    ap.add_argument("--log", default="error",
                    help="the servers' RUST_LOG: error (default) or info, where Macaron logs every request")
    ap.add_argument("--aa", action="store_true",
                    help="items-bare in both seats (the 'macaron' columns): the noise of the method itself; "
                         "items workloads only")
    ap.add_argument("--verbose", action="store_true", help="print every slice's figures (on stderr)")
    ap.add_argument("--bare-no-test-before-acquire", action="store_true",
                    help="petstore-bare's pool without sqlx's test before each use, as macaron-db's SQLite pool")
    ap.add_argument("--syscalls", action="store_true",
                    help="also count each server's system calls per request (perf stat; perf's counting slows "
                         "both servers, so take the other figures from a run without it)")
    args = ap.parse_args()
    if args.bare_no_test_before_acquire:
        PET_SERVERS["bare"] = PET_SERVERS["bare"] + ["--no-test-before-acquire"]
    if not shutil.which("wrk"):
        sys.exit("wrk not found: apt-get install wrk")
    if args.syscalls and not shutil.which("perf"):
        sys.exit("perf not found: apt-get install linux-perf")
    packages = {"items": ["bench-items"], "petstore": ["bench-items", "petstore"]}
    wanted = sorted({p for suite in (["items", "petstore"] if args.suite == "all" else [args.suite])
                     for p in packages[suite]})
    build = ["cargo", "build", "--release", "-q"] + [arg for p in wanted for arg in ("-p", p)]
    if not args.no_build:
        subprocess.run(build, cwd=ROOT, check=True)
    rows = []
    if args.suite in ("all", "items") or args.aa:
        servers = AA_SERVERS if args.aa else SERVERS
        rows += measure(lambda: items_servers(servers, args.log), args)
    if args.suite in ("all", "petstore") and not args.aa:
        rows += measure(lambda: petstore_servers(args.log), args)
    table(rows)
    if args.split:
        split_table(rows)
    if args.syscalls:
        syscalls_table(rows)


if __name__ == "__main__":
    main()
