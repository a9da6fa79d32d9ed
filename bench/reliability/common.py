"""Shared pieces of the reliability scripts (Python 3.11, standard library only).

Everything a script starts (its own PostgreSQL, its own Redis, the release
petstore) runs in a process group of its own and is killed when the script
ends, whether it succeeds, fails, or is interrupted. Nothing here touches the
PostgreSQL on 5432 or the Redis on 6379 that other tests share.
"""

from __future__ import annotations

import atexit
import datetime
import http.client
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PETSTORE_DIR = REPO / "examples" / "petstore"
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
JWT_SECRET = "reliability-secret-0123456789-abcdefghijklmnopqrstuvwxyz"
ALICE_PASSWORD = "alice-reliability-pw"
BOB_PASSWORD = "bob-reliability-pw"

# ---------------------------------------------------------------- cleanup

_cleanups: list = []
_cleanup_lock = threading.Lock()


def on_exit(fn) -> None:
    """Runs `fn` when the script ends (last registered, first run)."""
    with _cleanup_lock:
        _cleanups.append(fn)


def _run_cleanups() -> None:
    with _cleanup_lock:
        todo = list(reversed(_cleanups))
        _cleanups.clear()
    for fn in todo:
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - cleanup must go on
            print(f"cleanup: {e}", file=sys.stderr)


def _on_signal(signum, _frame) -> None:
    _run_cleanups()
    sys.exit(128 + signum)


atexit.register(_run_cleanups)
signal.signal(signal.SIGTERM, _on_signal)
signal.signal(signal.SIGINT, _on_signal)
signal.signal(signal.SIGHUP, _on_signal)


def scratch(label: str) -> Path:
    d = Path(tempfile.mkdtemp(prefix=f"macaron-reliability-{label}-"))
    os.chmod(d, 0o755)
    on_exit(lambda: shutil.rmtree(d, ignore_errors=True))
    return d


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout}s")


def kill_group(proc: subprocess.Popen, sig=signal.SIGKILL) -> None:
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def raise_nofile(n: int = 65536) -> None:
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = min(n, hard) if hard != resource.RLIM_INFINITY else n
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


# ---------------------------------------------------------------- facts for the report


def facts() -> dict:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO, capture_output=True, text=True).stdout.strip()
    return {
        "date": datetime.date.today().isoformat(),
        "commit": commit + ("+dirty" if dirty else ""),
        "cores": os.cpu_count(),
        "mem_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "kernel": platform.release(),
    }


def print_facts() -> None:
    f = facts()
    load = open("/proc/loadavg").read().split()[0]
    print(f"date {f['date']}, commit {f['commit']}, {f['cores']} cores, {f['mem_gib']} GiB, Linux {f['kernel']}, "
          f"load average {load} at the start", flush=True)


# ---------------------------------------------------------------- the petstore binary


def target_dir() -> Path:
    return Path(os.environ.get("CARGO_TARGET_DIR") or REPO / "target")


def build_petstore() -> Path:
    """`cargo build --release -p petstore`; the binary's path (`PETSTORE_BIN`
    names an already built one and skips the build)."""
    if os.environ.get("PETSTORE_BIN"):
        return Path(os.environ["PETSTORE_BIN"])
    log("cargo build --release -p petstore")
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "petstore"], cwd=REPO, check=True)
    binary = target_dir() / "release" / "petstore"
    if not binary.exists():
        raise RuntimeError(f"no binary at {binary}")
    return binary


def rss_kib(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) of a process, in KiB."""
    rss = hwm = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
            elif line.startswith("VmHWM:"):
                hwm = int(line.split()[1])
    return rss, hwm


class Petstore:
    """The release petstore in a scratch working directory of its own."""

    def __init__(self, binary: Path, workdir: Path, env: dict | None = None, extra_config: str = "", args=()):
        self.binary = binary
        self.workdir = workdir
        self.port = free_port()
        self.env = dict(env or {})
        self.args = list(args)
        self.proc: subprocess.Popen | None = None
        self.starts = 0
        config = (PETSTORE_DIR / "macaron.yaml").read_text()
        (workdir / "macaron.yaml").write_text(config + "\n" + extra_config)
        on_exit(self.kill)

    def start(self, wait: bool = True) -> "Petstore":
        env = dict(os.environ)
        for var in ("DATABASE_URL", "REDIS_URL"):
            env.pop(var, None)
        env.update(
            PETSTORE_JWT_SECRET=JWT_SECRET,
            PETSTORE_ALICE_PASSWORD=ALICE_PASSWORD,
            PETSTORE_BOB_PASSWORD=BOB_PASSWORD,
            PETSTORE_CRASH_LOG=str(self.workdir / "crashes.jsonl"),
            RUST_LOG=env.get("RUST_LOG", "warn"),
            PORT=str(self.port),
        )
        env.update(self.env)
        self.starts += 1
        out = open(self.workdir / f"petstore.{self.starts}.log", "wb")
        self.proc = subprocess.Popen(
            [str(self.binary), *self.args], cwd=self.workdir, env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the petstore exited ({self.proc.returncode}):\n{self.logs()[-3000:]}")
            try:
                status, _ = request("127.0.0.1", self.port, "GET", "/ping", timeout=1)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"the petstore did not answer /ping within {timeout}s:\n{self.logs()[-3000:]}")

    def logs(self) -> str:
        return "".join(p.read_text(errors="replace") for p in sorted(self.workdir.glob("petstore.*.log")))

    @property
    def pid(self) -> int:
        return self.proc.pid

    def kill(self, sig=signal.SIGKILL) -> None:
        if self.proc is not None:
            kill_group(self.proc, sig)

    def token(self, user: str = "alice", password: str = ALICE_PASSWORD) -> str:
        status, body = request("127.0.0.1", self.port, "POST", "/v1/login", {"username": user, "password": password})
        if status != 200:
            raise RuntimeError(f"login: {status} {body}")
        return body["token"]


# ---------------------------------------------------------------- HTTP


def request(host, port, method, path, body=None, headers=None, timeout=10.0, conn=None):
    """(status, parsed JSON body or text). Opens a connection unless given one."""
    own = conn is None
    c = conn or http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        h = {"Accept": "application/json", **(headers or {})}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        c.request(method, path, body=data, headers=h)
        r = c.getresponse()
        raw = r.read()
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = raw.decode(errors="replace")
        return r.status, parsed
    finally:
        if own:
            c.close()


class Client:
    """A keep-alive connection that reconnects after any socket error."""

    def __init__(self, port: int, token: str | None = None, timeout: float = 15.0):
        self.port = port
        self.token = token
        self.timeout = timeout
        self.conn = None

    def call(self, method, path, body=None, headers=None):
        h = dict(headers or {})
        if self.token:
            h["Authorization"] = f"Bearer {self.token}"
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            return request("127.0.0.1", self.port, method, path, body, h, conn=self.conn)
        except (OSError, http.client.HTTPException) as e:
            self.conn.close()
            self.conn = None
            # An idle keep-alive connection the server closed (keep_alive): a read is sent again once.
            if method == "GET" and isinstance(e, (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)):
                return self.call(method, path, body, headers)
            raise


# ---------------------------------------------------------------- backends of our own


def _as_postgres():
    return {"user": "postgres", "group": "postgres", "extra_groups": []} if os.geteuid() == 0 else {}


class Postgres:
    """A PostgreSQL 15 of our own: initdb in a scratch directory, a spare port
    (below the kernel's ephemeral range, 32768 up, where the load's own client
    sockets could hold it)."""

    def __init__(self, port: int = 25432):
        self.port = port
        self.dir = scratch("pg")
        self.data = self.dir / "data"
        self.proc: subprocess.Popen | None = None
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        subprocess.run(
            [str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"],
            check=True, stdout=subprocess.DEVNULL, **_as_postgres(),
        )
        on_exit(self.kill)

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        out = open(self.dir / "postgres.log", "ab")
        self.proc = subprocess.Popen(
            [str(PG_BIN / "postgres"), "-D", str(self.data), "-p", str(self.port), "-k", str(self.dir),
             "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200", "-c", "fsync=on"],
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True, **_as_postgres(),
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            r = subprocess.run([str(PG_BIN / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port)], capture_output=True)
            if r.returncode == 0:
                return
            if self.proc.poll() is not None:
                raise RuntimeError(f"postgres exited: {(self.dir / 'postgres.log').read_text()[-2000:]}")
            time.sleep(0.2)
        raise RuntimeError("postgres did not start")

    def kill(self) -> None:
        """SIGKILL to the postmaster and every backend at once (a crash)."""
        if self.proc is not None:
            kill_group(self.proc)

    def sql(self, query: str) -> str:
        r = subprocess.run(
            ["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", "postgres", "-At", "-c", query],
            capture_output=True, text=True, check=True,
        )
        return r.stdout.strip()


class Redis:
    """A redis-server of our own on a spare port. With `aof`, every write is
    in its append-only file (fsync always) before Redis answers it."""

    def __init__(self, port: int = 26379, aof: bool = True):
        self.port = port
        self.aof = aof
        self.dir = scratch("redis")
        self.proc: subprocess.Popen | None = None
        on_exit(self.kill)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/"

    def start(self) -> None:
        persistence = ["--appendonly", "yes", "--appendfsync", "always"] if self.aof else ["--appendonly", "no"]
        out = open(self.dir / "redis.log", "ab")
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--dir", str(self.dir),
             *persistence],
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
        wait_port(self.port)
        deadline = time.time() + 60
        while time.time() < deadline:  # loading the AOF answers LOADING until done
            if self.cli("PING") == "PONG":
                return
            time.sleep(0.1)
        raise RuntimeError("redis did not start")

    def kill(self) -> None:
        if self.proc is not None:
            kill_group(self.proc)

    def cli(self, *args: str) -> str:
        r = subprocess.run(["redis-cli", "-p", str(self.port), *args], capture_output=True, text=True)
        return r.stdout.strip()


def percentile(values: list, p: float):
    if not values:
        return None
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def start_petstore(db: str, pg_port: int, name: str):
    """The release petstore started in a scratch folder `name`, on SQLite
    there or on a PostgreSQL of its own (`db == "postgres"`, on `pg_port`):
    (the folder, the PostgreSQL or None, the running petstore)."""
    binary = build_petstore()
    work = scratch(name)
    env, pg = {}, None
    if db == "postgres":
        pg = Postgres(pg_port)
        pg.start()
        env["DATABASE_URL"] = pg.url
    return work, pg, Petstore(binary, work, env).start()
