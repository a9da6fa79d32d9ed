//! `macaron deploy`: from a commit to live, PyMacaron's `pymdeploy`.
//!
//! This first part plans and renders: `macaron deploy --dry-run` resolves
//! the stages (`deploy.stages` of the configuration, or `--env`), prints
//! the steps each would run, and writes what it would apply under
//! `.macaron/deploy/<env>/` (for Kubernetes, the manifests built from typed
//! objects). Running the steps is the rest of issue 18.

mod kubernetes;
mod settings;

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use settings::Target;

/// Arguments of `macaron deploy`.
#[derive(Args, Debug)]
pub struct DeployArgs {
    /// One stage only (default: every stage of `deploy.stages`).
    #[arg(long, value_name = "NAME")]
    env: Option<String>,
    /// Where it runs (default: `deploy.target` of the configuration).
    #[arg(long, value_enum)]
    target: Option<Target>,
    /// The version to deploy (default: the last image built, .macaron/last_image.json).
    #[arg(long, value_name = "V")]
    version: Option<String>,
    /// Print the plan and write what would be applied under .macaron/deploy/<env>/; run nothing.
    #[arg(long)]
    dry_run: bool,
    /// The service's folder (default: the current one).
    #[arg(long, value_name = "DIR", default_value = ".")]
    dir: PathBuf,
}

/// Runs `macaron deploy`: 0 done, 2 bad input (nothing deployed).
pub fn run(args: DeployArgs, out: &mut impl Write) -> io::Result<ExitCode> {
    match deploy(&args, out) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e) => {
            eprintln!("macaron deploy: {e}");
            Ok(ExitCode::from(2))
        }
    }
}

fn deploy(args: &DeployArgs, out: &mut impl Write) -> Result<(), String> {
    let service = crate::docker::Service::read(&args.dir, args.env.as_deref())?;
    let base = settings::read(&service.dir, args.env.as_deref().unwrap_or("dev"))?;
    let stages = match &args.env {
        Some(env) => vec![env.clone()],
        None if base.settings.stages.is_empty() => {
            return Err(
                "no stage: list them in the configuration (deploy: {stages: [staging, live]}) or give --env".into()
            )
        }
        None => base.settings.stages.clone(),
    };
    let (image, version) = image(&service, args.version.as_deref())?;
    if !args.dry_run {
        return Err("only --dry-run is available yet: it prints the plan and writes the manifests".into());
    }
    for (n, env) in stages.iter().enumerate() {
        let config = settings::read(&service.dir, env)?;
        let target = args
            .target
            .or(config.settings.target)
            .ok_or_else(|| format!("no target for {env}: set deploy.target in the configuration, or give --target"))?;
        let folder = service.dir.join(".macaron/deploy").join(env);
        std::fs::create_dir_all(&folder).map_err(|e| format!("cannot create {}: {e}", folder.display()))?;
        let _ = writeln!(out, "stage {} of {}: {env} on {target:?}, {image}:{version}", n + 1, stages.len());
        match target {
            Target::Kubernetes => {
                let stage = kubernetes_stage(&service, env, &config, &image, &version);
                let text = kubernetes::render(&stage)?;
                let file = folder.join("kubernetes.yaml");
                std::fs::write(&file, text).map_err(|e| format!("cannot write {}: {e}", file.display()))?;
                let _ = writeln!(out, "  would run: kubectl apply --filename {}", file.display());
                let _ = writeln!(
                    out,
                    "  would run: kubectl rollout status deployment/{} --namespace {} --timeout 300s",
                    stage.name, stage.namespace
                );
            }
            other => return Err(format!("--dry-run for the {other:?} target is not available yet")),
        }
    }
    Ok(())
}

/// The image and version to deploy: `--version`, else the last build's.
fn image(service: &crate::docker::Service, version: Option<&str>) -> Result<(String, String), String> {
    let image = service.image();
    if let Some(version) = version {
        return Ok((image, version.to_string()));
    }
    let path = service.dir.join(".macaron/last_image.json");
    let text = std::fs::read_to_string(&path).map_err(|e| {
        format!("{}: {e}: build an image first (macaron docker build), or give --version", path.display())
    })?;
    let record: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: not JSON: {e}", path.display()))?;
    let version = record["version"].as_str().ok_or_else(|| format!("{}: no version", path.display()))?;
    Ok((image, version.to_string()))
}

fn kubernetes_stage(
    service: &crate::docker::Service,
    env: &str,
    config: &settings::EnvConfig,
    image: &str,
    version: &str,
) -> kubernetes::Stage {
    let s = &config.settings;
    let workers = s.workers.unwrap_or(if settings::has_tasks(&service.dir) { 1 } else { 0 });
    // preStop sleeps while endpoints drop the pod; then the service's own
    // shutdown_delay and its 30 s drain of in-flight requests, and margin.
    let pre_stop = 5;
    let grace = pre_stop + config.shutdown_delay.as_secs() as i64 + 30 + 5;
    kubernetes::Stage {
        name: service.name.clone(),
        env: env.to_string(),
        namespace: s.namespace.clone().unwrap_or_else(|| format!("{}-{env}", service.name)),
        image: format!("{image}:{version}"),
        version: version.to_string(),
        replicas: s.replicas,
        max_replicas: s.max_replicas,
        cpu_target: s.cpu_target,
        cpu: s.cpu.clone(),
        memory: s.memory.clone(),
        memory_limit: s.memory_limit.clone(),
        secrets: config.env_secrets.clone(),
        workers,
        host: s.host.clone(),
        termination_grace: grace,
        pre_stop,
    }
}
