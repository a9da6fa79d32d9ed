//! The integration tests of macaron-macros, in one test binary: one module
//! per suite. `cargo test -p macaron-macros --test integration
//! compile_fail::` runs one suite.

mod compile_fail;
