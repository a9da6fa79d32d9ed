//! The petstore: Macaron's reference service, built from its contract
//! (`apis/petstore.yaml`, behaviour in `../../shared/contracts/petstore.md`)
//! with the framework's public API only.
//!
//! `build.rs` generates the API objects (`Pet`, `NewPet`, ...) and binds
//! every operation to the plain async function its `x-bind-server` names in
//! [`api`]. `Pet` is `x-persist`: it lives in `petstore.db` (SQLite) unless
//! `DATABASE_URL` names a PostgreSQL database. Crash reports go to
//! [`report_crash`], every error object through [`decorate_error`].

use std::io::Write as _;

macaron::include_apis!();

pub mod adoption;
pub mod api;

pub use apis::petstore::{Credentials, NewPet, Note, Pet, PetList, Scheduled, Token};

macaron::errors! {
    /// Unknown username or wrong password.
    pub InvalidUser = (401, "INVALID_USER"),
    /// No pet with this id.
    pub PetNotFound = (404, "PET_NOT_FOUND"),
    /// The pet belongs to someone else.
    pub NotOwner = (403, "NOT_OWNER"),
}

/// What the decorator tells the end user of any server error.
pub const SERVER_ERROR_MESSAGE: &str = "Something went wrong! Try again later";

/// The environment variable naming the file crash reports are appended to.
pub const CRASH_LOG_VAR: &str = "PETSTORE_CRASH_LOG";

/// The error reporter: appends `{"title": ..., "message": ...}` as one JSON
/// line to the file named by `PETSTORE_CRASH_LOG`, or logs the report when
/// that variable is unset (or the file cannot be written).
pub fn report_crash(title: &str, message: &str) {
    if let Some(path) = std::env::var_os(CRASH_LOG_VAR).filter(|p| !p.is_empty()) {
        let mut line = serde_json::json!({"title": title, "message": message}).to_string();
        line.push('\n');
        let written = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .and_then(|mut file| file.write_all(line.as_bytes()));
        match written {
            Ok(()) => return,
            Err(e) => tracing::error!("cannot append to {CRASH_LOG_VAR}={}: {e}", path.to_string_lossy()),
        }
    }
    tracing::error!(title, "{message}");
}

/// The error decorator: every error of status 500 or more without a
/// `user_message` gets [`SERVER_ERROR_MESSAGE`].
pub fn decorate_error(mut error: serde_json::Value) -> serde_json::Value {
    let server_error = error.get("status").and_then(serde_json::Value::as_u64).is_some_and(|s| s >= 500);
    if server_error && error.get("user_message").is_none_or(serde_json::Value::is_null) {
        error["user_message"] = SERVER_ERROR_MESSAGE.into();
    }
    error
}

/// Builds the service (what `main` hands to `macaron::letsgo`).
pub fn start(opts: macaron::Options) -> macaron::Result<macaron::Api> {
    macaron::Api::builder()
        .options(opts)
        .name("petstore")
        .version(macaron::build_version!())
        .apis(apis::all())
        .error_reporter(report_crash)
        .error_decorator(decorate_error)
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_decorator_only_touches_server_errors_without_a_message() {
        let e = decorate_error(json!({"status": 500, "error": "SERVER_ERROR"}));
        assert_eq!(e["user_message"], SERVER_ERROR_MESSAGE);
        let e = decorate_error(json!({"status": 503, "error": "X", "user_message": "kept"}));
        assert_eq!(e["user_message"], "kept");
        let e = decorate_error(json!({"status": 404, "error": "PET_NOT_FOUND"}));
        assert!(e.get("user_message").is_none());
    }
}
