//! [`eventually`]: waiting for something asynchronous, with a deadline.

use std::future::Future;
use std::time::Duration;

/// The first wait between two checks; it doubles up to [`LONGEST_WAIT`].
const FIRST_WAIT: Duration = Duration::from_millis(20);

/// The longest wait between two checks.
const LONGEST_WAIT: Duration = Duration::from_millis(500);

/// Calls `check` until it returns `Some`, and returns that value; panics
/// with "eventually: {what} did not happen within {timeout:?}" when it is
/// still `None` after `timeout` (this is test code).
///
/// Checks are 20 ms apart at first, the wait doubling up to 500 ms, so a
/// fast result is seen fast and a slow one does not flood the service; the
/// last check is made at the deadline.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use std::sync::atomic::{AtomicU32, Ordering};
/// use std::time::Duration;
///
/// // Something that becomes ready later: a background task, a queue, a replica.
/// let polls = AtomicU32::new(0);
/// let value = macaron::test::eventually(Duration::from_secs(5), "the third poll", || async {
///     let n = polls.fetch_add(1, Ordering::SeqCst) + 1;
///     (n >= 3).then_some(n * 10)
/// })
/// .await;
/// assert_eq!(value, 30);
/// # }
/// ```
///
/// Against a service, the check is usually a call:
///
/// ```no_run
/// # async fn demo(server: macaron::test::TestServer) {
/// # use std::time::Duration;
/// let pet = macaron::test::eventually(Duration::from_secs(10), "pet 7 to be adopted", || async {
///     let pet = server.assert_call_json("GET", "/v1/pets/7", None, 200).await;
///     (pet["status"] == "adopted").then_some(pet)
/// })
/// .await;
/// # }
/// ```
pub async fn eventually<T, F, Fut>(timeout: Duration, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let start = tokio::time::Instant::now();
    let mut wait = FIRST_WAIT;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        let elapsed = start.elapsed();
        if elapsed >= timeout {
            panic!("eventually: {what} did not happen within {timeout:?}");
        }
        tokio::time::sleep(wait.min(timeout - elapsed)).await;
        wait = (wait * 2).min(LONGEST_WAIT);
    }
}
