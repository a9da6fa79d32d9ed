//! What can go wrong with stored objects, and what the caller should see.

use std::fmt;

/// A persistence error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbError {
    /// No object with that key: the handler usually turns it into its own 404.
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
    /// The database cannot be reached: a 503 for the caller; retried
    /// connections recover when it is back.
    Unavailable(String),
    /// A stored object does not fit the type (or a query names a bad field).
    Invalid(String),
    /// Any other database error.
    Sql(String),
}

impl DbError {
    /// The HTTP status this error means for a caller.
    pub fn status(&self) -> u16 {
        match self {
            DbError::NotFound { .. } => 404,
            DbError::Conflict { .. } => 409,
            DbError::Unavailable(_) => 503,
            DbError::Invalid(_) | DbError::Sql(_) => 500,
        }
    }

    /// The error code this error means for a caller.
    pub fn code(&self) -> &'static str {
        match self {
            DbError::NotFound { .. } => "NOT_FOUND",
            DbError::Conflict { .. } => "CONFLICT",
            DbError::Unavailable(_) => "DATABASE_UNAVAILABLE",
            DbError::Invalid(_) | DbError::Sql(_) => "SERVER_ERROR",
        }
    }
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
