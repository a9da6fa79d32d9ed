//! Reading a request's body, within the size limit.
//!
//! A body is read whole before it is parsed (its schema check needs all of
//! it), never beyond the limit: a `Content-Length` over it is refused
//! before a byte is read, a body that grows past it while read is refused
//! then. Most bodies arrive in one chunk, kept as it is (no copy).

use actix_http::Payload;
use actix_web::web::{Bytes, BytesMut};
use futures_util::StreamExt;

use crate::error::codes::{InvalidParameter, PayloadTooLarge};
use crate::error::Error;

pub(super) fn too_large(limit: usize) -> Error {
    PayloadTooLarge::new(format!("the body is larger than the limit of {limit} bytes"))
}

/// The body, in one piece, up to `limit` bytes; `declared` is its
/// `Content-Length`, if any (once that many bytes are in, the body is whole:
/// no second wait on the payload for its end).
pub(super) async fn read_body(mut payload: Payload, limit: usize, declared: Option<usize>) -> Result<Bytes, Error> {
    let read = |chunk: Result<Bytes, actix_web::error::PayloadError>| {
        chunk.map_err(|e| InvalidParameter::new(format!("body: cannot read the request body: {e}")))
    };
    // Most bodies come in one chunk: kept as it is, not copied.
    let Some(first) = payload.next().await else { return Ok(Bytes::new()) };
    let first = read(first)?;
    if first.len() > limit {
        return Err(too_large(limit));
    }
    if declared == Some(first.len()) {
        return Ok(first);
    }
    let Some(second) = payload.next().await else { return Ok(first) };
    let mut body = BytesMut::from(&first[..]);
    let mut next = Some(second);
    while let Some(chunk) = next {
        let chunk = read(chunk)?;
        if body.len() + chunk.len() > limit {
            return Err(too_large(limit));
        }
        body.extend_from_slice(&chunk);
        next = payload.next().await;
    }
    Ok(body.freeze())
}
