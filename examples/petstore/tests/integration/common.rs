//! The petstore as its users see it: the real binary, started in a scratch
//! working directory with its `macaron.yaml`, on a free port, talked to
//! over HTTP on 127.0.0.1. Nothing of the service runs in the test process.
//!
//! Each [`Service`] has its own directory (its own `petstore.db` and crash
//! log) and, on PostgreSQL, its own schema (dropped afterwards), so tests
//! run in parallel without seeing each other's pets.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

pub const JWT_SECRET: &str = "test-secret-for-the-petstore-suite-0123456789";
pub const ALICE_PASSWORD: &str = "alice-pw-Ünïcode";
pub const BOB_PASSWORD: &str = "bob-password";
pub const ISSUER: &str = "petstore.example";
pub const AUDIENCE: &str = "petstore-clients";
pub const SERVER_ERROR_MESSAGE: &str = "Something went wrong! Try again later";

/// The PostgreSQL the suite uses (trust auth, database `test`), and the
/// Redis the PostgreSQL variant's tasks go through.
pub use macaron_dev::backends::{POSTGRES_URL as POSTGRES, REDIS_URL as REDIS};

/// How long the suite waits for anything eventual (startup, a task, a report).
pub const PATIENCE: Duration = Duration::from_secs(60);

/// Where pets live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// No storage setting: `petstore.db` in the working directory.
    Sqlite,
    /// `DATABASE_URL=postgres://...` (a schema of its own) and
    /// `REDIS_URL=redis://...` (a task queue of its own): the scale-out set.
    Postgres,
}

/// The built binary (cargo builds it for integration tests).
pub fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_petstore")
}

/// The spec of the service, as shipped.
pub fn spec_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("apis/petstore.yaml")
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("a free port").local_addr().expect("its address").port()
}

/// A fresh working directory holding the example's `macaron.yaml`.
pub fn scratch_dir(label: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let n = N.fetch_add(1, Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("petstore-test-{}-{label}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create the working directory");
    std::fs::copy(Path::new(env!("CARGO_MANIFEST_DIR")).join("macaron.yaml"), dir.join("macaron.yaml"))
        .expect("copy macaron.yaml");
    dir
}

/// A schema of its own on the test PostgreSQL, dropped when this is dropped.
pub struct PgSchema {
    pub name: String,
}

impl PgSchema {
    /// `None` (with the reason printed) when PostgreSQL is unreachable
    /// outside CI; under `CI=true` an unreachable PostgreSQL fails the test.
    pub async fn create() -> Option<PgSchema> {
        static N: AtomicUsize = AtomicUsize::new(0);
        let reachable = sqlx::PgPool::connect(POSTGRES).await;
        let pool = macaron_dev::require(&format!("PostgreSQL at {POSTGRES} (the postgres variant)"), reachable)?;
        let name = format!("petstore_test_{}_{}", std::process::id(), N.fetch_add(1, Ordering::SeqCst));
        sqlx::query(&format!("DROP SCHEMA IF EXISTS \"{name}\" CASCADE")).execute(&pool).await.expect("drop schema");
        sqlx::query(&format!("CREATE SCHEMA \"{name}\"")).execute(&pool).await.expect("create schema");
        pool.close().await;
        Some(PgSchema { name })
    }

    /// The service's `DATABASE_URL`: every table in this schema.
    pub fn url(&self) -> String {
        format!("{POSTGRES}?options=-c%20search_path%3D{}", self.name)
    }
}

/// Deletes the Redis keys of the task queue `queue` (a raw RESP `DEL`).
pub fn drop_redis_queue(queue: &str) {
    use std::io::{Read, Write};
    let keys: Vec<String> =
        ["stream", "delayed", "failed", "failed_at"].iter().map(|k| format!("macaron:{queue}:tasks:{k}")).collect();
    let mut command = format!("*{}\r\n$3\r\nDEL\r\n", keys.len() + 1);
    for key in &keys {
        command.push_str(&format!("${}\r\n{key}\r\n", key.len()));
    }
    if let Ok(mut redis) = std::net::TcpStream::connect(macaron_dev::backends::REDIS_ADDR) {
        let _ = redis.set_read_timeout(Some(Duration::from_secs(2)));
        let _ = redis.write_all(command.as_bytes());
        let _ = redis.read(&mut [0u8; 64]);
    }
}

impl Drop for PgSchema {
    fn drop(&mut self) {
        drop_redis_queue(&self.name);
        let name = self.name.clone();
        // Drop runs inside the test's runtime: do the async work on a thread of its own.
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return };
            rt.block_on(async {
                if let Ok(pool) = sqlx::PgPool::connect(POSTGRES).await {
                    let _ = sqlx::query(&format!("DROP SCHEMA IF EXISTS \"{name}\" CASCADE")).execute(&pool).await;
                    pool.close().await;
                }
            });
        })
        .join();
    }
}

/// How to start the service.
#[derive(Debug, Clone, Default)]
pub struct Launch {
    /// Extra command-line arguments.
    pub args: Vec<String>,
    /// Extra environment (applied last).
    pub env: Vec<(String, String)>,
    /// Variables to leave unset.
    pub unset: Vec<String>,
    /// Give the port as `PORT` instead of `--port`.
    pub port_from_env: bool,
}

/// A running petstore.
pub struct Service {
    pub backend: Backend,
    pub dir: PathBuf,
    pub port: u16,
    pub client: reqwest::Client,
    child: Option<Child>,
    launch: Launch,
    database_url: Option<String>,
    // Dropped after the child is stopped.
    schema: Option<PgSchema>,
}

impl Service {
    /// Starts a petstore on `backend`; `None` only for the PostgreSQL
    /// variant when PostgreSQL is unreachable outside CI.
    pub async fn start(backend: Backend) -> Option<Service> {
        Service::start_with(backend, Launch::default()).await
    }

    pub async fn start_with(backend: Backend, launch: Launch) -> Option<Service> {
        let schema = match backend {
            Backend::Sqlite => None,
            Backend::Postgres if macaron_dev::backends::redis().is_none() => return None,
            Backend::Postgres => Some(PgSchema::create().await?),
        };
        let dir = scratch_dir(match backend {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        });
        let mut service = Service {
            backend,
            dir,
            port: 0,
            client: reqwest::Client::builder().no_proxy().build().expect("an HTTP client"),
            child: None,
            launch,
            database_url: schema.as_ref().map(PgSchema::url),
            schema,
        };
        if let Some(schema) = &service.schema {
            // A task queue of its own in Redis, named after its schema.
            let path = service.dir.join("macaron.yaml");
            let mut config = std::fs::read_to_string(&path).expect("read macaron.yaml");
            config.push_str(&format!("task_queue: {}\n", schema.name));
            std::fs::write(&path, config).expect("write macaron.yaml");
        }
        service.spawn().await;
        Some(service)
    }

    /// The service's `DATABASE_URL` (the PostgreSQL variant's schema).
    pub fn database_url(&self) -> Option<&str> {
        self.database_url.as_deref()
    }

    /// The command that starts the binary in the service's directory.
    pub fn command(&self, port: u16) -> Command {
        let mut cmd = Command::new(binary());
        cmd.current_dir(&self.dir)
            .env_remove("DATABASE_URL")
            .env_remove("REDIS_URL")
            .env_remove("PORT")
            .env_remove("MACARON_ENV")
            .env_remove("MACARON_VERSION")
            .env("PETSTORE_JWT_SECRET", JWT_SECRET)
            .env("PETSTORE_ALICE_PASSWORD", ALICE_PASSWORD)
            .env("PETSTORE_BOB_PASSWORD", BOB_PASSWORD)
            .env("PETSTORE_CRASH_LOG", self.crash_log_path())
            .env("RUST_LOG", "info");
        if let Some(url) = &self.database_url {
            cmd.env("DATABASE_URL", url);
            cmd.env("REDIS_URL", REDIS);
        }
        if self.launch.port_from_env {
            cmd.env("PORT", port.to_string());
        } else {
            cmd.args(["--port", &port.to_string()]);
        }
        cmd.args(&self.launch.args);
        for name in &self.launch.unset {
            cmd.env_remove(name);
        }
        for (name, value) in &self.launch.env {
            cmd.env(name, value);
        }
        cmd
    }

    async fn spawn(&mut self) {
        self.port = free_port();
        let log = |name: &str| {
            std::fs::OpenOptions::new().create(true).append(true).open(self.dir.join(name)).expect("open a log file")
        };
        let child = self
            .command(self.port)
            .stdout(Stdio::from(log("stdout.log")))
            .stderr(Stdio::from(log("stderr.log")))
            .spawn()
            .expect("start the petstore binary");
        self.child = Some(child);
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Ok(r) = self.client.get(self.url("/ping")).send().await {
                if r.status() == 200 {
                    return;
                }
            }
            if let Some(status) = self.child.as_mut().and_then(|c| c.try_wait().ok().flatten()) {
                panic!("the petstore exited with {status} at startup:\n{}", self.logs());
            }
            assert!(Instant::now() < deadline, "the petstore did not answer /ping:\n{}", self.logs());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Everything the process printed.
    pub fn logs(&self) -> String {
        let read = |name: &str| std::fs::read_to_string(self.dir.join(name)).unwrap_or_default();
        format!("{}{}", read("stdout.log"), read("stderr.log"))
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn crash_log_path(&self) -> PathBuf {
        self.dir.join("crash.log")
    }

    /// The crash reports written so far, as `{title, message}` objects.
    pub fn crash_reports(&self) -> Vec<Value> {
        std::fs::read_to_string(self.crash_log_path())
            .unwrap_or_default()
            .lines()
            .map(|line| {
                serde_json::from_str(line).unwrap_or_else(|e| panic!("a crash log line is not JSON ({e}): {line}"))
            })
            .collect()
    }

    /// Waits for the first crash report satisfying `pred`.
    pub async fn wait_report(&self, pred: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(r) = self.crash_reports().into_iter().find(|r| pred(r)) {
                return r;
            }
            assert!(Instant::now() < deadline, "no such crash report; got {:?}", self.crash_reports());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Sends SIGTERM and waits for the exit.
    pub fn terminate(&mut self) -> ExitStatus {
        self.send_sigterm();
        self.wait_exit()
    }

    /// Sends SIGTERM, without waiting.
    pub fn send_sigterm(&self) {
        let child = self.child.as_ref().expect("a running petstore");
        let sent = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("run kill");
        assert!(sent.success());
    }

    /// Waits for the process to exit.
    pub fn wait_exit(&mut self) -> ExitStatus {
        let mut child = self.child.take().expect("a running petstore");
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = child.try_wait().expect("wait for the petstore") {
                return status;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("the petstore did not exit after SIGTERM:\n{}", self.logs());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Stops (SIGTERM, exit 0 expected) and starts again on the same
    /// directory and database.
    pub async fn restart(&mut self) {
        let status = self.terminate();
        assert_eq!(status.code(), Some(0), "{}", self.logs());
        self.spawn().await;
    }

    // ---- HTTP helpers ----

    pub fn get(&self, path: &str) -> reqwest::RequestBuilder {
        self.client.get(self.url(path))
    }

    pub fn post(&self, path: &str) -> reqwest::RequestBuilder {
        self.client.post(self.url(path))
    }

    pub fn delete(&self, path: &str) -> reqwest::RequestBuilder {
        self.client.delete(self.url(path))
    }

    /// A token for `user`, through `POST /v1/login`.
    pub async fn login(&self, user: &str) -> String {
        let password = match user {
            "alice" => ALICE_PASSWORD,
            "bob" => BOB_PASSWORD,
            other => panic!("no password for {other}"),
        };
        let r =
            self.post("/v1/login").json(&json!({"username": user, "password": password})).send().await.expect("login");
        let (status, body) = reply(r).await;
        assert_eq!(status, 200, "{body}");
        body["token"].as_str().expect("a token").to_string()
    }

    /// Creates a pet as the owner of `token`; returns it.
    pub async fn create_pet(&self, token: &str, body: Value) -> Value {
        let r = self.post("/v1/pets").bearer_auth(token).json(&body).send().await.expect("create a pet");
        let (status, pet) = reply(r).await;
        assert_eq!(status, 201, "{pet}");
        pet
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Status and JSON body (`null` when empty or not JSON) of a reply.
pub async fn reply(r: reqwest::Response) -> (u16, Value) {
    let status = r.status().as_u16();
    let bytes = r.bytes().await.expect("read the body");
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

/// Asserts a reply is the JSON error object with this status and code, and
/// that its `status` field equals the HTTP status; returns the object.
pub async fn expect_error(r: reqwest::Response, status: u16, code: &str) -> Value {
    let content_type = r.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let (got, body) = reply(r).await;
    assert_eq!((got, body["error"].as_str()), (status, Some(code)), "{body}");
    assert_eq!(body["status"], json!(status), "status field differs from the HTTP status: {body}");
    assert!(body["error_description"].is_string(), "{body}");
    assert!(content_type.starts_with("application/json"), "{content_type}");
    if status >= 500 {
        assert!(body["error_id"].as_str().is_some_and(|id| id.len() == 36), "a 5xx without error_id: {body}");
        assert_eq!(body["user_message"], SERVER_ERROR_MESSAGE, "{body}");
    } else {
        assert!(body.get("error_id").is_none(), "{body}");
    }
    body
}

/// The `error_description` of a 400 INVALID_PARAMETER reply, checked to name `field`.
pub async fn expect_invalid(r: reqwest::Response, field: &str) -> String {
    let e = expect_error(r, 400, "INVALID_PARAMETER").await;
    let description = e["error_description"].as_str().unwrap_or_default().to_string();
    assert!(description.contains(field), "the description does not name '{field}': {description}");
    description
}

/// Declares a test running `scenario(&Service)` on SQLite and another on PostgreSQL + Redis.
#[allow(unused_macros)]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let s = $crate::common::Service::start($crate::common::Backend::Sqlite).await.expect("sqlite");
                    super::$name(s).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(s) = $crate::common::Service::start($crate::common::Backend::Postgres).await {
                        super::$name(s).await;
                    }
                }
            )*
        }
    };
}
