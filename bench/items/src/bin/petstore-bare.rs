//! The petstore's `GET /v1/pets/{pet_id}` and `POST /v1/pets` written by
//! hand on bare actix-web: the baseline `examples/petstore` is compared
//! with. It does the same work as the Macaron service, by hand: verifies the
//! bearer JWT (HS256, issuer, audience, expiry) with `jsonwebtoken`, checks
//! the content type, parses the body with serde (unknown fields refused)
//! and checks `NewPet`'s constraints, stores the pet as JSON in SQLite with
//! sqlx (the same table layout, WAL mode and busy timeout as macaron-db),
//! and answers the same JSON and the same error objects.
//!
//! Usage: `petstore-bare [--port PORT] [--database sqlite://FILE]
//! [--no-test-before-acquire]`, with `PETSTORE_JWT_SECRET` set (default port
//! 8083, database `petstore-bare.db`; sqlx's pool defaults unless the flag
//! is given).

use std::str::FromStr;
use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewPet {
    name: String,
    #[serde(default)]
    tag: Option<String>,
    #[serde(default)]
    birth_date: Option<chrono::NaiveDate>,
    #[serde(default)]
    weight_kg: Option<f64>,
}

#[derive(Serialize, Deserialize)]
struct Pet {
    id: uuid::Uuid,
    name: String,
    tag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    birth_date: Option<chrono::NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    weight_kg: Option<f64>,
    owner: String,
    adopted: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    adopted_by: Option<String>,
    created_at: chrono::DateTime<chrono::FixedOffset>,
}

#[derive(Deserialize)]
struct Claims {
    sub: String,
}

struct State {
    pool: SqlitePool,
    key: DecodingKey,
    validation: Validation,
}

fn error(status: u16, code: &str, description: &str) -> HttpResponse {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    HttpResponse::build(status)
        .json(json!({"error": code, "error_description": description, "status": status.as_u16()}))
}

fn server_error(e: impl std::fmt::Display) -> HttpResponse {
    let id = uuid::Uuid::new_v4().to_string();
    HttpResponse::InternalServerError().json(json!({
        "error": "SERVER_ERROR", "error_description": e.to_string(), "status": 500, "error_id": id,
    }))
}

/// An auth failure: status, code, description.
type Refusal = (u16, &'static str, String);

/// The caller's `sub`, from `Authorization: Bearer <jwt>`.
fn caller(req: &HttpRequest, state: &State) -> Result<String, Refusal> {
    let Some(header) = req.headers().get("authorization") else {
        return Err((401, "AUTHORIZATION_HEADER_MISSING", "no Authorization header".into()));
    };
    let token = header
        .to_str()
        .ok()
        .and_then(|h| h.strip_prefix("Bearer "))
        .filter(|t| !t.is_empty() && !t.contains(' '))
        .ok_or_else(|| (401, "TOKEN_INVALID", "not a bearer token".to_string()))?;
    match jsonwebtoken::decode::<Claims>(token, &state.key, &state.validation) {
        Ok(data) if !data.claims.sub.is_empty() => Ok(data.claims.sub),
        Ok(_) => Err((401, "TOKEN_INVALID", "empty sub".into())),
        Err(e) if matches!(e.kind(), ErrorKind::ExpiredSignature) => {
            Err((401, "TOKEN_EXPIRED", "token expired".into()))
        }
        Err(e) => Err((401, "TOKEN_INVALID", e.to_string())),
    }
}

fn check(pet: &NewPet) -> Result<(), String> {
    let len = pet.name.chars().count();
    if !(1..=64).contains(&len) {
        return Err("body /name: length must be between 1 and 64".into());
    }
    if pet.tag.as_ref().is_some_and(|t| t.chars().count() > 32) {
        return Err("body /tag: longer than 32 characters".into());
    }
    if let Some(w) = pet.weight_kg {
        if w <= 0.0 || w > 500.0 {
            return Err(format!("body /weight_kg: {w} is not in (0, 500]"));
        }
    }
    Ok(())
}

async fn create_pet(req: HttpRequest, body: web::Bytes, state: web::Data<State>) -> HttpResponse {
    let owner = match caller(&req, &state) {
        Ok(sub) => sub,
        Err((status, code, description)) => return error(status, code, &description),
    };
    let content_type = req.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("");
    if !content_type.split(';').next().unwrap_or("").trim().eq_ignore_ascii_case("application/json") {
        return error(415, "UNSUPPORTED_MEDIA_TYPE", "accepted: application/json");
    }
    let new: NewPet = match serde_json::from_slice(&body) {
        Ok(pet) => pet,
        Err(e) => return error(400, "INVALID_PARAMETER", &format!("body: {e}")),
    };
    if let Err(description) = check(&new) {
        return error(400, "INVALID_PARAMETER", &description);
    }
    let pet = Pet {
        id: uuid::Uuid::new_v4(),
        name: new.name,
        tag: new.tag,
        birth_date: new.birth_date,
        weight_kg: new.weight_kg,
        owner,
        adopted: false,
        adopted_by: None,
        created_at: chrono::Utc::now().fixed_offset(),
    };
    let data = match serde_json::to_string(&pet) {
        Ok(data) => data,
        Err(e) => return server_error(e),
    };
    let now = chrono::Utc::now().timestamp_micros();
    let inserted = sqlx::query(
        "INSERT INTO pets (key, data, version, created_at, updated_at) VALUES (?, ?, 1, ?, ?) ON CONFLICT (key) DO NOTHING",
    )
    .bind(pet.id.to_string())
    .bind(data)
    .bind(now)
    .bind(now)
    .execute(&state.pool)
    .await;
    match inserted {
        Ok(r) if r.rows_affected() == 1 => HttpResponse::Created().json(pet),
        Ok(_) => error(409, "CONFLICT", "the id is taken"),
        Err(e) => server_error(e),
    }
}

async fn get_pet(id: web::Path<String>, state: web::Data<State>) -> HttpResponse {
    let Ok(id) = uuid::Uuid::parse_str(&id) else {
        return error(400, "INVALID_PARAMETER", "path parameter 'pet_id': not a uuid");
    };
    let row: Result<Option<(String,)>, _> =
        sqlx::query_as("SELECT data FROM pets WHERE key = ?").bind(id.to_string()).fetch_optional(&state.pool).await;
    match row {
        Ok(Some((data,))) => match serde_json::from_str::<Pet>(&data) {
            Ok(pet) => HttpResponse::Ok().json(pet),
            Err(e) => server_error(e),
        },
        Ok(None) => error(404, "PET_NOT_FOUND", &format!("no pet {id}")),
        Err(e) => server_error(e),
    }
}

async fn ping() -> HttpResponse {
    HttpResponse::Ok().json(json!({}))
}

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned()
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let port = arg(&args, "--port").and_then(|p| p.parse::<u16>().ok()).unwrap_or(8083);
    let url = arg(&args, "--database").unwrap_or_else(|| "sqlite://petstore-bare.db".into());
    let secret = std::env::var("PETSTORE_JWT_SECRET")
        .ok()
        .filter(|s| !s.is_empty())
        .ok_or_else(|| std::io::Error::other("set PETSTORE_JWT_SECRET"))?;
    let options = SqliteConnectOptions::from_str(&url)
        .map_err(std::io::Error::other)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .busy_timeout(Duration::from_secs(10));
    // sqlx's default pool tests each connection before handing it out (a
    // round trip to the connection's worker thread); `--no-test-before-acquire`
    // turns that off, as macaron-db does for SQLite.
    let test = !args.iter().any(|a| a == "--no-test-before-acquire");
    let pool = SqlitePoolOptions::new()
        .max_connections(10)
        .test_before_acquire(test)
        .connect_with(options)
        .await
        .map_err(std::io::Error::other)?;
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS pets (key TEXT PRIMARY KEY NOT NULL, data TEXT NOT NULL, version INTEGER NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL)",
    )
    .execute(&pool)
    .await
    .map_err(std::io::Error::other)?;
    let mut validation = Validation::new(Algorithm::HS256);
    validation.set_issuer(&["petstore.example"]);
    validation.set_audience(&["petstore-clients"]);
    validation.set_required_spec_claims(&["exp", "iat", "sub", "iss", "aud"]);
    validation.leeway = 0;
    let state = web::Data::new(State { pool, key: DecodingKey::from_secret(secret.as_bytes()), validation });
    HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .app_data(web::PayloadConfig::new(1024 * 1024))
            .route("/ping", web::get().to(ping))
            .route("/v1/pets", web::post().to(create_pet))
            .route("/v1/pets/{pet_id}", web::get().to(get_pet))
    })
    .bind(("127.0.0.1", port))?
    .run()
    .await
}
