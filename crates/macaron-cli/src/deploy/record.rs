//! What is deployed where: `.macaron/deploy/<env>/state.json` in the
//! service's folder, the version running now and the one before it (what
//! an automatic rollback returns to).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The deployed versions of one environment.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Record {
    /// The version running now.
    pub version: Option<String>,
    /// The version before it.
    pub previous: Option<String>,
}

fn path(dir: &Path, env: &str) -> PathBuf {
    dir.join(".macaron/deploy").join(env).join("state.json")
}

/// The record of `env` (empty when nothing was deployed from this folder).
pub fn read(dir: &Path, env: &str) -> Result<Record, String> {
    let path = path(dir, env);
    match std::fs::read_to_string(&path) {
        Ok(text) => serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Record::default()),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

/// Records that `version` now runs in `env` (the one before becomes `previous`).
pub fn deployed(dir: &Path, env: &str, version: &str) -> Result<(), String> {
    let before = read(dir, env)?;
    let previous = match before.version {
        Some(v) if v != version => Some(v),
        _ => before.previous,
    };
    let record = Record { version: Some(version.to_string()), previous };
    let path = path(dir, env);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    let text = serde_json::to_string_pretty(&record).map_err(|e| e.to_string())?;
    std::fs::write(&path, text + "\n").map_err(|e| format!("cannot write {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_deploy_keeps_the_version_before() {
        let dir = std::env::temp_dir().join(format!("macaron-record-{}", std::process::id()));
        assert_eq!(read(&dir, "live").ok(), Some(Record::default()));
        for version in ["1", "2", "2", "3"] {
            deployed(&dir, "live", version).expect("recorded");
        }
        let record = read(&dir, "live").expect("read");
        assert_eq!((record.version.as_deref(), record.previous.as_deref()), (Some("3"), Some("2")));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
