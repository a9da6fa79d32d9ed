//! The `container` target: the image run by docker or podman on this host,
//! on the host's network at the environment's `port`, restarted by the
//! engine when it dies (`--restart unless-stopped`), its data in a named
//! volume. Secrets reach it through an env file created 0600 in a private
//! folder and removed once the engine read it. The new container listens
//! beside the old one (`MACARON_REUSE_PORT`); the old ones are stopped and
//! removed only once the new one answers ready.

use std::io::Write;
use std::time::Duration;

use crate::docker::engine::Engine;

/// What starts one version.
pub struct Launch<'a> {
    pub service: &'a str,
    pub env: &'a str,
    pub image: &'a str,
    pub version: &'a str,
    pub port: u16,
    pub url: &'a str,
    pub secrets: &'a [String],
    pub patience: Duration,
    pub grace: Duration,
}

fn label(launch: &Launch<'_>) -> String {
    format!("macaron.deploy={}-{}", launch.service, launch.env)
}

/// Runs the image, waits until its version answers ready, then stops and
/// removes the containers of the environment that ran before.
pub async fn deploy(engine: &Engine, launch: &Launch<'_>, out: &mut dyn Write) -> Result<(), String> {
    if !engine.has_image(launch.image) {
        return Err(format!("no image {} here ({} image inspect)", launch.image, engine.program()));
    }
    let before = containers(engine, launch)?;
    let instance = uuid::Uuid::new_v4().simple().to_string();
    let name = format!("{}-{}-{}", launch.service, launch.env, &instance[..8]);
    let mut vars = Vec::new();
    for secret in launch.secrets {
        let value = std::env::var(secret).map_err(|_| {
            format!("the secret {secret} (env_secrets of the configuration) is not set in this environment")
        })?;
        vars.push((secret.clone(), value));
    }
    vars.push(("MACARON_ENV".into(), launch.env.into()));
    let env_file = crate::acceptance::EnvFile::write(&vars)?;
    let volume = format!("{}-{}-data:/app/data", launch.service, launch.env);
    let port = launch.port.to_string();
    let mut command = engine.command();
    command.args(["run", "--detach", "--name", &name, "--label", &label(launch), "--network", "host"]);
    command.args(["--restart", "unless-stopped", "--volume", &volume]);
    command.args(["--env", &format!("PORT={port}"), "--env", "MACARON_REUSE_PORT=1"]);
    command.args(["--env", &format!("MACARON_INSTANCE={instance}"), "--env-file"]);
    command.arg(env_file.path()).arg(launch.image);
    let output = command.output().map_err(|e| format!("cannot run {}: {e}", engine.program()))?;
    drop(env_file);
    if !output.status.success() {
        return Err(format!(
            "{} run {} failed: {}",
            engine.program(),
            launch.image,
            crate::docker::engine::last_line(&output.stderr)
        ));
    }
    let _ = writeln!(out, "  started {} as {name} on port {port}", launch.image);
    let exited =
        || match engine.output(&["container", "inspect", "--format", "{{.State.Status}} {{.State.ExitCode}}", &name]) {
            Ok(state) if state.starts_with("running") => None,
            Ok(state) => Some(format!("container {name}: {state}")),
            Err(e) => Some(e),
        };
    if let Err(e) = super::probe::ready(launch.url, launch.version, Some(&instance), launch.patience, exited).await {
        let logs = engine.output(&["logs", "--tail", "20", &name]).unwrap_or_default();
        let _ = engine.output(&["rm", "--force", &name]);
        return Err(format!("{e}; its last lines:\n{logs}"));
    }
    let seconds = launch.grace.as_secs().max(1).to_string();
    for old in before {
        let _ = writeln!(out, "  {} is ready: stopping {old}", launch.version);
        engine.output(&["stop", "--time", &seconds, &old]).map_err(|e| format!("cannot stop {old}: {e}"))?;
        engine.output(&["rm", &old]).map_err(|e| format!("cannot remove {old}: {e}"))?;
    }
    Ok(())
}

/// The containers of the environment, running or not.
fn containers(engine: &Engine, launch: &Launch<'_>) -> Result<Vec<String>, String> {
    let filter = format!("label={}", label(launch));
    let names = engine.output(&["ps", "--all", "--filter", &filter, "--format", "{{.Names}}"])?;
    Ok(names.lines().map(str::trim).filter(|n| !n.is_empty()).map(str::to_string).collect())
}
