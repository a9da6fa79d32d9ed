//! Reading a request's body, within the size and time limits.
//!
//! A body is read whole before it is parsed (its schema check needs all of
//! it), never beyond the limit: a `Content-Length` over it is refused
//! before a byte is read, a body that grows past it while read is refused
//! then. Most bodies arrive in one chunk, kept as it is (no copy).

use actix_http::Payload;
use actix_web::web::{Bytes, BytesMut};
use futures_util::StreamExt;

use std::time::Duration;

use actix_web::error::PayloadError;

use crate::error::codes::{BadRequest, PayloadTooLarge, RequestTimeout};
use crate::error::Error;

pub(super) fn too_large(limit: usize) -> Error {
    PayloadTooLarge::new(format!("the body is larger than the limit of {limit} bytes"))
}

/// The body, in one piece, up to `limit` bytes, received whole within
/// `timeout` (else 408 `REQUEST_TIMEOUT`: a caller that announces a body
/// and stalls holds its connection no longer); `declared` is its
/// `Content-Length`, if any.
pub(super) async fn read_body(
    payload: Payload,
    limit: usize,
    declared: Option<usize>,
    timeout: Duration,
) -> Result<Bytes, Error> {
    match tokio::time::timeout(timeout, read_whole(payload, limit, declared)).await {
        Ok(read) => read,
        Err(_) => {
            Err(RequestTimeout::new(format!("the request body was not received within {} s", timeout.as_secs_f64())))
        }
    }
}

/// The body, in one piece, up to `limit` bytes (once `declared` bytes are
/// in, the body is whole: no second wait on the payload for its end).
async fn read_whole(mut payload: Payload, limit: usize, declared: Option<usize>) -> Result<Bytes, Error> {
    let read = |chunk: Result<Bytes, PayloadError>| {
        chunk.map_err(|e| match e {
            PayloadError::Overflow => too_large(limit),
            PayloadError::Incomplete(_) => BadRequest::new("the request body ended before its announced end"),
            PayloadError::EncodingCorrupted => BadRequest::new("the request body's transfer encoding is not valid"),
            other => BadRequest::new(format!("the request body cannot be read: {other}")),
        })
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
