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
    match mint(args.config, args.env, args.user, args.lifetime) {
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

/// A token for `user` signed with the configuration of `env` (the file
/// `config`, else `macaron.yaml` in the current folder), with the
/// configured lifetime unless `lifetime` is given. The error says which
/// file or key is at fault; it never holds the secret.
pub fn mint(
    config: Option<PathBuf>,
    env: Option<String>,
    user: String,
    lifetime: Option<Duration>,
) -> Result<String, String> {
    let mut loader = macaron_config::Loader::new().env(env);
    if let Some(path) = config {
        loader = loader.path(path);
    }
    let config = loader.load().map_err(|e| e.to_string())?;
    let jwt = macaron_auth::Jwt::from_config(&config).map_err(|e| e.to_string())?;
    let builder = jwt.token(user);
    let signed = match lifetime {
        Some(lifetime) => builder.lifetime(lifetime).sign(),
        None => builder.sign(),
    };
    signed.map_err(|e| e.to_string())
}
