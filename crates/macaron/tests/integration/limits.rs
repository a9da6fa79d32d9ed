//! The server's limits, tried over raw TCP as a slow, careless or hostile
//! caller would: every refusal is the JSON error object, with the
//! security headers, and a held connection is let go.

use std::time::Duration;

use macaron::test::TestServer;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::common;

/// The test service with these configuration keys.
async fn start(config: &str) -> TestServer {
    let config = macaron_config::Loader::new().load_str("macaron.yaml", config).unwrap();
    let api = common::builder(&common::Reports::default()).config(config).build().unwrap();
    TestServer::start(api).await
}

/// A reply read off the wire: status, headers (names lowercase), body.
struct Raw {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Raw {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// Asserts the JSON error object of `status` and `code`, with the
    /// headers every error reply carries; returns it.
    fn error(&self, status: u16, code: &str) -> Value {
        assert_eq!(self.status, status, "{}", self.body);
        let body: Value = serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {:?}", self.body));
        assert_eq!(body["status"], status, "{body}");
        assert_eq!(body["error"], code, "{body}");
        assert!(body["error_description"].as_str().is_some_and(|d| !d.is_empty()), "{body}");
        // The service's decorator applies to every error object.
        assert_eq!(body["decorated"], true, "{body}");
        assert_eq!(self.header("content-type"), Some("application/json"));
        assert_eq!(self.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(self.header("cache-control"), Some("no-store"));
        assert!(self.header("x-request-id").is_some_and(|id| !id.is_empty()));
        body
    }
}

/// Sends `bytes`, then reads until the server closes the connection (or
/// `wait` passes: then the test fails).
async fn exchange(port: u16, bytes: &[u8], wait: Duration) -> Raw {
    let mut conn = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    conn.write_all(bytes).await.unwrap();
    read_reply(&mut conn, wait).await
}

async fn read_reply(conn: &mut TcpStream, wait: Duration) -> Raw {
    let mut got = Vec::new();
    let read = tokio::time::timeout(wait, conn.read_to_end(&mut got)).await;
    assert!(read.is_ok(), "the connection is still open after {wait:?}; got {:?}", String::from_utf8_lossy(&got));
    parse(&got)
}

fn parse(got: &[u8]) -> Raw {
    let text = String::from_utf8_lossy(got).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or_else(|| panic!("no reply head in {text:?}"));
    let mut lines = head.split("\r\n");
    let status = lines.next().unwrap()[9..12].parse().unwrap();
    let headers = lines
        .map(|l| l.split_once(':').unwrap())
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Raw { status, headers, body: body.to_string() }
}

#[tokio::test]
async fn a_stalled_body_gets_408_and_its_connection_is_closed() {
    let s = start("body_timeout: 1s").await;
    let head = "POST /v1/items HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"";
    let r = exchange(s.port(), head.as_bytes(), Duration::from_secs(10)).await;
    let e = r.error(408, "REQUEST_TIMEOUT");
    assert!(e["error_description"].as_str().unwrap().contains("body was not received within 1 s"), "{e}");
}

#[tokio::test]
async fn a_slow_head_gets_408_as_json() {
    let s = start("header_timeout: 1s").await;
    let r = exchange(s.port(), b"GET /v1/items/1 HTTP/1.1\r\nHost: x\r\n", Duration::from_secs(10)).await;
    let e = r.error(408, "REQUEST_TIMEOUT");
    assert!(e["error_description"].as_str().unwrap().contains("head was not received within 1 s"), "{e}");
}

#[tokio::test]
async fn malformed_http_gets_400_as_json() {
    let s = start("name: shop").await;
    for garbage in [
        &b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not http\r\n\r\n"[..],
        b"GET /v1/items/1 HTTP/1.1\r\nHost: x\r\nBad Header Name: 1\r\n\r\n",
        b"GET /v1/items/1 HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello",
    ] {
        let r = exchange(s.port(), garbage, Duration::from_secs(10)).await;
        let e = r.error(400, "BAD_REQUEST");
        assert!(e["error_description"].as_str().unwrap().contains("not well-formed HTTP/1.1"), "{e}");
    }
    // A body cut short: the pipeline's own 400.
    let cut = b"POST /v1/items HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n";
    let r = exchange(s.port(), cut, Duration::from_secs(10)).await;
    let e = r.error(400, "BAD_REQUEST");
    assert!(e["error_description"].as_str().unwrap().starts_with("the request body"), "{e}");
    // The service still serves.
    let r = exchange(
        s.port(),
        b"GET /v1/items/1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        Duration::from_secs(10),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
}

#[tokio::test]
async fn a_head_over_either_limit_gets_431_as_json() {
    let s = start("header_limit: 8KiB").await;
    // Over the configured limit: refused by the pipeline.
    let big =
        format!("GET /v1/items/1 HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\nConnection: close\r\n\r\n", "a".repeat(9000));
    let r = exchange(s.port(), big.as_bytes(), Duration::from_secs(10)).await;
    let e = r.error(431, "REQUEST_HEADER_FIELDS_TOO_LARGE");
    assert!(e["error_description"].as_str().unwrap().contains("over the limit of 8192 bytes"), "{e}");
    // Over the protocol layer's buffer, and too many headers: refused there.
    let huge = format!("GET /v1/items/1 HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n", "a".repeat(200 * 1024));
    let r = exchange(s.port(), huge.as_bytes(), Duration::from_secs(10)).await;
    r.error(431, "REQUEST_HEADER_FIELDS_TOO_LARGE");
    let many: String = (0..120).map(|i| format!("X-H{i}: {i}\r\n")).collect();
    let r =
        exchange(s.port(), format!("GET /v1/items/1 HTTP/1.1\r\n{many}\r\n").as_bytes(), Duration::from_secs(10)).await;
    r.error(431, "REQUEST_HEADER_FIELDS_TOO_LARGE");
}

#[tokio::test]
async fn an_idle_connection_is_closed_after_keep_alive() {
    let s = start("keep_alive: 1s").await;
    let mut conn = TcpStream::connect(("127.0.0.1", s.port())).await.unwrap();
    conn.write_all(b"GET /v1/items/1 HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
    // The reply, then the close: read_to_end returns once the server closes.
    let r = read_reply(&mut conn, Duration::from_secs(10)).await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("widget"), "{}", r.body);
}

#[tokio::test]
async fn connections_over_the_limit_wait_for_a_free_one() {
    let s = start("connections_per_worker: 2\nheader_timeout: 30s").await;
    let held: Vec<TcpStream> = vec![
        TcpStream::connect(("127.0.0.1", s.port())).await.unwrap(),
        TcpStream::connect(("127.0.0.1", s.port())).await.unwrap(),
    ];
    // Let the worker take both before the third arrives.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut third = TcpStream::connect(("127.0.0.1", s.port())).await.unwrap();
    third.write_all(b"GET /v1/items/1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await.unwrap();
    let mut first = [0u8; 1];
    let early = tokio::time::timeout(Duration::from_millis(500), third.read(&mut first)).await;
    assert!(early.is_err(), "served while two connections were held");
    drop(held);
    let r = read_reply(&mut third, Duration::from_secs(10)).await;
    assert_eq!(r.status, 200, "{}", r.body);
}

#[tokio::test]
async fn cors_is_off_unless_configured() {
    let s = start("name: shop").await;
    let r = s
        .call("OPTIONS", "/v1/items/1")
        .header("Origin", "https://evil.example")
        .header("Access-Control-Request-Method", "DELETE")
        .send()
        .await;
    assert_eq!(r.header("access-control-allow-origin"), None);
    assert_eq!(r.header("access-control-allow-methods"), None);
    let r = s.call("GET", "/v1/items/1").header("Origin", "https://evil.example").send().await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("access-control-allow-origin"), None);
    assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
}

#[test]
fn a_bad_limit_stops_the_start_naming_the_key() {
    let config = macaron_config::Loader::new().load_str("macaron.yaml", "body_timeout: 0s").unwrap();
    let e = common::builder(&common::Reports::default()).config(config).build().unwrap_err();
    assert!(e.error_description.contains("key `body_timeout`: must be more than zero"), "{}", e.error_description);
}
