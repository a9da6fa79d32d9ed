//! The items benchmark API as a Macaron service: the spec, two plain
//! functions, and `letsgo`. Validation, errors and replies are the
//! framework's; the spec's `GET /ping` is the built-in (an operation at a
//! built-in's path without a handler is served by the built-in).
//!
//! Usage: `items-macaron [--port PORT]`.

use macaron::{Api, Created, Json, Options, Path};
use serde::{Deserialize, Serialize};

macaron::errors! {
    ItemNotFound = (404, "ITEM_NOT_FOUND"),
}

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

#[derive(Deserialize)]
struct ItemPath {
    item_id: String,
}

async fn create_item(Json(item): Json<NewItem>) -> macaron::Result<Created<Item>> {
    Ok(Created(Item { id: uuid::Uuid::new_v4().to_string(), item }))
}

async fn get_item(Path(path): Path<ItemPath>) -> macaron::Result<Item> {
    Err(ItemNotFound::new(format!("no item {}", path.item_id)))
}

fn start(options: Options) -> macaron::Result<Api> {
    Api::builder()
        .options(options)
        .name("items")
        .api(concat!(env!("CARGO_MANIFEST_DIR"), "/apis/items.yaml"))
        .handler("create_item", create_item)
        .handler("get_item", get_item)
        .build()
}

fn main() {
    macaron::letsgo(start)
}
