//! The test kit: the same tests against the service in-process or at any URL.
//!
//! A service's tests should go through real HTTP, as its callers do, yet be
//! as short as PyMacaron's `assertCallReturnJson`; and the acceptance tests
//! written that way should run unchanged against a deployed instance, as
//! PyMacaron's `pymtest` ran `testaccept/` against any environment.
//!
//! - [`TestClient`] calls a service at a base URL: [`TestClient::call`]
//!   builds a request (`.json(..)`, `.token(..)`, `.header(..)`) and
//!   [`Call::send`] returns a [`TestReply`] with status, headers and body;
//!   the helpers ([`TestClient::assert_call_json`],
//!   [`TestClient::assert_call_dict`], [`TestClient::assert_call_error`],
//!   [`TestClient::assert_has_ping`], [`TestClient::assert_has_version`],
//!   [`TestClient::assert_has_auth_version`]) check a reply and return its
//!   JSON, with a message showing the body when they fail.
//! - [`TestServer::start`] serves an [`Api`](crate::Api) in-process on
//!   `127.0.0.1` (a free port, one worker); it dereferences to its
//!   [`TestClient`], so every helper works the same on both.
//! - [`Target::from_env_or`] is either: the URL in `MACARON_TEST_URL` (with
//!   `MACARON_TEST_TOKEN`, `MACARON_TEST_INSECURE`, `MACARON_TEST_SPECS`), or
//!   the service started in-process from its `start` function.
//! - When the client knows the specs, every reply is checked against the
//!   response its operation declares (see [`Call::unchecked`]); GET and HEAD
//!   requests are retried on connection errors and timeouts.
//! - [`eventually`] waits for something asynchronous to happen, with a
//!   deadline, instead of a fixed sleep.
//!
//! Enabled by the `test` feature: put `macaron = { ..., features = ["test"] }`
//! in `[dev-dependencies]`.

mod call;
mod client;
mod eventually;
mod server;
mod spec_check;
mod subset;
mod target;

pub use call::{Call, TestReply};
pub use client::TestClient;
pub use eventually::eventually;
pub use reqwest::Method;
pub use server::TestServer;
pub use target::Target;
