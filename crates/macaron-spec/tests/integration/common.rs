//! Helpers shared by the integration tests.

#![allow(dead_code)] // each test binary uses part of it

use std::path::PathBuf;

/// `crates/macaron-spec/tests/fixtures/NAME`.
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

/// The public corpus, `../shared/specs/public` beside the checkout. Outside
/// CI a missing corpus skips the test with a printed reason; with `CI=true`
/// it fails the test.
pub fn corpus() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/specs/public");
    if dir.join("MANIFEST.tsv").is_file() {
        return Some(dir);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("CI=true but the corpus is missing at {}", dir.display());
    }
    eprintln!("SKIPPED: corpus not found at {} (it lives in ../shared beside the checkout)", dir.display());
    None
}
