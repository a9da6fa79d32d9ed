//! Outages reported once, not once per request.
//!
//! While a database or a queue is down, every request that needs it is a
//! 503, each with its `error_id`: one crash report per request would bury
//! the one that matters under hundreds of copies (a full disk gave 282 in
//! one run of `bench/reliability/sqlite_full.py`). So a 503 is reported at
//! most once per code every [`WINDOW`]; the next report that passes says
//! how many were held back, and each one held back is still logged with
//! its `error_id`, so every id a caller was given can be found.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// How often an outage's code is reported at most.
pub(crate) const WINDOW: Duration = Duration::from_secs(10);

/// Per code: when it was last reported, and how many were held back since.
fn gate() -> &'static Mutex<HashMap<String, (Instant, u64)>> {
    static GATE: OnceLock<Mutex<HashMap<String, (Instant, u64)>>> = OnceLock::new();
    GATE.get_or_init(Default::default)
}

/// `None` when this 503 of `code` is held back (reported within the
/// window); else how many were held back since the last report.
pub(crate) fn admit(code: &str, now: Instant) -> Option<u64> {
    let mut gate = gate().lock().unwrap_or_else(|e| e.into_inner());
    match gate.get_mut(code) {
        Some((last, held)) if now.duration_since(*last) < WINDOW => {
            *held += 1;
            None
        }
        Some((last, held)) => {
            *last = now;
            Some(std::mem::take(held))
        }
        None => {
            gate.insert(code.to_string(), (now, 0));
            Some(0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_report_per_code_per_window_counting_the_others() {
        let t0 = Instant::now();
        let code = "TEST_OUTAGE_GATE";
        assert_eq!(admit(code, t0), Some(0));
        assert_eq!(admit(code, t0 + Duration::from_secs(1)), None);
        assert_eq!(admit(code, t0 + Duration::from_secs(9)), None);
        // Another code is its own outage.
        assert_eq!(admit("TEST_OTHER_OUTAGE", t0 + Duration::from_secs(9)), Some(0));
        assert_eq!(admit(code, t0 + WINDOW), Some(2));
        assert_eq!(admit(code, t0 + WINDOW + Duration::from_secs(1)), None);
    }
}
