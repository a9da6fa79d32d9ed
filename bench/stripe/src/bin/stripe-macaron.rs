//! Scaling with the spec: a Macaron service on Stripe's spec (468
//! operations, 4.2 MB of YAML; `apis/stripe.yaml`, see the README), plus
//! the items benchmark's spec beside it.
//!
//! - `GET /v1/customers/{customer}` (Stripe's `GetCustomersCustomer`) is
//!   bound to a plain function doing what `items-macaron`'s `get_item` does
//!   for workload W4: take the path parameter, answer 404 with an error
//!   naming it. Same handler work, same reply shape, on a route table of
//!   470-odd routes instead of three.
//! - The items spec's `GET /v1/items/{item_id}` and `POST /v1/items` are
//!   served by the same functions as in `items-macaron`: W4 itself, on the
//!   large route table.
//! - Every other Stripe operation is bound to one function answering 501.
//!
//! The specs are embedded as a generated service embeds them
//! (`include_str!`, read at startup): startup is loading 4.2 MB of YAML,
//! binding, routing and compiling every validator. With `STRIPE_BENCH_TIMING=1`
//! the time `build()` took is printed on stderr.
//!
//! Usage: `stripe-macaron [--port PORT]` (the options of `macaron::letsgo`).

use std::time::Instant;

use macaron::{Api, Created, Json, Options, Path};
use serde::{Deserialize, Serialize};

/// Stripe's spec without its top-level `security` (see build.rs).
const STRIPE: &str = include_str!(concat!(env!("OUT_DIR"), "/stripe.yaml"));
/// Every `operationId` of Stripe's spec.
const OPERATIONS: &[&str] = include!(concat!(env!("OUT_DIR"), "/operations.rs"));
/// The items benchmark's spec, as `items-macaron` serves it.
const ITEMS: &str = include_str!("../../../items/apis/items.yaml");

macaron::errors! {
    CustomerNotFound = (404, "CUSTOMER_NOT_FOUND"),
    ItemNotFound = (404, "ITEM_NOT_FOUND"),
    NotServed = (501, "NOT_IMPLEMENTED"),
}

#[derive(Deserialize)]
struct CustomerPath {
    customer: String,
}

/// `GET /v1/customers/{customer}`: what `get_item` does, for a customer.
async fn get_customer(Path(path): Path<CustomerPath>) -> macaron::Result<()> {
    Err(CustomerNotFound::new(format!("no customer {}", path.customer)))
}

/// Every other Stripe operation.
async fn not_served() -> macaron::Result<()> {
    Err(NotServed::new("this benchmark serves GET /v1/customers/{customer} only"))
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

/// `POST /v1/items`, as in `items-macaron` (a fixed id: no uuid dependency here).
async fn create_item(Json(item): Json<NewItem>) -> macaron::Result<Created<Item>> {
    Ok(Created(Item { id: "8d3e2a10-0000-4000-8000-000000000000".to_string(), item }))
}

/// `GET /v1/items/{item_id}`, as in `items-macaron` (workload W4).
async fn get_item(Path(path): Path<ItemPath>) -> macaron::Result<Item> {
    Err(ItemNotFound::new(format!("no item {}", path.item_id)))
}

fn start(options: Options) -> macaron::Result<Api> {
    let began = Instant::now();
    let mut builder = Api::builder()
        .options(options)
        .name("stripe")
        .api_source("stripe.yaml", STRIPE)
        .api_source("items.yaml", ITEMS)
        .handler("GetCustomersCustomer", get_customer)
        .handler("create_item", create_item)
        .handler("get_item", get_item);
    for id in OPERATIONS.iter().filter(|id| **id != "GetCustomersCustomer") {
        builder = builder.handler(*id, not_served);
    }
    let api = builder.build();
    if std::env::var_os("STRIPE_BENCH_TIMING").is_some() {
        eprintln!("stripe-macaron: build() took {:.1} ms", began.elapsed().as_secs_f64() * 1000.0);
    }
    api
}

fn main() {
    macaron::letsgo(start)
}
