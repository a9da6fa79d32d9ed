//! # macaron
//!
//! The runtime of Macaron, an OpenAPI-first microservice framework: write
//! the spec, write one plain async function per operation, call
//! [`letsgo`] in `main`. The framework routes by the spec, validates every
//! parameter and body before the handler runs (and every reply after),
//! turns every failure into one JSON error object, reports server errors
//! with a crash report, and serves `/ping`, `/version`, `/doc/<api>` and
//! `/metrics` on its own.
//!
//! ```
//! use macaron::{Created, Json, Path};
//! use serde::{Deserialize, Serialize};
//!
//! const SPEC: &str = r##"
//! openapi: 3.0.3
//! info: {title: pets, version: "1"}
//! paths:
//!   /pets/{id}:
//!     get:
//!       operationId: getPet
//!       parameters: [{name: id, in: path, required: true, schema: {type: integer}}]
//!       responses:
//!         "200": {description: a pet, content: {application/json: {schema: {$ref: "#/components/schemas/Pet"}}}}
//!         "404": {description: no such pet}
//!   /pets:
//!     post:
//!       operationId: createPet
//!       requestBody:
//!         required: true
//!         content: {application/json: {schema: {$ref: "#/components/schemas/Pet"}}}
//!       responses:
//!         "201": {description: created, content: {application/json: {schema: {$ref: "#/components/schemas/Pet"}}}}
//! components:
//!   schemas:
//!     Pet:
//!       type: object
//!       required: [name]
//!       properties: {name: {type: string, minLength: 1}}
//! "##;
//!
//! #[derive(Deserialize)]
//! struct PetPath { id: i64 }
//! #[derive(Serialize, Deserialize)]
//! struct Pet { name: String }
//!
//! macaron::errors! { PetNotFound = (404, "PET_NOT_FOUND") }
//!
//! async fn get_pet(Path(p): Path<PetPath>) -> macaron::Result<Pet> {
//!     match p.id {
//!         1 => Ok(Pet { name: "Rex".into() }),
//!         id => Err(PetNotFound::new(format!("no pet {id}"))),
//!     }
//! }
//!
//! async fn create_pet(Json(pet): Json<Pet>) -> macaron::Result<Created<Pet>> {
//!     Ok(Created(pet))
//! }
//!
//! fn start(opts: macaron::Options) -> macaron::Result<macaron::Api> {
//!     macaron::Api::builder()
//!         .options(opts)
//!         .api_source("pets.yaml", SPEC)
//!         .handler("getPet", get_pet)
//!         .handler("createPet", create_pet)
//!         .build()
//! }
//!
//! // In a service: fn main() { macaron::letsgo(start) }
//! let api = start(macaron::Options::default()).unwrap();
//! assert_eq!(api.routes(), vec!["POST /pets -> createPet", "GET /pets/{id} -> getPet"]);
//! ```
//!
//! The runtime's rooms follow a request (docs/architecture.md draws the
//! map): `http` receives it and runs the stages in order, `request` keeps
//! its record and id, `route` finds the operation, `auth` checks the
//! caller, `inputs` reads and validates parameters and body against the
//! validators of `schema`, `handler` hands them to the user's function
//! through extractors, `reply` checks and shapes its result, `error` is
//! the one error model, `reports` writes crash reports. Below them,
//! `instance` (who the running service is, where reports go) and
//! `secrets`; beside them, the service's tables (`service`), made at
//! startup by the builder (`build`), the built-in endpoints (`builtins`,
//! `health`, `metrics`), the database (`storage`), background tasks
//! (`tasks`), outgoing calls (`client`) and the process (`process`:
//! `letsgo`).

pub mod auth;
mod build;
mod builtins;
#[cfg(feature = "client")]
pub mod client;
mod error;
mod handler;
mod health;
mod http;
mod inputs;
mod instance;
pub mod metrics;
mod model;
mod options;
mod process;
mod reply;
mod reports;
mod request;
mod route;
mod schema;
mod secrets;
mod service;
mod storage;
pub mod tasks;
mod telemetry;
#[cfg(feature = "test")]
pub mod test;

pub use build::{ApiBuilder, DEFAULT_BODY_LIMIT};
pub use error::{codes, Error, ErrorObject, Problem, Result, StartupError};
#[doc(hidden)]
pub use handler::BoundHandler;
pub use handler::{
    Context, Cookies, FilePart, Form, FromContext, Handler, HandlerFuture, Header, Headers, Json, Multipart, Path,
    Query, Request,
};
pub use model::Model;
pub use service::Api;
// The crates generated code names (`macaron::serde::Serialize`, ...).
/// The service's configuration (`macaron.yaml`): [`config()`] returns it.
pub use macaron_config as config;
pub use macaron_config::{config, Config};
/// Persistence of API objects (`x-persist`): [`db()`] returns the service's database.
pub use macaron_db as db;
/// Makes a plain async function a background task: see [`tasks`].
pub use macaron_macros::{monitor, task};
pub use options::{Options, Role};
pub use process::letsgo;
pub use reply::{Accepted, Created, NoContent, Reply, Response, WithStatus};
pub use reports::report_error;
pub use request::{request_id, set_user_id};
pub use telemetry::monitor;

/// The version this binary was built as: `MACARON_BUILD_VERSION` when the
/// build set it (`macaron docker build` does, with the image's version),
/// else the package's version. Give it to [`ApiBuilder::version`] from the
/// service's own crate, so it is read when that crate compiles.
///
/// ```
/// let version: &str = macaron::build_version!();
/// assert!(!version.is_empty());
/// ```
#[macro_export]
macro_rules! build_version {
    () => {
        match option_env!("MACARON_BUILD_VERSION") {
            Some(version) if !version.is_empty() => version,
            _ => env!("CARGO_PKG_VERSION"),
        }
    };
}
pub use storage::db;

/// Marks the items of an API's own generated `Client`: removed in this
/// build (the feature `client` is off).
#[cfg(not(feature = "client"))]
#[doc(hidden)]
pub use macaron_macros::drop_item as __client_item;
/// Marks the items of an API's own generated `Client`: kept in a build
/// with the feature `client`, removed without it (no HTTP client).
#[cfg(feature = "client")]
#[doc(hidden)]
pub use macaron_macros::keep_item as __client_item;
#[doc(hidden)]
pub use {chrono, serde, serde_json, uuid};

// The book's chapters under docs/, compiled and run as doc tests.

#[cfg(doctest)]
#[doc = include_str!("../../../docs/server.md")]
pub struct ServerChapter;

#[cfg(doctest)]
#[doc = include_str!("../../../docs/async.md")]
pub struct AsyncChapter;

#[cfg(doctest)]
#[doc = include_str!("../../../docs/errors.md")]
pub struct ErrorsChapter;

#[cfg(doctest)]
#[doc = include_str!("../../../docs/configuration.md")]
pub struct ConfigurationChapter;

#[cfg(doctest)]
#[doc = include_str!("../../../docs/jwt.md")]
pub struct JwtChapter;

#[cfg(doctest)]
#[doc = include_str!("../../../docs/testing.md")]
pub struct TestingChapter;

#[cfg(doctest)]
#[doc = include_str!("../../../docs/monitoring.md")]
pub struct MonitoringChapter;

#[cfg(doctest)]
#[doc = include_str!("../../../docs/persistence.md")]
pub struct PersistenceChapter;

#[cfg(doctest)]
#[doc = include_str!("../../../docs/clients.md")]
pub struct ClientsChapter;
