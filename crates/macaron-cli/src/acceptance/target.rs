//! Where the tests point: a URL as written (https only when it says so,
//! never guessed from the port), or the `url` an environment's
//! configuration names; and a check that something answers there before
//! any test runs.

use std::path::Path;
use std::time::{Duration, Instant};

use super::Failure;

/// A base URL the tests can use: `http` or `https`, a host, no query; the
/// trailing `/` removed.
pub fn parse(text: &str) -> Result<String, Failure> {
    let bad = |why: &str| Failure::Usage(format!("'{text}' is not a URL to test: {why}"));
    let url = reqwest::Url::parse(text).map_err(|e| bad(&format!("{e} (write it with http:// or https://)")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad("it must start with http:// or https://"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad("it names no host"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad("a base URL has no query or fragment"));
    }
    Ok(text.trim_end_matches('/').to_string())
}

/// The `url` key of the configuration of `env` in `dir` (the base file and
/// its overlay; secrets are not needed to read it).
pub fn configured_url(dir: &Path, env: &str) -> Result<String, Failure> {
    let config = crate::folder_config::load(dir, Some(env)).map_err(|e| Failure::Usage(format!("--env {env}: {e}")))?;
    let files = if config.files.is_empty() { "no configuration file".to_string() } else { config.files.join(", ") };
    config.url.clone().ok_or_else(|| {
        Failure::Usage(format!(
            "--env {env}: the configuration ({files}) names no `url`: add `url: https://...` to macaron.{env}.yaml, or use --url"
        ))
    })
}

/// Waits until `GET {url}/ping` answers (any HTTP status), retrying
/// connection errors for `patience`; then fails naming the URL and why.
pub async fn wait_for(url: &str, insecure: bool, patience: Duration) -> Result<(), Failure> {
    let client = client(insecure).map_err(Failure::Run)?;
    let deadline = Instant::now() + patience;
    let ping = format!("{url}/ping");
    let mut pause = Duration::from_millis(50);
    loop {
        match client.get(&ping).send().await {
            Ok(_) => return Ok(()),
            Err(e) if Instant::now() + pause >= deadline => {
                return Err(Failure::Run(format!(
                    "nothing answers at {ping} (tried for {}): {}",
                    humantime::format_duration(patience),
                    chain(&e)
                )))
            }
            Err(_) => {
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_millis(500));
            }
        }
    }
}

/// Why an instance this command started did not get ready.
pub enum NotReady {
    /// It stopped (the status, as its caller words it).
    Exited(String),
    /// `/health/ready` did not answer 200 in time (the last answer or error).
    Late(String),
}

/// Polls `GET {base}/health/ready` until it answers 200, `exited` reports
/// the instance gone, or `patience` runs out.
pub async fn wait_ready(
    base: &str,
    patience: Duration,
    mut exited: impl FnMut() -> Option<String>,
) -> Result<(), NotReady> {
    let client = client(false).map_err(NotReady::Late)?;
    let url = format!("{base}/health/ready");
    let deadline = Instant::now() + patience;
    loop {
        if let Some(status) = exited() {
            return Err(NotReady::Exited(status));
        }
        let last = match client.get(&url).send().await {
            Ok(reply) if reply.status().is_success() => return Ok(()),
            Ok(reply) => format!("GET /health/ready answered {}", reply.status()),
            Err(e) => chain(&e),
        };
        if Instant::now() >= deadline {
            return Err(NotReady::Late(last));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The HTTP client of the checks: no proxy (tests talk to the target
/// itself), a short timeout per request.
pub fn client(insecure: bool) -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(5))
        .danger_accept_invalid_certs(insecure)
        .build()
        .map_err(|e| format!("cannot make an HTTP client: {}", chain(&e)))
}

/// An error and its causes on one line (`error sending request: client
/// error (Connect): tcp connect error: Connection refused`).
pub fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usage(result: Result<String, Failure>) -> String {
        match result {
            Err(Failure::Usage(e)) => e,
            other => panic!("expected a usage error, got {other:?}"),
        }
    }

    #[test]
    fn urls_are_taken_as_written() {
        assert_eq!(parse("http://127.0.0.1:8080/").ok(), Some("http://127.0.0.1:8080".into()));
        assert_eq!(
            parse("https://staging.example.com:8080/base").ok(),
            Some("https://staging.example.com:8080/base".into())
        );
        assert_eq!(parse("http://example.com:443").ok(), Some("http://example.com:443".into()));
        assert!(usage(parse("127.0.0.1:8080")).contains("http"));
        assert!(usage(parse("ftp://example.com")).contains("http:// or https://"));
        assert!(usage(parse("http://example.com/?a=1")).contains("no query"));
    }
}
