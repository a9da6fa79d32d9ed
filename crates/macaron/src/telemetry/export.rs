//! The span exporter the settings ask for: OTLP over HTTP (protobuf or
//! JSON) through the runtime's own `reqwest` client, or over gRPC (tonic).
//! Both run their network work on a small Tokio runtime of their own, so
//! the SDK's batch thread can export while the service's workers serve.

use std::collections::HashMap;

use async_trait::async_trait;
use opentelemetry_http::{Bytes, HttpError, Request, Response};
use opentelemetry_otlp::{SpanExporter, WithExportConfig, WithHttpConfig, WithTonicConfig};

use super::settings::{Protocol, Settings};

/// An OTLP/HTTP client over `reqwest`, its requests run on `runtime`.
#[derive(Debug, Clone)]
struct Http {
    client: reqwest::Client,
    runtime: tokio::runtime::Handle,
}

#[async_trait]
impl opentelemetry_http::HttpClient for Http {
    async fn send_bytes(&self, request: Request<Bytes>) -> Result<Response<Bytes>, HttpError> {
        let request = reqwest::Request::try_from(request)?;
        let client = self.client.clone();
        let sent = self.runtime.spawn(async move {
            let reply = client.execute(request).await?;
            let mut back = Response::builder().status(reply.status().as_u16());
            for (name, value) in reply.headers() {
                back = back.header(name.as_str(), value.as_bytes());
            }
            let body = reply.bytes().await?;
            Ok::<_, HttpError>(back.body(body)?)
        });
        sent.await?
    }
}

/// Builds the exporter of `settings`; the exporter's network work runs on
/// `runtime`.
pub(super) fn exporter(settings: &Settings, runtime: &tokio::runtime::Runtime) -> Result<SpanExporter, String> {
    let failed = |e: opentelemetry_otlp::ExporterBuildError| format!("cannot set up the trace exporter: {e}");
    match settings.protocol {
        Protocol::HttpProtobuf | Protocol::HttpJson => {
            let client = reqwest::Client::builder()
                .timeout(settings.timeout)
                .build()
                .map_err(|e| format!("cannot set up the trace exporter's HTTP client: {e}"))?;
            let protocol = if settings.protocol == Protocol::HttpJson {
                opentelemetry_otlp::Protocol::HttpJson
            } else {
                opentelemetry_otlp::Protocol::HttpBinary
            };
            let headers: HashMap<String, String> = settings.headers.iter().cloned().collect();
            SpanExporter::builder()
                .with_http()
                .with_protocol(protocol)
                .with_endpoint(settings.endpoint.clone())
                .with_timeout(settings.timeout)
                .with_headers(headers)
                .with_http_client(Http { client, runtime: runtime.handle().clone() })
                .build()
                .map_err(failed)
        }
        Protocol::Grpc => {
            let mut headers = http::HeaderMap::new();
            for (name, value) in &settings.headers {
                let name = http::HeaderName::from_bytes(name.as_bytes())
                    .map_err(|_| format!("OTEL_EXPORTER_OTLP_HEADERS: \"{name}\" is not a header name"))?;
                let value = http::HeaderValue::from_str(value)
                    .map_err(|_| format!("OTEL_EXPORTER_OTLP_HEADERS: the value of {name} is not a header value"))?;
                headers.insert(name, value);
            }
            // tonic's channel lives on the runtime it is made in.
            let _entered = runtime.enter();
            let mut builder = SpanExporter::builder()
                .with_tonic()
                .with_endpoint(settings.endpoint.clone())
                .with_timeout(settings.timeout)
                .with_metadata(opentelemetry_otlp::tonic_types::metadata::MetadataMap::from_headers(headers));
            if settings.endpoint.starts_with("https://") {
                let tls = opentelemetry_otlp::tonic_types::transport::ClientTlsConfig::new().with_webpki_roots();
                builder = builder.with_tls_config(tls);
            }
            builder.build().map_err(failed)
        }
    }
}
