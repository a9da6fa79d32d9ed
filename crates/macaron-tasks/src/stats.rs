//! What a queue says about the tasks it holds: how many are where, and
//! the ones that gave up.
//!
//! Both stores answer in these types (the SQL one converts its rows, the
//! Redis one stores failed tasks as their JSON), so they sit below both
//! and below the `Queue` that puts the stores behind one type.

use serde::{Deserialize, Serialize};

/// How many tasks are where.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// Due and waiting for a worker.
    pub queued: u64,
    /// Waiting for a later time (a delay, or a backoff before a retry).
    pub delayed: u64,
    /// Being run by a worker.
    pub running: u64,
    /// Gave up.
    pub failed: u64,
    /// When the longest-waiting due task became due (Unix milliseconds),
    /// if one waits: its age is how far behind the workers are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oldest_due_at: Option<i64>,
}

/// A task that gave up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailedTask {
    /// Its id.
    pub id: String,
    /// Its name.
    pub task: String,
    /// The last error.
    pub error: String,
    /// When it gave up (Unix milliseconds).
    pub failed_at: i64,
    /// Its envelope, as stored.
    pub envelope: String,
}
