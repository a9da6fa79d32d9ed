//! The PostgreSQL and Redis the tests talk to: fixed local addresses
//! (`.ci/run` starts both; a developer's machine may have neither), and a
//! probe that applies the [skip rule](crate::skip) when one is down.
//!
//! A probe opens a TCP connection only: tests that connect through their
//! own driver pass that driver's result to [`crate::require`] instead.

use std::net::TcpStream;
use std::time::Duration;

/// The test PostgreSQL: trust authentication, database `test`.
pub const POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// Where [`POSTGRES_URL`] listens.
pub const POSTGRES_ADDR: &str = "127.0.0.1:5432";

/// The test Redis.
pub const REDIS_URL: &str = "redis://127.0.0.1:6379";

/// Where [`REDIS_URL`] listens.
pub const REDIS_ADDR: &str = "127.0.0.1:6379";

/// [`POSTGRES_URL`] when something listens at [`POSTGRES_ADDR`]; else
/// skipped (printed) outside CI, and a failure with `CI=true`.
///
/// ```
/// if let Some(url) = macaron_dev::backends::postgres() {
///     assert!(url.ends_with("/test"));
/// }
/// ```
pub fn postgres() -> Option<&'static str> {
    listening("PostgreSQL", POSTGRES_URL, POSTGRES_ADDR)
}

/// [`REDIS_URL`] when something listens at [`REDIS_ADDR`]; else skipped
/// (printed) outside CI, and a failure with `CI=true`.
pub fn redis() -> Option<&'static str> {
    listening("Redis", REDIS_URL, REDIS_ADDR)
}

fn listening(name: &str, url: &'static str, addr: &str) -> Option<&'static str> {
    let connected = addr
        .parse()
        .map_err(|e| format!("{addr}: {e}"))
        .and_then(|at| TcpStream::connect_timeout(&at, Duration::from_secs(5)).map_err(|e| e.to_string()));
    crate::require(&format!("{name} at {url}"), connected).map(|_| url)
}
