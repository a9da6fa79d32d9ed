//! What a handler returns, and how it becomes an HTTP reply.
//!
//! Handlers should return their API object, not an HTTP response: the
//! status is almost always implied (200, or 201 for a creation), and the
//! framework must see the object as JSON to validate it against the spec
//! before sending it. So a handler returns `Result<R, macaron::Error>` where
//! `R` is anything implementing [`Reply`]: every `T: Serialize` (200 JSON),
//! the status wrappers [`Created`], [`Accepted`], [`NoContent`], any reply
//! with another status through [`Reply::with_status`], and a hand-built
//! [`Response`] for the rare non-JSON reply. `check` holds the reply's
//! check against the spec; the HTTP layer turns a [`Response`] into bytes
//! on the wire.

use std::borrow::Cow;

use actix_web::web::Bytes;
use bytestring::ByteString;
use serde::Serialize;
use serde_json::Value;

use crate::error::Result;
use macaron_tape::Entry;

mod check;

pub(crate) use check::check_reply;

/// A reply ready to validate and send: status, body and extra headers.
///
/// ```
/// let r = macaron::Response::bytes(200, "text/plain", "hi").header("X-Hello", "world");
/// assert_eq!(r.status(), 200);
/// ```
#[derive(Debug, Clone)]
pub struct Response {
    pub(crate) status: u16,
    pub(crate) body: Body,
    pub(crate) headers: Vec<(String, String)>,
}

/// The body of a [`Response`].
#[derive(Debug, Clone)]
pub(crate) enum Body {
    Empty,
    Json(Value),
    /// JSON already written by the handler's type: sent as it is, and
    /// checked on the tape recorded while it was written (or, without one,
    /// read back from the text).
    Encoded {
        text: ByteString,
        tape: Option<Vec<Entry<'static>>>,
    },
    Bytes {
        content_type: Cow<'static, str>,
        bytes: Bytes,
    },
}

impl Response {
    /// A JSON reply.
    ///
    /// ```
    /// let r = macaron::Response::json(200, serde_json::json!({"a": 1}));
    /// assert_eq!(r.status(), 200);
    /// ```
    pub fn json(status: u16, value: Value) -> Self {
        Response { status, body: Body::Json(value), headers: Vec::new() }
    }

    /// A JSON reply written straight from a serialisable value.
    pub(crate) fn encode<T: Serialize>(status: u16, value: &T) -> Result<Self> {
        if cfg!(feature = "json-values") {
            // The tape's baseline (docs/performance.md): a Value, checked, then written.
            return Ok(Response::json(status, serde_json::to_value(value)?));
        }
        let (text, tape) = macaron_tape::write(value)?;
        Ok(Response { status, body: Body::Encoded { text: text.into(), tape }, headers: Vec::new() })
    }

    /// A reply without a body.
    ///
    /// ```
    /// assert_eq!(macaron::Response::empty(204).status(), 204);
    /// ```
    pub fn empty(status: u16) -> Self {
        Response { status, body: Body::Empty, headers: Vec::new() }
    }

    /// A reply with raw bytes of a given content type (not validated).
    ///
    /// ```
    /// let r = macaron::Response::bytes(200, "text/csv", "a,b\n1,2\n");
    /// assert_eq!(r.status(), 200);
    /// ```
    pub fn bytes(status: u16, content_type: impl Into<Cow<'static, str>>, bytes: impl Into<Bytes>) -> Self {
        Response {
            status,
            body: Body::Bytes { content_type: content_type.into(), bytes: bytes.into() },
            headers: Vec::new(),
        }
    }

    /// Adds a header.
    ///
    /// ```
    /// let r = macaron::Response::empty(204).header("Location", "/v1/pets/1");
    /// assert_eq!(r.status(), 204);
    /// ```
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The status.
    pub fn status(&self) -> u16 {
        self.status
    }
}

/// Anything a handler can return.
///
/// ```
/// use macaron::Reply;
/// #[derive(serde::Serialize)]
/// struct Pet { name: String }
///
/// let r = Pet { name: "Rex".into() }.into_response().unwrap();
/// assert_eq!(r.status(), 200);
/// let r = Pet { name: "Rex".into() }.with_status(203).into_response().unwrap();
/// assert_eq!(r.status(), 203);
/// assert_eq!(macaron::Created(Pet { name: "Rex".into() }).into_response().unwrap().status(), 201);
/// ```
pub trait Reply {
    /// Turns the value into a response (serialisation errors become 500).
    fn into_response(self) -> Result<Response>;

    /// The same reply with another status.
    fn with_status(self, status: u16) -> WithStatus<Self>
    where
        Self: Sized,
    {
        WithStatus(status, self)
    }
}

impl<T: Serialize> Reply for T {
    fn into_response(self) -> Result<Response> {
        Response::encode(200, &self)
    }
}

impl Reply for Response {
    fn into_response(self) -> Result<Response> {
        Ok(self)
    }
}

/// A reply with an explicit status (see [`Reply::with_status`]).
#[derive(Debug, Clone)]
pub struct WithStatus<R>(pub u16, pub R);

impl<R: Reply> Reply for WithStatus<R> {
    fn into_response(self) -> Result<Response> {
        let mut response = self.1.into_response()?;
        response.status = self.0;
        Ok(response)
    }
}

/// 201 Created with a JSON body.
///
/// ```
/// use macaron::Reply;
/// assert_eq!(macaron::Created(serde_json::json!({"id": 1})).into_response().unwrap().status(), 201);
/// ```
#[derive(Debug, Clone)]
pub struct Created<T>(pub T);

impl<T: Serialize> Reply for Created<T> {
    fn into_response(self) -> Result<Response> {
        Response::encode(201, &self.0)
    }
}

/// 202 Accepted with a JSON body.
///
/// ```
/// use macaron::Reply;
/// assert_eq!(macaron::Accepted(serde_json::json!({"job": 7})).into_response().unwrap().status(), 202);
/// ```
#[derive(Debug, Clone)]
pub struct Accepted<T>(pub T);

impl<T: Serialize> Reply for Accepted<T> {
    fn into_response(self) -> Result<Response> {
        Response::encode(202, &self.0)
    }
}

/// 204 No Content.
///
/// ```
/// use macaron::Reply;
/// assert_eq!(macaron::NoContent.into_response().unwrap().status(), 204);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct NoContent;

impl Reply for NoContent {
    fn into_response(self) -> Result<Response> {
        Ok(Response::empty(204))
    }
}
