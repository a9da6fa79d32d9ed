//! What one caller may hold of the server, and for how long.
//!
//! A caller that sends its headers or its body slowly, keeps idle
//! connections open, or sends heads of hundreds of kilobytes holds memory
//! and sockets every other caller needs. Each such resource has a limit
//! here, read from the configuration with a safe default (the table in
//! docs/server.md), and every refusal is the JSON error object: the
//! pipeline's own (a body too slow or too large, a head too large), or the
//! protocol layer's, rewritten on its way out (see [`super::wire`]).

use std::time::Duration;

use macaron_config::Config;

/// The server's limits (docs/server.md lists them with their defaults).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Limits {
    /// `header_timeout`: from a connection's first byte to the end of the
    /// request head (then 408, JSON).
    pub header_timeout: Duration,
    /// `body_timeout`: from the end of the head to the end of the body
    /// (then 408 `REQUEST_TIMEOUT`).
    pub body_timeout: Duration,
    /// `keep_alive`: how long an idle connection stays open between
    /// requests; zero closes each connection after its reply.
    pub keep_alive: Duration,
    /// `connections_per_worker`: connections one worker serves at once;
    /// more wait in the listen backlog until one closes.
    pub connections_per_worker: usize,
    /// `header_limit`: the size of a request's head, names and values of
    /// every header and the request target (then 431, JSON).
    pub header_limit: usize,
}

/// The head size the protocol layer itself never reads beyond (actix-http's
/// buffer): a `header_limit` above it could not be reached.
pub(crate) const HEAD_CEILING: usize = 128 * 1024;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_timeout: Duration::from_secs(5),
            body_timeout: Duration::from_secs(15),
            keep_alive: Duration::from_secs(5),
            connections_per_worker: 10_000,
            header_limit: 32 * 1024,
        }
    }
}

impl Limits {
    /// The limits the configuration sets, the defaults for the others; a
    /// value that is not a duration or a size, a zero where zero would stop
    /// the service, or a head limit beyond [`HEAD_CEILING`] is an error
    /// naming the key.
    pub(crate) fn from_config(config: &Config) -> Result<Limits, String> {
        let mut limits = Limits::default();
        let positive = |key: &str, d: Option<Duration>| match d {
            Some(d) if d.is_zero() => Err(format!("key `{key}`: must be more than zero")),
            other => Ok(other),
        };
        let duration = |key: &str| config.get_duration(key).map_err(|e| e.to_string());
        if let Some(d) = positive("header_timeout", duration("header_timeout")?)? {
            limits.header_timeout = d;
        }
        if let Some(d) = positive("body_timeout", duration("body_timeout")?)? {
            limits.body_timeout = d;
        }
        if let Some(d) = duration("keep_alive")? {
            limits.keep_alive = d;
        }
        if let Some(n) = config.get_opt::<usize>("connections_per_worker").map_err(|e| e.to_string())? {
            if n == 0 {
                return Err("key `connections_per_worker`: must be more than zero".into());
            }
            limits.connections_per_worker = n;
        }
        if let Some(n) = config.get_bytes("header_limit").map_err(|e| e.to_string())? {
            if n == 0 || n > HEAD_CEILING {
                return Err(format!(
                    "key `header_limit`: {n} bytes is outside 1 byte to {HEAD_CEILING} bytes (128KiB, the protocol layer's own ceiling)"
                ));
            }
            limits.header_limit = n;
        }
        Ok(limits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(yaml: &str) -> Result<Limits, String> {
        Limits::from_config(&macaron_config::Loader::new().load_str("macaron.yaml", yaml).unwrap())
    }

    #[test]
    fn reads_every_limit_and_keeps_the_defaults_of_the_others() {
        assert_eq!(limits("name: x").unwrap(), Limits::default());
        let set = limits(
            "header_timeout: 2s\nbody_timeout: 1m\nkeep_alive: 0\nconnections_per_worker: 100\nheader_limit: 8KiB",
        )
        .unwrap();
        assert_eq!(
            set,
            Limits {
                header_timeout: Duration::from_secs(2),
                body_timeout: Duration::from_secs(60),
                keep_alive: Duration::ZERO,
                connections_per_worker: 100,
                header_limit: 8192,
            }
        );
    }

    #[test]
    fn refuses_values_that_would_stop_the_service_naming_the_key() {
        assert_eq!(limits("body_timeout: 0").unwrap_err(), "key `body_timeout`: must be more than zero");
        assert!(limits("header_timeout: soon").unwrap_err().contains("key `header_timeout`"));
        assert!(limits("connections_per_worker: 0").unwrap_err().contains("connections_per_worker"));
        assert!(limits("connections_per_worker: -1").unwrap_err().contains("connections_per_worker"));
        assert!(limits("header_limit: 1MiB").unwrap_err().contains("128KiB"));
        assert!(limits("header_limit: big").unwrap_err().contains("key `header_limit`"));
    }
}
