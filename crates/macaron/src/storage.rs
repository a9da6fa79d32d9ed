//! The service's database: which one, connecting at startup, reaching it.
//!
//! A service whose spec marks a schema `x-persist` (or whose configuration
//! names a `database_url`) gets a database with no code: the URL is the
//! builder's, else `database_url` / `DATABASE_URL`, else an SQLite file
//! `NAME.db` in the working directory. It is connected before the server
//! accepts requests, so a database that is down stops the start with a
//! message naming the URL (without its password), and the tables of every
//! persisted schema are created then. Handlers reach it as an argument
//! ([`macaron_db::Db`]) or with [`crate::db()`]; a database that goes down
//! later turns into 503 replies (`DATABASE_UNAVAILABLE`) until it is back.

use std::sync::OnceLock;

use macaron_db::{Db, DbOptions};

use crate::error::codes::{ServerError, StartupFailed};
use crate::error::Error;

/// What to connect to, decided when the service is built.
pub(crate) struct Storage {
    pub url: String,
    pub tables: Vec<String>,
    /// Connections in the pool (`database_pool_size` in the configuration).
    pub pool_size: u32,
    pub db: OnceLock<Db>,
}

static FIRST: OnceLock<Db> = OnceLock::new();

impl Storage {
    /// Connects (once) and creates the persisted types' tables.
    pub async fn connect(&self) -> Result<Db, Error> {
        if let Some(db) = self.db.get() {
            return Ok(db.clone());
        }
        let options = DbOptions { max_connections: self.pool_size.max(1), ..DbOptions::default() };
        let db =
            Db::connect_with(&self.url, options).await.map_err(|e| StartupFailed::new(format!("database: {e}")))?;
        for table in &self.tables {
            db.ensure_table(table).await.map_err(|e| StartupFailed::new(format!("database: {e}")))?;
        }
        tracing::info!("database: {} ({} persisted types)", db.url(), self.tables.len());
        let _ = FIRST.set(db.clone());
        Ok(self.db.get_or_init(|| db).clone())
    }
}

/// The database of the service serving the current request (or, outside a
/// request, of the first service started in this process).
///
/// ```
/// assert!(macaron::db().is_err()); // no service has a database here
/// ```
pub fn db() -> crate::Result<Db> {
    crate::request::record::current_db().or_else(|| FIRST.get().cloned()).ok_or_else(no_database)
}

/// The error of a service without a database that asks for one.
pub(crate) fn no_database() -> Error {
    ServerError::new("this service has no database: mark a schema x-persist or set database_url")
}
