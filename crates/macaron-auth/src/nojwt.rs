//! `Jwt` in a build without the feature `jwt` (no `jsonwebtoken`, no
//! crypto library compiled): the same API, and no way to make one. A
//! configuration that sets a key, or a spec that protects an operation,
//! stops the service at startup with the feature to enable.

use std::convert::Infallible;
use std::time::Duration;

use macaron_config::Config;
use serde::Serialize;

use crate::error::AuthError;
use crate::User;

/// Signs and verifies tokens: none in this build (feature `jwt` off), so
/// [`Jwt::from_config`] always says why.
#[derive(Clone, Debug)]
pub struct Jwt {
    never: Infallible,
}

/// The reason every call gives in this build.
fn missing(config: &Config) -> AuthError {
    if config.jwt.secret.is_none() && config.jwt.public_key.is_none() {
        AuthError::NotConfigured("no jwt_secret or jwt_public_key set".into())
    } else {
        AuthError::NotConfigured(
            "jwt_* is set, but this service is built without JWT: enable macaron's feature \"jwt\"".into(),
        )
    }
}

impl Jwt {
    /// Always an error in this build: the feature to enable when a key is
    /// configured, "not configured" when none is.
    ///
    /// ```
    /// let config = macaron_config::Loader::new().vars(|_| None).load_str("macaron.yaml", "jwt_secret: s\n").unwrap();
    /// let e = macaron_auth::Jwt::from_config(&config).unwrap_err();
    /// assert!(e.to_string().contains("feature \"jwt\""), "{e}");
    /// ```
    pub fn from_config(config: &Config) -> Result<Jwt, AuthError> {
        Err(missing(config))
    }

    /// Starts a token (never reached: no `Jwt` exists in this build).
    pub fn token(&self, _user_id: impl Into<String>) -> TokenBuilder<'_> {
        match self.never {}
    }

    /// Verifies a token (never reached: no `Jwt` exists in this build).
    pub fn verify(&self, _token: &str) -> Result<User, AuthError> {
        match self.never {}
    }
}

/// A token being made (never made in this build).
pub struct TokenBuilder<'a> {
    jwt: &'a Jwt,
}

impl TokenBuilder<'_> {
    /// Adds a claim.
    pub fn claim(self, _name: &str, _value: impl Serialize) -> Self {
        match self.jwt.never {}
    }

    /// Another lifetime.
    pub fn lifetime(self, _lifetime: Duration) -> Self {
        match self.jwt.never {}
    }

    /// Another issuer.
    pub fn issuer(self, _issuer: impl Into<String>) -> Self {
        match self.jwt.never {}
    }

    /// Another audience.
    pub fn audience(self, _audience: impl Into<String>) -> Self {
        match self.jwt.never {}
    }

    /// Signs the token.
    pub fn sign(self) -> Result<String, AuthError> {
        match self.jwt.never {}
    }
}

/// A token for `user_id`: in this build, the reason there is none.
pub fn generate_token(_user_id: &str) -> Result<String, AuthError> {
    Err(missing(&macaron_config::config()))
}
