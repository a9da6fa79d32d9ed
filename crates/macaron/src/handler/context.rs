//! The request's validated inputs, as the handler's extractors read them.
//!
//! By the time a handler runs, every parameter and the body have been
//! checked against the spec and coerced to the schema's types (a query
//! string `"10"` declared `integer` is the number `10`). The inputs room
//! writes them here, each parameter location as a JSON object keyed by
//! parameter name and the body as one [`Body`], whichever way it was read;
//! the extractors (`extract`) deserialise their part into the user's types.

use std::sync::{Arc, OnceLock};

use actix_web::web::Bytes;
use bytestring::ByteString;
use serde_json::{Map, Value};

use super::extract::{Multipart, Request};
use crate::request::Current;
use macaron_tape::Entry;

/// The validated inputs of one request, handed to extractors.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// The request's description, made from `source` when first asked for.
    pub(crate) request: OnceLock<Request>,
    pub(crate) source: Option<Source>,
    /// The parameters, made only for an operation that has some.
    pub(crate) params: Option<Box<Params>>,
    /// The body, as it was read.
    pub(crate) body: Body,
    pub(crate) user: Option<macaron_auth::User>,
    pub(crate) db: Option<macaron_db::Db>,
}

/// The validated parameters of a request, by location.
#[derive(Debug, Clone, Default)]
pub(crate) struct Params {
    pub path: Map<String, Value>,
    pub query: Map<String, Value>,
    pub headers: Map<String, Value>,
    pub cookies: Map<String, Value>,
}

/// A request's body, validated, in the form its media type was read into.
#[derive(Debug, Clone, Default)]
pub(crate) enum Body {
    /// No body.
    #[default]
    None,
    /// A JSON body: its text (the request's own buffer) and the tape it was
    /// validated on, from which the handler's type is read.
    Json { text: ByteString, tape: Vec<Entry<'static>> },
    /// A body read into a value: an urlencoded form coerced to its
    /// schema's types (or a unit test's body).
    Value { value: Value, raw: Bytes },
    /// A `multipart/form-data` body: its text fields (what `Json` and
    /// `Form` see) and its files.
    Multipart { form: Multipart, raw: Bytes },
    /// A body of a media type the framework does not parse.
    Raw(Bytes),
}

impl Body {
    /// The body's bytes, as received.
    pub fn raw(&self) -> Bytes {
        match self {
            Body::None => Bytes::new(),
            Body::Json { text, .. } => text.as_bytes().clone(),
            Body::Value { raw, .. } | Body::Multipart { raw, .. } | Body::Raw(raw) => raw.clone(),
        }
    }
}

/// The parameters of a request without any.
static NO_PARAMS: std::sync::LazyLock<Params> = std::sync::LazyLock::new(Params::default);

impl Context {
    /// The request's parameters (none for an operation without any).
    pub(crate) fn params(&self) -> &Params {
        self.params.as_deref().unwrap_or(&NO_PARAMS)
    }

    /// The request's parameters, to fill in.
    pub(crate) fn params_mut(&mut self) -> &mut Params {
        self.params.get_or_insert_with(Box::default)
    }

    /// A context for unit-testing extractors and handlers without a server.
    ///
    /// ```
    /// use macaron::{Context, FromContext, Path};
    /// let ctx = Context::for_test().with_path(serde_json::json!({"id": 7}));
    /// let Path(id): Path<serde_json::Value> = Path::from_context(&ctx).unwrap();
    /// assert_eq!(id["id"], 7);
    /// ```
    pub fn for_test() -> Self {
        Context::default()
    }

    /// Sets the path parameters (a JSON object).
    pub fn with_path(mut self, value: Value) -> Self {
        self.params_mut().path = object(value);
        self
    }

    /// Sets the query parameters (a JSON object).
    pub fn with_query(mut self, value: Value) -> Self {
        self.params_mut().query = object(value);
        self
    }

    /// Sets the body.
    pub fn with_body(mut self, value: Value) -> Self {
        self.body = Body::Value { value, raw: Bytes::new() };
        self
    }

    /// The request's description.
    pub fn request(&self) -> &Request {
        self.request.get_or_init(|| self.source.as_ref().map(Source::request).unwrap_or_default())
    }

    /// The authenticated caller, when the request carried a valid token.
    pub fn user(&self) -> Option<&macaron_auth::User> {
        self.user.as_ref()
    }

    /// Sets the authenticated caller (for unit tests of handlers and guards).
    pub fn with_user(mut self, user: macaron_auth::User) -> Self {
        self.user = Some(user);
        self
    }
}

/// Where a request's description comes from: it is made only for the
/// handlers that ask for it.
#[derive(Clone)]
pub(crate) struct Source {
    pub current: Arc<Current>,
    /// The operation being served.
    pub operation: Arc<str>,
}

impl Source {
    fn request(&self) -> Request {
        let current = &self.current;
        Request {
            method: current.method.to_string(),
            path: current.path().to_string(),
            query: current.query().to_string(),
            headers: current.headers.list().clone(),
            request_id: current.request_id.to_string(),
            operation_id: self.operation.to_string(),
        }
    }
}

impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Source").field("request_id", &self.current.request_id).field("op", &self.operation).finish()
    }
}

/// A JSON value as an object (anything else as an empty one).
pub(crate) fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}
