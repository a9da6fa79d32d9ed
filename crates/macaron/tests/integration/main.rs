//! The integration tests of macaron, in one test binary (a small machine
//! links it once, not once per file): one module per suite, and `common`
//! for the test service they share. `cargo test -p macaron --test
//! integration auth::` runs one suite.
//!
//! `tests/tasks.rs` stays a binary of its own: its `#[macaron::task]`s are
//! registered for the whole process, and would turn background tasks (and
//! their store) on in every service built here.

mod common;

mod auth;
mod errors;
mod health;
mod persistence;
mod service;
mod testkit;
mod validation;
