#!/usr/bin/env python3
"""A 10-minute soak of the release petstore: does its memory grow?

    python3 bench/reliability/soak.py [--minutes 10] [--connections 200] [--db sqlite|postgres]

wrk runs a mix for the whole time (per 10 requests: 5 `GET /v1/pets/{id}`,
2 `GET /v1/pets?limit=20`, 2 `POST /v1/pets`, 1 `POST /v1/login`) while
the petstore's VmRSS is sampled every 5 s. It prints the samples per
minute (mean, max), the slope of a least-squares line over minutes 2 to
the end (MiB per hour), and wrk's totals. It fails when any request
failed, or when the last minute's mean RSS exceeds the second minute's by
more than 10% + 8 MiB (the first minute is warm-up: pools and caches fill).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import threading
import time

import common as c
from load import count_pets, parse_wrk

SOAK_LUA = r"""
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args)
  n = 0; created = 0; other = 0
  local token, pet = args[1], args[2]
  local auth = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}
  reqs = {
    wrk.format("GET", "/v1/pets/" .. pet, {["Accept"] = "application/json"}),
    wrk.format("GET", "/v1/pets?limit=20", {["Accept"] = "application/json"}),
    wrk.format("POST", "/v1/pets", auth, '{"name":"soak","tag":"soak","weight_kg":3.5}'),
    wrk.format("GET", "/v1/pets/" .. pet, {["Accept"] = "application/json"}),
    wrk.format("POST", "/v1/login", {["Content-Type"] = "application/json"},
      '{"username":"bob","password":"' .. args[3] .. '"}'),
    wrk.format("GET", "/v1/pets/" .. pet, {["Accept"] = "application/json"}),
    wrk.format("GET", "/v1/pets?limit=20", {["Accept"] = "application/json"}),
    wrk.format("POST", "/v1/pets", auth, '{"name":"soak2"}'),
    wrk.format("GET", "/v1/pets/" .. pet, {["Accept"] = "application/json"}),
    wrk.format("GET", "/v1/pets/" .. pet, {["Accept"] = "application/json"}),
  }
end
function request()
  n = n + 1
  return reqs[(n % 10) + 1]
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


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=int, default=10)
    ap.add_argument("--connections", type=int, default=200)
    ap.add_argument("--interval", type=float, default=5.0)
    ap.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--pg-port", type=int, default=25432)
    a = ap.parse_args()

    c.raise_nofile(65536)
    c.print_facts()
    work, pg, pet = c.start_petstore(a.db, a.pg_port, "soak")
    token = pet.token()
    client = c.Client(pet.port, token)
    status, body = client.call("POST", "/v1/pets", {"name": "the-one", "tag": "soak"})
    assert status == 201, (status, body)
    pet_id = body["id"]
    rows0 = count_pets(a.db, work, pg)

    lua = work / "soak.lua"
    lua.write_text(SOAK_LUA)
    duration = a.minutes * 60
    cmd = ["wrk", "-t2", f"-c{a.connections}", f"-d{duration}s", "--timeout", "10s", "--latency", "-s", str(lua),
           f"http://127.0.0.1:{pet.port}/", "--", token, pet_id, c.BOB_PASSWORD]
    c.log(f"wrk -t2 -c{a.connections} -d{duration}s (mix) on pid {pet.pid}, db {a.db}; RSS every {a.interval:g} s")
    samples: list[tuple[float, int]] = []
    t0 = time.time()
    wrk = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, start_new_session=True)
    c.on_exit(lambda: c.kill_group(wrk))
    while wrk.poll() is None:
        samples.append((time.time() - t0, c.rss_kib(pet.pid)[0]))
        time.sleep(a.interval)
    out = wrk.stdout.read()
    print(out, flush=True)
    r = parse_wrk(out)
    hwm = c.rss_kib(pet.pid)[1]

    per_minute = {}
    for t, rss in samples:
        per_minute.setdefault(int(t // 60), []).append(rss / 1024)
    print("minute  samples  mean RSS MiB  max RSS MiB")
    for m in sorted(per_minute):
        v = per_minute[m]
        print(f"{m + 1:>6}  {len(v):>7}  {sum(v) / len(v):>12.1f}  {max(v):>11.1f}")
    xs = [t / 3600 for t, _ in samples if t >= 60]
    ys = [rss / 1024 for t, rss in samples if t >= 60]
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
    minutes = sorted(per_minute)
    second = per_minute[minutes[1]] if len(minutes) > 1 else per_minute[minutes[0]]
    last = per_minute[minutes[-1]]
    m2, mlast = sum(second) / len(second), sum(last) / len(last)
    rows = count_pets(a.db, work, pg)
    failed = False
    errors = r["non_2xx"] + sum(r["socket_errors"].values()) + r["other"]
    print(
        f"RESULT soak {a.minutes} min, {a.connections} connections, db {a.db}: {r['requests']} requests, "
        f"{r['rps']:.0f} req/s, p99 {r['latency_ms'].get('99')} ms, non-2xx {r['non_2xx']}, "
        f"socket errors {r['socket_errors'] or 0}",
        flush=True,
    )
    print(
        f"RESULT RSS minute 2 mean {m2:.1f} MiB, last minute mean {mlast:.1f} MiB, "
        f"slope over minutes 2-{len(minutes)} {slope:+.1f} MiB/h, VmHWM {hwm / 1024:.1f} MiB",
        flush=True,
    )
    print(f"RESULT pets stored {rows - rows0}, 201 replies {r['created']}", flush=True)
    print("SAMPLES " + json.dumps([(round(t), rss) for t, rss in samples]))
    if errors:
        failed = True
        print(f"FAIL {errors} failed requests")
    # Every 201 stored; beyond them, at most one create per connection (in
    # flight when wrk stopped, stored after it stopped counting).
    extra = rows - rows0 - r["created"]
    if extra < 0:
        failed = True
        print(f"FAIL {-extra} acknowledged pets are not in the database")
    elif extra > a.connections:
        failed = True
        print(f"FAIL {extra} pets stored beyond the 201 replies, more than the {a.connections} in flight")
    if mlast > m2 * 1.10 + 8:
        failed = True
        print("FAIL RSS grew")
    print("FAILED" if failed else "OK: no error, RSS flat", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
