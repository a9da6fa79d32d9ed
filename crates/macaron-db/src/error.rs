//! What can go wrong with stored objects, and what kind of failure it is.
//!
//! [`DbError`] says what happened, for logs and for code that handles one
//! case (a conflict retried, a missing object turned into the handler's
//! own error). [`DbError::kind`] sorts it into a [`DbFailure`] by what the
//! service's caller can do about it; this crate stops there. How a kind is
//! answered (a status, an error code) is the runtime's decision, made in
//! one place over all its errors: this crate knows nothing of HTTP.

use std::fmt;

/// A persistence error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbError {
    /// No object with that key: the handler usually turns it into its own
    /// "not found" error.
    NotFound {
        /// The table.
        table: String,
        /// The key.
        key: String,
    },
    /// The object changed since it was loaded (or exists already when
    /// inserted): reload and retry, or save with last-write-wins.
    Conflict {
        /// The table.
        table: String,
        /// The key.
        key: String,
    },
    /// The database cannot be reached (the caller may try again later);
    /// retried connections recover when it is back.
    Unavailable(String),
    /// A stored object does not fit the type (or a query names a bad field).
    Invalid(String),
    /// Any other database error.
    Sql(String),
}

impl DbError {
    /// What kind of failure this is, for whoever answers the caller.
    ///
    /// ```
    /// use macaron_db::{DbError, DbFailure};
    /// assert_eq!(DbError::Unavailable("connection refused".into()).kind(), DbFailure::Unavailable);
    /// assert_eq!(DbError::Sql("syntax error".into()).kind(), DbFailure::Internal);
    /// ```
    pub fn kind(&self) -> DbFailure {
        match self {
            DbError::NotFound { .. } => DbFailure::NotFound,
            DbError::Conflict { .. } => DbFailure::Conflict,
            DbError::Unavailable(_) => DbFailure::Unavailable,
            DbError::Invalid(_) | DbError::Sql(_) => DbFailure::Internal,
        }
    }
}

/// The kinds of [`DbError`], by what the caller of a service can do about
/// them. The runtime decides what each means on the wire; the match over
/// them there is exhaustive, so a new kind cannot slip through unmapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DbFailure {
    /// The object asked for does not exist ([`DbError::NotFound`]).
    NotFound,
    /// The object changed since it was loaded, or its key is taken
    /// ([`DbError::Conflict`]): the caller may reload and try again.
    Conflict,
    /// The database cannot be reached now ([`DbError::Unavailable`]): the
    /// same request may succeed later.
    Unavailable,
    /// A fault of the service, not of the caller: a stored object that does
    /// not fit its type, a bad query, any other database error
    /// ([`DbError::Invalid`], [`DbError::Sql`]).
    Internal,
}

impl fmt::Display for DbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DbError::NotFound { table, key } => write!(f, "no object with key \"{key}\" in {table}"),
            DbError::Conflict { table, key } => {
                write!(f, "object \"{key}\" in {table} was changed by someone else since it was loaded")
            }
            DbError::Unavailable(why) => write!(f, "the database is unavailable: {why}"),
            DbError::Invalid(why) => write!(f, "{why}"),
            DbError::Sql(why) => write!(f, "database error: {why}"),
        }
    }
}

impl std::error::Error for DbError {}

impl From<sqlx::Error> for DbError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::Io(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed
            | sqlx::Error::Tls(_)
            | sqlx::Error::Protocol(_) => DbError::Unavailable(e.to_string()),
            sqlx::Error::Database(db) => {
                let code = db.code().map(|c| c.into_owned()).unwrap_or_default();
                // 57P01..57P03: server shutting down / connection killed; 08xxx: connection errors.
                if code.starts_with("57P") || code.starts_with("08") {
                    DbError::Unavailable(db.message().to_string())
                } else {
                    DbError::Sql(db.message().to_string())
                }
            }
            _ => DbError::Sql(e.to_string()),
        }
    }
}
