//! The integration tests of macaron, in one test binary (a small machine
//! links it once, not once per file): one module per suite, and `common`
//! for the test service they share. `cargo test -p macaron --test
//! integration auth::` runs one suite.
//!
//! `tests/tasks.rs` stays a binary of its own: its `#[macaron::task]`s are
//! registered for the whole process, and would turn background tasks (and
//! their store) on in every service built here.

// A test's unwrap() or expect() is its assertion, in its helpers too
// (clippy.toml's allow-*-in-tests covers #[test] functions only).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

mod auth;
mod errors;
mod health;
mod jwt_attacks;
mod limits;
mod persistence;
mod service;
mod spec_reading;
mod testkit;
mod validation;
