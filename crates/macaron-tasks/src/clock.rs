//! Time as the queue keeps it: Unix milliseconds.
//!
//! Envelopes, both stores and the queue all stamp and compare times; they
//! read one clock, here, in one unit.

/// Now, in Unix milliseconds.
pub(crate) fn now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
