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
//!   registry: ghcr.io/acme      # where images are pushed (none: not pushed)
//!   build: image                # image: compiled in the image | host: compiled here, packaged --prebuilt
//!   profile: release            # the cargo profile of host builds
//!   confirm: [live]             # stages that ask before they deploy (or need --yes)
//!   ready_timeout: 120s         # how long a new version may take to be ready
//!   context: prod-cluster       # kubernetes: kubectl --context
//!   region: europe-west1        # cloud-run: --region
//!   project: acme-prod          # cloud-run: --project
//! ```
//!
//! The local and container targets listen on the configuration's `port`
//! (required there) and test at its `url` (default `http://127.0.0.1:PORT`).

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

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Target::Local => "local",
            Target::Container => "container",
            Target::Kubernetes => "kubernetes",
            Target::CloudRun => "cloud-run",
        })
    }
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
    pub registry: Option<String>,
    #[serde(default)]
    pub build: Build,
    #[serde(default = "release")]
    pub profile: String,
    #[serde(default = "live")]
    pub confirm: Vec<String>,
    /// Known here (unknown keys are refused); read as a duration by [`read`]
    /// with the configuration's own parser.
    #[allow(dead_code)]
    pub ready_timeout: Option<serde_json::Value>,
    pub context: Option<String>,
    pub region: Option<String>,
    pub project: Option<String>,
}

/// Where the binary of an image is compiled.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Build {
    /// In the image (the multi-stage Dockerfile).
    #[default]
    Image,
    /// On this host, then packaged (`macaron docker build --prebuilt`).
    Host,
}

fn release() -> String {
    "release".into()
}
fn live() -> Vec<String> {
    vec!["live".into()]
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
    /// `deploy.ready_timeout` (default 120 s).
    pub ready_timeout: std::time::Duration,
    /// `port` of the configuration.
    pub port: Option<u16>,
    /// `url` of the configuration.
    pub url: Option<String>,
    /// Whether the configuration can sign tokens (the tests then get one).
    pub jwt: bool,
    /// The values of `jwt_secret` / `jwt_private_key` as written: the
    /// names of the secrets that sign the tests' tokens.
    pub signing: Vec<String>,
}

impl EnvConfig {
    /// Where the tests of a stage on this host go: `url`, else `http://127.0.0.1:PORT`.
    pub fn local_url(&self, env: &str) -> Result<(u16, String), String> {
        let port = self.port.ok_or_else(|| {
            format!(
                "no port for {env}: the local and container targets listen on `port` (add it to macaron.{env}.yaml)"
            )
        })?;
        Ok((port, self.url.clone().unwrap_or_else(|| format!("http://127.0.0.1:{port}"))))
    }

    /// The names of `env_secrets` that are not set in this environment.
    pub fn missing_secrets(&self) -> Vec<String> {
        self.env_secrets.iter().filter(|n| std::env::var_os(n).is_none()).cloned().collect()
    }
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
    let ready_timeout = config
        .get_duration("deploy.ready_timeout")
        .map_err(|e| e.to_string())?
        .unwrap_or(std::time::Duration::from_secs(120));
    // The key, not its value: secrets need not be set to plan a deploy.
    let key = |name: &str| config.get_opt::<serde_json::Value>(name).ok().flatten().is_some();
    let jwt = key("jwt_secret") || key("jwt_private_key");
    Ok(EnvConfig {
        settings,
        env_secrets: config.env_secrets.clone(),
        shutdown_delay,
        ready_timeout,
        port: config.port,
        url: config.url.clone(),
        jwt,
        signing: ["jwt_secret", "jwt_private_key"]
            .iter()
            .filter_map(|k| config.get_opt::<String>(k).ok().flatten())
            .collect(),
    })
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
