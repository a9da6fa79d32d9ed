//! Crash reports: what the team hears about when the service breaks.
//!
//! A 500 reply tells the caller something went wrong; the people who run the
//! service need to know what, and where, without grepping logs. So every
//! server error (a handler's 5xx, a panic, a reply that breaks the spec, a
//! task that gave up) gets a uuid `error_id`, sent in the reply, and a crash
//! report, titled `FATAL BACKEND ERROR <service> <status> <code>:
//! <description>`, whose message is a JSON dump of the error, its
//! backtrace, the request, the caller, the server and the timing, and
//! carries the same id ([`fatal`]). It names the operation and its
//! handler, and its backtrace lists the service's own frames first, the
//! runtime's folded into a count (`frames`). A handler that caught an error it can
//! live with calls [`report_error`] to send a `NON-FATAL BACKEND ERROR`
//! report and goes on. A 503 (a backend down) is reported once per code
//! every ten seconds, not once per request ([`outage`]).
//!
//! Reports are written and delivered on the reporter thread
//! ([`crate::instance`]'s sink): a slow or panicking reporter never delays
//! or breaks a reply. Authorization headers, cookies, the request's token
//! and every configured secret are replaced by `***` before a report
//! leaves, so they never reach a reporter or a log line. `panic` records a
//! panic's message and backtrace in the request's record, for its report.

use std::backtrace::Backtrace;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use serde_json::{json, Value};

use crate::error::{Error, ErrorObject};
use crate::request::record::{lock, with_current};
use crate::request::Current;
use crate::secrets::{redact, redact_headers};

mod frames;
mod outage;
mod panic;

pub(crate) use panic::install_panic_hook;

/// The largest request body copied into a report.
const BODY_IN_REPORT: usize = 10 * 1024;

/// Sends the crash report of a server error replied (or logged) with `error_id`.
pub(crate) fn fatal(current: &Arc<Current>, error: &Error, error_id: &str) {
    let description: String = error.error_description.chars().take(200).collect();
    let mut title =
        format!("FATAL BACKEND ERROR {} {} {}: {}", current.instance.name, error.status, error.code, description);
    if error.status == 503 {
        // An outage: one report per code and window (see `outage`).
        match outage::admit(&error.code, std::time::Instant::now()) {
            None => {
                tracing::error!(request_id = %current.request_id, error_id, code = %error.code,
                    "{} (reported at most once every {} s)", redact(&description, &current.secrets()), outage::WINDOW.as_secs());
                return;
            }
            Some(0) => {}
            Some(held) => title.push_str(&format!(" (and {held} more since the last report)")),
        }
    }
    let panic = current.panic();
    let backtrace = panic.as_ref().map(|p| p.backtrace.clone()).or_else(|| error.backtrace_arc());
    let detail = json!({
        "status": error.status,
        "code": error.code,
        "description": error.error_description,
        "cause": error.cause.as_ref().map(|c| format!("{c:?}")),
        "panic": panic.as_ref().map(|p| p.message.clone()),
    });
    // What the caller was sent (before the decorator): the wire object itself.
    let mut object = ErrorObject::of(error);
    object.error_id = Some(error_id.into());
    object.trace_id = current.trace_id.as_deref().map(Into::into);
    let response = serde_json::to_value(object).unwrap_or(Value::Null);
    send(current, error_id, title, detail, backtrace, response);
}

/// Sends a `NON-FATAL BACKEND ERROR` report about an error a handler caught
/// and can live with, then returns. Outside a request it only logs.
///
/// ```
/// fn charge() -> Result<(), std::io::Error> { Err(std::io::Error::other("gateway down")) }
///
/// async fn pay() -> macaron::Result<serde_json::Value> {
///     if let Err(e) = charge() {
///         macaron::report_error("payment gateway failed, will retry", &e);
///     }
///     Ok(serde_json::json!({"queued": true}))
/// }
/// # let _ = pay;
/// ```
pub fn report_error(title: &str, caught: &dyn fmt::Display) {
    let sent = with_current(|current| {
        let title = format!("NON-FATAL BACKEND ERROR {}: {title}", current.instance.name);
        let detail = json!({"description": caught.to_string()});
        let backtrace = Arc::new(Backtrace::force_capture());
        send(current, &crate::error::id::error_id(), title, detail, Some(backtrace), Value::Null);
    });
    if sent.is_none() {
        tracing::warn!("NON-FATAL BACKEND ERROR (outside a request): {title}: {caught}");
    }
}

/// Queues a report: written on the reporter thread, where resolving the
/// backtrace's symbols costs no request anything.
fn send(
    current: &Arc<Current>,
    error_id: &str,
    title: String,
    detail: Value,
    backtrace: Option<Arc<Backtrace>>,
    response: Value,
) {
    let (end, duration_ms) = (SystemTime::now(), current.clock.elapsed().as_secs_f64() * 1000.0);
    let (owned, error_id) = (current.clone(), error_id.to_string());
    current.reports.send(Box::new(move || {
        let backtrace = backtrace.map(|b| frames::for_report(&b.to_string()));
        let message = dump(&owned, &error_id, detail, backtrace, response, end, duration_ms);
        (redact(&title, &owned.secrets()), message)
    }));
}

/// The report's message: the error, the request, the caller, the server
/// and the timing, as indented JSON, secrets hidden.
fn dump(
    current: &Current,
    error_id: &str,
    error: Value,
    backtrace: Option<Value>,
    response: Value,
    end: SystemTime,
    duration_ms: f64,
) -> String {
    let instance = &current.instance;
    let operation = current.operation.get();
    let dump = json!({
        "error_id": error_id,
        "trace_id": current.trace_id,
        "operation": operation.map(|o| o.id.as_ref()),
        "handler": operation.and_then(|o| o.handler.as_deref()),
        "error": error,
        "backtrace": backtrace,
        "request": {
            "id": current.request_id.as_str(),
            "method": current.method,
            "path": current.path(),
            "query": current.query(),
            "headers": redact_headers(current.headers.list()).iter().map(|(k, v)| json!([k, v])).collect::<Vec<_>>(),
            "body": body_for_report(&lock(&current.body)),
        },
        "caller": {
            "ip": current.caller_ip.map(|ip| ip.to_string()).unwrap_or_default(),
            "forwarded_ip": current.headers.get("x-forwarded-for").or_else(|| current.headers.get("x-real-ip")),
            "user_agent": current.headers.get("user-agent"),
            "user_id": *lock(&current.user_id),
        },
        "server": {
            "name": instance.name,
            "version": instance.version,
            "env": instance.env,
            "host": instance.host,
            "port": instance.port.get(),
        },
        "timing": {
            "start": rfc3339(end.checked_sub(Duration::from_secs_f64(duration_ms / 1000.0)).unwrap_or(end)),
            "end": rfc3339(end),
            "duration_ms": duration_ms,
        },
        "response": response,
    });
    let text = serde_json::to_string_pretty(&dump).unwrap_or_else(|_| dump.to_string());
    redact(&text, &current.secrets())
}

/// Truncates a request body for a report.
fn body_for_report(bytes: &[u8]) -> String {
    let cut = bytes.len().min(BODY_IN_REPORT);
    let mut text = String::from_utf8_lossy(&bytes[..cut]).into_owned();
    if bytes.len() > cut {
        text.push_str(&format!("... ({} bytes in all)", bytes.len()));
    }
    text
}

fn rfc3339(time: SystemTime) -> String {
    humantime::format_rfc3339_millis(time).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_bodies_are_truncated() {
        let body = vec![b'a'; 20_000];
        let text = body_for_report(&body);
        assert!(text.len() < 10_300);
        assert!(text.ends_with("(20000 bytes in all)"));
    }
}
