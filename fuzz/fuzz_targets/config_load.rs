//! Configuration loading, on any bytes.
//!
//! A service reads `macaron.yaml` (and its overlay `macaron.<env>.yaml`),
//! substitutes the secrets `env_secrets` names from the environment, and
//! types the keys it knows (durations, sizes, URLs, JWT settings); the
//! runtime then reads its own keys (limits, timeouts, the task queue's
//! settings) when the service is built. Any bytes must give a `Config` or
//! an error, never a panic, through all of it:
//!
//! - the input up to its first NUL byte is `macaron.yaml`, what follows is
//!   the overlay (none without a NUL); both are written to a scratch
//!   folder and read with `Loader::load`, as `letsgo` reads them, and the
//!   whole input is read with `Loader::load_str` too;
//! - the environment is a fixed one (`SVC_SECRET`, `SVC_PASSWORD`,
//!   `DATABASE_URL` unset, ...) through `Loader::vars`, so a run does not
//!   depend on the machine's variables;
//! - what loads is read back as the runtime reads it: every known key with
//!   `get_duration`, `get_bytes`, `get_opt`, the redacted `Debug`, and then
//!   a small service is built with that configuration (`ApiBuilder::config`),
//!   which reads the limits, the JWT keys, the CORS origins, the database
//!   and task settings. A build may fail (a key out of range); not panic.

#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use macaron_config::{Config, Loader};

fuzz_target!(|bytes: &[u8]| check(bytes));

/// The keys the runtime reads by type (docs/configuration.md).
const DURATIONS: [&str; 9] = [
    "header_timeout",
    "body_timeout",
    "keep_alive",
    "health_timeout",
    "shutdown_delay",
    "task_visibility_timeout",
    "task_shutdown_grace",
    "jwt_lifetime",
    "jwt_leeway",
];
const SIZES: [&str; 2] = ["header_limit", "body_limit"];
const NUMBERS: [&str; 4] = ["connections_per_worker", "database_pool_size", "task_concurrency", "port"];
const TEXTS: [&str; 4] = ["task_queue", "log_format", "docker_base", "otel.exporter_otlp_endpoint"];

/// The environment the loader sees.
fn vars(name: &str) -> Option<String> {
    match name {
        "SVC_SECRET" => Some("s3cr3t-value-for-the-fuzzer-0123456789".into()),
        "SVC_PASSWORD" => Some("pässword".into()),
        "SVC_EMPTY" => Some(String::new()),
        "MACARON_ENV" => Some("dev".into()),
        _ => None,
    }
}

fn folder() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("macaron-fuzz-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a scratch folder");
        dir
    })
}

/// A service to build with the configuration: one open operation.
const SPEC: &str = r#"
openapi: 3.0.3
info: {title: hello, version: "1"}
paths:
  /hello:
    get:
      operationId: hello
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: object}}}}
"#;

async fn hello() -> macaron::Result<serde_json::Value> {
    Ok(serde_json::json!({"message": "hello"}))
}

fn check(bytes: &[u8]) {
    let (main, overlay) = match bytes.iter().position(|&b| b == 0) {
        Some(at) => (&bytes[..at], Some(&bytes[at + 1..])),
        None => (bytes, None),
    };
    if let Ok(text) = std::str::from_utf8(bytes) {
        if let Ok(config) = Loader::new().vars(vars).load_str("macaron.yaml", text) {
            read(&config);
        }
    }
    let dir = folder();
    let path = dir.join("macaron.yaml");
    std::fs::write(&path, main).expect("macaron.yaml written");
    let overlay_path = dir.join("macaron.dev.yaml");
    match overlay {
        Some(overlay) => std::fs::write(&overlay_path, overlay).expect("the overlay written"),
        None => {
            let _ = std::fs::remove_file(&overlay_path);
        }
    }
    if let Ok(config) = Loader::new().vars(vars).path(&path).load() {
        read(&config);
        build(config);
    }
}

/// Reads every known key as the runtime types it.
fn read(config: &Config) {
    let mut seen = 0usize;
    for key in DURATIONS {
        seen += config.get_duration(key).map_or(1, |d| d.map_or(2, |d| d.subsec_nanos() as usize));
    }
    for key in SIZES {
        seen += config.get_bytes(key).map_or(1, |n| n.unwrap_or(2));
    }
    for key in NUMBERS {
        seen += config.get_opt::<u64>(key).map_or(1, |n| n.unwrap_or(2) as usize);
        seen += config.get_opt::<usize>(key).map_or(1, |n| n.unwrap_or(2));
    }
    for key in TEXTS {
        seen += config.get_opt::<String>(key).map_or(1, |t| t.map_or(2, |t| t.len()));
    }
    seen += config.get::<std::collections::BTreeMap<String, String>>("users").map_or(1, |u| u.len());
    seen += format!("{config:?}").len();
    seen += config.redact(&config.values().to_string()).len();
    std::hint::black_box(seen);
}

/// Builds a small service with the configuration (reads the runtime's keys).
fn build(config: Config) {
    let api = macaron::Api::builder().config(config).api_source("hello.yaml", SPEC).handler("hello", hello).build();
    if let Ok(api) = api {
        std::hint::black_box(api.routes());
    }
}
