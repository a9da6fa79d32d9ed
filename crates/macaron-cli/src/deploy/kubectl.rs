//! Applying a stage to Kubernetes with `kubectl`: `apply`, `rollout status`
//! with a timeout for every Deployment of the stage, and `rollout undo`
//! to return to the version before. Every command is an argument list,
//! echoed before it runs; none holds a secret (the manifests reference a
//! Secret, they never hold a value).

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

/// The cluster side of one stage.
pub struct Cluster<'a> {
    /// `--context` (default: kubectl's current context).
    pub context: Option<&'a str>,
    pub namespace: &'a str,
    /// The Deployments of the stage (`NAME`, and `NAME-worker` with tasks).
    pub deployments: Vec<String>,
}

impl Cluster<'_> {
    fn run(&self, args: &[&str], out: &mut dyn Write) -> Result<(), String> {
        let mut command = Command::new("kubectl");
        if let Some(context) = self.context {
            command.args(["--context", context]);
        }
        command.args(args).stdin(Stdio::null());
        let shown: Vec<String> = command.get_args().map(|a| a.to_string_lossy().into_owned()).collect();
        let _ = writeln!(out, "  $ kubectl {}", shown.join(" "));
        let output = command.output().map_err(|e| format!("cannot run kubectl: {e} (is it installed?)"))?;
        let _ = out.write_all(&output.stdout);
        if output.status.success() {
            Ok(())
        } else {
            Err(format!("kubectl {} failed: {}", args[0], crate::docker::engine::last_line(&output.stderr)))
        }
    }

    /// `kubectl apply --filename FILE`.
    pub fn apply(&self, file: &Path, out: &mut dyn Write) -> Result<(), String> {
        self.run(&["apply", "--filename", &file.to_string_lossy()], out)
    }

    /// `kubectl rollout status` of every Deployment, each within `timeout`.
    pub fn rollout_status(&self, timeout: Duration, out: &mut dyn Write) -> Result<(), String> {
        let timeout = format!("{}s", timeout.as_secs().max(1));
        for deployment in &self.deployments {
            let target = format!("deployment/{deployment}");
            self.run(&["rollout", "status", &target, "--namespace", self.namespace, "--timeout", &timeout], out)?;
        }
        Ok(())
    }

    /// `kubectl rollout undo` of every Deployment: the revision before.
    pub fn undo(&self, out: &mut dyn Write) -> Result<(), String> {
        for deployment in &self.deployments {
            let target = format!("deployment/{deployment}");
            self.run(&["rollout", "undo", &target, "--namespace", self.namespace], out)?;
        }
        Ok(())
    }
}
