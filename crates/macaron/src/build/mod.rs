//! The builder: from specs, handlers and hooks to the service's tables.
//!
//! [`ApiBuilder`] records what the service is made of; [`ApiBuilder::build`]
//! makes the tables (`crate::service`) in a handful of named steps: read the
//! JWT configuration, load every spec (`sources`), bind every operation
//! (`bind`), read the settings the configuration holds, then assemble the
//! service (its instance, `identity`; its database; its reports, metrics
//! and health). Every step records its problems and goes on, so one start
//! lists them all in one [`StartupError`].

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use indexmap::IndexMap;
use macaron_config::Config;
use serde_json::Value;

use crate::auth::{AuthError, GuardFn, Jwt};
use crate::error::{Error, Problem, Problems, Result, StartupError};
use crate::handler::{boxed, BoundHandler, BoxedHandler, Context, Handler};
use crate::health::{CheckFn, Health, DEFAULT_HEALTH_TIMEOUT};
use crate::http::limits::Limits;
use crate::instance::{Instance, ReporterFn, Reports};
use crate::metrics::Metrics;
use crate::options::Options;
use crate::route::{add_builtins, builtin_paths};
use crate::schema::LoadedApi;
use crate::service::{Api, DecoratorFn, Service};
use crate::storage::Storage;
use crate::tasks::TaskSettings;

mod bind;
mod identity;
mod sources;

use sources::Source;

/// The default body size limit: 1 MiB.
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;

/// Builds an [`Api`]: specs, handlers and hooks (see [`Api::builder`]).
pub struct ApiBuilder {
    options: Options,
    sources: Vec<Source>,
    handlers: Vec<(String, BoxedHandler)>,
    reporter: Option<ReporterFn>,
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
    health_timeout: Option<Duration>,
    lenient_spec: bool,
}

impl Default for ApiBuilder {
    fn default() -> Self {
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
            lenient_spec: false,
        }
    }
}

/// What the configuration says of the service beyond its specs.
struct Settings {
    pool_size: u32,
    limits: Limits,
    tasks: Option<TaskSettings>,
    health_timeout: Duration,
    shutdown_delay: Duration,
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

    /// Binds a function of the borrowed [`Context`] to the operation with
    /// this `operationId`: what generated code registers (it reads the
    /// typed arguments from the context, then returns the handler's future,
    /// with no copy of the context). Hand-written handlers use
    /// [`ApiBuilder::handler`].
    ///
    /// ```
    /// use macaron::{Api, Context, HandlerFuture, Response};
    /// fn ping(_: &Context) -> HandlerFuture {
    ///     Box::pin(async { Ok(Response::empty(204)) })
    /// }
    /// let builder = Api::builder().bound_handler("ping", ping);
    /// # let _ = builder;
    /// ```
    #[doc(hidden)]
    pub fn bound_handler(mut self, operation_id: impl Into<String>, handler: BoundHandler) -> Self {
        self.handlers.push((operation_id.into(), Arc::new(handler)));
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

    /// Reads the service's specs leniently: a defect (a `$ref` to nothing, an
    /// undefined security scheme, an operationId used twice...) is logged as
    /// a warning with what was assumed instead of stopping the start. Off by
    /// default: a server must not guess what its own contract means; this
    /// is for a spec the team cannot fix yet. The start logs that the
    /// reading is lenient, and every warning.
    ///
    /// ```
    /// let spec = r##"
    /// openapi: 3.0.3
    /// info: {title: vendor, version: "1"}
    /// paths:
    ///   /a: {get: {operationId: a, responses: {"200": {$ref: "#/components/responses/Gone"}}}}
    /// "##;
    /// assert!(macaron::Api::builder().api_source("vendor.yaml", spec).handler("a", || async { Ok(()) }).build().is_err());
    /// let api = macaron::Api::builder().lenient_spec().api_source("vendor.yaml", spec).handler("a", || async { Ok(()) }).build();
    /// assert!(api.is_ok());
    /// ```
    pub fn lenient_spec(mut self) -> Self {
        self.lenient_spec = true;
        self
    }

    /// A secret value to hide (`***`) in every report and log line.
    pub fn redact(mut self, secret: impl Into<String>) -> Self {
        self.secrets.push(secret.into());
        self
    }

    /// Loads, binds and compiles everything; fails with one error listing
    /// every problem (code `STARTUP_ERROR`, the [`StartupError`] as its
    /// cause). `letsgo` prints it and exits.
    pub fn build(self) -> Result<Api> {
        self.try_build().map_err(Error::from)
    }

    /// [`build`](Self::build), failing with every problem as a list, each
    /// with its file, pointer and operation.
    pub fn try_build(self) -> Result<Api, StartupError> {
        let config = self.config.clone().unwrap_or_else(macaron_config::config);
        let mut problems = Problems::default();
        let jwt = read_jwt(&config, &mut problems);
        let reading =
            if self.lenient_spec { macaron_spec::Options::lenient() } else { macaron_spec::Options::strict() };
        let specs = sources::load(&self.sources, &reading, &mut problems);
        if specs.is_empty() && problems.is_empty() {
            problems.say("no API spec given (use .api(path) or .apis_dir(dir))");
        }
        let names = spec_names(&specs, &mut problems);
        let builtins = builtin_paths(&names.iter().map(String::as_str).collect::<Vec<_>>());
        let handlers = collect_handlers(self.handlers, &mut problems);
        let bindings = bind::Bindings { handlers, guards: &self.guards, builtins: &builtins, jwt: jwt.is_some() };
        let mut bound = bind::operations(specs, bindings, &mut problems);
        let settings = read_settings(&config, self.health_timeout, &self.checks, &mut problems);
        problems.into_result()?;
        let metrics = Metrics::new(bound.ops.len()).map_err(|e| StartupError::one(Problem::new(e)))?;
        add_builtins(&mut bound.router, &builtins);

        let name = self.name.or_else(|| config.name.clone()).unwrap_or_else(identity::default_name);
        let database = self.database.or_else(|| config.database_url.as_ref().map(|u| u.expose().to_string()));
        let storage = storage(database, &bound.apis, &name, &settings);
        let mut secrets = self.secrets;
        secrets.extend(config.secret_values().iter().cloned());
        let instance = Instance::new(name, identity::service_version(self.version), self.options.env.clone());
        metrics.set_build_info(&instance.name, &instance.version, identity::revision(&instance.version));
        crate::reports::install_panic_hook();
        let service = Service {
            apis: bound.apis,
            ops: bound.ops,
            router: bound.router,
            decorator: self.decorator,
            reports: Arc::new(Reports::start(self.reporter, secrets)),
            instance: Arc::new(instance),
            body_limit: self.body_limit.unwrap_or(config.body_limit),
            limits: settings.limits,
            cors: self.cors.unwrap_or_else(|| config.cors_origins.clone()),
            jwt,
            storage,
            tasks: settings.tasks,
            task_runtime: std::sync::OnceLock::new(),
            validate_responses: self.validate_responses,
            metrics,
            options: self.options,
            health: Health::new(self.checks, settings.health_timeout, settings.shutdown_delay),
        };
        Ok(Api { service: Arc::new(service) })
    }
}

/// Token verification, when the configuration sets `jwt_*`.
fn read_jwt(config: &Config, problems: &mut Problems) -> Option<Jwt> {
    match Jwt::from_config(config) {
        Ok(jwt) => Some(jwt),
        Err(AuthError::NotConfigured(why)) if config.jwt.secret.is_none() && config.jwt.public_key.is_none() => {
            tracing::debug!("no JWT: {why}");
            None
        }
        Err(e) => {
            problems.say(e.to_string());
            None
        }
    }
}

/// The specs' short names, each once.
fn spec_names(specs: &[(macaron_spec::Api, actix_web::web::Bytes)], problems: &mut Problems) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for (spec, _) in specs {
        if names.contains(&spec.name) {
            problems.push(Problem::new(format!("two specs are named '{}'", spec.name)).file(spec.file.clone()));
        }
        names.push(spec.name.clone());
    }
    names
}

/// The handlers by operation, each operation once.
fn collect_handlers(given: Vec<(String, BoxedHandler)>, problems: &mut Problems) -> IndexMap<String, BoxedHandler> {
    let mut handlers = IndexMap::new();
    for (id, handler) in given {
        if handlers.insert(id.clone(), handler).is_some() {
            problems.push(Problem::new(format!("two handlers for operation '{id}'")).operation(id));
        }
    }
    handlers
}

/// The configuration's settings of the database pool, tasks and health. A
/// bad value is a problem (and its default stands in, unused: the build
/// stops on any problem).
fn read_settings(
    config: &Config,
    health_timeout: Option<Duration>,
    checks: &[(String, CheckFn)],
    problems: &mut Problems,
) -> Settings {
    let mut problem = |e: String| problems.push(Problem::new(e));
    let pool_size = config.get_opt::<u32>("database_pool_size").map_err(|e| problem(e.to_string())).ok().flatten();
    // Background tasks: on when the program declares any (and `with_async`
    // is not false); kept in Redis when configured, else in the service's
    // database, the embedded SQLite file by default.
    let tasks = if config.with_async && !macaron_tasks::all().is_empty() {
        TaskSettings::from_config(config).map_err(|e| problem(e.error_description)).ok()
    } else {
        None
    };
    let health_timeout = match health_timeout {
        Some(t) => Some(t),
        None => config.get_duration("health_timeout").map_err(|e| problem(e.to_string())).ok().flatten(),
    };
    let shutdown_delay = config.get_duration("shutdown_delay").map_err(|e| problem(e.to_string())).ok().flatten();
    let limits = Limits::from_config(config).map_err(&mut problem).unwrap_or_default();
    let mut names: Vec<&str> = vec!["database", "tasks"];
    for (name, _) in checks {
        if names.contains(&name.as_str()) {
            problem(format!("two readiness checks are named '{name}'"));
        }
        names.push(name);
    }
    Settings {
        pool_size: pool_size.unwrap_or(10),
        limits,
        tasks,
        health_timeout: health_timeout.unwrap_or(DEFAULT_HEALTH_TIMEOUT),
        shutdown_delay: shutdown_delay.unwrap_or_default(),
    }
}

/// The service's database: the one given or configured, else an SQLite
/// file named after the service when a schema is persisted or tasks are
/// kept there; none otherwise.
fn storage(database: Option<String>, apis: &[LoadedApi], name: &str, settings: &Settings) -> Option<Storage> {
    let mut tables: Vec<String> = Vec::new();
    for api in apis {
        for schema in api.spec.schemas.values() {
            if let Some(persist) = macaron_spec::x_persist(schema) {
                if !tables.contains(&persist.table) {
                    tables.push(persist.table);
                }
            }
        }
    }
    let tasks_in_db = settings.tasks.as_ref().is_some_and(|t| t.redis_url.is_none());
    (database.is_some() || !tables.is_empty() || tasks_in_db).then(|| Storage {
        url: database.unwrap_or_else(|| macaron_db::Db::default_url(name)),
        tables,
        pool_size: settings.pool_size,
        db: std::sync::OnceLock::new(),
    })
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
    fn problems_name_file_pointer_and_operation() {
        let err = Api::builder().api_source("t.yaml", SPEC).handler("a", ok).try_build().unwrap_err();
        assert_eq!(err.problems.len(), 1);
        let problem = &err.problems[0];
        assert_eq!(problem.file.as_deref(), Some("t.yaml"));
        assert_eq!(problem.pointer.as_deref(), Some("#/paths/~1b/get"));
        assert_eq!(problem.operation.as_deref(), Some("b"));
        assert_eq!(problem.line, Some(8));
        assert!(err.to_string().contains("t.yaml:8: operation 'b' (GET /b in t.yaml) has no handler"), "{err}");
    }

    #[test]
    fn spec_errors_carry_file_and_pointer() {
        let err = Api::builder().api_source("bad.yaml", "openapi: 9.0.0\n").build().unwrap_err();
        assert!(err.error_description.contains("bad.yaml:1: #/openapi"), "{}", err.error_description);
    }
}
