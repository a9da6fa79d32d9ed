//! Readiness of a new instance on a port where the old one may still
//! listen (`SO_REUSEPORT`): each try opens one connection, asks `/version`
//! and, when the new version (and instance, `MACARON_INSTANCE`) answered,
//! `/health/ready` on the same connection, so both answers come from the
//! same process. Polled with a deadline, never slept on.

use std::time::{Duration, Instant};

/// Waits until `version` answers ready at `base`; `exited` reports the new
/// instance gone (then it stops at once).
pub async fn ready(
    base: &str,
    version: &str,
    instance: Option<&str>,
    patience: Duration,
    mut exited: impl FnMut() -> Option<String>,
) -> Result<(), String> {
    let deadline = Instant::now() + patience;
    loop {
        if let Some(why) = exited() {
            return Err(format!("the new instance stopped before it was ready: {why}"));
        }
        let last = match try_once(base, version, instance).await {
            Ok(()) => return Ok(()),
            Err(why) => why,
        };
        if Instant::now() >= deadline {
            return Err(format!(
                "version {version} was not ready at {base} within {} ({last})",
                humantime::format_duration(patience)
            ));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn try_once(base: &str, version: &str, instance: Option<&str>) -> Result<(), String> {
    let client = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(5))
        .pool_max_idle_per_host(1)
        .build()
        .map_err(|e| e.to_string())?;
    let seen = client.get(format!("{base}/version")).send().await.map_err(|e| crate::acceptance::chain(&e))?;
    let body: serde_json::Value = seen.json().await.map_err(|e| format!("GET /version: {e}"))?;
    let answered = body["version"].as_str().unwrap_or_default();
    if answered != version {
        return Err(format!("GET /version answered {answered}"));
    }
    if instance.is_some_and(|i| body["instance"].as_str() != Some(i)) {
        return Err(format!("GET /version answered {answered} from the instance before"));
    }
    let ready = client.get(format!("{base}/health/ready")).send().await.map_err(|e| crate::acceptance::chain(&e))?;
    if ready.status().is_success() {
        Ok(())
    } else {
        Err(format!("GET /health/ready answered {}", ready.status()))
    }
}

/// Whether process `pid` still runs (a zombie does not) and its command
/// line holds `marker` (a reused pid does not).
pub fn alive(pid: i32, marker: &str) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else { return false };
    let state = stat.rsplit_once(')').and_then(|(_, rest)| rest.split_whitespace().next());
    if state == Some("Z") {
        return false;
    }
    std::fs::read(format!("/proc/{pid}/cmdline")).is_ok_and(|c| String::from_utf8_lossy(&c).contains(marker))
}
