//! A request's id: the caller's `X-Request-Id` when usable, else a new one.
//!
//! The id ties a reply, its log line, its crash report and the tasks it
//! scheduled together, across services when callers forward it. A caller's
//! id is kept as the header value it came in (sent back with no copy); a
//! new one is a uuid v4 kept as its 36 characters in place, made into a
//! header value once, for the reply.

use std::fmt;

use actix_web::http::header::{HeaderName, HeaderValue};

/// The request id header.
pub(crate) const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// A request's id.
#[derive(Clone, Debug)]
pub(crate) enum RequestId {
    New([u8; 36]),
    Given(HeaderValue),
}

impl RequestId {
    /// A new uuid v4.
    pub fn new() -> Self {
        RequestId::New(crate::error::id::uuid_v4())
    }

    /// The caller's id if it is usable (visible ASCII, 1 to 200 characters), else a new one.
    pub fn from_caller(value: Option<&HeaderValue>) -> Self {
        let Some(value) = value else { return RequestId::new() };
        let Ok(text) = value.to_str() else { return RequestId::new() };
        let trimmed = text.trim();
        if trimmed.is_empty() || trimmed.len() > 200 {
            return RequestId::new();
        }
        if trimmed.len() == text.len() {
            return RequestId::Given(value.clone());
        }
        HeaderValue::from_str(trimmed).map_or_else(|_| RequestId::new(), RequestId::Given)
    }

    /// An id given as text (a task's, carried from the request that scheduled it).
    pub fn from_text(text: &str) -> Self {
        HeaderValue::from_str(text).map_or_else(|_| RequestId::new(), RequestId::Given)
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        match self {
            RequestId::New(text) => std::str::from_utf8(text).unwrap_or_default(),
            RequestId::Given(value) => value.to_str().unwrap_or_default(),
        }
    }

    /// The id as a header value.
    pub fn header(&self) -> HeaderValue {
        match self {
            RequestId::New(text) => HeaderValue::from_bytes(text).unwrap_or_else(|_| HeaderValue::from_static("-")),
            RequestId::Given(value) => value.clone(),
        }
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_ids_are_uuid_v4() {
        let id = RequestId::new();
        assert_eq!(uuid::Uuid::parse_str(id.as_str()).unwrap().get_version_num(), 4);
    }

    #[test]
    fn callers_ids_are_kept_when_usable() {
        let given = HeaderValue::from_static("abc-1");
        assert_eq!(RequestId::from_caller(Some(&given)).as_str(), "abc-1");
        let long = HeaderValue::from_str(&"x".repeat(201)).unwrap();
        assert_eq!(RequestId::from_caller(Some(&long)).as_str().len(), 36);
    }
}
