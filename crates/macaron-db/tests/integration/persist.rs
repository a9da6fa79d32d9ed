//! The same suite on SQLite (a file) and on the real PostgreSQL at
//! 127.0.0.1:5432 (database `test`, tables prefixed per run, dropped after).
//! Outside CI an unreachable PostgreSQL skips its half with a printed reason;
//! with `CI=true` it fails. A backend whose cargo feature is off is left out.

// With no backend at all, every suite loops over no database.
#![cfg_attr(not(any(feature = "sqlite", feature = "postgres")), allow(unused_mut, dead_code))]

use std::sync::atomic::{AtomicUsize, Ordering};

use macaron_db::{Db, DbError, DbFailure, DbOptions, ListQuery, Persistent, Store};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Pet {
    id: String,
    name: String,
    tag: Option<String>,
    age: i64,
}

impl Persistent for Pet {
    const TABLE: &'static str = "pets";
    fn key(&self) -> String {
        self.id.clone()
    }
}

fn pet(id: &str, tag: &str, age: i64) -> Pet {
    Pet { id: id.into(), name: format!("pet {id}"), tag: Some(tag.into()), age }
}

#[cfg(feature = "postgres")]
use macaron_dev::backends::POSTGRES_URL as PG;

fn prefix() -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    format!("t{}_{}_", std::process::id(), N.fetch_add(1, Ordering::SeqCst))
}

/// A fresh database of each kind: (label, db, url, options).
async fn backends() -> Vec<(&'static str, Db, String, DbOptions)> {
    let mut out = Vec::new();
    #[cfg(feature = "sqlite")]
    {
        let file = std::env::temp_dir().join(format!("macaron-db-{}.db", prefix()));
        let url = format!("sqlite://{}", file.display());
        let options = DbOptions::default();
        out.push(("sqlite", Db::connect_with(&url, options.clone()).await.unwrap(), url, options));
    }
    #[cfg(feature = "postgres")]
    {
        let options = DbOptions { table_prefix: prefix(), ..DbOptions::default() };
        let url = format!("{PG}?application_name={}", options.table_prefix);
        let postgres = Db::connect_with(&url, options.clone()).await;
        if let Some(db) = macaron_dev::require(&format!("PostgreSQL at {PG} (the postgres half)"), postgres) {
            out.push(("postgres", db, url, options));
        }
    }
    out
}

async fn cleanup(db: &Db) {
    db.drop_table("pets").await.unwrap();
}

#[tokio::test]
async fn crud() {
    for (label, db, _, _) in backends().await {
        let rex = pet("1", "dog", 3);
        let record = rex.save(&db).await.unwrap();
        assert_eq!(record.version(), 1, "{label}");
        assert_eq!(*Pet::load(&db, "1").await.unwrap(), rex, "{label}");
        assert!(Pet::exists(&db, "1").await.unwrap());
        assert!(Pet::find(&db, "2").await.unwrap().is_none());
        assert_eq!(
            Pet::load(&db, "2").await.unwrap_err(),
            DbError::NotFound { table: "pets".into(), key: "2".into() },
            "{label}"
        );
        // Saving a new object under a taken key is a conflict, not an overwrite.
        assert!(matches!(pet("1", "cat", 1).save(&db).await, Err(DbError::Conflict { .. })), "{label}");
        let mut loaded = Pet::load(&db, "1").await.unwrap();
        loaded.name = "Rex".into();
        loaded.save(&db).await.unwrap();
        assert_eq!(loaded.version(), 2);
        assert_eq!(Pet::load(&db, "1").await.unwrap().name, "Rex");
        assert!(Pet::delete(&db, "1").await.unwrap());
        assert!(!Pet::delete(&db, "1").await.unwrap());
        assert!(!Pet::exists(&db, "1").await.unwrap(), "{label}");
        cleanup(&db).await;
    }
}

#[tokio::test]
async fn concurrent_changes_conflict_unless_last_write_wins() {
    for (label, db, _, _) in backends().await {
        pet("1", "dog", 3).save(&db).await.unwrap();
        let mut alice = Pet::load(&db, "1").await.unwrap();
        let mut bob = Pet::load(&db, "1").await.unwrap();
        alice.age = 4;
        alice.save(&db).await.unwrap();
        bob.age = 5;
        assert_eq!(
            bob.save(&db).await.unwrap_err(),
            DbError::Conflict { table: "pets".into(), key: "1".into() },
            "{label}"
        );
        assert_eq!(Pet::load(&db, "1").await.unwrap().age, 4);
        bob.save_overwrite(&db).await.unwrap();
        assert_eq!(Pet::load(&db, "1").await.unwrap().age, 5, "{label}");
        // A deleted object cannot be saved back silently.
        let mut ghost = Pet::load(&db, "1").await.unwrap();
        Pet::delete(&db, "1").await.unwrap();
        ghost.age = 9;
        assert!(matches!(ghost.save(&db).await, Err(DbError::NotFound { .. })), "{label}");
        cleanup(&db).await;
    }
}

#[tokio::test]
async fn list_filters_orders_and_limits() {
    for (label, db, _, _) in backends().await {
        for (i, tag) in ["dog", "cat", "dog", "dog", "bird"].iter().enumerate() {
            pet(&format!("p{i}"), tag, i as i64).save(&db).await.unwrap();
        }
        let dogs = Pet::list(&db, &ListQuery::new().filter("tag", "dog").newest_first().limit(2)).await.unwrap();
        let ids: Vec<&str> = dogs.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, ["p3", "p2"], "{label}");
        let old = Pet::list(&db, &ListQuery::new().filter("age", 0)).await.unwrap();
        assert_eq!(old.len(), 1, "{label}: numbers compare as numbers");
        let by_age = Pet::list(&db, &ListQuery::new().order_by("age", true).offset(1).limit(2)).await.unwrap();
        assert_eq!(by_age.iter().map(|p| p.age).collect::<Vec<_>>(), [3, 2], "{label}");
        assert_eq!(Pet::list(&db, &ListQuery::new()).await.unwrap().len(), 5);
        assert!(matches!(Pet::list(&db, &ListQuery::new().filter("a'b", 1)).await, Err(DbError::Invalid(_))));
        cleanup(&db).await;
    }
}

#[tokio::test]
async fn transactions_commit_or_roll_back_together() {
    for (label, db, _, _) in backends().await {
        pet("keep", "dog", 1).save(&db).await.unwrap();
        let failed: Result<(), DbError> = db
            .transaction(|tx| {
                Box::pin(async move {
                    pet("a", "dog", 1).save(tx).await?;
                    Pet::delete(tx, "keep").await?;
                    pet("a", "dog", 1).save(tx).await?; // conflict: the whole transaction fails
                    Ok(())
                })
            })
            .await;
        assert!(matches!(failed, Err(DbError::Conflict { .. })), "{label}");
        assert!(!Pet::exists(&db, "a").await.unwrap(), "{label}: rolled back");
        assert!(Pet::exists(&db, "keep").await.unwrap(), "{label}: rolled back");
        db.transaction(|tx| {
            Box::pin(async move {
                pet("b", "cat", 2).save(tx).await?;
                let mut keep = Pet::load(tx, "keep").await?;
                keep.age = 10;
                keep.save(tx).await
            })
        })
        .await
        .unwrap();
        assert!(Pet::exists(&db, "b").await.unwrap());
        assert_eq!(Pet::load(&db, "keep").await.unwrap().age, 10, "{label}");
        cleanup(&db).await;
    }
}

#[tokio::test]
async fn a_restart_keeps_the_data() {
    for (label, db, url, options) in backends().await {
        pet("1", "dog", 3).save(&db).await.unwrap();
        drop(db);
        let again = Db::connect_with(&url, options).await.unwrap();
        assert_eq!(Pet::load(&again, "1").await.unwrap().age, 3, "{label}");
        cleanup(&again).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_tasks_save_at_once() {
    for (label, db, _, _) in backends().await {
        let tasks: Vec<_> = (0..50)
            .map(|i| {
                let db = db.clone();
                tokio::spawn(async move { pet(&format!("c{i}"), "dog", i).save(&db).await.map(|_| ()) })
            })
            .collect();
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        assert_eq!(Pet::list(&db, &ListQuery::new()).await.unwrap().len(), 50, "{label}");
        cleanup(&db).await;
    }
}

#[cfg(feature = "postgres")]
#[tokio::test]
async fn killed_connections_recover() {
    for (label, db, url, options) in backends().await {
        if label != "postgres" {
            continue;
        }
        pet("1", "dog", 3).save(&db).await.unwrap();
        let admin = sqlx::PgPool::connect(PG).await.unwrap();
        let killed: Vec<(bool,)> = sqlx::query_as(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()",
        )
        .bind(&options.table_prefix)
        .fetch_all(&admin)
        .await
        .unwrap();
        assert!(!killed.is_empty(), "{url}: no connection to kill");
        let mut recovered = false;
        for _ in 0..20 {
            match Pet::load(&db, "1").await {
                Ok(p) => {
                    assert_eq!(p.age, 3);
                    recovered = true;
                    break;
                }
                Err(e) => assert_eq!(e.kind(), DbFailure::Unavailable, "{e}"),
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert!(recovered);
        cleanup(&db).await;
    }
}

#[cfg(feature = "postgres")]
#[tokio::test]
async fn an_unreachable_database_is_named_without_its_password() {
    let options = DbOptions { acquire_timeout: std::time::Duration::from_secs(2), ..DbOptions::default() };
    let err = Db::connect_with("postgres://app:hunter2@127.0.0.1:1/db", options).await.unwrap_err();
    let text = err.to_string();
    assert_eq!(err.kind(), DbFailure::Unavailable);
    assert!(text.contains("postgres://app:***@127.0.0.1:1/db"), "{text}");
    assert!(!text.contains("hunter2"), "{text}");
}

/// Instances of a service starting together (or parallel tests) create the
/// same tables at the same moment: every one of them starts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_starting_together_all_start() {
    for (label, db, url, options) in backends().await {
        drop(db);
        let starts: Vec<_> = (0..8)
            .map(|_| {
                let (url, options) = (url.clone(), options.clone());
                tokio::spawn(async move {
                    let db = Db::connect_with(&url, options).await?;
                    db.ensure_table("pets").await?;
                    Ok::<Db, DbError>(db)
                })
            })
            .collect();
        let mut started = Vec::new();
        for start in starts {
            started.push(start.await.unwrap().unwrap_or_else(|e| panic!("{label}: an instance did not start: {e}")));
        }
        pet("1", "dog", 3).save(&started[0]).await.unwrap();
        assert_eq!(Pet::load(&started[7], "1").await.unwrap().age, 3, "{label}");
        cleanup(&started[0]).await;
    }
}

/// A save answers what a later load reads (version 1, created and updated
/// at the insert's time) without reading the row back; a record's save
/// moves its version and update time, not its creation time.
#[tokio::test]
async fn saves_return_what_a_load_reads() {
    for (label, db, _, _) in backends().await {
        let saved = pet("1", "dog", 3).save(&db).await.unwrap();
        let loaded = Pet::load(&db, "1").await.unwrap();
        assert_eq!(saved, loaded, "{label}");
        assert_eq!(saved.version(), 1, "{label}");
        assert_eq!(saved.created_at(), saved.updated_at(), "{label}");
        assert!(saved.created_at() > 0, "{label}");
        let mut record = loaded;
        record.age = 4;
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        record.save(&db).await.unwrap();
        let again = Pet::load(&db, "1").await.unwrap();
        assert_eq!(record, again, "{label}");
        assert_eq!((again.version(), again.created_at()), (2, saved.created_at()), "{label}");
        assert!(again.updated_at() > saved.updated_at(), "{label}");
        cleanup(&db).await;
    }
}

/// Last-write-wins keeps the first save's creation time and answers the
/// stored version, whether the object existed or not.
#[tokio::test]
async fn save_overwrite_keeps_the_creation_time() {
    for (label, db, _, _) in backends().await {
        let first = pet("1", "dog", 3).save(&db).await.unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        let over = pet("1", "cat", 5).save_overwrite(&db).await.unwrap();
        assert_eq!(over.version(), 2, "{label}");
        assert_eq!(over.created_at(), first.created_at(), "{label}");
        assert!(over.updated_at() > first.updated_at(), "{label}");
        assert_eq!(over, Pet::load(&db, "1").await.unwrap(), "{label}");
        let new = pet("2", "bird", 1).save_overwrite(&db).await.unwrap();
        assert_eq!((new.version(), new.created_at()), (1, new.updated_at()), "{label}");
        assert_eq!(new, Pet::load(&db, "2").await.unwrap(), "{label}");
        let mut stale = Pet::load(&db, "1").await.unwrap();
        pet("1", "fish", 6).save_overwrite(&db).await.unwrap();
        stale.age = 7;
        stale.save_overwrite(&db).await.unwrap();
        assert_eq!(stale, Pet::load(&db, "1").await.unwrap(), "{label}");
        assert_eq!((stale.version(), stale.created_at()), (4, first.created_at()), "{label}");
        cleanup(&db).await;
    }
}

/// The same answers inside a transaction as on the pool.
#[tokio::test]
async fn saves_in_a_transaction_return_what_a_load_reads() {
    for (label, db, _, _) in backends().await {
        let (saved, overwritten, updated) = db
            .transaction(|tx| {
                Box::pin(async move {
                    let saved = pet("1", "dog", 3).save(tx).await?;
                    assert_eq!(saved, Pet::load(tx, "1").await?);
                    let overwritten = pet("1", "cat", 4).save_overwrite(tx).await?;
                    let mut updated = Pet::load(tx, "1").await?;
                    updated.age = 5;
                    updated.save(tx).await?;
                    assert!(matches!(pet("1", "dog", 3).save(tx).await, Err(DbError::Conflict { .. })));
                    Ok((saved, overwritten, updated))
                })
            })
            .await
            .unwrap();
        assert_eq!(saved.version(), 1, "{label}");
        assert_eq!((overwritten.version(), overwritten.created_at()), (2, saved.created_at()), "{label}");
        assert_eq!(updated, Pet::load(&db, "1").await.unwrap(), "{label}");
        assert_eq!((updated.version(), updated.created_at()), (3, saved.created_at()), "{label}");
        cleanup(&db).await;
    }
}

/// The untyped operations (`Value` objects) and the text ones see the same rows.
#[tokio::test]
async fn untyped_and_text_operations_agree() {
    for (label, db, _, _) in backends().await {
        let object = serde_json::json!({"id": "1", "name": "Rex", "tag": "dog", "age": 3});
        assert_eq!(db.insert("pets", "1", &object).await.unwrap(), 1, "{label}");
        let text = db.get_text("pets", "1").await.unwrap().unwrap();
        assert_eq!(serde_json::from_str::<serde_json::Value>(&text.data).unwrap(), object, "{label}");
        let row = db.get("pets", "1").await.unwrap().unwrap();
        assert_eq!((row.key.as_str(), &row.data, row.version), ("1", &object, 1), "{label}");
        assert_eq!((row.created_at, row.updated_at), (text.created_at, text.updated_at), "{label}");
        assert_eq!(Pet::load(&db, "1").await.unwrap().name, "Rex", "{label}");
        let written =
            db.update_text("pets", "1", r#"{"id":"1","name":"Max","tag":null,"age":4}"#, Some(1)).await.unwrap();
        assert_eq!((written.version, written.created_at), (2, text.created_at), "{label}");
        assert_eq!(db.update("pets", "1", &object, Some(1)).await.unwrap_err().kind(), DbFailure::Conflict, "{label}");
        assert_eq!(db.update("pets", "9", &object, Some(1)).await.unwrap_err().kind(), DbFailure::NotFound, "{label}");
        let rows = db.list("pets", &ListQuery::new()).await.unwrap();
        assert_eq!(rows.len(), 1, "{label}");
        assert_eq!(rows[0].data["name"], "Max", "{label}");
        assert_eq!(db.list_text("pets", &ListQuery::new().filter("name", "Max")).await.unwrap().len(), 1, "{label}");
        // A stored object that does not fit the type is named, not a panic.
        db.insert_text("pets", "bad", r#"{"id":"bad"}"#).await.unwrap();
        let err = Pet::load(&db, "bad").await.unwrap_err();
        assert!(matches!(&err, DbError::Invalid(why) if why.contains("pets \"bad\"")), "{label}: {err}");
        // A taken key on insert names the table as the service does.
        assert_eq!(
            db.insert_text("pets", "1", "{}").await.unwrap_err(),
            DbError::Conflict { table: "pets".into(), key: "1".into() },
            "{label}"
        );
        cleanup(&db).await;
    }
}

/// A dropped table is made again on the next use (the pool forgets it).
#[tokio::test]
async fn a_dropped_table_comes_back() {
    for (label, db, _, _) in backends().await {
        pet("1", "dog", 3).save(&db).await.unwrap();
        db.drop_table("pets").await.unwrap();
        assert!(Pet::find(&db, "1").await.unwrap().is_none(), "{label}");
        pet("1", "dog", 3).save(&db).await.unwrap();
        assert_eq!(Pet::load(&db, "1").await.unwrap().age, 3, "{label}");
        assert!(matches!(db.ensure_table("no-good").await, Err(DbError::Invalid(_))), "{label}");
        cleanup(&db).await;
    }
}

/// A URL of a backend this build leaves out is a clear error naming the
/// feature that brings it.
#[tokio::test]
async fn a_url_of_a_backend_left_out_names_its_feature() {
    #[cfg(not(feature = "postgres"))]
    {
        let err = Db::connect("postgres://app:hunter2@127.0.0.1/db").await.unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, DbError::Invalid(_)), "{text}");
        assert!(text.contains("feature \"postgres\"") && text.contains("postgres:"), "{text}");
        assert!(!text.contains("hunter2"), "{text}");
    }
    #[cfg(not(feature = "sqlite"))]
    {
        let err = Db::connect("sqlite::memory:").await.unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, DbError::Invalid(_)), "{text}");
        assert!(text.contains("feature \"sqlite\"") && text.contains("sqlite:"), "{text}");
    }
    let err = Db::connect("mysql://x").await.unwrap_err();
    assert!(err.to_string().contains("unsupported database URL"), "{err}");
}
