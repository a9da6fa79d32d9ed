//! The three ways a request fails authentication, plus a misconfiguration.
//!
//! [`AuthError`] says what went wrong, with a text for logs and messages.
//! [`AuthError::kind`] gives its [`AuthFailure`], a plain kind the runtime
//! maps to what the caller receives (a status, an error code): that mapping
//! is the runtime's, made in one place over all its errors, so this crate
//! knows nothing of HTTP.

use std::fmt;

/// Why a request is not authenticated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthError {
    /// No token.
    Missing,
    /// A valid token whose `exp` has passed.
    Expired,
    /// Anything else wrong with the token or the header. The text says
    /// what, without repeating the token.
    Invalid(String),
    /// The service cannot sign or verify (no secret or key configured): a
    /// bug of the deployment, not of the caller.
    NotConfigured(String),
}

impl AuthError {
    /// What kind of failure this is, for whoever answers the caller.
    ///
    /// ```
    /// use macaron_auth::{AuthError, AuthFailure};
    /// assert_eq!(AuthError::Invalid("bad signature".into()).kind(), AuthFailure::Invalid);
    /// ```
    pub fn kind(&self) -> AuthFailure {
        match self {
            AuthError::Missing => AuthFailure::Missing,
            AuthError::Expired => AuthFailure::Expired,
            AuthError::Invalid(_) => AuthFailure::Invalid,
            AuthError::NotConfigured(_) => AuthFailure::NotConfigured,
        }
    }
}

/// The kinds of [`AuthError`], without their texts. The first three are
/// the caller's to fix, the last the service's. The runtime decides what
/// each means on the wire; the match over them there is exhaustive, so a
/// new kind cannot slip through unmapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuthFailure {
    /// No token was sent ([`AuthError::Missing`]).
    Missing,
    /// The token was valid but has expired ([`AuthError::Expired`]).
    Expired,
    /// The token or the header is wrong in any other way
    /// ([`AuthError::Invalid`]).
    Invalid,
    /// The service has no key to sign or verify with
    /// ([`AuthError::NotConfigured`]).
    NotConfigured,
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuthError::Missing => f.write_str("no token: send `Authorization: Bearer <token>` or a `token` cookie"),
            AuthError::Expired => f.write_str("the token has expired"),
            AuthError::Invalid(why) => write!(f, "invalid token: {why}"),
            AuthError::NotConfigured(why) => write!(f, "JWT is not configured: {why}"),
        }
    }
}

impl std::error::Error for AuthError {}
