//! `--image IMAGE`: the service's image, run in a container for the length
//! of the tests.
//!
//! The container gets the environment's secrets (the names the
//! configuration lists in `env_secrets`, with their values from this
//! process's environment) through an env file created 0600 in a private
//! folder and deleted as soon as the engine has read it: never a command
//! line. It publishes 8080 on a free 127.0.0.1 port; readiness is
//! `/health/ready` polled with a deadline; at the end the container gets
//! SIGTERM (`stop`) and must exit 0 within the grace period.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::target::{wait_ready, NotReady};
use super::Failure;
use crate::docker::engine::{Engine, Kind};

/// How many lines of the container's log a failure shows.
const LOG_TAIL: &str = "30";

/// A container this command started; dropping it removes it (a failure
/// path), [`Container::stop`] is the normal end.
pub struct Container {
    engine: Engine,
    name: String,
    port: u16,
    removed: bool,
}

impl Container {
    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn logs(&self) -> String {
        match self.engine.command().args(["logs", "--tail", LOG_TAIL, &self.name]).output() {
            Ok(output) => {
                let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
                text.push_str(&String::from_utf8_lossy(&output.stderr));
                let text = text.trim();
                if text.is_empty() {
                    " (the container logged nothing)".into()
                } else {
                    format!("; its last lines:\n{text}")
                }
            }
            Err(e) => format!(" (no logs: {e})"),
        }
    }

    fn state(&self) -> Option<(bool, i64)> {
        let text = self
            .engine
            .output(&["container", "inspect", "--format", "{{.State.Running}} {{.State.ExitCode}}", &self.name])
            .ok()?;
        let (running, code) = text.split_once(' ')?;
        Some((running == "true", code.trim().parse().ok()?))
    }

    /// SIGTERM (`stop` with the grace period), then the exit code must be 0.
    pub async fn stop(mut self, grace: Duration) -> Result<(), Failure> {
        let seconds = grace.as_secs().max(1).to_string();
        let started = Instant::now();
        let stopped = self.engine.output(&["stop", "--time", &seconds, &self.name]);
        let took = started.elapsed();
        let state = self.state();
        let logs = self.logs();
        self.remove();
        stopped.map_err(|e| Failure::Run(format!("cannot stop the container: {e}")))?;
        match state {
            Some((_, 0)) => Ok(()),
            Some((_, code)) if took >= grace => Err(Failure::Run(format!(
                "the container did not exit within {} of SIGTERM: killed (exit {code}){logs}",
                humantime::format_duration(grace)
            ))),
            Some((_, code)) => {
                Err(Failure::Run(format!("the container exited with {code} after SIGTERM (expected 0){logs}")))
            }
            None => Err(Failure::Run("cannot read the container's exit code".into())),
        }
    }

    fn remove(&mut self) {
        if !self.removed {
            let _ = self.engine.output(&["rm", "--force", &self.name]);
            self.removed = true;
        }
    }
}

impl Drop for Container {
    fn drop(&mut self) {
        self.remove();
    }
}

/// The env file: created 0600 in a folder of its own, deleted when dropped.
pub struct EnvFile {
    dir: PathBuf,
    path: PathBuf,
}

impl EnvFile {
    /// Writes `NAME=value` lines (none may hold a line break).
    pub fn write(vars: &[(String, String)]) -> Result<EnvFile, String> {
        use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
        let dir = std::env::temp_dir().join(format!("macaron-env-{}", uuid::Uuid::new_v4().simple()));
        std::fs::DirBuilder::new()
            .mode(0o700)
            .create(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let path = dir.join("env");
        let file = EnvFile { dir, path };
        let mut out = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&file.path)
            .map_err(|e| format!("cannot create the env file: {e}"))?;
        for (name, value) in vars {
            if value.contains(['\n', '\r']) {
                return Err(format!("the secret {name} holds a line break: an env file cannot pass it"));
            }
            writeln!(out, "{name}={value}").map_err(|e| format!("cannot write the env file: {e}"))?;
        }
        Ok(file)
    }

    /// Where it is.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for EnvFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
        let _ = std::fs::remove_dir(&self.dir);
    }
}

/// The variables the container gets: each `env_secrets` name of the
/// configuration of `env` with its value from this environment, and
/// `MACARON_ENV`. A secret that is not set, or holds a line break (an env
/// file cannot carry one), is an error naming it (never its value).
fn variables(dir: &Path, env: Option<&str>) -> Result<Vec<(String, String)>, Failure> {
    let config = crate::folder_config::load(dir, env).map_err(|e| Failure::Usage(e.to_string()))?;
    let mut vars = Vec::new();
    for name in &config.env_secrets {
        match std::env::var(name) {
            Ok(value) if value.contains(['\n', '\r']) => {
                return Err(Failure::Usage(format!("the secret {name} holds a line break: an env file cannot pass it")))
            }
            Ok(value) => vars.push((name.clone(), value)),
            Err(_) => {
                return Err(Failure::Usage(format!(
                    "the secret {name} (env_secrets of the configuration) is not set in this environment: the container needs it"
                )))
            }
        }
    }
    if let Some(env) = env {
        vars.push(("MACARON_ENV".into(), env.to_string()));
    }
    Ok(vars)
}

/// Starts `image` and waits until `/health/ready` answers 200.
pub async fn start(
    dir: &Path,
    image: &str,
    engine: Option<Kind>,
    env: Option<&str>,
    patience: Duration,
    out: &mut impl Write,
) -> Result<Container, Failure> {
    let vars = variables(dir, env)?;
    let engine = Engine::detect(engine).map_err(Failure::Usage)?;
    if !engine.has_image(image) {
        return Err(Failure::Usage(format!("no image {image} here ({} image inspect)", engine.program())));
    }
    let port = super::local::free_port()?;
    let name = format!("macaron-test-{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
    let env_file = EnvFile::write(&vars).map_err(Failure::Run)?;
    let publish = format!("127.0.0.1:{port}:8080");
    let mut command = engine.command();
    command.args(["run", "--detach", "--name", &name, "--publish", &publish, "--no-healthcheck", "--env-file"]);
    command.arg(&env_file.path).arg(image);
    let output = command.output().map_err(|e| Failure::Run(format!("cannot run {}: {e}", engine.program())))?;
    drop(env_file);
    let mut container = Container { engine, name, port, removed: false };
    if !output.status.success() {
        container.removed = true;
        let why = crate::docker::engine::last_line(&output.stderr);
        return Err(Failure::Run(format!("{} run {image} failed: {why}", container.engine.program())));
    }
    let _ = writeln!(out, "macaron test: started {image} as {} on 127.0.0.1:{port}", container.name);
    ready(&container, patience).await?;
    Ok(container)
}

async fn ready(container: &Container, patience: Duration) -> Result<(), Failure> {
    let exited = || match container.state() {
        Some((false, code)) => Some(code.to_string()),
        _ => None,
    };
    match wait_ready(&container.url(), patience, exited).await {
        Ok(()) => Ok(()),
        Err(NotReady::Exited(code)) => {
            Err(Failure::Run(format!("the container exited with {code} before it was ready{}", container.logs())))
        }
        Err(NotReady::Late(last)) => Err(Failure::Run(format!(
            "the container was not ready within {} ({last}): stopped{}",
            humantime::format_duration(patience),
            container.logs()
        ))),
    }
}
