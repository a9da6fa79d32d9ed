//! The request's record: its id, its headers, and what is known of it
//! while it is served.
//!
//! Code deep inside a request (a crash report, [`crate::request_id`],
//! [`crate::auth::current_user`], a client forwarding the caller's token, a
//! task being scheduled) needs the request without being handed it. So each
//! request (and each background task, which runs as the request that
//! scheduled it) has one record, [`record::Current`], kept in a tokio
//! task-local while its handler runs. This room holds the record, the
//! request id ([`id::RequestId`]) and the header map ([`headers::Headers`]);
//! it knows nothing of routing, inputs or replies.

pub(crate) mod headers;
pub(crate) mod id;
pub(crate) mod record;

pub(crate) use headers::Headers;
pub(crate) use id::RequestId;
pub use record::{request_id, set_user_id};
pub(crate) use record::{Current, Location, PanicNote, Routed};
