//! Helpers shared by the integration tests.

use std::path::PathBuf;

/// `crates/macaron-spec/tests/fixtures/NAME`.
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}
