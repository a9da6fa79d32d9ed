//! The hello world service's tests, in one test binary (linked once, not
//! once per file): one module per suite. `cargo test -p helloworld --test
//! integration config::` runs one suite.

mod api;
mod client;
mod config;
mod shutdown;
