//! What `macaron docker` needs to know about the service in a folder: its
//! package and binary (from `cargo metadata`, not by parsing manifests),
//! the folder the image is built from, its configuration files, and the
//! configuration keys of the image (`docker_base`, `docker_repo`).

use std::path::{Path, PathBuf};
use std::process::Command;

/// The service being packaged.
#[derive(Debug, Clone)]
pub struct Service {
    /// The service's folder (canonical).
    pub dir: PathBuf,
    /// The package name.
    pub name: String,
    /// The binary the image runs.
    pub bin: String,
    /// The workspace root: what a full build compiles.
    pub root: PathBuf,
    /// The service's folder relative to `root`, with a trailing `/` (empty
    /// when they are the same).
    pub rel: String,
    /// `macaron.yaml` and its overlays (`macaron.ENV.yaml`), sorted.
    pub config_files: Vec<String>,
    /// The package's `repository`, for the image's source label.
    pub repository: Option<String>,
    /// `docker_base` of the configuration.
    pub docker_base: Option<String>,
    /// `docker_repo` of the configuration: the image is `DOCKER_REPO/NAME`.
    pub docker_repo: Option<String>,
    /// Whether the workspace has a `Cargo.lock` (then builds are `--locked`).
    pub locked: bool,
    /// Path dependencies outside the workspace root: `(name, path)`. A
    /// build inside the image cannot reach them.
    pub outside: Vec<(String, String)>,
}

impl Service {
    /// Reads the service in `dir`; `env` selects the configuration overlay.
    pub fn read(dir: &Path, env: Option<&str>) -> Result<Service, String> {
        let manifest = dir.join("Cargo.toml");
        let manifest = std::fs::canonicalize(&manifest)
            .map_err(|e| format!("{}: {e} (run in a service's folder, or give --dir)", manifest.display()))?;
        let dir = manifest.parent().map(Path::to_path_buf).unwrap_or_default();
        let output = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
            .args(["metadata", "--no-deps", "--format-version", "1", "--manifest-path"])
            .arg(&manifest)
            .output()
            .map_err(|e| format!("cannot run cargo metadata: {e}"))?;
        if !output.status.success() {
            let why = String::from_utf8_lossy(&output.stderr);
            return Err(format!("cargo metadata failed for {}: {}", manifest.display(), why.trim()));
        }
        let meta: serde_json::Value =
            serde_json::from_slice(&output.stdout).map_err(|e| format!("cargo metadata: unreadable output: {e}"))?;
        let package = meta["packages"]
            .as_array()
            .and_then(|p| p.iter().find(|p| p["manifest_path"].as_str().is_some_and(|m| Path::new(m) == manifest)))
            .ok_or_else(|| format!("{}: no package in this manifest (a workspace root?)", manifest.display()))?;
        let name = package["name"].as_str().unwrap_or_default().to_string();
        let bins: Vec<&str> = package["targets"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|t| t["kind"].as_array().is_some_and(|k| k.iter().any(|k| k == "bin")))
            .filter_map(|t| t["name"].as_str())
            .collect();
        let bin = match bins.as_slice() {
            [one] => one.to_string(),
            [] => return Err(format!("{}: the package {name} builds no binary", manifest.display())),
            many => {
                return Err(format!(
                    "{}: the package {name} builds several binaries ({})",
                    manifest.display(),
                    many.join(", ")
                ))
            }
        };
        let root = PathBuf::from(meta["workspace_root"].as_str().unwrap_or_default());
        let outside = package["dependencies"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|d| Some((d["name"].as_str()?.to_string(), d["path"].as_str()?.to_string())))
            .filter(|(_, path)| !std::fs::canonicalize(path).is_ok_and(|p| p.starts_with(&root)))
            .collect();
        let rel = match dir.strip_prefix(&root) {
            Ok(p) if p.as_os_str().is_empty() => String::new(),
            Ok(p) => format!("{}/", p.to_string_lossy()),
            Err(_) => String::new(),
        };
        let mut config_files: Vec<String> = std::fs::read_dir(&dir)
            .map_err(|e| format!("{}: {e}", dir.display()))?
            .filter_map(|e| e.ok())
            .filter(|e| e.path().is_file())
            .filter_map(|e| e.file_name().to_str().map(str::to_string))
            .filter(|f| f.starts_with("macaron.") && f.ends_with(".yaml"))
            .collect();
        config_files.sort();
        if !dir.join("apis").is_dir() {
            return Err(format!("{}: no apis/ folder (the specs the service serves)", dir.display()));
        }
        let config = crate::folder_config::load(&dir, env).map_err(|e| e.to_string())?;
        let key = |k: &str| config.get_opt::<String>(k).map_err(|e| e.to_string());
        Ok(Service {
            locked: root.join("Cargo.lock").is_file(),
            outside,
            repository: package["repository"].as_str().map(str::to_string),
            docker_base: key("docker_base")?,
            docker_repo: key("docker_repo")?,
            dir,
            name,
            bin,
            root,
            rel,
            config_files,
        })
    }

    /// The image's name, without a tag: `docker_repo/NAME`, else `NAME`.
    pub fn image(&self) -> String {
        match &self.docker_repo {
            Some(repo) => format!("{}/{}", repo.trim_end_matches('/'), self.name),
            None => self.name.clone(),
        }
    }
}
