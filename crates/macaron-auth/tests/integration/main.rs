//! The integration tests of macaron-auth, in one test binary (a small
//! machine links it once, not once per file): one module per suite.
//! `cargo test -p macaron-auth --test integration verify::` runs one suite.
// Every test signs or verifies a token: they need the feature `jwt`.
#![cfg(feature = "jwt")]
// A test's unwrap() or expect() is its assertion, in its helpers too
// (clippy.toml's allow-*-in-tests covers #[test] functions only).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod verify;
