#!/usr/bin/env python3
"""The release petstore under wrk: 1,000 connections for 60 s.

    python3 bench/reliability/load.py [--db sqlite|postgres] [--connections 1000] [--duration 60]

Two runs against one petstore process: reads only (`GET /v1/pets/{id}`),
then a mix (4 reads for 1 `POST /v1/pets`). For each it prints wrk's
requests/s, latency percentiles, non-2xx replies and socket errors, and the
petstore's resident memory (VmRSS now, VmHWM the peak since it started,
sampled from /proc). After the mix, the pets counted in the database must
equal the seeded ones plus the 201 replies wrk counted. Exits 1 when any
request failed, a count differs, or the peak RSS passes --max-rss-mib.
"""

from __future__ import annotations

import argparse
import re
import sqlite3
import subprocess
import sys
import threading
import time

import common as c

READ_LUA = """
wrk.headers["Accept"] = "application/json"
"""

MIX_LUA = r"""
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args)
  n = 0; created = 0; other = 0
  token = args[1]; pet = args[2]
  post = wrk.format("POST", "/v1/pets",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token},
    '{"name":"wrk","tag":"load"}')
  get = wrk.format("GET", "/v1/pets/" .. pet, {["Accept"] = "application/json"})
end
function request()
  n = n + 1
  if n % 5 == 0 then return post end
  return get
end
function response(status, headers, body)
  if status == 201 then created = created + 1
  elseif status ~= 200 then other = other + 1 end
end
function done(summary, latency, requests)
  local c, o = 0, 0
  for _, t in ipairs(threads) do c = c + t:get("created"); o = o + t:get("other") end
  io.write(string.format("CREATED %d\nOTHER %d\n", c, o))
end
"""


def parse_wrk(out: str) -> dict:
    def num(pattern, default=0.0):
        m = re.search(pattern, out)
        return float(m.group(1)) if m else default

    def dur_ms(text: str) -> float:
        m = re.match(r"([\d.]+)(us|ms|s|m)", text)
        v, unit = float(m.group(1)), m.group(2)
        return v * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]

    lat = {p: dur_ms(v) for p, v in re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", out, re.M)}
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "requests": int(num(r"(\d+) requests in")),
        "rps": num(r"Requests/sec:\s+([\d.]+)"),
        "latency_ms": lat,
        "non_2xx": int(num(r"Non-2xx or 3xx responses: (\d+)")),
        "socket_errors": dict(zip(("connect", "read", "write", "timeout"), map(int, sock.groups()))) if sock else {},
        "created": int(num(r"CREATED (\d+)")),
        "other": int(num(r"OTHER (\d+)")),
    }


def run_wrk(port: int, path: str, script: str, args: list[str], conns: int, duration: int, workdir, pid: int):
    lua = workdir / "wrk.lua"
    lua.write_text(script)
    peak = {"rss": 0}
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            try:
                peak["rss"] = max(peak["rss"], c.rss_kib(pid)[0])
            except OSError:
                return
            time.sleep(0.25)

    t = threading.Thread(target=sample, daemon=True)
    t.start()
    cmd = ["wrk", "-t2", f"-c{conns}", f"-d{duration}s", "--timeout", "10s", "--latency", "-s", str(lua),
           f"http://127.0.0.1:{port}{path}", "--", *args]
    c.log(" ".join(cmd[:-len(args)] if args else cmd))
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    stop.set()
    t.join()
    print(out, flush=True)
    r = parse_wrk(out)
    r["rss_sampled_peak_kib"] = peak["rss"]
    return r


def count_pets(db: str, workdir, pg) -> int:
    if db == "sqlite":
        con = sqlite3.connect(str(workdir / 'petstore.db'), timeout=30)
        try:
            return con.execute("SELECT count(*) FROM pets").fetchone()[0]
        finally:
            con.close()
    return int(pg.sql("SELECT count(*) FROM pets"))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--connections", type=int, default=1000)
    ap.add_argument("--duration", type=int, default=60)
    ap.add_argument("--max-rss-mib", type=int, default=512)
    ap.add_argument("--pg-port", type=int, default=25432)
    a = ap.parse_args()

    c.raise_nofile(65536)
    c.print_facts()
    work, pg, pet = c.start_petstore(a.db, a.pg_port, "load")
    token = pet.token()
    client = c.Client(pet.port, token)
    seeded = []
    for i in range(100):
        status, body = client.call("POST", "/v1/pets", {"name": f"seed-{i}", "tag": "seed"})
        assert status == 201, (status, body)
        seeded.append(body["id"])
    pet_id = seeded[0]
    idle_rss, _ = c.rss_kib(pet.pid)
    c.log(f"petstore pid {pet.pid} on {a.db}, port {pet.port}, RSS idle {idle_rss / 1024:.1f} MiB")

    failed = False
    results = {}
    for name, path, script, args in (
        ("read", f"/v1/pets/{pet_id}", READ_LUA, []),
        ("mix", "/", MIX_LUA, [token, pet_id]),
    ):
        r = run_wrk(pet.port, path, script, args, a.connections, a.duration, work, pet.pid)
        rss, hwm = c.rss_kib(pet.pid)
        r["rss_after_kib"], r["hwm_kib"] = rss, hwm
        results[name] = r
        errors = r["non_2xx"] + sum(r["socket_errors"].values()) + r["other"]
        print(
            f"RESULT {name}: {a.connections} connections, {a.duration} s, db {a.db}: {r['requests']} requests, "
            f"{r['rps']:.0f} req/s, latency p50 {r['latency_ms'].get('50')} ms p90 {r['latency_ms'].get('90')} ms "
            f"p99 {r['latency_ms'].get('99')} ms, non-2xx {r['non_2xx']}, socket errors {r['socket_errors'] or 0}, "
            f"RSS sampled peak {r['rss_sampled_peak_kib'] / 1024:.1f} MiB, VmHWM {hwm / 1024:.1f} MiB, "
            f"RSS after {rss / 1024:.1f} MiB",
            flush=True,
        )
        if errors:
            failed = True
            print(f"FAIL {name}: {errors} failed requests", flush=True)
        if pet.proc.poll() is not None:
            print(f"FAIL the petstore exited: {pet.logs()[-2000:]}")
            return 1

    time.sleep(1)
    rows = count_pets(a.db, work, pg)
    expected = len(seeded) + results["mix"]["created"]
    print(f"RESULT pets in the database {rows}, seeded {len(seeded)} + 201 replies {results['mix']['created']} = {expected}",
          flush=True)
    # Every 201 stored; beyond them, at most one create per connection: the
    # ones in flight when wrk stopped, stored by the service after wrk
    # stopped counting (their replies went to closed sockets).
    if rows < expected:
        failed = True
        print(f"FAIL {expected - rows} acknowledged pets are not in the database", flush=True)
    elif rows - expected > a.connections:
        failed = True
        print(f"FAIL {rows - expected} pets stored beyond the 201 replies, more than the {a.connections} in flight", flush=True)
    else:
        print(f"RESULT every acknowledged pet stored; {rows - expected} more were in flight when wrk stopped "
              f"(at most one per connection)", flush=True)
    hwm = c.rss_kib(pet.pid)[1]
    print(f"RESULT peak RSS (VmHWM) {hwm / 1024:.1f} MiB, bound {a.max_rss_mib} MiB", flush=True)
    if hwm > a.max_rss_mib * 1024:
        failed = True
        print("FAIL peak RSS above the bound", flush=True)
    print("FAILED" if failed else "OK: zero errors, every acknowledged pet stored, peak RSS bounded", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
