//! The framework's own tables, version by version.
//!
//! Besides one table per persisted type (made on demand, see `sql`), a
//! database holds the framework's tables: `macaron_schema`, which records
//! the schema version, and `macaron_tasks`, the task queue (`queue`). Their
//! definitions live here, as data, and `db` runs the steps a database has
//! not seen yet when it connects. So the queue uses a table it does not
//! create, the connection creates tables it does not use, and neither
//! imports the other: the schema is owned by this one module.
//!
//! Every statement is a `CREATE ... IF NOT EXISTS`, so two processes
//! migrating one database at once both succeed.

use crate::sql::Dialect;

/// The schema version this code writes; bump it with a new step in
/// [`steps`].
pub(crate) const SCHEMA_VERSION: i64 = 2;

/// The table recording the schema version (before the table prefix).
pub(crate) const VERSION_TABLE: &str = "macaron_schema";

/// The task queue's table (before the table prefix).
pub(crate) const QUEUE_TABLE: &str = "macaron_tasks";

/// The statement creating the version table.
pub(crate) fn version_table(prefix: &str) -> String {
    format!("CREATE TABLE IF NOT EXISTS \"{prefix}{VERSION_TABLE}\" (version BIGINT NOT NULL)")
}

/// The statements taking a database from `version - 1` to `version`.
pub(crate) fn steps(version: i64, prefix: &str, dialect: Dialect) -> Vec<String> {
    match version {
        // Version 2: the task queue.
        2 => {
            let table = format!("{prefix}{QUEUE_TABLE}");
            let int: &str = match dialect {
                #[cfg(feature = "sqlite")]
                Dialect::Sqlite => "INTEGER",
                #[cfg(feature = "postgres")]
                Dialect::Postgres => "BIGINT",
            };
            vec![
                format!(
                    "CREATE TABLE IF NOT EXISTS \"{table}\" (id TEXT PRIMARY KEY NOT NULL, task TEXT NOT NULL, \
                     envelope TEXT NOT NULL, state TEXT NOT NULL, run_at {int} NOT NULL, locked_by TEXT, \
                     locked_until {int}, last_error TEXT, created_at {int} NOT NULL, updated_at {int} NOT NULL)"
                ),
                format!("CREATE INDEX IF NOT EXISTS \"{table}_due\" ON \"{table}\" (state, run_at)"),
            ]
        }
        // Version 1: the version table itself; object tables are made on demand.
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_step_creates_if_missing() {
        let dialects = [
            #[cfg(feature = "sqlite")]
            Dialect::Sqlite,
            #[cfg(feature = "postgres")]
            Dialect::Postgres,
        ];
        for dialect in dialects {
            for version in 1..=SCHEMA_VERSION {
                for sql in steps(version, "p_", dialect) {
                    assert!(sql.starts_with("CREATE ") && sql.contains(" IF NOT EXISTS "), "{sql}");
                }
            }
        }
        #[cfg(feature = "postgres")]
        assert!(steps(2, "p_", Dialect::Postgres)[0].contains("\"p_macaron_tasks\" (id TEXT"));
    }
}
