//! `macaron new NAME`: a new service from the templates, ready to build,
//! run and test with no edit.
//!
//! Everything is checked and rendered before the first file is written, so
//! a bad name, a bad option or a non-empty folder leaves nothing behind; a
//! write that fails halfway removes what this run wrote.

mod name;
mod render;

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use minijinja::Value;
use serde::Serialize;

/// Arguments of `macaron new`.
#[derive(Args, Debug)]
pub struct NewArgs {
    /// The service's name: its package, binary and spec (`apis/NAME.yaml`).
    name: String,
    /// The folder to write the service into (default: ./NAME); created if
    /// missing, refused unless empty.
    #[arg(long)]
    path: Option<PathBuf>,
    /// Where the service keeps its items.
    #[arg(long, value_enum, default_value_t = DbChoice::Sqlite)]
    db: DbChoice,
    /// Add a background task (`#[macaron::task]`).
    #[arg(long)]
    tasks: bool,
    /// Protect the create operation with a JWT bearer token.
    #[arg(long, value_enum, default_value_t = AuthChoice::Jwt)]
    auth: AuthChoice,
    /// The API reference page at `/doc`: Swagger UI served by the service
    /// (macaron's feature `swagger-ui`), or a plain page linking to the
    /// spec (no Swagger UI files, and none of the compression codecs its
    /// actix-web integration brings, compiled).
    #[arg(long, value_enum, default_value_t = ReferenceChoice::SwaggerUi)]
    api_reference: ReferenceChoice,
    /// Check requests and replies with the `jsonschema` crate (macaron's
    /// feature `json-schema`: every keyword of JSON Schema 2020-12, a
    /// minute more of every cold build) instead of Macaron's own validator
    /// (the keywords OpenAPI documents use; a schema it cannot check stops
    /// the start and names the feature).
    #[arg(long)]
    json_schema: bool,
    /// Depend on a local checkout of Macaron (its root folder) instead of
    /// the registry; its Cargo.lock is copied, so the service builds with
    /// the versions Macaron is tested with.
    #[arg(long, value_name = "DIR", conflicts_with = "macaron_git")]
    macaron_path: Option<PathBuf>,
    /// Depend on Macaron from a git repository instead of the registry.
    #[arg(long, value_name = "URL")]
    macaron_git: Option<String>,
}

/// `--db`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DbChoice {
    /// The embedded SQLite file `NAME.db` (nothing to install).
    Sqlite,
    /// PostgreSQL (`database_url`; `DATABASE_URL` wins).
    Postgres,
    /// No database: items in memory.
    None,
}

/// `--auth`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum AuthChoice {
    /// Bearer JWT on the create operation.
    Jwt,
    /// Every operation open.
    None,
}

/// `--api-reference`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReferenceChoice {
    /// Swagger UI, served by the service itself.
    SwaggerUi,
    /// A plain page linking to the spec.
    Plain,
}

/// How the service depends on Macaron.
enum Source {
    Registry(String),
    Path(PathBuf),
    Git(String),
}

impl Source {
    /// The TOML inline tables of the `macaron` and `macaron-build`
    /// dependencies, and of `macaron` with the test kit: `macaron` without
    /// its default features, with `features` (so the service compiles only
    /// what it uses).
    fn dependencies(&self, features: &[&str]) -> [(String, String); 3] {
        let table = |fields: String| format!("{{ {fields} }}");
        let (macaron, build) = match self {
            Source::Registry(version) => {
                (format!("version = {}", toml_str(version)), format!("version = {}", toml_str(version)))
            }
            Source::Path(root) => (
                format!("path = {}", toml_str(&root.join("crates/macaron").display().to_string())),
                format!("path = {}", toml_str(&root.join("crates/macaron-build").display().to_string())),
            ),
            Source::Git(url) => (format!("git = {}", toml_str(url)), format!("git = {}", toml_str(url))),
        };
        let list = |features: &[&str]| features.iter().map(|f| toml_str(f)).collect::<Vec<_>>().join(", ");
        let with_test: Vec<&str> = features.iter().copied().chain(["test"]).collect();
        [
            ("macaron".into(), table(format!("{macaron}, default-features = false, features = [{}]", list(features)))),
            ("macaron_build".into(), table(build)),
            (
                "macaron_test".into(),
                table(format!("{macaron}, default-features = false, features = [{}]", list(&with_test))),
            ),
        ]
    }
}

/// A TOML basic string (JSON's string escapes are all valid TOML).
fn toml_str(text: &str) -> String {
    serde_json::Value::from(text).to_string()
}

/// Checks everything, renders, writes; prints what it wrote and the next
/// commands. Bad input: a one-line reason on stderr and exit code 2.
pub fn run(args: NewArgs, out: &mut impl Write) -> io::Result<ExitCode> {
    match scaffold(&args) {
        Ok((dir, files)) => {
            writeln!(out, "created {} ({} files):", dir.display(), files.len())?;
            for file in &files {
                writeln!(out, "  {}", file.display())?;
            }
            writeln!(
                out,
                "next:\n  cd {}\n  cargo run -- --port 8080\n  cargo test\n  macaron test --local",
                dir.display()
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("macaron new: {e}");
            Ok(ExitCode::from(2))
        }
    }
}

fn scaffold(args: &NewArgs) -> Result<(PathBuf, Vec<PathBuf>), String> {
    name::check(&args.name)?;
    let dir = args.path.clone().unwrap_or_else(|| PathBuf::from(&args.name));
    refuse_non_empty(&dir)?;
    let source = source(args)?;
    let context = context(args, &source);
    let files = render::render(&context)?;
    let lock = match &source {
        Source::Path(root) => std::fs::read(root.join("Cargo.lock")).ok(),
        _ => None,
    };
    let created_dir = !dir.exists();
    let mut written = Vec::new();
    let result = (|| {
        std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        for file in &files {
            write(&dir, &file.path, file.text.as_bytes(), &mut written)?;
        }
        if let Some(lock) = &lock {
            write(&dir, Path::new("Cargo.lock"), lock, &mut written)?;
        }
        Ok::<(), String>(())
    })();
    if let Err(e) = result {
        undo(&dir, created_dir, &written);
        return Err(format!("{e} (nothing left behind)"));
    }
    Ok((dir, written))
}

/// The folder must be absent or empty: `macaron new` never overwrites.
fn refuse_non_empty(dir: &Path) -> Result<(), String> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => match entries.next() {
            None => Ok(()),
            Some(_) => Err(format!("{} is not empty: choose another --path (nothing was written)", dir.display())),
        },
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotADirectory => {
            Err(format!("{} is a file, not a folder (nothing was written)", dir.display()))
        }
        Err(e) => Err(format!("cannot read {}: {e}", dir.display())),
    }
}

fn source(args: &NewArgs) -> Result<Source, String> {
    if let Some(root) = &args.macaron_path {
        let root = std::fs::canonicalize(root).map_err(|e| format!("--macaron-path {}: {e}", root.display()))?;
        for krate in ["crates/macaron/Cargo.toml", "crates/macaron-build/Cargo.toml"] {
            if !root.join(krate).is_file() {
                return Err(format!(
                    "--macaron-path {}: no {krate} there (give the root of a Macaron checkout)",
                    root.display()
                ));
            }
        }
        return Ok(Source::Path(root));
    }
    if let Some(url) = &args.macaron_git {
        if url.trim().is_empty() || url.chars().any(char::is_whitespace) {
            return Err(format!("--macaron-git '{url}' is not a repository URL"));
        }
        return Ok(Source::Git(url.clone()));
    }
    Ok(Source::Registry(env!("CARGO_PKG_VERSION").to_string()))
}

/// The templates' variables.
fn context(args: &NewArgs, source: &Source) -> Value {
    let auth = args.auth == AuthChoice::Jwt;
    let prefix = name::env_prefix(&args.name);
    let mut secrets = Vec::new();
    if auth {
        secrets.push(format!("{prefix}_JWT_SECRET"));
    }
    if args.db == DbChoice::Postgres {
        secrets.push("DATABASE_URL".to_string());
    }
    let dep: std::collections::BTreeMap<String, String> = source.dependencies(&features(args)).into_iter().collect();
    Value::from(minijinja::value::Serde(serde_json::json!({
        "name": args.name,
        "crate": name::crate_ident(&args.name),
        "api_module": macaron_build::field_name(&args.name),
        "env_prefix": prefix,
        "db": args.db,
        "tasks": args.tasks,
        "auth": auth,
        "secrets": secrets,
        "dep": dep,
        "dev_jwt_secret": dev_secret(),
    })))
}

/// The features of `macaron` the service's options need: its database
/// (tasks without one keep their queue in the embedded SQLite file), JWT
/// when the create operation is protected, Swagger UI unless
/// `--api-reference plain`, and the `jsonschema` crate with `--json-schema`.
///
/// `macaron new NAME --db none --auth none --api-reference plain` compiles
/// none of SQLite, PostgreSQL, Redis, a JWT library, an HTTP client,
/// OpenTelemetry, multipart parsing or Swagger UI (docs/building.md).
fn features(args: &NewArgs) -> Vec<&'static str> {
    let mut features = Vec::new();
    match args.db {
        DbChoice::Sqlite => features.push("sqlite"),
        DbChoice::Postgres => features.push("postgres"),
        DbChoice::None if args.tasks => features.push("sqlite"),
        DbChoice::None => {}
    }
    if args.auth == AuthChoice::Jwt {
        features.push("jwt");
    }
    if args.api_reference == ReferenceChoice::SwaggerUi {
        features.push("swagger-ui");
    }
    if args.json_schema {
        features.push("json-schema");
    }
    features
}

/// A random secret for the dev configuration only (staging and live read
/// theirs from the environment): 256 bits from the OS's generator.
fn dev_secret() -> String {
    format!("dev-only-{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple())
}

fn write(dir: &Path, relative: &Path, bytes: &[u8], written: &mut Vec<PathBuf>) -> Result<(), String> {
    let path = dir.join(relative);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    written.push(relative.to_path_buf());
    file.write_all(bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Removes what this run wrote (and the folder, if it made it).
fn undo(dir: &Path, created_dir: bool, written: &[PathBuf]) {
    if created_dir {
        let _ = std::fs::remove_dir_all(dir);
        return;
    }
    for file in written.iter().rev() {
        let _ = std::fs::remove_file(dir.join(file));
    }
    for sub in ["apis", "src", "tests"] {
        let _ = std::fs::remove_dir(dir.join(sub));
    }
}
