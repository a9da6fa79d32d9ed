//! Services written by `macaron new`, built and tested for real: their own
//! `cargo test`, then `macaron test` against the running binary (`--local`,
//! `--url`), on SQLite, PostgreSQL and in memory; and `macaron test`'s
//! refusals and failure paths, with a stand-in service that misbehaves
//! (`fixtures/stubborn`).
//!
//! Every service builds into one shared target folder
//! (`target/scaffolds`), so their dependencies compile once.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{
    assert_refused, cargo, engine_ready, free_port, macaron, macaron_with, repo_root, scaffold_target, scratch, show,
    BASE,
};

/// `macaron new NAME OPTIONS --macaron-path <this checkout>` in a scratch folder.
fn scaffold(name: &str, options: &[&str]) -> PathBuf {
    let work = scratch(name);
    let root = repo_root();
    let mut args = vec!["new", name];
    args.extend_from_slice(options);
    args.extend_from_slice(&["--macaron-path", root.to_str().expect("a UTF-8 path")]);
    let out = macaron(&work, &args);
    assert!(out.status.success(), "{}", show(&out));
    work.join(name)
}

/// The service's own `cargo test` passes with no edit, and ran tests.
fn cargo_test_passes(dir: &Path, vars: &[(&str, &str)]) {
    let out = cargo(dir, &["test"], vars);
    assert!(out.status.success(), "cargo test in {}: {}", dir.display(), show(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    // Both test files ran (the library and main.rs have no tests of their own).
    assert!(stdout.contains("test items_are_created_read_and_listed ... ok"), "{stdout}");
    assert!(stdout.contains("test a_missing_item_is_the_declared_error ... ok"), "{stdout}");
}

/// `macaron test ARGS` passed: a line per test, the summary, exit 0.
fn macaron_test_passes(dir: &Path, args: &[&str], vars: &[(&str, &str)]) -> String {
    let out = macaron_with(dir, args, vars);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "macaron {args:?}: {}", show(&out));
    assert!(stdout.contains("test has_the_builtins ... ok"), "{stdout}");
    let summary = stdout.lines().find(|l| l.ends_with(" failed") && l.contains(" passed, ")).expect("a summary line");
    assert!(summary.ends_with(", 0 failed") && !summary.starts_with("0 passed"), "{summary}");
    stdout
}

/// Starts a built service binary on a free port and waits for `/ping`.
fn run_binary(dir: &Path, binary: &Path) -> (Child, String) {
    let port = free_port();
    let child = Command::new(binary)
        .current_dir(dir)
        .args(["--port", &port.to_string(), "--host", "127.0.0.1"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the service");
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "the service did not listen within 60 s");
        std::thread::sleep(Duration::from_millis(50));
    }
    (child, format!("http://127.0.0.1:{port}"))
}

fn sigterm(mut child: Child) {
    let pid = nix::unistd::Pid::from_raw(i32::try_from(child.id()).expect("a pid"));
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).expect("SIGTERM");
    let status = child.wait().expect("wait");
    assert!(status.success(), "the service exited with {status} after SIGTERM");
}

#[test]
fn sqlite_tasks_jwt_service_passes_its_tests_locally_and_by_url() {
    let _heavy = common::heavy();
    let dir = scaffold("shop", &["--db", "sqlite", "--tasks", "--auth", "jwt"]);
    cargo_test_passes(&dir, &[]);

    // The release binary, started by `macaron test --local`, with a minted token.
    let stdout = macaron_test_passes(&dir, &["test", "--local"], &[]);
    assert!(stdout.contains("test tokens_are_checked ... ok"), "{stdout}");
    assert!(stdout.contains("test the_background_task_processes_new_items ... ok"), "{stdout}");
    assert!(stdout.contains("cargo build --profile release"), "{stdout}");

    // Any running instance, by URL: the same tests, a token minted with --gen-token.
    let binary = scaffold_target().join("release/shop");
    let (service, url) = run_binary(&dir, &binary);
    macaron_test_passes(&dir, &["test", "--url", &url, "--gen-token"], &[]);
    // A filter runs some tests only.
    let filtered = macaron_test_passes(&dir, &["test", "--url", &url, "--gen-token", "builtins"], &[]);
    assert!(!filtered.contains("tokens_are_checked"), "{filtered}");
    // Without a token, the tests that need one fail, and so does the run.
    let out = macaron_with(&dir, &["test", "--url", &url], &[]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    assert!(
        stdout.contains("test tokens_are_checked ... FAILED") && stdout.contains("this test needs a token"),
        "{stdout}"
    );
    assert!(stdout.lines().any(|l| l.ends_with(" failed") && !l.ends_with(" 0 failed")), "{stdout}");
    // A token given by the caller goes through the environment (MACARON_TEST_TOKEN).
    let token = macaron(&dir, &["token", "--user", "carol"]);
    assert!(token.status.success(), "{}", show(&token));
    let token = String::from_utf8_lossy(&token.stdout).trim().to_string();
    macaron_test_passes(&dir, &["test", "--url", &url], &[("MACARON_TEST_TOKEN", &token)]);
    macaron_test_passes(&dir, &["test", "--url", &format!("{url}/"), "--token", &token], &[]);
    sigterm(service);

    // Its image: the release binary on the local base image, run as the
    // live environment (its secret from this environment), tested in a container.
    if engine_ready() {
        let binary = binary.to_str().expect("UTF-8");
        let _images = common::Images(vec!["shop:1.0.0".to_string()]);
        let out = macaron(&dir, &["docker", "build", "--prebuilt", binary, "--base", BASE, "--version", "1.0.0"]);
        assert!(out.status.success(), "{}", show(&out));
        let secret = [("SHOP_JWT_SECRET", "live-secret-of-the-image-test-0123456789abcdef")];
        let stdout = macaron_test_passes(&dir, &["test", "--image", "shop:1.0.0", "--env", "live"], &secret);
        assert!(stdout.contains("test the_background_task_processes_new_items ... ok"), "{stdout}");
        let out = macaron_with(&dir, &["test", "--image", "shop:1.0.0", "--env", "live"], &[]);
        assert_refused(&out, 2, "the secret SHOP_JWT_SECRET (env_secrets of the configuration) is not set");
    }
    let _ = std::fs::remove_dir_all(dir.parent().expect("the scratch folder"));
}

#[test]
fn in_memory_service_passes_its_tests() {
    let _heavy = common::heavy();
    // No JWT and no Swagger UI compiled: only `sqlite`, the tasks' queue.
    let dir = scaffold("notes", &["--db", "none", "--auth", "none", "--tasks", "--api-reference", "plain"]);
    cargo_test_passes(&dir, &[]);
    macaron_test_passes(&dir, &["test", "--local", "--profile", "dev"], &[]);
    let _ = std::fs::remove_dir_all(dir.parent().expect("the scratch folder"));
}

#[test]
fn postgres_service_passes_its_tests() {
    let _heavy = common::heavy();
    let Some(postgres) = macaron_dev::backends::postgres() else { return };
    let dir = scaffold("ledger", &["--db", "postgres"]);
    let vars = [("DATABASE_URL", postgres)];
    cargo_test_passes(&dir, &vars);
    macaron_test_passes(&dir, &["test", "--local", "--profile", "dev"], &vars);
    let _ = std::fs::remove_dir_all(dir.parent().expect("the scratch folder"));
}

#[test]
fn bad_targets_are_refused_with_a_reason() {
    let _heavy = common::heavy();
    let dir = scaffold("target-checks", &["--db", "none"]);
    // Nothing listens there.
    let dead = format!("http://127.0.0.1:{}", free_port());
    assert_refused(&macaron(&dir, &["test", "--url", &dead]), 1, "nothing answers at");
    // Not a URL; no target at all; an environment without a url; both --url and --local.
    assert_refused(&macaron(&dir, &["test", "--url", "localhost:8080"]), 2, "is not a URL to test");
    assert_refused(&macaron(&dir, &["test"]), 2, "--url URL, --local, --image IMAGE or --env NAME");
    assert_refused(&macaron(&dir, &["test", "--env", "qa"]), 2, "names no `url`");
    assert_refused(&macaron(&dir, &["test", "--url", &dead, "--local"]), 2, "cannot be used with");
    assert_refused(&macaron(&dir, &["test", "--local", "--grace", "soon"]), 2, "is not a duration");
    assert_refused(&macaron(&dir, &["test", "--bogus"]), 2, "--bogus");
    // The url of an environment is read without its secrets (staging's JWT secret is not set here).
    let out = macaron(&dir, &["test", "--env", "staging"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("https://target-checks.staging.example.com/ping"), "{}", show(&out));
    // No acceptance tests.
    let empty = scratch("no-tests");
    assert_refused(&macaron(&empty, &["test", "--url", &dead]), 2, "no acceptance tests");
    let _ = std::fs::remove_dir_all(dir.parent().expect("the scratch folder"));
    let _ = std::fs::remove_dir_all(&empty);
}

/// The stand-in service, copied to a scratch folder with the workspace's
/// lock file (its one dependency, libc, at the version already fetched).
fn stubborn() -> PathBuf {
    let dir = scratch("stubborn");
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/stubborn");
    for file in ["Cargo.toml", "src/main.rs", "tests/acceptance.rs"] {
        let to = dir.join(file);
        std::fs::create_dir_all(to.parent().expect("a parent")).expect("mkdir");
        std::fs::copy(fixture.join(file), &to).expect("copy the fixture");
    }
    std::fs::copy(repo_root().join("Cargo.lock"), dir.join("Cargo.lock")).expect("copy Cargo.lock");
    dir
}

#[test]
fn misbehaving_services_fail_the_run() {
    let _heavy = common::heavy();
    let dir = stubborn();
    let local = ["test", "--local", "--profile", "dev", "--ready-timeout", "3s", "--grace", "2s"];
    // Well behaved: one test, passed.
    let out = macaron_with(&dir, &local, &[]);
    assert!(out.status.success(), "{}", show(&out));
    assert!(String::from_utf8_lossy(&out.stdout).lines().any(|l| l == "1 passed, 0 failed"), "{}", show(&out));
    // A filter that matches nothing: no test ran, which is a failure.
    let mut filtered = local.to_vec();
    filtered.push("no_such_test");
    let out = macaron_with(&dir, &filtered, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("no test ran"), "{}", show(&out));
    // Never ready: stopped after the deadline, the reason and its log shown.
    let out = macaron_with(&dir, &local, &[("STUBBORN_MODE", "never-ready")]);
    assert_refused(&out, 1, "the service was not ready within 3s (GET /health/ready answered 503");
    // Ignores SIGTERM: killed after the grace period, the run fails.
    let out = macaron_with(&dir, &local, &[("STUBBORN_MODE", "deaf")]);
    assert_refused(&out, 1, "the service did not exit within 2s of SIGTERM: killed");
    // Dies of SIGTERM instead of exiting 0.
    let out = macaron_with(&dir, &local, &[("STUBBORN_MODE", "killed")]);
    assert_refused(&out, 1, "after SIGTERM (expected 0)");
    let _ = std::fs::remove_dir_all(&dir);
}
