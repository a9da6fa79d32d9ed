#!/usr/bin/env python3
"""The petstore's SQLite file on a full disk: a clear 503, no corruption, recovery when space returns.

    python3 bench/reliability/sqlite_full.py [--size-mib 16] [--headroom-kib 256]

The database (`MACARON_DATA_DIR`, so `petstore.db`, its WAL, and the task
queue inside it) lives on a small filesystem of its own: a tmpfs mounted
by this script (root needed), else a loop-mounted ext4 image. A filler file
takes all but `--headroom-kib` of it; client threads then create pets until
the disk is full. While full, it checks that every failed write is a 503
with a JSON error object (no 500, no crash report, the process alive),
that reads still answer 200, and that `PRAGMA integrity_check` says ok.
Then the filler is deleted (space returns): writes must succeed again by
themselves. At the end every pet acknowledged with 201 must be in the
file, no refused one, and the file must pass `integrity_check` after a
clean stop and open again in a restarted petstore.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import sqlite3
import subprocess
import sys
import threading
import time

import common as c


def mount_small_fs(size_mib: int) -> tuple[c.Path, str]:
    d = c.scratch("disk")
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_mib}m", "tmpfs", str(d)], capture_output=True, text=True)
    if r.returncode == 0:
        c.on_exit(lambda: subprocess.run(["umount", "-l", str(d)], check=False))
        return d, f"tmpfs of {size_mib} MiB"
    c.log(f"tmpfs refused ({r.stderr.strip()}); trying a loop-mounted ext4 image")
    img = c.scratch("img") / "disk.img"
    subprocess.run(["truncate", "-s", f"{size_mib}M", str(img)], check=True)
    subprocess.run(["mkfs.ext4", "-q", "-F", str(img)], check=True)
    r = subprocess.run(["mount", "-o", "loop", str(img), str(d)], capture_output=True, text=True)
    if r.returncode == 0:
        c.on_exit(lambda: subprocess.run(["umount", "-l", str(d)], check=False))
        return d, f"loop-mounted ext4 image of {size_mib} MiB"
    raise SystemExit(f"cannot mount a small filesystem (tmpfs: refused; loop: {r.stderr.strip()}): run as root")


def fill(d, headroom_kib: int) -> int:
    st = os.statvfs(d)
    free = st.f_bavail * st.f_frsize
    size = max(0, free - headroom_kib * 1024)
    with open(d / "filler", "wb") as f:
        chunk = b"\0" * 65536
        left = size
        while left > 0:
            left -= f.write(chunk[: min(left, len(chunk))])
    return size


def integrity(path) -> str:
    con = sqlite3.connect(str(path), timeout=30)
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        con.close()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size-mib", type=int, default=16)
    ap.add_argument("--headroom-kib", type=int, default=256)
    ap.add_argument("--clients", type=int, default=4)
    a = ap.parse_args()

    c.print_facts()
    binary = c.build_petstore()
    disk, how = mount_small_fs(a.size_mib)
    work = c.scratch("sqlite-full")
    env = {"MACARON_DATA_DIR": str(disk)}
    pet = c.Petstore(binary, work, env).start()
    token = pet.token()
    cl = c.Client(pet.port, token)
    seed = []
    for i in range(20):
        status, body = cl.call("POST", "/v1/pets", {"name": f"seed-{i}"})
        assert status == 201, (status, body)
        seed.append(body["id"])
    filled = fill(disk, a.headroom_kib)
    c.log(f"database on a {how}; filler {filled / 2**20:.1f} MiB, {a.headroom_kib} KiB left")

    acked, refused, replies, bad = set(seed), set(), collections.Counter(), []
    lock = threading.Lock()
    phase = {"name": "filling"}
    stop = threading.Event()
    full_since = {}

    def writer(tid):
        w = c.Client(pet.port, token)
        n = 0
        while not stop.is_set():
            n += 1
            name = f"w{tid}-{n}-" + "x" * 40
            try:
                status, body = w.call("POST", "/v1/pets", {"name": name, "tag": "full"})
            except Exception as e:  # noqa: BLE001
                with lock:
                    bad.append((phase["name"], "no reply", repr(e)))
                time.sleep(0.1)
                continue
            code = body.get("error") if isinstance(body, dict) else None
            with lock:
                replies[(phase["name"], status, code)] += 1
                if status == 201:
                    acked.add(body["id"])
                else:
                    refused.add(name)
                    full_since.setdefault("t", time.time())
                    if not (status == 503 and code):
                        bad.append((phase["name"], status, body))
            if status != 201:
                time.sleep(0.05)

    threads = [threading.Thread(target=writer, args=(i,), daemon=True) for i in range(a.clients)]
    for t in threads:
        t.start()
    deadline = time.time() + 120
    while "t" not in full_since and time.time() < deadline:
        time.sleep(0.1)
    if "t" not in full_since:
        print("FAIL the disk never filled up")
        return 1
    phase["name"] = "full"
    time.sleep(5)  # writes keep failing for a while
    # Reads while full.
    reads = collections.Counter()
    for pid in seed:
        s, _ = cl.call("GET", f"/v1/pets/{pid}")
        reads[("GET /v1/pets/{id}", s)] += 1
    s, _ = cl.call("GET", "/v1/pets?limit=50")
    reads[("GET /v1/pets", s)] += 1
    s, body = cl.call("POST", f"/v1/pets/{seed[0]}/adopt")
    adopt_full = (s, body.get("error") if isinstance(body, dict) else body)
    check_full = integrity(disk / "petstore.db")
    alive = pet.proc.poll() is None
    print(f"RESULT while full: reads {dict(reads)}; adopt -> {adopt_full}; integrity_check {check_full}; "
          f"process alive {alive}", flush=True)

    # Space returns.
    (disk / "filler").unlink()
    phase["name"] = "space back"
    back = time.time()
    first_ok = None
    while time.time() - back < 60:
        with lock:
            if replies[("space back", 201, None)]:
                first_ok = time.time() - back
                break
        time.sleep(0.05)
    time.sleep(3)
    stop.set()
    for t in threads:
        t.join(timeout=30)
    s, body = cl.call("POST", f"/v1/pets/{seed[0]}/adopt")
    adopt_back = s

    print("RESULT replies to POST /v1/pets: " + "; ".join(
        f"{p} {s}{' ' + code if code else ''}: {n}" for (p, s, code), n in sorted(replies.items(), key=str)), flush=True)
    print(f"RESULT space back: first 201 after {first_ok:.2f} s" if first_ok is not None else "RESULT space back: NO 201",
          flush=True)
    print(f"RESULT adopt after space back: {adopt_back}", flush=True)
    crashes = (work / "crashes.jsonl").read_text().splitlines() if (work / "crashes.jsonl").exists() else []
    reports_503 = [l for l in crashes if " 503 " in json.loads(l)["title"]]
    crashes = [l for l in crashes if l not in reports_503]
    print(f"RESULT error reports: of a 503 {len(reports_503)}; of anything else (a 500, a panic) {len(crashes)}", flush=True)
    for line in crashes[:3]:
        print("  " + line[:400])

    pet.kill(c.signal.SIGTERM)
    con = sqlite3.connect(str(disk / "petstore.db"))
    stored = {k for (k,) in con.execute("SELECT key FROM pets")}
    con.close()
    check_after = integrity(disk / "petstore.db")
    lost = acked - stored
    print(f"RESULT pets acknowledged 201: {len(acked)}; stored: {len(stored)}; lost: {len(lost)}; "
          f"stored but refused: {len(stored) - len(acked & stored)}; integrity_check after stop: {check_after}", flush=True)
    pet.start()
    s, _ = c.Client(pet.port).call("GET", f"/v1/pets/{seed[-1]}")
    print(f"RESULT restarted on the same file: GET a pet -> {s}", flush=True)
    print(f"RESULT bad replies (not 201, not a JSON 503): {len(bad)}", flush=True)
    for b in bad[:10]:
        print(f"  {b}")

    failed = bool(bad or lost or crashes or first_ok is None or check_full != "ok" or check_after != "ok" or not alive)
    failed |= any(s != 200 for (_, s) in reads) or s != 200 or adopt_back != 202 or len(stored) != len(acked)
    failed |= adopt_full[0] != 503
    print("FAILED" if failed else "OK: 503 while full, reads served, no corruption, writes back with the space",
          flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
