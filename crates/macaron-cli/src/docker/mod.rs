//! `macaron docker`: the service's image, PyMacaron's `pymdocker`.
//!
//! `macaron docker dockerfile` prints the Dockerfile; `macaron docker
//! build` makes the image with docker or podman: a multi-stage build with
//! cargo-chef, or `--prebuilt BINARY` packaged on the base image. The
//! version is `YYMMDD-HHMM-<commit count>-<sha6>` from git (a dirty tree is
//! refused unless `--allow-dirty`); the image is tagged
//! `<docker_repo/>NAME:VERSION` and `:latest`, and the build is recorded in
//! `.macaron/last_image.json`. Nothing secret goes into the context, a
//! build argument or a label.

pub mod context;
mod dockerfile;
pub mod engine;
pub mod git;
mod service;

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};

use engine::{Engine, Kind};
pub use service::Service;

/// `macaron docker ...`
#[derive(Subcommand, Debug)]
pub enum DockerCommand {
    /// Print the Dockerfile `macaron docker build` uses.
    Dockerfile(ImageArgs),
    /// Build the service's image (and push it with --push).
    Build(BuildArgs),
}

/// What both subcommands take.
#[derive(Args, Debug)]
pub struct ImageArgs {
    /// The service's folder (default: the current one).
    #[arg(long, value_name = "DIR", default_value = ".")]
    dir: PathBuf,
    /// The environment the image runs by default (MACARON_ENV in the
    /// image); its configuration overlay is read for docker_base.
    #[arg(long, value_name = "NAME")]
    env: Option<String>,
    /// The version (default: YYMMDD-HHMM-<commit count>-<sha6> from git).
    #[arg(long, value_name = "V")]
    version: Option<String>,
    /// The runtime base image (default: docker_base of the configuration,
    /// else debian:bookworm-slim).
    #[arg(long, value_name = "IMAGE")]
    base: Option<String>,
    /// The image that compiles the service (default: rust:1.95.0-slim-bookworm).
    #[arg(long, value_name = "IMAGE")]
    builder: Option<String>,
    /// Package this binary, built on the host, instead of building in the image.
    #[arg(long, value_name = "BINARY")]
    prebuilt: Option<PathBuf>,
    /// A Dockerfile template of the service's own (minijinja, with the
    /// line `# macaron: Dockerfile.extra`).
    #[arg(long, value_name = "FILE")]
    template: Option<PathBuf>,
}

/// `macaron docker build`.
#[derive(Args, Debug)]
pub struct BuildArgs {
    #[command(flatten)]
    image: ImageArgs,
    /// Another tag (`T` alone tags the image's name); repeatable.
    #[arg(long = "tag", value_name = "T")]
    tags: Vec<String>,
    /// Build even though files under the folder are not committed (the
    /// version then ends in -dirty).
    #[arg(long)]
    allow_dirty: bool,
    /// The engine (default: docker when its daemon answers, else podman).
    #[arg(long, value_enum)]
    engine: Option<Kind>,
    /// Push the image after building it.
    #[arg(long)]
    push: bool,
    /// The registry to push to (`ghcr.io/acme`): the image is tagged
    /// REGISTRY/NAME:VERSION first.
    #[arg(long, value_name = "R", requires = "push")]
    registry: Option<String>,
}

/// Runs a `macaron docker` subcommand: exit 0 on success, 1 when the
/// build failed, 2 for bad input (nothing built).
pub fn run(command: DockerCommand, out: &mut impl Write) -> io::Result<ExitCode> {
    let result = match command {
        DockerCommand::Dockerfile(args) => plan(&args).map(|plan| {
            let _ = out.write_all(plan.dockerfile.as_bytes());
        }),
        DockerCommand::Build(args) => build(&args, out),
    };
    match result {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(Failure::Usage(e)) => {
            eprintln!("macaron docker: {e}");
            Ok(ExitCode::from(2))
        }
        Err(Failure::Build(e)) => {
            eprintln!("macaron docker: {e}");
            Ok(ExitCode::FAILURE)
        }
    }
}

enum Failure {
    Usage(String),
    Build(String),
}

/// `macaron docker build` with these arguments, as on its command line
/// (what `macaron deploy` runs).
pub fn build_for(argv: &[String], out: &mut dyn Write) -> Result<(), String> {
    #[derive(clap::Parser)]
    struct Cli {
        #[command(flatten)]
        args: BuildArgs,
    }
    let cli = <Cli as clap::Parser>::try_parse_from(
        std::iter::once("macaron docker build".to_string()).chain(argv.iter().cloned()),
    )
    .map_err(|e| e.to_string())?;
    let mut out = out;
    build(&cli.args, &mut out).map_err(|(Failure::Usage(e) | Failure::Build(e))| e)
}

/// Everything decided before the engine is asked.
struct Plan {
    service: Service,
    image: String,
    version: String,
    base: String,
    builder: Option<String>,
    dockerfile: String,
    /// Uncommitted files under the build's scope.
    changes: Vec<String>,
    /// Whether the build's scope is in a git repository.
    in_git: bool,
}

/// Decides everything from the folder, git and the options; a dirty
/// tree's version ends in `-dirty` (`build` refuses it without `--allow-dirty`).
fn plan(args: &ImageArgs) -> Result<Plan, Failure> {
    let service = Service::read(&args.dir, args.env.as_deref()).map_err(Failure::Usage)?;
    if let Some(binary) = &args.prebuilt {
        let meta =
            std::fs::metadata(binary).map_err(|e| Failure::Usage(format!("--prebuilt {}: {e}", binary.display())))?;
        if !meta.is_file() {
            return Err(Failure::Usage(format!("--prebuilt {}: not a file", binary.display())));
        }
    }
    // A full build compiles the workspace; a prebuilt one packages the service's folder.
    let scope = if args.prebuilt.is_some() { &service.dir } else { &service.root };
    let state = git::state(scope).map_err(Failure::Usage)?;
    let changes = state.as_ref().map(|s| s.changes.clone()).unwrap_or_default();
    let version = match (&args.version, &state) {
        (Some(v), _) => check_version(v)?,
        (None, Some(state)) if changes.is_empty() => state.version(),
        (None, Some(state)) => format!("{}-dirty", state.version()),
        (None, None) => {
            return Err(Failure::Usage(format!(
                "{} is not in a git repository with a commit: the version comes from git; give --version V",
                scope.display()
            )))
        }
    };
    let template = match &args.template {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| Failure::Usage(format!("--template {}: {e}", path.display())))?;
            Some((path.clone(), text))
        }
        None => None,
    };
    let base = args.base.clone().or_else(|| service.docker_base.clone()).unwrap_or_else(|| dockerfile::BASE.into());
    let builder = args.prebuilt.is_none().then(|| args.builder.clone().unwrap_or_else(|| dockerfile::BUILDER.into()));
    let inputs = dockerfile::Inputs {
        macaron_version: env!("CARGO_PKG_VERSION"),
        chef_version: dockerfile::CHEF_VERSION,
        name: service.name.clone(),
        bin: service.bin.clone(),
        version: version.clone(),
        revision: state.as_ref().map(|s| s.revision.clone()).unwrap_or_default(),
        created: created(),
        source: state.as_ref().and_then(|s| s.source.clone()).or_else(|| service.repository.clone()),
        base: base.clone(),
        builder: builder.clone().unwrap_or_default(),
        prebuilt: args.prebuilt.is_some(),
        env: args.env.clone(),
        dir: if args.prebuilt.is_some() { String::new() } else { service.rel.clone() },
        config_files: service.config_files.clone(),
        locked: if service.locked { " --locked".into() } else { String::new() },
    };
    let extra = dockerfile::read_extra(&service.dir).map_err(Failure::Usage)?;
    let dockerfile =
        dockerfile::render(&inputs, template.as_ref().map(|(p, t)| (p.as_path(), t.as_str())), extra.as_deref())
            .map_err(Failure::Usage)?;
    Ok(Plan { image: service.image(), in_git: state.is_some(), service, version, base, builder, dockerfile, changes })
}

/// A version must be usable as an image tag.
fn check_version(version: &str) -> Result<String, Failure> {
    let ok = !version.is_empty()
        && version.len() <= 128
        && version.bytes().all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b))
        && !version.starts_with(['.', '-']);
    if ok {
        Ok(version.to_string())
    } else {
        Err(Failure::Usage(format!(
            "--version {version}: a version is an image tag: letters, digits, '_', '.', '-' (not first), at most 128"
        )))
    }
}

/// The image's creation time, RFC 3339: `SOURCE_DATE_EPOCH` when set
/// (reproducible builds), else now.
fn created() -> String {
    let time = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .map(|secs| std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs))
        .unwrap_or_else(std::time::SystemTime::now);
    humantime::format_rfc3339_seconds(time).to_string()
}

fn build(args: &BuildArgs, out: &mut impl Write) -> Result<(), Failure> {
    let plan = plan(&args.image)?;
    if !plan.changes.is_empty() && !args.allow_dirty {
        let first: Vec<&str> = plan.changes.iter().take(5).map(String::as_str).collect();
        return Err(Failure::Usage(format!(
            "uncommitted changes ({} files: {}{}): commit them, or build anyway with --allow-dirty",
            plan.changes.len(),
            first.join(", "),
            if plan.changes.len() > first.len() { ", ..." } else { "" }
        )));
    }
    let service = &plan.service;
    if let (None, Some((name, path))) = (&args.image.prebuilt, service.outside.first()) {
        return Err(Failure::Usage(format!(
            "the dependency {name} is at {path}, outside the folder the image is built from ({}): \
             build on the host and package with --prebuilt, or depend on it from a registry or git (macaron new --macaron-git)",
            service.root.display()
        )));
    }
    let engine = Engine::detect(args.engine).map_err(Failure::Usage)?;
    engine.ensure_image(&plan.base, "base").map_err(Failure::Usage)?;
    if let Some(builder) = &plan.builder {
        engine.ensure_image(builder, "builder").map_err(Failure::Usage)?;
    }
    let work = service.dir.join(".macaron/docker");
    let context_dir = work.join("context");
    let files = match &args.image.prebuilt {
        Some(binary) => {
            let mut listed = context::tree(&service.dir, "apis").map_err(Failure::Build)?;
            listed.extend(service.config_files.iter().map(PathBuf::from));
            context::copy(&service.dir, &listed, &context_dir).map_err(Failure::Build)?;
            let target = context_dir.join(&service.bin);
            std::fs::copy(binary, &target)
                .map_err(|e| Failure::Build(format!("cannot copy {} into the build context: {e}", binary.display())))?;
            set_executable(&target).map_err(Failure::Build)?;
            listed.len() + 1
        }
        None => {
            // The plan's git state is the workspace root's for a full build.
            let listed = context::files(&service.root, plan.in_git).map_err(Failure::Build)?;
            context::copy(&service.root, &listed, &context_dir).map_err(Failure::Build)?;
            listed.len()
        }
    };
    // The empty folder the image's user may write (see the template).
    let data = context_dir.join(".macaron-image/data");
    std::fs::create_dir_all(&data).map_err(|e| Failure::Build(format!("cannot create {}: {e}", data.display())))?;
    let dockerfile_path = work.join("Dockerfile");
    std::fs::write(&dockerfile_path, &plan.dockerfile)
        .map_err(|e| Failure::Build(format!("cannot write {}: {e}", dockerfile_path.display())))?;
    let reference = format!("{}:{}", plan.image, plan.version);
    let mut tags = vec![reference.clone(), format!("{}:latest", plan.image)];
    for tag in &args.tags {
        tags.push(if tag.contains(':') || tag.contains('/') { tag.clone() } else { format!("{}:{tag}", plan.image) });
    }
    let how = match &args.image.prebuilt {
        Some(binary) => format!("prebuilt {}", binary.display()),
        None => format!("built in {}", plan.builder.as_deref().unwrap_or_default()),
    };
    let _ = writeln!(
        out,
        "macaron docker: building {reference} with {} on {} ({how}; {files} files in the context)",
        engine.program(),
        plan.base
    );
    let _ = out.flush();
    let build_args: Vec<(String, String)> = if args.image.prebuilt.is_none() {
        vec![("MACARON_BUILD_VERSION".into(), plan.version.clone())]
    } else {
        Vec::new()
    };
    let built = engine.build(&dockerfile_path, &context_dir, &tags, &build_args);
    let _ = std::fs::remove_dir_all(&context_dir);
    built.map_err(Failure::Build)?;
    let digest = engine.output(&["image", "inspect", "--format", "{{.Id}}", &reference]).map_err(Failure::Build)?;
    let digest = if digest.starts_with("sha256:") { digest } else { format!("sha256:{digest}") };
    let mut pushed = Vec::new();
    if args.push {
        for tag in &tags {
            let remote = match &args.registry {
                Some(registry) => {
                    let remote = format!("{}/{tag}", registry.trim_end_matches('/'));
                    engine.output(&["tag", tag, &remote]).map_err(|e| Failure::Build(format!("tag {remote}: {e}")))?;
                    remote
                }
                None => tag.clone(),
            };
            let _ = writeln!(out, "macaron docker: pushing {remote}");
            engine.output(&["push", &remote]).map_err(|e| Failure::Build(format!("push {remote}: {e}")))?;
            pushed.push(remote);
        }
    }
    let record = serde_json::json!({
        "image": reference,
        "version": plan.version,
        "digest": digest,
        "tags": tags,
        "engine": engine.program(),
        "base": plan.base,
        "prebuilt": args.image.prebuilt.is_some(),
        "pushed": pushed,
    });
    let path = service.dir.join(".macaron/last_image.json");
    std::fs::write(&path, format!("{record:#}\n"))
        .map_err(|e| Failure::Build(format!("cannot write {}: {e}", path.display())))?;
    let _ = writeln!(out, "macaron docker: built {reference} ({digest}), recorded in {}", path.display());
    Ok(())
}

fn set_executable(path: &Path) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
        .map_err(|e| format!("cannot make {} executable: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_image_tags() {
        assert!(check_version("1.2.3").is_ok());
        assert!(check_version("200415-0819-953-b3548e").is_ok());
        for bad in ["", "-x", "a b", "a/b", "x:y"] {
            assert!(check_version(bad).is_err(), "{bad}");
        }
    }
}
