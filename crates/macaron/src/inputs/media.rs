//! Which of the operation's declared media types a request's body is.
//!
//! A request's `Content-Type` is matched against the operation's
//! `requestBody.content` keys: exactly as written first (the common case,
//! one map lookup), then by essence (parameters such as `charset` ignored,
//! case-insensitively), then by a `type/*` range, then `*/*`. A content
//! type the operation does not declare is a 415 naming the accepted ones.

use crate::error::codes::UnsupportedMediaType;
use crate::error::Result;
use crate::service::Op;

/// The media type the operation declares for a request's content type, or
/// a 415. `None` when the operation takes no body.
pub(crate) fn media_type<'a>(op: &'a Op, content_type: Option<&str>, has_body: bool) -> Result<Option<&'a str>> {
    if op.body.is_empty() || (!has_body && content_type.is_none()) {
        return Ok(None);
    }
    // The common case first: the content type as the spec writes it.
    if let Some(key) = content_type.and_then(|c| op.body.get_key_value(c)).map(|(k, _)| k) {
        return Ok(Some(key.as_str()));
    }
    let essence = content_type.map_or("application/json", essence);
    let kind = essence.split_once('/').map_or(essence, |(kind, _)| kind);
    let found = op
        .body
        .keys()
        .find(|k| self::essence(k).eq_ignore_ascii_case(essence))
        .or_else(|| {
            op.body.keys().find(|k| k.strip_suffix("/*").is_some_and(|k| k != "*" && k.eq_ignore_ascii_case(kind)))
        })
        .or_else(|| op.body.keys().find(|k| k.as_str() == "*/*"));
    match found {
        Some(key) => Ok(Some(key.as_str())),
        None => {
            let accepted: Vec<&str> = op.body.keys().map(String::as_str).collect();
            Err(UnsupportedMediaType::new(format!(
                "content type '{}' is not accepted; use {}",
                essence.to_ascii_lowercase(),
                accepted.join(" or ")
            )))
        }
    }
}

/// A media type without its parameters (`application/json; charset=utf-8` → `application/json`).
pub(crate) fn essence(media: &str) -> &str {
    // A byte scan: `split(';')` sets up a searcher, dear on every request.
    let end = media.bytes().position(|b| b == b';').unwrap_or(media.len());
    media.get(..end).unwrap_or(media).trim()
}

/// True for JSON media types (`application/json`, `application/problem+json`).
pub(crate) fn is_json(media: &str) -> bool {
    let essence = essence(media);
    let suffix = essence.len().checked_sub(5).and_then(|at| essence.get(at..));
    essence.eq_ignore_ascii_case("application/json")
        || suffix.is_some_and(|s| s.eq_ignore_ascii_case("+json"))
        || essence == "*/*"
}
