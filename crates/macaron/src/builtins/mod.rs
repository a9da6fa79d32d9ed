//! The endpoints every service has, without a line of the author's code.
//!
//! Load balancers need a liveness probe, operators need to know which
//! version runs, callers need the API's documentation, monitoring needs
//! metrics. Each service gets them all: `GET /ping` (`{}`), `GET
//! /health/live` and `GET /health/ready` (see `crate::health`), `GET /version`
//! (`{name, version, apis, env}`), `GET /metrics` (Prometheus text),
//! `GET /doc/<api>.yaml` (the spec file as loaded) and `GET /doc/<api>` (an
//! HTML reference rendered by Swagger UI, whose assets are served by the
//! service itself under `/doc/_ui/`, so no request leaves the host). A spec
//! may declare these paths to document them: without a handler bound, the
//! operation is the built-in's; with one, the operation wins.
//!
//! What each built-in answers is here, as a [`Response`] like a handler's;
//! their routes are `crate::route::builtin`'s, Swagger UI's asset files
//! the HTTP room's (`crate::http::ui`).

use actix_web::web::Bytes;
use serde_json::json;

use crate::reply::Response;
use crate::route::Builtin;
use crate::service::Service;

/// Where the documentation is served.
#[cfg_attr(not(feature = "swagger-ui"), allow(dead_code))]
pub(crate) const DOC_PREFIX: &str = "/doc";

/// Where Swagger UI's assets are served (inside [`DOC_PREFIX`]).
pub(crate) const UI_PREFIX: &str = "/doc/_ui";

/// Serves a built-in (`/health/ready` awaits its checks; the others answer at once).
pub(crate) async fn serve(service: &Service, builtin: Builtin) -> Response {
    match builtin {
        // Load balancers call it often: a static body and a static header, nothing copied.
        Builtin::Ping => Response::bytes(200, "application/json", Bytes::from_static(b"{}")),
        Builtin::Live => crate::health::live(),
        Builtin::Ready => {
            let db = service.storage.as_ref().and_then(|s| s.db.get()).cloned();
            let tasks = service.task_runtime.get().map(|t| t.queue.clone());
            crate::health::ready(&service.health, db, tasks, &service.reports).await
        }
        Builtin::Version | Builtin::AuthVersion => {
            let apis: Vec<&str> = service.apis.iter().map(|a| a.spec.name.as_str()).collect();
            let mut body = json!({
                "name": service.instance.name,
                "version": service.instance.version,
                "apis": apis,
                "env": service.instance.env,
            });
            if let Some(instance) = instance() {
                body["instance"] = json!(instance);
            }
            Response::bytes(200, "application/json", body.to_string())
        }
        Builtin::Metrics => {
            // The queue's depth, read when asked (a failed read leaves the last counts).
            if let Some(tasks) = service.task_runtime.get() {
                match tasks.queue.stats().await {
                    Ok(stats) => service.metrics.set_task_counts(&stats, chrono::Utc::now().timestamp_millis()),
                    Err(e) => tracing::warn!("/metrics: cannot count the queued tasks: {e}"),
                }
            }
            Response::bytes(200, "text/plain; version=0.0.4", service.metrics.render())
        }
        Builtin::DocFile(i) => {
            let api = &service.apis[i];
            let json = api.source.first().is_some_and(|b| *b == b'{');
            let content_type = if json { "application/json" } else { "application/yaml" };
            Response::bytes(200, content_type, api.source.clone())
        }
        Builtin::DocPage(i) => {
            let api = &service.apis[i];
            Response::bytes(200, "text/html; charset=utf-8", page(&api.spec.name, &api.spec.info.title))
        }
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

/// The `/doc` page: the spec's title, and what each build shows under it.
fn page(name: &str, title: &str) -> String {
    let (name, title) = (escape(name), escape(title));
    let (head, body) = reference(&name, &title);
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <title>{title}</title>
{head}</head>
<body>
{body}</body>
</html>
"#
    )
}

/// Without Swagger UI (feature `swagger-ui` off): the title and a link to
/// the spec itself.
#[cfg(not(feature = "swagger-ui"))]
fn reference(name: &str, title: &str) -> (String, String) {
    (
        String::new(),
        format!(
            "<h1>{title}</h1>\n<p>The contract: <a href=\"/doc/{name}.yaml\">/doc/{name}.yaml</a> (OpenAPI).</p>\n"
        ),
    )
}

/// Swagger UI reading the spec (`name` and `title` already escaped).
#[cfg(feature = "swagger-ui")]
fn reference(name: &str, _title: &str) -> (String, String) {
    let head = format!(
        r#"  <meta name="viewport" content="width=device-width, initial-scale=1" />
  <link rel="stylesheet" href="{UI_PREFIX}/swagger-ui.css" />
"#
    );
    let body = format!(
        r#"<div id="swagger-ui"></div>
<script src="{UI_PREFIX}/swagger-ui-bundle.js"></script>
<script>
  window.onload = () => {{
    window.ui = SwaggerUIBundle({{ url: '/doc/{name}.yaml', dom_id: '#swagger-ui', validatorUrl: null }});
  }};
</script>
"#
    );
    (head, body)
}

/// `MACARON_INSTANCE`, shown by `/version` when set: what tells two
/// instances of the same version apart while one replaces the other on a
/// shared port (`macaron deploy` sets it).
fn instance() -> Option<&'static str> {
    static INSTANCE: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    INSTANCE.get_or_init(|| std::env::var("MACARON_INSTANCE").ok().filter(|i| !i.is_empty())).as_deref()
}

#[cfg(test)]
mod tests {
    use super::page;

    #[test]
    fn the_page_links_the_spec_and_escapes_the_title() {
        let html = page("shop", "Tom & Jerry's <shop>");
        assert!(html.starts_with("<!DOCTYPE html>") && html.trim_end().ends_with("</html>"), "{html}");
        assert!(html.contains("<title>Tom &amp; Jerry&#39;s &lt;shop&gt;</title>"), "{html}");
        assert!(html.contains("/doc/shop.yaml"), "{html}");
        assert!(!html.contains("<shop>"), "{html}");
    }
}
