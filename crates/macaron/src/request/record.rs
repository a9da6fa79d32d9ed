//! The record of the request being served, and the task-local that holds it.
//!
//! One [`Current`] per request (or task run), shared by reference: the
//! HTTP layer fills it as it learns things (the caller, once the token is
//! verified; the body, once read), the handler runs inside
//! [`scope`], and anything below can ask for it with the functions here
//! without being handed it. Outside a request they answer `None`.

use std::backtrace::Backtrace;
use std::borrow::Cow;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use actix_web::http::Uri;
use actix_web::web::Bytes;

use super::{Headers, RequestId};
use crate::instance::{Instance, Reports};

/// What a panic left behind, recorded by the panic hook.
#[derive(Debug, Clone)]
pub(crate) struct PanicNote {
    pub message: String,
    pub backtrace: Arc<Backtrace>,
}

/// The request being served.
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
    pub instance: Arc<Instance>,
    pub reports: Arc<Reports>,
    /// The trace the request (or task) belongs to, when traces are on.
    pub trace_id: Option<String>,
    /// The operation the request was routed to (for a crash report).
    pub operation: OnceLock<Arc<Routed>>,
}

/// The operation a request was routed to, as a crash report names it.
#[derive(Debug, Clone)]
pub(crate) struct Routed {
    /// The `operationId` (or a task's name).
    pub id: Arc<str>,
    /// The handler's Rust path (`x-bind-server`).
    pub handler: Option<Arc<str>>,
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

    /// Records the authenticated caller (for reports and `current_user`).
    pub fn set_user(&self, user: Option<macaron_auth::User>) {
        if let Some(user) = user {
            *lock(&self.user_id) = Some(user.id.clone());
            *lock(&self.user) = Some(user);
        }
    }

    /// Secret values of this request (its token, its cookies) and of the service.
    pub fn secrets(&self) -> Cow<'_, [String]> {
        if !self.headers.has_secrets() {
            return Cow::Borrowed(&self.reports.secrets);
        }
        let mut secrets = crate::secrets::request_secrets(self.headers.list());
        secrets.extend(self.reports.secrets.iter().cloned());
        Cow::Owned(secrets)
    }

    /// The panic recorded while serving this request, if any.
    pub fn panic(&self) -> Option<PanicNote> {
        lock(&self.panic).clone()
    }
}

/// A mutex's content, even if a panic poisoned it (the record is only data).
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

tokio::task_local! {
    static CURRENT: Arc<Current>;
}

/// Runs a future with `current` as the request being served.
pub(crate) async fn scope<F: std::future::Future>(current: Arc<Current>, future: F) -> F::Output {
    CURRENT.scope(current, future).await
}

/// Calls `f` with the request being served, if any.
pub(crate) fn with_current<R>(f: impl FnOnce(&Arc<Current>) -> R) -> Option<R> {
    CURRENT.try_with(f).ok()
}

/// The id of the request being served, if any.
///
/// ```
/// assert_eq!(macaron::request_id(), None);
/// ```
pub fn request_id() -> Option<String> {
    with_current(|current| current.request_id.to_string())
}

/// Records who the caller is, for crash reports (auth calls this).
///
/// ```
/// // Outside a request this does nothing.
/// macaron::set_user_id("user-42");
/// ```
pub fn set_user_id(user_id: &str) {
    with_current(|current| *lock(&current.user_id) = Some(user_id.to_string()));
}

/// The `Authorization` header of the request being served (for clients
/// that forward the caller's token).
#[cfg_attr(not(feature = "client"), allow(dead_code))]
pub(crate) fn current_authorization() -> Option<String> {
    with_current(|current| current.headers.get("authorization")).flatten()
}

/// The database of the service serving the current request.
pub(crate) fn current_db() -> Option<macaron_db::Db> {
    with_current(|current| current.db.clone()).flatten()
}

/// The instance serving the current request (or running the current task).
pub(crate) fn current_instance() -> Option<Arc<Instance>> {
    with_current(|current| current.instance.clone())
}

/// The authenticated caller of the request being served.
pub(crate) fn current_user() -> Option<macaron_auth::User> {
    with_current(|current| lock(&current.user).clone()).flatten()
}
