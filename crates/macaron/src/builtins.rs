//! The endpoints every service has, without a line of the author's code.
//!
//! Load balancers need a liveness probe, operators need to know which
//! version runs, callers need the API's documentation, monitoring needs
//! metrics. Each service gets them all: `GET /ping` (`{}`), `GET
//! /health/live` and `GET /health/ready` (see [`crate::health`]), `GET /version`
//! (`{name, version, apis, env}`), `GET /metrics` (Prometheus text),
//! `GET /doc/<api>.yaml` (the spec file as loaded) and `GET /doc/<api>` (an
//! HTML reference rendered by Swagger UI, whose assets are served by the
//! service itself under `/doc/_ui/`, so no request leaves the host). A spec
//! may declare these paths to document them: without a handler bound, the
//! operation is the built-in's; with one, the operation wins.

use std::rc::Rc;

use actix_http::body::BoxBody;
use actix_http::{Method, Request, Response};
use actix_service::boxed::BoxService;
use actix_service::{IntoServiceFactory, ServiceExt, ServiceFactory};
use actix_web::dev::AppConfig;
use actix_web::http::header;
use actix_web::http::StatusCode;
use actix_web::web::Bytes;
use actix_web::HttpResponse;
use serde_json::json;

use crate::api::Service;
use crate::router::Builtin;

/// Where the documentation is served.
pub(crate) const DOC_PREFIX: &str = "/doc";

/// Where Swagger UI's assets are served (inside [`DOC_PREFIX`]).
pub(crate) const UI_PREFIX: &str = "/doc/_ui";

/// The operation name of a built-in, for logs and metrics.
pub(crate) fn name(builtin: Builtin) -> &'static str {
    match builtin {
        Builtin::Ping => "ping",
        Builtin::Live => "health_live",
        Builtin::Ready => "health_ready",
        Builtin::Version => "version",
        Builtin::Metrics => "metrics",
        Builtin::AuthVersion => "auth_version",
        Builtin::DocFile(_) => "doc_file",
        Builtin::DocPage(_) => "doc_page",
    }
}

/// Serves a built-in (`/health/ready` awaits its checks; the others answer at once).
pub(crate) async fn serve(service: &Service, builtin: Builtin) -> HttpResponse {
    match builtin {
        Builtin::Ping => {
            // Load balancers call it often: a static body and header, no builder.
            let mut reply = HttpResponse::with_body(StatusCode::OK, BoxBody::new(Bytes::from_static(b"{}")));
            reply.headers_mut().insert(header::CONTENT_TYPE, crate::dispatch::JSON);
            reply
        }
        Builtin::Live => crate::health::live(),
        Builtin::Ready => crate::health::ready(service).await,
        Builtin::Version | Builtin::AuthVersion => {
            let apis: Vec<&str> = service.apis.iter().map(|a| a.spec.name.as_str()).collect();
            let mut body = json!({
                "name": service.server.name,
                "version": service.server.version,
                "apis": apis,
                "env": service.server.env,
            });
            if let Some(instance) = instance() {
                body["instance"] = json!(instance);
            }
            HttpResponse::Ok().content_type("application/json").body(body.to_string())
        }
        Builtin::Metrics => HttpResponse::Ok().content_type("text/plain; version=0.0.4").body(service.metrics.render()),
        Builtin::DocFile(i) => {
            let api = &service.apis[i];
            let json = api.source.first().is_some_and(|b| *b == b'{');
            let content_type = if json { "application/json" } else { "application/yaml" };
            HttpResponse::Ok().content_type(content_type).body(api.source.clone())
        }
        Builtin::DocPage(i) => {
            let api = &service.apis[i];
            HttpResponse::Ok().content_type("text/html; charset=utf-8").body(page(&api.spec.name, &api.spec.info.title))
        }
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

fn page(name: &str, title: &str) -> String {
    let (name, title) = (escape(name), escape(title));
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <meta name="viewport" content="width=device-width, initial-scale=1" />
  <title>{title}</title>
  <link rel="stylesheet" href="{UI_PREFIX}/swagger-ui.css" />
</head>
<body>
<div id="swagger-ui"></div>
<script src="{UI_PREFIX}/swagger-ui-bundle.js"></script>
<script>
  window.onload = () => {{
    window.ui = SwaggerUIBundle({{ url: '/doc/{name}.yaml', dom_id: '#swagger-ui', validatorUrl: null }});
  }};
</script>
</body>
</html>
"#
    )
}

/// Swagger UI's files, under [`UI_PREFIX`].
const UI_FILES: [&str; 6] = [
    "swagger-ui.css",
    "swagger-ui-bundle.js",
    "swagger-ui.css.map",
    "swagger-ui-bundle.js.map",
    "oauth2-redirect.html",
    "oauth2-redirect.js",
];

/// True for a request for one of Swagger UI's files.
pub(crate) fn is_ui_file(method: &Method, path: &str) -> bool {
    (method == Method::GET || method == Method::HEAD)
        && path
            .strip_prefix(UI_PREFIX)
            .and_then(|rest| rest.strip_prefix('/'))
            .is_some_and(|file| UI_FILES.contains(&file))
}

/// The actix-web app serving Swagger UI's files: `swagger-ui-dist` ships
/// them as an actix-web scope. One per worker.
pub(crate) type UiApp = Rc<BoxService<Request, Response<BoxBody>, actix_web::Error>>;

/// Builds a worker's [`UiApp`].
pub(crate) async fn ui_app() -> Result<UiApp, ()> {
    let scope = swagger_ui_dist::generate_scope(swagger_ui_dist::ApiDefinition {
        uri_prefix: "/_ui",
        api_definition: swagger_ui_dist::OpenApiSource::Uri("/doc/_ui/openapi.yaml"),
        title: Some("API reference"),
    });
    let app = actix_web::App::new().service(actix_web::web::scope(DOC_PREFIX).service(scope));
    let service = app.into_factory().new_service(AppConfig::default()).await?;
    Ok(Rc::new(actix_service::boxed::service(service.map(Response::from))))
}

/// `MACARON_INSTANCE`, shown by `/version` when set: what tells two
/// instances of the same version apart while one replaces the other on a
/// shared port (`macaron deploy` sets it).
fn instance() -> Option<&'static str> {
    static INSTANCE: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    INSTANCE.get_or_init(|| std::env::var("MACARON_INSTANCE").ok().filter(|i| !i.is_empty())).as_deref()
}
