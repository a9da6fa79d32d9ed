//! `macaron deploy`: from a commit to live, PyMacaron's `pymdeploy`.
//!
//! One run takes a commit through every stage the configuration lists
//! (`deploy.stages`, or `--env` alone), showing each step as it runs and
//! stopping at the first failure with an exit status and a message that
//! name the step:
//!
//! 1. a clean checkout of the commit (a dirty tree is refused);
//! 2. its unit tests (`cargo test`);
//! 3. the build: the release binary (`local`), the image (`container`,
//!    `kubernetes`, `cloud-run`; reused when one exists for the commit);
//! 4. its acceptance tests, run here against that binary or image;
//! 5. the push of the image to `deploy.registry`;
//!
//! then, stage after stage: the deploy, the readiness of the new version,
//! and the acceptance tests against the stage (`macaron test --env`). A
//! stage whose version fails returns to the version before (unless
//! `--no-rollback`) and the stages after it are never touched.
//! `--rollback VERSION` returns a stage to a version it ran before;
//! `--dry-run` prints the plan and writes what would be applied under
//! `.macaron/deploy/<env>/`.

mod checkout;
mod cloud_run;
mod container;
mod kubectl;
mod kubernetes;
mod local;
mod probe;
mod progress;
mod record;
mod settings;
pub mod supervise;

use std::io::{self, BufRead, BufReader, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Duration;

use clap::Args;

use crate::docker::engine::{Engine, Kind};
use crate::docker::Service;
use progress::{StepFailed, Steps};
use settings::{Build, EnvConfig, Target};

/// Arguments of `macaron deploy`.
#[derive(Args, Debug)]
pub struct DeployArgs {
    /// One stage only (default: every stage of `deploy.stages`).
    #[arg(long, value_name = "NAME")]
    env: Option<String>,
    /// Where it runs (default: `deploy.target` of the configuration).
    #[arg(long, value_enum)]
    target: Option<Target>,
    /// The commit to deploy (default: HEAD, and then the tree must be clean).
    #[arg(long, value_name = "SHA")]
    commit: Option<String>,
    /// The version to deploy (default: the commit's, YYMMDD-HHMM-COUNT-SHA6).
    #[arg(long, value_name = "V")]
    version: Option<String>,
    /// Print the plan and write what would be applied under .macaron/deploy/<env>/; run nothing.
    #[arg(long)]
    dry_run: bool,
    /// Skip the unit tests.
    #[arg(long)]
    no_unit_tests: bool,
    /// Skip the acceptance tests (of the image and of every stage).
    #[arg(long)]
    no_acceptance: bool,
    /// Build nothing: deploy the image (or release) that exists for the version.
    #[arg(long)]
    no_build: bool,
    /// Do not push the image.
    #[arg(long)]
    no_push: bool,
    /// Return the stage (--env) to a version it ran before, and test it.
    #[arg(long, value_name = "VERSION", conflicts_with_all = ["commit", "dry_run", "no_build"])]
    rollback: Option<String>,
    /// Leave a version that fails its tests in place (default: return to the version before).
    #[arg(long)]
    no_rollback: bool,
    /// Deploy to the stages of `deploy.confirm` without asking.
    #[arg(long)]
    yes: bool,
    /// The container engine (default: docker when its daemon answers, else podman).
    #[arg(long, value_enum)]
    engine: Option<Kind>,
    /// The service's folder (default: the current one).
    #[arg(long, value_name = "DIR", default_value = ".")]
    dir: PathBuf,
}

/// Why a deploy stopped.
enum Failure {
    /// Bad input, found before anything ran (exit 2).
    Usage(String),
    /// A step failed (exit 1).
    Step(String),
}

impl From<StepFailed> for Failure {
    fn from(e: StepFailed) -> Failure {
        Failure::Step(e.0)
    }
}

/// Runs `macaron deploy`: 0 done, 1 a step failed, 2 bad input (nothing deployed).
pub fn run(args: DeployArgs, out: &mut impl Write) -> io::Result<ExitCode> {
    // Steps run their async parts with `block_in_place`, which needs this kind of runtime.
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    match runtime.block_on(deploy(&args, out)) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(Failure::Usage(e)) => {
            eprintln!("macaron deploy: {e}");
            Ok(ExitCode::from(2))
        }
        Err(Failure::Step(e)) => {
            let _ = out.flush();
            eprintln!("macaron deploy: {e}");
            Ok(ExitCode::FAILURE)
        }
    }
}

/// One stage, as the configuration of its environment says.
struct Stage {
    env: String,
    target: Target,
    config: EnvConfig,
}

async fn deploy(args: &DeployArgs, out: &mut dyn Write) -> Result<(), Failure> {
    let service = Service::read(&args.dir, None).map_err(Failure::Usage)?;
    let base = settings::read(&service.dir, "dev").map_err(Failure::Usage)?;
    let names = match &args.env {
        Some(env) => vec![env.clone()],
        None if args.rollback.is_some() => {
            return Err(Failure::Usage("--rollback needs the stage it returns: --env NAME".into()))
        }
        None if base.settings.stages.is_empty() => {
            return Err(Failure::Usage(
                "no stage: list them in the configuration (deploy: {stages: [staging, live]}) or give --env".into(),
            ))
        }
        None => base.settings.stages.clone(),
    };
    let mut stages = Vec::new();
    for env in names {
        let config = settings::read(&service.dir, &env).map_err(Failure::Usage)?;
        let target = args.target.or(config.settings.target).ok_or_else(|| {
            Failure::Usage(format!("no target for {env}: set deploy.target in the configuration, or give --target"))
        })?;
        check_stage(&env, target, &config).map_err(Failure::Usage)?;
        stages.push(Stage { env, target, config });
    }
    if args.dry_run {
        return dry_run(args, &service, &stages, out);
    }
    for stage in &stages {
        // On this host the service needs every secret; elsewhere the tests need the one that signs their token.
        let here = matches!(stage.target, Target::Local | Target::Container);
        let tests = !args.no_acceptance && stage.config.jwt;
        let missing = stage.config.missing_secrets();
        let needed = missing.iter().find(|n| here || (tests && stage.config.signing.contains(n)));
        if let Some(name) = needed {
            return Err(Failure::Usage(format!(
                "the secret {name} (env_secrets of {}) is not set in this environment: the {} needs it",
                stage.env,
                if here { "service" } else { "tests' token" }
            )));
        }
    }
    confirm(args, &stages)?;
    if let Some(version) = &args.rollback {
        return rollback(args, &service, &stages[0], version, out).await;
    }
    pipeline(args, &service, &stages, out).await
}

/// What a target needs of the configuration, checked before anything runs.
fn check_stage(env: &str, target: Target, config: &EnvConfig) -> Result<(), String> {
    match target {
        Target::Local | Target::Container => config.local_url(env).map(|_| ()),
        Target::CloudRun => {
            for (key, value) in [("region", &config.settings.region), ("project", &config.settings.project)] {
                if value.is_none() {
                    return Err(format!("deploy.{key} is not set for {env}: the cloud-run target needs it"));
                }
            }
            Ok(())
        }
        Target::Kubernetes => Ok(()),
    }
}

/// The stages of `deploy.confirm` ask first (on a terminal), or need `--yes`.
fn confirm(args: &DeployArgs, stages: &[Stage]) -> Result<(), Failure> {
    if args.yes {
        return Ok(());
    }
    for stage in stages.iter().filter(|s| s.config.settings.confirm.contains(&s.env)) {
        if !io::stdin().is_terminal() {
            return Err(Failure::Usage(format!(
                "deploying to {} needs a confirmation: run in a terminal, or pass --yes",
                stage.env
            )));
        }
        eprint!("macaron deploy: deploy to {}? [y/N] ", stage.env);
        let mut answer = String::new();
        let _ = io::stdin().lock().read_line(&mut answer);
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            return Err(Failure::Usage(format!("not confirmed for {}: nothing deployed", stage.env)));
        }
    }
    Ok(())
}

/// Whether a stage runs an image (every target but `local`).
fn builds_image(stages: &[Stage]) -> bool {
    stages.iter().any(|s| s.target != Target::Local)
}

async fn pipeline(args: &DeployArgs, service: &Service, stages: &[Stage], out: &mut dyn Write) -> Result<(), Failure> {
    let revision = checkout::resolve(service, args.commit.as_deref()).map_err(Failure::Usage)?;
    let image_needed = builds_image(stages);
    // An engine builds, tests and pushes the image, and runs the container target.
    let engine_needed =
        image_needed && (!args.no_build || !args.no_acceptance || stages.iter().any(|s| s.target == Target::Container));
    let engine = if engine_needed { Some(Engine::detect(args.engine).map_err(Failure::Usage)?) } else { None };
    let settings = &stages[0].config.settings;
    let registry = settings.registry.clone().filter(|_| image_needed);
    let total = 5 + 3 * stages.len();
    let mut steps = Steps::new(total);
    let _ = writeln!(
        out,
        "macaron deploy: {} {} through {} ({} steps)",
        service.name,
        &revision[..12.min(revision.len())],
        stages.iter().map(|s| format!("{} on {}", s.env, s.target)).collect::<Vec<_>>().join(", then "),
        total
    );
    if std::env::var_os("CARGO_TARGET_DIR").is_none() {
        // The checkout is new each time; its builds share one target folder.
        std::env::set_var("CARGO_TARGET_DIR", service.root.join("target/deploy"));
    }
    let work = steps.run(&format!("clean checkout of {}", &revision[..12.min(revision.len())]), out, |out| {
        let work = checkout::checkout(service, &revision)?;
        let _ = writeln!(out, "  {} (commit {}) in {}", work.version, work.revision, work.dir.display());
        Ok(work)
    })?;
    let version = args.version.clone().unwrap_or_else(|| work.version.clone());
    if args.no_unit_tests {
        steps.skip("unit tests", "--no-unit-tests", out);
    } else {
        steps.run("unit tests (cargo test)", out, |out| cargo_test(&work.dir, out))?;
    }
    let image = format!("{}:{version}", service.image());
    let profile = settings.profile.clone();
    let binary = if args.no_build {
        steps.skip("build", "--no-build", out);
        None
    } else {
        steps.run(&format!("build {version}"), out, |out| {
            build(&work.dir, &version, &image, &profile, stages, engine.as_ref(), out)
        })?
    };
    if args.no_acceptance {
        steps.skip("acceptance tests here", "--no-acceptance", out);
    } else {
        let env = stages[0].env.clone();
        let dir = work.dir.to_string_lossy().into_owned();
        let argv = if image_needed {
            vec!["--image".into(), image.clone(), "--env".into(), env, "--dir".into(), dir]
        } else {
            vec!["--local".into(), "--profile".into(), profile.clone(), "--env".into(), env, "--dir".into(), dir]
        };
        let what = if image_needed { image.clone() } else { format!("the {profile} binary") };
        steps.run(&format!("acceptance tests against {what}, here"), out, |out| {
            block(crate::acceptance::run_for(&argv, out))
        })?;
    }
    let deployed_image = match (&registry, args.no_push, &engine) {
        (Some(registry), false, Some(engine)) => {
            let remote = format!("{}/{image}", registry.trim_end_matches('/'));
            steps.run(&format!("push {remote}"), out, |out| {
                engine.output(&["tag", &image, &remote]).map_err(|e| format!("tag {remote}: {e}"))?;
                let _ = writeln!(out, "  $ {} push {remote}", engine.program());
                if let Err(e) = engine.output(&["push", &remote]) {
                    // The tag was for the push alone.
                    let _ = engine.output(&["rmi", &remote]);
                    return Err(format!("the registry refused the push of {remote}: {e}"));
                }
                Ok(())
            })?;
            remote
        }
        (_, true, _) => {
            steps.skip("push", "--no-push", out);
            image.clone()
        }
        _ => {
            steps.skip("push", if image_needed { "no deploy.registry" } else { "no image" }, out);
            image.clone()
        }
    };
    for stage in stages {
        let deploy = StageRun {
            service,
            stage,
            version: &version,
            image: &deployed_image,
            source: &work.dir,
            binary: binary.as_deref(),
        };
        deploy.run(args, engine.as_ref(), &mut steps, out).await?;
    }
    let _ = writeln!(
        out,
        "macaron deploy: {version} is live on {} ({} steps in {})",
        stages.iter().map(|s| s.env.as_str()).collect::<Vec<_>>().join(", "),
        steps.done(),
        progress::short(steps.elapsed())
    );
    Ok(())
}

/// Runs a future to its end from inside a step (the pipeline runs on one thread).
fn block<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::task::block_in_place(|| tokio::runtime::Handle::current().block_on(future))
}

/// `cargo test` of the checked-out service, its lines passed through.
fn cargo_test(dir: &Path, out: &mut dyn Write) -> Result<(), String> {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command.current_dir(dir).args(["test", "--manifest-path"]).arg(dir.join("Cargo.toml"));
    command.stdout(Stdio::piped()).stdin(Stdio::null());
    let mut child = command.spawn().map_err(|e| format!("cannot run cargo test: {e}"))?;
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = writeln!(out, "{line}");
        }
    }
    let status = child.wait().map_err(|e| format!("cargo test: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("cargo test failed ({status})"))
    }
}

/// The build step: the release binary for `local` stages (or a host-built
/// image), the image for the others, reused when it exists.
fn build(
    dir: &Path,
    version: &str,
    image: &str,
    profile: &str,
    stages: &[Stage],
    engine: Option<&Engine>,
    out: &mut dyn Write,
) -> Result<Option<PathBuf>, String> {
    let settings = &stages[0].config.settings;
    let image_reused = engine.is_some_and(|e| e.has_image(image));
    let needs_binary = stages.iter().any(|s| s.target == Target::Local)
        || (engine.is_some() && !image_reused && settings.build == Build::Host);
    let binary = if needs_binary {
        let _ = writeln!(out, "  $ cargo build --profile {profile}");
        Some(crate::acceptance::local::build(dir, profile).map_err(|e| format!("{e:?}"))?)
    } else {
        None
    };
    if let Some(engine) = engine {
        if image_reused {
            let _ = writeln!(out, "  {image} exists: reused");
        } else {
            let mut argv =
                vec!["--dir".to_string(), dir.to_string_lossy().into_owned(), "--version".into(), version.into()];
            // The checkout is this run's own: a change in it is the build's (a Cargo.lock it updated).
            argv.extend(["--engine".into(), engine.program().into(), "--allow-dirty".into()]);
            if let (Build::Host, Some(binary)) = (settings.build, &binary) {
                argv.extend(["--prebuilt".into(), binary.to_string_lossy().into_owned()]);
            }
            crate::docker::build_for(&argv, out)?;
        }
    }
    Ok(binary)
}

/// One stage of one run.
struct StageRun<'a> {
    service: &'a Service,
    stage: &'a Stage,
    version: &'a str,
    /// The image reference the stage pulls or runs.
    image: &'a str,
    /// The checkout's service folder.
    source: &'a Path,
    binary: Option<&'a Path>,
}

impl StageRun<'_> {
    async fn run(
        &self,
        args: &DeployArgs,
        engine: Option<&Engine>,
        steps: &mut Steps,
        out: &mut dyn Write,
    ) -> Result<(), Failure> {
        let (env, target, version) = (&self.stage.env, self.stage.target, self.version);
        let before = record::read(&self.service.dir, env).map_err(Failure::Step)?.version;
        let url = steps.run(&format!("deploy {version} to {env} ({target})"), out, |out| {
            let url = block(self.start(engine, out))?;
            record::deployed(&self.service.dir, env, version)?;
            Ok(url)
        })?;
        steps.run(&format!("readiness of {version} in {env}"), out, |out| block(self.ready(url.as_deref(), out)))?;
        if args.no_acceptance {
            steps.skip(&format!("acceptance tests of {env}"), "--no-acceptance", out);
            return self.finish(out);
        }
        let tested = steps.run(&format!("acceptance tests of {env}"), out, |out| block(self.test(url.as_deref(), out)));
        match (tested, before) {
            (Ok(()), _) => self.finish(out),
            (Err(failed), _) if target == Target::CloudRun => {
                Err(Failure::Step(format!("{}; the candidate never received traffic", failed.0)))
            }
            (Err(failed), _) if args.no_rollback => {
                Err(Failure::Step(format!("{}; {version} stays in {env} (--no-rollback)", failed.0)))
            }
            (Err(failed), None) => {
                Err(Failure::Step(format!("{}; no version ran before in {env}: nothing to return to", failed.0)))
            }
            (Err(failed), Some(previous)) => {
                let _ = writeln!(out, "macaron deploy: returning {env} to {previous}");
                let back = StageRun { version: &previous, ..*self };
                let image = format!("{}:{previous}", self.service.image());
                let back = StageRun { image: &image, ..back };
                match block(back.restore(engine, out)) {
                    Ok(()) => Err(Failure::Step(format!("{}; {env} is back on {previous}", failed.0))),
                    Err(e) => Err(Failure::Step(format!("{}; and the return to {previous} failed: {e}", failed.0))),
                }
            }
        }
    }

    /// The version passed: Cloud Run moves the traffic to it.
    fn finish(&self, out: &mut dyn Write) -> Result<(), Failure> {
        if self.stage.target == Target::CloudRun {
            let name = format!("{}-{}", self.service.name, self.stage.env);
            self.gcloud().promote(&name, out).map_err(|e| Failure::Step(format!("the traffic did not move: {e}")))?;
        }
        let _ = writeln!(out, "macaron deploy: {} runs {}", self.stage.env, self.version);
        Ok(())
    }

    /// Starts the version; the URL the stage answers at (Cloud Run's candidate's).
    async fn start(&self, engine: Option<&Engine>, out: &mut dyn Write) -> Result<Option<String>, String> {
        let (env, config) = (&self.stage.env, &self.stage.config);
        let folder = self.service.dir.join(".macaron/deploy").join(env);
        std::fs::create_dir_all(&folder).map_err(|e| format!("cannot create {}: {e}", folder.display()))?;
        match self.stage.target {
            Target::Local => {
                let run = local::run_dir(&self.service.dir, env);
                if let Some(binary) = self.binary {
                    local::prepare(&run, self.version, binary, self.source, &self.service.config_files)?;
                }
                self.launch_local(&run, out).await.map(|()| None)
            }
            Target::Container => {
                let engine = engine.ok_or("no container engine")?;
                self.launch_container(engine, out).await.map(|()| None)
            }
            Target::Kubernetes => {
                let stage = kubernetes_stage(self.service, env, config, self.image, self.version);
                let file = folder.join("kubernetes.yaml");
                std::fs::write(&file, kubernetes::render(&stage)?)
                    .map_err(|e| format!("cannot write {}: {e}", file.display()))?;
                self.cluster(&stage).apply(&file, out).map(|()| None)
            }
            Target::CloudRun => {
                let gcloud = self.gcloud();
                let name = format!("{}-{env}", self.service.name);
                let serving = gcloud.describe(&name, out)?.as_ref().and_then(cloud_run::serving);
                let stage = cloud_run_stage(self.service, env, config, self.image, self.version, serving);
                let file = folder.join("cloud-run.yaml");
                std::fs::write(&file, cloud_run::render(&stage)?)
                    .map_err(|e| format!("cannot write {}: {e}", file.display()))?;
                gcloud.replace(&file, out)?;
                let described =
                    gcloud.describe(&name, out)?.ok_or_else(|| format!("{name} is not there after replace"))?;
                Ok(cloud_run::candidate_url(&described))
            }
        }
    }

    async fn launch_local(&self, run: &Path, out: &mut dyn Write) -> Result<(), String> {
        let (port, url) = self.stage.config.local_url(&self.stage.env)?;
        let launch = local::Launch {
            env: &self.stage.env,
            version: self.version,
            bin: &self.service.bin,
            port,
            url: &url,
            patience: self.stage.config.ready_timeout,
        };
        local::deploy(run, &launch, out).await
    }

    async fn launch_container(&self, engine: &Engine, out: &mut dyn Write) -> Result<(), String> {
        let (port, url) = self.stage.config.local_url(&self.stage.env)?;
        let launch = container::Launch {
            service: &self.service.name,
            env: &self.stage.env,
            image: self.image,
            version: self.version,
            port,
            url: &url,
            secrets: &self.stage.config.env_secrets,
            patience: self.stage.config.ready_timeout,
            grace: Duration::from_secs(35) + self.stage.config.shutdown_delay,
        };
        container::deploy(engine, &launch, out).await
    }

    fn cluster<'s>(&'s self, stage: &'s kubernetes::Stage) -> kubectl::Cluster<'s> {
        let mut deployments = vec![stage.name.clone()];
        if stage.workers > 0 {
            deployments.push(format!("{}-worker", stage.name));
        }
        kubectl::Cluster {
            context: self.stage.config.settings.context.as_deref(),
            namespace: &stage.namespace,
            deployments,
        }
    }

    fn gcloud(&self) -> cloud_run::Gcloud<'_> {
        let s = &self.stage.config.settings;
        cloud_run::Gcloud {
            region: s.region.as_deref().unwrap_or_default(),
            project: s.project.as_deref().unwrap_or_default(),
        }
    }

    /// The new version answers ready where the stage is reached.
    async fn ready(&self, candidate: Option<&str>, out: &mut dyn Write) -> Result<(), String> {
        let patience = self.stage.config.ready_timeout;
        match self.stage.target {
            Target::Local | Target::Container => {
                let (_, url) = self.stage.config.local_url(&self.stage.env)?;
                probe::ready(&url, self.version, None, patience, || None).await?;
                let _ = writeln!(out, "  {url}/version answers {}", self.version);
                Ok(())
            }
            Target::Kubernetes => {
                let stage =
                    kubernetes_stage(self.service, &self.stage.env, &self.stage.config, self.image, self.version);
                let cluster = self.cluster(&stage);
                match cluster.rollout_status(patience, out) {
                    Ok(()) => Ok(()),
                    Err(e) => {
                        let _ = writeln!(out, "  the rollout did not finish: returning to the revision before");
                        match cluster.undo(out) {
                            Ok(()) => Err(format!("{e}; rolled back (kubectl rollout undo)")),
                            Err(undo) => Err(format!("{e}; and the rollback failed: {undo}")),
                        }
                    }
                }
            }
            Target::CloudRun => {
                // `services replace` returns once the revision is ready or failed; its description says which.
                let name = format!("{}-{}", self.service.name, self.stage.env);
                let described = self.gcloud().describe(&name, out)?.ok_or_else(|| format!("{name} is not there"))?;
                let revision = cloud_run::revision_name(&name, self.version);
                cloud_run::ready(&described, &revision)?;
                let _ = writeln!(out, "  revision {revision} is ready at {}", candidate.unwrap_or("?"));
                Ok(())
            }
        }
    }

    /// `macaron test` against the stage (Cloud Run: its candidate, then the traffic moves).
    async fn test(&self, candidate: Option<&str>, out: &mut dyn Write) -> Result<(), String> {
        let env = &self.stage.env;
        let url = match self.stage.target {
            Target::Local | Target::Container => Some(self.stage.config.local_url(env)?.1),
            Target::CloudRun => candidate.map(str::to_string),
            Target::Kubernetes => self.stage.config.url.clone(),
        };
        let url = url.ok_or_else(|| format!("no url for {env}: add `url: https://...` to macaron.{env}.yaml"))?;
        let mut argv = vec![
            "--url".into(),
            url,
            "--env".into(),
            env.clone(),
            "--dir".into(),
            self.source.to_string_lossy().into_owned(),
        ];
        if self.stage.config.jwt {
            argv.push("--gen-token".into());
        }
        crate::acceptance::run_for(&argv, out).await
    }

    /// Returns the stage to `self.version` (a version it ran before).
    async fn restore(&self, engine: Option<&Engine>, out: &mut dyn Write) -> Result<(), String> {
        let env = &self.stage.env;
        match self.stage.target {
            Target::Local => self.launch_local(&local::run_dir(&self.service.dir, env), out).await?,
            Target::Container => self.launch_container(engine.ok_or("no container engine")?, out).await?,
            Target::Kubernetes => {
                let stage = kubernetes_stage(self.service, env, &self.stage.config, self.image, self.version);
                let folder = self.service.dir.join(".macaron/deploy").join(env);
                std::fs::create_dir_all(&folder).map_err(|e| format!("cannot create {}: {e}", folder.display()))?;
                let file = folder.join("kubernetes.yaml");
                std::fs::write(&file, kubernetes::render(&stage)?)
                    .map_err(|e| format!("cannot write {}: {e}", file.display()))?;
                let cluster = self.cluster(&stage);
                cluster.apply(&file, out)?;
                cluster.rollout_status(self.stage.config.ready_timeout, out)?;
            }
            Target::CloudRun => {
                let name = format!("{}-{env}", self.service.name);
                self.gcloud().route_to(&name, &cloud_run::revision_name(&name, self.version), out)?;
            }
        }
        record::deployed(&self.service.dir, env, self.version)
    }
}

/// `--rollback VERSION`: the stage returns to a version it ran before,
/// then passes its tests (with the tests of the service's folder).
async fn rollback(
    args: &DeployArgs,
    service: &Service,
    stage: &Stage,
    version: &str,
    out: &mut dyn Write,
) -> Result<(), Failure> {
    let engine = if stage.target == Target::Container {
        Some(Engine::detect(args.engine).map_err(Failure::Usage)?)
    } else {
        None
    };
    let image = format!("{}:{version}", service.image());
    let image = match (&stage.config.settings.registry, stage.target) {
        (Some(registry), Target::Kubernetes | Target::CloudRun) => {
            format!("{}/{image}", registry.trim_end_matches('/'))
        }
        _ => image,
    };
    match stage.target {
        Target::Local if !local::run_dir(&service.dir, &stage.env).join("releases").join(version).is_dir() => {
            return Err(Failure::Usage(format!(
                "no release {version} of {} here (.macaron/run/{}/releases)",
                stage.env, stage.env
            )))
        }
        Target::Container if !engine.as_ref().is_some_and(|e| e.has_image(&image)) => {
            return Err(Failure::Usage(format!("no image {image} here")))
        }
        _ => {}
    }
    // The tests of the version returned to: its commit's (the sha ending its version), else the folder's.
    let checkout = match (args.no_acceptance, version.rsplit('-').next()) {
        (false, Some(sha)) if sha.len() >= 6 && sha.bytes().all(|b| b.is_ascii_hexdigit()) => {
            checkout::resolve(service, Some(sha)).ok().and_then(|rev| checkout::checkout(service, &rev).ok())
        }
        _ => None,
    };
    let source = checkout.as_ref().map_or(service.dir.as_path(), |c| c.dir.as_path());
    let mut steps = Steps::new(if args.no_acceptance { 1 } else { 2 });
    let run = StageRun { service, stage, version, image: &image, source, binary: None };
    steps.run(&format!("return {} to {version} ({})", stage.env, stage.target), out, |out| {
        block(run.restore(engine.as_ref(), out))
    })?;
    if !args.no_acceptance && stage.target != Target::CloudRun {
        steps.run(&format!("acceptance tests of {}", stage.env), out, |out| block(run.test(None, out)))?;
    }
    let _ = writeln!(out, "macaron deploy: {} runs {version}", stage.env);
    Ok(())
}

/// `--dry-run`: the plan, and the files each stage would apply.
fn dry_run(args: &DeployArgs, service: &Service, stages: &[Stage], out: &mut dyn Write) -> Result<(), Failure> {
    let (image, version) = image(service, args.version.as_deref()).map_err(Failure::Usage)?;
    let _ = writeln!(out, "macaron deploy --dry-run: {image}:{version}, nothing runs");
    let builds = if builds_image(stages) { "the image (reused when it exists)" } else { "the release binary" };
    for (n, line) in
        ["a clean checkout of the commit", "unit tests (cargo test)", builds, "acceptance tests here", "push"]
            .iter()
            .enumerate()
    {
        let _ = writeln!(out, "  {}. {line}", n + 1);
    }
    for (n, stage) in stages.iter().enumerate() {
        let env = &stage.env;
        let folder = service.dir.join(".macaron/deploy").join(env);
        std::fs::create_dir_all(&folder)
            .map_err(|e| Failure::Usage(format!("cannot create {}: {e}", folder.display())))?;
        let _ = writeln!(out, "stage {} of {}: {env} on {}, {image}:{version}", n + 1, stages.len(), stage.target);
        let write = |name: &str, text: String| {
            let file = folder.join(name);
            std::fs::write(&file, text).map_err(|e| Failure::Usage(format!("cannot write {}: {e}", file.display())))?;
            Ok::<PathBuf, Failure>(file)
        };
        match stage.target {
            Target::Kubernetes => {
                let k8s = kubernetes_stage(service, env, &stage.config, &image, &version);
                let file = write("kubernetes.yaml", kubernetes::render(&k8s).map_err(Failure::Usage)?)?;
                let _ = writeln!(out, "  would run: kubectl apply --filename {}", file.display());
                let _ = writeln!(
                    out,
                    "  would run: kubectl rollout status deployment/{} --namespace {} --timeout {}s",
                    k8s.name,
                    k8s.namespace,
                    stage.config.ready_timeout.as_secs()
                );
            }
            Target::CloudRun => {
                let run = cloud_run_stage(service, env, &stage.config, &format!("{image}:{version}"), &version, None);
                let file = write("cloud-run.yaml", cloud_run::render(&run).map_err(Failure::Usage)?)?;
                let _ = writeln!(out, "  would run: gcloud run services replace {}", file.display());
                let _ = writeln!(out, "  would run: gcloud run services update-traffic {} --to-latest", run.name());
            }
            Target::Local | Target::Container => {
                let (port, url) = stage.config.local_url(env).map_err(Failure::Usage)?;
                let how = if stage.target == Target::Local {
                    "the release binary, supervised"
                } else {
                    "the image, in a container"
                };
                let _ = writeln!(out, "  would run: {how} on port {port}, replacing the one before once ready");
                let _ = writeln!(out, "  would test: {url}");
            }
        }
    }
    Ok(())
}

/// The image and version of a dry run: `--version`, else the commit's
/// (`-dirty` with uncommitted changes), else the last image built.
fn image(service: &Service, version: Option<&str>) -> Result<(String, String), String> {
    let image = service.image();
    if let Some(version) = version {
        return Ok((image, version.to_string()));
    }
    if let Some(state) = crate::docker::git::state(&service.root)? {
        let dirty = if state.changes.is_empty() { "" } else { "-dirty" };
        return Ok((image, format!("{}{dirty}", state.version())));
    }
    let path = service.dir.join(".macaron/last_image.json");
    let text = std::fs::read_to_string(&path).map_err(|e| {
        format!("{}: {e}: not in git and no image built (macaron docker build): give --version", path.display())
    })?;
    let record: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: not JSON: {e}", path.display()))?;
    let version = record["version"].as_str().ok_or_else(|| format!("{}: no version", path.display()))?;
    Ok((image, version.to_string()))
}

fn kubernetes_stage(service: &Service, env: &str, config: &EnvConfig, image: &str, version: &str) -> kubernetes::Stage {
    let s = &config.settings;
    let workers = s.workers.unwrap_or(if settings::has_tasks(&service.dir) { 1 } else { 0 });
    // preStop sleeps while endpoints drop the pod; then the service's own
    // shutdown_delay and its 30 s drain of in-flight requests, and margin.
    let pre_stop = 5;
    let grace = pre_stop + config.shutdown_delay.as_secs() as i64 + 30 + 5;
    let image = if image.ends_with(&format!(":{version}")) { image.to_string() } else { format!("{image}:{version}") };
    kubernetes::Stage {
        name: service.name.clone(),
        env: env.to_string(),
        namespace: s.namespace.clone().unwrap_or_else(|| format!("{}-{env}", service.name)),
        image,
        version: version.to_string(),
        replicas: s.replicas,
        max_replicas: s.max_replicas,
        cpu_target: s.cpu_target,
        cpu: s.cpu.clone(),
        memory: s.memory.clone(),
        memory_limit: s.memory_limit.clone(),
        secrets: config.env_secrets.clone(),
        workers,
        host: s.host.clone(),
        termination_grace: grace,
        pre_stop,
    }
}

fn cloud_run_stage(
    service: &Service,
    env: &str,
    config: &EnvConfig,
    image: &str,
    version: &str,
    serving: Option<String>,
) -> cloud_run::Stage {
    let s = &config.settings;
    cloud_run::Stage {
        service: service.name.clone(),
        env: env.to_string(),
        image: image.to_string(),
        version: version.to_string(),
        min_instances: s.replicas,
        max_instances: s.max_replicas,
        memory: s.memory_limit.clone(),
        secrets: config.env_secrets.clone(),
        serving,
    }
}
