//! What Macaron's own tests share, and no user of Macaron needs: where the
//! public corpus of OpenAPI documents is ([`corpus`]), where the test
//! backends are ([`backends`]), the test keys ([`keys`]), and the one rule for a test that cannot
//! reach one of them ([`skip`]).
//!
//! The problem: each crate's tests once wrote these themselves, three
//! times with three rules (`CI=true`, any `CI`, no rule at all), and a
//! missing backend was skipped in CI by one suite and failed by another.
//! The decision: one dev-only crate (`publish = false`, in
//! `[dev-dependencies]` only), one rule. Outside CI a test whose backend
//! is unreachable prints `SKIPPED: <test>: <reason>` and passes, so a
//! checkout without PostgreSQL, Redis, podman or `../shared` still runs
//! `cargo test`; with `CI=true` the same test fails with that reason,
//! since a suite that skipped in CI would pass without having run.
//!
//! ```
//! // In a test: the Redis part runs where Redis answers, else it is skipped (CI: fails).
//! if let Some(url) = macaron_dev::backends::redis() {
//!     assert!(url.starts_with("redis://"));
//! }
//! ```

pub mod backends;
pub mod corpus;
pub mod keys;
pub mod otlp;
pub mod skip;

pub use corpus::{corpus, Corpus, Document};
pub use skip::{in_ci, require, skip_or_fail};
