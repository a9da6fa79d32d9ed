//! A vendor's document in `apis/clients/` becomes a client-only module:
//! types and a `Client` (its odd names made Rust), no server bindings;
//! it calls the service it describes, and forwards the caller's token and
//! request id only when asked.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use clients::apis::clients::mirror::{Client, ColorValue};
use macaron::test::TestServer;

/// The code `build.rs` generated.
const GENERATED: &str = include_str!(concat!(env!("OUT_DIR"), "/macaron_apis.rs"));

#[test]
fn a_client_module_has_no_bindings() {
    let start = GENERATED.find("pub mod clients {").expect("apis::clients");
    let (service, clients) = GENERATED.split_at(start);
    assert!(clients.contains("pub mod mirror {") && clients.contains("pub struct Client {"));
    for server_only in ["pub fn bind(", "SPEC", "fn op_", "x_bind_server", ".bound_handler("] {
        assert!(!clients.contains(server_only), "`{server_only}` in apis::clients");
        assert!(service.contains(server_only), "`{server_only}` missing from apis::styles");
    }
    // `apis::all()` binds the service's own API only.
    let all = &clients[clients.find("pub fn all()").unwrap()..];
    assert!(all.contains("styles::bind(builder)") && !all.contains("mirror"), "{all}");
}

#[tokio::test]
async fn the_vendor_client_calls_the_api_it_describes() {
    let server = TestServer::start(clients::start(macaron::Options::default()).unwrap()).await;
    let mirror = Client::new(server.url());
    // operationId `new`: the client's own `new` keeps its name.
    let colors = vec!["c d".to_string(), "é/f&g".to_string()];
    assert_eq!(mirror.new2(Some(colors.clone())).await.unwrap(), colors);
    // operationId `Get-Deep object`, schema `color.value`.
    let color = ColorValue { r: Some("1 & 2".into()), g: None, b: Some("[b]".into()) };
    assert_eq!(mirror.get_deep_object(Some(color.clone())).await.unwrap(), color);
    // operationId `type`.
    assert_eq!(mirror.type_(colors.clone()).await.unwrap(), colors);
    // operationId `self`, one name in three locations, `tags[]` and `a.b`.
    let odd = mirror.self_("p".into(), "q".into(), Some(vec!["t".into()]), Some(7), "h".into()).await.unwrap();
    assert_eq!(odd["path_id"], "p");
    assert_eq!((odd["query_id"].as_str(), odd["header_id"].as_str()), (Some("q"), Some("h")));
    assert_eq!((odd["tags"][0].as_str(), odd["a_b"].as_i64()), (Some("t"), Some(7)));
    // The service's errors come back as macaron::Error, status and code:
    // an empty matrix array leaves the path's last segment empty.
    let err = mirror.type_(Vec::new()).await.unwrap_err();
    assert_eq!((err.status, err.code.as_ref()), (404, "NOT_FOUND"));
}

/// A server that answers `["ok"]` to anything, keeping each request's head.
fn recorder() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let heads = Arc::new(Mutex::new(Vec::new()));
    let seen = heads.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream);
            let mut head = String::new();
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                head.push_str(&line.to_ascii_lowercase());
            }
            seen.lock().unwrap().push(head);
            let reply = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 6\r\nConnection: close\r\n\r\n[\"ok\"]";
            let _ = reader.into_inner().write_all(reply.as_bytes());
        }
    });
    (url, heads)
}

#[tokio::test]
async fn the_token_and_request_id_are_forwarded_when_asked() {
    let (url, heads) = recorder();
    std::env::set_var("MIRROR_URL", &url);
    let server = TestServer::start(clients::start(macaron::Options::default()).unwrap()).await;
    for forward in [true, false] {
        let reply = server
            .call(macaron::test::Method::GET, &format!("/relay/ada?forward={forward}"))
            .header("X-Request-Id", "relay-test-1")
            .header("Authorization", "Bearer caller-token")
            .send()
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text());
        let head = heads.lock().unwrap().pop().unwrap();
        assert!(head.starts_with("get /path/matrix/true/array/;color=ada http/1.1\r\n"), "{head}");
        assert_eq!(head.contains("x-request-id: relay-test-1\r\n"), forward, "{head}");
        assert_eq!(head.contains("authorization: bearer caller-token\r\n"), forward, "{head}");
    }
}
