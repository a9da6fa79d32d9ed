//! A [`Response`] as bytes on the wire: status, headers, body, gzip.
//!
//! Handlers and built-ins return the runtime's own [`Response`]; here it
//! becomes actix's. JSON replies get a static content type (no copy per
//! reply); a static content type is used as it is, not copied. Replies are
//! gzipped here when the caller accepts it and they are big enough, rather
//! than by actix's `Compress` middleware, which costs every request even
//! when the caller does not ask for compression (docs/performance.md).

use std::borrow::Cow;

use actix_http::body::BoxBody;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use serde_json::Value;

use crate::error::codes::BadResponse;
use crate::error::Error;
use crate::reply::{Body, Response};

/// The content type of JSON replies (static: no copy per reply).
pub(crate) const JSON: HeaderValue = HeaderValue::from_static("application/json");

/// Bodies smaller than this are not worth compressing.
const GZIP_MIN: usize = 512;

/// Gzips a reply's body when the caller accepts it and it is big enough.
/// Done here rather than with actix's `Compress` middleware, which costs
/// every request even when the caller does not ask for compression (see
/// docs/performance.md).
pub(super) fn gzip(reply: HttpResponse) -> HttpResponse {
    use actix_web::body::MessageBody;
    use std::io::Write;
    if reply.headers().contains_key(header::CONTENT_ENCODING) {
        return reply;
    }
    let (head, body) = reply.into_parts();
    let bytes = match body.try_into_bytes() {
        Ok(bytes) => bytes,
        Err(body) => return head.set_body(body),
    };
    if bytes.len() < GZIP_MIN {
        return head.set_body(actix_web::body::BoxBody::new(bytes));
    }
    let mut encoder = flate2::write::GzEncoder::new(Vec::with_capacity(bytes.len() / 2), flate2::Compression::fast());
    match encoder.write_all(&bytes).and_then(|_| encoder.finish()) {
        Ok(compressed) => {
            let mut reply = head.set_body(actix_web::body::BoxBody::new(compressed));
            reply.headers_mut().insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            reply.headers_mut().append(header::VARY, HeaderValue::from_static("accept-encoding"));
            reply
        }
        Err(_) => head.set_body(actix_web::body::BoxBody::new(bytes)),
    }
}

/// A handler's [`Response`] as an actix reply.
pub(crate) fn http_response(response: Response) -> Result<HttpResponse, Error> {
    let status = StatusCode::from_u16(response.status)
        .map_err(|_| BadResponse::new(format!("{} is not an HTTP status", response.status)))?;
    let (mut reply, content_type) = match response.body {
        Body::Empty => (HttpResponse::new(status), None),
        Body::Json(value) => (HttpResponse::with_body(status, BoxBody::new(json_bytes(&value))), Some(JSON)),
        Body::Encoded { text, .. } => (HttpResponse::with_body(status, BoxBody::new(text.into_bytes())), Some(JSON)),
        Body::Bytes { content_type, bytes } => {
            let value = header_value(content_type)
                .map_err(|text| BadResponse::new(format!("{text:?} is not a valid content type")))?;
            (HttpResponse::with_body(status, BoxBody::new(bytes)), Some(value))
        }
    };
    let headers = reply.headers_mut();
    for (name, value) in &response.headers {
        let invalid = || BadResponse::new(format!("the reply header {name}: {value:?} is not a valid header"));
        let name = HeaderName::try_from(name.as_str()).map_err(|_| invalid())?;
        let value = HeaderValue::try_from(value.as_str()).map_err(|_| invalid())?;
        headers.append(name, value);
    }
    if let Some(value) = content_type {
        headers.insert(header::CONTENT_TYPE, value);
    }
    Ok(reply)
}

/// A JSON value as the bytes of a reply.
pub(super) fn json_bytes(value: &Value) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_else(|_| value.to_string().into_bytes())
}

/// A content type as a header value (a static one is not copied), or the
/// text back if it cannot be one.
fn header_value(content_type: Cow<'static, str>) -> Result<HeaderValue, Cow<'static, str>> {
    match content_type {
        Cow::Borrowed(text) if text.bytes().all(|b| b == b'\t' || (32..127).contains(&b)) => {
            Ok(HeaderValue::from_static(text))
        }
        other => HeaderValue::try_from(other.as_ref()).map_err(|_| other),
    }
}
