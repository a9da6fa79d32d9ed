//! `--local`: the service's binary (release by default), run on a free 127.0.0.1 port
//! for the length of the tests.
//!
//! The binary is found from cargo's own build messages (no guessing of the
//! target folder); the service runs in its folder with the configuration
//! of `--env` and the caller's environment (its secrets), its output in
//! `.macaron/test/service.log`. Readiness is polled with a deadline, never
//! slept on; the process is always stopped, with SIGTERM, and must exit 0
//! within the grace period.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

use super::target::{wait_ready, NotReady};
use super::Failure;

/// How many lines of the service's log a failure shows.
const LOG_TAIL: usize = 30;

/// A service this command started. Dropping it kills the process (a
/// failure path); [`Running::stop`] is the normal end.
pub struct Running {
    child: Option<Child>,
    port: u16,
    log: PathBuf,
}

impl Running {
    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// SIGTERM, then waits up to `grace` for exit status 0.
    pub async fn stop(mut self, grace: Duration) -> Result<(), Failure> {
        let Some(mut child) = self.child.take() else { return Ok(()) };
        let pid = Pid::from_raw(i32::try_from(child.id()).map_err(|e| Failure::Run(e.to_string()))?);
        if let Err(e) = kill(pid, Signal::SIGTERM) {
            return Err(Failure::Run(format!("cannot send SIGTERM to the service (pid {pid}): {e}")));
        }
        let deadline = Instant::now() + grace;
        loop {
            match child.try_wait() {
                Ok(Some(status)) if status.success() => return Ok(()),
                Ok(Some(status)) => {
                    return Err(Failure::Run(format!(
                        "the service exited with {status} after SIGTERM (expected 0){}",
                        tail(&self.log)
                    )))
                }
                Ok(None) if Instant::now() >= deadline => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(Failure::Run(format!(
                        "the service did not exit within {} of SIGTERM: killed{}",
                        humantime::format_duration(grace),
                        tail(&self.log)
                    )));
                }
                Ok(None) => tokio::time::sleep(Duration::from_millis(50)).await,
                Err(e) => return Err(Failure::Run(format!("cannot wait for the service: {e}"))),
            }
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Whether the configuration of `env` in `dir` can sign tokens (then
/// `--local` mints the tests' token itself).
pub fn has_jwt(dir: &Path, env: Option<String>) -> bool {
    let config = macaron_config::Loader::new().path(dir.join("macaron.yaml")).path_optional(true).env(env).load();
    config.is_ok_and(|c| c.jwt.secret.is_some() || c.jwt.private_key.is_some())
}

/// Builds the release binary, starts it, and waits until it answers.
pub async fn start(
    dir: &Path,
    profile: &str,
    env: Option<&str>,
    patience: Duration,
    out: &mut impl Write,
) -> Result<Running, Failure> {
    let _ = writeln!(out, "macaron test: building the service (cargo build --profile {profile})");
    let binary = build(dir, profile)?;
    let port = free_port()?;
    let logs = dir.join(".macaron/test");
    std::fs::create_dir_all(&logs).map_err(|e| Failure::Run(format!("cannot create {}: {e}", logs.display())))?;
    let log = logs.join("service.log");
    let file =
        std::fs::File::create(&log).map_err(|e| Failure::Run(format!("cannot create {}: {e}", log.display())))?;
    let err = file.try_clone().map_err(|e| Failure::Run(e.to_string()))?;
    let mut command = Command::new(&binary);
    command.current_dir(dir).args(["--port", &port.to_string(), "--host", "127.0.0.1"]);
    if let Some(env) = env {
        command.args(["--env", env]);
    }
    command.env_remove("PORT").stdin(Stdio::null()).stdout(file).stderr(err);
    let child = command.spawn().map_err(|e| Failure::Run(format!("cannot start {}: {e}", binary.display())))?;
    let _ = writeln!(
        out,
        "macaron test: started {} on 127.0.0.1:{port} (pid {}, log {})",
        binary.display(),
        child.id(),
        log.display()
    );
    let mut running = Running { child: Some(child), port, log };
    ready(&mut running, patience).await?;
    Ok(running)
}

/// Waits for `/health/ready`; the process's exit or the deadline is a failure showing its log.
async fn ready(running: &mut Running, patience: Duration) -> Result<(), Failure> {
    let url = running.url();
    let child = &mut running.child;
    let waited = wait_ready(&url, patience, || match child.as_mut().map(|c| c.try_wait()) {
        Some(Ok(Some(status))) => Some(status.to_string()),
        _ => None,
    })
    .await;
    match waited {
        Ok(()) => Ok(()),
        Err(NotReady::Exited(status)) => {
            running.child = None;
            Err(Failure::Run(format!("the service exited with {status} before it was ready{}", tail(&running.log))))
        }
        Err(NotReady::Late(last)) => Err(Failure::Run(format!(
            "the service was not ready within {} ({last}): stopped{}",
            humantime::format_duration(patience),
            tail(&running.log)
        ))),
    }
}

/// `cargo build --profile PROFILE`, and the executable of the package in
/// `dir` from cargo's JSON messages.
pub(crate) fn build(dir: &Path, profile: &str) -> Result<PathBuf, Failure> {
    let manifest = dir.join("Cargo.toml");
    let manifest = std::fs::canonicalize(&manifest).map_err(|e| {
        Failure::Usage(format!("{}: {e} (run in a service's folder, or give --dir)", manifest.display()))
    })?;
    let mut child = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args(["build", "--profile", profile, "--bins", "--message-format=json-render-diagnostics", "--manifest-path"])
        .arg(&manifest)
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| Failure::Run(format!("cannot run cargo: {e}")))?;
    let mut binaries = Vec::new();
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let Ok(message) = serde_json::from_str::<serde_json::Value>(&line) else { continue };
            let ours = message["manifest_path"].as_str().is_some_and(|p| Path::new(p) == manifest);
            let is_bin = message["target"]["kind"].as_array().is_some_and(|k| k.iter().any(|k| k == "bin"));
            if let (true, true, Some(exe)) = (ours, is_bin, message["executable"].as_str()) {
                binaries.push((message["target"]["name"].as_str().unwrap_or_default().to_string(), PathBuf::from(exe)));
            }
        }
    }
    let status = child.wait().map_err(|e| Failure::Run(format!("cargo build: {e}")))?;
    if !status.success() {
        return Err(Failure::Run(format!("cargo build --profile {profile} failed ({status})")));
    }
    match binaries.len() {
        0 => Err(Failure::Usage(format!("{} builds no binary", manifest.display()))),
        1 => Ok(binaries.remove(0).1),
        _ => {
            let names: Vec<&str> = binaries.iter().map(|(n, _)| n.as_str()).collect();
            Err(Failure::Usage(format!(
                "{} builds several binaries ({}): keep one",
                manifest.display(),
                names.join(", ")
            )))
        }
    }
}

pub(super) fn free_port() -> Result<u16, Failure> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| Failure::Run(format!("no free port on 127.0.0.1: {e}")))
}

/// The last lines of the service's log, to show with a failure.
fn tail(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    if lines.is_empty() {
        return format!(" (its log {} is empty)", log.display());
    }
    let start = lines.len().saturating_sub(LOG_TAIL);
    format!("; the last lines of {}:\n{}", log.display(), lines[start..].join("\n"))
}
