//! What the `macaron new` and `macaron test` suites share: the command
//! itself, scratch folders, and the target folder scaffolded services
//! build into (one for all of them, beside the workspace's own).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The root of this checkout (what `--macaron-path` points at).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("the checkout's root")
}

/// A fresh, empty folder under the system's temporary folder (outside the
/// workspace, as a user's service would be).
pub fn scratch(label: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let n = N.fetch_add(1, Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("macaron-cli-{label}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create a scratch folder");
    dir
}

/// `macaron ARGS` run in `dir`.
pub fn macaron(dir: &Path, args: &[&str]) -> Output {
    macaron_with(dir, args, &[])
}

/// `macaron ARGS` run in `dir` with extra environment variables.
pub fn macaron_with(dir: &Path, args: &[&str], vars: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_macaron"));
    command.current_dir(dir).args(args).env("CARGO_TARGET_DIR", scaffold_target());
    for (name, value) in vars {
        command.env(name, value);
    }
    command.output().expect("run macaron")
}

/// `cargo ARGS` run in `dir`, building into [`scaffold_target`].
pub fn cargo(dir: &Path, args: &[&str], vars: &[(&str, &str)]) -> Output {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command.current_dir(dir).args(args).env("CARGO_TARGET_DIR", scaffold_target());
    for (name, value) in vars {
        command.env(name, value);
    }
    command.output().expect("run cargo")
}

/// Where scaffolded services build: `scaffolds/` in the workspace's target
/// folder (found from this test's own executable, `target/debug/deps/..`),
/// shared by every service so their dependencies compile once.
pub fn scaffold_target() -> PathBuf {
    let exe = std::env::current_exe().expect("the test's executable");
    let target = exe.ancestors().nth(3).expect("target/<profile>/deps/<test>");
    target.join("scaffolds")
}

/// Stdout and stderr, for assertion messages.
pub fn show(output: &Output) -> String {
    format!(
        "status {}\n--- stdout\n{}\n--- stderr\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// The command failed with `code`, and its stderr has one line holding `needle`.
pub fn assert_refused(output: &Output, code: i32, needle: &str) {
    assert_eq!(output.status.code(), Some(code), "{}", show(output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.lines().any(|l| l.contains(needle)), "expected '{needle}' in stderr\n{}", show(output));
}

/// The base image `.ci/containers` makes.
pub const BASE: &str = "localhost/macaron-base:bookworm";

/// Whether podman and the base image are here; else skipped (printed)
/// outside CI, and a failure with `CI=true`.
pub fn engine_ready() -> bool {
    let ready = match Command::new("podman").args(["image", "exists", BASE]).status() {
        Ok(status) if status.success() => Ok(()),
        Ok(_) => Err(format!("no image {BASE} (run .ci/containers as root)")),
        Err(e) => Err(format!("podman is not installed ({e}; run .ci/containers as root)")),
    };
    macaron_dev::require("the container engine", ready).is_some()
}

/// The tags a test builds, removed when the test ends, passed or failed:
/// every run tags a new version, and images left behind would fill the disk
/// of a machine that runs the suite again and again. Not forced (a tag that
/// another test's container still uses stays); `NAME:latest` is left to
/// move, and the images it leaves untagged are pruned by `.ci/containers`.
pub struct Images(pub Vec<String>);

impl Drop for Images {
    fn drop(&mut self) {
        for image in &self.0 {
            let _ = Command::new("podman").args(["rmi", image]).output();
        }
    }
}

/// A port free on 127.0.0.1 now (the OS's pick).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("a free port").local_addr().expect("its address").port()
}

/// A turn at the `petstore` images in podman, held for a whole test. The
/// suites share one process: the pipeline's clean-up removes every
/// `petstore:*` image, which would pull the image from under the `docker`
/// suite's tests; so the tests that build, run or remove them take turns.
pub fn petstore_images() -> std::sync::MutexGuard<'static, ()> {
    static TURN: std::sync::Mutex<()> = std::sync::Mutex::new(());
    // A test that failed holding its turn leaves nothing to repair.
    TURN.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The suites that build services and run containers (`scaffold`,
/// `docker`, `pipeline`) take turns, one test at a time, as they did when
/// each was a test binary of its own run after the other: they share the
/// scaffolds' target folder (one suite's build of a service's tests would
/// be taken for another's), the images and the containers' names.
pub fn heavy() -> std::sync::MutexGuard<'static, ()> {
    static TURN: std::sync::Mutex<()> = std::sync::Mutex::new(());
    // A test that failed holding its turn leaves nothing to repair.
    TURN.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
