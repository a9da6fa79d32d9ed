//! A service's command line: flags, `healthcheck`, and the options they make.
//!
//! Every service takes the same flags (`--port`, `--host`, `--env`,
//! `--debug/--no-debug`, `--config`, `--worker/--no-worker`; `PORT` and
//! `MACARON_ENV` from the environment) and the `healthcheck` subcommand a
//! container's `HEALTHCHECK` runs. A bad flag exits 2 with one line.

use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

use crate::options::{Options, Role};

#[derive(Parser, Debug)]
#[command(about = "A Macaron service")]
pub(super) struct Cli {
    /// Port to listen on (default: $PORT, else 8080).
    #[arg(long)]
    pub port: Option<u16>,
    /// Address to listen on (default: 0.0.0.0, every interface).
    #[arg(long)]
    host: Option<String>,
    /// Environment name (default: $MACARON_ENV, else dev).
    #[arg(long)]
    env: Option<String>,
    /// Debug logs.
    #[arg(long, overrides_with = "no_debug")]
    debug: bool,
    /// No debug logs (the default).
    #[arg(long = "no-debug", overrides_with = "debug")]
    no_debug: bool,
    /// Configuration file.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Run only background-task workers, no HTTP server.
    #[arg(long, overrides_with = "no_worker")]
    worker: bool,
    /// Run only the HTTP server; tasks are run by `--worker` processes.
    #[arg(long = "no-worker", overrides_with = "worker")]
    no_worker: bool,
    #[command(subcommand)]
    pub command: Option<Sub>,
}

#[derive(clap::Subcommand, Debug)]
pub(super) enum Sub {
    /// Ask the running service's /health/live: exit 0 when it answers 200,
    /// else 1 (a container's HEALTHCHECK, with no shell and no curl).
    Healthcheck {
        /// The service's port (default: $PORT, else 8080).
        #[arg(long)]
        port: Option<u16>,
        /// The address to ask.
        #[arg(long, default_value = "127.0.0.1")]
        host: String,
        /// How long to wait for the answer, in seconds.
        #[arg(long, default_value_t = 3)]
        timeout: u64,
    },
}

/// `healthcheck`: exits 0 when the service answers, 1 when not (2 for a bad command line).
pub(super) fn healthcheck(port: Option<u16>, host: &str, timeout: u64) -> ! {
    let port = match (port, std::env::var("PORT")) {
        (Some(port), _) => port,
        (None, Ok(text)) if !text.trim().is_empty() => match text.trim().parse() {
            Ok(port) => port,
            Err(_) => {
                eprintln!("healthcheck: PORT={text} is not a port number");
                std::process::exit(2)
            }
        },
        _ => 8080,
    };
    match probe(host, port, Duration::from_secs(timeout.max(1))) {
        Ok(()) => std::process::exit(0),
        Err(why) => {
            eprintln!("healthcheck: {why}");
            std::process::exit(1)
        }
    }
}

pub(super) fn options_from(cli: Cli) -> std::result::Result<Options, String> {
    let mut options = Options::default();
    options.port = match (cli.port, std::env::var("PORT")) {
        (Some(port), _) => port,
        (None, Ok(text)) => text.trim().parse().map_err(|_| format!("PORT={text} is not a port number"))?,
        (None, Err(_)) => options.port,
    };
    if let Some(env) = cli.env.or_else(|| std::env::var("MACARON_ENV").ok().filter(|e| !e.is_empty())) {
        options.env = env;
    }
    if let Some(host) = cli.host {
        if host.parse::<std::net::IpAddr>().is_err() {
            return Err(format!("--host {host}: expected an IP address such as 127.0.0.1 or ::1"));
        }
        options.host = host;
    }
    options.debug = cli.debug && !cli.no_debug;
    options.config = cli.config;
    options.role = match (cli.worker, cli.no_worker) {
        (true, _) => Role::Worker,
        (false, true) => Role::Http,
        (false, false) => Role::All,
    };
    Ok(options)
}

/// `letsgo healthcheck`: asks `GET /health/live` of the service on
/// `host:port` and returns `Ok` on a 200, else why not. Plain HTTP/1.1 on
/// a socket, so an image needs no shell and no curl to run it.
fn probe(host: &str, port: u16, timeout: Duration) -> std::result::Result<(), String> {
    use std::io::{Read, Write};
    let ip: std::net::IpAddr = host.parse().map_err(|_| format!("--host {host}: expected an IP address"))?;
    let addr = std::net::SocketAddr::new(ip, port);
    let url = format!("http://{addr}/health/live");
    let mut stream = std::net::TcpStream::connect_timeout(&addr, timeout).map_err(|e| format!("{url}: {e}"))?;
    stream.set_read_timeout(Some(timeout)).map_err(|e| format!("{url}: {e}"))?;
    stream.set_write_timeout(Some(timeout)).map_err(|e| format!("{url}: {e}"))?;
    let request = format!("GET /health/live HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).map_err(|e| format!("{url}: {e}"))?;
    let mut head = Vec::new();
    let mut buf = [0u8; 256];
    while !head.windows(2).any(|w| w == b"\r\n") && head.len() < 4096 {
        let n = stream.read(&mut buf).map_err(|e| format!("{url}: {e}"))?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&buf[..n]);
    }
    let text = String::from_utf8_lossy(&head);
    let status_line = text.lines().next().unwrap_or("");
    match status_line.split_whitespace().nth(1) {
        Some("200") => Ok(()),
        Some(code) => Err(format!("{url} answered {code}")),
        None => Err(format!("{url}: no HTTP reply")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_parse() {
        let cli = Cli::try_parse_from(["svc", "--port", "9000", "--env", "prod", "--debug"]).unwrap();
        let o = options_from(cli).unwrap();
        assert_eq!((o.port, o.env.as_str(), o.debug), (9000, "prod", true));
        let cli = Cli::try_parse_from(["svc", "--port", "9000", "--debug", "--no-debug"]).unwrap();
        assert!(!options_from(cli).unwrap().debug);
        let cli = Cli::try_parse_from(["svc", "--worker"]).unwrap();
        assert_eq!(options_from(cli).unwrap().role, Role::Worker);
        let cli = Cli::try_parse_from(["svc", "--no-worker"]).unwrap();
        assert_eq!(options_from(cli).unwrap().role, Role::Http);
        let cli = Cli::try_parse_from(["svc", "--no-worker", "--worker"]).unwrap();
        assert_eq!(options_from(cli).unwrap().role, Role::Worker, "the last flag wins");
    }
}
