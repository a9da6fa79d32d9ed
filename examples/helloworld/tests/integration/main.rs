//! The hello world service's tests, in one test binary (linked once, not
//! once per file): one module per suite. `cargo test -p helloworld --test
//! integration config::` runs one suite.

// A test's unwrap() or expect() is its assertion, in its helpers too
// (clippy.toml's allow-*-in-tests covers #[test] functions only).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod api;
mod client;
mod config;
mod shutdown;
mod traces;
