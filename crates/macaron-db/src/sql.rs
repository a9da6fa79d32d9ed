//! The SQL of each backend, in one place.
//!
//! Tables: `key` (primary key), `data` (the object: TEXT holding JSON on
//! SQLite, JSONB on PostgreSQL), `version` (starts at 1, +1 per save),
//! `created_at` / `updated_at` (Unix microseconds). Filters compare JSON
//! values, so `tag = "dog"` and `age = 3` both mean what they say.

use crate::error::DbError;
use crate::query::{ListQuery, Order};

/// Which dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    #[cfg(feature = "sqlite")]
    Sqlite,
    #[cfg(feature = "postgres")]
    Postgres,
}

pub(crate) fn check_name(what: &str, name: &str) -> Result<(), DbError> {
    let ok = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(DbError::Invalid(format!("{what} \"{name}\" must be letters, digits and _")))
    }
}

impl Dialect {
    pub fn create_table(self, table: &str) -> String {
        match self {
            #[cfg(feature = "sqlite")]
            Dialect::Sqlite => format!(
                "CREATE TABLE IF NOT EXISTS \"{table}\" (key TEXT PRIMARY KEY NOT NULL, data TEXT NOT NULL, version INTEGER NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL)"
            ),
            #[cfg(feature = "postgres")]
            Dialect::Postgres => format!(
                "CREATE TABLE IF NOT EXISTS \"{table}\" (key TEXT PRIMARY KEY NOT NULL, data JSONB NOT NULL, version BIGINT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)"
            ),
        }
    }

    fn data(self) -> &'static str {
        match self {
            #[cfg(feature = "sqlite")]
            Dialect::Sqlite => "data",
            #[cfg(feature = "postgres")]
            Dialect::Postgres => "data::text",
        }
    }

    fn param(self, n: usize) -> String {
        match self {
            #[cfg(feature = "sqlite")]
            Dialect::Sqlite => format!("?{n}"),
            #[cfg(feature = "postgres")]
            Dialect::Postgres => format!("${n}"),
        }
    }

    fn json_param(self, n: usize) -> String {
        match self {
            #[cfg(feature = "sqlite")]
            Dialect::Sqlite => format!("?{n}"),
            #[cfg(feature = "postgres")]
            Dialect::Postgres => format!("${n}::jsonb"),
        }
    }

    /// Params: key. Columns: data (as text), version, created_at, updated_at.
    fn select(self, table: &str) -> String {
        format!(
            "SELECT {} AS data, version, created_at, updated_at FROM \"{table}\" WHERE key = {}",
            self.data(),
            self.param(1)
        )
    }

    /// Params: key. Columns: data (as text) alone.
    fn select_data(self, table: &str) -> String {
        format!("SELECT {} AS data FROM \"{table}\" WHERE key = {}", self.data(), self.param(1))
    }

    /// Params: key, data, now.
    fn insert(self, table: &str) -> String {
        format!(
            "INSERT INTO \"{table}\" (key, data, version, created_at, updated_at) VALUES ({}, {}, 1, {}, {}) ON CONFLICT (key) DO NOTHING",
            self.param(1),
            self.json_param(2),
            self.param(3),
            self.param(3)
        )
    }

    /// Params: data, now, key, expected version. Returns the new version
    /// and the creation time (no row: the version did not match).
    fn update(self, table: &str) -> String {
        format!(
            "UPDATE \"{table}\" SET data = {}, version = version + 1, updated_at = {} WHERE key = {} AND version = {} RETURNING version, created_at",
            self.json_param(1),
            self.param(2),
            self.param(3),
            self.param(4)
        )
    }

    /// Params: key, data, now. Returns the new version and the creation
    /// time (the first save's, when the row was there).
    fn upsert(self, table: &str) -> String {
        format!(
            "INSERT INTO \"{table}\" AS t (key, data, version, created_at, updated_at) VALUES ({}, {}, 1, {}, {}) ON CONFLICT (key) DO UPDATE SET data = excluded.data, version = t.version + 1, updated_at = excluded.updated_at RETURNING version, created_at",
            self.param(1),
            self.json_param(2),
            self.param(3),
            self.param(3)
        )
    }

    /// Params: key.
    fn delete(self, table: &str) -> String {
        format!("DELETE FROM \"{table}\" WHERE key = {}", self.param(1))
    }

    fn field(self, name: &str) -> String {
        match self {
            #[cfg(feature = "sqlite")]
            Dialect::Sqlite => format!("json_extract(data, '$.{name}')"),
            #[cfg(feature = "postgres")]
            Dialect::Postgres => format!("(data->'{name}')"),
        }
    }

    /// The listing's SQL; params are the filters' values as JSON text, in
    /// order. Columns: key, data (as text), version, created_at, updated_at.
    pub fn list(self, table: &str, query: &ListQuery) -> Result<String, DbError> {
        let mut sql = format!("SELECT key, {} AS data, version, created_at, updated_at FROM \"{table}\"", self.data());
        for (i, (field, _)) in query.filters.iter().enumerate() {
            check_name("filter field", field)?;
            sql.push_str(if i == 0 { " WHERE " } else { " AND " });
            let value: String = match self {
                #[cfg(feature = "sqlite")]
                Dialect::Sqlite => format!("json_extract(?{}, '$')", i + 1),
                #[cfg(feature = "postgres")]
                Dialect::Postgres => format!("${}::jsonb", i + 1),
            };
            sql.push_str(&format!("{} = {value}", self.field(field)));
        }
        let (column, desc) = match &query.order {
            Order::Created { desc } => ("created_at".to_string(), *desc),
            Order::Updated { desc } => ("updated_at".to_string(), *desc),
            Order::Field { name, desc } => {
                check_name("order field", name)?;
                (self.field(name), *desc)
            }
        };
        let direction = if desc { "DESC" } else { "ASC" };
        sql.push_str(&format!(" ORDER BY {column} {direction}, key {direction}"));
        if let Some(limit) = query.limit {
            sql.push_str(&format!(" LIMIT {limit}"));
        }
        if query.offset > 0 {
            #[cfg(feature = "sqlite")]
            if query.limit.is_none() && self == Dialect::Sqlite {
                sql.push_str(" LIMIT -1");
            }
            sql.push_str(&format!(" OFFSET {}", query.offset));
        }
        Ok(sql)
    }
}

/// A type's table: its names and the statements on it, made once per table
/// and reused by every call. The text of a statement is also the key of
/// sqlx's cache of prepared statements on each connection, so the same text
/// means one `prepare` per connection, not one per call.
#[derive(Debug)]
pub(crate) struct TableSql {
    /// The name the service gives it (errors name this one).
    pub table: String,
    /// The name in the database: the prefix, then `table`.
    pub full: String,
    /// The select statement (params: key).
    pub select: String,
    /// The select of the object alone, no version or times (params: key).
    pub select_data: String,
    /// The insert statement (params: key, data, now).
    pub insert: String,
    /// The versioned update (params: data, now, key, expected version).
    pub update: String,
    /// The upsert (params: key, data, now).
    pub upsert: String,
    /// The delete statement (params: key).
    pub delete: String,
}

impl TableSql {
    /// The statements on `prefix` + `table` (both names already checked).
    pub fn new(dialect: Dialect, table: &str, prefix: &str) -> Self {
        let full = format!("{prefix}{table}");
        TableSql {
            table: table.to_string(),
            select: dialect.select(&full),
            select_data: dialect.select_data(&full),
            insert: dialect.insert(&full),
            update: dialect.update(&full),
            upsert: dialect.upsert(&full),
            delete: dialect.delete(&full),
            full,
        }
    }
}
