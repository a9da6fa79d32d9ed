//! Signing and verifying.

use std::sync::Once;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use macaron_config::Config;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::AuthError;
use crate::{User, MAX_LEEWAY, MAX_TOKEN_BYTES};

/// Signs and verifies tokens with the service's settings.
#[derive(Clone)]
pub struct Jwt {
    algorithm: Algorithm,
    encoding: Option<EncodingKey>,
    decoding: DecodingKey,
    issuer: Option<String>,
    audience: Option<String>,
    lifetime: Duration,
    leeway: Duration,
    validation: Validation,
}

impl std::fmt::Debug for Jwt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Jwt")
            .field("algorithm", &self.algorithm)
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .finish_non_exhaustive()
    }
}

fn crypto() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        // aws-lc-rs (the workspace's `aws_lc_rs` feature, not `rust_crypto`
        // and its `rsa` crate: see deny.toml). Another crate may have
        // installed one first: that one then stays.
        let _ = jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER.install_default();
    });
}

/// What [`Jwt::verify`] checks, made once per `Jwt` (not per request).
fn validation(
    algorithm: Algorithm,
    leeway: Duration,
    issuer: &Option<String>,
    audience: &Option<String>,
) -> Validation {
    let mut validation = Validation::new(algorithm);
    validation.algorithms = vec![algorithm];
    validation.leeway = leeway.as_secs();
    validation.validate_exp = true;
    validation.validate_nbf = true;
    let mut required = vec!["exp", "sub", "iat"];
    match issuer {
        Some(iss) => {
            validation.set_issuer(&[iss]);
            required.push("iss");
        }
        None => validation.iss = None,
    }
    match audience {
        Some(aud) => {
            validation.set_audience(&[aud]);
            required.push("aud");
        }
        None => validation.validate_aud = false,
    }
    validation.set_required_spec_claims(&required);
    validation
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

impl Jwt {
    /// Settings from the `jwt_*` keys of the configuration.
    pub fn from_config(config: &Config) -> Result<Jwt, AuthError> {
        crypto();
        let jwt = &config.jwt;
        if jwt.leeway > MAX_LEEWAY {
            return Err(AuthError::NotConfigured(format!(
                "jwt_leeway is {}s, more than the {}s allowed: it would keep expired tokens valid",
                jwt.leeway.as_secs(),
                MAX_LEEWAY.as_secs()
            )));
        }
        let algorithm: Algorithm = jwt
            .algorithm
            .parse()
            .map_err(|_| AuthError::NotConfigured(format!("unknown jwt_algorithm {}", jwt.algorithm)))?;
        let (encoding, decoding) = match algorithm {
            Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => {
                let secret = jwt.secret.as_ref().ok_or_else(|| {
                    AuthError::NotConfigured("set jwt_secret (from env_secrets) in macaron.yaml".into())
                })?;
                let bytes = secret.expose().as_bytes();
                (Some(EncodingKey::from_secret(bytes)), DecodingKey::from_secret(bytes))
            }
            Algorithm::RS256 | Algorithm::ES256 => {
                let public = jwt
                    .public_key
                    .as_ref()
                    .ok_or_else(|| AuthError::NotConfigured(format!("{} needs jwt_public_key (PEM)", jwt.algorithm)))?;
                let rsa = algorithm == Algorithm::RS256;
                let decoding = if rsa {
                    DecodingKey::from_rsa_pem(public.as_bytes())
                } else {
                    DecodingKey::from_ec_pem(public.as_bytes())
                }
                .map_err(|e| AuthError::NotConfigured(format!("jwt_public_key: {e}")))?;
                let encoding = match &jwt.private_key {
                    Some(private) => Some(
                        if rsa {
                            EncodingKey::from_rsa_pem(private.expose().as_bytes())
                        } else {
                            EncodingKey::from_ec_pem(private.expose().as_bytes())
                        }
                        .map_err(|_| AuthError::NotConfigured("jwt_private_key is not a valid PEM key".into()))?,
                    ),
                    None => None,
                };
                (encoding, decoding)
            }
            other => return Err(AuthError::NotConfigured(format!("jwt_algorithm {other:?} is not supported"))),
        };
        Ok(Jwt {
            algorithm,
            encoding,
            decoding,
            issuer: jwt.issuer.clone(),
            audience: jwt.audience.clone(),
            lifetime: jwt.lifetime,
            leeway: jwt.leeway,
            validation: validation(algorithm, jwt.leeway, &jwt.issuer, &jwt.audience),
        })
    }

    /// Starts a token for `user_id` with the configured issuer, audience and lifetime.
    pub fn token(&self, user_id: impl Into<String>) -> TokenBuilder<'_> {
        TokenBuilder {
            jwt: self,
            sub: user_id.into(),
            claims: Map::new(),
            lifetime: self.lifetime,
            issuer: self.issuer.clone(),
            audience: self.audience.clone(),
        }
    }

    /// Verifies a token and returns its user.
    ///
    /// Only the configured algorithm and key are used: the token's header
    /// chooses nothing (`alg: none`, another algorithm, a `kid`, `jwk`,
    /// `jku` or `x5u` are refused or ignored). A token longer than
    /// [`MAX_TOKEN_BYTES`] is refused unread; `exp`, `nbf` and `iat` are
    /// checked with the configured leeway.
    pub fn verify(&self, token: &str) -> Result<User, AuthError> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(AuthError::Invalid(format!("longer than {MAX_TOKEN_BYTES} bytes")));
        }
        let data =
            jsonwebtoken::decode::<Map<String, Value>>(token, &self.decoding, &self.validation).map_err(|e| match e
                .kind()
            {
                ErrorKind::ExpiredSignature => AuthError::Expired,
                ErrorKind::InvalidSignature => AuthError::Invalid("bad signature".into()),
                ErrorKind::InvalidAlgorithm => AuthError::Invalid("algorithm not accepted".into()),
                ErrorKind::InvalidIssuer => AuthError::Invalid("wrong issuer".into()),
                ErrorKind::InvalidAudience => AuthError::Invalid("wrong audience".into()),
                ErrorKind::MissingRequiredClaim(claim) => AuthError::Invalid(format!("no `{claim}` claim")),
                ErrorKind::ImmatureSignature => AuthError::Invalid("not valid yet (nbf)".into()),
                _ => AuthError::Invalid("malformed token".into()),
            })?;
        let claims = data.claims;
        // RFC 7519 4.1.1: `iss` is one string (jsonwebtoken also takes a list).
        if self.issuer.is_some() && !claims.get("iss").is_some_and(Value::is_string) {
            return Err(AuthError::Invalid("`iss` must be a string".into()));
        }
        let iat = claims.get("iat").and_then(Value::as_u64).ok_or_else(|| AuthError::Invalid("bad `iat`".into()))?;
        if iat > now() + self.leeway.as_secs() {
            return Err(AuthError::Invalid("issued in the future (`iat`)".into()));
        }
        let id = match claims.get("sub") {
            Some(Value::String(s)) if !s.is_empty() => s.clone(),
            _ => return Err(AuthError::Invalid("`sub` must be a non-empty string".into())),
        };
        Ok(User { id, claims })
    }
}

/// A token being made: extra claims, another lifetime, issuer or audience.
pub struct TokenBuilder<'a> {
    jwt: &'a Jwt,
    sub: String,
    claims: Map<String, Value>,
    lifetime: Duration,
    issuer: Option<String>,
    audience: Option<String>,
}

impl TokenBuilder<'_> {
    /// Adds a claim (`sub`, `iat`, `exp` are set by [`TokenBuilder::sign`]).
    pub fn claim(mut self, name: &str, value: impl Serialize) -> Self {
        self.claims.insert(name.to_string(), serde_json::to_value(value).unwrap_or(Value::Null));
        self
    }

    /// How long the token is valid.
    pub fn lifetime(mut self, lifetime: Duration) -> Self {
        self.lifetime = lifetime;
        self
    }

    /// The `iss` claim.
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = Some(issuer.into());
        self
    }

    /// The `aud` claim.
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audience = Some(audience.into());
        self
    }

    /// Signs the token.
    pub fn sign(self) -> Result<String, AuthError> {
        let encoding = self.jwt.encoding.as_ref().ok_or_else(|| {
            AuthError::NotConfigured("no key to sign with (set jwt_secret, or jwt_private_key)".into())
        })?;
        let mut claims = self.claims;
        let iat = now();
        claims.insert("sub".into(), Value::String(self.sub));
        claims.insert("iat".into(), iat.into());
        claims.insert("exp".into(), (iat + self.lifetime.as_secs()).into());
        if let Some(iss) = self.issuer {
            claims.insert("iss".into(), iss.into());
        }
        if let Some(aud) = self.audience {
            claims.insert("aud".into(), aud.into());
        }
        jsonwebtoken::encode(&Header::new(self.jwt.algorithm), &claims, encoding)
            .map_err(|e| AuthError::NotConfigured(format!("cannot sign: {e}")))
    }
}

/// A token for `user_id`, signed with the service's configuration
/// ([`macaron_config::config()`]).
pub fn generate_token(user_id: &str) -> Result<String, AuthError> {
    Jwt::from_config(&macaron_config::config())?.token(user_id).sign()
}
