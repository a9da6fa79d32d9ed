#!/usr/bin/env python3
"""Instructions per request: the items workloads under callgrind.

Wall-clock and CPU-time figures on a shared 2-core machine swing from run to
run; instruction counts do not. For each workload of run.py this starts
`items-bare` and `items-macaron` under `valgrind --tool=callgrind` with
instrumentation off, warms them up, counts the user-space instructions the
server executes while wrk sends requests for a few seconds, and divides by
the requests wrk completed. The kernel's share (the same socket work on
both sides) is not counted, so these ratios are larger than run.py's CPU
ratios.

    python3 bench/items/instructions.py [--seconds 6] [--no-build] [--breakdown] [--otel]
                                        [--suite items|stripe|petstore|all]

With --breakdown, each workload's row is followed by the instructions per
request of the parts of Macaron's request path named in PARTS (inclusive:
a part counts what it calls).

With --suite stripe, the rows are instead a parametrised GET on a large
spec against the same on the items spec: W4 on `items-macaron` (3
operations), then on `stripe-macaron` (bench/stripe: Stripe's 468
operations plus the items spec) `GET /v1/customers/{customer}` (S1, a
handler doing what W4's does) and W4 itself (S2), each with its ratio to
W4 on `items-macaron`. --suite all prints both tables.

With --suite petstore, the rows are run.py's P1 and P2: `petstore`
(examples/petstore, on SQLite in a scratch folder) against
`petstore-bare` (the same two operations by hand on actix-web + sqlx),
the token of P2 from the petstore's own `POST /v1/login` (the same secret,
issuer and audience on both sides), the pet P1 reads made before the
count starts. --suite all prints the three tables.

With --otel, Macaron's server exports a span per request (100 % sampling,
OTLP/HTTP) to a sink this script runs; the instructions of the exporter's
threads are counted too.

Needs valgrind and wrk (`apt-get install valgrind wrk`). Honors CARGO_TARGET_DIR.
"""
import argparse
import http.server
import threading
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run import HERE, PET, PET_ENV, ROOT, TARGET, WORKLOADS, check  # noqa: E402

SERVERS = {"bare": ("items-bare", 18091), "macaron": ("items-macaron", 18092), "stripe": ("stripe-macaron", 18093),
           "petstore-bare": ("petstore-bare", 18094), "petstore": ("petstore", 18095)}
# Each server's command line after its binary and port.
ARGS = {"petstore-bare": ["--database", "sqlite://petstore-bare.db"]}
# --suite stripe: (label, server, method, path), each compared with the first.
STRIPE_ROWS = [
    ("W4 GET /v1/items/{id} (404), items spec (3 operations)", "macaron", "GET",
     "/v1/items/8d3e2a10-0000-4000-8000-000000000000"),
    ("S1 GET /v1/customers/{customer} (404), Stripe's spec (468 + 3 operations)", "stripe", "GET",
     "/v1/customers/8d3e2a10-0000-4000-8000-000000000000"),
    ("S2 GET /v1/items/{id} (404), Stripe's spec (468 + 3 operations)", "stripe", "GET",
     "/v1/items/8d3e2a10-0000-4000-8000-000000000000"),
]

# Parts of Macaron's request path, by the function that does each. Only
# functions the compiler keeps whole: an inlined one (the schema check, the
# extractors) has its instructions counted in its caller.
PARTS = [
    ("the whole dispatch", "macaron::http::dispatch::dispatch::{{closure}}"),
    ("read the body onto its tape", "macaron_tape::parse::read"),
    ("write the reply and record its tape", "macaron_tape::record::write"),
    ("check the reply (its schema check included)", "macaron::reply::check::check_reply"),
    ("finish: request id, metrics, log line", "macaron::http::dispatch::Pipeline::finish"),
    ("route", "macaron::route::Router::find"),
]
LINE = re.compile(r"^\s*([\d,]+) \(\s*[\d.]+%\)\s+\S+?:(.*) \[\S+\]$")


def lua(method, body, headers=None):
    script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    script.write(f'wrk.method = "{method}"\nwrk.headers["Content-Type"] = "application/json"\n')
    for name, value in (headers or {}).items():
        script.write(f"wrk.headers[{json.dumps(name)}] = {json.dumps(value)}\n")
    if body is not None:
        script.write(f"wrk.body = {json.dumps(json.dumps(body))}\n")
    script.close()
    return script.name


def wrk(port, path, script, seconds):
    out = subprocess.run(["wrk", "-t1", "-c4", f"-d{seconds}s", "-s", script, f"http://127.0.0.1:{port}{path}"],
                         capture_output=True, text=True, check=True).stdout
    return int(re.search(r"(\d+) requests in", out).group(1))


class Sink(http.server.BaseHTTPRequestHandler):
    """An OTLP/HTTP receiver that accepts and drops what it is sent."""

    def do_POST(self):  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_):
        pass


def otel_sink():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Sink)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return {"OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{server.server_address[1]}",
            "OTEL_TRACES_SAMPLER": "always_on", "OTEL_SERVICE_NAME": "items-macaron"}


OTEL = {}
KEEP = []  # --keep DIR


def wait_ping(port, seconds, failure):
    """Waits until the server on `port` answers /ping; exits with `failure` after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/ping", timeout=2).read()
            return
        except OSError:
            time.sleep(0.1)
    sys.exit(failure)


def measure(name, method, path, body, seconds, headers=None, cwd=HERE, env_extra=None):
    """Instructions per request of server `name` under callgrind; `path`
    may be a function of the port, called once the server answers (to make
    what the requests read)."""
    exe, port = SERVERS[name]
    out = tempfile.mkdtemp(prefix="callgrind-")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "PORT") and not k.startswith("OTEL_")}
    if name in ("macaron", "stripe"):
        env.update(OTEL)
    env.update(env_extra or {})
    args = ARGS.get(name, ["--no-debug"])
    proc = subprocess.Popen(["valgrind", "--tool=callgrind", "--instr-atstart=no",
                             f"--callgrind-out-file={out}/cg.out", os.path.join(TARGET, "release", exe),
                             "--port", str(port)] + args,
                            cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=dict(env, RUST_LOG="error"))
    try:
        # Stripe's spec takes tens of seconds to load under valgrind.
        wait_ping(port, 200, f"{exe} did not start under valgrind")
        if callable(path):
            path = path(port)
        script = lua(method, body, headers)
        wrk(port, path, script, 2)  # warm-up, not counted
        subprocess.run(["callgrind_control", "-i", "on", str(proc.pid)], capture_output=True, check=True)
        requests = wrk(port, path, script, seconds)
        subprocess.run(["callgrind_control", "-i", "off", str(proc.pid)], capture_output=True, check=True)
        subprocess.run(["callgrind_control", "-d", str(proc.pid)], capture_output=True, check=True)
        os.unlink(script)
    finally:
        proc.terminate()
        proc.wait()
    dumps = sorted(glob.glob(f"{out}/cg.out*"), key=os.path.getsize)
    totals = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100", dumps[-1]], capture_output=True,
                            text=True).stdout
    instructions = int(re.search(r"([\d,]+) \(100.0%\)\s+PROGRAM TOTALS", totals).group(1).replace(",", ""))
    # A function's own line (with the binary's name) holds its inclusive count.
    counts = {}
    for line in totals.splitlines():
        m = LINE.match(line)
        if m:
            counts[m.group(2)] = max(counts.get(m.group(2), 0), int(m.group(1).replace(",", "")))
    if KEEP:
        os.makedirs(KEEP[0], exist_ok=True)
        shutil.copy(dumps[-1], os.path.join(KEEP[0], f"{name}-{method}.callgrind"))
    for dump in glob.glob(f"{out}/*"):
        os.unlink(dump)
    os.rmdir(out)
    parts = [(label, counts.get(function, 0) / requests) for label, function in PARTS]
    return instructions / requests, parts


def petstore_token():
    """A token from the petstore's `POST /v1/login` (a plain run, not counted)."""
    folder = tempfile.mkdtemp(prefix="bench-petstore-login-")
    shutil.copy(os.path.join(ROOT, "examples", "petstore", "macaron.yaml"), folder)
    port = SERVERS["petstore"][1]
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "PORT")}
    proc = subprocess.Popen([os.path.join(TARGET, "release", "petstore"), "--port", str(port), "--no-debug"],
                            cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=dict(env, RUST_LOG="error", **PET_ENV))
    try:
        wait_ping(port, 10, "petstore did not start")
        login = {"username": "alice", "password": PET_ENV["PETSTORE_ALICE_PASSWORD"]}
        return check(port, "POST", "/v1/login", login, 200)["token"]
    finally:
        proc.terminate()
        proc.wait()
        shutil.rmtree(folder, ignore_errors=True)


def petstore_rows(seconds, breakdown):
    auth = {"Authorization": f"Bearer {petstore_token()}"}

    def one_pet(port):
        return f"/v1/pets/{check(port, 'POST', '/v1/pets', PET, 201, auth)['id']}"

    print("| workload | petstore-bare instructions/req | petstore instructions/req | ratio |")
    print("|---|---|---|---|")
    for label, method, path, body, headers in [
        ("P1 GET /v1/pets/{pet_id} (200)", "GET", one_pet, None, None),
        ("P2 POST /v1/pets (token, valid, 201)", "POST", "/v1/pets", PET, auth),
    ]:
        counts = {}
        for name in ("petstore-bare", "petstore"):
            folder = tempfile.mkdtemp(prefix=f"bench-{name}-")
            shutil.copy(os.path.join(ROOT, "examples", "petstore", "macaron.yaml"), folder)
            try:
                counts[name] = measure(name, method, path, body, seconds, headers, folder, PET_ENV)
            finally:
                shutil.rmtree(folder, ignore_errors=True)
        bare, (macaron, parts) = counts["petstore-bare"][0], counts["petstore"]
        print(f"| {label} | {bare:.0f} | {macaron:.0f} | {macaron / bare:.2f} |", flush=True)
        if breakdown:
            for part, count in parts:
                print(f"|   {part} | | {count:.0f} | |", flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=6)
    ap.add_argument("--no-build", action="store_true", help="use the binaries already in the target directory")
    ap.add_argument("--bare-no-test-before-acquire", action="store_true",
                    help="petstore-bare's pool without sqlx's test before each use, as macaron-db's SQLite pool")
    ap.add_argument("--breakdown", action="store_true", help="also print the parts of Macaron's request path")
    ap.add_argument("--otel", action="store_true", help="Macaron exports a span per request to a local OTLP sink")
    ap.add_argument("--suite", choices=["items", "stripe", "petstore", "all"], default="items",
                    help="items: Macaron against bare actix-web (default); stripe: a GET on Stripe's spec against "
                         "the same on the items spec; petstore: P1 and P2 against actix-web + sqlx; all: the three")
    ap.add_argument("--keep", metavar="DIR", help="copy each server's callgrind dump there "
                    "(NAME-METHOD.callgrind, for callgrind_annotate)")
    args = ap.parse_args()
    if args.bare_no_test_before_acquire:
        ARGS["petstore-bare"] = ARGS["petstore-bare"] + ["--no-test-before-acquire"]
    if args.keep:
        KEEP.append(args.keep)
    if args.otel:
        OTEL.update(otel_sink())
    for tool in ("valgrind", "wrk", "callgrind_control"):
        if not subprocess.run(["sh", "-c", f"command -v {tool}"], capture_output=True).stdout:
            sys.exit(f"{tool} not found: apt-get install valgrind wrk")
    if not args.no_build:
        packages = ["-p", "bench-items"] + (["-p", "bench-stripe"] if args.suite in ("stripe", "all") else []) \
            + (["-p", "petstore"] if args.suite in ("petstore", "all") else [])
        subprocess.run(["cargo", "build", "--release", "-q"] + packages, cwd=ROOT, check=True)
    if args.suite in ("items", "all"):
        print("| workload | bare instructions/req | macaron instructions/req | ratio |")
        print("|---|---|---|---|")
        for label, method, path, body, _status in WORKLOADS:
            bare, _ = measure("bare", method, path, body, args.seconds)
            macaron, parts = measure("macaron", method, path, body, args.seconds)
            print(f"| {label} | {bare:.0f} | {macaron:.0f} | {macaron / bare:.2f} |", flush=True)
            if args.breakdown:
                for part, count in parts:
                    print(f"|   {part} | | {count:.0f} | |", flush=True)
    if args.suite in ("stripe", "all"):
        if args.suite == "all":
            print()
        print("| workload | server | instructions/req | ratio to the first |")
        print("|---|---|---|---|")
        first = None
        for label, name, method, path in STRIPE_ROWS:
            count, parts = measure(name, method, path, None, args.seconds)
            first = first or count
            print(f"| {label} | {SERVERS[name][0]} | {count:.0f} | {count / first:.2f} |", flush=True)
            if args.breakdown:
                for part, part_count in parts:
                    print(f"|   {part} | | {part_count:.0f} | |", flush=True)
    if args.suite in ("petstore", "all"):
        if args.suite == "all":
            print()
        petstore_rows(args.seconds, args.breakdown)


if __name__ == "__main__":
    main()
