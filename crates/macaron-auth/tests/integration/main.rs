//! The integration tests of macaron-auth, in one test binary (a small
//! machine links it once, not once per file): one module per suite.
//! `cargo test -p macaron-auth --test integration verify::` runs one suite.

mod verify;
