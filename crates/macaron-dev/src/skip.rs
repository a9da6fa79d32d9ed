//! The one rule for a test whose backend (a database, a container engine,
//! the corpus) is missing: outside CI, skip with the reason printed as
//! `SKIPPED: <test>: <reason>`; with `CI=true`, fail with that reason,
//! because CI must run every test it claims to have run.
//!
//! The test's name is the name libtest gives the thread running it, so
//! callers only say what is missing and why.

use std::fmt::Display;

/// Whether the tests run in CI (`CI=true` in the environment): then no
/// test may be skipped.
///
/// ```
/// # let _ =
/// macaron_dev::in_ci();
/// ```
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// `reachable`'s value, or `None` after [`skip_or_fail`] when the backend
/// it connected to is unreachable. `backend` names it, as the reason's
/// start: `PostgreSQL at postgres://...`, `the base image ...`.
///
/// ```
/// # async fn connect(_: &str) -> Result<u32, std::io::Error> { Ok(1) }
/// # async fn example() {
/// let Some(pool) = macaron_dev::require("PostgreSQL", connect("postgres://...").await) else {
///     return; // skipped, with the reason printed
/// };
/// # let _ = pool; }
/// assert_eq!(macaron_dev::require("a backend", Ok::<_, String>(7)), Some(7));
/// ```
///
/// # Panics
///
/// With `CI=true`, when `reachable` is an error.
pub fn require<T, E: Display>(backend: &str, reachable: Result<T, E>) -> Option<T> {
    decide(in_ci(), backend, reachable)
}

/// Skips the calling test with `reason` printed (`SKIPPED: <test>:
/// <reason>`) outside CI; the caller then returns. Under `CI=true`, fails
/// the test with the reason instead.
///
/// # Panics
///
/// With `CI=true`, always.
pub fn skip_or_fail(reason: impl Display) {
    skip_or_fail_in(in_ci(), &reason.to_string());
}

fn decide<T, E: Display>(ci: bool, backend: &str, reachable: Result<T, E>) -> Option<T> {
    match reachable {
        Ok(value) => Some(value),
        Err(e) => {
            skip_or_fail_in(ci, &format!("{backend} is unreachable: {e}"));
            None
        }
    }
}

fn skip_or_fail_in(ci: bool, reason: &str) {
    let current = std::thread::current();
    let test = current.name().filter(|n| *n != "main").unwrap_or("a test");
    assert!(!ci, "{test}: {reason} (CI=true: a test may not be skipped there)");
    eprintln!("SKIPPED: {test}: {reason}");
}

#[cfg(test)]
mod tests {
    use super::decide;

    #[test]
    fn a_reachable_backend_gives_its_value_in_and_out_of_ci() {
        assert_eq!(decide(false, "x", Ok::<_, String>(1)), Some(1));
        assert_eq!(decide(true, "x", Ok::<_, String>(1)), Some(1));
    }

    #[test]
    fn outside_ci_an_unreachable_backend_skips() {
        assert_eq!(decide(false, "Redis at redis://127.0.0.1:1", Err::<u8, _>("connection refused")), None);
    }

    #[test]
    #[should_panic(expected = "under_ci_an_unreachable_backend_fails_the_test: Redis at redis://127.0.0.1:1 \
                               is unreachable: connection refused (CI=true")]
    fn under_ci_an_unreachable_backend_fails_the_test() {
        decide(true, "Redis at redis://127.0.0.1:1", Err::<u8, _>("connection refused"));
    }
}
