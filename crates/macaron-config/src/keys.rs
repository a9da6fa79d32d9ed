//! The keys Macaron knows, typed; and access to every other key.
//!
//! | key | type | default |
//! |---|---|---|
//! | `name` | string | the service's package name |
//! | `live_url` | string | none |
//! | `url` | the environment's base URL (`http://` or `https://`), where `macaron test --env` points | none |
//! | `env_secrets` | list of variable names | `[]` |
//! | `jwt_issuer`, `jwt_audience` | string | none |
//! | `jwt_secret` | string (secret) | none |
//! | `jwt_algorithm` | `HS256`, `HS384`, `HS512`, `RS256`, `ES256` | `HS256` |
//! | `jwt_public_key` / `jwt_private_key` | PEM (the private one secret) | none |
//! | `jwt_lifetime` | duration (`24h`, `90m`, or seconds) | 24 h |
//! | `jwt_leeway` | duration | 0 s |
//! | `default_user_id` | string | none |
//! | `body_limit` | bytes (`1048576`, `512KiB`, `2MiB`) | 1 MiB |
//! | `cors_origins` | list of origins | `[]` |
//! | `header_timeout`, `body_timeout`, `keep_alive` | durations (read by the runtime) | 5 s, 15 s, 5 s |
//! | `connections_per_worker` | connections (read by the runtime) | 10000 |
//! | `header_limit` | bytes, at most 128 KiB (read by the runtime) | 32 KiB |
//! | `database_url` | URL (secret) | none: embedded SQLite |
//! | `database_pool_size` | connections (read by the runtime) | 10 |
//! | `redis_url` | URL (secret) | none: embedded queue |
//! | `with_async` | bool | `true` |
//! | `task_queue` | the queue's name in Redis (read by the runtime) | `name` |
//! | `task_concurrency` | tasks at once per process (read by the runtime) | 8 |
//! | `task_visibility_timeout` | duration (read by the runtime) | 30 s |
//! | `task_shutdown_grace` | duration (read by the runtime) | 25 s |
//! | `port` | port number | 8080 |
//! | `health_timeout` | duration: how long each readiness check may take (read by the runtime) | 2 s |
//! | `shutdown_delay` | duration: after SIGTERM, how long readiness answers 503 before the listener closes (read by the runtime) | 0 s |
//! | `log_format` | `text` or `json` (read by the runtime; `MACARON_LOG_FORMAT` wins) | `text` |
//! | `otel` | the `OTEL_*` trace settings as a mapping (`exporter_otlp_endpoint: ...`; read by the runtime; the environment wins) | none: traces off |
//! | `docker_base` | the runtime base image of `macaron docker build` (read by the CLI) | `debian:bookworm-slim` |

use std::time::Duration;

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::ConfigError;
use crate::secret::Secret;

/// JWT settings.
#[derive(Debug, Clone, PartialEq)]
pub struct JwtConfig {
    /// `jwt_issuer`: put in `iss` and required when verifying.
    pub issuer: Option<String>,
    /// `jwt_audience`: put in `aud` and required when verifying.
    pub audience: Option<String>,
    /// `jwt_secret`: the HMAC key.
    pub secret: Option<Secret>,
    /// `jwt_algorithm`.
    pub algorithm: String,
    /// `jwt_public_key`: PEM, to verify RS256 / ES256 tokens.
    pub public_key: Option<String>,
    /// `jwt_private_key`: PEM, to sign RS256 / ES256 tokens.
    pub private_key: Option<Secret>,
    /// `jwt_lifetime`: how long a new token is valid.
    pub lifetime: Duration,
    /// `jwt_leeway`: clock skew tolerated on `exp` and `iat`.
    pub leeway: Duration,
}

/// A loaded configuration. Its `Debug` output has every secret redacted.
#[derive(Clone, PartialEq)]
pub struct Config {
    /// `name`.
    pub name: Option<String>,
    /// `live_url`.
    pub live_url: Option<String>,
    /// `url`: where this environment's service answers (`macaron test --env`).
    pub url: Option<String>,
    /// The environment (`--env`, `MACARON_ENV`; `dev` by default).
    pub env: String,
    /// `env_secrets`.
    pub env_secrets: Vec<String>,
    /// `jwt_*`.
    pub jwt: JwtConfig,
    /// `default_user_id`.
    pub default_user_id: Option<String>,
    /// `body_limit`, in bytes.
    pub body_limit: usize,
    /// `cors_origins`.
    pub cors_origins: Vec<String>,
    /// `database_url` (or `DATABASE_URL`).
    pub database_url: Option<Secret>,
    /// `redis_url` (or `REDIS_URL`).
    pub redis_url: Option<Secret>,
    /// `with_async`.
    pub with_async: bool,
    /// `port` (or `PORT`).
    pub port: Option<u16>,
    /// The files read, base first.
    pub files: Vec<String>,
    pub(crate) values: Value,
    pub(crate) secrets: Vec<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            name: None,
            live_url: None,
            url: None,
            env: "dev".into(),
            env_secrets: Vec::new(),
            jwt: JwtConfig {
                issuer: None,
                audience: None,
                secret: None,
                algorithm: "HS256".into(),
                public_key: None,
                private_key: None,
                lifetime: Duration::from_secs(24 * 3600),
                leeway: Duration::ZERO,
            },
            default_user_id: None,
            body_limit: 1024 * 1024,
            cors_origins: Vec::new(),
            database_url: None,
            redis_url: None,
            with_async: true,
            port: None,
            files: Vec::new(),
            values: Value::Object(Default::default()),
            secrets: Vec::new(),
        }
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("name", &self.name)
            .field("env", &self.env)
            .field("files", &self.files)
            .field("jwt", &self.jwt)
            .field("database_url", &self.database_url)
            .field("redis_url", &self.redis_url)
            .field("values", &self.redact(&self.values.to_string()))
            .finish_non_exhaustive()
    }
}

/// Keys whose values are secrets whatever their source.
pub(crate) const SECRET_KEYS: [&str; 4] = ["jwt_secret", "jwt_private_key", "database_url", "redis_url"];

impl Config {
    /// Reads any key, dotted for nested mappings and list items
    /// (`mail.senders.0`), as `T`.
    pub fn get<T: DeserializeOwned>(&self, key: &str) -> Result<T, ConfigError> {
        match self.get_opt(key)? {
            Some(value) => Ok(value),
            None => Err(ConfigError { key: Some(key.into()), ..ConfigError::new("not set in the configuration") }),
        }
    }

    /// Like [`Config::get`], `None` when the key is absent.
    pub fn get_opt<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, ConfigError> {
        let mut here = &self.values;
        for part in key.split('.') {
            let next = match here {
                Value::Object(map) => map.get(part),
                Value::Array(items) => part.parse::<usize>().ok().and_then(|i| items.get(i)),
                _ => None,
            };
            match next {
                Some(v) => here = v,
                None => return Ok(None),
            }
        }
        serde_json::from_value(here.clone()).map(Some).map_err(|e| ConfigError {
            key: Some(key.into()),
            ..ConfigError::new(format!(
                "cannot be read as {}: {}",
                std::any::type_name::<T>(),
                self.redact(&e.to_string())
            ))
        })
    }

    /// Reads a duration key (`30s`, `2m`, `1h 30m`, or a number of
    /// seconds); `None` when the key is absent.
    ///
    /// ```
    /// let config = macaron_config::Loader::new().load_str("m.yaml", "shutdown_delay: 5s").unwrap();
    /// assert_eq!(config.get_duration("shutdown_delay").unwrap(), Some(std::time::Duration::from_secs(5)));
    /// assert_eq!(config.get_duration("health_timeout").unwrap(), None);
    /// ```
    pub fn get_duration(&self, key: &str) -> Result<Option<Duration>, ConfigError> {
        match self.get_opt::<Value>(key)? {
            None => Ok(None),
            Some(value) => {
                duration(&value).map(Some).map_err(|e| ConfigError { key: Some(key.into()), ..ConfigError::new(e) })
            }
        }
    }

    /// Reads a size key (`32KiB`, `2MiB`, or a number of bytes); `None`
    /// when the key is absent.
    ///
    /// ```
    /// let config = macaron_config::Loader::new().load_str("m.yaml", "header_limit: 16KiB").unwrap();
    /// assert_eq!(config.get_bytes("header_limit").unwrap(), Some(16 * 1024));
    /// assert!(macaron_config::Loader::new().load_str("m.yaml", "header_limit: lots").unwrap().get_bytes("header_limit").is_err());
    /// ```
    pub fn get_bytes(&self, key: &str) -> Result<Option<usize>, ConfigError> {
        match self.get_opt::<Value>(key)? {
            None | Some(Value::Null) => Ok(None),
            Some(value) => {
                bytes(&value).map(Some).map_err(|e| ConfigError { key: Some(key.into()), ..ConfigError::new(e) })
            }
        }
    }

    /// All values, after overlays and secret substitution.
    pub fn values(&self) -> &Value {
        &self.values
    }

    /// Replaces every secret value found in `text` by `***`.
    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_string();
        for secret in &self.secrets {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), "***");
            }
        }
        out
    }

    /// The secret values (for redaction by other parts of the service).
    pub fn secret_values(&self) -> &[String] {
        &self.secrets
    }
}

/// Parses a duration: `24h`, `90m`, `1h 30m`, or a number of seconds (`1.5`).
pub(crate) fn duration(value: &Value) -> Result<Duration, String> {
    match value {
        Value::Number(n) => n
            .as_f64()
            .filter(|s| *s >= 0.0)
            // Not `from_secs_f64`, which panics past `Duration::MAX` (1e20 s).
            .and_then(|s| Duration::try_from_secs_f64(s).ok())
            .ok_or_else(|| format!("expected a number of seconds, found {n}")),
        Value::String(s) => humantime::parse_duration(s).map_err(|e| format!("\"{s}\" is not a duration ({e})")),
        other => Err(format!("expected a duration such as 24h or a number of seconds, found {other}")),
    }
}

/// Parses a size in bytes: `1048576`, `512KiB`, `2MiB`, `1MB`.
pub(crate) fn bytes(value: &Value) -> Result<usize, String> {
    match value {
        Value::Number(n) => {
            n.as_u64().map(|n| n as usize).ok_or_else(|| format!("expected a number of bytes, found {n}"))
        }
        Value::String(s) => {
            let s = s.trim();
            let digits = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
            let (n, unit) = s.split_at(digits);
            let n: usize = n.parse().map_err(|_| format!("\"{s}\" is not a size such as 512KiB"))?;
            let factor = match unit.trim().to_ascii_lowercase().as_str() {
                "" | "b" => 1,
                "kb" => 1000,
                "kib" | "k" => 1024,
                "mb" => 1_000_000,
                "mib" | "m" => 1024 * 1024,
                "gb" => 1_000_000_000,
                "gib" | "g" => 1024 * 1024 * 1024,
                other => return Err(format!("unknown size unit \"{other}\" (use B, KiB, MiB, GiB, KB, MB, GB)")),
            };
            n.checked_mul(factor).ok_or_else(|| format!("\"{s}\" is too large a size"))
        }
        other => Err(format!("expected a size such as 1MiB, found {other}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn durations_and_sizes() {
        assert_eq!(duration(&json!("24h")), Ok(Duration::from_secs(86400)));
        assert_eq!(duration(&json!(90)), Ok(Duration::from_secs(90)));
        assert_eq!(duration(&json!(1.5)), Ok(Duration::from_millis(1500)));
        assert!(duration(&json!(-1)).is_err());
        assert!(duration(&json!("soon")).is_err());
        assert_eq!(bytes(&json!("2MiB")), Ok(2 * 1024 * 1024));
        assert_eq!(bytes(&json!(10)), Ok(10));
        assert!(bytes(&json!("2 parsecs")).is_err());
    }

    #[test]
    fn numbers_out_of_range_are_errors_not_panics() {
        // `Duration::from_secs_f64` panics past `Duration::MAX`.
        assert!(duration(&json!(1e20)).is_err());
        assert!(duration(&json!(1.7976931348623157e308)).is_err());
        assert_eq!(duration(&json!(0)), Ok(Duration::ZERO));
        assert!(bytes(&json!("18446744073709551615GiB")).is_err());
        let loaded = crate::Loader::new().vars(|_| None).load_str("m.yaml", "jwt_lifetime: 1e20\n");
        assert!(loaded.unwrap_err().to_string().contains("expected a number of seconds"));
        let config = crate::Loader::new().vars(|_| None).load_str("m.yaml", "keep_alive: 9e99\n").unwrap();
        assert!(config.get_duration("keep_alive").is_err());
    }
}
