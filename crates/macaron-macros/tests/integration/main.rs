//! The integration tests of macaron-macros, in one test binary: one module
//! per suite. `cargo test -p macaron-macros --test integration
//! compile_fail::` runs one suite.

// A test's unwrap() or expect() is its assertion, in its helpers too
// (clippy.toml's allow-*-in-tests covers #[test] functions only).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod compile_fail;
