//! The image's version and provenance from git: PyMacaron's
//! `YYMMDD-HHMM-<commit count>-<sha6>`, the full revision, the source URL
//! (credentials removed), and whether the tree is clean.
//!
//! The date is the commit's (in UTC), not the clock's: the same commit
//! always gets the same version, so a pipeline can tell an image built for
//! it already exists.

use std::path::Path;
use std::process::Command;

/// What git says about the folder an image is built from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitState {
    /// `git rev-parse HEAD`.
    pub revision: String,
    /// `git rev-list --count HEAD`.
    pub count: u64,
    /// The commit's date, `YYMMDD-HHMM` in UTC.
    pub date: String,
    /// Files changed or not committed under the folder (`git status --porcelain`).
    pub changes: Vec<String>,
    /// `remote.origin.url`, without credentials, as an https URL when it can be.
    pub source: Option<String>,
}

impl GitState {
    /// `YYMMDD-HHMM-COUNT-SHA6`.
    pub fn version(&self) -> String {
        format!("{}-{}-{}", self.date, self.count, &self.revision[..6.min(self.revision.len())])
    }
}

fn git(dir: &Path, args: &[&str]) -> Result<String, String> {
    let output = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("TZ", "UTC")
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !output.status.success() {
        let why = String::from_utf8_lossy(&output.stderr);
        return Err(format!("git {}: {}", args.join(" "), why.trim()));
    }
    Ok(String::from_utf8_lossy(&output.stdout).trim_end().to_string())
}

/// Reads the state of the repository holding `dir` (`None` outside a
/// repository or before its first commit); changes are looked for under `dir`
/// only, `.macaron/` (this tool's own files) aside.
pub fn state(dir: &Path) -> Result<Option<GitState>, String> {
    if git(dir, &["rev-parse", "--is-inside-work-tree"]).is_err() {
        return Ok(None);
    }
    let Ok(revision) = git(dir, &["rev-parse", "HEAD"]) else { return Ok(None) };
    let count = git(dir, &["rev-list", "--count", "HEAD"])?
        .parse()
        .map_err(|e| format!("git rev-list --count: not a number: {e}"))?;
    let date = git(dir, &["log", "-1", "--format=%cd", "--date=format-local:%y%m%d-%H%M"])?;
    let status =
        git(dir, &["status", "--porcelain", "--untracked-files=all", "--", ".", ":(exclude,glob)**/.macaron/**"])?;
    let changes = status.lines().map(|l| l.get(3..).unwrap_or(l).to_string()).collect();
    let source = git(dir, &["config", "--get", "remote.origin.url"]).ok().and_then(|url| public_url(&url));
    Ok(Some(GitState { revision, count, date, changes, source }))
}

/// A remote's URL as it may be shown: no user, no password or token;
/// `git@host:org/repo.git` becomes `https://host/org/repo`.
pub fn public_url(url: &str) -> Option<String> {
    let url = url.trim();
    if url.is_empty() {
        return None;
    }
    if let Some((scheme, rest)) = url.split_once("://") {
        let rest = match rest.split_once('/') {
            Some((authority, path)) => {
                let host = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
                format!("{host}/{path}")
            }
            None => rest.rsplit_once('@').map_or(rest, |(_, host)| host).to_string(),
        };
        let scheme = if scheme == "ssh" || scheme == "git" { "https" } else { scheme };
        if scheme == "file" {
            return None;
        }
        let host_path = rest.trim_end_matches(".git");
        return Some(format!("{scheme}://{host_path}"));
    }
    // scp-like: user@host:path
    let (user_host, path) = url.split_once(':')?;
    let host = user_host.rsplit_once('@').map_or(user_host, |(_, host)| host);
    if host.is_empty() || path.starts_with('/') && !user_host.contains('@') {
        return None; // a local path
    }
    Some(format!("https://{host}/{}", path.trim_start_matches('/').trim_end_matches(".git")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_have_pymacarons_form() {
        let state = GitState {
            revision: "b3548e0123456789".into(),
            count: 953,
            date: "200415-0819".into(),
            changes: Vec::new(),
            source: None,
        };
        assert_eq!(state.version(), "200415-0819-953-b3548e");
    }

    #[test]
    fn source_urls_lose_their_credentials() {
        assert_eq!(
            public_url("https://bob:ghp_secret@github.com/acme/orders.git").as_deref(),
            Some("https://github.com/acme/orders")
        );
        assert_eq!(public_url("git@github.com:acme/orders.git").as_deref(), Some("https://github.com/acme/orders"));
        assert_eq!(
            public_url("ssh://git@gitlab.com/acme/orders.git").as_deref(),
            Some("https://gitlab.com/acme/orders")
        );
        assert_eq!(public_url("https://github.com/acme/orders").as_deref(), Some("https://github.com/acme/orders"));
        assert_eq!(public_url("file:///srv/git/orders"), None);
        assert_eq!(public_url(""), None);
    }
}
