//! The integration tests of macaron-spec, in one test binary (a small
//! machine links it once, not once per file): one module per suite, and
//! `common` for what they share. `cargo test -p macaron-spec --test
//! integration golden::` runs one suite.

mod common;

mod corpus;
mod errors;
mod golden;
mod refs;
