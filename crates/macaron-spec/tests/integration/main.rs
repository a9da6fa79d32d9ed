//! The integration tests of macaron-spec, in one test binary (a small
//! machine links it once, not once per file): one module per suite, and
//! `common` for what they share. `cargo test -p macaron-spec --test
//! integration golden::` runs one suite.

// A test's unwrap() or expect() is its assertion, in its helpers too
// (clippy.toml's allow-*-in-tests covers #[test] functions only).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

mod corpus;
mod errors;
mod golden;
mod lenient;
mod referencing;
mod refs;
