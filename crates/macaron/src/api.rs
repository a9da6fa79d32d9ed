//! The service being built: specs, handlers, hooks, and the tables the
//! request pipeline runs on.
//!
//! A service that starts with an operation nobody implements answers 404
//! where the spec promised an endpoint, and a handler registered under a
//! misspelt `operationId` is silently never called. Both are bugs found
//! only in production unless startup refuses them. So [`ApiBuilder::build`]
//! loads every spec, binds every handler, compiles every schema, and fails
//! with one message listing every problem it found (unbound operations,
//! handlers naming no operation, spec errors with file and line, duplicate
//! routes), rather than stopping at the first.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::validate::Validator;
use actix_web::web::Bytes;
use indexmap::IndexMap;
use macaron_spec::{Method, Operation, PathTemplate, Status};
use serde_json::Value;

use crate::auth::{self, AuthError, AuthMode, GuardFn, Jwt};
use crate::error::{Error, Result};
use crate::extract::Context;
use crate::handler::{boxed, BoxedHandler, Handler};
use crate::health::{CheckFn, Health, DEFAULT_HEALTH_TIMEOUT};
use crate::metrics::Metrics;
use crate::options::Options;
use crate::report::{self, Reports, ServerInfo};
use crate::router::{Builtin, Router, Target};
use crate::storage::Storage;
use crate::validate::{SchemaId, SchemaSet};
use macaron_config::Config;

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

/// One loaded spec.
pub(crate) struct LoadedApi {
    pub spec: macaron_spec::Api,
    pub source: Bytes,
    pub validators: Vec<Validator>,
}

/// One operation, bound and compiled.
pub(crate) struct Op {
    pub api: usize,
    pub spec: Operation,
    /// Validators of `spec.parameters`, in order.
    pub params: Vec<SchemaId>,
    /// Validators of the request body by media type.
    pub body: IndexMap<String, Option<SchemaId>>,
    /// Validators of the JSON content of `spec.responses`, in order.
    pub responses: Vec<Option<SchemaId>>,
    pub handler: BoxedHandler,
    /// What the operation asks of its caller (from its `security`).
    pub auth: AuthMode,
    /// The guard named by `x-decorate-server`.
    pub guard: Option<GuardFn>,
}

impl Op {
    /// The declared response for a status, as index into `spec.responses`.
    pub fn response_index(&self, status: u16) -> Option<usize> {
        let r = &self.spec.responses;
        r.iter()
            .position(|x| x.status == Status::Code(status))
            .or_else(|| r.iter().position(|x| x.status == Status::Range((status / 100) as u8)))
            .or_else(|| r.iter().position(|x| x.status == Status::Default))
    }
}

/// Everything the request pipeline needs, shared by all workers.
pub(crate) struct Service {
    pub apis: Vec<LoadedApi>,
    pub ops: Vec<Op>,
    pub router: Router,
    pub options: Options,
    pub decorator: Option<DecoratorFn>,
    pub reports: Arc<Reports>,
    pub server: Arc<ServerInfo>,
    pub body_limit: usize,
    pub cors: Vec<String>,
    pub validate_responses: bool,
    pub metrics: Metrics,
    /// Token verification, when `jwt_*` is configured.
    pub jwt: Option<Jwt>,
    /// The database, when the service persists objects (or keeps its tasks there).
    pub storage: Option<Storage>,
    /// How background tasks run, when the program has any and `with_async` is on.
    pub tasks: Option<crate::tasks::TaskSettings>,
    /// Readiness checks, and whether the service is stopping.
    pub health: Health,
}

enum Source {
    File(PathBuf),
    Dir(PathBuf),
    Text(String, String),
}

/// Builds an [`Api`]: specs, handlers and hooks (see [`Api::builder`]).
pub struct ApiBuilder {
    options: Options,
    sources: Vec<Source>,
    handlers: Vec<(String, BoxedHandler)>,
    reporter: Option<report::ReporterFn>,
    decorator: Option<DecoratorFn>,
    body_limit: Option<usize>,
    cors: Option<Vec<String>>,
    validate_responses: bool,
    name: Option<String>,
    version: Option<String>,
    secrets: Vec<String>,
    guards: IndexMap<String, GuardFn>,
    config: Option<Arc<Config>>,
    database: Option<String>,
    checks: Vec<(String, CheckFn)>,
    health_timeout: Option<std::time::Duration>,
}

/// The default body size limit: 1 MiB.
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;

impl std::fmt::Debug for Api {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Api").field("name", &self.name()).field("routes", &self.routes()).finish()
    }
}

impl Api {
    /// A builder with default options.
    pub fn builder() -> ApiBuilder {
        ApiBuilder {
            options: Options::default(),
            sources: Vec::new(),
            handlers: Vec::new(),
            reporter: None,
            decorator: None,
            body_limit: None,
            cors: None,
            validate_responses: true,
            name: None,
            version: None,
            secrets: Vec::new(),
            guards: IndexMap::new(),
            config: None,
            database: None,
            checks: Vec::new(),
            health_timeout: None,
        }
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
        &self.service.server.name
    }

    /// Connects the service's database and task queue, if it has them
    /// (`letsgo` and the test kit do this before serving).
    pub async fn connect(&self) -> Result<()> {
        let db = match &self.service.storage {
            Some(storage) => Some(storage.connect().await?),
            None => None,
        };
        if let (Some(settings), None) = (&self.service.tasks, self.service.server.tasks.get()) {
            let s = &self.service;
            let runtime = settings.connect(db.as_ref(), &s.server, &s.reports, s.metrics.registry()).await?;
            let _ = s.server.tasks.set(runtime);
        }
        Ok(())
    }

    /// The service's task queue and workers, once connected.
    pub(crate) fn tasks(&self) -> Option<Arc<crate::tasks::TaskRuntime>> {
        self.service.server.tasks.get().cloned()
    }

    /// How many background tasks are queued, delayed, running and failed
    /// (`None` when the service runs no task queue, or is not connected).
    pub async fn task_stats(&self) -> Option<Result<crate::tasks::Stats>> {
        let runtime = self.tasks()?;
        Some(runtime.queue.stats().await.map_err(|e| Error::new(503, "TASKS_UNAVAILABLE", e.to_string())))
    }

    /// The options the service was built with.
    pub fn options(&self) -> &Options {
        &self.service.options
    }
}

impl ApiBuilder {
    /// Sets the options (port, env, debug, config) given by [`crate::letsgo`].
    pub fn options(mut self, options: Options) -> Self {
        self.options = options;
        self
    }

    /// Adds a spec file (OpenAPI 3.0, 3.1 or Swagger 2.0; YAML or JSON).
    pub fn api(mut self, path: impl AsRef<Path>) -> Self {
        self.sources.push(Source::File(path.as_ref().to_path_buf()));
        self
    }

    /// Adds every `.yaml`, `.yml` and `.json` spec in a folder.
    pub fn apis_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.sources.push(Source::Dir(dir.as_ref().to_path_buf()));
        self
    }

    /// Adds a spec from text; `name` (`hello.yaml`) names it in messages
    /// and gives the API its short name.
    pub fn api_source(mut self, name: impl Into<String>, text: impl Into<String>) -> Self {
        self.sources.push(Source::Text(name.into(), text.into()));
        self
    }

    /// Adds generated APIs: `.apis(apis::all())` with the code of
    /// `macaron_build::generate` (each spec and its `x-bind-server` handlers).
    pub fn apis(self, bind: impl FnOnce(ApiBuilder) -> ApiBuilder) -> Self {
        bind(self)
    }

    /// Binds a handler to the operation with this `operationId`.
    pub fn handler<H: Handler<A>, A>(mut self, operation_id: impl Into<String>, handler: H) -> Self {
        self.handlers.push((operation_id.into(), boxed(handler)));
        self
    }

    /// Receives crash reports as `(title, message)`, on a thread of its own.
    pub fn error_reporter(mut self, reporter: impl Fn(&str, &str) + Send + Sync + 'static) -> Self {
        self.reporter = Some(Arc::new(reporter));
        self
    }

    /// Rewrites every error object before it is sent.
    pub fn error_decorator(mut self, decorator: impl Fn(Value) -> Value + Send + Sync + 'static) -> Self {
        self.decorator = Some(Arc::new(decorator));
        self
    }

    /// The largest accepted request body, in bytes (default: `body_limit`
    /// of the configuration, 1 MiB).
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = Some(bytes);
        self
    }

    /// Allows cross-origin calls from these origins (`*` for any; default:
    /// `cors_origins` of the configuration).
    pub fn cors<S: Into<String>>(mut self, origins: impl IntoIterator<Item = S>) -> Self {
        self.cors = Some(origins.into_iter().map(Into::into).collect());
        self
    }

    /// The configuration to use instead of the one `letsgo` loaded
    /// ([`crate::config()`]); for tests and embedding.
    pub fn config(mut self, config: Config) -> Self {
        self.config = Some(Arc::new(config));
        self
    }

    /// The database URL (`sqlite://pets.db`, `postgres://...`), instead of
    /// `database_url` of the configuration (default: `sqlite://NAME.db`).
    pub fn database(mut self, url: impl Into<String>) -> Self {
        self.database = Some(url.into());
        self
    }

    /// Registers a guard under the name operations give in
    /// `x-decorate-server` (usually its Rust path, `crate::auth::admin_only`).
    /// It runs after authentication and validation, before the handler.
    ///
    /// ```
    /// fn admin_only(ctx: &macaron::Context) -> macaron::Result<()> {
    ///     match ctx.user() {
    ///         Some(user) if user.claims.get("role").and_then(|r| r.as_str()) == Some("admin") => Ok(()),
    ///         _ => Err(macaron::Error::new(403, "FORBIDDEN", "admins only")),
    ///     }
    /// }
    /// let builder = macaron::Api::builder().guard("crate::auth::admin_only", admin_only);
    /// # let _ = builder;
    /// ```
    pub fn guard(
        mut self,
        name: impl Into<String>,
        guard: impl Fn(&Context) -> Result<()> + Send + Sync + 'static,
    ) -> Self {
        self.guards.insert(name.into(), Arc::new(guard));
        self
    }

    /// Checks replies against the spec (default on).
    pub fn validate_responses(mut self, on: bool) -> Self {
        self.validate_responses = on;
        self
    }

    /// The service's name (default: the executable's name).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The service's version, usually [`crate::build_version!()`]; the git
    /// revision is appended when known (unless the version is an image's,
    /// `YYMMDD-HHMM-COUNT-SHA6`), and `MACARON_VERSION` overrides all.
    pub fn version(mut self, version: impl Into<String>) -> Self {
        self.version = Some(version.into());
        self
    }

    /// Adds a readiness check to `/health/ready`, next to the database and
    /// the task queue: `Ok` when what it checks works. It runs on every
    /// probe, within the health timeout.
    ///
    /// ```
    /// async fn mail_server() -> macaron::Result<()> {
    ///     Ok(()) // e.g. connect to the SMTP relay
    /// }
    /// let builder = macaron::Api::builder().health_check("mail", mail_server);
    /// # let _ = builder;
    /// ```
    pub fn health_check<F, Fut>(mut self, name: impl Into<String>, check: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = Result<()>> + Send + 'static,
    {
        self.checks.push((name.into(), Arc::new(move || Box::pin(check()))));
        self
    }

    /// How long each readiness check may take (default: `health_timeout`
    /// of the configuration, 2 s).
    pub fn health_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.health_timeout = Some(timeout);
        self
    }

    /// A secret value to hide (`***`) in every report and log line.
    pub fn redact(mut self, secret: impl Into<String>) -> Self {
        self.secrets.push(secret.into());
        self
    }

    /// Loads, binds and compiles everything; fails with one message listing
    /// every problem.
    pub fn build(self) -> Result<Api> {
        let mut problems: Vec<String> = Vec::new();
        let config = self.config.clone().unwrap_or_else(macaron_config::config);
        let jwt = match Jwt::from_config(&config) {
            Ok(jwt) => Some(jwt),
            Err(AuthError::NotConfigured(why)) if config.jwt.secret.is_none() && config.jwt.public_key.is_none() => {
                tracing::debug!("no JWT: {why}");
                None
            }
            Err(e) => {
                problems.push(e.to_string());
                None
            }
        };
        let specs = load_sources(&self.sources, &mut problems);
        if specs.is_empty() && problems.is_empty() {
            problems.push("no API spec given (use .api(path) or .apis_dir(dir))".into());
        }
        let mut names: Vec<&str> = Vec::new();
        for (spec, _) in &specs {
            if names.contains(&spec.name.as_str()) {
                problems.push(format!("two specs are named '{}'", spec.name));
            }
            names.push(&spec.name);
        }
        // The built-ins' paths: an operation at one of them needs no handler.
        let builtins = builtin_paths(&names);

        let mut handlers: IndexMap<String, BoxedHandler> = IndexMap::new();
        for (id, handler) in self.handlers {
            if handlers.insert(id.clone(), handler).is_some() {
                problems.push(format!("two handlers for operation '{id}'"));
            }
        }

        let mut router = Router::default();
        let mut ops = Vec::new();
        let mut apis = Vec::new();
        let mut seen: IndexMap<String, String> = IndexMap::new();
        for (index, (spec, source)) in specs.into_iter().enumerate() {
            let mut set = SchemaSet::new(&spec);
            for op in &spec.operations {
                let template = op.full_path();
                if let Some(other) = seen.insert(op.id.clone(), spec.file.clone()) {
                    problems.push(format!("operationId '{}' is in both {other} and {}", op.id, spec.file));
                }
                let Some(handler) = handlers.get(&op.id).cloned() else {
                    if op.method == Method::Get && builtins.iter().any(|(path, _)| *path == template) {
                        // The spec documents a built-in (`/ping`, ...): the built-in serves it.
                        continue;
                    }
                    problems.push(format!(
                        "operation '{}' ({} {template} in {}) has no handler",
                        op.id, op.method, spec.file
                    ));
                    continue;
                };
                let parsed = match PathTemplate::parse(&template) {
                    Ok(p) => p,
                    Err(e) => {
                        problems.push(e);
                        continue;
                    }
                };
                if let Err(e) = router.add(parsed.segments(), op.method.as_str(), Target::Operation(ops.len())) {
                    problems.push(e);
                    continue;
                }
                let params = op.parameters.iter().map(|p| set.add(&p.schema)).collect();
                let body = op
                    .request_body
                    .iter()
                    .flat_map(|b| b.content.iter())
                    .map(|(media, m)| (media.to_ascii_lowercase(), m.schema.as_ref().map(|s| set.add(s))))
                    .collect();
                let responses = op
                    .responses
                    .iter()
                    .map(|r| {
                        r.content
                            .iter()
                            .find(|(media, _)| is_json(media))
                            .and_then(|(_, m)| m.schema.as_ref())
                            .map(|s| set.add(s))
                    })
                    .collect();
                let auth = auth::mode(op, &spec.security_schemes);
                if auth != AuthMode::Open && jwt.is_none() {
                    problems.push(format!(
                        "operation '{}' in {} requires a bearer token, but no JWT is configured: set jwt_secret (from env_secrets), jwt_issuer and jwt_audience in macaron.yaml",
                        op.id, spec.file
                    ));
                }
                let guard = match op.decorate_server() {
                    Some(name) => match self.guards.get(name) {
                        Some(g) => Some(g.clone()),
                        None => {
                            problems.push(format!(
                                "operation '{}' in {} names the guard '{name}' (x-decorate-server), but none is registered: add .guard(\"{name}\", function) to the builder",
                                op.id, spec.file
                            ));
                            None
                        }
                    },
                    None => None,
                };
                ops.push(Op { api: index, spec: op.clone(), params, body, responses, handler, auth, guard });
            }
            let validators = match set.compile() {
                Ok(v) => v,
                Err(e) => {
                    problems.push(e);
                    Vec::new()
                }
            };
            apis.push(LoadedApi { spec, source, validators });
        }
        for id in handlers.keys() {
            if !seen.contains_key(id) {
                problems.push(format!("handler '{id}' names no operation in the specs"));
            }
        }
        if !problems.is_empty() {
            let list: Vec<String> = problems.iter().map(|p| format!("  - {p}")).collect();
            return Err(Error::new(500, "STARTUP_ERROR", format!("cannot build the service:\n{}", list.join("\n"))));
        }

        add_builtins(&mut router, &builtins);
        let mut tables: Vec<String> = Vec::new();
        for api in &apis {
            for schema in api.spec.schemas.values() {
                if let Some(persist) = macaron_spec::x_persist(schema) {
                    if !tables.contains(&persist.table) {
                        tables.push(persist.table);
                    }
                }
            }
        }
        let name = self.name.or_else(|| config.name.clone()).unwrap_or_else(default_name);
        let database = self.database.clone().or_else(|| config.database_url.as_ref().map(|u| u.expose().to_string()));
        let pool_size = match config.get_opt::<u32>("database_pool_size") {
            Ok(size) => size.unwrap_or(10),
            Err(e) => return Err(Error::new(500, "STARTUP_ERROR", e.to_string())),
        };
        // Background tasks: on when the program declares any (and
        // `with_async` is not false); kept in Redis when configured, else in
        // the service's database, the embedded SQLite file by default.
        let tasks = if config.with_async && !macaron_tasks::all().is_empty() {
            Some(crate::tasks::TaskSettings::from_config(&config)?)
        } else {
            None
        };
        let tasks_in_db = tasks.as_ref().is_some_and(|t| t.redis_url.is_none());
        let storage = (database.is_some() || !tables.is_empty() || tasks_in_db).then(|| Storage {
            url: database.unwrap_or_else(|| macaron_db::Db::default_url(&name)),
            tables,
            pool_size,
            db: std::sync::OnceLock::new(),
        });
        let health_timeout = match self.health_timeout {
            Some(t) => t,
            None => config
                .get_duration("health_timeout")
                .map_err(|e| Error::new(500, "STARTUP_ERROR", e.to_string()))?
                .unwrap_or(DEFAULT_HEALTH_TIMEOUT),
        };
        let mut names: Vec<&str> = vec!["database", "tasks"];
        for (name, _) in &self.checks {
            if names.contains(&name.as_str()) {
                return Err(Error::new(500, "STARTUP_ERROR", format!("two readiness checks are named '{name}'")));
            }
            names.push(name);
        }
        let shutdown_delay = config
            .get_duration("shutdown_delay")
            .map_err(|e| Error::new(500, "STARTUP_ERROR", e.to_string()))?
            .unwrap_or_default();
        let health = Health::new(self.checks, health_timeout, shutdown_delay);
        let mut secrets = self.secrets;
        secrets.extend(config.secret_values().iter().cloned());
        let version = service_version(self.version);
        let server = Arc::new(report::server_info(name, version, self.options.env.clone()));
        report::install_panic_hook();
        let metrics = Metrics::new(ops.len()).map_err(|e| Error::new(500, "STARTUP_ERROR", e))?;
        let service = Service {
            apis,
            ops,
            router,
            decorator: self.decorator,
            reports: Arc::new(Reports::start(self.reporter, secrets)),
            server,
            body_limit: self.body_limit.unwrap_or(config.body_limit),
            cors: self.cors.unwrap_or_else(|| config.cors_origins.clone()),
            jwt,
            storage,
            tasks,
            validate_responses: self.validate_responses,
            metrics,
            options: self.options,
            health,
        };
        Ok(Api { service: Arc::new(service) })
    }
}

/// True for JSON media types (`application/json`, `application/problem+json`).
pub(crate) fn is_json(media: &str) -> bool {
    let essence = crate::inputs::essence(media);
    let suffix = essence.len().checked_sub(5).and_then(|at| essence.get(at..));
    essence.eq_ignore_ascii_case("application/json")
        || suffix.is_some_and(|s| s.eq_ignore_ascii_case("+json"))
        || essence == "*/*"
}

fn load_sources(sources: &[Source], problems: &mut Vec<String>) -> Vec<(macaron_spec::Api, Bytes)> {
    let mut files: Vec<PathBuf> = Vec::new();
    let mut out = Vec::new();
    for source in sources {
        match source {
            Source::File(path) => files.push(path.clone()),
            Source::Dir(dir) => match std::fs::read_dir(dir) {
                Ok(entries) => {
                    let mut found: Vec<PathBuf> = entries
                        .filter_map(|e| e.ok().map(|e| e.path()))
                        .filter(|p| {
                            p.is_file()
                                && matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml" | "json"))
                        })
                        .collect();
                    found.sort();
                    if found.is_empty() {
                        problems.push(format!("{}: no .yaml, .yml or .json spec in this folder", dir.display()));
                    }
                    files.extend(found);
                }
                Err(e) => problems.push(format!("{}: cannot read the folder: {e}", dir.display())),
            },
            Source::Text(name, text) => match macaron_spec::load_bytes(name, text.as_bytes()) {
                Ok(api) => out.push((api, Bytes::from(text.clone()))),
                Err(e) => problems.push(e.to_string()),
            },
        }
    }
    for file in files {
        let bytes = match std::fs::read(&file) {
            Ok(b) => b,
            Err(e) => {
                problems.push(format!("{}: #: cannot read: {e}", file.display()));
                continue;
            }
        };
        match macaron_spec::load(&file) {
            Ok(api) => out.push((api, Bytes::from(bytes))),
            Err(e) => problems.push(e.to_string()),
        }
    }
    out
}

/// The paths of the built-ins (`GET` only) of a service with these APIs
/// (by name, in the order `Builtin::DocPage`/`DocFile` index them).
fn builtin_paths(names: &[&str]) -> Vec<(String, Builtin)> {
    let mut paths = vec![
        ("/ping".to_string(), Builtin::Ping),
        ("/health/live".to_string(), Builtin::Live),
        ("/health/ready".to_string(), Builtin::Ready),
        ("/version".to_string(), Builtin::Version),
        ("/metrics".to_string(), Builtin::Metrics),
        ("/auth/version".to_string(), Builtin::AuthVersion),
    ];
    for (i, name) in names.iter().enumerate() {
        paths.push((format!("/doc/{name}"), Builtin::DocPage(i)));
        paths.push((format!("/doc/{name}.yaml"), Builtin::DocFile(i)));
    }
    paths
}

/// Mounts the built-ins where no operation of the specs has taken their path.
fn add_builtins(router: &mut Router, builtins: &[(String, Builtin)]) {
    let mut add = |path: &str, target: Builtin| {
        if let Ok(t) = PathTemplate::parse(path) {
            if !router.has(t.segments(), "GET") {
                // A user operation on the same path and method wins.
                let _ = router.add(t.segments(), "GET", Target::Builtin(target));
            }
        }
    };
    for (path, builtin) in builtins {
        add(path, *builtin);
    }
}

fn default_name() -> String {
    std::env::current_exe()
        .ok()
        .and_then(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "macaron".into())
}

fn service_version(given: Option<String>) -> String {
    if let Ok(v) = std::env::var("MACARON_VERSION") {
        if !v.is_empty() {
            return v;
        }
    }
    let base = given.unwrap_or_else(|| "0.0.0".into());
    if names_commit(&base) {
        // An image's version (`YYMMDD-HHMM-COUNT-SHA6`) already says which commit.
        return base;
    }
    match git_revision() {
        Some(rev) => format!("{base}+{rev}"),
        None => base,
    }
}

/// True for a version of the form `YYMMDD-HHMM-<commit count>-<sha6>`
/// (optionally `-dirty`), as `macaron docker build` makes them.
fn names_commit(version: &str) -> bool {
    let parts: Vec<&str> = version.trim_end_matches("-dirty").split('-').collect();
    let digits = |s: &str, n: Option<usize>| {
        !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && n.is_none_or(|n| s.len() == n)
    };
    matches!(parts.as_slice(), [date, time, count, sha]
        if digits(date, Some(6)) && digits(time, Some(4)) && digits(count, None)
            && sha.len() == 6 && sha.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn git_revision() -> Option<String> {
    if let Ok(rev) = std::env::var("MACARON_GIT_REVISION") {
        return Some(rev).filter(|r| !r.is_empty());
    }
    let out = std::process::Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    let rev = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (out.status.success() && !rev.is_empty()).then_some(rev)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str = r#"
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /a:
    get: {operationId: a, responses: {"200": {description: ok}}}
  /b:
    get: {operationId: b, responses: {"200": {description: ok}}}
"#;

    async fn ok() -> Result<Value> {
        Ok(Value::Null)
    }

    #[test]
    fn build_lists_every_binding_problem_at_once() {
        let err = Api::builder().api_source("t.yaml", SPEC).handler("a", ok).handler("nope", ok).build().unwrap_err();
        let text = err.error_description;
        assert!(text.contains("operation 'b' (GET /b in t.yaml) has no handler"), "{text}");
        assert!(text.contains("handler 'nope' names no operation"), "{text}");
    }

    #[test]
    fn image_versions_name_their_commit() {
        assert!(names_commit("200415-0819-953-b3548e"));
        assert!(names_commit("200415-0819-953-b3548e-dirty"));
        assert!(!names_commit("0.1.0"));
        assert!(!names_commit("200415-0819-953-b3548"));
        assert!(!names_commit("2004-0819-953-b3548e"));
    }

    #[test]
    fn spec_errors_carry_file_and_pointer() {
        let err = Api::builder().api_source("bad.yaml", "openapi: 9.0.0\n").build().unwrap_err();
        assert!(err.error_description.contains("bad.yaml:1: #/openapi"), "{}", err.error_description);
    }
}
