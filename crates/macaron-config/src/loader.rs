//! Reading the files, overlaying, substituting secrets, typing known keys.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::error::ConfigError;
use crate::keys::{bytes, duration, Config, SECRET_KEYS};
use crate::secret::Secret;

type Vars = Box<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// Where to find the configuration and the environment.
///
/// ```
/// // No macaron.yaml: every key takes its default.
/// let config = macaron_config::Loader::new().path("no/such/macaron.yaml").path_optional(true).load().unwrap();
/// assert_eq!(config.body_limit, 1024 * 1024);
/// ```
pub struct Loader {
    path: Option<PathBuf>,
    path_optional: bool,
    secrets_optional: bool,
    env: Option<String>,
    vars: Vars,
}

impl Default for Loader {
    fn default() -> Self {
        Self::new()
    }
}

struct Source {
    name: String,
    text: String,
    values: Value,
}

impl Loader {
    /// `macaron.yaml` in the working directory (absent is fine), the
    /// environment from `MACARON_ENV` (else `dev`), variables from the process.
    pub fn new() -> Self {
        Loader {
            path: None,
            path_optional: true,
            secrets_optional: false,
            env: None,
            vars: Box::new(|name| std::env::var(name).ok()),
        }
    }

    /// An explicit file (`--config PATH`): it must exist, unless
    /// [`Loader::path_optional`] says otherwise.
    pub fn path(mut self, path: impl Into<PathBuf>) -> Self {
        self.path = Some(path.into());
        self.path_optional = false;
        self
    }

    /// Whether a missing file is fine (the default for `macaron.yaml`).
    pub fn path_optional(mut self, optional: bool) -> Self {
        self.path_optional = optional;
        self
    }

    /// For tools that read keys which are not secrets (`macaron test --env
    /// staging` reads `url`): a name of `env_secrets` that is not set is
    /// not an error, and the values naming it stay as written. A service
    /// never loads its configuration this way.
    ///
    /// ```
    /// let config = macaron_config::Loader::new()
    ///     .vars(|_| None)
    ///     .secrets_optional(true)
    ///     .load_str("macaron.yaml", "env_secrets: [SVC_JWT_SECRET]\nurl: https://svc.example.com\n")
    ///     .unwrap();
    /// assert_eq!(config.url.as_deref(), Some("https://svc.example.com"));
    /// ```
    pub fn secrets_optional(mut self, optional: bool) -> Self {
        self.secrets_optional = optional;
        self
    }

    /// The environment (`--env`), whose overlay `macaron.<env>.yaml` applies.
    pub fn env(mut self, env: Option<String>) -> Self {
        self.env = env;
        self
    }

    /// Where variables are read (the process environment by default).
    pub fn vars(mut self, vars: impl Fn(&str) -> Option<String> + Send + Sync + 'static) -> Self {
        self.vars = Box::new(vars);
        self
    }

    /// Reads the file and its overlay.
    pub fn load(self) -> Result<Config, ConfigError> {
        let explicit = self.path.is_some();
        let path = self.path.clone().unwrap_or_else(|| PathBuf::from("macaron.yaml"));
        let mut sources = Vec::new();
        match std::fs::read_to_string(&path) {
            Ok(text) => sources.push(parse(&path.display().to_string(), text)?),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && (self.path_optional || !explicit) => {}
            Err(e) => return Err(ConfigError::new(format!("cannot read: {e}")).in_file(&path.display().to_string())),
        }
        let env = self.env_name();
        let overlay = overlay_path(&path, &env);
        match std::fs::read_to_string(&overlay) {
            Ok(text) => sources.push(parse(&overlay.display().to_string(), text)?),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(ConfigError::new(format!("cannot read: {e}")).in_file(&overlay.display().to_string())),
        }
        self.build(sources, env)
    }

    /// Reads configuration text directly (no overlay); `name` is used in messages.
    pub fn load_str(self, name: &str, text: &str) -> Result<Config, ConfigError> {
        let env = self.env_name();
        let source = parse(name, text.to_string())?;
        self.build(vec![source], env)
    }

    fn env_name(&self) -> String {
        self.env
            .clone()
            .or_else(|| (self.vars)("MACARON_ENV"))
            .filter(|e| !e.is_empty())
            .unwrap_or_else(|| "dev".into())
    }

    fn build(self, sources: Vec<Source>, env: String) -> Result<Config, ConfigError> {
        let mut values = Value::Object(Map::new());
        for source in &sources {
            merge(&mut values, source.values.clone());
        }
        let at = |key: &str| locate(&sources, key);
        let mut config = Config { env, files: sources.iter().map(|s| s.name.clone()).collect(), ..Config::default() };

        // Secrets from the environment, before anything reads a value.
        let names: Vec<String> = match values.get("env_secrets") {
            None | Some(Value::Null) => Vec::new(),
            Some(v) => serde_json::from_value(v.clone())
                .map_err(|_| at("env_secrets").message("expected a list of environment variable names"))?,
        };
        let mut secrets = Vec::new();
        for name in &names {
            match (self.vars)(name) {
                Some(value) if !value.is_empty() => secrets.push((name.clone(), value)),
                _ if self.secrets_optional => {}
                _ => {
                    return Err(at("env_secrets").message(format!(
                        "environment variable {name} is listed in env_secrets but is not set: set it (there is no default for a secret)"
                    )))
                }
            }
        }
        if let Value::Object(map) = &mut values {
            for (_, value) in map.iter_mut().filter(|(k, _)| *k != "env_secrets") {
                substitute(value, &secrets);
            }
        }
        config.secrets = secrets.into_iter().map(|(_, v)| v).collect();
        config.env_secrets = names;

        // The environment overrides the file for these.
        for (var, key) in [("DATABASE_URL", "database_url"), ("REDIS_URL", "redis_url")] {
            if let Some(v) = (self.vars)(var).filter(|v| !v.is_empty()) {
                values[key] = Value::String(v);
            }
        }
        if let Some(port) = (self.vars)("PORT").filter(|v| !v.is_empty()) {
            let port: u16 =
                port.parse().map_err(|_| ConfigError::new(format!("PORT=\"{port}\" is not a port number")))?;
            values["port"] = Value::from(port);
        }

        let typed = Typed { values: &values, sources: &sources };
        config.name = typed.string("name")?;
        config.live_url = typed.string("live_url")?;
        config.url = typed.string("url")?;
        if let Some(url) = &config.url {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(
                    at("url").message(format!("\"{url}\" is not a URL: it must start with http:// or https://"))
                );
            }
        }
        config.jwt.issuer = typed.string("jwt_issuer")?;
        config.jwt.audience = typed.string("jwt_audience")?;
        config.jwt.secret = typed.string("jwt_secret")?.map(Secret::new);
        if let Some(alg) = typed.string("jwt_algorithm")? {
            if !["HS256", "HS384", "HS512", "RS256", "ES256"].contains(&alg.as_str()) {
                return Err(
                    at("jwt_algorithm").message(format!("\"{alg}\" is not one of HS256, HS384, HS512, RS256, ES256"))
                );
            }
            config.jwt.algorithm = alg;
        }
        config.jwt.public_key = typed.string("jwt_public_key")?;
        config.jwt.private_key = typed.string("jwt_private_key")?.map(Secret::new);
        if let Some(v) = values.get("jwt_lifetime").filter(|v| !v.is_null()) {
            config.jwt.lifetime = duration(v).map_err(|m| at("jwt_lifetime").message(m))?;
        }
        if let Some(v) = values.get("jwt_leeway").filter(|v| !v.is_null()) {
            config.jwt.leeway = duration(v).map_err(|m| at("jwt_leeway").message(m))?;
        }
        config.default_user_id = typed.string("default_user_id")?;
        if let Some(v) = values.get("body_limit").filter(|v| !v.is_null()) {
            config.body_limit = bytes(v).map_err(|m| at("body_limit").message(m))?;
        }
        config.cors_origins = typed.list("cors_origins")?;
        config.database_url = typed.string("database_url")?.map(Secret::new);
        config.redis_url = typed.string("redis_url")?.map(Secret::new);
        if let Some(v) = values.get("with_async").filter(|v| !v.is_null()) {
            config.with_async = v.as_bool().ok_or_else(|| at("with_async").message("expected true or false"))?;
        }
        if let Some(v) = values.get("port").filter(|v| !v.is_null()) {
            config.port = Some(
                v.as_u64()
                    .and_then(|p| u16::try_from(p).ok())
                    .ok_or_else(|| at("port").message("expected a port number"))?,
            );
        }
        // Secrets given in the file itself, and URL passwords, are secrets too.
        for key in SECRET_KEYS {
            if let Some(Value::String(v)) = values.get(key) {
                let secret = if key.ends_with("_url") { url_password(v) } else { Some(v.clone()) };
                if let Some(secret) = secret.filter(|s| !s.is_empty() && !config.secrets.contains(s)) {
                    config.secrets.push(secret);
                }
            }
        }
        config.secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        config.values = values;
        Ok(config)
    }
}

/// The password in `scheme://user:password@host/...`, if any.
fn url_password(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split(['/', '?', '#']).next()?;
    let userinfo = authority.rsplit_once('@')?.0;
    Some(userinfo.split_once(':')?.1.to_string())
}

/// `conf/svc.yaml` with env `prod` gives `conf/svc.prod.yaml`.
fn overlay_path(path: &Path, env: &str) -> PathBuf {
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "macaron".into());
    let ext = path.extension().map(|e| e.to_string_lossy().into_owned()).unwrap_or_else(|| "yaml".into());
    path.with_file_name(format!("{stem}.{env}.{ext}"))
}

fn parse(name: &str, text: String) -> Result<Source, ConfigError> {
    let values: Value = if text.trim().is_empty() {
        Value::Object(Map::new())
    } else {
        serde_yaml::from_str(&text).map_err(|e| ConfigError {
            line: e.location().map(|l| l.line()),
            ..ConfigError::new(format!("invalid YAML: {e}")).in_file(name)
        })?
    };
    let values = match values {
        Value::Null => Value::Object(Map::new()),
        v @ Value::Object(_) => v,
        _ => return Err(ConfigError::new("the configuration must be a mapping of keys to values").in_file(name)),
    };
    Ok(Source { name: name.to_string(), text, values })
}

fn merge(base: &mut Value, overlay: Value) {
    match (base, overlay) {
        (Value::Object(base), Value::Object(overlay)) => {
            for (k, v) in overlay {
                match base.get_mut(&k) {
                    Some(existing) => merge(existing, v),
                    None => {
                        base.insert(k, v);
                    }
                }
            }
        }
        (base, overlay) => *base = overlay,
    }
}

fn substitute(value: &mut Value, secrets: &[(String, String)]) {
    match value {
        Value::String(s) => {
            if let Some((_, v)) = secrets.iter().find(|(name, _)| name == s) {
                *s = v.clone();
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| substitute(v, secrets)),
        Value::Object(map) => map.values_mut().for_each(|v| substitute(v, secrets)),
        _ => {}
    }
}

/// Where a top-level key is set: the last file setting it, with its line.
struct At {
    file: Option<String>,
    line: Option<usize>,
    key: String,
}

impl At {
    fn message(self, message: impl Into<String>) -> ConfigError {
        ConfigError { file: self.file, line: self.line, key: Some(self.key), message: message.into() }
    }
}

fn locate(sources: &[Source], key: &str) -> At {
    for source in sources.iter().rev() {
        if source.values.get(key).is_some() {
            let prefixes = [format!("{key}:"), format!("\"{key}\":"), format!("'{key}':")];
            let line =
                source.text.lines().position(|l| prefixes.iter().any(|p| l.starts_with(p.as_str()))).map(|i| i + 1);
            return At { file: Some(source.name.clone()), line, key: key.into() };
        }
    }
    At { file: None, line: None, key: key.into() }
}

struct Typed<'a> {
    values: &'a Value,
    sources: &'a [Source],
}

impl Typed<'_> {
    fn string(&self, key: &str) -> Result<Option<String>, ConfigError> {
        match self.values.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(Value::Number(n)) if !SECRET_KEYS.contains(&key) => Ok(Some(n.to_string())),
            Some(_) => Err(locate(self.sources, key).message("expected a string")),
        }
    }

    fn list(&self, key: &str) -> Result<Vec<String>, ConfigError> {
        match self.values.get(key) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(v) => serde_json::from_value(v.clone())
                .map_err(|_| locate(self.sources, key).message("expected a list of strings")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlay_names() {
        assert_eq!(overlay_path(Path::new("macaron.yaml"), "prod"), PathBuf::from("macaron.prod.yaml"));
        assert_eq!(overlay_path(Path::new("conf/svc.yml"), "test"), PathBuf::from("conf/svc.test.yml"));
    }

    #[test]
    fn url_passwords() {
        assert_eq!(url_password("postgres://u:p%40ss@db:5432/x").as_deref(), Some("p%40ss"));
        assert_eq!(url_password("sqlite://pets.db"), None);
        assert_eq!(url_password("redis://:pw@127.0.0.1:6379/0").as_deref(), Some("pw"));
    }

    #[test]
    fn deep_merge() {
        let mut base = serde_json::json!({"a": {"b": 1, "c": 2}, "l": [1, 2]});
        merge(&mut base, serde_json::json!({"a": {"c": 3}, "l": [9]}));
        assert_eq!(base, serde_json::json!({"a": {"b": 1, "c": 3}, "l": [9]}));
    }
}
