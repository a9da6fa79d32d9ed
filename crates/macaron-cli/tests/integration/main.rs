//! The integration tests of the `macaron` command, in one test binary (a
//! small machine links it once, not once per file): one module per suite,
//! and `common` for what they share. `cargo test -p macaron-cli --test
//! integration scaffold::` runs one suite.
//!
//! The suites run side by side in one process: what two of them touch
//! outside it (the `petstore` images in podman) is taken in turns
//! ([`common::petstore_images`]); scratch folders and ports are per test.

// A test's unwrap() or expect() is its assertion, in its helpers too
// (clippy.toml's allow-*-in-tests covers #[test] functions only).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

mod deploy;
mod docker;
mod new;
mod pipeline;
mod scaffold;
mod spec;
mod tasks;
mod token;
