//! Reading a request's body, within the size and time limits.
//!
//! A body is read whole before it is parsed (its schema check needs all of
//! it), never beyond the limit: a `Content-Length` over it is refused
//! before a byte is read, a body that grows past it while read is refused
//! then. Most bodies arrive in one chunk, kept as it is (no copy).

use actix_http::Payload;
use actix_web::web::{Bytes, BytesMut};
use futures_util::{FutureExt, StreamExt};

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
///
/// Most bodies arrive with their head: whole in the first chunk, already
/// received. Those are taken without a timer (one armed and cancelled per
/// request is work on the hot path; not measured apart); the timer runs
/// only while the rest of a body is awaited.
pub(super) async fn read_body(
    mut payload: Payload,
    limit: usize,
    declared: Option<usize>,
    timeout: Duration,
) -> Result<Bytes, Error> {
    let mut first = None;
    if let Some(ready) = payload.next().now_or_never() {
        let Some(chunk) = ready else { return Ok(Bytes::new()) };
        let chunk = read(chunk, limit)?;
        if chunk.len() > limit {
            return Err(too_large(limit));
        }
        if declared == Some(chunk.len()) {
            return Ok(chunk);
        }
        first = Some(chunk);
    }
    match tokio::time::timeout(timeout, read_rest(payload, first, limit, declared)).await {
        Ok(read) => read,
        Err(_) => {
            Err(RequestTimeout::new(format!("the request body was not received within {} s", timeout.as_secs_f64())))
        }
    }
}

/// A chunk of the body, or why it cannot be read.
fn read(chunk: Result<Bytes, PayloadError>, limit: usize) -> Result<Bytes, Error> {
    chunk.map_err(|e| match e {
        PayloadError::Overflow => too_large(limit),
        PayloadError::Incomplete(_) => BadRequest::new("the request body ended before its announced end"),
        PayloadError::EncodingCorrupted => BadRequest::new("the request body's transfer encoding is not valid"),
        other => BadRequest::new(format!("the request body cannot be read: {other}")),
    })
}

/// The body, in one piece, up to `limit` bytes, after `first` (its first
/// chunk, when already read); once `declared` bytes are in, the body is
/// whole: no second wait on the payload for its end.
async fn read_rest(
    mut payload: Payload,
    first: Option<Bytes>,
    limit: usize,
    declared: Option<usize>,
) -> Result<Bytes, Error> {
    // Most bodies come in one chunk: kept as it is, not copied.
    let first = match first {
        Some(first) => first,
        None => {
            let Some(first) = payload.next().await else { return Ok(Bytes::new()) };
            let first = read(first, limit)?;
            if first.len() > limit {
                return Err(too_large(limit));
            }
            if declared == Some(first.len()) {
                return Ok(first);
            }
            first
        }
    };
    let Some(second) = payload.next().await else { return Ok(first) };
    let mut body = BytesMut::from(&first[..]);
    let mut next = Some(second);
    while let Some(chunk) = next {
        let chunk = read(chunk, limit)?;
        if body.len() + chunk.len() > limit {
            return Err(too_large(limit));
        }
        body.extend_from_slice(&chunk);
        next = payload.next().await;
    }
    Ok(body.freeze())
}
