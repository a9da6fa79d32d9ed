//! The service's configuration, reachable from anywhere.

use std::sync::{Arc, RwLock};

use crate::keys::Config;

static CURRENT: RwLock<Option<Arc<Config>>> = RwLock::new(None);

/// The configuration installed by the service at startup (`letsgo` does it),
/// or an empty one (every key at its default) before that.
///
/// ```
/// let config = macaron_config::config();
/// assert_eq!(config.jwt.lifetime, std::time::Duration::from_secs(24 * 3600));
/// ```
pub fn config() -> Arc<Config> {
    let current = CURRENT.read().unwrap_or_else(|poisoned| poisoned.into_inner());
    match current.as_ref() {
        Some(config) => config.clone(),
        None => Arc::new(Config::default()),
    }
}

/// Makes `config` the one [`config()`] returns.
pub fn install(config: Config) -> Arc<Config> {
    let config = Arc::new(config);
    let mut current = CURRENT.write().unwrap_or_else(|poisoned| poisoned.into_inner());
    *current = Some(config.clone());
    config
}
