//! The three ways a request fails authentication, plus a misconfiguration.

use std::fmt;

/// Why a request is not authenticated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthError {
    /// No token: 401 `AUTHORIZATION_HEADER_MISSING`.
    Missing,
    /// A valid token whose `exp` has passed: 401 `TOKEN_EXPIRED`.
    Expired,
    /// Anything else wrong with the token or the header: 401 `TOKEN_INVALID`.
    /// The text says what, without repeating the token.
    Invalid(String),
    /// The service cannot sign or verify (no secret or key configured):
    /// 500 `SERVER_ERROR`, a bug of the deployment, not of the caller.
    NotConfigured(String),
}

impl AuthError {
    /// The error code sent to the caller.
    pub fn code(&self) -> &'static str {
        match self {
            AuthError::Missing => "AUTHORIZATION_HEADER_MISSING",
            AuthError::Expired => "TOKEN_EXPIRED",
            AuthError::Invalid(_) => "TOKEN_INVALID",
            AuthError::NotConfigured(_) => "SERVER_ERROR",
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        match self {
            AuthError::NotConfigured(_) => 500,
            _ => 401,
        }
    }
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
