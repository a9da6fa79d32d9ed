//! The HTTP layer: actix in, actix out, the request pipeline in between.
//!
//! Every actix type of the runtime stays in this room (and in the request's
//! record, which keeps actix's header map and URI, moved out of the
//! request rather than copied). `server` runs actix-server with actix-http
//! and hands every request to `dispatch`, which runs the pipeline's stages
//! in order; `facts` reads the request's head in one pass, `body` reads
//! its body within the limit, `response` turns the runtime's
//! [`Response`](crate::Response) into actix's (gzip included),
//! `error_reply` turns any [`Error`](crate::Error) into the JSON error
//! reply, and `ui` serves Swagger UI's files. `limits` holds what one
//! caller may take of the server (times, sizes, connections); `wire` wraps
//! each connection so that the protocol layer's own refusals leave as the
//! JSON error object too.

mod body;
pub(crate) mod dispatch;
mod error_reply;
mod facts;
pub(crate) mod limits;
pub(crate) mod response;
pub(crate) mod server;
pub(crate) mod ui;
mod wire;
