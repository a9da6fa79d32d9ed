//! The integration tests of macaron-config, in one test binary (a small
//! machine links it once, not once per file): one module per suite.
//! `cargo test -p macaron-config --test integration load::` runs one suite.

mod load;
