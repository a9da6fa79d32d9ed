//! The items benchmark API written by hand on bare actix-web: the baseline
//! Macaron is compared with. It does the same work as the Macaron service:
//! parses and validates the body against `NewItem`'s constraints, answers
//! with the same JSON, and the same JSON error objects.
//!
//! Usage: `items-bare [--port PORT]` (default 8081).

use actix_web::{web, App, HttpResponse, HttpServer};
use serde::{Deserialize, Serialize};
use serde_json::json;

#[derive(Deserialize, Serialize)]
struct NewItem {
    name: String,
    price: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    tags: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    count: Option<i64>,
}

#[derive(Serialize)]
struct Item {
    id: String,
    #[serde(flatten)]
    item: NewItem,
}

fn error(status: u16, code: &str, description: &str) -> HttpResponse {
    let status = actix_web::http::StatusCode::from_u16(status).unwrap_or(actix_web::http::StatusCode::BAD_REQUEST);
    HttpResponse::build(status)
        .json(json!({"error": code, "error_description": description, "status": status.as_u16()}))
}

fn check(item: &NewItem) -> Result<(), String> {
    let len = item.name.chars().count();
    if !(1..=64).contains(&len) {
        return Err("body /name: length must be between 1 and 64".into());
    }
    if item.price < 0.0 {
        return Err(format!("body /price: {} is less than the minimum of 0", item.price));
    }
    if item.tags.as_ref().is_some_and(|t| t.len() > 10) {
        return Err("body /tags: more than 10 items".into());
    }
    if item.count.is_some_and(|c| c < 0) {
        return Err("body /count: less than the minimum of 0".into());
    }
    Ok(())
}

async fn ping() -> HttpResponse {
    HttpResponse::Ok().json(json!({}))
}

async fn create_item(body: web::Bytes) -> HttpResponse {
    let item: NewItem = match serde_json::from_slice(&body) {
        Ok(item) => item,
        Err(e) => return error(400, "INVALID_PARAMETER", &format!("body: {e}")),
    };
    if let Err(description) = check(&item) {
        return error(400, "INVALID_PARAMETER", &description);
    }
    HttpResponse::Created().json(Item { id: uuid::Uuid::new_v4().to_string(), item })
}

async fn get_item(id: web::Path<String>) -> HttpResponse {
    error(404, "ITEM_NOT_FOUND", &format!("no item {id}"))
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let port = args
        .iter()
        .position(|a| a == "--port")
        .and_then(|i| args.get(i + 1))
        .and_then(|p| p.parse::<u16>().ok())
        .unwrap_or(8081);
    HttpServer::new(|| {
        App::new()
            .route("/ping", web::get().to(ping))
            .route("/v1/items", web::post().to(create_item))
            .route("/v1/items/{item_id}", web::get().to(get_item))
    })
    .bind(("127.0.0.1", port))?
    .run()
    .await
}
