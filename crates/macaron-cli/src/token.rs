//! `macaron token --user ID`: a token signed with the service's configuration,
//! for manual tests and acceptance runs (PyMacaron's `get_test_jwt_token`).

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Args;

/// Arguments of `macaron token`.
#[derive(Args)]
pub struct TokenArgs {
    /// The user id (`sub`).
    #[arg(long)]
    user: String,
    /// The configuration file (default: macaron.yaml in the current folder).
    #[arg(long)]
    config: Option<PathBuf>,
    /// The environment whose overlay applies (default: MACARON_ENV, else dev).
    #[arg(long)]
    env: Option<String>,
    /// Lifetime, such as 1h (default: the configuration's jwt_lifetime).
    #[arg(long, value_parser = humantime_duration)]
    lifetime: Option<Duration>,
}

fn humantime_duration(s: &str) -> Result<Duration, String> {
    humantime::parse_duration(s).map_err(|e| e.to_string())
}

/// Prints the token; configuration problems go to stderr with exit code 1.
pub fn run(args: TokenArgs, out: &mut impl Write) -> io::Result<ExitCode> {
    let mut loader = macaron_config::Loader::new().env(args.env);
    if let Some(path) = args.config {
        loader = loader.path(path);
    }
    let config = match loader.load() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("macaron token: {e}");
            return Ok(ExitCode::FAILURE);
        }
    };
    let signed = macaron_auth::Jwt::from_config(&config).and_then(|jwt| {
        let builder = jwt.token(args.user);
        match args.lifetime {
            Some(lifetime) => builder.lifetime(lifetime).sign(),
            None => builder.sign(),
        }
    });
    match signed {
        Ok(token) => {
            writeln!(out, "{token}")?;
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("macaron token: {e}");
            Ok(ExitCode::FAILURE)
        }
    }
}
