//! The tasks a program knows: each `#[macaron::task]` function registers a
//! [`TaskDef`] at link time (with `inventory`), so a worker finds the code
//! for a stored task by its name without any list kept by hand.

use std::future::Future;
use std::pin::Pin;

use serde_json::Value;

use crate::policy::RetryPolicy;

/// What running a task gives: `Err` with a description when it failed.
pub type TaskFuture = Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'static>>;

/// A task function, registered under a stable name.
#[derive(Debug)]
pub struct TaskDef {
    /// The name stored with scheduled tasks: `module::path::function`
    /// unless the attribute gives one (`#[macaron::task(name = "...")]`).
    pub name: &'static str,
    /// The default retry policy.
    pub policy: RetryPolicy,
    /// Decodes the arguments (a JSON array) and runs the function.
    pub run: fn(Value) -> TaskFuture,
}

inventory::collect!(TaskDef);

/// Registers a task by hand (what the attribute macro expands to).
#[doc(hidden)]
pub use inventory::submit;

/// The task registered under `name`.
///
/// ```
/// assert!(macaron_tasks::find("no::such::task").is_none());
/// ```
pub fn find(name: &str) -> Option<&'static TaskDef> {
    inventory::iter::<TaskDef>.into_iter().find(|t| t.name == name)
}

/// Every task registered in this program.
pub fn all() -> Vec<&'static TaskDef> {
    let mut tasks: Vec<&'static TaskDef> = inventory::iter::<TaskDef>.into_iter().collect();
    tasks.sort_by_key(|t| t.name);
    tasks
}

/// What a task function may return: `()`, or a `Result` whose error says
/// what went wrong.
pub trait TaskOutput {
    /// `Err(description)` when the task failed.
    fn into_outcome(self) -> Result<(), String>;
}

impl TaskOutput for () {
    fn into_outcome(self) -> Result<(), String> {
        Ok(())
    }
}

impl<T, E: std::fmt::Display> TaskOutput for Result<T, E> {
    fn into_outcome(self) -> Result<(), String> {
        self.map(|_| ()).map_err(|e| e.to_string())
    }
}
