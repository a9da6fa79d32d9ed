//! An OpenTelemetry collector for tests: receives OTLP traces over HTTP
//! (protobuf, `POST /v1/traces`) and gRPC on 127.0.0.1, decodes them with
//! `opentelemetry-proto`, and keeps every span for the test to read.
//!
//! ```
//! let receiver = macaron_dev::otlp::Receiver::start();
//! assert!(receiver.http_url().starts_with("http://127.0.0.1:"));
//! assert!(receiver.spans().is_empty());
//! ```

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::{TraceService, TraceServiceServer};
use opentelemetry_proto::tonic::collector::trace::v1::{ExportTraceServiceRequest, ExportTraceServiceResponse};
use opentelemetry_proto::tonic::common::v1::any_value::Value as AnyValue;
use opentelemetry_proto::tonic::common::v1::KeyValue;
use prost::Message;

/// One span as received.
#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    /// The `service.name` of the resource that sent it.
    pub service: String,
    /// 32 hex digits.
    pub trace_id: String,
    /// 16 hex digits.
    pub span_id: String,
    /// The parent's span id (empty for a root span).
    pub parent_span_id: String,
    /// The span's name.
    pub name: String,
    /// `server`, `client`, `internal`, `producer` or `consumer`.
    pub kind: String,
    /// Every attribute, its value as text.
    pub attributes: BTreeMap<String, String>,
    /// `ok`, `error` or `unset`.
    pub status: String,
    /// How the span was sent: `http` or `grpc`.
    pub via: &'static str,
    /// When it started and ended (Unix nanoseconds).
    pub start: u64,
    /// When it ended (Unix nanoseconds).
    pub end: u64,
}

/// A trace as a waterfall: one line per span, children under their
/// parent, a bar for when it ran.
///
/// ```
/// use macaron_dev::otlp::{picture, Span};
/// let span = |id: &str, parent: &str, name: &str, start, end| Span {
///     service: "pets".into(), trace_id: "t".into(), span_id: id.into(), parent_span_id: parent.into(),
///     name: name.into(), kind: "server".into(), attributes: Default::default(), status: "unset".into(),
///     via: "http", start, end,
/// };
/// let text = picture(&[span("a", "", "getPet", 0, 2_000_000), span("b", "a", "db.find", 500_000, 1_500_000)]);
/// assert!(text.contains("pets  getPet"), "{text}");
/// assert!(text.contains("pets    db.find"), "{text}");
/// ```
pub fn picture(spans: &[Span]) -> String {
    const WIDTH: usize = 40;
    let (Some(first), Some(last)) = (spans.iter().map(|s| s.start).min(), spans.iter().map(|s| s.end).max()) else {
        return String::new();
    };
    let total = (last - first).max(1) as f64;
    let mut lines = Vec::new();
    let ids: Vec<&str> = spans.iter().map(|s| s.span_id.as_str()).collect();
    let mut roots: Vec<&Span> = spans.iter().filter(|s| !ids.contains(&s.parent_span_id.as_str())).collect();
    roots.sort_by_key(|s| s.start);
    fn walk<'a>(span: &'a Span, depth: usize, spans: &'a [Span], out: &mut Vec<(usize, &'a Span)>) {
        out.push((depth, span));
        let mut children: Vec<&Span> = spans.iter().filter(|s| s.parent_span_id == span.span_id).collect();
        children.sort_by_key(|s| s.start);
        for child in children {
            walk(child, depth + 1, spans, out);
        }
    }
    let mut ordered = Vec::new();
    for root in roots {
        walk(root, 0, spans, &mut ordered);
    }
    let label = |depth: usize, s: &Span| format!("{}  {}{} ({})", s.service, "  ".repeat(depth), s.name, s.kind);
    let width = ordered.iter().map(|(d, s)| label(*d, s).len()).max().unwrap_or(0);
    for (depth, s) in ordered {
        let from = (((s.start - first) as f64 / total) * WIDTH as f64) as usize;
        let to = ((((s.end - first) as f64 / total) * WIDTH as f64).ceil() as usize).clamp(from + 1, WIDTH);
        let bar: String = (0..WIDTH).map(|i| if i >= from && i < to { '█' } else { ' ' }).collect();
        let ms = (s.end.saturating_sub(s.start)) as f64 / 1e6;
        lines.push(format!("{:<width$} |{bar}| {ms:.1} ms", label(depth, s)));
    }
    lines.join("\n")
}

type Store = Arc<Mutex<Vec<Span>>>;

/// A running receiver; it stops when dropped.
pub struct Receiver {
    spans: Store,
    http: u16,
    grpc: u16,
    _runtime: tokio::runtime::Runtime,
}

impl Receiver {
    /// Starts both listeners on free ports.
    ///
    /// # Panics
    ///
    /// When no port can be bound (a test fails then).
    #[allow(clippy::expect_used)]
    pub fn start() -> Receiver {
        let spans: Store = Arc::default();
        let http = TcpListener::bind("127.0.0.1:0").expect("a port for OTLP/HTTP");
        let http_port = http.local_addr().expect("its address").port();
        let store = spans.clone();
        std::thread::spawn(move || {
            for stream in http.incoming().map_while(Result::ok) {
                let store = store.clone();
                std::thread::spawn(move || serve_http(stream, &store));
            }
        });
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("a runtime for OTLP/gRPC");
        let grpc = std::net::TcpListener::bind("127.0.0.1:0").expect("a port for OTLP/gRPC");
        let grpc_port = grpc.local_addr().expect("its address").port();
        grpc.set_nonblocking(true).expect("non-blocking");
        let service = TraceServiceServer::new(Grpc(spans.clone()));
        runtime.spawn(async move {
            let Ok(listener) = tokio::net::TcpListener::from_std(grpc) else { return };
            let _ =
                tonic::transport::Server::builder().add_service(service).serve_with_incoming(Accepting(listener)).await;
        });
        Receiver { spans, http: http_port, grpc: grpc_port, _runtime: runtime }
    }

    /// Where to send OTLP/HTTP (`OTEL_EXPORTER_OTLP_ENDPOINT`).
    pub fn http_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.http)
    }

    /// Where to send OTLP/gRPC (`OTEL_EXPORTER_OTLP_ENDPOINT` with `OTEL_EXPORTER_OTLP_PROTOCOL=grpc`).
    pub fn grpc_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.grpc)
    }

    /// Every span received so far.
    pub fn spans(&self) -> Vec<Span> {
        self.spans.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The spans received once `done` holds of them, or all of them after
    /// `timeout`.
    pub fn wait_for(&self, timeout: Duration, done: impl Fn(&[Span]) -> bool) -> Vec<Span> {
        let deadline = Instant::now() + timeout;
        loop {
            let spans = self.spans();
            if done(&spans) || Instant::now() > deadline {
                return spans;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// The connections a listener accepts, as the stream tonic serves.
struct Accepting(tokio::net::TcpListener);

impl tonic::codegen::tokio_stream::Stream for Accepting {
    type Item = std::io::Result<tokio::net::TcpStream>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.0.poll_accept(cx).map(|accepted| Some(accepted.map(|(stream, _)| stream)))
    }
}

struct Grpc(Store);

#[tonic::async_trait]
impl TraceService for Grpc {
    async fn export(
        &self,
        request: tonic::Request<ExportTraceServiceRequest>,
    ) -> Result<tonic::Response<ExportTraceServiceResponse>, tonic::Status> {
        keep(&self.0, request.into_inner(), "grpc");
        Ok(tonic::Response::new(ExportTraceServiceResponse { partial_success: None }))
    }
}

/// Serves OTLP/HTTP requests on one connection (keep-alive).
fn serve_http(stream: TcpStream, store: &Store) {
    let Ok(mut out) = stream.try_clone() else { return };
    let mut reader = BufReader::new(stream);
    loop {
        let mut length = 0usize;
        let mut line = String::new();
        if reader.read_line(&mut line).ok().is_none_or(|n| n == 0) {
            return;
        }
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).ok().is_none_or(|n| n == 0) {
                return;
            }
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().unwrap_or(0);
                }
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let status = match ExportTraceServiceRequest::decode(body.as_slice()) {
            Ok(request) if line.starts_with("POST /v1/traces ") => {
                keep(store, request, "http");
                "200 OK"
            }
            _ => "400 Bad Request",
        };
        let reply = format!("HTTP/1.1 {status}\r\nContent-Type: application/x-protobuf\r\nContent-Length: 0\r\n\r\n");
        if out.write_all(reply.as_bytes()).is_err() {
            return;
        }
    }
}

fn text(value: Option<&AnyValue>) -> String {
    match value {
        Some(AnyValue::StringValue(s)) => s.clone(),
        Some(AnyValue::IntValue(i)) => i.to_string(),
        Some(AnyValue::DoubleValue(d)) => d.to_string(),
        Some(AnyValue::BoolValue(b)) => b.to_string(),
        Some(other) => format!("{other:?}"),
        None => String::new(),
    }
}

fn attributes(list: &[KeyValue]) -> BTreeMap<String, String> {
    list.iter().map(|kv| (kv.key.clone(), text(kv.value.as_ref().and_then(|v| v.value.as_ref())))).collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn keep(store: &Store, request: ExportTraceServiceRequest, via: &'static str) {
    let mut kept = store.lock().unwrap_or_else(|e| e.into_inner());
    for resource in request.resource_spans {
        let service = resource
            .resource
            .as_ref()
            .map(|r| attributes(&r.attributes))
            .and_then(|a| a.get("service.name").cloned())
            .unwrap_or_default();
        for scope in resource.scope_spans {
            for span in scope.spans {
                let kind = match span.kind {
                    2 => "server",
                    3 => "client",
                    4 => "producer",
                    5 => "consumer",
                    _ => "internal",
                };
                let status = match span.status.as_ref().map(|s| s.code) {
                    Some(1) => "ok",
                    Some(2) => "error",
                    _ => "unset",
                };
                kept.push(Span {
                    service: service.clone(),
                    trace_id: hex(&span.trace_id),
                    span_id: hex(&span.span_id),
                    parent_span_id: hex(&span.parent_span_id),
                    name: span.name.clone(),
                    kind: kind.to_string(),
                    attributes: attributes(&span.attributes),
                    status: status.to_string(),
                    via,
                    start: span.start_time_unix_nano,
                    end: span.end_time_unix_nano,
                });
            }
        }
    }
}
