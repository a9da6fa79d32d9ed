//! The test service: `apis/shop.yaml` with handlers exercising every
//! framework path, a reporter that records reports, and a decorator that
//! marks every error object.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use macaron::test::TestServer;
use macaron::{Context, Cookies, Created, Headers, Json, Multipart, NoContent, Path, Query, Reply, Request, Response};
use serde_json::{json, Value};

pub type Reports = Arc<Mutex<Vec<(String, String)>>>;

pub const SECRET: &str = "configured-secret-value";

macaron::errors! {
    ItemNotFound = (404, "ITEM_NOT_FOUND"),
}

async fn get_item(Path(p): Path<Value>) -> macaron::Result<Value> {
    match p["id"].as_i64() {
        Some(1) => Ok(json!({"id": 1, "name": "widget", "price": 12.5})),
        _ => Err(ItemNotFound::new(format!("no item {}", p["id"]))),
    }
}

async fn create_item(Json(mut item): Json<Value>) -> macaron::Result<Created<Value>> {
    item["id"] = json!(7);
    Ok(Created(item))
}

async fn search(
    Query(q): Query<Value>,
    Headers(h): Headers<Value>,
    Cookies(c): Cookies<Value>,
) -> macaron::Result<Value> {
    Ok(json!({"query": q, "headers": h, "cookies": c}))
}

async fn styles(Path(p): Path<Value>) -> macaron::Result<Value> {
    Ok(p)
}

async fn get_call(Path(p): Path<Value>) -> macaron::Result<Value> {
    Ok(p)
}

async fn latest_call() -> macaron::Result<Value> {
    Ok(json!({"latest": true}))
}

async fn post_form(ctx: Context) -> macaron::Result<Value> {
    let macaron::Form(form): macaron::Form<Value> = macaron::FromContext::from_context(&ctx)?;
    Ok(form)
}

async fn upload(form: Multipart) -> macaron::Result<Value> {
    let file = form.file("file").map(|f| json!({"filename": f.filename, "size": f.bytes.len()}));
    Ok(json!({"fields": form.fields, "file": file}))
}

async fn crash(request: Request) -> macaron::Result<Value> {
    panic!("crash requested by {}", request.request_id)
}

async fn fail() -> macaron::Result<Value> {
    let n: i64 = "not a number".parse()?;
    Ok(json!(n))
}

async fn bad_reply() -> macaron::Result<Value> {
    Ok(json!({"name": "widget"}))
}

async fn undeclared_status() -> macaron::Result<macaron::WithStatus<Value>> {
    Ok(json!({}).with_status(203))
}

async fn non_fatal() -> macaron::Result<Value> {
    macaron::report_error("could not warm the cache", &std::io::Error::other("cache down"));
    Ok(json!({"ok": true}))
}

async fn big() -> macaron::Result<Response> {
    let items: Vec<Value> = (0..500).map(|i| json!({"index": i, "text": "lorem ipsum dolor sit amet"})).collect();
    Ok(Response::json(200, json!({"items": items})))
}

async fn nothing() -> macaron::Result<NoContent> {
    Ok(NoContent)
}

pub fn builder(reports: &Reports) -> macaron::ApiBuilder {
    let sink = reports.clone();
    macaron::Api::builder()
        .name("shop")
        .version("1.2.3")
        .api(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/apis/shop.yaml"))
        .handler("getItem", get_item)
        .handler("createItem", create_item)
        .handler("search", search)
        .handler("styles", styles)
        .handler("getCall", get_call)
        .handler("latestCall", latest_call)
        .handler("postForm", post_form)
        .handler("upload", upload)
        .handler("crash", crash)
        .handler("fail", fail)
        .handler("badReply", bad_reply)
        .handler("undeclaredStatus", undeclared_status)
        .handler("nonFatal", non_fatal)
        .handler("big", big)
        .handler("nothing", nothing)
        .redact(SECRET)
        .error_reporter(move |title: &str, message: &str| {
            sink.lock().unwrap().push((title.to_string(), message.to_string()));
        })
        .error_decorator(|mut error: Value| {
            error["decorated"] = json!(true);
            error
        })
}

pub async fn start() -> (TestServer, Reports) {
    let reports: Reports = Arc::default();
    let api = builder(&reports).build().expect("the test service builds");
    (TestServer::start(api).await, reports)
}

/// Waits (up to 10 s) until `n` reports arrived; returns them all.
pub async fn wait_reports(reports: &Reports, n: usize) -> Vec<(String, String)> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let got = reports.lock().unwrap().clone();
        if got.len() >= n || Instant::now() > deadline {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
