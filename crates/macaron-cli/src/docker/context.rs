//! The build context: a copy of exactly what the image may contain, made
//! under `.macaron/docker/context/`, so nothing else reaches the engine.
//!
//! A full build copies the files git knows (tracked, or new and not
//! ignored) of the workspace; outside git, every file. Either way, never
//! `target/`, `.git/`, `.macaron/` or an env file (`.env`, `.env.*`, but
//! `.env.example`): secrets stay out of the image. A `--prebuilt` build
//! copies the binary, `apis/` and the configuration files only.

use std::path::{Path, PathBuf};
use std::process::Command;

/// True for a path (relative to the context's root) that never goes in.
pub fn excluded(path: &Path) -> bool {
    let mut components = path.components().peekable();
    while let Some(c) = components.next() {
        let part = c.as_os_str().to_string_lossy();
        let last = components.peek().is_none();
        if matches!(part.as_ref(), "target" | ".git" | ".macaron") && !last {
            return true;
        }
        if last && part.starts_with(".env") && part != ".env.example" {
            return true;
        }
    }
    false
}

/// The files of `root` a full build copies, relative to it.
pub fn files(root: &Path, in_git: bool) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    if in_git {
        let output = Command::new("git")
            .current_dir(root)
            .args(["ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "."])
            .output()
            .map_err(|e| format!("cannot run git: {e}"))?;
        if !output.status.success() {
            return Err(format!("git ls-files: {}", super::engine::last_line(&output.stderr)));
        }
        for name in output.stdout.split(|b| *b == 0).filter(|n| !n.is_empty()) {
            let path = PathBuf::from(String::from_utf8_lossy(name).into_owned());
            if root.join(&path).is_file() {
                files.push(path);
            }
        }
    } else {
        walk(root, Path::new(""), &mut files)?;
    }
    files.retain(|f| !excluded(f));
    files.sort();
    files.dedup();
    Ok(files)
}

fn walk(root: &Path, rel: &Path, files: &mut Vec<PathBuf>) -> Result<(), String> {
    let dir = root.join(rel);
    for entry in std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))? {
        let entry = entry.map_err(|e| format!("{}: {e}", dir.display()))?;
        let path = rel.join(entry.file_name());
        let kind = entry.file_type().map_err(|e| format!("{}: {e}", path.display()))?;
        if kind.is_dir() {
            let name = entry.file_name();
            if !matches!(name.to_str(), Some("target" | ".git" | ".macaron")) {
                walk(root, &path, files)?;
            }
        } else if kind.is_file() {
            files.push(path);
        }
    }
    Ok(())
}

/// Copies `files` (relative to `from`) into `to`, made empty first.
pub fn copy(from: &Path, files: &[PathBuf], to: &Path) -> Result<(), String> {
    if to.exists() {
        std::fs::remove_dir_all(to).map_err(|e| format!("cannot empty {}: {e}", to.display()))?;
    }
    for file in files {
        let target = to.join(file);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        std::fs::copy(from.join(file), &target)
            .map_err(|e| format!("cannot copy {} into the build context: {e}", from.join(file).display()))?;
    }
    Ok(())
}

/// Every file under `dir/sub`, relative to `dir`.
pub fn tree(dir: &Path, sub: &str) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    walk(dir, Path::new(sub), &mut files)?;
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_and_build_output_stay_out() {
        for path in
            ["target/release/x", ".env", "sub/.env.live", ".git/config", ".macaron/last_image.json", "a/target/b"]
        {
            assert!(excluded(Path::new(path)), "{path}");
        }
        for path in [".env.example", "src/main.rs", "apis/target.yaml", "Cargo.lock", "target"] {
            assert!(!excluded(Path::new(path)), "{path}");
        }
    }
}
