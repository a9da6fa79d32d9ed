//! A request being put together: method, path with its parameters filled
//! in, query, headers, cookies and body, ready for
//! [`HttpClient::send`](super::HttpClient::send) (once, or once per retry).

use serde::Serialize;
use serde_json::Value;

use super::params::{Param, Wire};
use crate::error::codes::ServerError;
use crate::error::Error;

/// The body of a request.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Body {
    /// `application/json`.
    Json(Value),
    /// `application/x-www-form-urlencoded`, encoded.
    Form(String),
}

/// A request to another service, built from an operation's path template
/// and its parameters, each written in its style ([`Param`]).
///
/// ```
/// use macaron::client::{Param, ParamLocation, ParamStyle, Request};
///
/// let mut request = Request::new("GET", "/v1/pets/{petId}/toys");
/// request
///     .param(&Param::new("petId", ParamLocation::Path).style(ParamStyle::Label), &[4, 2])?
///     .param(&Param::new("color", ParamLocation::Query).explode(false), &["red", "blue green"])?
///     .param(&Param::new("limit", ParamLocation::Query), &None::<u32>)?
///     .param(&Param::new("X-Trace", ParamLocation::Header), "on")?
///     .param(&Param::new("session", ParamLocation::Cookie), "a b")?;
/// assert_eq!(request.target(), "/v1/pets/.4,2/toys?color=red,blue%20green");
/// assert_eq!(request.headers(), [("X-Trace".to_string(), "on".to_string())]);
/// assert_eq!(request.cookie_header().as_deref(), Some("session=a%20b"));
/// # Ok::<(), macaron::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    method: String,
    path: String,
    query: Vec<String>,
    headers: Vec<(String, String)>,
    cookies: Vec<String>,
    body: Option<Body>,
}

impl Request {
    /// A request of `method` to `path`, a template whose `{name}` parts
    /// [`Request::param`] fills (the rest is sent as written).
    pub fn new(method: &str, path: impl Into<String>) -> Self {
        Request {
            method: method.to_string(),
            path: path.into(),
            query: Vec::new(),
            headers: Vec::new(),
            cookies: Vec::new(),
            body: None,
        }
    }

    /// Adds a parameter, written in its style: a path parameter fills its
    /// `{name}` in the path, the others go to the query, the headers and the
    /// `Cookie` header. `None` adds nothing.
    ///
    /// A value the style cannot carry is a 400 `INVALID_PARAMETER`; a path
    /// parameter the template does not name is a 500 `SERVER_ERROR`.
    pub fn param<T: Serialize + ?Sized>(&mut self, param: &Param<'_>, value: &T) -> Result<&mut Self, Error> {
        match param.wire(value)? {
            None => {}
            Some(Wire::Path(segment)) => {
                let placeholder = format!("{{{}}}", param.name);
                if !self.path.contains(&placeholder) {
                    return Err(ServerError::new(format!(
                        "path parameter `{}`: the path {} has no {placeholder}",
                        param.name, self.path
                    )));
                }
                self.path = self.path.replacen(&placeholder, &segment, 1);
            }
            Some(Wire::Query(pairs)) => self.query.extend(pairs),
            Some(Wire::Header(value)) => self.headers.push((param.name.to_string(), value)),
            Some(Wire::Cookie(cookies)) => self.cookies.extend(cookies),
        }
        Ok(self)
    }

    /// Adds a header as it is (no style, no check).
    pub fn header(&mut self, name: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sends `body` as JSON.
    ///
    /// ```
    /// let mut request = macaron::client::Request::new("POST", "/v1/pets");
    /// request.json(&serde_json::json!({"name": "Rex"}))?;
    /// # Ok::<(), macaron::Error>(())
    /// ```
    pub fn json<T: Serialize + ?Sized>(&mut self, body: &T) -> Result<&mut Self, Error> {
        let value = serde_json::to_value(body)
            .map_err(|e| ServerError::new(format!("the body of {} {}: {e}", self.method, self.path)))?;
        self.body = Some(Body::Json(value));
        Ok(self)
    }

    /// Sends `body`, an object, as `application/x-www-form-urlencoded`
    /// (each property a `form` field, arrays one field per item).
    ///
    /// ```
    /// let mut request = macaron::client::Request::new("POST", "/login");
    /// request.form(&serde_json::json!({"user": "ada", "scopes": ["a b", "c"]}))?;
    /// assert_eq!(request.form_body(), Some("user=ada&scopes=a%20b&scopes=c"));
    /// # Ok::<(), macaron::Error>(())
    /// ```
    pub fn form<T: Serialize + ?Sized>(&mut self, body: &T) -> Result<&mut Self, Error> {
        let value = serde_json::to_value(body)
            .map_err(|e| ServerError::new(format!("the body of {} {}: {e}", self.method, self.path)))?;
        let mut pairs = Vec::new();
        match value {
            Value::Object(fields) => {
                for (name, value) in fields {
                    let param = Param::new(&name, super::ParamLocation::Query);
                    if let Some(Wire::Query(more)) = param.wire(&value)? {
                        pairs.extend(more);
                    }
                }
            }
            Value::Null => {}
            other => {
                return Err(ServerError::new(format!(
                    "the form body of {} {} is not an object: {other}",
                    self.method, self.path
                )))
            }
        }
        self.body = Some(Body::Form(pairs.join("&")));
        Ok(self)
    }

    /// The method.
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The path and query as sent (`/v1/pets/4?limit=10`).
    pub fn target(&self) -> String {
        if self.query.is_empty() {
            return self.path.clone();
        }
        let joiner = if self.path.contains('?') { '&' } else { '?' };
        format!("{}{joiner}{}", self.path, self.query.join("&"))
    }

    /// The headers added so far (the `Cookie` header apart).
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// The `Cookie` header's value, when a cookie parameter was added.
    pub fn cookie_header(&self) -> Option<String> {
        (!self.cookies.is_empty()).then(|| self.cookies.join("; "))
    }

    /// The encoded body of [`Request::form`].
    pub fn form_body(&self) -> Option<&str> {
        match &self.body {
            Some(Body::Form(text)) => Some(text),
            _ => None,
        }
    }

    pub(crate) fn body(&self) -> Option<&Body> {
        self.body.as_ref()
    }
}
