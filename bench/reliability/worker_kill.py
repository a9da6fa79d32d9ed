#!/usr/bin/env python3
"""The petstore killed (SIGKILL) while its tasks run: do they run again, with their effect once?

    python3 bench/reliability/worker_kill.py [--queue sql|redis] [--pets 20] [--burst 300] [--kills 3]

The tasks are the petstore's adoptions (examples/petstore/src/adoption.rs):
wait `X-Adoption-Delay-Ms`, then mark the pet adopted by the caller. The
store is the service's SQLite file (`--queue sql`, the default) or a Redis
of this script's own (`--queue redis`, port 26379, fsync always).

1. Mid-task: `--pets` adoptions that wait 4 s each are scheduled; 1.5 s
   later, while every one of them is running, the process is killed with
   SIGKILL. None may be applied yet. The petstore is started again: every
   adoption must be applied (the task ran again, once its dead worker's
   claim expired: `task_visibility_timeout`, 30 s by default), and once.
2. Burst: `--burst` adoptions with no wait are scheduled, and the process
   is killed `--kills` times, at random moments, while it works through
   them (each waits 0-3 s, spread over the burst) (so some tasks die after their effect and before the queue heard
   of it), restarted each time. Every adoption must be applied, and each
   pet saved exactly twice (version 2: created, adopted): a task run again
   after it had applied its effect must not apply it a second time.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import sys
import time

import common as c


def adopted_state(work) -> dict[str, tuple[bool, int]]:
    con = sqlite3.connect(str(work / "petstore.db"), timeout=30)
    try:
        rows = con.execute("SELECT key, json_extract(data, '$.adopted'), version FROM pets").fetchall()
    finally:
        con.close()
    return {k: (bool(a), v) for k, a, v in rows}


def schedule(pet, token, ids, delay_ms):
    cl = c.Client(pet.port, token)
    for pid in ids:
        status, body = cl.call("POST", f"/v1/pets/{pid}/adopt", headers={"X-Adoption-Delay-Ms": str(delay_ms)})
        assert status == 202, (status, body)


def create(pet, token, n, label):
    cl = c.Client(pet.port, token)
    ids = []
    for i in range(n):
        status, body = cl.call("POST", "/v1/pets", {"name": f"{label}-{i}"})
        assert status == 201, (status, body)
        ids.append(body["id"])
    return ids


def wait_applied(work, ids, timeout) -> float | None:
    t0 = time.time()
    while time.time() - t0 < timeout:
        state = adopted_state(work)
        if all(state.get(i, (False, 0))[0] for i in ids):
            return time.time() - t0
        time.sleep(0.25)
    return None


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--queue", choices=["sql", "redis"], default="sql")
    ap.add_argument("--pets", type=int, default=20)
    ap.add_argument("--burst", type=int, default=300)
    ap.add_argument("--kills", type=int, default=3)
    ap.add_argument("--redis-port", type=int, default=26379)
    ap.add_argument("--seed", type=int, default=22)
    a = ap.parse_args()
    rnd = random.Random(a.seed)

    c.print_facts()
    binary = c.build_petstore()
    work = c.scratch("worker-kill")
    env = {"RUST_LOG": "info"}
    if a.queue == "redis":
        redis = c.Redis(a.redis_port, aof=True)
        redis.start()
        env["REDIS_URL"] = redis.url
    pet = c.Petstore(binary, work, env).start()
    token = pet.token()
    failed = False

    # 1. Killed mid-task.
    ids = create(pet, token, a.pets, "mid")
    schedule(pet, token, ids, 4000)
    time.sleep(1.5)
    c.log(f"SIGKILL the petstore (pid {pet.pid}) while {a.pets} adoptions sleep inside their task")
    pet.kill()
    state = adopted_state(work)
    early = sum(state[i][0] for i in ids)
    started_logs = pet.logs().count("adopt_pet")
    print(f"RESULT mid-task kill: adoptions applied before the kill: {early} of {a.pets}", flush=True)
    restarted = time.time()
    pet.start()
    took = wait_applied(work, ids, 120)
    state = adopted_state(work)
    twice = sum(state[i][1] > 2 for i in ids)
    applied = sum(state[i][0] for i in ids)
    print(f"RESULT mid-task kill: after the restart {applied} of {a.pets} applied"
          f"{f' within {time.time() - restarted:.1f} s of the restart' if took is not None else ''}; "
          f"applied more than once: {twice}", flush=True)
    if early or applied != a.pets or twice:
        failed = True
        print(f"FAIL mid-task ({started_logs} log lines naming the task before the kill)")

    # 2. Killed at random moments during a burst.
    ids = create(pet, token, a.burst, "burst")
    cl = c.Client(pet.port, token)
    for n, pid in enumerate(ids):  # due over 3 s: the kills fall while they run
        status, body = cl.call("POST", f"/v1/pets/{pid}/adopt", headers={"X-Adoption-Delay-Ms": str(n * 3000 // a.burst)})
        assert status == 202, (status, body)
    kills_done = 0
    for k in range(a.kills):
        time.sleep(rnd.uniform(0.2, 1.0))
        done = sum(adopted_state(work)[i][0] for i in ids)
        c.log(f"SIGKILL #{k + 1} at {done}/{a.burst} applied")
        pet.kill()
        kills_done += 1
        pet.start()
    took = wait_applied(work, ids, 180)
    state = adopted_state(work)
    applied = sum(state[i][0] for i in ids)
    versions = {}
    for i in ids:
        versions[state[i][1]] = versions.get(state[i][1], 0) + 1
    twice = sum(n for v, n in versions.items() if v > 2)
    print(f"RESULT burst: {a.burst} adoptions, {kills_done} SIGKILLs: applied {applied}; "
          f"versions {dict(sorted(versions.items()))} (2 = applied once); applied more than once: {twice}", flush=True)
    if applied != a.burst or twice:
        failed = True
        print("FAIL burst")
    crashes = (work / "crashes.jsonl").read_text() if (work / "crashes.jsonl").exists() else ""
    print(f"RESULT crash reports: {len(crashes.splitlines())}", flush=True)
    pet.kill()
    con = sqlite3.connect(str(work / "petstore.db"))
    integrity = con.execute("PRAGMA integrity_check").fetchone()[0]
    con.close()
    print(f"RESULT PRAGMA integrity_check after {kills_done + 1} SIGKILLs: {integrity}", flush=True)
    failed |= integrity != "ok"
    print("FAILED" if failed else "OK: killed tasks ran again, every effect applied once", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
