//! The clients example's tests, in one test binary: `styles` (every
//! parameter style round-tripped through a generated client) and `vendor`
//! (a client-only module from `apis/clients/`).

// A test's unwrap() or expect() is its assertion, in its helpers too
// (clippy.toml's allow-*-in-tests covers #[test] functions only).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod styles;
mod vendor;
