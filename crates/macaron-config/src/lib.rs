//! # macaron-config
//!
//! A service's configuration: `macaron.yaml` in the working directory (or
//! the file given with `--config`), overlaid by `macaron.<env>.yaml` for the
//! environment chosen with `--env` / `MACARON_ENV`, with secrets taken from
//! the environment.
//!
//! PyMacaron's configuration had two holes this crate closes: an
//! `env_secrets` variable that was unset silently became the literal name,
//! and secrets could end up in logs. Here an unset secret stops the service
//! at startup with a message naming the variable, every secret value is
//! known to [`Config::redact`], and [`Secret`] values print as `***`.
//!
//! Known keys are typed (a wrong type is an error naming the key, the file
//! and the line); every other key is kept for the service and read with
//! [`Config::get`], nested keys and list items too.
//!
//! ```
//! use macaron_config::Loader;
//! let yaml = "
//! name: pets
//! env_secrets: [PETS_JWT_SECRET]
//! jwt_secret: PETS_JWT_SECRET
//! jwt_lifetime: 2h
//! mail:
//!   senders: [alice@example.com, bob@example.com]
//! ";
//! let config = Loader::new()
//!     .vars(|name| (name == "PETS_JWT_SECRET").then(|| "s3cr3t".to_string()))
//!     .load_str("macaron.yaml", yaml)
//!     .unwrap();
//! assert_eq!(config.name.as_deref(), Some("pets"));
//! assert_eq!(config.jwt.secret.as_ref().unwrap().expose(), "s3cr3t");
//! assert_eq!(config.jwt.lifetime, std::time::Duration::from_secs(7200));
//! assert_eq!(config.get::<String>("mail.senders.1").unwrap(), "bob@example.com");
//! assert_eq!(config.redact("token s3cr3t"), "token ***");
//! ```

mod error;
mod global;
mod keys;
mod loader;
mod secret;

pub use error::ConfigError;
pub use global::{config, install};
pub use keys::{Config, JwtConfig};
pub use loader::Loader;
pub use secret::Secret;
