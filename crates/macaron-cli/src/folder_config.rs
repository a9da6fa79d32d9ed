//! The configuration of a service's folder as the commands read it:
//! `macaron.yaml` (if any) with the overlay of an environment, secrets not
//! needed (their names are read, their values are not required).

use std::path::Path;

use macaron_config::{Config, ConfigError, Loader};

/// Loads `dir/macaron.yaml` and the overlay of `env` (the base alone when `None`).
pub fn load(dir: &Path, env: Option<&str>) -> Result<Config, ConfigError> {
    Loader::new()
        .path(dir.join("macaron.yaml"))
        .path_optional(true)
        .env(env.map(str::to_string))
        .secrets_optional(true)
        .load()
}
