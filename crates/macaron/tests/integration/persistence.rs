//! A service that persists objects: the database is connected at startup
//! (SQLite by default, PostgreSQL from the URL), handlers get it as an
//! argument or from `macaron::db()`, and an outage is a 503.

use macaron::db::{Db, DbError, Persistent};
use macaron::test::TestServer;
use macaron::{Api, Created, Json, Path};
use macaron_dev::backends::POSTGRES_URL;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Pet {
    id: String,
    name: String,
}

impl Persistent for Pet {
    const TABLE: &'static str = "pets";
    fn key(&self) -> String {
        self.id.clone()
    }
}

macaron::errors! {
    PetNotFound = (404, "PET_NOT_FOUND"),
}

async fn create_pet(db: Db, Json(pet): Json<Pet>) -> macaron::Result<Created<Pet>> {
    pet.save(&db).await?;
    Ok(Created(pet))
}

#[derive(Deserialize)]
struct Id {
    id: String,
}

async fn get_pet(Path(p): Path<Id>) -> macaron::Result<Pet> {
    let db = macaron::db()?;
    match Pet::find(&db, &p.id).await? {
        Some(pet) => Ok(pet.into_inner()),
        None => Err(PetNotFound::new(format!("no pet {}", p.id))),
    }
}

async fn outage() -> macaron::Result<Value> {
    Err(DbError::Unavailable("connection refused".into()).into())
}

fn api(url: &str) -> Api {
    Api::builder()
        .name("store")
        .api(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/apis/store.yaml"))
        .database(url)
        .handler("createPet", create_pet)
        .handler("getPet", get_pet)
        .handler("outage", outage)
        .build()
        .unwrap()
}

async fn crud(s: &TestServer, id: &str) {
    let pet = json!({"id": id, "name": "Rex"});
    assert_eq!(s.assert_call_json("POST", "/pets", Some(pet.clone()), 201).await, pet);
    assert_eq!(s.assert_call_json("GET", &format!("/pets/{id}"), None, 200).await, pet);
    s.assert_call_error("GET", "/pets/none", None, 404, "PET_NOT_FOUND").await;
    // Saving the same key again is a conflict, not a silent overwrite.
    s.assert_call_error("POST", "/pets", Some(pet), 409, "CONFLICT").await;
}

#[tokio::test]
async fn sqlite_file_by_url() {
    let file = std::env::temp_dir().join(format!("macaron-store-{}.db", std::process::id()));
    let url = format!("sqlite://{}", file.display());
    let s = TestServer::start(api(&url)).await;
    crud(&s, "a1").await;
    s.stop().await;
    // A restart finds the data.
    let again = TestServer::start(api(&url)).await;
    again.assert_call_json("GET", "/pets/a1", None, 200).await;
    let _ = std::fs::remove_file(&file);
}

#[tokio::test]
async fn outages_are_503() {
    let s = TestServer::start(api("sqlite::memory:")).await;
    s.assert_call_error("GET", "/outage", None, 503, "DATABASE_UNAVAILABLE").await;
}

#[tokio::test]
async fn postgres_and_killed_connections() {
    let url = format!("{POSTGRES_URL}?application_name=macaron_store_{}", std::process::id());
    let reachable = sqlx::PgPool::connect(POSTGRES_URL).await;
    let Some(admin) = macaron_dev::require(&format!("PostgreSQL at {POSTGRES_URL}"), reachable) else { return };
    sqlx::query("DROP TABLE IF EXISTS pets").execute(&admin).await.unwrap();
    let s = TestServer::start(api(&url)).await;
    crud(&s, "p1").await;
    sqlx::query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE 'macaron_store_%'")
        .execute(&admin)
        .await
        .unwrap();
    // Every reply is the pet or a 503 JSON error, and the service recovers.
    let mut recovered = false;
    for _ in 0..30 {
        let r = s.call("GET", "/pets/p1").send().await;
        match r.status {
            200 => {
                recovered = true;
                break;
            }
            503 => assert_eq!(r.json()["error"], "DATABASE_UNAVAILABLE"),
            other => panic!("unexpected {other}: {}", r.text()),
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(recovered);
    sqlx::query("DROP TABLE IF EXISTS pets").execute(&admin).await.unwrap();
}

#[tokio::test]
async fn an_unreachable_database_stops_the_start_naming_it() {
    let api = api("postgres://svc:hunter2@127.0.0.1:1/db");
    let err = api.connect().await.unwrap_err();
    assert!(err.error_description.contains("postgres://svc:***@127.0.0.1:1/db"), "{}", err.error_description);
    assert!(!err.error_description.contains("hunter2"));
}
