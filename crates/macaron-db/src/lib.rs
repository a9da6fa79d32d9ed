//! # macaron-db
//!
//! API objects that persist themselves, as PyMacaron's `x-persist` objects
//! did on DynamoDB, here on real SQL engines: an embedded SQLite file by
//! default (nothing to install), PostgreSQL at scale, chosen by the URL at
//! startup with no code change.
//!
//! Each persisted type has a table holding the object as JSON (JSONB on
//! PostgreSQL) beside its key, a version and timestamps; tables are created
//! when first needed. The version gives optimistic concurrency: saving a
//! [`Record`] loaded before someone else changed the object is a
//! [`DbError::Conflict`], not a silent overwrite, unless the caller asks for
//! last-write-wins ([`Record::save_overwrite`]). A database that is down is
//! [`DbError::Unavailable`] (its [`DbFailure`] kind tells the runtime the
//! caller may try again later), and the pool reconnects when it is back.
//!
//! The modules, from what a service calls down to the database; each
//! imports only modules below it:
//!
//! 1. `persistent`: the [`Persistent`] trait and [`Record`] (versioned saves);
//! 2. `store`: the raw operations on stored JSON, for a [`Db`] or a [`Tx`];
//!    `queue`: the task queue's table, which `macaron-tasks` drives;
//! 3. `db`: the pool, transactions, and bringing the framework's tables up
//!    to date from `migrations` (their definitions, version by version);
//! 4. `sql`: each backend's SQL for object tables; `query`: a listing;
//!    `error`: what goes wrong, and its kind.
//!
//! ```
//! use macaron_db::{Db, ListQuery, Persistent};
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
//! struct Pet { id: String, name: String, tag: Option<String> }
//!
//! impl Persistent for Pet {
//!     const TABLE: &'static str = "pets";
//!     fn key(&self) -> String { self.id.clone() }
//! }
//!
//! # #[cfg(feature = "sqlite")] // (the example runs on an in-memory SQLite)
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let db = Db::connect("sqlite::memory:").await.unwrap();
//! Pet { id: "1".into(), name: "Rex".into(), tag: Some("dog".into()) }.save(&db).await.unwrap();
//! let mut rex = Pet::load(&db, "1").await.unwrap();
//! rex.name = "Rex II".into();
//! rex.save(&db).await.unwrap();
//! let dogs = Pet::list(&db, &ListQuery::new().filter("tag", "dog").newest_first().limit(10)).await.unwrap();
//! assert_eq!(dogs[0].name, "Rex II");
//! assert!(Pet::find(&db, "2").await.unwrap().is_none());
//! # });
//! ```

// Without a backend (neither `sqlite` nor `postgres`) the crate still
// compiles, so a workspace can check it that way, but no `Db` can be made:
// every connection is an error naming the feature to turn on, and the code
// after a connection is unreachable by construction.
#![cfg_attr(
    not(any(feature = "sqlite", feature = "postgres")),
    allow(unreachable_code, unused_variables, unused_assignments, dead_code, clippy::never_loop)
)]

mod db;
mod error;
mod migrations;
mod persistent;
mod query;
mod queue;
mod sql;
mod store;

pub use db::{redact_url, Db, DbOptions, Tx};
pub use error::{DbError, DbFailure};
pub use persistent::{Persistent, Record};
pub use query::ListQuery;
pub use queue::{FailedJob, Job, Queue, QueueStats};
pub use store::{Row, Store, TextRow, Written};

/// The text of a key field, whatever its type (for generated `key()`s):
/// strings as they are, numbers as digits.
///
/// ```
/// assert_eq!(macaron_db::key_text(&"a1"), "a1");
/// assert_eq!(macaron_db::key_text(&42), "42");
/// assert_eq!(macaron_db::key_text(&Some(7)), "7");
/// ```
pub fn key_text<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(serde_json::Value::Null) | Err(_) => String::new(),
        Ok(other) => other.to_string(),
    }
}
