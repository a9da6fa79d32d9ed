//! The integration tests of macaron-db, in one test binary (a small
//! machine links it once, not once per file): one module per suite.
//! `cargo test -p macaron-db --test integration persist::` runs one suite.

// A test's unwrap() or expect() is its assertion, in its helpers too
// (clippy.toml's allow-*-in-tests covers #[test] functions only).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod persist;
