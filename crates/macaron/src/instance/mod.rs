//! The running instance: who it is, and where its reports go.
//!
//! Every request, task and crash report needs a few facts about the
//! process serving it (the service's name, version, environment, host and
//! port) and a way to send a crash report without waiting for it. They are
//! made once at startup, shared by reference, and sit below every other
//! room of the runtime: the request's record points at them, the reports
//! room and the built-in `/version` read them. The task queue a request
//! schedules on is found here too (filled when the service connects), so
//! the request's record does not depend on the tasks room.

use std::sync::OnceLock;

mod sink;

pub(crate) use sink::{ReporterFn, Reports};

/// What the server says about itself in reports and `/version`.
#[derive(Debug)]
pub(crate) struct Instance {
    pub name: String,
    pub version: String,
    pub env: String,
    pub host: String,
    /// The port it listens on, once bound.
    pub port: OnceLock<u16>,
    /// The queue tasks are scheduled on, once connected.
    pub tasks: OnceLock<TaskQueue>,
}

/// A task queue and its metrics: what scheduling a task needs.
#[derive(Debug, Clone)]
pub(crate) struct TaskQueue {
    pub queue: macaron_tasks::Queue,
    pub metrics: macaron_tasks::TaskMetrics,
}

impl Instance {
    /// The instance of a service with this name, version and environment,
    /// on this host.
    pub fn new(name: String, version: String, env: String) -> Self {
        Instance { name, version, env, host: hostname(), port: OnceLock::new(), tasks: OnceLock::new() }
    }
}

fn hostname() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/proc/sys/kernel/hostname").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "unknown".into())
}
