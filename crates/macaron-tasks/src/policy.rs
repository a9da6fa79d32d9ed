//! How often a failing task is tried again, and how long to wait between tries.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// A retry policy: at most `max_attempts` runs, waiting `backoff`, then
/// twice that, and so on (capped at `max_backoff`) between them.
///
/// ```
/// use std::time::Duration;
/// use macaron_tasks::RetryPolicy;
///
/// let p = RetryPolicy::new(4).backoff(Duration::from_secs(2));
/// assert_eq!(p.wait_after(1), Duration::from_secs(2));
/// assert_eq!(p.wait_after(3), Duration::from_secs(8));
/// assert!(p.gives_up_after(4));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetryPolicy {
    /// Runs in all, the first one included (at least 1).
    pub max_attempts: u32,
    /// The wait after the first failure, in milliseconds.
    pub backoff_ms: u64,
    /// The longest wait, in milliseconds.
    pub max_backoff_ms: u64,
}

impl Default for RetryPolicy {
    /// 3 attempts, 1 s then 2 s apart.
    fn default() -> Self {
        RetryPolicy { max_attempts: 3, backoff_ms: 1_000, max_backoff_ms: 300_000 }
    }
}

impl RetryPolicy {
    /// `max_attempts` runs with the default backoff.
    pub const fn new(max_attempts: u32) -> Self {
        RetryPolicy {
            max_attempts: if max_attempts == 0 { 1 } else { max_attempts },
            backoff_ms: 1_000,
            max_backoff_ms: 300_000,
        }
    }

    /// The wait after the first failure (doubled after each further one).
    pub fn backoff(mut self, wait: Duration) -> Self {
        self.backoff_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX);
        self
    }

    /// The longest wait between two attempts.
    pub fn max_backoff(mut self, wait: Duration) -> Self {
        self.max_backoff_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX);
        self
    }

    /// How long to wait after attempt number `attempt` (1-based) failed.
    pub fn wait_after(&self, attempt: u32) -> Duration {
        let factor = 1u64.checked_shl(attempt.saturating_sub(1).min(62)).unwrap_or(u64::MAX);
        Duration::from_millis(self.backoff_ms.saturating_mul(factor).min(self.max_backoff_ms))
    }

    /// Whether a task whose attempt number `attempt` failed gives up.
    pub fn gives_up_after(&self, attempt: u32) -> bool {
        attempt >= self.max_attempts.max(1)
    }
}
