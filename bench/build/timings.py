#!/usr/bin/env python3
"""Cold release builds: the smallest service `macaron new` makes against
the bare actix-web service of bench/items, on this machine, in one run.

    python3 bench/build/timings.py [--out DIR] [--skip-bare] [--extra NAME=OPTIONS ...]

For each service this makes a scratch crate under a temporary folder (the
bare one: `bench/items/src/bin/items-bare.rs` as its `main.rs`, with the
dependencies it names; the Macaron ones: `macaron new NAME OPTIONS
--macaron-path ROOT`; the minimal one: `--db none --auth none --api-reference plain`), copies the workspace's Cargo.lock (the same
versions on both sides), then, each with a target folder of its own:

1. `cargo build --release --timings` from nothing (every dependency
   compiled): the cold build, the figure compared;
2. a handler edited (a comment added to the crate's own code) and
   `cargo build --release` again: the rebuild a developer waits for;
3. the same edit and `cargo build` (debug): the edit-run loop.

Sources are downloaded before the clock starts (`cargo fetch`), so the
figures are compile time only. The `--timings` reports (one HTML file per
cold build: each crate's compile time, what ran in parallel) are copied
to --out (default: target/build-timings). Both cores are used by cargo; run
it on an otherwise idle machine: anything else running lengthens both
sides, not by the same amount.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

BARE_TOML = """[package]
name = "items-bare"
version = "0.1.0"
edition = "2021"
publish = false

[dependencies]
actix-web = { version = "4", default-features = false, features = ["macros"] }
serde = { version = "1", features = ["derive"] }
serde_json = "1"
uuid = { version = "1", features = ["v4", "serde"] }

[profile.release]
debug = "line-tables-only"
"""


def run(cmd, cwd, env=None, quiet=True):
    started = time.monotonic()
    done = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE if quiet else None,
                          stderr=subprocess.PIPE if quiet else None, text=True)
    elapsed = time.monotonic() - started
    if done.returncode != 0:
        sys.stderr.write((done.stderr or "")[-4000:])
        sys.exit(f"timings: {' '.join(cmd)} failed in {cwd} (exit {done.returncode})")
    return elapsed


def bare_crate(work):
    crate = os.path.join(work, "items-bare")
    os.makedirs(os.path.join(crate, "src"))
    with open(os.path.join(crate, "Cargo.toml"), "w") as f:
        f.write(BARE_TOML)
    shutil.copy(os.path.join(ROOT, "bench/items/src/bin/items-bare.rs"), os.path.join(crate, "src/main.rs"))
    shutil.copy(os.path.join(ROOT, "Cargo.lock"), os.path.join(crate, "Cargo.lock"))
    return crate, "src/main.rs"


def macaron_crate(work, cli, name, options):
    crate = os.path.join(work, name)
    run([cli, "new", name, "--path", crate, "--macaron-path", ROOT] + options.split(), cwd=work)
    return crate, "src/api.rs"


def cargo_count(crate, env):
    """How many crates the release build compiles (packages in the graph, build scripts' included)."""
    out = subprocess.run(["cargo", "tree", "--prefix", "none", "-e", "normal,build", "--target", "all"],
                         cwd=crate, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout
    return len({line.replace(" (*)", "").strip() for line in out.splitlines() if line.strip()})


def units(report):
    """Each compiled unit's (seconds, crate, what) from a --timings report
    (its UNIT_DATA: one entry per crate, build script or build-script run)."""
    with open(report) as f:
        text = f.read()
    m = re.search(r"const UNIT_DATA = (\[.*?\]);\n", text, re.S)
    if not m:
        return []
    return [(u["duration"], u["name"], (u.get("target") or "").strip() or "lib") for u in json.loads(m.group(1))]


def measure(label, crate, edited, out_dir):
    env = dict(os.environ)
    target = os.path.join(crate, "target")
    env["CARGO_TARGET_DIR"] = target
    env.pop("RUSTFLAGS", None)
    run(["cargo", "fetch"], cwd=crate, env=env)
    crates = cargo_count(crate, env)
    cold = run(["cargo", "build", "--release", "--timings"], cwd=crate, env=env)
    reports = os.path.join(target, "cargo-timings")
    compiled = []
    for report in os.listdir(reports):
        if report.startswith("cargo-timing-") and report.endswith(".html"):
            shutil.copy(os.path.join(reports, report), os.path.join(out_dir, f"{label}.html"))
            compiled = units(os.path.join(reports, report))
    path = os.path.join(crate, edited)

    def edit():
        with open(path, "a") as f:
            f.write(f"\n// edited at {time.time()}\n")

    edit()
    release_edit = run(["cargo", "build", "--release"], cwd=crate, env=env)
    run(["cargo", "build"], cwd=crate, env=env)  # the debug build's dependencies, not timed
    edit()
    debug_edit = run(["cargo", "build"], cwd=crate, env=env)
    return {"label": label, "crates": crates, "cold": cold, "release_edit": release_edit, "debug_edit": debug_edit,
            "units": compiled}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=os.path.join(ROOT, "target", "build-timings"),
                    help="where the --timings reports are copied")
    ap.add_argument("--cli", help="the macaron binary (default: built here with cargo build --release -p macaron-cli)")
    ap.add_argument("--skip-bare", action="store_true", help="only the Macaron services")
    ap.add_argument("--extra", action="append", default=[], metavar="NAME=OPTIONS",
                    help="another service to build, e.g. full='--db sqlite --tasks' (repeatable)")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    cli = args.cli
    if cli is None:
        print("building the macaron CLI (not timed) ...", flush=True)
        run(["cargo", "build", "--release", "-p", "macaron-cli"], cwd=ROOT)
        target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
        cli = os.path.join(target, "release", "macaron")
    services = [("minimal", "--db none --auth none --api-reference plain")]
    for extra in args.extra:
        name, _, options = extra.partition("=")
        services.append((name, options))
    rows = []
    with tempfile.TemporaryDirectory(prefix="macaron-build-timings-") as work:
        if not args.skip_bare:
            crate, edited = bare_crate(work)
            print("cold release build: items-bare (bare actix-web) ...", flush=True)
            rows.append(measure("items-bare", crate, edited, args.out))
        for name, options in services:
            crate, edited = macaron_crate(work, cli, name, options)
            print(f"cold release build: {name} (macaron new {name} {options}) ...", flush=True)
            rows.append(measure(name, crate, edited, args.out))
    bare = next((r for r in rows if r["label"] == "items-bare"), None)
    print()
    print("| service | crates compiled | cold release build s | ratio to bare | release rebuild after an edit s | debug rebuild after an edit s |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        ratio = f"{r['cold'] / bare['cold']:.2f}" if bare else "-"
        print(f"| {r['label']} | {r['crates']} | {r['cold']:.1f} | {ratio} | {r['release_edit']:.1f} | {r['debug_edit']:.1f} |")
    # Where the time goes: the sum of every unit's compile time (what the
    # cores had to do; the wall time is about that over the cores in use)
    # and the longest units, from the --timings reports.
    print()
    print("| service | sum of the units' compile times s | longest units (s) |")
    print("|---|---|---|")
    for r in rows:
        longest = sorted(r["units"], reverse=True)[:8]
        named = ", ".join(f"{name}{'' if what == 'lib' else ' (' + what + ')'} {secs:.1f}" for secs, name, what in longest)
        print(f"| {r['label']} | {sum(u[0] for u in r['units']):.1f} | {named} |")
    print(f"\n--timings reports: {args.out}")


if __name__ == "__main__":
    main()
