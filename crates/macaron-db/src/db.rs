//! Connecting, bringing the framework's own tables up to date (their
//! definitions are in `migrations`), and transactions.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

#[cfg(feature = "postgres")]
use sqlx::postgres::{PgPool, PgPoolOptions};
#[cfg(feature = "sqlite")]
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};
#[cfg(any(feature = "sqlite", feature = "postgres"))]
use sqlx::Transaction;
use tokio::sync::{Mutex, MutexGuard};

use crate::error::DbError;
use crate::migrations::{self, SCHEMA_VERSION, VERSION_TABLE};
use crate::sql::{check_name, Dialect, TableSql};

pub(crate) fn now_micros() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_micros() as i64).unwrap_or(0)
}

/// How to connect.
#[derive(Debug, Clone)]
pub struct DbOptions {
    /// Connections in the pool (default 10; 1 for in-memory SQLite).
    pub max_connections: u32,
    /// Prefix of every table name (lets tests or services share a database).
    pub table_prefix: String,
    /// How long to wait for a connection before answering "unavailable".
    pub acquire_timeout: Duration,
}

impl Default for DbOptions {
    fn default() -> Self {
        DbOptions { max_connections: 10, table_prefix: String::new(), acquire_timeout: Duration::from_secs(5) }
    }
}

/// The pool of the backend the URL named. A backend whose cargo feature is
/// off has no variant (and without any, no [`Db`] can be made).
pub(crate) enum Backend {
    #[cfg(feature = "sqlite")]
    Sqlite(SqlitePool),
    #[cfg(feature = "postgres")]
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to the backend's pool (a `&SqlitePool`
/// or a `&PgPool`: the body is compiled once per backend).
macro_rules! on_backend {
    ($backend:expr, |$pool:ident| $body:expr) => {
        match *$backend {
            #[cfg(feature = "sqlite")]
            $crate::db::Backend::Sqlite(ref $pool) => $body,
            #[cfg(feature = "postgres")]
            $crate::db::Backend::Postgres(ref $pool) => $body,
        }
    };
}
pub(crate) use on_backend;

struct Inner {
    backend: Backend,
    prefix: String,
    url: String,
    /// The tables made (or found) so far, with their statements: the fast
    /// path of every operation is one read of this list. A service has a
    /// table per persisted type, a handful: comparing names (their lengths
    /// first) costs less than hashing the one asked for.
    tables: RwLock<Vec<Arc<TableSql>>>,
    /// Held while a table is created or dropped, so two callers do not
    /// create one table at once.
    creating: Mutex<()>,
    /// Serialises this process's queue writes on SQLite, which has one
    /// writer at a time: waiting here is cheaper than SQLite's busy sleeps.
    #[cfg(feature = "sqlite")]
    writer: Mutex<()>,
}

/// A connection pool to the service's database.
#[derive(Clone)]
pub struct Db {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db").field("url", &self.inner.url).finish_non_exhaustive()
    }
}

/// `scheme://user:password@host` with the password replaced by `***`
/// (for messages and logs).
///
/// ```
/// assert_eq!(macaron_db::redact_url("redis://:pw@h:6379"), "redis://:***@h:6379");
/// ```
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_string() };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}{tail}"),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

impl Db {
    /// Connects with default options: `sqlite://FILE` (created if missing),
    /// `sqlite::memory:`, or `postgres://...`.
    pub async fn connect(url: &str) -> Result<Db, DbError> {
        Db::connect_with(url, DbOptions::default()).await
    }

    /// The embedded default for a service: `sqlite://NAME.db` in the
    /// working directory, or in `MACARON_DATA_DIR` when it is set (a
    /// container image sets it to a folder its user may write).
    ///
    /// ```
    /// # std::env::remove_var("MACARON_DATA_DIR");
    /// assert_eq!(macaron_db::Db::default_url("pets"), "sqlite://pets.db");
    /// ```
    pub fn default_url(service: &str) -> String {
        match std::env::var("MACARON_DATA_DIR") {
            Ok(dir) if !dir.is_empty() => format!("sqlite://{}/{service}.db", dir.trim_end_matches('/')),
            _ => format!("sqlite://{service}.db"),
        }
    }

    /// Connects, and creates or migrates the framework's own tables. A
    /// database that cannot be reached is an error naming the URL (without
    /// its password).
    pub async fn connect_with(url: &str, options: DbOptions) -> Result<Db, DbError> {
        check_name("table prefix", &format!("t{}", options.table_prefix))?;
        let shown = redact_url(url);
        let backend = if url.starts_with("sqlite:") {
            open_sqlite(url, &shown, &options).await?
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            open_postgres(url, &shown, &options).await?
        } else {
            return Err(DbError::Invalid(format!(
                "unsupported database URL {shown}: use sqlite://FILE or postgres://USER@HOST/DB"
            )));
        };
        let db = Db {
            inner: Arc::new(Inner {
                backend,
                prefix: options.table_prefix,
                url: shown,
                tables: RwLock::new(Vec::new()),
                creating: Mutex::new(()),
                #[cfg(feature = "sqlite")]
                writer: Mutex::new(()),
            }),
        };
        db.migrate().await?;
        Ok(db)
    }

    pub(crate) fn backend(&self) -> &Backend {
        &self.inner.backend
    }

    pub(crate) fn dialect(&self) -> Dialect {
        match self.inner.backend {
            #[cfg(feature = "sqlite")]
            Backend::Sqlite(_) => Dialect::Sqlite,
            #[cfg(feature = "postgres")]
            Backend::Postgres(_) => Dialect::Postgres,
        }
    }

    /// `sqlite` or `postgres`.
    pub fn kind(&self) -> &'static str {
        match self.dialect() {
            #[cfg(feature = "sqlite")]
            Dialect::Sqlite => "sqlite",
            #[cfg(feature = "postgres")]
            Dialect::Postgres => "postgres",
        }
    }

    /// Holds the SQLite writer turn (nothing to wait for on PostgreSQL).
    pub(crate) async fn write_turn(&self) -> Option<MutexGuard<'_, ()>> {
        match self.inner.backend {
            #[cfg(feature = "sqlite")]
            Backend::Sqlite(_) => Some(self.inner.writer.lock().await),
            #[cfg(feature = "postgres")]
            Backend::Postgres(_) => None,
        }
    }

    /// The prefix of every table name.
    pub(crate) fn prefix(&self) -> &str {
        &self.inner.prefix
    }

    /// Asks the database a trivial question (`SELECT 1`): `Ok` when it
    /// answers. Readiness probes call it.
    pub async fn ping(&self) -> Result<(), DbError> {
        self.execute("SELECT 1").await
    }

    /// The URL, password redacted.
    pub fn url(&self) -> &str {
        &self.inner.url
    }

    async fn execute(&self, sql: &str) -> Result<(), DbError> {
        on_backend!(self.backend(), |pool| sqlx::query(sql).execute(pool).await.map(|_| ())?);
        Ok(())
    }

    /// Runs a `CREATE ... IF NOT EXISTS`. Two processes creating the same
    /// table at once (two instances, or parallel tests, starting together)
    /// can make PostgreSQL's `IF NOT EXISTS` fail with a duplicate-key or
    /// duplicate-object error: the other one made it, so the statement is
    /// run again and now finds it.
    async fn create(&self, sql: &str) -> Result<(), DbError> {
        let mut attempts = 0;
        loop {
            attempts += 1;
            let result = on_backend!(self.backend(), |pool| sqlx::query(sql).execute(pool).await.map(|_| ()));
            match result {
                Err(e) if attempts < 5 && lost_creation_race(&e) => {
                    tokio::time::sleep(std::time::Duration::from_millis(20 * attempts)).await;
                }
                other => return other.map_err(DbError::from),
            }
        }
    }

    /// The framework's own tables, versioned: the version table records
    /// the version; each step of [`migrations::steps`] up to
    /// [`SCHEMA_VERSION`] runs once.
    async fn migrate(&self) -> Result<(), DbError> {
        let prefix = &self.inner.prefix;
        let versions = format!("{prefix}{VERSION_TABLE}");
        self.create(&migrations::version_table(prefix)).await?;
        let max = format!("SELECT MAX(version) FROM \"{versions}\"");
        let current: Option<i64> = on_backend!(self.backend(), |pool| sqlx::query_scalar(&max).fetch_one(pool).await?);
        let current = current.unwrap_or(0);
        if current > SCHEMA_VERSION {
            return Err(DbError::Invalid(format!(
                "the database was written by a newer Macaron (schema {current}, this one knows {SCHEMA_VERSION})"
            )));
        }
        for version in current + 1..=SCHEMA_VERSION {
            for sql in migrations::steps(version, prefix, self.dialect()) {
                self.create(&sql).await?;
            }
            self.execute(&format!("INSERT INTO \"{versions}\" (version) VALUES ({version})")).await?;
        }
        Ok(())
    }

    /// Creates a type's table now if it is missing (services do this at
    /// startup for every `x-persist` schema).
    pub async fn ensure_table(&self, table: &str) -> Result<(), DbError> {
        self.table(table).await.map(|_| ())
    }

    /// A type's table (its full name and statements), created when first
    /// used. Once it is known, this is one read of a map: no lock held
    /// across an await, no string built.
    pub(crate) async fn table(&self, table: &str) -> Result<Arc<TableSql>, DbError> {
        if let Some(known) = self.known_table(table) {
            return Ok(known);
        }
        check_name("table", table)?;
        let _creating = self.inner.creating.lock().await;
        if let Some(known) = self.known_table(table) {
            return Ok(known);
        }
        let made = Arc::new(TableSql::new(self.dialect(), table, &self.inner.prefix));
        self.create(&self.dialect().create_table(&made.full)).await?;
        self.inner.tables.write().unwrap_or_else(PoisonError::into_inner).push(made.clone());
        Ok(made)
    }

    /// A table already made (or found) by this pool. The map is never
    /// left half-changed, so a panic elsewhere that poisoned the lock
    /// does not make it wrong.
    fn known_table(&self, table: &str) -> Option<Arc<TableSql>> {
        self.inner.tables.read().unwrap_or_else(PoisonError::into_inner).iter().find(|t| t.table == table).cloned()
    }

    /// Drops a type's table (tests and tools).
    pub async fn drop_table(&self, table: &str) -> Result<(), DbError> {
        check_name("table", table)?;
        let full = format!("{}{table}", self.inner.prefix);
        let _creating = self.inner.creating.lock().await;
        self.execute(&format!("DROP TABLE IF EXISTS \"{full}\"")).await?;
        self.inner.tables.write().unwrap_or_else(PoisonError::into_inner).retain(|t| t.table != table);
        Ok(())
    }

    /// Runs `work` in a transaction: committed when it returns `Ok`, rolled
    /// back when it returns `Err` (or panics).
    ///
    /// ```
    /// # use macaron_db::{Db, Persistent};
    /// # #[derive(serde::Serialize, serde::Deserialize)] struct Pet { id: String }
    /// # impl Persistent for Pet { const TABLE: &'static str = "pets"; fn key(&self) -> String { self.id.clone() } }
    /// # #[cfg(feature = "sqlite")] // (the example runs on an in-memory SQLite)
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let db = Db::connect("sqlite::memory:").await.unwrap();
    /// let result: Result<(), macaron_db::DbError> = db
    ///     .transaction(|tx| Box::pin(async move {
    ///         Pet { id: "1".into() }.save(tx).await?;
    ///         Err(macaron_db::DbError::Invalid("changed my mind".into()))
    ///     }))
    ///     .await;
    /// assert!(result.is_err());
    /// assert!(!Pet::exists(&db, "1").await.unwrap());
    /// # });
    /// ```
    pub async fn transaction<T, F>(&self, work: F) -> Result<T, DbError>
    where
        F: for<'t> FnOnce(&'t Tx) -> Pin<Box<dyn Future<Output = Result<T, DbError>> + Send + 't>>,
    {
        let conn = match *self.backend() {
            #[cfg(feature = "sqlite")]
            Backend::Sqlite(ref pool) => TxConn::Sqlite(pool.begin().await?),
            #[cfg(feature = "postgres")]
            Backend::Postgres(ref pool) => TxConn::Postgres(pool.begin().await?),
        };
        let tx = Tx { db: self.clone(), conn: Mutex::new(conn) };
        let result = work(&tx).await;
        let conn = std::mem::replace(&mut *tx.conn.lock().await, TxConn::Done);
        match (result, conn) {
            #[cfg(feature = "sqlite")]
            (Ok(value), TxConn::Sqlite(t)) => t.commit().await.map(|_| value).map_err(DbError::from),
            #[cfg(feature = "postgres")]
            (Ok(value), TxConn::Postgres(t)) => t.commit().await.map(|_| value).map_err(DbError::from),
            #[cfg(feature = "sqlite")]
            (Err(e), TxConn::Sqlite(t)) => {
                let _ = t.rollback().await;
                Err(e)
            }
            #[cfg(feature = "postgres")]
            (Err(e), TxConn::Postgres(t)) => {
                let _ = t.rollback().await;
                Err(e)
            }
            (result, TxConn::Done) => result,
        }
    }
}

pub(crate) enum TxConn {
    #[cfg(feature = "sqlite")]
    Sqlite(Transaction<'static, sqlx::Sqlite>),
    #[cfg(feature = "postgres")]
    Postgres(Transaction<'static, sqlx::Postgres>),
    Done,
}

/// An open transaction: pass it where a [`Db`] is expected
/// (`pet.save(tx)`); see [`Db::transaction`].
pub struct Tx {
    db: Db,
    conn: Mutex<TxConn>,
}

impl Tx {
    pub(crate) fn db(&self) -> &Db {
        &self.db
    }

    pub(crate) async fn conn(&self) -> MutexGuard<'_, TxConn> {
        self.conn.lock().await
    }
}

/// Opens an SQLite database: WAL mode (a memory one keeps its journal in
/// memory), a busy timeout, and retries of the first opening.
#[cfg(feature = "sqlite")]
async fn open_sqlite(url: &str, shown: &str, options: &DbOptions) -> Result<Backend, DbError> {
    use std::str::FromStr;
    let memory = url.contains(":memory:") || url.contains("mode=memory");
    let connect = SqliteConnectOptions::from_str(url)
        .map_err(|e| DbError::Invalid(format!("bad database URL {shown}: {e}")))?
        .create_if_missing(true)
        .journal_mode(if memory { SqliteJournalMode::Memory } else { SqliteJournalMode::Wal })
        .busy_timeout(Duration::from_secs(10));
    // Processes or servers opening one new file together: the switch
    // to WAL takes a lock SQLite's busy handler does not wait for
    // ("database is locked"), so the opening is tried again.
    let mut attempts = 0;
    let pool = loop {
        let opened = SqlitePoolOptions::new()
            .max_connections(if memory { 1 } else { options.max_connections })
            .acquire_timeout(options.acquire_timeout)
            // An in-memory database lives as long as its one connection.
            .idle_timeout(if memory { None } else { Some(Duration::from_secs(600)) })
            .max_lifetime(if memory { None } else { Some(Duration::from_secs(1800)) })
            // An SQLite connection is a file opened in this process, with no
            // peer to lose: sqlx's test before each use (its default) would
            // only add a round trip to the connection's worker thread to
            // every query.
            .test_before_acquire(false)
            .connect_with(connect.clone())
            .await;
        match opened {
            Ok(pool) => break pool,
            Err(e) if attempts < 20 && e.to_string().contains("database is locked") => {
                attempts += 1;
                tokio::time::sleep(Duration::from_millis(25 * attempts)).await;
            }
            Err(e) => return Err(unreachable(shown, e)),
        }
    };
    Ok(Backend::Sqlite(pool))
}

/// Opens a PostgreSQL pool (each connection tested before it is handed out).
#[cfg(feature = "postgres")]
async fn open_postgres(url: &str, shown: &str, options: &DbOptions) -> Result<Backend, DbError> {
    let pool = PgPoolOptions::new()
        .max_connections(options.max_connections)
        .acquire_timeout(options.acquire_timeout)
        .test_before_acquire(true)
        .connect(url)
        .await
        .map_err(|e| unreachable(shown, e))?;
    Ok(Backend::Postgres(pool))
}

#[cfg(not(feature = "sqlite"))]
async fn open_sqlite(url: &str, shown: &str, _: &DbOptions) -> Result<Backend, DbError> {
    Err(left_out(url, shown, "sqlite"))
}

#[cfg(not(feature = "postgres"))]
async fn open_postgres(url: &str, shown: &str, _: &DbOptions) -> Result<Backend, DbError> {
    Err(left_out(url, shown, "postgres"))
}

/// A URL of a backend this build leaves out: which feature brings it.
#[cfg(not(all(feature = "sqlite", feature = "postgres")))]
fn left_out(url: &str, shown: &str, feature: &str) -> DbError {
    let scheme = url.split(':').next().unwrap_or(url);
    DbError::Invalid(format!(
        "cannot open {shown}: {scheme}: URLs need macaron's feature \"{feature}\" \
         (macaron-db's, when it is used alone), which this build leaves out"
    ))
}

/// A database that cannot be reached, named without its password.
#[cfg(any(feature = "sqlite", feature = "postgres"))]
fn unreachable(shown: &str, e: sqlx::Error) -> DbError {
    DbError::Unavailable(format!("cannot connect to {shown}: {}", redact_url(&e.to_string())))
}

/// PostgreSQL's answers to a `CREATE ... IF NOT EXISTS` that another
/// session ran at the same moment: 23505 (unique violation, on its
/// catalogue), 42P07 (duplicate table), 42710 (duplicate object).
#[cfg(any(feature = "sqlite", feature = "postgres"))]
fn lost_creation_race(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Database(db) => db.code().is_some_and(|code| matches!(code.as_ref(), "23505" | "42P07" | "42710")),
        _ => false,
    }
}

/// Without a backend no statement runs (its error cannot exist).
#[cfg(not(any(feature = "sqlite", feature = "postgres")))]
fn lost_creation_race(error: &std::convert::Infallible) -> bool {
    match *error {}
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(redact_url("postgres://u:secret@h:5432/db"), "postgres://u:***@h:5432/db");
        assert_eq!(redact_url("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact_url("sqlite://pets.db"), "sqlite://pets.db");
    }
}
