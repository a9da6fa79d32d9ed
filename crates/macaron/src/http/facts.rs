//! What the pipeline reads of a request's head, found in one pass.
//!
//! Looking a header up by name hashes the name, every time; the pipeline
//! reads six of them for every request. So one pass over the header map
//! picks them up, and notes whether any header may hold a secret (so that
//! redaction is skipped for the requests that carry none).

use std::borrow::Cow;

use actix_web::http::header::{self, HeaderMap, HeaderValue};

use crate::request::id::REQUEST_ID;
use crate::secrets::is_secret;

/// A method's name, without an allocation for the standard ones.
pub(super) fn method_name(method: &actix_web::http::Method) -> Cow<'static, str> {
    use actix_web::http::Method;
    Cow::Borrowed(match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        Method::TRACE => "TRACE",
        Method::CONNECT => "CONNECT",
        _ => return Cow::Owned(method.as_str().to_string()),
    })
}

/// What the pipeline reads of a request's headers, found in one pass over
/// them: looking a header up by name hashes the name, every time.
#[derive(Default)]
pub(super) struct Facts {
    pub request_id: Option<HeaderValue>,
    pub origin: Option<HeaderValue>,
    pub accept_encoding: Option<HeaderValue>,
    pub content_type: Option<HeaderValue>,
    pub content_length: Option<HeaderValue>,
    pub transfer_encoding: bool,
    /// True when a header may hold a secret ([`is_secret`]).
    pub secrets: bool,
    /// The headers' size as `header_limit` counts it: each name and value
    /// with their separators (summed in the same pass).
    pub header_bytes: usize,
}

impl Facts {
    /// The first value of each header the pipeline reads.
    pub fn of(headers: &HeaderMap) -> Facts {
        let mut facts = Facts::default();
        for (name, value) in headers.iter() {
            facts.header_bytes += name.as_str().len() + value.len() + 4;
            let slot = if name == header::CONTENT_TYPE {
                &mut facts.content_type
            } else if name == header::CONTENT_LENGTH {
                &mut facts.content_length
            } else if name == header::ACCEPT_ENCODING {
                &mut facts.accept_encoding
            } else if name == header::ORIGIN {
                &mut facts.origin
            } else if name == header::TRANSFER_ENCODING {
                facts.transfer_encoding = true;
                continue;
            } else if name == REQUEST_ID {
                &mut facts.request_id
            } else {
                facts.secrets |= is_secret(name);
                continue;
            };
            if slot.is_none() {
                *slot = Some(value.clone());
            }
        }
        facts
    }
}
