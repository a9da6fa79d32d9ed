//! Swagger UI's asset files, served by the actix-web app that ships them.
//!
//! The `swagger-ui-dist` crate ships its files as an actix-web scope; one
//! small actix-web app per worker serves them under `/doc/_ui/`, so the
//! reference page needs nothing from outside the host. The dispatch sends
//! only these files' paths to it.

use std::rc::Rc;

use actix_http::body::BoxBody;
use actix_http::{Method, Request, Response};
use actix_service::boxed::BoxService;
use actix_service::{IntoServiceFactory, ServiceExt, ServiceFactory};
use actix_web::dev::AppConfig;

#[cfg(feature = "swagger-ui")]
use crate::builtins::DOC_PREFIX;
use crate::builtins::UI_PREFIX;

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
    cfg!(feature = "swagger-ui")
        && (method == Method::GET || method == Method::HEAD)
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
    // Without the feature `swagger-ui` the app serves nothing, and no
    // request is sent to it (`is_ui_file` is false).
    #[cfg(not(feature = "swagger-ui"))]
    let app = actix_web::App::new();
    #[cfg(feature = "swagger-ui")]
    let app = {
        let scope = swagger_ui_dist::generate_scope(swagger_ui_dist::ApiDefinition {
            uri_prefix: "/_ui",
            api_definition: swagger_ui_dist::OpenApiSource::Uri("/doc/_ui/openapi.yaml"),
            title: Some("API reference"),
        });
        actix_web::App::new().service(actix_web::web::scope(DOC_PREFIX).service(scope))
    };
    let service = app.into_factory().new_service(AppConfig::default()).await?;
    Ok(Rc::new(actix_service::boxed::service(service.map(Response::from))))
}
