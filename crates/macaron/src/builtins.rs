//! The endpoints every service has, without a line of the author's code.
//!
//! Load balancers need a liveness probe, operators need to know which
//! version runs, callers need the API's documentation, monitoring needs
//! metrics. Each service gets them all: `GET /ping` (`{}`), `GET /version`
//! (`{name, version, apis, env}`), `GET /metrics` (Prometheus text),
//! `GET /doc/<api>.yaml` (the spec file as loaded) and `GET /doc/<api>` (an
//! HTML reference rendered by Swagger UI, whose assets are served by the
//! service itself under `/doc/_ui/`, so no request leaves the host). A spec
//! that declares one of these paths itself wins over the built-in.

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
        Builtin::Version => "version",
        Builtin::Metrics => "metrics",
        Builtin::AuthVersion => "auth_version",
        Builtin::DocFile(_) => "doc_file",
        Builtin::DocPage(_) => "doc_page",
    }
}

/// Serves a built-in.
pub(crate) fn serve(service: &Service, builtin: Builtin) -> HttpResponse {
    match builtin {
        Builtin::Ping => HttpResponse::Ok().content_type("application/json").body("{}"),
        Builtin::Version | Builtin::AuthVersion => {
            let apis: Vec<&str> = service.apis.iter().map(|a| a.spec.name.as_str()).collect();
            let body = json!({
                "name": service.server.name,
                "version": service.server.version,
                "apis": apis,
                "env": service.server.env,
            });
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

/// The actix service serving Swagger UI's assets.
pub(crate) fn ui_assets() -> impl actix_web::dev::HttpServiceFactory {
    swagger_ui_dist::generate_scope(swagger_ui_dist::ApiDefinition {
        uri_prefix: "/_ui",
        api_definition: swagger_ui_dist::OpenApiSource::Uri("/doc/_ui/openapi.yaml"),
        title: Some("API reference"),
    })
}
