//! The first step: a clean checkout of the commit to deploy, in a folder
//! of its own (removed at the end), so that what is tested, packaged and
//! deployed is exactly the commit, never the working tree. Without
//! `--commit`, the working tree's `HEAD`, and uncommitted changes are
//! refused (they would not be deployed, and nobody should think they are).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::docker::Service;

/// A checkout of one commit.
pub struct Checkout {
    /// The clone's root (removed when dropped).
    root: PathBuf,
    /// The service's folder inside the clone.
    pub dir: PathBuf,
    /// The full commit id.
    pub revision: String,
    /// The version of the commit (`YYMMDD-HHMM-COUNT-SHA6`).
    pub version: String,
}

impl Drop for Checkout {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

fn git(dir: &Path, args: &[&str]) -> Result<String, String> {
    let output =
        Command::new("git").current_dir(dir).args(args).output().map_err(|e| format!("cannot run git: {e}"))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
    } else {
        Err(format!("git {}: {}", args.join(" "), crate::docker::engine::last_line(&output.stderr)))
    }
}

/// The commit `commit` names (default `HEAD`), refusing a dirty tree when
/// no commit is named. Checked before anything runs.
pub fn resolve(service: &Service, commit: Option<&str>) -> Result<String, String> {
    if git(&service.dir, &["rev-parse", "--show-toplevel"]).is_err() {
        return Err(format!("{} is not in a git repository: macaron deploy deploys a commit", service.dir.display()));
    }
    if commit.is_none() {
        let state = crate::docker::git::state(&service.root)?;
        if let Some(state) = state.filter(|s| !s.changes.is_empty()) {
            let first: Vec<&str> = state.changes.iter().take(5).map(String::as_str).collect();
            return Err(format!(
                "uncommitted changes ({} files: {}{}): commit them (a deploy is of a commit), or name one with --commit",
                state.changes.len(),
                first.join(", "),
                if state.changes.len() > first.len() { ", ..." } else { "" }
            ));
        }
    }
    let name = commit.unwrap_or("HEAD");
    git(&service.dir, &["rev-parse", "--verify", "--quiet", &format!("{name}^{{commit}}")])
        .map_err(|_| format!("--commit {name}: no such commit in {}", service.dir.display()))
}

/// Clones the repository of `service` and checks `revision` out.
pub fn checkout(service: &Service, revision: &str) -> Result<Checkout, String> {
    let top = PathBuf::from(git(&service.dir, &["rev-parse", "--show-toplevel"])?);
    let top = top.canonicalize().map_err(|e| format!("{}: {e}", top.display()))?;
    let rel = service.dir.strip_prefix(&top).map_err(|_| "the service is outside its repository".to_string())?;
    let root = std::env::temp_dir().join(format!(
        "macaron-deploy-{}-{}-{}",
        service.name,
        &revision[..12.min(revision.len())],
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&root);
    let parent = std::env::temp_dir();
    let (from, to) = (top.to_string_lossy(), root.to_string_lossy());
    git(&parent, &["clone", "--quiet", "--no-checkout", &from, &to])?;
    let mut checkout = Checkout { dir: root.join(rel), root, revision: revision.to_string(), version: String::new() };
    git(&checkout.root, &["-c", "advice.detachedHead=false", "checkout", "--quiet", revision])?;
    let state = crate::docker::git::state(&checkout.dir)?
        .ok_or_else(|| format!("{}: the checkout is not a git work tree", checkout.dir.display()))?;
    checkout.version = state.version();
    Ok(checkout)
}
