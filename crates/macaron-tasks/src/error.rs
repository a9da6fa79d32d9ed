//! What goes wrong when a task is scheduled or its queue read.
//!
//! One error for both stores: the SQL and Redis errors are sorted into
//! "try again later" ([`TaskError::Unavailable`]) and the rest where they
//! are met (`queue`), so schedulers and the runtime handle one type.

use std::fmt;

/// Why a task could not be scheduled or its queue read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskError {
    /// The store (database or Redis) cannot be reached: try again later.
    Unavailable(String),
    /// The store refused the operation.
    Store(String),
    /// The arguments cannot be serialised, or no queue is running.
    Invalid(String),
}

impl fmt::Display for TaskError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TaskError::Unavailable(why) => write!(f, "the task queue is unavailable: {why}"),
            TaskError::Store(why) => write!(f, "task queue error: {why}"),
            TaskError::Invalid(why) => write!(f, "{why}"),
        }
    }
}

impl std::error::Error for TaskError {}
