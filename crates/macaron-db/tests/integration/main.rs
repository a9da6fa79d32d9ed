//! The integration tests of macaron-db, in one test binary (a small
//! machine links it once, not once per file): one module per suite.
//! `cargo test -p macaron-db --test integration persist::` runs one suite.

mod persist;
