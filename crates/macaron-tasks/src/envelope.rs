//! What is stored for a scheduled task: which function, its arguments, the
//! caller's context, and how it went so far.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::clock::now_millis;
use crate::policy::RetryPolicy;

/// The caller's context, captured when the task is scheduled and restored
/// when it runs (the runtime fills and reads it).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TaskContext {
    /// The id of the request that scheduled the task.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// The authenticated caller (`{"id": ..., "claims": {...}}`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<Value>,
    /// The W3C `traceparent` of the span that scheduled the task, when
    /// traces are on: the task's span continues that trace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub traceparent: Option<String>,
    /// The W3C `tracestate` that goes with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracestate: Option<String>,
}

/// A scheduled task, as the queue keeps it.
///
/// ```
/// use macaron_tasks::{Envelope, RetryPolicy, TaskContext};
/// let e = Envelope::new("app::send_mail", serde_json::json!(["hi"]), TaskContext::default(), RetryPolicy::default());
/// let back = Envelope::from_json(&e.to_json()).unwrap();
/// assert_eq!(back, e);
/// assert_eq!(back.attempts, 0);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    /// A uuid.
    pub id: String,
    /// The task's registered name.
    pub task: String,
    /// The arguments, a JSON array in the function's order.
    pub args: Value,
    /// The caller's context.
    #[serde(default)]
    pub context: TaskContext,
    /// Attempts made so far.
    #[serde(default)]
    pub attempts: u32,
    /// The retry policy.
    #[serde(default)]
    pub policy: RetryPolicy,
    /// When it was scheduled (Unix milliseconds).
    #[serde(default)]
    pub scheduled_at: i64,
    /// The last error, if an attempt failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
}

impl Envelope {
    /// A new envelope with a fresh id.
    pub fn new(task: &str, args: Value, context: TaskContext, policy: RetryPolicy) -> Self {
        Envelope {
            id: uuid::Uuid::new_v4().to_string(),
            task: task.to_string(),
            args,
            context,
            attempts: 0,
            policy,
            scheduled_at: now_millis(),
            last_error: None,
        }
    }

    /// The stored form.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".into())
    }

    /// Reads the stored form.
    pub fn from_json(text: &str) -> Result<Self, String> {
        serde_json::from_str(text).map_err(|e| format!("unreadable task envelope: {e}"))
    }
}
