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

#[cfg(any(feature = "sqlite", feature = "postgres"))]
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
                #[cfg(feature = "sqlite")]
                let sqlite = db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some();
                #[cfg(not(feature = "sqlite"))]
                let sqlite = false;
                if try_again_later(sqlite, &code) {
                    DbError::Unavailable(db.message().to_string())
                } else {
                    DbError::Sql(db.message().to_string())
                }
            }
            _ => DbError::Sql(e.to_string()),
        }
    }
}

/// Without a backend there is no driver error: the statements that would
/// return one are never compiled.
#[cfg(not(any(feature = "sqlite", feature = "postgres")))]
impl From<std::convert::Infallible> for DbError {
    fn from(never: std::convert::Infallible) -> Self {
        match never {}
    }
}

/// Whether a database error code means "the database cannot take this now,
/// the same request may succeed later" rather than a fault of the query.
///
/// - PostgreSQL (SQLSTATE): 08xxx connection errors; 57P01..57P03 server
///   shutting down or the connection killed; class 53, insufficient
///   resources (53100 disk full, 53200 out of memory, 53300 too many
///   connections).
/// - SQLite (extended result codes, sorted by their primary code, the low
///   byte): 13 `SQLITE_FULL` (the disk is full), 10 `SQLITE_IOERR` and its
///   extended codes (the file cannot be read or written), 5 `SQLITE_BUSY`
///   (still locked after the busy timeout).
#[cfg(any(feature = "sqlite", feature = "postgres"))]
fn try_again_later(sqlite: bool, code: &str) -> bool {
    if sqlite {
        return code.parse::<i32>().is_ok_and(|c| matches!(c & 0xff, 5 | 10 | 13));
    }
    code.starts_with("57P") || code.starts_with("08") || code.starts_with("53")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_that_mean_try_again_later() {
        for code in ["08006", "57P01", "57P03", "53100", "53200", "53300"] {
            assert!(try_again_later(false, code), "{code}");
        }
        for code in ["23505", "42P01", "22P02", "40001"] {
            assert!(!try_again_later(false, code), "{code}");
        }
        // SQLITE_FULL, SQLITE_IOERR_WRITE (778), SQLITE_IOERR_FSYNC (1034), SQLITE_BUSY, SQLITE_BUSY_SNAPSHOT (517).
        for code in ["13", "778", "1034", "10", "5", "517"] {
            assert!(try_again_later(true, code), "{code}");
        }
        // SQLITE_CONSTRAINT_PRIMARYKEY (1555), SQLITE_ERROR, SQLITE_CORRUPT, not a number.
        for code in ["1555", "1", "11", "x"] {
            assert!(!try_again_later(true, code), "{code}");
        }
    }

    /// A real SQLite file that cannot grow (`max_page_count`, what a full
    /// disk looks like to SQLite: `SQLITE_FULL`) is "unavailable", which
    /// the runtime answers with a 503, not a fault of the query (a 500).
    #[cfg(feature = "sqlite")]
    #[tokio::test]
    async fn a_full_sqlite_file_is_unavailable_not_a_fault() {
        use sqlx::sqlite::{SqliteConnectOptions, SqlitePool};
        use std::str::FromStr;
        let path = std::env::temp_dir().join(format!("macaron-db-full-{}.db", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))
            .unwrap()
            .create_if_missing(true)
            .pragma("max_page_count", "8");
        let pool = SqlitePool::connect_with(options).await.unwrap();
        sqlx::query("CREATE TABLE t (v TEXT)").execute(&pool).await.unwrap();
        let mut full = None;
        for _ in 0..1000 {
            if let Err(e) = sqlx::query("INSERT INTO t VALUES (?)").bind("x".repeat(4000)).execute(&pool).await {
                full = Some(e);
                break;
            }
        }
        let error = DbError::from(full.expect("the file never filled up"));
        assert!(matches!(error, DbError::Unavailable(ref why) if why.contains("full")), "{error:?}");
        assert_eq!(error.kind(), DbFailure::Unavailable);
        // A fault of the query stays one.
        let bad = DbError::from(sqlx::query("SELECT nope FROM t").execute(&pool).await.unwrap_err());
        assert_eq!(bad.kind(), DbFailure::Internal, "{bad:?}");
        pool.close().await;
        let _ = std::fs::remove_file(&path);
    }
}
