//! The integration tests of macaron-build, one binary (linked once):
//!
//! - [`golden`]: the code generated for each `tests/fixtures/NAME.yaml`
//!   is pinned in `tests/golden/NAME.rs`;
//! - [`compile_fail`]: handlers that do not fit their operation fail to
//!   compile with a message naming it (`tests/compile_fail/`), and the
//!   golden files compile (`tests/compile_pass/`);
//! - [`corpus`]: the 42 public documents generate code that compiles
//!   without warnings, and their examples round-trip through it;
//! - [`paths`]: Rust paths from the spec or the caller that Rust refuses
//!   are errors naming them.
//!
//! The folders beside this one (`fixtures/`, `golden/`, `compile_fail/`,
//! `compile_pass/`)
//! are data, not test targets (`autotests = false` in Cargo.toml).

// A test's unwrap() or expect() is its assertion, in its helpers too
// (clippy.toml's allow-*-in-tests covers #[test] functions only).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod compile_fail;
mod corpus;
mod golden;
mod paths;
