//! The raw operations on stored JSON, for a pool ([`Db`]) or a
//! transaction ([`Tx`]) alike, so persisted types work with either.

use std::future::Future;

use serde_json::Value;
use sqlx::{Executor, Postgres, Sqlite};

use crate::db::{now_micros, Backend, Db, Tx, TxConn};
use crate::error::DbError;
use crate::query::ListQuery;
use crate::sql::Dialect;

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

/// Where objects are stored: a [`Db`] or a [`Tx`].
pub trait Store: Send + Sync {
    /// The row of `key`, if any.
    fn get(&self, table: &str, key: &str) -> impl Future<Output = Result<Option<Row>, DbError>> + Send;
    /// Inserts a new row; [`DbError::Conflict`] when the key exists.
    fn insert(&self, table: &str, key: &str, data: &Value) -> impl Future<Output = Result<i64, DbError>> + Send;
    /// Updates the row if its version is still `expected`, else
    /// [`DbError::Conflict`]; with `None`, inserts or overwrites
    /// (last-write-wins). Returns the new version.
    fn update(
        &self,
        table: &str,
        key: &str,
        data: &Value,
        expected: Option<i64>,
    ) -> impl Future<Output = Result<i64, DbError>> + Send;
    /// Deletes the row; false when there was none.
    fn remove(&self, table: &str, key: &str) -> impl Future<Output = Result<bool, DbError>> + Send;
    /// Rows matching a query.
    fn list(&self, table: &str, query: &ListQuery) -> impl Future<Output = Result<Vec<Row>, DbError>> + Send;
}

type RawRow = (String, String, i64, i64, i64);

fn row(raw: RawRow) -> Result<Row, DbError> {
    let data = serde_json::from_str(&raw.1).map_err(|e| DbError::Invalid(format!("stored JSON of {}: {e}", raw.0)))?;
    Ok(Row { key: raw.0, data, version: raw.2, created_at: raw.3, updated_at: raw.4 })
}

/// Generates the operations for one backend, generic over its executor
/// (a pool or a transaction's connection).
macro_rules! ops {
    ($module:ident, $db:ty, $dialect:expr) => {
        pub(crate) mod $module {
            use super::*;

            pub async fn get<'c, E: Executor<'c, Database = $db>>(
                e: E,
                table: &str,
                key: &str,
            ) -> Result<Option<Row>, DbError> {
                let sql = $dialect.select(table);
                let raw: Option<RawRow> = sqlx::query_as(&sql).bind(key).fetch_optional(e).await?;
                raw.map(row).transpose()
            }

            pub async fn insert<'c, E: Executor<'c, Database = $db>>(
                e: E,
                table: &str,
                key: &str,
                data: &Value,
            ) -> Result<i64, DbError> {
                let sql = $dialect.insert(table);
                let done = sqlx::query(&sql).bind(key).bind(data.to_string()).bind(now_micros()).execute(e).await?;
                if done.rows_affected() == 0 {
                    return Err(DbError::Conflict { table: table.into(), key: key.into() });
                }
                Ok(1)
            }

            pub async fn update<'c, E: Executor<'c, Database = $db>>(
                e: E,
                table: &str,
                key: &str,
                data: &Value,
                expected: Option<i64>,
            ) -> Result<Option<i64>, DbError> {
                match expected {
                    Some(version) => {
                        let sql = $dialect.update(table);
                        let done = sqlx::query(&sql)
                            .bind(data.to_string())
                            .bind(now_micros())
                            .bind(key)
                            .bind(version)
                            .execute(e)
                            .await?;
                        Ok((done.rows_affected() == 1).then_some(version + 1))
                    }
                    None => {
                        let sql = $dialect.upsert(table);
                        let (version,): (i64,) = sqlx::query_as(&sql)
                            .bind(key)
                            .bind(data.to_string())
                            .bind(now_micros())
                            .fetch_one(e)
                            .await?;
                        Ok(Some(version))
                    }
                }
            }

            pub async fn remove<'c, E: Executor<'c, Database = $db>>(
                e: E,
                table: &str,
                key: &str,
            ) -> Result<bool, DbError> {
                let sql = $dialect.delete(table);
                Ok(sqlx::query(&sql).bind(key).execute(e).await?.rows_affected() > 0)
            }

            pub async fn list<'c, E: Executor<'c, Database = $db>>(
                e: E,
                table: &str,
                query: &ListQuery,
            ) -> Result<Vec<Row>, DbError> {
                let sql = $dialect.list(table, query)?;
                let mut q = sqlx::query_as::<_, RawRow>(&sql);
                for (_, value) in &query.filters {
                    q = q.bind(value.to_string());
                }
                q.fetch_all(e).await?.into_iter().map(row).collect()
            }
        }
    };
}

ops!(sqlite, Sqlite, Dialect::Sqlite);
ops!(postgres, Postgres, Dialect::Postgres);

/// A version check that failed: conflict if the row is there, not found if not.
async fn lost_update(store: &impl Store, table: &str, key: &str) -> DbError {
    match store.get(table, key).await {
        Ok(Some(_)) => DbError::Conflict { table: table.into(), key: key.into() },
        Ok(None) => DbError::NotFound { table: table.into(), key: key.into() },
        Err(e) => e,
    }
}

impl Store for Db {
    async fn get(&self, table: &str, key: &str) -> Result<Option<Row>, DbError> {
        let table = self.table(table).await?;
        match self.backend() {
            Backend::Sqlite(pool) => sqlite::get(pool, &table, key).await,
            Backend::Postgres(pool) => postgres::get(pool, &table, key).await,
        }
    }

    async fn insert(&self, table: &str, key: &str, data: &Value) -> Result<i64, DbError> {
        let table = self.table(table).await?;
        match self.backend() {
            Backend::Sqlite(pool) => sqlite::insert(pool, &table, key, data).await,
            Backend::Postgres(pool) => postgres::insert(pool, &table, key, data).await,
        }
    }

    async fn update(&self, table: &str, key: &str, data: &Value, expected: Option<i64>) -> Result<i64, DbError> {
        let full = self.table(table).await?;
        let done = match self.backend() {
            Backend::Sqlite(pool) => sqlite::update(pool, &full, key, data, expected).await?,
            Backend::Postgres(pool) => postgres::update(pool, &full, key, data, expected).await?,
        };
        match done {
            Some(version) => Ok(version),
            None => Err(lost_update(self, table, key).await),
        }
    }

    async fn remove(&self, table: &str, key: &str) -> Result<bool, DbError> {
        let table = self.table(table).await?;
        match self.backend() {
            Backend::Sqlite(pool) => sqlite::remove(pool, &table, key).await,
            Backend::Postgres(pool) => postgres::remove(pool, &table, key).await,
        }
    }

    async fn list(&self, table: &str, query: &ListQuery) -> Result<Vec<Row>, DbError> {
        let table = self.table(table).await?;
        match self.backend() {
            Backend::Sqlite(pool) => sqlite::list(pool, &table, query).await,
            Backend::Postgres(pool) => postgres::list(pool, &table, query).await,
        }
    }
}

impl Store for Tx {
    async fn get(&self, table: &str, key: &str) -> Result<Option<Row>, DbError> {
        let table = self.db().table(table).await?;
        let mut conn = self.conn().await;
        match &mut *conn {
            TxConn::Sqlite(tx) => sqlite::get(&mut **tx, &table, key).await,
            TxConn::Postgres(tx) => postgres::get(&mut **tx, &table, key).await,
            TxConn::Done => Err(DbError::Invalid("the transaction is over".into())),
        }
    }

    async fn insert(&self, table: &str, key: &str, data: &Value) -> Result<i64, DbError> {
        let table = self.db().table(table).await?;
        let mut conn = self.conn().await;
        match &mut *conn {
            TxConn::Sqlite(tx) => sqlite::insert(&mut **tx, &table, key, data).await,
            TxConn::Postgres(tx) => postgres::insert(&mut **tx, &table, key, data).await,
            TxConn::Done => Err(DbError::Invalid("the transaction is over".into())),
        }
    }

    async fn update(&self, table: &str, key: &str, data: &Value, expected: Option<i64>) -> Result<i64, DbError> {
        let full = self.db().table(table).await?;
        let done = {
            let mut conn = self.conn().await;
            match &mut *conn {
                TxConn::Sqlite(tx) => sqlite::update(&mut **tx, &full, key, data, expected).await?,
                TxConn::Postgres(tx) => postgres::update(&mut **tx, &full, key, data, expected).await?,
                TxConn::Done => return Err(DbError::Invalid("the transaction is over".into())),
            }
        };
        match done {
            Some(version) => Ok(version),
            None => Err(lost_update(self, table, key).await),
        }
    }

    async fn remove(&self, table: &str, key: &str) -> Result<bool, DbError> {
        let table = self.db().table(table).await?;
        let mut conn = self.conn().await;
        match &mut *conn {
            TxConn::Sqlite(tx) => sqlite::remove(&mut **tx, &table, key).await,
            TxConn::Postgres(tx) => postgres::remove(&mut **tx, &table, key).await,
            TxConn::Done => Err(DbError::Invalid("the transaction is over".into())),
        }
    }

    async fn list(&self, table: &str, query: &ListQuery) -> Result<Vec<Row>, DbError> {
        let table = self.db().table(table).await?;
        let mut conn = self.conn().await;
        match &mut *conn {
            TxConn::Sqlite(tx) => sqlite::list(&mut **tx, &table, query).await,
            TxConn::Postgres(tx) => postgres::list(&mut **tx, &table, query).await,
            TxConn::Done => Err(DbError::Invalid("the transaction is over".into())),
        }
    }
}
