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
//!
//! ```
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
//! ```

mod error;
mod jwt;
mod request;

pub use error::{AuthError, AuthFailure};
pub use jwt::{generate_token, Jwt, TokenBuilder, User, MAX_LEEWAY, MAX_TOKEN_BYTES};
pub use request::token_from_request;
