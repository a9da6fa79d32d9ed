//! What a handler receives: extractors of the request's validated inputs.
//!
//! Handlers should not parse strings again, and generated code needs one
//! stable way to ask for "the path parameters as this struct". So a
//! handler's arguments are extractors implementing [`FromContext`]:
//! [`Path`], [`Query`], [`Headers`], [`Cookies`], [`Json`], [`Form`],
//! [`Multipart`], [`Request`] (method, path, headers, request id), the
//! caller ([`macaron_auth::User`], optional or not), the database
//! ([`macaron_db::Db`]) and the raw body (`Bytes`). Each deserialises its
//! part of the [`Context`] into the user's type. Every `FromContext`
//! implementation of the framework is in this file.

use std::ops::{Deref, DerefMut};

use actix_web::web::Bytes;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::context::{Body, Context};
use crate::error::codes::InvalidParameter;
use crate::error::Result;
use macaron_tape::Tree;

/// Builds a handler argument from the request's [`Context`].
///
/// ```
/// use macaron::{Context, FromContext};
/// struct Limit(i64);
/// impl FromContext for Limit {
///     fn from_context(ctx: &Context) -> macaron::Result<Self> {
///         let macaron::Query(q): macaron::Query<serde_json::Value> = macaron::Query::from_context(ctx)?;
///         Ok(Limit(q["limit"].as_i64().unwrap_or(10)))
///     }
/// }
/// let ctx = Context::for_test().with_query(serde_json::json!({"limit": 3}));
/// assert_eq!(Limit::from_context(&ctx).unwrap().0, 3);
/// ```
pub trait FromContext: Sized {
    /// Extracts the value, or fails with an error reply.
    fn from_context(ctx: &Context) -> Result<Self>;
}

fn deserialize<T: DeserializeOwned>(what: &str, map: &Map<String, Value>) -> Result<T> {
    T::deserialize(ObjectRef(map)).map_err(|e| InvalidParameter::new(format!("{what}: {e}")))
}

/// A borrowed JSON object that deserialises exactly as the owned
/// `Value::Object` would (an `Option` is `Some`, a newtype wraps it), without
/// copying it first.
struct ObjectRef<'a>(&'a Map<String, Value>);

impl<'de> serde::Deserializer<'de> for ObjectRef<'de> {
    type Error = serde_json::Error;

    fn deserialize_any<V: serde::de::Visitor<'de>>(self, visitor: V) -> serde_json::Result<V::Value> {
        serde::Deserializer::deserialize_any(self.0, visitor)
    }

    fn deserialize_option<V: serde::de::Visitor<'de>>(self, visitor: V) -> serde_json::Result<V::Value> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: serde::de::Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> serde_json::Result<V::Value> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: serde::de::Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> serde_json::Result<V::Value> {
        serde::Deserializer::deserialize_enum(self.0, name, variants, visitor)
    }

    fn deserialize_ignored_any<V: serde::de::Visitor<'de>>(self, visitor: V) -> serde_json::Result<V::Value> {
        serde::Deserializer::deserialize_ignored_any(self.0, visitor)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct identifier
    }
}

/// An extractor is a newtype that dereferences to what it holds.
macro_rules! wrapper {
    ($name:ident) => {
        impl<T> Deref for $name<T> {
            type Target = T;
            fn deref(&self) -> &T {
                &self.0
            }
        }

        impl<T> DerefMut for $name<T> {
            fn deref_mut(&mut self) -> &mut T {
                &mut self.0
            }
        }
    };
}

macro_rules! object_extractor {
    ($(#[$meta:meta])* $name:ident, $field:ident, $what:literal) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq)]
        pub struct $name<T>(pub T);

        wrapper!($name);

        impl<T: DeserializeOwned> FromContext for $name<T> {
            fn from_context(ctx: &Context) -> Result<Self> {
                // Deserialised from a reference: no copy of the map.
                deserialize($what, &ctx.params().$field).map($name)
            }
        }
    };
}

object_extractor!(
    /// The path parameters, as an object keyed by parameter name.
    ///
    /// ```
    /// use macaron::{Context, FromContext, Path};
    /// #[derive(serde::Deserialize)]
    /// struct PetPath { id: i64 }
    /// let ctx = Context::for_test().with_path(serde_json::json!({"id": 7}));
    /// assert_eq!(Path::<PetPath>::from_context(&ctx).unwrap().id, 7);
    /// ```
    Path,
    path,
    "path parameters"
);
object_extractor!(
    /// The query parameters, as an object keyed by parameter name.
    ///
    /// ```
    /// use macaron::{Context, FromContext, Query};
    /// #[derive(serde::Deserialize)]
    /// struct Page { limit: Option<i64> }
    /// let ctx = Context::for_test().with_query(serde_json::json!({"limit": 5}));
    /// assert_eq!(Query::<Page>::from_context(&ctx).unwrap().limit, Some(5));
    /// ```
    Query,
    query,
    "query parameters"
);
object_extractor!(
    /// The header parameters declared by the operation, keyed by their name
    /// as written in the spec.
    ///
    /// ```
    /// use macaron::{Context, FromContext, Headers};
    /// let h: Headers<serde_json::Value> = Headers::from_context(&Context::for_test()).unwrap();
    /// assert_eq!(h.0, serde_json::json!({}));
    /// ```
    Headers,
    headers,
    "header parameters"
);
object_extractor!(
    /// The cookie parameters declared by the operation.
    ///
    /// ```
    /// use macaron::{Context, Cookies, FromContext};
    /// let c: Cookies<serde_json::Value> = Cookies::from_context(&Context::for_test()).unwrap();
    /// assert_eq!(c.0, serde_json::json!({}));
    /// ```
    Cookies,
    cookies,
    "cookie parameters"
);

/// The header parameters (alias of [`Headers`]).
pub type Header<T> = Headers<T>;

/// The validated JSON body.
///
/// ```
/// use macaron::{Context, FromContext, Json};
/// #[derive(serde::Deserialize)]
/// struct NewPet { name: String }
/// let ctx = Context::for_test().with_body(serde_json::json!({"name": "Rex"}));
/// assert_eq!(Json::<NewPet>::from_context(&ctx).unwrap().name, "Rex");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Json<T>(pub T);

/// The validated `application/x-www-form-urlencoded` body, coerced to the
/// schema's types.
///
/// ```
/// use macaron::{Context, Form, FromContext};
/// let ctx = Context::for_test().with_body(serde_json::json!({"qty": 2}));
/// let Form(f): Form<serde_json::Value> = Form::from_context(&ctx).unwrap();
/// assert_eq!(f["qty"], 2);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Form<T>(pub T);

macro_rules! body_extractor {
    ($name:ident) => {
        wrapper!($name);

        impl<T: DeserializeOwned> FromContext for $name<T> {
            fn from_context(ctx: &Context) -> Result<Self> {
                let value = match &ctx.body {
                    // Deserialised from a reference: no copy of the body.
                    Body::Value { value, .. } => T::deserialize(value),
                    Body::Multipart { form, .. } => T::deserialize(ObjectRef(&form.fields)),
                    // A JSON body, from the tape it was validated on; should that
                    // fail, serde_json reads the text for its own verdict and message.
                    Body::Json { text, tape } => {
                        Tree::on(text, tape).deserialize().or_else(|_| serde_json::from_slice(text.as_bytes()))
                    }
                    Body::None | Body::Raw(_) => T::deserialize(&Value::Null),
                };
                value.map($name).map_err(|e| InvalidParameter::new(format!("body: {e}")))
            }
        }
    };
}

body_extractor!(Json);
body_extractor!(Form);

/// An uploaded file of a `multipart/form-data` body.
#[derive(Debug, Clone, PartialEq)]
pub struct FilePart {
    /// The form field's name.
    pub name: String,
    /// The file name the client gave, if any.
    pub filename: Option<String>,
    /// The part's content type, if given.
    pub content_type: Option<String>,
    /// The content.
    pub bytes: Bytes,
}

/// A `multipart/form-data` body: text fields (coerced to the schema's
/// types) and files.
///
/// ```
/// use macaron::{Context, FromContext, Multipart};
/// // Without a multipart body, the extractor gives an empty form.
/// let m = Multipart::from_context(&Context::for_test()).unwrap();
/// assert!(m.fields.is_empty() && m.files.is_empty());
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Multipart {
    /// Text fields by name.
    pub fields: Map<String, Value>,
    /// Files, in the order sent.
    pub files: Vec<FilePart>,
}

impl Multipart {
    /// The first file sent under a field name.
    pub fn file(&self, name: &str) -> Option<&FilePart> {
        self.files.iter().find(|f| f.name == name)
    }
}

impl FromContext for Multipart {
    fn from_context(ctx: &Context) -> Result<Self> {
        match &ctx.body {
            Body::Multipart { form, .. } => Ok(form.clone()),
            _ => Ok(Multipart::default()),
        }
    }
}

/// The request itself: method, path, query string, headers and request id.
/// Secrets are not hidden here: this is for the handler, not for logs.
///
/// ```
/// use macaron::{Context, FromContext, Request};
/// let r = Request::from_context(&Context::for_test()).unwrap();
/// assert_eq!(r.header("authorization"), None);
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Request {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The path, as sent (not decoded).
    pub path: String,
    /// The query string, without `?`.
    pub query: String,
    /// Every header, names in lower case (shared, not copied, per request).
    pub headers: std::sync::Arc<Vec<(String, String)>>,
    /// The request id (the caller's `X-Request-Id`, or a new uuid).
    pub request_id: String,
    /// The operation being served.
    pub operation_id: String,
}

impl Request {
    /// The first value of a header (name case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

impl FromContext for Request {
    fn from_context(ctx: &Context) -> Result<Self> {
        Ok(ctx.request().clone())
    }
}

impl FromContext for Context {
    fn from_context(ctx: &Context) -> Result<Self> {
        Ok(ctx.clone())
    }
}

/// The raw request body, for media types the framework does not parse.
impl FromContext for Bytes {
    fn from_context(ctx: &Context) -> Result<Self> {
        Ok(ctx.body.raw())
    }
}

/// The authenticated caller, where the operation requires a token.
impl FromContext for macaron_auth::User {
    fn from_context(ctx: &Context) -> Result<Self> {
        ctx.user.clone().ok_or_else(|| macaron_auth::AuthError::Missing.into())
    }
}

/// The caller, if the request carried a valid token (where it is optional).
impl FromContext for Option<macaron_auth::User> {
    fn from_context(ctx: &Context) -> Result<Self> {
        Ok(ctx.user.clone())
    }
}

/// The service's database.
impl FromContext for macaron_db::Db {
    fn from_context(ctx: &Context) -> Result<Self> {
        ctx.db.clone().ok_or_else(crate::storage::no_database)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use serde::Deserialize;
    use serde_json::json;

    use super::*;
    use crate::handler::context::object;

    /// The borrowed object deserialises as the owned `Value::Object` did.
    fn same<T: DeserializeOwned + PartialEq + std::fmt::Debug>(value: Value) {
        let map = object(value.clone());
        let owned = serde_json::from_value::<T>(value).map_err(|e| e.to_string());
        let borrowed = T::deserialize(ObjectRef(&map)).map_err(|e| e.to_string());
        assert_eq!(owned, borrowed);
    }

    #[test]
    fn objects_deserialise_as_owned_values() {
        #[derive(Debug, PartialEq, Deserialize)]
        struct P {
            id: i64,
            name: Option<String>,
        }
        #[derive(Debug, PartialEq, Deserialize)]
        struct Wrapper(HashMap<String, Value>);
        #[derive(Debug, PartialEq, Deserialize)]
        enum E {
            A(i64),
        }
        let value = json!({"id": 7, "name": "x"});
        same::<P>(value.clone());
        same::<Option<P>>(value.clone());
        same::<Wrapper>(value.clone());
        same::<Value>(value.clone());
        same::<HashMap<String, Value>>(value.clone());
        same::<Vec<i64>>(value.clone());
        same::<String>(value.clone());
        same::<P>(json!({"name": "x"}));
        same::<P>(json!({"id": "7"}));
        same::<E>(json!({"A": 1}));
        same::<E>(value);
    }
}
