//! The `deploy` section of the configuration, per environment: the target,
//! the stages, and what each stage runs with.
//!
//! ```yaml
//! deploy:
//!   target: kubernetes          # local | container | kubernetes | cloud-run
//!   stages: [staging, live]
//!   replicas: 2                 # per environment in macaron.ENV.yaml
//!   max_replicas: 10
//!   cpu: 250m
//!   memory: 256Mi
//!   memory_limit: 512Mi
//!   host: shop.example.com      # an Ingress for this host
//!   namespace: shop-live        # default: NAME-ENV
//!   workers: 1                  # --worker replicas (default: 1 when src/ declares a task)
//! ```

use std::path::Path;

use serde::Deserialize;

/// Where a stage runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Target {
    /// The release binary, supervised on this host.
    Local,
    /// The image, run by docker or podman on this host.
    Container,
    /// A Kubernetes cluster (`kubectl`).
    Kubernetes,
    /// Google Cloud Run (`gcloud`).
    CloudRun,
}

/// The `deploy` keys of one environment's configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub target: Option<Target>,
    #[serde(default)]
    pub stages: Vec<String>,
    #[serde(default = "two")]
    pub replicas: i32,
    #[serde(default = "ten")]
    pub max_replicas: i32,
    #[serde(default = "seventy")]
    pub cpu_target: i32,
    #[serde(default = "cpu")]
    pub cpu: String,
    #[serde(default = "memory")]
    pub memory: String,
    #[serde(default = "memory_limit")]
    pub memory_limit: String,
    pub host: Option<String>,
    pub namespace: Option<String>,
    pub workers: Option<i32>,
}

fn two() -> i32 {
    2
}
fn ten() -> i32 {
    10
}
fn seventy() -> i32 {
    70
}
fn cpu() -> String {
    "250m".into()
}
fn memory() -> String {
    "256Mi".into()
}
fn memory_limit() -> String {
    "512Mi".into()
}

/// What the configuration of `env` in `dir` says (secrets not needed).
pub struct EnvConfig {
    pub settings: Settings,
    pub env_secrets: Vec<String>,
    pub shutdown_delay: std::time::Duration,
}

/// Reads the configuration of `env` in `dir`.
pub fn read(dir: &Path, env: &str) -> Result<EnvConfig, String> {
    let config = crate::folder_config::load(dir, Some(env)).map_err(|e| e.to_string())?;
    let raw = config.get_opt::<serde_json::Value>("deploy").map_err(|e| e.to_string())?;
    let settings: Settings = serde_json::from_value(raw.unwrap_or_else(|| serde_json::json!({})))
        .map_err(|e| format!("deploy (configuration of {env}): {e}"))?;
    for (key, value) in [("replicas", settings.replicas), ("max_replicas", settings.max_replicas)] {
        if value < 1 {
            return Err(format!("deploy.{key} (configuration of {env}): {value}: at least 1"));
        }
    }
    if settings.max_replicas < settings.replicas {
        return Err(format!(
            "deploy.max_replicas (configuration of {env}): {} is below replicas ({})",
            settings.max_replicas, settings.replicas
        ));
    }
    let shutdown_delay = config.get_duration("shutdown_delay").map_err(|e| e.to_string())?.unwrap_or_default();
    Ok(EnvConfig { settings, env_secrets: config.env_secrets.clone(), shutdown_delay })
}

/// Whether the service's sources declare a background task.
pub fn has_tasks(dir: &Path) -> bool {
    fn walk(dir: &Path) -> bool {
        let Ok(entries) = std::fs::read_dir(dir) else { return false };
        entries.filter_map(|e| e.ok()).any(|e| {
            let path = e.path();
            if path.is_dir() {
                walk(&path)
            } else {
                path.extension().is_some_and(|x| x == "rs")
                    && std::fs::read_to_string(&path).is_ok_and(|t| t.contains("#[macaron::task"))
            }
        })
    }
    walk(&dir.join("src"))
}
