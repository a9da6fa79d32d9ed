//! Saves and loads per second on each backend:
//! `cargo run --release -p macaron-db --example throughput [N]`.
//! SQLite is a file in the temp folder; PostgreSQL is 127.0.0.1:5432/test
//! (skipped with a message when unreachable). Tables are dropped after.

use std::time::Instant;

use macaron_db::{Db, DbOptions, Persistent};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Pet {
    id: String,
    name: String,
    tags: Vec<String>,
    age: i64,
}

impl Persistent for Pet {
    const TABLE: &'static str = "bench_pets";
    fn key(&self) -> String {
        self.id.clone()
    }
}

async fn run(label: &str, db: Db, n: usize) -> Result<(), macaron_db::DbError> {
    db.drop_table(Pet::TABLE).await?;
    let pets: Vec<Pet> = (0..n)
        .map(|i| Pet {
            id: format!("p{i}"),
            name: format!("pet {i}"),
            tags: vec!["a".into(), "b".into()],
            age: i as i64,
        })
        .collect();
    // 8 concurrent callers, as a service's requests would be.
    let started = Instant::now();
    let mut tasks = Vec::new();
    for chunk in pets.chunks(n.div_ceil(8)) {
        let (db, chunk) = (db.clone(), chunk.to_vec());
        tasks.push(tokio::spawn(async move {
            for pet in chunk {
                pet.save(&db).await?;
            }
            Ok::<_, macaron_db::DbError>(())
        }));
    }
    for t in tasks {
        t.await.map_err(|e| macaron_db::DbError::Sql(e.to_string()))??;
    }
    let saves = n as f64 / started.elapsed().as_secs_f64();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for worker in 0..8 {
        let db = db.clone();
        tasks.push(tokio::spawn(async move {
            for i in (worker..n).step_by(8) {
                Pet::load(&db, &format!("p{i}")).await?;
            }
            Ok::<_, macaron_db::DbError>(())
        }));
    }
    for t in tasks {
        t.await.map_err(|e| macaron_db::DbError::Sql(e.to_string()))??;
    }
    let loads = n as f64 / started.elapsed().as_secs_f64();
    println!("| {label} | {n} | {saves:.0} | {loads:.0} |");
    db.drop_table(Pet::TABLE).await
}

#[tokio::main]
async fn main() -> Result<(), macaron_db::DbError> {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(5000);
    println!("| backend | objects | saves/s | loads/s |\n|---|---|---|---|");
    let file = std::env::temp_dir().join(format!("macaron-throughput-{}.db", std::process::id()));
    match Db::connect(&format!("sqlite://{}", file.display())).await {
        Ok(db) => run("SQLite (file, WAL)", db, n).await?,
        Err(e) => println!("SQLite skipped: {e}"),
    }
    let _ = std::fs::remove_file(&file);
    let options = DbOptions { table_prefix: format!("bench{}_", std::process::id()), ..DbOptions::default() };
    match Db::connect_with("postgres://postgres@127.0.0.1:5432/test", options).await {
        Ok(db) => run("PostgreSQL (127.0.0.1)", db, n).await?,
        Err(e) => println!("PostgreSQL skipped: {e}"),
    }
    Ok(())
}
