//! `macaron test`: the service's black-box tests (`tests/acceptance*.rs`)
//! against a running instance, PyMacaron's `pymtest`.
//!
//! The tests are ordinary `cargo test` targets; this command only decides
//! where they point. It resolves the target first (`--url`, `--local`,
//! `--env`, `--image`), checks that something answers there, gives the tests the URL
//! and the token through the environment (`MACARON_TEST_URL`,
//! `MACARON_TEST_TOKEN`, never a command line), runs them, and prints one
//! line per test and a summary. It fails when a test fails, when no test
//! ran, and (with `--local`) when the service does not start in time or
//! does not exit 0 on SIGTERM.

mod image;
pub(crate) mod local;
mod runner;
mod target;

pub use image::EnvFile;
pub use target::chain;

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Args;

/// Arguments of `macaron test`.
#[derive(Args, Debug)]
pub struct TestArgs {
    /// Test the instance at this URL (http or https, as written).
    #[arg(long, value_name = "URL", conflicts_with = "local")]
    url: Option<String>,
    /// Build the release binary (see --profile), run it on a free 127.0.0.1 port with the
    /// configuration of --env, test it, then stop it with SIGTERM.
    #[arg(long, conflicts_with = "image")]
    local: bool,
    /// Run this image in a container (secrets from the environment through
    /// an env file), test it, then stop it with SIGTERM.
    #[arg(long, value_name = "IMAGE", conflicts_with = "url")]
    image: Option<String>,
    /// --image: the container engine (default: docker when its daemon answers, else podman).
    #[arg(long, value_enum, requires = "image")]
    engine: Option<crate::docker::engine::Kind>,
    /// The environment: alone, test the `url` its configuration names;
    /// with --local, run the service with its configuration; with
    /// --gen-token, sign with its secret. Default: MACARON_ENV, else dev.
    #[arg(long, value_name = "NAME")]
    env: Option<String>,
    /// The token the tests send (MACARON_TEST_TOKEN in the environment is
    /// the same, and stays off the command line).
    #[arg(long, value_name = "TOKEN", conflicts_with = "gen_token")]
    token: Option<String>,
    /// Mint a test token with the configuration's secret (as `macaron token`).
    #[arg(long)]
    gen_token: bool,
    /// The user id of the minted token.
    #[arg(long, value_name = "ID", default_value = "test-user")]
    user: String,
    /// Accept a TLS certificate that does not verify (a staging host's own).
    #[arg(long)]
    insecure: bool,
    /// --local: the cargo profile to build the service with.
    #[arg(long, value_name = "PROFILE", default_value = "release")]
    profile: String,
    /// --local, --image: how long the service may take to be ready.
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = duration)]
    ready_timeout: Duration,
    /// --local, --image: how long the service may take to exit after SIGTERM.
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = duration)]
    grace: Duration,
    /// The service's folder (default: the current one).
    #[arg(long, value_name = "DIR", default_value = ".")]
    dir: PathBuf,
    /// Run only the tests whose name contains this.
    filter: Option<String>,
}

fn duration(text: &str) -> Result<Duration, String> {
    humantime::parse_duration(text).map_err(|e| format!("'{text}' is not a duration (e.g. 30s, 2m): {e}"))
}

/// Runs the acceptance tests; exit 0 only when every test passed and at
/// least one ran.
pub fn run(args: TestArgs, out: &mut impl Write) -> io::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    match runtime.block_on(test(args, out)) {
        Ok(summary) if summary.ok() => Ok(ExitCode::SUCCESS),
        Ok(_) => Ok(ExitCode::FAILURE),
        Err(Failure::Usage(e)) => {
            eprintln!("macaron test: {e}");
            Ok(ExitCode::from(2))
        }
        Err(Failure::Run(e)) => {
            eprintln!("macaron test: {e}");
            Ok(ExitCode::FAILURE)
        }
    }
}

/// Why the command stopped before a verdict.
#[derive(Debug)]
pub enum Failure {
    /// A bad command line or configuration: nothing was run (exit 2).
    Usage(String),
    /// The target or the run failed (exit 1).
    Run(String),
}

async fn test(args: TestArgs, out: &mut impl Write) -> Result<runner::Summary, Failure> {
    let dir = args.dir.clone();
    let tests = runner::acceptance_targets(&dir).map_err(Failure::Usage)?;
    let env = args.env.clone();
    if !args.local && args.url.is_none() && args.image.is_none() && env.is_none() {
        return Err(Failure::Usage(
            "say which instance to test: --url URL, --local, --image IMAGE or --env NAME".into(),
        ));
    }
    let mut token = match (&args.token, args.gen_token) {
        (Some(token), _) => Some(token.clone()),
        (None, true) => Some(mint(&dir, env.clone(), &args.user)?),
        (None, false) => None,
    };
    let mut service = None;
    let mut container = None;
    let started_here = args.local || args.image.is_some();
    if started_here
        && token.is_none()
        && std::env::var_os("MACARON_TEST_TOKEN").is_none()
        && local::has_jwt(&dir, env.clone())
    {
        // The service runs with this configuration: its secret signs the test token.
        token = Some(mint(&dir, env.clone(), &args.user)?);
    }
    let url = if args.local {
        let running = local::start(&dir, &args.profile, env.as_deref(), args.ready_timeout, out).await?;
        let url = running.url();
        service = Some(running);
        url
    } else if let Some(name) = &args.image {
        let started = image::start(&dir, name, args.engine, env.as_deref(), args.ready_timeout, out).await?;
        let url = started.url();
        container = Some(started);
        url
    } else {
        let url = match &args.url {
            Some(url) => url.clone(),
            None => target::configured_url(&dir, env.as_deref().unwrap_or_default())?,
        };
        let url = target::parse(&url)?;
        target::wait_for(&url, args.insecure, Duration::from_secs(5)).await?;
        url
    };
    let files: Vec<String> = tests.iter().map(|t| format!("tests/{t}.rs")).collect();
    let _ = writeln!(out, "macaron test: running {} against {url}", files.join(", "));
    let summary = runner::run(&dir, &tests, &url, token.as_deref(), args.insecure, args.filter.as_deref(), out);
    let stopped = match (service, container) {
        (Some(service), _) => service.stop(args.grace).await,
        (None, Some(container)) => container.stop(args.grace).await,
        (None, None) => Ok(()),
    };
    let summary = summary?;
    let _ = writeln!(out, "{} passed, {} failed", summary.passed, summary.failed);
    if summary.passed + summary.failed == 0 {
        let _ = writeln!(out, "macaron test: no test ran (check the filter, or the tests in tests/acceptance*.rs)");
    }
    stopped?;
    Ok(summary)
}

/// `macaron test` with these arguments, as on its command line (what
/// `macaron deploy` runs): `Ok` when every test passed and one ran at least.
pub async fn run_for(argv: &[String], out: &mut dyn Write) -> Result<(), String> {
    #[derive(clap::Parser)]
    struct Cli {
        #[command(flatten)]
        args: TestArgs,
    }
    let cli =
        <Cli as clap::Parser>::try_parse_from(std::iter::once("macaron test".to_string()).chain(argv.iter().cloned()))
            .map_err(|e| e.to_string())?;
    let mut out = out;
    match test(cli.args, &mut out).await {
        Ok(summary) if summary.ok() => Ok(()),
        Ok(summary) if summary.passed + summary.failed == 0 => Err("no acceptance test ran".into()),
        Ok(summary) => {
            Err(format!("{} of {} acceptance tests failed", summary.failed, summary.passed + summary.failed))
        }
        Err(Failure::Usage(e) | Failure::Run(e)) => Err(e),
    }
}

fn mint(dir: &std::path::Path, env: Option<String>, user: &str) -> Result<String, Failure> {
    crate::token::mint(Some(dir.join("macaron.yaml")), env, user.to_string(), None)
        .map_err(|e| Failure::Usage(format!("--gen-token: {e}")))
}
