#!/usr/bin/env python3
"""PostgreSQL and Redis killed (SIGKILL) and restarted under load; what was lost, counted.

    python3 bench/reliability/backends.py [--queue redis|sql] [--kill postgres,redis] [--down 10] [--up 15]

The release petstore runs on a PostgreSQL of this script's own (port 25432)
and, with `--queue redis` (the default), its tasks on a Redis of its own
(port 26379, append-only file with fsync always: a Redis without
persistence forgets its queue when killed, whatever the service does). With
`--queue sql` the tasks live in PostgreSQL too.

Client threads create pets (`POST /v1/pets`), read them back, and schedule
their adoption (`POST /v1/pets/{id}/adopt`, a task that waits 0-0.5 s and
marks the pet adopted; one pet in ten), recording every reply. Each backend in `--kill` is
killed with SIGKILL (the whole process group: postmaster and backends at
once), left down `--down` seconds, restarted; the load goes on throughout.

It prints, per phase, the replies by status and error code; the time from
each restart to the first success; and at the end, from the database:

- every pet acknowledged with 201 is stored (lost = 0), and no pet refused
  with an error is stored;
- every adoption acknowledged with 202 was applied (adopted = true), once
  (the row's version is 2: created, then adopted; a task applied twice would
  have saved a third version);
- replies other than 2xx and 503 with a JSON error object, and requests
  left without a reply, are failures.
"""

from __future__ import annotations

import argparse
import collections
import json
import random
import sys
import threading
import time

import common as c

OPS = ("create", "read", "adopt")


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.phase = "warm-up"
        self.by_phase = collections.defaultdict(collections.Counter)  # phase -> (op, status, code) -> n
        self.created: dict[str, str] = {}  # name -> id (201)
        self.refused_creates: set[str] = set()  # names with a non-2xx reply
        self.unknown_creates: set[str] = set()  # names without a reply
        self.adopt_ok: set[str] = set()  # pet ids with 202
        self.adopt_refused: set[str] = set()
        self.adopt_unknown: set[str] = set()
        self.bad: list = []  # replies that are neither 2xx nor a JSON 503
        self.last_ok: dict[str, float] = {}
        self.first_ok_after: dict[str, float] = {}

    def note(self, op, status, body):
        code = body.get("error") if isinstance(body, dict) else None
        with self.lock:
            self.by_phase[self.phase][(op, status, code)] += 1
            now = time.time()
            if 200 <= status < 300:
                self.last_ok[op] = now
            elif not (status == 503 and isinstance(body, dict) and code):
                self.bad.append((self.phase, op, status, body if isinstance(body, dict) else str(body)[:200]))


def worker(port, token, rec: Recorder, stop: threading.Event, tid: int):
    cl = c.Client(port, token, timeout=30)
    n = 0
    rnd = random.Random(tid)
    while not stop.is_set():
        n += 1
        name = f"t{tid}-{n}"
        try:
            status, body = cl.call("POST", "/v1/pets", {"name": name, "tag": "rel"})
        except Exception as e:  # noqa: BLE001 - a request without a reply
            rec.unknown_creates.add(name)
            rec.note("create", 0, {"error": f"no reply: {type(e).__name__}"})
            time.sleep(0.05)
            continue
        rec.note("create", status, body)
        if status != 201:
            rec.refused_creates.add(name)
            time.sleep(0.05)
            continue
        rec.created[name] = body["id"]
        pid = body["id"]
        try:
            status, body = cl.call("GET", f"/v1/pets/{pid}")
            rec.note("read", status, body)
        except Exception as e:  # noqa: BLE001
            rec.note("read", 0, {"error": f"no reply: {type(e).__name__}"})
        if n % 10 == 0:
            delay = rnd.randint(0, 500)
            try:
                status, body = cl.call("POST", f"/v1/pets/{pid}/adopt", headers={"X-Adoption-Delay-Ms": str(delay)})
            except Exception as e:  # noqa: BLE001
                rec.adopt_unknown.add(pid)
                rec.note("adopt", 0, {"error": f"no reply: {type(e).__name__}"})
                continue
            rec.note("adopt", status, body)
            (rec.adopt_ok if status == 202 else rec.adopt_refused).add(pid)


def print_phase(rec: Recorder, phase: str):
    counts = rec.by_phase.get(phase, {})
    parts = [f"{op} {status}{' ' + code if code else ''}: {n}" for (op, status, code), n in sorted(counts.items(), key=str)]
    print(f"PHASE {phase}: " + "; ".join(parts), flush=True)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--queue", choices=["redis", "sql"], default="redis")
    ap.add_argument("--kill", default="postgres,redis")
    ap.add_argument("--down", type=float, default=10)
    ap.add_argument("--up", type=float, default=15)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--pg-port", type=int, default=25432)
    ap.add_argument("--redis-port", type=int, default=26379)
    ap.add_argument("--settle", type=float, default=120, help="seconds to wait for every task at the end")
    a = ap.parse_args()
    kills = [k for k in a.kill.split(",") if k]
    if "redis" in kills and a.queue != "redis":
        ap.error("--kill redis needs --queue redis")

    c.raise_nofile(65536)
    c.print_facts()
    binary = c.build_petstore()
    pg = c.Postgres(a.pg_port)
    pg.start()
    env = {"DATABASE_URL": pg.url}
    redis = None
    if a.queue == "redis":
        redis = c.Redis(a.redis_port, aof=True)
        redis.start()
        env["REDIS_URL"] = redis.url
    work = c.scratch("backends")
    pet = c.Petstore(binary, work, env).start()
    token = pet.token()
    c.log(f"petstore pid {pet.pid}, port {pet.port}; PostgreSQL {a.pg_port}; tasks in {a.queue}")

    rec = Recorder()
    stop = threading.Event()
    threads = [threading.Thread(target=worker, args=(pet.port, token, rec, stop, i), daemon=True) for i in range(a.clients)]
    for t in threads:
        t.start()
    backends = {"postgres": pg, "redis": redis}
    recoveries = []
    try:
        time.sleep(a.up)
        print_phase(rec, "warm-up")
        for b in kills:
            rec.phase = f"{b} down"
            c.log(f"SIGKILL {b}")
            backends[b].kill()
            time.sleep(a.down)
            rec.phase = f"{b} restarted"
            c.log(f"restart {b}")
            restarted = time.time()
            backends[b].start()
            # Recovery: the first success of every operation after the restart.
            deadline = restarted + 120
            first = {}
            while time.time() < deadline and len(first) < len(OPS):
                for op in OPS:
                    if op not in first and rec.last_ok.get(op, 0) > restarted:
                        first[op] = rec.last_ok[op] - restarted
                time.sleep(0.05)
            recoveries.append((b, first))
            print(f"RESULT {b} restarted: first success after " +
                  ", ".join(f"{op} {first[op]:.2f} s" if op in first else f"{op} NEVER" for op in OPS), flush=True)
            time.sleep(a.up)
            print_phase(rec, f"{b} down")
            print_phase(rec, f"{b} restarted")
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=60)

    # Every acknowledged adoption must be applied: wait for the queue to drain.
    c.log(f"load stopped; waiting up to {a.settle:g} s for every scheduled adoption")
    deadline = time.time() + a.settle
    while True:
        rows = pg.sql("SELECT key, data->>'name', data->>'adopted', version FROM pets")
        stored = {}
        for line in rows.splitlines():
            key, name, adopted, version = line.split("|")
            stored[key] = (name, adopted == "true", int(version))
        pending = [p for p in rec.adopt_ok if not stored.get(p, ("", False, 0))[1]]
        if not pending or time.time() > deadline:
            break
        time.sleep(1)

    names = {v[0]: k for k, v in stored.items()}
    lost = [n for n in rec.created if n not in names]
    refused_but_saved = [n for n in rec.refused_creates if n in names]
    unknown_saved = [n for n in rec.unknown_creates if n in names]
    not_applied = [p for p in rec.adopt_ok if not stored.get(p, ("", False, 0))[1]]
    applied_twice = [p for p in rec.adopt_ok if stored.get(p, ("", False, 0))[2] > 2]
    refused_applied = [p for p in rec.adopt_refused if stored.get(p, ("", False, 0))[1]]
    extra = len(stored) - len(rec.created) - len(refused_but_saved) - len(unknown_saved)
    crashes = (work / "crashes.jsonl").read_text().splitlines() if (work / "crashes.jsonl").exists() else []
    gave_up = [json.loads(l)["title"] for l in crashes if "TASK_FAILED" in l]

    total = collections.Counter()
    for counts in rec.by_phase.values():
        total.update(counts)
    print("RESULT replies over the whole run: " + "; ".join(
        f"{op} {status}{' ' + code if code else ''}: {n}" for (op, status, code), n in sorted(total.items(), key=str)))
    print(f"RESULT pets acknowledged 201: {len(rec.created)}; in PostgreSQL: {len(stored)}; "
          f"acknowledged but missing (lost): {len(lost)}; refused but stored: {len(refused_but_saved)}; "
          f"no reply: {len(rec.unknown_creates)} (of which stored: {len(unknown_saved)}); unexplained rows: {extra}")
    print(f"RESULT adoptions acknowledged 202: {len(rec.adopt_ok)}; applied: {len(rec.adopt_ok) - len(not_applied)}; "
          f"not applied (lost): {len(not_applied)}; applied more than once (version > 2): {len(applied_twice)}; "
          f"refused but applied: {len(refused_applied)}; no reply: {len(rec.adopt_unknown)}; "
          f"tasks given up (TASK_FAILED reports): {len(gave_up)}")
    print(f"RESULT replies neither 2xx nor a JSON 503: {len(rec.bad)}")
    for b in rec.bad[:20]:
        print(f"  {b}")
    down_503 = {k: v for p, counts in rec.by_phase.items() if p.endswith("down") for k, v in counts.items() if k[1] == 503}
    down_codes = collections.Counter()
    for p, counts in rec.by_phase.items():
        if p.endswith("down"):
            for (op, status, code), n in counts.items():
                if status == 503:
                    down_codes[f"{p}: {op} {code}"] += n
    print("RESULT 503 replies while down: " + "; ".join(f"{k} x{n}" for k, n in sorted(down_codes.items())))

    # A create whose commit reached PostgreSQL just before it was killed is
    # stored though its reply was a 503: the service never heard the commit
    # (no server can tell that outcome). At most one per client thread and
    # kill; more would be a fault.
    if refused_but_saved:
        print(f"RESULT refused but stored: {len(refused_but_saved)}, committed as PostgreSQL was killed "
              f"(allowed: at most {a.clients}, one per client thread)", flush=True)
    failed = bool(lost or not_applied or applied_twice or rec.bad or extra or refused_applied)
    failed |= len(refused_but_saved) > a.clients
    failed |= any(len(first) < len(OPS) for _, first in recoveries)
    if gave_up:
        print("gave up: " + "\n".join(gave_up[:5]))
    if failed:
        print(pet.logs()[-3000:])
    print("FAILED" if failed else "OK: 503 while down, recovered, nothing acknowledged was lost or applied twice", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
