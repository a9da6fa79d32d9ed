//! The one error type of a service, and the JSON object every error reply is.
//!
//! A service fails in many places: the router finds no route, a parameter
//! does not match the spec, a handler returns an error or panics, a reply
//! does not match its schema. Callers must see one shape whatever the cause,
//! `{error, error_description, status, user_message?, error_id?}`, and a
//! handler author must be able to use `?` on any library error without
//! writing conversions.
//!
//! So there is one [`Error`], a value with an HTTP status, a code and a
//! description. Any `std::error::Error` converts into it as a 500
//! `SERVER_ERROR` (keeping the original as its cause), which is what makes
//! `?` work. Like `anyhow::Error`, [`Error`] itself does not implement
//! `std::error::Error`: if it did, the blanket conversion would conflict
//! with the reflexive `From<T> for T`. Declared API errors are made with
//! [`Error::new`] or, in batches, with [`errors!`](crate::errors): a status
//! below 500 goes back to the caller as is; a 5xx is a server bug and gets
//! an `error_id` and a crash report (see `crate::reports`).
//!
//! The room holds the error's parts: [`codes`] (every code the framework
//! sends, by name), `wire` (the JSON object, one serde type for replies,
//! clients and reports), `startup` (why a service cannot start, problem by
//! problem) and `id` (the one generator of request and error ids). The
//! libraries below the runtime (`macaron-auth`, `macaron-db`) know nothing
//! of HTTP: which status and code their errors become is decided here.

use std::backtrace::Backtrace;
use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use serde_json::Value;

pub mod codes;
pub(crate) mod id;
mod startup;
mod wire;

pub(crate) use startup::Problems;
pub use startup::{Problem, StartupError};
pub use wire::ErrorObject;

/// `Result<T, macaron::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An error reply: an HTTP status, a code, a description and, for server
/// errors, the cause and a backtrace.
///
/// ```
/// let e = macaron::Error::new(404, "PET_NOT_FOUND", "no pet 42");
/// assert_eq!(e.status, 404);
/// assert_eq!(e.to_json()["error"], "PET_NOT_FOUND");
///
/// // Any std error converts to a 500 SERVER_ERROR, so `?` works in handlers.
/// fn parse(s: &str) -> macaron::Result<i64> {
///     Ok(s.parse::<i64>()?)
/// }
/// let e = parse("x").unwrap_err();
/// assert_eq!((e.status, e.code.as_ref()), (500, "SERVER_ERROR"));
/// assert!(e.cause.is_some());
/// ```
pub struct Error {
    /// The HTTP status, also sent as `status` in the JSON object.
    pub status: u16,
    /// The code, sent as `error` (`PET_NOT_FOUND`).
    pub code: Cow<'static, str>,
    /// What went wrong, for the developer calling the API.
    pub error_description: String,
    /// An optional message meant for the end user.
    pub user_message: Option<String>,
    /// The error this one was made from, if any.
    pub cause: Option<Box<dyn std::error::Error + Send + Sync>>,
    backtrace: Option<Arc<Backtrace>>,
}

impl Error {
    /// An error with a status, a code and a description. A backtrace is
    /// captured for server errors (status 500 and above).
    ///
    /// ```
    /// let e = macaron::Error::new(409, "ALREADY_EXISTS", "pet 42 exists");
    /// assert_eq!(e.to_string(), "409 ALREADY_EXISTS: pet 42 exists");
    /// ```
    pub fn new(status: u16, code: impl Into<Cow<'static, str>>, description: impl Into<String>) -> Self {
        let backtrace = (status >= 500).then(|| Arc::new(Backtrace::force_capture()));
        Error {
            status,
            code: code.into(),
            error_description: description.into(),
            user_message: None,
            cause: None,
            backtrace,
        }
    }

    /// Sets the message for the end user.
    ///
    /// ```
    /// let e = macaron::Error::new(400, "BAD_CARD", "card declined").with_user_message("Try another card");
    /// assert_eq!(e.to_json()["user_message"], "Try another card");
    /// ```
    pub fn with_user_message(mut self, message: impl Into<String>) -> Self {
        self.user_message = Some(message.into());
        self
    }

    /// Sets the cause.
    ///
    /// ```
    /// let io = std::io::Error::other("disk full");
    /// let e = macaron::Error::new(507, "STORAGE_FULL", "cannot save").with_cause(io);
    /// assert_eq!(e.cause.unwrap().to_string(), "disk full");
    /// ```
    pub fn with_cause(mut self, cause: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.cause = Some(Box::new(cause));
        self
    }

    /// True for server errors (5xx): they get an `error_id` and a crash report.
    ///
    /// ```
    /// assert!(macaron::Error::new(500, "SERVER_ERROR", "boom").is_server_error());
    /// assert!(!macaron::Error::new(404, "NOT_FOUND", "no").is_server_error());
    /// ```
    pub fn is_server_error(&self) -> bool {
        self.status >= 500
    }

    /// The backtrace captured where the error was made, if any.
    pub fn backtrace(&self) -> Option<&Backtrace> {
        self.backtrace.as_deref()
    }

    pub(crate) fn backtrace_arc(&self) -> Option<Arc<Backtrace>> {
        self.backtrace.clone()
    }

    pub(crate) fn set_backtrace(&mut self, backtrace: Option<Arc<Backtrace>>) {
        if backtrace.is_some() {
            self.backtrace = backtrace;
        }
    }

    /// The JSON error object, without `error_id` (added when the reply is sent).
    ///
    /// ```
    /// let e = macaron::Error::new(404, "NOT_FOUND", "no such path");
    /// assert_eq!(
    ///     e.to_json(),
    ///     serde_json::json!({"error": "NOT_FOUND", "error_description": "no such path", "status": 404})
    /// );
    /// ```
    pub fn to_json(&self) -> Value {
        serde_json::to_value(ErrorObject::of(self)).unwrap_or(Value::Null)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.status, self.code, self.error_description)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Error");
        d.field("status", &self.status).field("code", &self.code).field("error_description", &self.error_description);
        if let Some(message) = &self.user_message {
            d.field("user_message", message);
        }
        if let Some(cause) = &self.cause {
            d.field("cause", cause);
        }
        d.finish()
    }
}

/// Any error becomes a 500 `SERVER_ERROR` (so `?` works in handlers),
/// except the errors below the runtime that mean something to the caller
/// (see [`known`]).
impl<E: std::error::Error + Send + Sync + 'static> From<E> for Error {
    fn from(error: E) -> Self {
        let any: &dyn std::any::Any = &error;
        if let Some((status, code)) = known(any) {
            let mut e = Error::new(status, code, error.to_string());
            e.cause = Some(Box::new(error));
            return e;
        }
        let mut e = codes::ServerError::new(error.to_string());
        e.cause = Some(Box::new(error));
        e
    }
}

/// The status and code of the errors the runtime's libraries raise, when
/// the caller should see them as something other than a 500: a missing or
/// bad token is a 401, an object changed by someone else a 409, a database
/// that is down a 503; a service that cannot start keeps its list.
fn known(any: &dyn std::any::Any) -> Option<(u16, &'static str)> {
    use macaron_auth::{AuthError, AuthFailure};
    use macaron_db::{DbError, DbFailure};
    if let Some(auth) = any.downcast_ref::<AuthError>() {
        return match auth.kind() {
            AuthFailure::Missing => Some(code::<codes::AuthorizationHeaderMissing>()),
            AuthFailure::Expired => Some(code::<codes::TokenExpired>()),
            AuthFailure::Invalid => Some(code::<codes::TokenInvalid>()),
            AuthFailure::NotConfigured => None,
        };
    }
    if let Some(db) = any.downcast_ref::<DbError>() {
        return match db.kind() {
            DbFailure::NotFound => Some(code::<codes::NotFound>()),
            DbFailure::Conflict => Some(code::<codes::Conflict>()),
            DbFailure::Unavailable => Some(code::<codes::DatabaseUnavailable>()),
            DbFailure::Internal => None,
        };
    }
    if any.is::<StartupError>() {
        return Some(code::<codes::StartupFailed>());
    }
    None
}

/// A code declared with [`errors!`](crate::errors), as `(status, code)`.
fn code<C: codes::Code>() -> (u16, &'static str) {
    (C::STATUS, C::CODE)
}

/// Declares API errors in a batch: each name becomes a unit struct with
/// `STATUS` and `CODE` constants and a `new(description)` constructor that
/// returns a [`macaron::Error`](crate::Error).
///
/// ```
/// macaron::errors! {
///     /// The credentials match no user.
///     pub InvalidUser = (401, "INVALID_USER"),
///     PetNotFound = (404, "PET_NOT_FOUND"),
/// }
///
/// let e = PetNotFound::new("no pet 42");
/// assert_eq!((e.status, e.code.as_ref()), (404, "PET_NOT_FOUND"));
/// assert_eq!(InvalidUser::STATUS, 401);
/// assert_eq!(InvalidUser::CODE, "INVALID_USER");
/// ```
#[macro_export]
macro_rules! errors {
    ($($(#[$meta:meta])* $vis:vis $name:ident = ($status:expr, $code:expr)),* $(,)?) => {
        $(
            $(#[$meta])*
            #[derive(Debug, Clone, Copy, PartialEq, Eq)]
            $vis struct $name;

            impl $crate::codes::Code for $name {
                const STATUS: u16 = $status;
                const CODE: &'static str = $code;
            }

            impl $name {
                /// The HTTP status of this error.
                pub const STATUS: u16 = $status;
                /// The code sent as `error`.
                pub const CODE: &'static str = $code;

                /// The error with this description.
                #[allow(dead_code, clippy::new_ret_no_self)]
                pub fn new(description: impl Into<String>) -> $crate::Error {
                    $crate::Error::new(Self::STATUS, Self::CODE, description)
                }
            }
        )*
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_errors_capture_a_backtrace_and_client_errors_do_not() {
        assert!(Error::new(500, "X", "y").backtrace().is_some());
        assert!(Error::new(400, "X", "y").backtrace().is_none());
    }

    #[test]
    fn library_errors_become_the_status_and_code_a_caller_should_see() {
        use macaron_auth::AuthError;
        use macaron_db::DbError;
        let pairs = |e: Error| (e.status, e.code.into_owned());
        assert_eq!(pairs(AuthError::Missing.into()), (401, "AUTHORIZATION_HEADER_MISSING".into()));
        assert_eq!(pairs(AuthError::Expired.into()), (401, "TOKEN_EXPIRED".into()));
        assert_eq!(pairs(AuthError::Invalid("x".into()).into()), (401, "TOKEN_INVALID".into()));
        assert_eq!(pairs(AuthError::NotConfigured("x".into()).into()), (500, "SERVER_ERROR".into()));
        let (table, key) = ("pets".to_string(), "1".to_string());
        assert_eq!(
            pairs(DbError::NotFound { table: table.clone(), key: key.clone() }.into()),
            (404, "NOT_FOUND".into())
        );
        assert_eq!(pairs(DbError::Conflict { table, key }.into()), (409, "CONFLICT".into()));
        assert_eq!(pairs(DbError::Unavailable("down".into()).into()), (503, "DATABASE_UNAVAILABLE".into()));
        assert_eq!(pairs(DbError::Sql("bad".into()).into()), (500, "SERVER_ERROR".into()));
        let startup: Error = StartupError::one(Problem::new("no spec")).into();
        assert_eq!(pairs(startup), (500, "STARTUP_ERROR".into()));
    }

    #[test]
    fn user_message_is_serialised_only_when_set() {
        let e = Error::new(400, "X", "y");
        assert!(e.to_json().get("user_message").is_none());
        assert_eq!(e.with_user_message("hi").to_json()["user_message"], "hi");
    }
}
