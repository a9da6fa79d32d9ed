//! Request validation through real HTTP: every location, every keyword
//! family, every body media type.

use crate::common;

use macaron::test::TestServer;
use serde_json::{json, Value};

async fn bad(s: &TestServer, method: &str, path: &str, body: Option<Value>) -> String {
    let e = s.assert_call_error(method, path, body, 400, "INVALID_PARAMETER").await;
    e["error_description"].as_str().unwrap_or_default().to_string()
}

const Q: &str = "/v1/search?required_one=x";

#[tokio::test]
async fn path_parameters_are_typed_and_checked() {
    let (s, _) = common::start().await;
    assert_eq!(s.assert_call_json("GET", "/v1/items/1", None, 200).await["name"], "widget");
    let d = bad(&s, "GET", "/v1/items/abc", None).await;
    assert_eq!(d, r#"path parameter 'id': "abc" is not of type "integer""#);
    let d = bad(&s, "GET", "/v1/items/0", None).await;
    assert_eq!(d, "path parameter 'id': 0 is less than the minimum of 1");
    let d = bad(&s, "GET", "/v1/items/3000000000", None).await;
    assert!(d.contains("greater than the maximum of 2147483647"), "{d}");
    s.assert_call_error("GET", "/v1/items/2", None, 404, "ITEM_NOT_FOUND").await;
}

#[tokio::test]
async fn path_styles_and_mixed_segments() {
    let (s, _) = common::start().await;
    let p = s.assert_call_json("GET", "/v1/styles/1,2/.a,b/;matrix=3;matrix=4", None, 200).await;
    assert_eq!(p, json!({"simple": [1, 2], "label": ["a", "b"], "matrix": [3, 4]}));
    let p = s.assert_call_json("GET", "/v1/Calls/CA%2042.json", None, 200).await;
    assert_eq!(p, json!({"Sid": "CA 42"}));
    // The literal route wins over the parameter, whatever the document order.
    assert_eq!(s.assert_call_json("GET", "/v1/Calls/latest.json", None, 200).await, json!({"latest": true}));
}

#[tokio::test]
async fn query_parameters_by_style() {
    let (s, _) = common::start().await;
    let path = format!(
        "{Q}&limit=10&tags=a&tags=b&ids=1|2&words=x%20y&csv=1.5,2&filter[color]=red&filter[size]=3&flag=true&q=abc\
         &day=2024-02-29&at=2024-01-01T10:00:00Z"
    );
    let r = s.assert_call_json("GET", &path, None, 200).await;
    assert_eq!(
        r["query"],
        json!({
            "limit": 10, "tags": ["a", "b"], "ids": [1, 2], "words": ["x", "y"], "csv": [1.5, 2],
            "filter": {"color": "red", "size": 3}, "q": "abc", "day": "2024-02-29",
            "at": "2024-01-01T10:00:00Z", "flag": true, "required_one": "x"
        })
    );
}

#[tokio::test]
async fn query_parameters_are_validated() {
    let (s, _) = common::start().await;
    let d = bad(&s, "GET", "/v1/search", None).await;
    assert_eq!(d, "query parameter 'required_one' is required");
    let d = bad(&s, "GET", &format!("{Q}&limit=500"), None).await;
    assert_eq!(d, "query parameter 'limit': 500 is greater than the maximum of 100");
    let d = bad(&s, "GET", &format!("{Q}&limit=ten"), None).await;
    assert!(d.starts_with("query parameter 'limit': \"ten\" is not of type \"integer\""), "{d}");
    let d = bad(&s, "GET", &format!("{Q}&flag=maybe"), None).await;
    assert!(d.starts_with("query parameter 'flag'"), "{d}");
    let d = bad(&s, "GET", &format!("{Q}&q=ABC"), None).await;
    assert!(d.starts_with("query parameter 'q'") && d.contains("does not match"), "{d}");
    let d = bad(&s, "GET", &format!("{Q}&filter[color]=green"), None).await;
    assert!(d.starts_with("query parameter 'filter' /color") && d.contains("is not one of"), "{d}");
    let d = bad(&s, "GET", &format!("{Q}&filter[shape]=round"), None).await;
    assert!(d.starts_with("query parameter 'filter'") && d.contains("'shape' was unexpected"), "{d}");
    let d = bad(&s, "GET", &format!("{Q}&ids=1|x"), None).await;
    assert!(d.starts_with("query parameter 'ids' /1"), "{d}");
    let d = bad(&s, "GET", &format!("{Q}&day=2024-02-30"), None).await;
    assert!(d.starts_with("query parameter 'day'") && d.contains("date"), "{d}");
    let d = bad(&s, "GET", &format!("{Q}&at=yesterday"), None).await;
    assert!(d.starts_with("query parameter 'at'") && d.contains("date-time"), "{d}");
}

#[tokio::test]
async fn headers_and_cookies() {
    let (s, _) = common::start().await;
    let id = "0b5b3c4e-2f0e-4f8e-9a3c-4b8e2c1d0a11";
    let r = s
        .call("GET", Q)
        .header("X-Trace-Id", id)
        .header("X-Ratio", "0.5")
        .header("Cookie", "session=abcd")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["headers"], json!({"X-Trace-Id": id, "X-Ratio": 0.5}));
    assert_eq!(r.json()["cookies"], json!({"session": "abcd"}));
    let r = s.call("GET", Q).header("X-Trace-Id", "not-a-uuid").send().await;
    assert_eq!(r.status, 400);
    let d = r.json()["error_description"].as_str().unwrap().to_string();
    assert!(d.starts_with("header parameter 'X-Trace-Id'") && d.contains("uuid"), "{d}");
    let r = s.call("GET", Q).header("X-Ratio", "2").send().await;
    assert_eq!(r.json()["error_description"], "header parameter 'X-Ratio': 2 is greater than the maximum of 1");
    let r = s.call("GET", Q).header("Cookie", "session=ab").send().await;
    assert_eq!(r.status, 400);
    assert!(r.json()["error_description"].as_str().unwrap().starts_with("cookie parameter 'session'"));
}

#[tokio::test]
async fn json_bodies() {
    let (s, _) = common::start().await;
    let item = json!({"name": "widget", "price": 12.5, "tags": ["a"], "owner": "a@b.co",
        "ref": "0b5b3c4e-2f0e-4f8e-9a3c-4b8e2c1d0a11", "note": null});
    let created = s.assert_call_json("POST", "/v1/items", Some(item.clone()), 201).await;
    assert_eq!(created["id"], 7);
    assert_eq!(created["note"], Value::Null);

    let with = |k: &str, v: Value| {
        let mut i = item.clone();
        i[k] = v;
        Some(i)
    };
    assert_eq!(
        bad(&s, "POST", "/v1/items", with("price", json!(-1))).await,
        "body /price: -1 is less than the minimum of 0"
    );
    assert_eq!(
        bad(&s, "POST", "/v1/items", with("price", json!("cheap"))).await,
        r#"body /price: "cheap" is not of type "number""#
    );
    assert!(bad(&s, "POST", "/v1/items", with("name", json!(""))).await.starts_with("body /name:"));
    assert!(bad(&s, "POST", "/v1/items", with("tags", json!(["a", "b", "c", "d"]))).await.starts_with("body /tags:"));
    assert!(bad(&s, "POST", "/v1/items", with("owner", json!("nope"))).await.starts_with("body /owner:"));
    assert!(bad(&s, "POST", "/v1/items", with("ref", json!("nope"))).await.starts_with("body /ref:"));
    assert!(bad(&s, "POST", "/v1/items", with("note", json!(3))).await.starts_with("body /note:"));
    assert!(bad(&s, "POST", "/v1/items", with("count", json!(1u64 << 40))).await.starts_with("body /count:"));
    let d = bad(&s, "POST", "/v1/items", with("extra", json!(1))).await;
    assert!(d.starts_with("body:") && d.contains("'extra' was unexpected"), "{d}");
    let d = bad(&s, "POST", "/v1/items", Some(json!({"name": "x"}))).await;
    assert_eq!(d, r#"body: "price" is a required property"#);

    let r = s.call("POST", "/v1/items").body("application/json", "{\"name\": ").send().await;
    assert_eq!((r.status, r.json()["error"].clone()), (400, json!("INVALID_PARAMETER")));
    assert!(r.json()["error_description"].as_str().unwrap().starts_with("body: malformed JSON"));
    let r = s.call("POST", "/v1/items").send().await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error_description"], "body: a request body is required");
}

#[tokio::test]
async fn form_bodies_are_coerced() {
    let (s, _) = common::start().await;
    let ct = "application/x-www-form-urlencoded";
    let r = s.call("POST", "/v1/forms").body(ct, "qty=3&name=a+b&tags=x&tags=y").send().await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json(), json!({"qty": 3, "name": "a b", "tags": ["x", "y"]}));
    let r = s.call("POST", "/v1/forms").body(ct, "qty=0").send().await;
    assert_eq!(r.json()["error_description"], "body /qty: 0 is less than the minimum of 1");
    let r = s.call("POST", "/v1/forms").body(ct, "name=x").send().await;
    assert_eq!(r.json()["error_description"], r#"body: "qty" is a required property"#);
}

fn multipart(parts: &[(&str, Option<&str>, &str)]) -> (String, String) {
    let boundary = "XyZmacaronBoundary";
    let mut body = String::new();
    for (name, filename, content) in parts {
        body.push_str(&format!("--{boundary}\r\n"));
        match filename {
            Some(f) => body.push_str(&format!(
                "Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: text/plain\r\n\r\n"
            )),
            None => body.push_str(&format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n")),
        }
        body.push_str(content);
        body.push_str("\r\n");
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test]
async fn multipart_bodies() {
    let (s, _) = common::start().await;
    let (ct, body) = multipart(&[("title", None, "report"), ("copies", None, "2"), ("file", Some("a.txt"), "hello")]);
    let r = s.call("POST", "/v1/upload").body(&ct, body).send().await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json(), json!({"fields": {"title": "report", "copies": 2}, "file": {"filename": "a.txt", "size": 5}}));
    let (ct, body) = multipart(&[("title", None, "far too long a title")]);
    let r = s.call("POST", "/v1/upload").body(&ct, body).send().await;
    assert_eq!(r.status, 400);
    assert!(r.json()["error_description"].as_str().unwrap().starts_with("body"), "{}", r.text());
}
