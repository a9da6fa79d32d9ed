//! The petstore's tests from outside, in one test binary (linked once, not
//! once per file): one module per suite, and `common` for the service
//! launcher they share. `cargo test -p petstore --test integration
//! contract::` runs one suite.
//!
//! `tests/acceptance.rs` stays a binary of its own: `macaron test` runs
//! the `tests/acceptance*.rs` targets against any instance.

// A test's unwrap() or expect() is its assertion, in its helpers too
// (clippy.toml's allow-*-in-tests covers #[test] functions only).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;

mod contract;
mod startup;
mod tasks;
