//! The integration tests of macaron-tasks, in one test binary (a small
//! machine links it once, not once per file): one module per suite.
//! `cargo test -p macaron-tasks --test integration queue::` runs one suite.

mod queue;
