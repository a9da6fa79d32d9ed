//! # macaron-auth
//!
//! JSON Web Tokens for Macaron services: minting them ([`Jwt::token`],
//! [`generate_token`]), reading them from a request ([`token_from_request`])
//! and verifying them ([`Jwt::verify`]).
//!
//! PyMacaron read the issuer from the unverified token and never checked
//! it. Here nothing from an unverified token is trusted: the algorithm is
//! the configured one only (so `alg: none` and algorithm swaps fail), and
//! the signature, `exp`, `iat` (not in the future), `iss` and `aud` (when
//! configured) are all checked. Every failure is one of three errors, as
//! PyMacaron's clients expect: [`AuthError::Missing`],
//! [`AuthError::Expired`], [`AuthError::Invalid`]. Their [`AuthFailure`]
//! kinds are all this crate says about them: the runtime decides the
//! status and error code each one gets.
//!
//! The modules, in the order a request meets them: `request` reads the
//! token from a header or cookie, `jwt` verifies (and mints) it, `error`
//! says what went wrong; `request` and `jwt` import only `error`.
//! Without the feature `jwt` (default on), `jsonwebtoken` is not compiled
//! and [`Jwt::from_config`] always says so (see `nojwt.rs`).
//!
//! ```
//! # #[cfg(feature = "jwt")] {
//! use macaron_auth::{Jwt, AuthError};
//! let config = macaron_config::Loader::new()
//!     .vars(|_| None)
//!     .load_str("macaron.yaml", "jwt_secret: s3cret\njwt_issuer: pets.example.com\njwt_audience: pets\n")
//!     .unwrap();
//! let jwt = Jwt::from_config(&config).unwrap();
//! let token = jwt.token("alice").claim("roles", ["admin"]).sign().unwrap();
//! let user = jwt.verify(&token).unwrap();
//! assert_eq!(user.id, "alice");
//! assert_eq!(user.claims["roles"][0], "admin");
//! let header = format!("Bearer {token}");
//! assert_eq!(macaron_auth::token_from_request(Some(&header), None).unwrap(), token);
//! assert_eq!(jwt.verify("not.a.token").unwrap_err().kind(), macaron_auth::AuthFailure::Invalid);
//! assert_eq!(macaron_auth::token_from_request(None, None), Err(AuthError::Missing));
//! # }
//! ```

mod error;
#[cfg(feature = "jwt")]
mod jwt;
// Without the feature `jwt`, the same API with nothing to sign or verify
// with: a configured `jwt_secret` is a startup error naming the feature.
#[cfg(not(feature = "jwt"))]
#[path = "nojwt.rs"]
mod jwt;
mod request;

use std::time::Duration;

pub use error::{AuthError, AuthFailure};
pub use jwt::{generate_token, Jwt, TokenBuilder};
pub use request::token_from_request;

/// The authenticated caller: `sub` as `id`, and every claim of the token.
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    /// The token's `sub`.
    pub id: String,
    /// All claims, `sub` included.
    pub claims: serde_json::Map<String, serde_json::Value>,
}

/// The longest token [`Jwt::verify`] reads: 8 KiB. A longer one is
/// refused ([`AuthError::Invalid`]) before any of it is decoded, so a caller
/// cannot make the service base64-decode and parse large JSON it never
/// signed. Tokens of a few claims are well under 1 KiB.
pub const MAX_TOKEN_BYTES: usize = 8 * 1024;

/// The largest `jwt_leeway` accepted: 5 minutes. Clock skew between
/// healthy hosts is seconds; a longer leeway would keep expired tokens
/// valid, and [`Jwt::from_config`] refuses it.
pub const MAX_LEEWAY: Duration = Duration::from_secs(300);
