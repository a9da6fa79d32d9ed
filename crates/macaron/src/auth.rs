//! Authentication: JWT bearer tokens, declared by the spec's `security`.
//!
//! An operation is protected when its effective `security` (its own, or
//! the document's) names an HTTP bearer scheme: the token, from
//! `Authorization: Bearer` or a `token` cookie, is verified before anything
//! else of the request is looked at, so a caller without a valid token
//! learns nothing about the parameters. `security: []` opts an operation
//! out; an empty alternative (`- {}`) makes the token optional (verified if
//! sent). Verification is `macaron-auth`'s: nothing from the unverified
//! token is trusted.
//!
//! The authenticated caller reaches code in two ways: as a handler argument
//! ([`User`], or `Option<User>` where the token is optional) and from
//! anywhere inside the request (background work and outgoing calls
//! included) with [`current_user`].
//!
//! Guards (`x-decorate-server` in the spec) are plain functions registered
//! on the builder under the name the spec gives them; they run after
//! authentication and validation, before the handler, and may refuse the
//! request with any [`crate::Error`].
//!
//! ```
//! let config = macaron::config::Loader::new()
//!     .vars(|_| None)
//!     .load_str("macaron.yaml", "jwt_secret: s3cret\njwt_issuer: me\njwt_audience: you\n")
//!     .unwrap();
//! let jwt = macaron::auth::Jwt::from_config(&config).unwrap();
//! let token = jwt.token("alice").sign().unwrap();
//! assert_eq!(jwt.verify(&token).unwrap().id, "alice");
//! ```

use std::sync::Arc;

use indexmap::IndexMap;
pub use macaron_auth::{
    token_from_request, AuthError, AuthFailure, Jwt, TokenBuilder, User, MAX_LEEWAY, MAX_TOKEN_BYTES,
};
use macaron_spec::{Operation, SecurityScheme};

use crate::error::Error;
use crate::handler::Context;

/// What an operation asks of its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AuthMode {
    /// No bearer scheme: open (other schemes are the service's to check).
    Open,
    /// A valid token is required.
    Required,
    /// A token is verified if sent.
    Optional,
}

/// The mode of an operation, from its effective security.
pub(crate) fn mode(op: &Operation, schemes: &IndexMap<String, SecurityScheme>) -> AuthMode {
    let bearer = |name: &String| schemes.get(name).is_some_and(SecurityScheme::is_bearer);
    let any_bearer = op.security.iter().any(|alt| alt.keys().any(bearer));
    if !any_bearer {
        AuthMode::Open
    } else if op.security.iter().any(|alt| alt.is_empty()) {
        AuthMode::Optional
    } else {
        AuthMode::Required
    }
}

/// A guard: runs before the handler of the operations naming it in
/// `x-decorate-server`.
pub(crate) type GuardFn = Arc<dyn Fn(&Context) -> crate::Result<()> + Send + Sync>;

/// The caller, from the request's token, or `None` when there is none.
pub(crate) fn authenticate(
    jwt: Option<&Jwt>,
    headers: &[(String, String)],
    mode: AuthMode,
) -> Result<Option<User>, Error> {
    let header = headers.iter().find(|(k, _)| k == "authorization").map(|(_, v)| v.as_str());
    let cookie = headers
        .iter()
        .filter(|(k, _)| k == "cookie")
        .flat_map(|(_, v)| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(name, _)| *name == "token")
        .map(|(_, value)| value);
    let token = match token_from_request(header, cookie) {
        Ok(token) => token,
        Err(AuthError::Missing) if mode == AuthMode::Optional => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let jwt = jwt.ok_or_else(|| Error::from(AuthError::NotConfigured("set jwt_secret in macaron.yaml".into())))?;
    Ok(Some(jwt.verify(&token)?))
}

/// The authenticated caller of the request being served, if any: the same
/// user handlers get as an argument, reachable from any code the request
/// runs.
///
/// ```
/// assert!(macaron::auth::current_user().is_none()); // outside a request
/// ```
pub fn current_user() -> Option<User> {
    crate::request::record::current_user()
}

/// A token for `user_id` signed with the service's configuration
/// (`jwt_secret`, `jwt_issuer`, `jwt_audience`, `jwt_lifetime`).
pub fn generate_token(user_id: &str) -> Result<String, Error> {
    Ok(macaron_auth::generate_token(user_id)?)
}
