//! The `cloud-run` target: one Cloud Run service per stage (`NAME-ENV`),
//! described as a Knative Service and applied with `gcloud run services
//! replace`. Secrets are Secret Manager references (`secretKeyRef`, the
//! secret named like the variable, its `latest` version), never values.
//!
//! The new revision is tested before it receives traffic: while a revision
//! serves, the description keeps 100% of the traffic on it and gives the
//! new one the tag `candidate` (a URL of its own, no traffic); once the
//! candidate passed its tests, `gcloud run services update-traffic
//! --to-latest` moves the traffic. A candidate that fails never served a
//! request, and `--rollback` moves the traffic back to a named revision.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::{json, Value};

/// What one stage deploys.
pub struct Stage {
    pub service: String,
    pub env: String,
    pub image: String,
    pub version: String,
    pub min_instances: i32,
    pub max_instances: i32,
    pub memory: String,
    pub secrets: Vec<String>,
    /// The revision serving now, if any (it keeps the traffic).
    pub serving: Option<String>,
}

impl Stage {
    /// `NAME-ENV`.
    pub fn name(&self) -> String {
        format!("{}-{}", self.service, self.env)
    }

    /// The revision's name: `NAME-ENV-VERSION`, in the characters a
    /// revision name allows, at most 63.
    pub fn revision(&self) -> String {
        revision_name(&self.name(), &self.version)
    }
}

/// `SERVICE-VERSION` in lower case letters, digits and `-`, at most 63.
pub fn revision_name(service: &str, version: &str) -> String {
    let raw = format!("{service}-{version}").to_ascii_lowercase();
    let clean: String = raw.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    clean.chars().take(63).collect::<String>().trim_end_matches('-').to_string()
}

/// The Knative Service of the stage, as YAML.
pub fn render(stage: &Stage) -> Result<String, String> {
    let mut env = vec![json!({"name": "MACARON_ENV", "value": stage.env})];
    for secret in &stage.secrets {
        env.push(json!({"name": secret, "valueFrom": {"secretKeyRef": {"name": secret, "key": "latest"}}}));
    }
    let traffic = match &stage.serving {
        Some(serving) => json!([
            {"revisionName": serving, "percent": 100},
            {"revisionName": stage.revision(), "percent": 0, "tag": "candidate"},
        ]),
        None => json!([{"latestRevision": true, "percent": 100}]),
    };
    let service = json!({
        "apiVersion": "serving.knative.dev/v1",
        "kind": "Service",
        "metadata": {
            "name": stage.name(),
            "labels": {"app.kubernetes.io/name": stage.service, "macaron-env": stage.env},
        },
        "spec": {
            "template": {
                "metadata": {
                    "name": stage.revision(),
                    "annotations": {
                        "autoscaling.knative.dev/minScale": stage.min_instances.to_string(),
                        "autoscaling.knative.dev/maxScale": stage.max_instances.to_string(),
                        "run.googleapis.com/startup-cpu-boost": "true",
                    },
                },
                "spec": {
                    "containerConcurrency": 80,
                    "timeoutSeconds": 300,
                    "containers": [{
                        "image": stage.image,
                        "ports": [{"name": "http1", "containerPort": 8080}],
                        "env": env,
                        "resources": {"limits": {"cpu": "1", "memory": stage.memory}},
                        "startupProbe": {
                            "httpGet": {"path": "/health/ready", "port": 8080},
                            "periodSeconds": 1,
                            "failureThreshold": 60,
                        },
                        "livenessProbe": {"httpGet": {"path": "/health/live", "port": 8080}, "periodSeconds": 10},
                    }],
                },
            },
            "traffic": traffic,
        },
    });
    let text = serde_yaml::to_string(&service).map_err(|e| format!("cannot write the Cloud Run service: {e}"))?;
    Ok(format!(
        "# Cloud Run service {} ({} {}), written by macaron deploy.\n\
         # Secrets are Secret Manager references, never values.\n{text}",
        stage.name(),
        stage.service,
        stage.version
    ))
}

/// Where `gcloud` works: the region and the project.
pub struct Gcloud<'a> {
    pub region: &'a str,
    pub project: &'a str,
}

impl Gcloud<'_> {
    fn run(&self, args: &[&str], out: &mut dyn Write) -> Result<String, String> {
        let mut command = Command::new("gcloud");
        command.args(args).args(["--region", self.region, "--project", self.project, "--quiet"]);
        command.stdin(Stdio::null());
        let shown: Vec<String> = command.get_args().map(|a| a.to_string_lossy().into_owned()).collect();
        let _ = writeln!(out, "  $ gcloud {}", shown.join(" "));
        let output =
            command.output().map_err(|e| format!("cannot run gcloud: {e} (is the Google Cloud CLI installed?)"))?;
        if output.status.success() {
            Ok(String::from_utf8_lossy(&output.stdout).into_owned())
        } else {
            Err(format!(
                "gcloud {} failed: {}",
                args[..3.min(args.len())].join(" "),
                crate::docker::engine::last_line(&output.stderr)
            ))
        }
    }

    /// The service's description, `None` when it does not exist yet.
    pub fn describe(&self, name: &str, out: &mut dyn Write) -> Result<Option<Value>, String> {
        match self.run(&["run", "services", "describe", name, "--format", "json"], out) {
            Ok(text) => serde_json::from_str(&text).map(Some).map_err(|e| format!("gcloud describe: not JSON: {e}")),
            Err(e) if e.contains("could not be found") || e.contains("NOT_FOUND") => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// `gcloud run services replace FILE`.
    pub fn replace(&self, file: &Path, out: &mut dyn Write) -> Result<(), String> {
        self.run(&["run", "services", "replace", &file.to_string_lossy()], out).map(|_| ())
    }

    /// All traffic to the latest revision.
    pub fn promote(&self, name: &str, out: &mut dyn Write) -> Result<(), String> {
        self.run(&["run", "services", "update-traffic", name, "--to-latest"], out).map(|_| ())
    }

    /// All traffic to `revision`.
    pub fn route_to(&self, name: &str, revision: &str, out: &mut dyn Write) -> Result<(), String> {
        self.run(&["run", "services", "update-traffic", name, "--to-revisions", &format!("{revision}=100")], out)
            .map(|_| ())
    }
}

/// The revision that serves all traffic in a description.
pub fn serving(description: &Value) -> Option<String> {
    let traffic = description["status"]["traffic"].as_array()?;
    traffic
        .iter()
        .find(|t| t["percent"].as_i64() == Some(100))
        .and_then(|t| t["revisionName"].as_str())
        .map(str::to_string)
}

/// The URL the new revision answers at: its `candidate` tag's, or the
/// service's own on a first deploy.
pub fn candidate_url(description: &Value) -> Option<String> {
    let tagged = description["status"]["traffic"]
        .as_array()
        .and_then(|t| t.iter().find(|t| t["tag"] == "candidate"))
        .and_then(|t| t["url"].as_str());
    tagged.or_else(|| description["status"]["url"].as_str()).map(str::to_string)
}

/// Whether the description says `revision` is the latest ready one; else
/// why not (the Ready condition's message).
pub fn ready(description: &Value, revision: &str) -> Result<(), String> {
    let latest = description["status"]["latestReadyRevisionName"].as_str().unwrap_or_default();
    if latest == revision {
        return Ok(());
    }
    let condition = description["status"]["conditions"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["type"] == "Ready"))
        .and_then(|c| c["message"].as_str())
        .unwrap_or("no message");
    Err(format!("revision {revision} is not ready (latest ready: {latest}): {condition}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revision_names_are_what_cloud_run_allows() {
        assert_eq!(revision_name("shop-live", "261204-0931-42-3f9a1c"), "shop-live-261204-0931-42-3f9a1c");
        assert_eq!(revision_name("shop-live", "1.2.3_RC"), "shop-live-1-2-3-rc");
        assert_eq!(revision_name("s", &"x".repeat(80)).len(), 63);
        assert_eq!(revision_name("s", "a-------------------------------------------------------------b"), "s-a");
    }

    #[test]
    fn descriptions_say_what_serves_and_where_the_candidate_answers() {
        let described = json!({"status": {
            "url": "https://shop.run.app",
            "latestReadyRevisionName": "shop-2",
            "conditions": [{"type": "Ready", "status": "False", "message": "container failed to start"}],
            "traffic": [
                {"revisionName": "shop-1", "percent": 100},
                {"revisionName": "shop-2", "percent": 0, "tag": "candidate", "url": "https://candidate---shop.run.app"},
            ],
        }});
        assert_eq!(serving(&described).as_deref(), Some("shop-1"));
        assert_eq!(candidate_url(&described).as_deref(), Some("https://candidate---shop.run.app"));
        assert!(ready(&described, "shop-2").is_ok());
        let why = ready(&described, "shop-3").expect_err("not the latest ready");
        assert!(why.contains("container failed to start"), "{why}");
        assert_eq!(
            candidate_url(&json!({"status": {"url": "https://shop.run.app"}})).as_deref(),
            Some("https://shop.run.app")
        );
    }
}
