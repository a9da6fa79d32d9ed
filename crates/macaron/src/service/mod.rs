//! The service's tables: what a built service is, as the request
//! pipeline reads it.
//!
//! The builder (`crate::build`) makes them once at startup; every worker
//! then reads them, shared, for every request: the loaded specs with their
//! compiled validators, one [`Op`] per bound operation (its handler, the
//! schemas of its inputs and replies, what it asks of its caller), the
//! router, the instance, the database and task settings, the health
//! checks, the metrics. Nothing here changes after startup, except what
//! connecting fills in once (the database, the task runtime). [`Api`] is
//! the public handle on them.

use std::sync::{Arc, OnceLock};

use indexmap::IndexMap;
use macaron_spec::Operation;
use serde_json::Value;

use crate::auth::{AuthMode, GuardFn, Jwt};
use crate::error::codes::TasksUnavailable;
use crate::error::Result;
use crate::handler::BoxedHandler;
use crate::health::Health;
use crate::instance::{Instance, Reports};
use crate::metrics::Metrics;
use crate::options::Options;
use crate::route::{Router, Target};
use crate::schema::{LoadedApi, SchemaId};
use crate::storage::Storage;
use crate::tasks::{TaskRuntime, TaskSettings};

/// The error decorator: rewrites every error object before it is sent.
pub(crate) type DecoratorFn = Arc<dyn Fn(Value) -> Value + Send + Sync>;

/// A built service, ready to serve (see [`crate::letsgo`] and [`crate::test::TestServer`]).
///
/// ```
/// let spec = r#"
/// openapi: 3.0.3
/// info: {title: hello, version: "1"}
/// paths:
///   /hello:
///     get:
///       operationId: hello
///       responses: {"200": {description: ok}}
/// "#;
/// async fn hello() -> macaron::Result<serde_json::Value> {
///     Ok(serde_json::json!({"message": "hello world!"}))
/// }
/// let api = macaron::Api::builder().api_source("hello.yaml", spec).handler("hello", hello).build().unwrap();
/// assert_eq!(api.routes(), vec!["GET /hello -> hello".to_string()]);
/// ```
#[derive(Clone)]
pub struct Api {
    pub(crate) service: Arc<Service>,
}

/// How one parameter of an operation is read and checked, worked out when
/// the operation is bound (not on every request).
pub(crate) struct ParamPlan {
    /// Its schema's validator.
    pub schema: SchemaId,
    /// The type its text is read as: its schema's first non-null `type`,
    /// `$ref`s and compositions followed.
    pub kind: Option<String>,
}

/// One operation, bound and compiled.
pub(crate) struct Op {
    pub api: usize,
    /// The `operationId`, shared with each request's context.
    pub id: Arc<str>,
    pub spec: Operation,
    /// How each of `spec.parameters` is read and checked, in order.
    pub params: Vec<ParamPlan>,
    /// Validators of the request body by media type.
    pub body: IndexMap<String, Option<SchemaId>>,
    /// Validators of the JSON content of `spec.responses`, in order.
    pub responses: Vec<Option<SchemaId>>,
    pub handler: BoxedHandler,
    /// What the operation asks of its caller (from its `security`).
    pub auth: AuthMode,
    /// The guard named by `x-decorate-server`.
    pub guard: Option<GuardFn>,
    /// Its id and handler, as a request's crash report names them.
    pub routed: Arc<crate::request::Routed>,
}

/// Everything the request pipeline needs, shared by all workers.
pub(crate) struct Service {
    pub apis: Vec<LoadedApi>,
    pub ops: Vec<Op>,
    pub router: Router,
    pub options: Options,
    pub decorator: Option<DecoratorFn>,
    pub reports: Arc<Reports>,
    pub instance: Arc<Instance>,
    pub body_limit: usize,
    /// Times, sizes and connections one caller may take (docs/server.md).
    pub limits: crate::http::limits::Limits,
    pub cors: Vec<String>,
    pub validate_responses: bool,
    pub metrics: Metrics,
    /// Token verification, when `jwt_*` is configured.
    pub jwt: Option<Jwt>,
    /// The database, when the service persists objects (or keeps its tasks there).
    pub storage: Option<Storage>,
    /// How background tasks run, when the program has any and `with_async` is on.
    pub tasks: Option<TaskSettings>,
    /// The task queue and workers, once connected.
    pub task_runtime: OnceLock<Arc<TaskRuntime>>,
    /// Readiness checks, and whether the service is stopping.
    pub health: Health,
}

impl std::fmt::Debug for Api {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Api").field("name", &self.name()).field("routes", &self.routes()).finish()
    }
}

impl Api {
    /// A builder with default options.
    pub fn builder() -> crate::ApiBuilder {
        crate::ApiBuilder::default()
    }

    /// Every operation's route as `METHOD /path -> operation` (the built-ins are not listed).
    pub fn routes(&self) -> Vec<String> {
        let s = &self.service;
        s.router
            .list()
            .into_iter()
            .filter_map(|(method, path, target)| match target {
                Target::Operation(i) => Some(format!("{method} {path} -> {}", s.ops[i].spec.id)),
                Target::Builtin(_) => None,
            })
            .collect()
    }

    /// The service's name (as in `/version` and crash reports).
    pub fn name(&self) -> &str {
        &self.service.instance.name
    }

    /// Connects the service's database and task queue, if it has them
    /// (`letsgo` and the test kit do this before serving).
    pub async fn connect(&self) -> Result<()> {
        let db = match &self.service.storage {
            Some(storage) => Some(storage.connect().await?),
            None => None,
        };
        if let (Some(settings), None) = (&self.service.tasks, self.service.task_runtime.get()) {
            let s = &self.service;
            let runtime = settings.connect(db.as_ref(), &s.instance, &s.reports, s.metrics.registry()).await?;
            let _ = s.task_runtime.set(runtime);
        }
        Ok(())
    }

    /// The service's task queue and workers, once connected.
    pub(crate) fn tasks(&self) -> Option<Arc<TaskRuntime>> {
        self.service.task_runtime.get().cloned()
    }

    /// How many background tasks are queued, delayed, running and failed
    /// (`None` when the service runs no task queue, or is not connected).
    pub async fn task_stats(&self) -> Option<Result<crate::tasks::Stats>> {
        let runtime = self.tasks()?;
        Some(runtime.queue.stats().await.map_err(|e| TasksUnavailable::new(e.to_string())))
    }

    /// The options the service was built with.
    pub fn options(&self) -> &Options {
        &self.service.options
    }
}
