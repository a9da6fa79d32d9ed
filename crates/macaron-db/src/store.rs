//! The raw operations on stored JSON, for a pool ([`Db`]) or a
//! transaction ([`Tx`]) alike, so persisted types work with either.
//!
//! The operations a store implements move the object as JSON text, as the
//! database holds it: a persisted type is decoded from that text straight
//! into itself, and serialised straight into it, with no
//! [`serde_json::Value`] in between. The [`Row`] and `Value` operations
//! are provided on top, for code that wants an untyped object.

use std::future::Future;

use serde_json::Value;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
use sqlx::Executor;

use crate::db::{Db, Tx};
use crate::error::DbError;
use crate::query::ListQuery;

/// A stored object with its bookkeeping.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The key.
    pub key: String,
    /// The object.
    pub data: Value,
    /// Its version (1 when created, +1 per save).
    pub version: i64,
    /// Creation time, Unix microseconds.
    pub created_at: i64,
    /// Last save, Unix microseconds.
    pub updated_at: i64,
}

impl Row {
    /// Parses the object of a [`TextRow`].
    fn parse(text: TextRow) -> Result<Row, DbError> {
        let data = serde_json::from_str(&text.data)
            .map_err(|e| DbError::Invalid(format!("stored JSON of \"{}\": {e}", text.key)))?;
        Ok(Row { key: text.key, data, version: text.version, created_at: text.created_at, updated_at: text.updated_at })
    }
}

/// A stored object as the database returns it: its JSON text, not parsed,
/// with its bookkeeping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextRow {
    /// The key.
    pub key: String,
    /// The object, as JSON text.
    pub data: String,
    /// Its version (1 when created, +1 per save).
    pub version: i64,
    /// Creation time, Unix microseconds.
    pub created_at: i64,
    /// Last save, Unix microseconds.
    pub updated_at: i64,
}

/// What a write left in the row: its version and timestamps, so the writer
/// knows them without reading the row back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    /// The version now stored (1 for a new row).
    pub version: i64,
    /// Creation time, Unix microseconds (the first save's).
    pub created_at: i64,
    /// This write's time, Unix microseconds.
    pub updated_at: i64,
}

/// Where objects are stored: a [`Db`] or a [`Tx`].
///
/// ```
/// use macaron_db::{Db, Store};
/// # #[cfg(feature = "sqlite")] // (the example runs on an in-memory SQLite)
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let db = Db::connect("sqlite::memory:").await.unwrap();
/// let written = db.insert_text("notes", "n1", r#"{"text":"hi"}"#).await.unwrap();
/// assert_eq!(written.version, 1);
/// let row = db.get_text("notes", "n1").await.unwrap().unwrap();
/// assert_eq!((row.data.as_str(), row.created_at), (r#"{"text":"hi"}"#, written.created_at));
/// let again = db.update("notes", "n1", &serde_json::json!({"text": "bye"}), Some(1)).await.unwrap();
/// assert_eq!(again, 2);
/// assert_eq!(db.get("notes", "n1").await.unwrap().unwrap().data["text"], "bye");
/// # });
/// ```
pub trait Store: Send + Sync {
    /// The row of `key` with its object as JSON text, if any.
    fn get_text(&self, table: &str, key: &str) -> impl Future<Output = Result<Option<TextRow>, DbError>> + Send;

    /// The object of `key` alone, as JSON text, if any: one column read,
    /// none of the row's bookkeeping (for a read that will not be saved back).
    fn get_data(&self, table: &str, key: &str) -> impl Future<Output = Result<Option<String>, DbError>> + Send {
        async move { Ok(self.get_text(table, key).await?.map(|row| row.data)) }
    }

    /// Inserts a new row holding `data` (JSON text); [`DbError::Conflict`]
    /// when the key exists.
    fn insert_text(&self, table: &str, key: &str, data: &str) -> impl Future<Output = Result<Written, DbError>> + Send;

    /// Writes `data` (JSON text) if the row's version is still `expected`,
    /// else [`DbError::Conflict`] ([`DbError::NotFound`] if it is gone);
    /// with `None`, inserts or overwrites (last-write-wins).
    fn update_text(
        &self,
        table: &str,
        key: &str,
        data: &str,
        expected: Option<i64>,
    ) -> impl Future<Output = Result<Written, DbError>> + Send;

    /// Deletes the row; false when there was none.
    fn remove(&self, table: &str, key: &str) -> impl Future<Output = Result<bool, DbError>> + Send;

    /// Rows matching a query, objects as JSON text.
    fn list_text(&self, table: &str, query: &ListQuery) -> impl Future<Output = Result<Vec<TextRow>, DbError>> + Send;

    /// The row of `key`, if any, its object parsed.
    fn get(&self, table: &str, key: &str) -> impl Future<Output = Result<Option<Row>, DbError>> + Send {
        async move { self.get_text(table, key).await?.map(Row::parse).transpose() }
    }

    /// Inserts a new row; [`DbError::Conflict`] when the key exists.
    /// Returns its version (1).
    fn insert(&self, table: &str, key: &str, data: &Value) -> impl Future<Output = Result<i64, DbError>> + Send {
        async move { Ok(self.insert_text(table, key, &data.to_string()).await?.version) }
    }

    /// Updates the row if its version is still `expected`, else
    /// [`DbError::Conflict`]; with `None`, inserts or overwrites
    /// (last-write-wins). Returns the new version.
    fn update(
        &self,
        table: &str,
        key: &str,
        data: &Value,
        expected: Option<i64>,
    ) -> impl Future<Output = Result<i64, DbError>> + Send {
        async move { Ok(self.update_text(table, key, &data.to_string(), expected).await?.version) }
    }

    /// Rows matching a query, objects parsed.
    fn list(&self, table: &str, query: &ListQuery) -> impl Future<Output = Result<Vec<Row>, DbError>> + Send {
        async move { self.list_text(table, query).await?.into_iter().map(Row::parse).collect() }
    }
}

/// Generates the operations for one backend, generic over its executor
/// (a pool or a transaction's connection).
#[cfg(any(feature = "sqlite", feature = "postgres"))]
macro_rules! ops {
    ($module:ident, $db:ty) => {
        pub(crate) mod $module {
            use super::*;
            use crate::db::now_micros;
            use crate::sql::TableSql;

            pub async fn get<'c, E: Executor<'c, Database = $db>>(
                e: E,
                t: &TableSql,
                key: &str,
            ) -> Result<Option<TextRow>, DbError> {
                let found: Option<(String, i64, i64, i64)> =
                    sqlx::query_as(&t.select).bind(key).fetch_optional(e).await?;
                Ok(found.map(|(data, version, created_at, updated_at)| TextRow {
                    key: key.to_string(),
                    data,
                    version,
                    created_at,
                    updated_at,
                }))
            }

            pub async fn get_data<'c, E: Executor<'c, Database = $db>>(
                e: E,
                t: &TableSql,
                key: &str,
            ) -> Result<Option<String>, DbError> {
                let found: Option<(String,)> = sqlx::query_as(&t.select_data).bind(key).fetch_optional(e).await?;
                Ok(found.map(|(data,)| data))
            }

            pub async fn insert<'c, E: Executor<'c, Database = $db>>(
                e: E,
                t: &TableSql,
                key: &str,
                data: &str,
            ) -> Result<Written, DbError> {
                let now = now_micros();
                let done = sqlx::query(&t.insert).bind(key).bind(data).bind(now).execute(e).await?;
                if done.rows_affected() == 0 {
                    return Err(DbError::Conflict { table: t.table.clone(), key: key.into() });
                }
                Ok(Written { version: 1, created_at: now, updated_at: now })
            }

            /// `None`: the expected version was not the stored one.
            pub async fn update<'c, E: Executor<'c, Database = $db>>(
                e: E,
                t: &TableSql,
                key: &str,
                data: &str,
                expected: Option<i64>,
            ) -> Result<Option<Written>, DbError> {
                let now = now_micros();
                let written: Option<(i64, i64)> = match expected {
                    Some(version) => {
                        sqlx::query_as(&t.update).bind(data).bind(now).bind(key).bind(version).fetch_optional(e).await?
                    }
                    None => Some(sqlx::query_as(&t.upsert).bind(key).bind(data).bind(now).fetch_one(e).await?),
                };
                Ok(written.map(|(version, created_at)| Written { version, created_at, updated_at: now }))
            }

            pub async fn remove<'c, E: Executor<'c, Database = $db>>(
                e: E,
                t: &TableSql,
                key: &str,
            ) -> Result<bool, DbError> {
                Ok(sqlx::query(&t.delete).bind(key).execute(e).await?.rows_affected() > 0)
            }

            pub async fn list<'c, E: Executor<'c, Database = $db>>(
                e: E,
                sql: &str,
                query: &ListQuery,
            ) -> Result<Vec<TextRow>, DbError> {
                let mut q = sqlx::query_as::<_, (String, String, i64, i64, i64)>(sql);
                for (_, value) in &query.filters {
                    q = q.bind(value.to_string());
                }
                let rows = q.fetch_all(e).await?;
                Ok(rows
                    .into_iter()
                    .map(|(key, data, version, created_at, updated_at)| TextRow {
                        key,
                        data,
                        version,
                        created_at,
                        updated_at,
                    })
                    .collect())
            }
        }
    };
}

#[cfg(feature = "sqlite")]
ops!(sqlite, sqlx::Sqlite);
#[cfg(feature = "postgres")]
ops!(postgres, sqlx::Postgres);

/// Runs one operation of `ops` on a [`Db`]'s pool, whichever backend.
macro_rules! on_pool {
    ($db:expr, $op:ident($($arg:expr),*)) => {
        match *$db.backend() {
            #[cfg(feature = "sqlite")]
            crate::db::Backend::Sqlite(ref pool) => sqlite::$op(pool, $($arg),*).await,
            #[cfg(feature = "postgres")]
            crate::db::Backend::Postgres(ref pool) => postgres::$op(pool, $($arg),*).await,
        }
    };
}

/// Runs one operation of `ops` on a [`Tx`]'s connection, whichever backend.
macro_rules! on_tx {
    ($tx:expr, $op:ident($($arg:expr),*)) => {{
        let mut conn = $tx.conn().await;
        let done = match &mut *conn {
            #[cfg(feature = "sqlite")]
            crate::db::TxConn::Sqlite(tx) => sqlite::$op(&mut **tx, $($arg),*).await,
            #[cfg(feature = "postgres")]
            crate::db::TxConn::Postgres(tx) => postgres::$op(&mut **tx, $($arg),*).await,
            crate::db::TxConn::Done => Err(DbError::Invalid("the transaction is over".into())),
        };
        done
    }};
}

/// A version check that failed: conflict if the row is there, not found if not.
async fn lost_update(store: &impl Store, table: &str, key: &str) -> DbError {
    match store.get_text(table, key).await {
        Ok(Some(_)) => DbError::Conflict { table: table.into(), key: key.into() },
        Ok(None) => DbError::NotFound { table: table.into(), key: key.into() },
        Err(e) => e,
    }
}

impl Store for Db {
    async fn get_text(&self, table: &str, key: &str) -> Result<Option<TextRow>, DbError> {
        let t = self.table(table).await?;
        on_pool!(self, get(&t, key))
    }

    async fn get_data(&self, table: &str, key: &str) -> Result<Option<String>, DbError> {
        let t = self.table(table).await?;
        on_pool!(self, get_data(&t, key))
    }

    async fn insert_text(&self, table: &str, key: &str, data: &str) -> Result<Written, DbError> {
        let t = self.table(table).await?;
        on_pool!(self, insert(&t, key, data))
    }

    async fn update_text(&self, table: &str, key: &str, data: &str, expected: Option<i64>) -> Result<Written, DbError> {
        let t = self.table(table).await?;
        let written: Result<Option<Written>, DbError> = on_pool!(self, update(&t, key, data, expected));
        match written? {
            Some(written) => Ok(written),
            None => Err(lost_update(self, table, key).await),
        }
    }

    async fn remove(&self, table: &str, key: &str) -> Result<bool, DbError> {
        let t = self.table(table).await?;
        on_pool!(self, remove(&t, key))
    }

    async fn list_text(&self, table: &str, query: &ListQuery) -> Result<Vec<TextRow>, DbError> {
        let t = self.table(table).await?;
        let sql = self.dialect().list(&t.full, query)?;
        on_pool!(self, list(&sql, query))
    }
}

impl Store for Tx {
    async fn get_text(&self, table: &str, key: &str) -> Result<Option<TextRow>, DbError> {
        let t = self.db().table(table).await?;
        on_tx!(self, get(&t, key))
    }

    async fn get_data(&self, table: &str, key: &str) -> Result<Option<String>, DbError> {
        let t = self.db().table(table).await?;
        on_tx!(self, get_data(&t, key))
    }

    async fn insert_text(&self, table: &str, key: &str, data: &str) -> Result<Written, DbError> {
        let t = self.db().table(table).await?;
        on_tx!(self, insert(&t, key, data))
    }

    async fn update_text(&self, table: &str, key: &str, data: &str, expected: Option<i64>) -> Result<Written, DbError> {
        let t = self.db().table(table).await?;
        let written: Result<Option<Written>, DbError> = on_tx!(self, update(&t, key, data, expected));
        match written? {
            Some(written) => Ok(written),
            None => Err(lost_update(self, table, key).await),
        }
    }

    async fn remove(&self, table: &str, key: &str) -> Result<bool, DbError> {
        let t = self.db().table(table).await?;
        on_tx!(self, remove(&t, key))
    }

    async fn list_text(&self, table: &str, query: &ListQuery) -> Result<Vec<TextRow>, DbError> {
        let t = self.db().table(table).await?;
        let sql = self.db().dialect().list(&t.full, query)?;
        on_tx!(self, list(&sql, query))
    }
}
