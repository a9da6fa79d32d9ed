//! The options a service runs with, from the command line.
//!
//! `letsgo` parses the command line once and hands the result to the
//! service's `start` function, which passes it to the builder: the service
//! author can inspect or override any of it, and tests build [`Options`]
//! by hand without a command line at all.

use std::path::PathBuf;

/// How the service runs: port, environment, debug logging, config file.
///
/// ```
/// let o = macaron::Options::default();
/// assert_eq!((o.port, o.env.as_str(), o.debug), (8080, "dev", false));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The port to listen on (`--port`, else `PORT`, else 8080).
    pub port: u16,
    /// The address to bind (`--host`, else `0.0.0.0`).
    pub host: String,
    /// The environment name (`--env`, else `MACARON_ENV`, else `dev`).
    pub env: String,
    /// Debug logging (`--debug` / `--no-debug`).
    pub debug: bool,
    /// A configuration file (`--config PATH`).
    pub config: Option<PathBuf>,
    /// What this process runs: HTTP and task workers (the default), or one of them.
    pub role: Role,
}

/// What a service process runs (`--worker`, `--no-worker`).
///
/// ```
/// assert_eq!(macaron::Role::default(), macaron::Role::All);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Role {
    /// The HTTP server and background-task workers (the default).
    #[default]
    All,
    /// The HTTP server only (`--no-worker`): tasks it schedules are run by
    /// `--worker` processes.
    Http,
    /// Task workers only, no HTTP server (`--worker`).
    Worker,
}

impl Default for Options {
    fn default() -> Self {
        Options { port: 8080, host: "0.0.0.0".into(), env: "dev".into(), debug: false, config: None, role: Role::All }
    }
}
