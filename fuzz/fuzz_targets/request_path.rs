//! The petstore's full request path, in-process, on any request.
//!
//! The reference service (`examples/petstore`) is built once, as its tests
//! build it (its `macaron.yaml`, the secrets it asks for, SQLite in a
//! scratch file), and served by the test kit's `TestServer` on a loopback
//! port in this process: the runtime has no public entry that takes a raw
//! request without a socket, and the socket is also how the protocol layer
//! (`http::wire`, actix-http's parser) is reached. Each input is a request
//! (`arbitrary`): a method from a list with odd ones, a path from the
//! petstore's templates with fuzzed segments or a raw one, a query string,
//! headers (`Content-Type`, `Authorization` with a valid token or not,
//! `Content-Length`, `Transfer-Encoding`, `Expect`, `Origin`, ... or any
//! name), a body (raw bytes, a JSON value, a `NewPet`, credentials, a
//! form), framed right or wrongly; or the raw bytes of a whole exchange.
//! It is written to the connection, and the reply read back.
//!
//! What holds for every input:
//!
//! - nothing panics outside a handler (the fuzzer's panic hook aborts);
//! - no 5xx but 503 (the database or the task queue away), except the 500
//!   of `GET /v1/crash`, whose handler panics on purpose: that one is
//!   recognised by its crash report (`PETSTORE_CRASH_LOG`) naming the
//!   handler's own panic, so a 500 anywhere else is a crash;
//! - every error reply (status >= 400, but to `HEAD`) has a JSON object as
//!   its body with `status` (the reply's status), `error` and
//!   `error_description` (gzip is undone first);
//! - a well-framed request gets a reply within 5 s; an exchange framed
//!   wrongly on purpose may be closed without one.

#![no_main]

use std::io::Read as _;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;
use tokio::runtime::Runtime;

const JWT_SECRET: &str = "fuzz-secret-for-the-petstore-0123456789abcdef";
const ALICE_PASSWORD: &str = "alice-pw-Ünïcode";
const BOB_PASSWORD: &str = "bob-password";
/// How long a well-framed request may wait for its reply.
const PATIENCE: Duration = Duration::from_secs(5);

fuzz_target!(|bytes: &[u8]| {
    let Ok(request) = Request::arbitrary_take_rest(Unstructured::new(bytes)) else { return };
    let harness = harness();
    harness.runtime.block_on(harness.check(&request));
});

/// The service, started once, and what a request can name.
struct Harness {
    runtime: Runtime,
    port: u16,
    _server: macaron::test::TestServer,
    /// A token of `test-user` (who owns `pet`), and one of `bob`.
    owner_token: String,
    other_token: String,
    /// A pet that exists.
    pet: String,
    crash_log: PathBuf,
}

fn harness() -> &'static Harness {
    static HARNESS: OnceLock<Harness> = OnceLock::new();
    HARNESS.get_or_init(start)
}

fn start() -> Harness {
    let dir = std::env::temp_dir().join(format!("macaron-fuzz-petstore-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    let crash_log = dir.join("crash.log");
    if std::env::var_os("RUST_LOG").is_none() {
        std::env::set_var("RUST_LOG", "off");
    }
    std::env::set_var(petstore::CRASH_LOG_VAR, &crash_log);
    std::env::set_var("PETSTORE_JWT_SECRET", JWT_SECRET);
    std::env::set_var("PETSTORE_ALICE_PASSWORD", ALICE_PASSWORD);
    std::env::set_var("PETSTORE_BOB_PASSWORD", BOB_PASSWORD);
    let database = format!("sqlite://{}/petstore.db", dir.display());
    std::env::set_var("DATABASE_URL", &database);
    std::env::remove_var("REDIS_URL");
    let config_path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/petstore/macaron.yaml");
    let config = macaron_config::Loader::new().path(&config_path).env(Some("dev".into())).load().expect("the petstore's configuration");
    macaron_config::install(config);
    let options = macaron::Options { env: "dev".into(), ..macaron::Options::default() };
    let api = petstore::start(options).expect("the petstore builds");
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
    let server = runtime.block_on(macaron::test::TestServer::start(api));
    let port = server.port();
    let owner_token = server.token().expect("the test token").to_string();
    let (other_token, pet) = runtime.block_on(async {
        let login = r#"{"username": "bob", "password": "bob-password"}"#;
        let reply = exchange(port, &post("/v1/login", None, login), PATIENCE).await.expect("a login reply");
        assert_eq!(reply.status, 200, "login: {}", String::from_utf8_lossy(&reply.body));
        let token: serde_json::Value = serde_json::from_slice(&reply.body).expect("a token");
        let other = token["token"].as_str().expect("a token").to_string();
        let created = post("/v1/pets", Some(&owner_token), r#"{"name": "Rex", "tag": "dog"}"#);
        let reply = exchange(port, &created, PATIENCE).await.expect("a created pet");
        assert_eq!(reply.status, 201, "create: {}", String::from_utf8_lossy(&reply.body));
        let pet: serde_json::Value = serde_json::from_slice(&reply.body).expect("a pet");
        (other, pet["id"].as_str().expect("an id").to_string())
    });
    Harness { runtime, port, _server: server, owner_token, other_token, pet, crash_log }
}

fn post(path: &str, token: Option<&str>, json: &str) -> Vec<u8> {
    let auth = token.map(|t| format!("authorization: Bearer {t}\r\n")).unwrap_or_default();
    format!(
        "POST {path} HTTP/1.1\r\nhost: localhost\r\n{auth}content-type: application/json\r\ncontent-length: {}\r\n\r\n{json}",
        json.len()
    )
    .into_bytes()
}

/// One request, as the fuzzer makes it.
#[derive(Debug, Arbitrary)]
enum Request {
    Shaped(Shaped),
    /// The bytes of a whole exchange, sent as they are (but `{owner}`,
    /// `{other}` and `{pet}`: see `Harness::fill`), the connection's write
    /// side closed after them.
    Raw(Vec<u8>),
}

#[derive(Debug, Arbitrary)]
struct Shaped {
    method: Method,
    path: PathChoice,
    query: Option<Vec<(Text, Text)>>,
    version: Version,
    auth: Auth,
    content_type: Option<ContentType>,
    accept_gzip: bool,
    headers: Vec<(HeaderName, Vec<u8>)>,
    body: Body,
    framing: Framing,
}

#[derive(Debug, Arbitrary)]
enum Method {
    Get,
    Post,
    Put,
    Delete,
    Patch,
    Head,
    Options,
    Trace,
    Connect,
    /// Lower case: methods are case-sensitive.
    LowerGet,
    Propfind,
    Other(Vec<u8>),
}

#[derive(Debug, Arbitrary)]
enum Version {
    Http11,
    Http10,
}

#[derive(Debug, Arbitrary)]
enum PathChoice {
    Template { template: u8, id: Segment, suffix: Option<Text> },
    Raw(Vec<u8>),
}

/// What fills `{pet_id}`.
#[derive(Debug, Arbitrary)]
enum Segment {
    /// The pet that exists.
    Known,
    /// A UUID no pet has.
    Unknown(u128),
    Text(Text),
}

/// A string written percent-encoded or as it is (control bytes aside).
#[derive(Debug, Arbitrary)]
struct Text {
    value: String,
    encoded: bool,
}

impl Text {
    fn render(&self) -> String {
        if self.encoded {
            percent(self.value.as_bytes())
        } else {
            self.value.chars().filter(|c| !c.is_control() && *c != ' ').collect()
        }
    }
}

fn percent(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| if b.is_ascii_alphanumeric() || b"-._~".contains(b) { (*b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

const TEMPLATES: [&str; 16] = [
    "/v1/login",
    "/v1/pets",
    "/v1/pets/{id}",
    "/v1/pets/{id}/adopt",
    "/v1/pets/{id}/notes",
    "/v1/crash",
    "/v1/warn",
    "/ping",
    "/version",
    "/auth/version",
    "/health/live",
    "/health/ready",
    "/metrics",
    "/doc/petstore",
    "/doc/petstore.yaml",
    "/doc/swagger-ui/index.css",
];

#[derive(Debug, Arbitrary)]
enum Auth {
    None,
    Owner,
    Other,
    /// A token with one byte changed.
    Tampered(u8),
    Scheme(Vec<u8>),
}

#[derive(Debug, Arbitrary)]
enum ContentType {
    Json,
    JsonCharset,
    Form,
    Multipart,
    Text,
    Other(Vec<u8>),
}

#[derive(Debug, Arbitrary)]
enum HeaderName {
    ContentType,
    ContentLength,
    TransferEncoding,
    ContentEncoding,
    Authorization,
    Expect,
    Origin,
    AccessControlRequestMethod,
    AccessControlRequestHeaders,
    XRequestId,
    XAdoptionDelayMs,
    Cookie,
    AcceptEncoding,
    Accept,
    Host,
    Traceparent,
    Other(Vec<u8>),
}

#[derive(Debug, Arbitrary)]
enum Body {
    None,
    Raw(Vec<u8>),
    Json(Json),
    NewPet { name: Option<String>, tag: Option<Option<String>>, birth_date: Option<String>, weight_kg: Option<f64> },
    Credentials { username: Option<String>, password: Option<String>, right: bool },
    Form(Vec<(String, String)>),
}

/// A JSON value of bounded depth.
#[derive(Debug, Arbitrary)]
enum Json {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    fn value(&self, depth: usize) -> serde_json::Value {
        use serde_json::Value;
        match self {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(*b),
            Json::Int(n) => Value::from(*n),
            Json::Float(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
            Json::Text(s) => Value::String(s.clone()),
            Json::Array(items) if depth < 8 => Value::Array(items.iter().map(|i| i.value(depth + 1)).collect()),
            Json::Object(members) if depth < 8 => {
                Value::Object(members.iter().map(|(k, v)| (k.clone(), v.value(depth + 1))).collect())
            }
            Json::Array(_) | Json::Object(_) => Value::Null,
        }
    }
}

/// How the body is framed.
#[derive(Debug, Arbitrary)]
enum Framing {
    /// `Content-Length` of the body (none for an empty body).
    Length,
    /// `Transfer-Encoding: chunked`, chunks of this size.
    Chunked(u8),
    /// A `Content-Length` that may be wrong.
    WrongLength(u32),
    /// A `Transfer-Encoding` that may not be chunked, the body as it is.
    WrongEncoding(Vec<u8>),
}

impl Harness {
    fn path(&self, choice: &PathChoice, query: &Option<Vec<(Text, Text)>>) -> Vec<u8> {
        let mut path = match choice {
            PathChoice::Template { template, id, suffix } => {
                let id = match id {
                    Segment::Known => self.pet.clone(),
                    Segment::Unknown(n) => format!("{:032x}", n).chars().enumerate().fold(String::new(), |mut s, (i, c)| {
                        if [8, 12, 16, 20].contains(&i) {
                            s.push('-');
                        }
                        s.push(c);
                        s
                    }),
                    Segment::Text(t) => t.render(),
                };
                let mut path = TEMPLATES[*template as usize % TEMPLATES.len()].replace("{id}", &id);
                if let Some(suffix) = suffix {
                    path.push_str(&suffix.render());
                }
                path.into_bytes()
            }
            PathChoice::Raw(raw) => raw.iter().copied().filter(|b| !b" \r\n".contains(b)).collect(),
        };
        if let Some(pairs) = query {
            path.push(b'?');
            let pairs: Vec<String> = pairs.iter().map(|(k, v)| format!("{}={}", k.render(), v.render())).collect();
            path.extend_from_slice(pairs.join("&").as_bytes());
        }
        path
    }

    /// The request's bytes, and whether it is framed as HTTP asks.
    fn render(&self, r: &Shaped) -> (Vec<u8>, bool, bool) {
        let method: &[u8] = match &r.method {
            Method::Get => b"GET",
            Method::Post => b"POST",
            Method::Put => b"PUT",
            Method::Delete => b"DELETE",
            Method::Patch => b"PATCH",
            Method::Head => b"HEAD",
            Method::Options => b"OPTIONS",
            Method::Trace => b"TRACE",
            Method::Connect => b"CONNECT",
            Method::LowerGet => b"get",
            Method::Propfind => b"PROPFIND",
            Method::Other(m) => m,
        };
        let method: Vec<u8> = method.iter().copied().filter(|b| !b" \r\n".contains(b)).collect();
        let head_request = method == b"HEAD";
        let mut out = method;
        out.push(b' ');
        out.extend(self.path(&r.path, &r.query));
        out.extend_from_slice(match r.version {
            Version::Http11 => b" HTTP/1.1\r\nhost: localhost\r\n",
            Version::Http10 => b" HTTP/1.0\r\n",
        });
        match &r.auth {
            Auth::None => {}
            Auth::Owner => header(&mut out, b"authorization", format!("Bearer {}", self.owner_token).as_bytes()),
            Auth::Other => header(&mut out, b"authorization", format!("Bearer {}", self.other_token).as_bytes()),
            Auth::Tampered(at) => {
                let mut token = self.owner_token.clone().into_bytes();
                let at = *at as usize % token.len();
                token[at] = if token[at] == b'A' { b'B' } else { b'A' };
                let mut value = b"Bearer ".to_vec();
                value.extend(token);
                header(&mut out, b"authorization", &value)
            }
            Auth::Scheme(raw) => header(&mut out, b"authorization", raw),
        }
        if let Some(ct) = &r.content_type {
            let value: &[u8] = match ct {
                ContentType::Json => b"application/json",
                ContentType::JsonCharset => b"application/json; charset=utf-8",
                ContentType::Form => b"application/x-www-form-urlencoded",
                ContentType::Multipart => b"multipart/form-data; boundary=X",
                ContentType::Text => b"text/plain",
                ContentType::Other(v) => v,
            };
            header(&mut out, b"content-type", value);
        }
        if r.accept_gzip {
            header(&mut out, b"accept-encoding", b"gzip");
        }
        let mut framed = true;
        for (name, value) in &r.headers {
            let name: &[u8] = match name {
                HeaderName::ContentType => b"Content-Type",
                HeaderName::ContentLength => b"Content-Length",
                HeaderName::TransferEncoding => b"Transfer-Encoding",
                HeaderName::ContentEncoding => b"Content-Encoding",
                HeaderName::Authorization => b"Authorization",
                HeaderName::Expect => b"Expect",
                HeaderName::Origin => b"Origin",
                HeaderName::AccessControlRequestMethod => b"Access-Control-Request-Method",
                HeaderName::AccessControlRequestHeaders => b"Access-Control-Request-Headers",
                HeaderName::XRequestId => b"X-Request-Id",
                HeaderName::XAdoptionDelayMs => b"X-Adoption-Delay-Ms",
                HeaderName::Cookie => b"Cookie",
                HeaderName::AcceptEncoding => b"Accept-Encoding",
                HeaderName::Accept => b"Accept",
                HeaderName::Host => b"Host",
                HeaderName::Traceparent => b"traceparent",
                HeaderName::Other(name) => name,
            };
            // Headers that change how the exchange is framed, or what the
            // connection becomes.
            let lower = name.to_ascii_lowercase();
            if [&b"content-length"[..], b"transfer-encoding", b"expect", b"connection", b"upgrade"].contains(&&lower[..])
                || !lower.iter().all(|b| b.is_ascii_alphanumeric() || b"-_".contains(b))
            {
                framed = false;
            }
            header(&mut out, name, value);
        }
        let body = match &r.body {
            Body::None => Vec::new(),
            Body::Raw(bytes) => bytes.clone(),
            Body::Json(json) => json.value(0).to_string().into_bytes(),
            Body::NewPet { name, tag, birth_date, weight_kg } => {
                let mut pet = serde_json::Map::new();
                if let Some(name) = name {
                    pet.insert("name".into(), name.clone().into());
                }
                if let Some(tag) = tag {
                    pet.insert("tag".into(), tag.clone().map_or(serde_json::Value::Null, Into::into));
                }
                if let Some(date) = birth_date {
                    pet.insert("birth_date".into(), date.clone().into());
                }
                if let Some(w) = weight_kg.and_then(serde_json::Number::from_f64) {
                    pet.insert("weight_kg".into(), w.into());
                }
                serde_json::Value::Object(pet).to_string().into_bytes()
            }
            Body::Credentials { username, password, right } => {
                let username = username.clone().unwrap_or_else(|| "alice".into());
                let password = password.clone().unwrap_or_else(|| if *right { ALICE_PASSWORD } else { "nope" }.into());
                serde_json::json!({"username": username, "password": password}).to_string().into_bytes()
            }
            Body::Form(pairs) => {
                let mut form = form_urlencoded(pairs);
                if form.is_empty() {
                    form = "text=hello".into();
                }
                form.into_bytes()
            }
        };
        match &r.framing {
            Framing::Length => {
                if !body.is_empty() {
                    header(&mut out, b"content-length", body.len().to_string().as_bytes());
                }
                out.extend_from_slice(b"\r\n");
                out.extend(body);
            }
            Framing::Chunked(size) => {
                header(&mut out, b"transfer-encoding", b"chunked");
                out.extend_from_slice(b"\r\n");
                for chunk in body.chunks(usize::from(*size).max(1)) {
                    out.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
                    out.extend_from_slice(chunk);
                    out.extend_from_slice(b"\r\n");
                }
                out.extend_from_slice(b"0\r\n\r\n");
            }
            Framing::WrongLength(n) => {
                framed &= *n as usize == body.len();
                header(&mut out, b"content-length", n.to_string().as_bytes());
                out.extend_from_slice(b"\r\n");
                out.extend(body);
            }
            Framing::WrongEncoding(value) => {
                framed = false;
                header(&mut out, b"transfer-encoding", value);
                out.extend_from_slice(b"\r\n");
                out.extend(body);
            }
        }
        (out, framed, head_request)
    }

    async fn check(&self, request: &Request) {
        let (bytes, framed, head_request) = match request {
            Request::Shaped(shaped) => self.render(shaped),
            Request::Raw(raw) => {
                let raw = self.fill(raw);
                let head_request = raw.starts_with(b"HEAD ");
                (raw, false, head_request)
            }
        };
        let log_before = std::fs::metadata(&self.crash_log).map_or(0, |m| m.len());
        let patience = if framed { PATIENCE } else { Duration::from_millis(500) };
        let reply = match exchange(self.port, &bytes, patience).await {
            Ok(reply) => reply,
            Err(why) if framed => panic!("no reply to a well-framed request ({why}): {:?}", String::from_utf8_lossy(&bytes)),
            // Framed wrongly on purpose: closing the connection is a fine answer.
            Err(_) => return,
        };
        let shown = || format!("{:?} -> {} {:?}", String::from_utf8_lossy(&bytes), reply.status, String::from_utf8_lossy(&reply.body));
        if reply.status >= 500 && reply.status != 503 && !(reply.status == 500 && self.crash_requested(log_before).await) {
            panic!("a server error: {}", shown());
        }
        if reply.status >= 400 && !head_request {
            let body = if reply.gzip {
                let mut out = Vec::new();
                if let Err(e) = flate2::read::GzDecoder::new(&reply.body[..]).read_to_end(&mut out) {
                    panic!("a gzip body that does not decompress ({e}): {}", shown());
                }
                out
            } else {
                reply.body.clone()
            };
            let error: serde_json::Value = match serde_json::from_slice(&body) {
                Ok(error) => error,
                Err(e) => panic!("an error reply whose body is not JSON ({e}): {}", shown()),
            };
            assert_eq!(error["status"].as_u64(), Some(u64::from(reply.status)), "the error's status: {}", shown());
            assert!(error["error"].is_string(), "the error's code: {}", shown());
            assert!(error["error_description"].is_string(), "the error's description: {}", shown());
        }
    }

    /// A raw exchange with `{owner}`, `{other}` and `{pet}` replaced by the
    /// tokens and the pet's id (so seeds can name them).
    fn fill(&self, raw: &[u8]) -> Vec<u8> {
        let mut out = raw.to_vec();
        for (name, value) in [(&b"{owner}"[..], &self.owner_token), (b"{other}", &self.other_token), (b"{pet}", &self.pet)] {
            while let Some(at) = out.windows(name.len()).position(|w| w == name) {
                out.splice(at..at + name.len(), value.bytes());
            }
        }
        out
    }

    /// Whether the crash log, from `from`, reports the panic `/v1/crash`
    /// asks for (the reporter writes on a thread of its own: waits for it).
    async fn crash_requested(&self, from: u64) -> bool {
        for _ in 0..100 {
            if let Ok(log) = std::fs::read(&self.crash_log) {
                let new = String::from_utf8_lossy(log.get(from as usize..).unwrap_or_default());
                if new.contains("panicked: crash requested") {
                    return true;
                }
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        false
    }
}

/// One header line (a value's CR and LF left out: they would end the head).
fn header(out: &mut Vec<u8>, name: &[u8], value: &[u8]) {
    out.extend_from_slice(name);
    out.extend_from_slice(b": ");
    out.extend(value.iter().copied().filter(|b| !b"\r\n".contains(b)));
    out.extend_from_slice(b"\r\n");
}

fn form_urlencoded(pairs: &[(String, String)]) -> String {
    pairs.iter().map(|(k, v)| format!("{}={}", percent(k.as_bytes()), percent(v.as_bytes()))).collect::<Vec<_>>().join("&")
}

/// A reply as read back.
struct Reply {
    status: u16,
    gzip: bool,
    body: Vec<u8>,
}

/// Writes `bytes` to a new connection and reads one final reply (a `100
/// Continue` skipped). A request that is not framed as HTTP asks has the
/// connection's write side closed after it, so that the server sees its
/// end.
async fn exchange(port: u16, bytes: &[u8], patience: Duration) -> Result<Reply, String> {
    let head_request = bytes.starts_with(b"HEAD ");
    let work = async {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).await.map_err(|e| format!("connect: {e}"))?;
        // The server may answer (and close) before it reads everything.
        let _ = stream.write_all(bytes).await;
        if patience < PATIENCE {
            let _ = stream.shutdown().await;
        }
        let mut buf = Vec::new();
        let mut chunk = [0u8; 8192];
        loop {
            if let Some(reply) = parse(&mut buf, head_request)? {
                return Ok(reply);
            }
            let n = stream.read(&mut chunk).await.map_err(|e| format!("read: {e}"))?;
            if n == 0 {
                return match parse_at_end(&buf, head_request)? {
                    Some(reply) => Ok(reply),
                    None => Err(format!("closed after {} bytes", buf.len())),
                };
            }
            buf.extend_from_slice(&chunk[..n]);
        }
    };
    match tokio::time::timeout(patience, work).await {
        Ok(result) => result,
        Err(_) => Err(format!("no reply in {patience:?}")),
    }
}

/// A head parsed: status, head length, content length, chunked, gzip.
struct Head {
    status: u16,
    len: usize,
    length: Option<usize>,
    chunked: bool,
    gzip: bool,
}

fn head(buf: &[u8]) -> Result<Option<Head>, String> {
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut response = httparse::Response::new(&mut headers);
    let len = match response.parse(buf) {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(e) => return Err(format!("a reply that does not parse: {e}: {:?}", String::from_utf8_lossy(buf))),
    };
    let status = response.code.unwrap_or(0);
    let value = |name: &str| {
        response.headers.iter().find(|h| h.name.eq_ignore_ascii_case(name)).map(|h| String::from_utf8_lossy(h.value).to_string())
    };
    Ok(Some(Head {
        status,
        len,
        length: value("content-length").and_then(|v| v.trim().parse().ok()),
        chunked: value("transfer-encoding").is_some_and(|v| v.to_ascii_lowercase().contains("chunked")),
        gzip: value("content-encoding").is_some_and(|v| v.contains("gzip")),
    }))
}

/// One final reply, when `buf` holds all of it.
fn parse(buf: &mut Vec<u8>, head_request: bool) -> Result<Option<Reply>, String> {
    loop {
        let Some(h) = head(buf)? else { return Ok(None) };
        if (100..200).contains(&h.status) {
            buf.drain(..h.len);
            continue;
        }
        let rest = &buf[h.len..];
        if head_request || h.status == 204 || h.status == 304 {
            return Ok(Some(Reply { status: h.status, gzip: h.gzip, body: Vec::new() }));
        }
        if h.chunked {
            return Ok(dechunk(rest).map(|body| Reply { status: h.status, gzip: h.gzip, body }));
        }
        return Ok(match h.length {
            Some(n) if rest.len() >= n => Some(Reply { status: h.status, gzip: h.gzip, body: rest[..n].to_vec() }),
            Some(_) => None,
            // Until the connection closes.
            None => None,
        });
    }
}

/// The reply, once the connection is closed (a body read to the end).
fn parse_at_end(buf: &[u8], head_request: bool) -> Result<Option<Reply>, String> {
    let mut buf = buf.to_vec();
    if let Some(reply) = parse(&mut buf, head_request)? {
        return Ok(Some(reply));
    }
    Ok(match head(&buf)? {
        Some(h) if h.length.is_none() && !h.chunked => {
            Some(Reply { status: h.status, gzip: h.gzip, body: buf[h.len..].to_vec() })
        }
        _ => None,
    })
}

/// A chunked body, when all of it is there.
fn dechunk(mut rest: &[u8]) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let line = rest.windows(2).position(|w| w == b"\r\n")?;
        let size = usize::from_str_radix(std::str::from_utf8(&rest[..line]).ok()?.split(';').next()?.trim(), 16).ok()?;
        rest = &rest[line + 2..];
        if size == 0 {
            return Some(body);
        }
        if rest.len() < size + 2 {
            return None;
        }
        body.extend_from_slice(&rest[..size]);
        rest = &rest[size + 2..];
    }
}
