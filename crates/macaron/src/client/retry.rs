//! When a call is tried again, and how long to wait first.
//!
//! Only idempotent methods are retried (GET, HEAD, PUT, DELETE, OPTIONS,
//! TRACE): a POST or PATCH that timed out may have been carried out. They
//! are retried after a connect error, a timeout, or a reply saying the
//! service is busy or behind a failing proxy (429, 502, 503, 504). The wait
//! before retry `n` (counting from 0) is "full jitter": a random time in
//! `[0, min(cap, base·2ⁿ)]`, so that many clients failing together do not
//! retry together; a `Retry-After` of seconds is waited instead, up to `cap`.

use std::time::Duration;

use http::HeaderMap;

/// Exponential backoff with full jitter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Backoff {
    /// The ceiling of the first wait.
    pub base: Duration,
    /// The longest wait, `Retry-After` included.
    pub cap: Duration,
}

impl Backoff {
    /// The longest wait before retry `n` (0 for the first): `min(cap, base·2ⁿ)`.
    pub fn ceiling(&self, retry: u32) -> Duration {
        self.base.saturating_mul(2u32.saturating_pow(retry)).min(self.cap)
    }

    /// The wait before retry `n`: `Retry-After` (up to the cap) when the
    /// reply gave one, else a random time up to [`Backoff::ceiling`].
    pub fn delay(&self, retry: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(after) = retry_after {
            return after.min(self.cap);
        }
        let ceiling = u64::try_from(self.ceiling(retry).as_nanos()).unwrap_or(u64::MAX);
        Duration::from_nanos(fastrand::u64(0..=ceiling))
    }
}

/// Whether a method may be sent twice with the effect of once.
pub(crate) fn idempotent(method: &reqwest::Method) -> bool {
    matches!(method.as_str(), "GET" | "HEAD" | "PUT" | "DELETE" | "OPTIONS" | "TRACE")
}

/// Whether a reply says "try again": too many requests, or a gateway or
/// the service itself unavailable for now.
pub(crate) fn retryable_status(status: u16) -> bool {
    matches!(status, 429 | 502 | 503 | 504)
}

/// A `Retry-After` given in seconds (an HTTP date is ignored: the backoff
/// applies).
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let text = headers.get(http::header::RETRY_AFTER)?.to_str().ok()?;
    text.trim().parse::<u64>().ok().map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ceiling_doubles_up_to_the_cap() {
        let b = Backoff { base: Duration::from_millis(100), cap: Duration::from_secs(1) };
        let ceilings: Vec<u128> = (0..6).map(|n| b.ceiling(n).as_millis()).collect();
        assert_eq!(ceilings, [100, 200, 400, 800, 1000, 1000]);
        assert_eq!(b.ceiling(200), Duration::from_secs(1), "no overflow");
    }

    #[test]
    fn delays_are_jittered_within_the_ceiling() {
        let b = Backoff { base: Duration::from_millis(100), cap: Duration::from_secs(1) };
        let delays: Vec<Duration> = (0..200).map(|_| b.delay(2, None)).collect();
        assert!(delays.iter().all(|d| *d <= Duration::from_millis(400)));
        // Full jitter: not one fixed wait (200 equal draws of a nanosecond
        // range do not happen).
        assert!(delays.iter().any(|d| *d != delays[0]));
        assert_eq!(Backoff { base: Duration::ZERO, cap: Duration::ZERO }.delay(3, None), Duration::ZERO);
    }

    #[test]
    fn retry_after_is_honoured_up_to_the_cap() {
        let b = Backoff { base: Duration::from_millis(10), cap: Duration::from_secs(2) };
        assert_eq!(b.delay(0, Some(Duration::from_secs(1))), Duration::from_secs(1));
        assert_eq!(b.delay(0, Some(Duration::from_secs(120))), Duration::from_secs(2));
        let mut headers = HeaderMap::new();
        headers.insert(http::header::RETRY_AFTER, http::HeaderValue::from_static(" 3 "));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(3)));
        headers.insert(http::header::RETRY_AFTER, http::HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"));
        assert_eq!(retry_after(&headers), None);
    }

    #[test]
    fn only_idempotent_methods_and_busy_replies_are_retried() {
        let methods = ["GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE", "POST", "PATCH"];
        let retried: Vec<bool> =
            methods.iter().map(|m| idempotent(&reqwest::Method::from_bytes(m.as_bytes()).unwrap())).collect();
        assert_eq!(retried, [true, true, true, true, true, true, false, false]);
        let statuses: Vec<u16> = (400..600).filter(|s| retryable_status(*s)).collect();
        assert_eq!(statuses, [429, 502, 503, 504]);
    }
}
