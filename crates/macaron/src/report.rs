//! Crash reports: what the team hears about when the service breaks.
//!
//! A 500 reply tells the caller something went wrong; the people who run the
//! service need to know what, and where, without grepping logs. So every
//! server error (a handler's 5xx, a panic, a reply that breaks the spec)
//! gets a uuid `error_id`, sent in the reply, and a crash report, titled
//! `FATAL BACKEND ERROR <service> <status> <code>: <description>`, whose
//! message is a JSON dump of the error, its backtrace, the request, the
//! caller, the server and the timing, and carries the same id. A handler
//! that caught an error it can live with calls [`report_error`] to send a
//! `NON-FATAL BACKEND ERROR` report and goes on.
//!
//! Reports go to the service's `error_reporter` (mail, Slack, ...), or to
//! the log when there is none. The reporter runs on a thread of its own,
//! fed by a channel, and inside `catch_unwind`: a slow or panicking reporter
//! never delays or breaks a reply. Authorization headers, cookies, the
//! request's token and every configured secret are replaced by `***` before
//! a report is built, so they never reach a reporter or a log line.
//!
//! The request being served is kept in a tokio task-local, so
//! [`report_error`] and the panic hook can find it without being handed it.

use std::backtrace::Backtrace;
use std::borrow::Cow;
use std::fmt;
use std::net::IpAddr;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Mutex, Once, OnceLock};
use std::time::{Duration, Instant, SystemTime};

use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
use actix_web::http::Uri;
use actix_web::web::Bytes;
use serde_json::{json, Value};

use crate::error::Error;

/// The function a service gives to receive reports: `(title, message)`.
pub(crate) type ReporterFn = Arc<dyn Fn(&str, &str) + Send + Sync>;

/// Headers whose values never appear in a report or a log.
const SECRET_HEADERS: [&str; 5] = ["authorization", "cookie", "set-cookie", "proxy-authorization", "x-api-key"];

/// The largest request body copied into a report.
const BODY_IN_REPORT: usize = 10 * 1024;

/// What the server says about itself in reports and `/version`.
#[derive(Debug)]
pub(crate) struct ServerInfo {
    pub name: String,
    pub version: String,
    pub env: String,
    pub host: String,
    pub port: OnceLock<u16>,
    /// The task queue and workers, once connected.
    pub tasks: OnceLock<Arc<crate::tasks::TaskRuntime>>,
}

/// A report still to be written: built on the reporter thread, because
/// resolving a backtrace's symbols is slow.
type Job = Box<dyn FnOnce() -> (String, String) + Send>;

/// Where reports go: a channel to the reporter thread.
pub(crate) struct Reports {
    tx: Sender<Job>,
    secrets: Vec<String>,
    /// Reports sent and not yet delivered.
    pending: Arc<AtomicUsize>,
}

impl Reports {
    /// Starts the reporter thread.
    pub fn start(reporter: Option<ReporterFn>, secrets: Vec<String>) -> Self {
        let (tx, rx) = mpsc::channel::<Job>();
        let pending = Arc::new(AtomicUsize::new(0));
        let done = pending.clone();
        let spawned = std::thread::Builder::new().name("macaron-reporter".into()).spawn(move || {
            for job in rx {
                let Ok((title, message)) = panic::catch_unwind(AssertUnwindSafe(job)) else {
                    tracing::error!("a crash report could not be written");
                    done.fetch_sub(1, Ordering::SeqCst);
                    continue;
                };
                match &reporter {
                    Some(report) => {
                        if panic::catch_unwind(AssertUnwindSafe(|| report(&title, &message))).is_err() {
                            tracing::error!(%title, "the error reporter panicked");
                        }
                    }
                    None => tracing::error!(%title, "{message}"),
                }
                done.fetch_sub(1, Ordering::SeqCst);
            }
        });
        if let Err(e) = spawned {
            tracing::error!("cannot start the reporter thread ({e}); reports will be lost");
        }
        Reports { tx, secrets: secrets.into_iter().filter(|s| !s.is_empty()).collect(), pending }
    }

    fn send(&self, job: Job) {
        self.pending.fetch_add(1, Ordering::SeqCst);
        if self.tx.send(job).is_err() {
            self.pending.fetch_sub(1, Ordering::SeqCst);
            tracing::error!("the reporter thread is gone; a report is lost");
        }
    }

    /// `text` with every secret of the service replaced by `***`.
    pub fn redact(&self, text: &str) -> String {
        redact(text, &as_strs(&self.secrets))
    }

    /// Waits (at most `timeout`) until every report sent has been delivered:
    /// called before the process exits, so no crash report is lost.
    pub fn flush(&self, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        while self.pending.load(Ordering::SeqCst) > 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

/// What a panic left behind, recorded by the panic hook.
#[derive(Debug, Clone)]
pub(crate) struct PanicNote {
    pub message: String,
    pub backtrace: Arc<Backtrace>,
}

/// A request's headers: the actix map (cheap to clone: its values share the
/// request's buffer), listed as `(name, value)` strings only when something
/// asks for the list (a handler's [`crate::Request`], a report, auth).
#[derive(Default)]
pub(crate) struct Headers {
    map: HeaderMap,
    list: OnceLock<Arc<Vec<(String, String)>>>,
    secrets: bool,
}

impl Headers {
    /// The headers of a request; `secrets` tells whether one of them may
    /// hold a secret (see [`is_secret`]), found by the caller's own pass.
    pub fn new(map: HeaderMap, secrets: bool) -> Self {
        Headers { map, list: OnceLock::new(), secrets }
    }

    /// The headers as received.
    pub fn map(&self) -> &HeaderMap {
        &self.map
    }

    /// The header map, given back (an empty one left in its place).
    pub fn take_map(&mut self) -> HeaderMap {
        std::mem::take(&mut self.map)
    }

    /// Every header as received, names in lower case, values as text.
    pub fn list(&self) -> &Arc<Vec<(String, String)>> {
        self.list.get_or_init(|| {
            Arc::new(
                self.map
                    .iter()
                    .map(|(k, v)| (k.as_str().to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
                    .collect(),
            )
        })
    }

    /// The first value of a header (name in lower case), as text.
    pub fn get(&self, name: &str) -> Option<String> {
        self.map.get(name).map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
    }

    /// True when the request carries a header that may hold a secret.
    pub fn has_secrets(&self) -> bool {
        self.secrets
    }
}

/// True for a header that may hold a secret ([`SECRET_HEADERS`]).
pub(crate) fn is_secret(name: &HeaderName) -> bool {
    SECRET_HEADERS.contains(&name.as_str())
}

/// A request's id: the caller's `X-Request-Id` when usable, else a new
/// uuid. The caller's is kept as the header value it came in (sent back
/// with no copy); a new one as its 36 characters in place, turned into a
/// header value once, for the reply.
#[derive(Clone, Debug)]
pub(crate) enum RequestId {
    New([u8; 36]),
    Given(HeaderValue),
}

impl RequestId {
    /// A new uuid v4.
    pub fn new() -> Self {
        // A request id needs to be unique, not unguessable: the bits come from
        // fastrand's per-thread generator, not from a cryptographic one.
        let random = uuid::Builder::from_random_bytes(fastrand::u128(..).to_le_bytes()).into_uuid();
        RequestId::New(hyphenated(random.as_bytes()))
    }

    /// The caller's id if it is usable (visible ASCII, 1 to 200 characters), else a new one.
    pub fn from_caller(value: Option<&HeaderValue>) -> Self {
        let Some(value) = value else { return RequestId::new() };
        let Ok(text) = value.to_str() else { return RequestId::new() };
        let trimmed = text.trim();
        if trimmed.is_empty() || trimmed.len() > 200 {
            return RequestId::new();
        }
        if trimmed.len() == text.len() {
            return RequestId::Given(value.clone());
        }
        HeaderValue::from_str(trimmed).map_or_else(|_| RequestId::new(), RequestId::Given)
    }

    /// An id given as text (a task's, carried from the request that scheduled it).
    pub fn from_text(text: &str) -> Self {
        HeaderValue::from_str(text).map_or_else(|_| RequestId::new(), RequestId::Given)
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        match self {
            RequestId::New(text) => std::str::from_utf8(text).unwrap_or_default(),
            RequestId::Given(value) => value.to_str().unwrap_or_default(),
        }
    }

    /// The id as a header value.
    pub fn header(&self) -> HeaderValue {
        match self {
            RequestId::New(text) => HeaderValue::from_bytes(text).unwrap_or_else(|_| HeaderValue::from_static("-")),
            RequestId::Given(value) => value.clone(),
        }
    }
}

/// A uuid's 16 bytes as its 36 characters (`8-4-4-4-12` lowercase hex
/// digits), one table lookup per byte (the same text as `uuid`'s
/// `hyphenated()`, which the test below checks).
fn hyphenated(bytes: &[u8; 16]) -> [u8; 36] {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    const PAIRS: [[u8; 2]; 256] = {
        let mut pairs = [[0u8; 2]; 256];
        let mut byte = 0;
        while byte < 256 {
            pairs[byte] = [DIGITS[byte >> 4], DIGITS[byte & 15]];
            byte += 1;
        }
        pairs
    };
    let mut out = [b'-'; 36];
    let mut at = 0;
    for (i, byte) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            at += 1;
        }
        let [high, low] = PAIRS[usize::from(*byte)];
        out[at] = high;
        out[at + 1] = low;
        at += 2;
    }
    out
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The request being served, as reports show it (secrets already hidden).
pub(crate) struct Current {
    pub request_id: RequestId,
    pub method: Cow<'static, str>,
    pub location: Location,
    /// The request's headers as received: redacted when a report is written,
    /// not on every request.
    pub headers: Headers,
    /// The raw body, truncated and redacted when a report is written.
    pub body: Mutex<Bytes>,
    /// The peer's address (formatted when a report is written).
    pub caller_ip: Option<IpAddr>,
    pub user_id: Mutex<Option<String>>,
    /// The authenticated caller, once the token is verified.
    pub user: Mutex<Option<macaron_auth::User>>,
    /// The service's database, if it has one.
    pub db: Option<macaron_db::Db>,
    /// When the request arrived (its wall-clock time is worked out only for a report).
    pub clock: Instant,
    pub panic: Mutex<Option<PanicNote>>,
    pub server: Arc<ServerInfo>,
    pub reports: Arc<Reports>,
}

/// Where a request was sent.
pub(crate) enum Location {
    /// The request's URI, moved out of the request (not copied).
    Uri(Uri),
    /// A background task: its name, and its id and attempt as a query.
    Task { path: String, query: String },
}

impl Current {
    /// The request's path, as sent.
    pub fn path(&self) -> &str {
        match &self.location {
            Location::Uri(uri) => uri.path(),
            Location::Task { path, .. } => path,
        }
    }

    /// The request's query string, as sent (empty without one).
    pub fn query(&self) -> &str {
        match &self.location {
            Location::Uri(uri) => uri.query().unwrap_or(""),
            Location::Task { query, .. } => query,
        }
    }
}

tokio::task_local! {
    static CURRENT: Arc<Current>;
}

/// Runs a future with `current` as the request being served.
pub(crate) async fn scope<F: std::future::Future>(current: Arc<Current>, future: F) -> F::Output {
    CURRENT.scope(current, future).await
}

/// Hides secrets in a header list.
pub(crate) fn redact_headers(headers: &[(String, String)]) -> Vec<(String, String)> {
    headers
        .iter()
        .map(
            |(k, v)| {
                if SECRET_HEADERS.contains(&k.as_str()) {
                    (k.clone(), "***".into())
                } else {
                    (k.clone(), v.clone())
                }
            },
        )
        .collect()
}

/// The secret values a request carries: its authorization header (and the
/// token in it) and its cookies' values.
pub(crate) fn request_secrets(headers: &[(String, String)]) -> Vec<String> {
    let mut out = Vec::new();
    for (k, v) in headers {
        match k.as_str() {
            "authorization" | "proxy-authorization" | "x-api-key" => {
                out.push(v.clone());
                if let Some((_, token)) = v.split_once(' ') {
                    out.push(token.trim().to_string());
                }
            }
            "cookie" => {
                for c in v.split(';') {
                    if let Some((_, value)) = c.split_once('=') {
                        out.push(value.trim().to_string());
                        let decoded = percent_encoding::percent_decode_str(value.trim()).decode_utf8_lossy();
                        if let Some((_, token)) = decoded.split_once(' ') {
                            out.push(token.to_string());
                        }
                    }
                }
            }
            _ => {}
        }
    }
    out.retain(|s| s.len() >= 4);
    out
}

/// Replaces every secret in a text by `***`, longest first.
pub(crate) fn redact(text: &str, secrets: &[&str]) -> String {
    let mut sorted: Vec<&str> = secrets.iter().copied().filter(|s| s.len() >= 4).collect();
    sorted.sort_by_key(|s| std::cmp::Reverse(s.len()));
    sorted.iter().fold(text.to_string(), |acc, s| acc.replace(s, "***"))
}

pub(crate) fn as_strs(secrets: &[String]) -> Vec<&str> {
    secrets.iter().map(String::as_str).collect()
}

/// Truncates a request body for a report.
pub(crate) fn body_for_report(bytes: &[u8]) -> String {
    let cut = bytes.len().min(BODY_IN_REPORT);
    let mut text = String::from_utf8_lossy(&bytes[..cut]).into_owned();
    if bytes.len() > cut {
        text.push_str(&format!("... ({} bytes in all)", bytes.len()));
    }
    text
}

fn hostname() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/proc/sys/kernel/hostname").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "unknown".into())
}

pub(crate) fn server_info(name: String, version: String, env: String) -> ServerInfo {
    ServerInfo { name, version, env, host: hostname(), port: OnceLock::new(), tasks: OnceLock::new() }
}

fn rfc3339(time: SystemTime) -> String {
    humantime::format_rfc3339_millis(time).to_string()
}

impl Current {
    /// Secret values of this request (its token, its cookies) and of the service.
    pub(crate) fn secrets(&self) -> Cow<'_, [String]> {
        if !self.headers.has_secrets() {
            return Cow::Borrowed(&self.reports.secrets);
        }
        let mut secrets = request_secrets(self.headers.list());
        secrets.extend(self.reports.secrets.iter().cloned());
        Cow::Owned(secrets)
    }

    fn dump(
        &self,
        error_id: &str,
        error: Value,
        backtrace: Option<String>,
        response: Value,
        end: SystemTime,
        duration_ms: f64,
    ) -> String {
        let dump = json!({
            "error_id": error_id,
            "error": error,
            "backtrace": backtrace,
            "request": {
                "id": self.request_id.as_str(),
                "method": self.method,
                "path": self.path(),
                "query": self.query(),
                "headers": redact_headers(self.headers.list()).iter().map(|(k, v)| json!([k, v])).collect::<Vec<_>>(),
                "body": body_for_report(&self.body.lock().unwrap_or_else(|e| e.into_inner())),
            },
            "caller": {
                "ip": self.caller_ip.map(|ip| ip.to_string()).unwrap_or_default(),
                "forwarded_ip": self.headers.get("x-forwarded-for").or_else(|| self.headers.get("x-real-ip")),
                "user_agent": self.headers.get("user-agent"),
                "user_id": *self.user_id.lock().unwrap_or_else(|e| e.into_inner()),
            },
            "server": {
                "name": self.server.name,
                "version": self.server.version,
                "env": self.server.env,
                "host": self.server.host,
                "port": self.server.port.get(),
            },
            "timing": {
                "start": rfc3339(end.checked_sub(Duration::from_secs_f64(duration_ms / 1000.0)).unwrap_or(end)),
                "end": rfc3339(end),
                "duration_ms": duration_ms,
            },
            "response": response,
        });
        let text = serde_json::to_string_pretty(&dump).unwrap_or_else(|_| dump.to_string());
        redact(&text, &as_strs(&self.secrets()))
    }

    /// Sends the crash report of a server error replied with `error_id`.
    pub fn report_fatal(self: &Arc<Self>, error: &Error, error_id: &str) {
        let description: String = error.error_description.chars().take(200).collect();
        let title =
            format!("FATAL BACKEND ERROR {} {} {}: {}", self.server.name, error.status, error.code, description);
        let panic = take_panic(self);
        let backtrace = panic.as_ref().map(|p| p.backtrace.clone()).or_else(|| error.backtrace_arc());
        let detail = json!({
            "status": error.status,
            "code": error.code,
            "description": error.error_description,
            "cause": error.cause.as_ref().map(|c| format!("{c:?}")),
            "panic": panic.as_ref().map(|p| p.message.clone()),
        });
        let response = json!({
            "status": error.status,
            "code": error.code,
            "description": error.error_description,
            "user_message": error.user_message,
        });
        let (end, duration_ms) = (SystemTime::now(), self.clock.elapsed().as_secs_f64() * 1000.0);
        let (current, error_id) = (self.clone(), error_id.to_string());
        self.reports.send(Box::new(move || {
            let message = current.dump(&error_id, detail, backtrace.map(|b| b.to_string()), response, end, duration_ms);
            (redact(&title, &as_strs(&current.secrets())), message)
        }));
    }
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
    let sent = CURRENT.try_with(|current| {
        let title = format!("NON-FATAL BACKEND ERROR {}: {title}", current.server.name);
        let error_id = uuid::Uuid::new_v4().to_string();
        let detail = json!({"description": caught.to_string()});
        let backtrace = Backtrace::force_capture();
        let (end, duration_ms) = (SystemTime::now(), current.clock.elapsed().as_secs_f64() * 1000.0);
        let current = current.clone();
        current.clone().reports.send(Box::new(move || {
            let message = current.dump(&error_id, detail, Some(backtrace.to_string()), Value::Null, end, duration_ms);
            (redact(&title, &as_strs(&current.secrets())), message)
        }));
    });
    if sent.is_err() {
        tracing::warn!("NON-FATAL BACKEND ERROR (outside a request): {title}: {caught}");
    }
}

/// Records who the caller is, for crash reports (auth calls this).
///
/// ```
/// // Outside a request this does nothing.
/// macaron::set_user_id("user-42");
/// ```
pub fn set_user_id(user_id: &str) {
    let _ = CURRENT.try_with(|current| {
        *current.user_id.lock().unwrap_or_else(|e| e.into_inner()) = Some(user_id.to_string());
    });
}

/// The `Authorization` header of the request being served (for clients
/// that forward the caller's token).
pub(crate) fn current_authorization() -> Option<String> {
    CURRENT.try_with(|current| current.headers.get("authorization")).ok().flatten()
}

/// The database of the service serving the current request.
pub(crate) fn current_db() -> Option<macaron_db::Db> {
    CURRENT.try_with(|current| current.db.clone()).ok().flatten()
}

/// The service serving the current request (or running the current task).
pub(crate) fn current_server() -> Option<Arc<ServerInfo>> {
    CURRENT.try_with(|current| current.server.clone()).ok()
}

/// The authenticated caller of the request being served.
pub(crate) fn current_user() -> Option<macaron_auth::User> {
    CURRENT.try_with(|current| current.user.lock().unwrap_or_else(|e| e.into_inner()).clone()).ok().flatten()
}

/// The id of the request being served, if any.
///
/// ```
/// assert_eq!(macaron::request_id(), None);
/// ```
pub fn request_id() -> Option<String> {
    CURRENT.try_with(|current| current.request_id.to_string()).ok()
}

/// Installs (once) the panic hook that records a panic's message and
/// backtrace for the request being served; panics elsewhere go to the
/// previous hook.
pub(crate) fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            let recorded = CURRENT.try_with(|current| {
                let message = match info.payload().downcast_ref::<&str>() {
                    Some(s) => (*s).to_string(),
                    None => info.payload().downcast_ref::<String>().cloned().unwrap_or_else(|| "panic".into()),
                };
                let location = info.location().map(|l| format!(" at {}:{}", l.file(), l.line())).unwrap_or_default();
                let note = PanicNote {
                    message: format!("{message}{location}"),
                    backtrace: Arc::new(Backtrace::force_capture()),
                };
                *current.panic.lock().unwrap_or_else(|e| e.into_inner()) = Some(note);
            });
            if recorded.is_err() {
                previous(info);
            }
        }));
    });
}

/// The panic recorded for the request being served, if any.
pub(crate) fn take_panic(current: &Current) -> Option<PanicNote> {
    current.panic.lock().unwrap_or_else(|e| e.into_inner()).clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_hidden() {
        let headers = vec![
            ("authorization".to_string(), "Bearer abc.def.ghi".to_string()),
            ("cookie".to_string(), "token=Bearer%20xyz.123; theme=dark".to_string()),
            ("accept".to_string(), "*/*".to_string()),
        ];
        let secrets = request_secrets(&headers);
        let text = "got abc.def.ghi and xyz.123 and dark";
        let owned: Vec<&str> = secrets.iter().map(String::as_str).collect();
        assert_eq!(redact(text, &owned), "got *** and *** and ***");
        let hidden = redact_headers(&headers);
        assert_eq!(hidden[0].1, "***");
        assert_eq!(hidden[1].1, "***");
        assert_eq!(hidden[2].1, "*/*");
    }

    #[test]
    fn request_ids_are_uuids_as_uuid_writes_them() {
        for _ in 0..100 {
            let uuid = uuid::Uuid::from_u128(fastrand::u128(..));
            assert_eq!(std::str::from_utf8(&hyphenated(uuid.as_bytes())).unwrap(), uuid.to_string());
        }
        let id = RequestId::new();
        assert_eq!(uuid::Uuid::parse_str(id.as_str()).unwrap().get_version_num(), 4);
    }

    #[test]
    fn long_bodies_are_truncated() {
        let body = vec![b'a'; 20_000];
        let text = body_for_report(&body);
        assert!(text.len() < 10_300);
        assert!(text.ends_with("(20000 bytes in all)"));
    }
}
