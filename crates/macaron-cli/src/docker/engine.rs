//! The container engine: docker when a daemon answers, else podman. Every
//! command is an argument list (no shell), and no secret is ever one of
//! its arguments: containers get their secrets from an env file.

use std::path::Path;
use std::process::{Command, Stdio};

/// Which engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    /// Docker (a daemon must answer `docker info`).
    Docker,
    /// Podman (no daemon).
    Podman,
}

/// An engine found on this machine.
#[derive(Debug, Clone)]
pub struct Engine {
    pub kind: Kind,
}

fn answers(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

impl Engine {
    /// `forced`, checked; else docker when its daemon answers, else podman.
    pub fn detect(forced: Option<Kind>) -> Result<Engine, String> {
        let docker = || answers("docker", &["info", "--format", "{{.ServerVersion}}"]);
        let podman = || answers("podman", &["--version"]);
        match forced {
            Some(Kind::Docker) if docker() => Ok(Engine { kind: Kind::Docker }),
            Some(Kind::Docker) => Err("--engine docker: no Docker daemon answers `docker info`".into()),
            Some(Kind::Podman) if podman() => Ok(Engine { kind: Kind::Podman }),
            Some(Kind::Podman) => Err("--engine podman: podman is not installed".into()),
            None if docker() => Ok(Engine { kind: Kind::Docker }),
            None if podman() => Ok(Engine { kind: Kind::Podman }),
            None => Err("no container engine: no Docker daemon answers `docker info` and podman is not installed \
                 (install one; docs/docker.md says how on a machine without a daemon)"
                .into()),
        }
    }

    /// `docker` or `podman`.
    pub fn program(&self) -> &'static str {
        match self.kind {
            Kind::Docker => "docker",
            Kind::Podman => "podman",
        }
    }

    /// A command of this engine.
    pub fn command(&self) -> Command {
        let mut command = Command::new(self.program());
        command.stdin(Stdio::null());
        command
    }

    /// Runs a command to its end; its stdout on success, else an error
    /// with its stderr's last line.
    pub fn output(&self, args: &[&str]) -> Result<String, String> {
        let output = self.command().args(args).output().map_err(|e| format!("cannot run {}: {e}", self.program()))?;
        if output.status.success() {
            Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
        } else {
            Err(last_line(&output.stderr))
        }
    }

    /// Whether the engine has this image here.
    pub fn has_image(&self, image: &str) -> bool {
        self.output(&["image", "inspect", "--format", "{{.Id}}", image]).is_ok()
    }

    /// Makes sure `image` is here: pulls it when it is not.
    pub fn ensure_image(&self, image: &str, what: &str) -> Result<(), String> {
        if self.has_image(image) {
            return Ok(());
        }
        let output = self
            .command()
            .args(["pull", image])
            .stdout(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run {}: {e}", self.program()))?;
        if output.status.success() {
            Ok(())
        } else {
            Err(format!(
                "the {what} image {image} is not here and cannot be pulled ({}); give another with --{what}",
                last_line(&output.stderr)
            ))
        }
    }

    /// Builds `dockerfile` in `context` with these tags and build
    /// arguments (none secret), its output shown on stderr.
    pub fn build(
        &self,
        dockerfile: &Path,
        context: &Path,
        tags: &[String],
        args: &[(String, String)],
    ) -> Result<(), String> {
        let mut command = self.command();
        command.arg("build");
        if self.kind == Kind::Podman {
            // The docker image format keeps HEALTHCHECK (OCI has no such field).
            command.args(["--format", "docker"]);
        }
        command.arg("--file").arg(dockerfile);
        for tag in tags {
            command.args(["--tag", tag]);
        }
        for (name, value) in args {
            command.args(["--build-arg", &format!("{name}={value}")]);
        }
        command.arg(context).stdout(Stdio::inherit()).stderr(Stdio::inherit());
        let status = command.status().map_err(|e| format!("cannot run {}: {e}", self.program()))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("{} build failed ({status}); its output is above", self.program()))
        }
    }
}

/// The last non-empty line of a command's stderr.
pub fn last_line(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    text.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("no message").trim().to_string()
}
