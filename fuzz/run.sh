#!/bin/sh
# A bounded fuzz run, for CI or by hand: fuzz/run.sh TARGET SECONDS
#
# Replays the committed corpus (seeds and past crashes) first, then fuzzes
# for SECONDS. New inputs go to a scratch folder, not the committed corpus;
# a crash is saved under fuzz/artifacts/TARGET/ and fails the run (exit 1).
# Needs cargo-fuzz (`cargo install cargo-fuzz`); works on a stable toolchain.
set -eu

usage="usage: fuzz/run.sh TARGET SECONDS"
target=${1:?$usage}
seconds=${2:?$usage}
case $seconds in
    '' | *[!0-9]*) echo "$usage (SECONDS: a whole number)" >&2; exit 2 ;;
esac
cd "$(dirname "$0")"
if [ ! -f "fuzz_targets/$target.rs" ]; then
    echo "no fuzz target '$target' (see fuzz/fuzz_targets/)" >&2
    exit 2
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "cargo-fuzz is missing: cargo install cargo-fuzz" >&2
    exit 2
fi

# cargo-fuzz passes nightly-only flags to rustc (-Z...); this lets the
# stable toolchain take them.
export RUSTC_BOOTSTRAP=1
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
# Its own target folder: the fuzz build's flags differ from the workspace's.
target_dir="${CARGO_TARGET_DIR:-$PWD/target}/fuzz"
# A target's dictionary of tokens, if it has one.
dict=""
if [ -f "$target.dict" ]; then
    dict="-dict=$target.dict"
fi

# No sanitizer: the code under test is safe Rust (macaron-tape forbids
# `unsafe`), where a disagreement shows as a panic; AddressSanitizer would
# only slow each execution (for the dependencies' own `unsafe`, run
# `cargo fuzz run` without `--sanitizer none`).
# -timeout: an input that takes longer is a hang, reported as a crash
# (libFuzzer's default, 20 minutes, would outlast a CI run).
# shellcheck disable=SC2086
cargo fuzz run --sanitizer none --target-dir "$target_dir" "$target" "$scratch" "corpus/$target" -- \
    -max_total_time="$seconds" -timeout=60 -print_final_stats=1 $dict
