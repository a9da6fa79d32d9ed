//! The codes the framework itself sends, each a named constant.
//!
//! A caller branches on `error`, so a code is part of the API: written once
//! here, with its status, and used by name everywhere else (no string
//! literal of a built-in code outside this file). A service declares its
//! own codes the same way, with [`errors!`](crate::errors).
//!
//! ```
//! use macaron::codes::InvalidParameter;
//! let e = InvalidParameter::new("query parameter 'limit': 500 is greater than the maximum of 100");
//! assert_eq!((e.status, InvalidParameter::CODE), (400, "INVALID_PARAMETER"));
//! ```

crate::errors! {
    /// A handler failed or panicked: 500.
    pub ServerError = (500, "SERVER_ERROR"),
    /// A handler's reply does not match the spec (or, from a client, a
    /// remote reply does not fit the expected type): 500.
    pub BadResponse = (500, "BAD_RESPONSE"),
    /// A parameter or the body does not match the spec: 400.
    pub InvalidParameter = (400, "INVALID_PARAMETER"),
    /// The request is not well-formed HTTP (its head cannot be read): 400.
    pub BadRequest = (400, "BAD_REQUEST"),
    /// The request, its head or its body, took too long to arrive: 408.
    pub RequestTimeout = (408, "REQUEST_TIMEOUT"),
    /// The request's head is over the limit: 431.
    pub HeadTooLarge = (431, "REQUEST_HEADER_FIELDS_TOO_LARGE"),
    /// No route for the path: 404.
    pub NotFound = (404, "NOT_FOUND"),
    /// The path exists but not with this method: 405.
    pub MethodNotAllowed = (405, "METHOD_NOT_ALLOWED"),
    /// An object was changed by someone else since it was loaded: 409.
    pub Conflict = (409, "CONFLICT"),
    /// The body's media type is not accepted: 415.
    pub UnsupportedMediaType = (415, "UNSUPPORTED_MEDIA_TYPE"),
    /// The body is over the size limit: 413.
    pub PayloadTooLarge = (413, "PAYLOAD_TOO_LARGE"),
    /// No token where one is required: 401.
    pub AuthorizationHeaderMissing = (401, "AUTHORIZATION_HEADER_MISSING"),
    /// The token has expired: 401.
    pub TokenExpired = (401, "TOKEN_EXPIRED"),
    /// The token is not valid: 401.
    pub TokenInvalid = (401, "TOKEN_INVALID"),
    /// The service cannot start: its specs, handlers or configuration
    /// disagree (see [`crate::StartupError`]).
    pub StartupFailed = (500, "STARTUP_ERROR"),
    /// A remote service cannot be reached: 503.
    pub ServiceUnavailable = (503, "SERVICE_UNAVAILABLE"),
    /// The database cannot be reached: 503.
    pub DatabaseUnavailable = (503, "DATABASE_UNAVAILABLE"),
    /// A readiness check failed (logged, never sent): 503.
    pub CheckFailed = (503, "UNAVAILABLE"),
    /// A task was scheduled where no task queue runs: 500.
    pub TasksDisabled = (500, "TASKS_DISABLED"),
    /// The task queue cannot be reached: 503.
    pub TasksUnavailable = (503, "TASKS_UNAVAILABLE"),
    /// A background task gave up after its retries (its crash report): 500.
    pub TaskFailed = (500, "TASK_FAILED"),
}

/// A code declared with [`errors!`](crate::errors): its status and text,
/// for code that handles codes generically.
///
/// ```
/// use macaron::codes::{Code, NotFound};
/// fn describe<C: Code>() -> String {
///     format!("{} {}", C::STATUS, C::CODE)
/// }
/// assert_eq!(describe::<NotFound>(), "404 NOT_FOUND");
/// ```
pub trait Code {
    /// The HTTP status.
    const STATUS: u16;
    /// The code sent as `error`.
    const CODE: &'static str;
}
