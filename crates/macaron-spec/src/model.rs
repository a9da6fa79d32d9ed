//! The resolved model: what a document says, whatever version it is in.
//!
//! Every reference outside schemas is resolved (parameters, responses,
//! request bodies, headers, path items and security schemes are inlined);
//! schemas stay JSON Schema values whose `$ref`s all point to
//! `#/components/schemas/NAME` in [`Api::schemas`] (see [`crate::schema`]
//! for why). Swagger 2.0 arrives in the same shape as 3.x: body and form
//! parameters become a [`RequestBody`], `produces` becomes response content,
//! `basePath` the prefix. The model is plain data with `Serialize`, so it
//! can be dumped, diffed and pinned by golden files.

use std::fmt;

use indexmap::IndexMap;
use serde::Serialize;
use serde_json::Value;

use crate::extensions::Extensions;
use crate::path::PathTemplate;
use crate::pointer::unescape;

/// Prefix of every schema reference in the model: each `$ref` of
/// [`Api::schemas`] reads `#/components/schemas/NAME`.
pub const COMPONENTS_PREFIX: &str = "#/components/schemas/";

/// The OpenAPI version family of a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum SpecVersion {
    /// Swagger 2.0.
    #[serde(rename = "2.0")]
    Swagger2,
    /// OpenAPI 3.0.x.
    #[serde(rename = "3.0")]
    OpenApi30,
    /// OpenAPI 3.1.x.
    #[serde(rename = "3.1")]
    OpenApi31,
}

/// A loaded, resolved document.
#[derive(Debug, Clone, Serialize)]
pub struct Api {
    /// Short name: the file name without folder and extension (`petstore`).
    pub name: String,
    /// The file as given, or the name given to bytes.
    pub file: String,
    /// Version family.
    pub version: SpecVersion,
    /// The exact `openapi` / `swagger` string.
    pub version_string: String,
    /// `info.title`, `info.version`, `info.description`.
    pub info: Info,
    /// The document's servers (Swagger 2.0: one built from host, basePath, schemes).
    pub servers: Vec<Server>,
    /// Every operation under `paths`, in document order.
    pub operations: Vec<Operation>,
    /// 3.1 webhooks: operations the service calls, not serves.
    pub webhooks: Vec<Operation>,
    /// Every schema, as JSON Schema 2020-12, by component name.
    pub schemas: IndexMap<String, Value>,
    /// Security schemes by name.
    pub security_schemes: IndexMap<String, SecurityScheme>,
    /// The document-wide `security`.
    pub security: Vec<SecurityRequirement>,
    /// The document's own `x-` extensions.
    pub extensions: Extensions,
    /// The defects a lenient reading accepted, each with what was assumed
    /// (always empty when read strictly: defects are errors then).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<crate::Diagnostic>,
}

/// `info` of a document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Info {
    /// `info.title`.
    pub title: String,
    /// `info.version`: the API's version, not OpenAPI's.
    pub version: String,
    /// `info.description`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A server: its URL with variables replaced by their defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Server {
    /// The URL, variables substituted.
    pub url: String,
    /// The path part of the URL without a trailing `/` (`/v1`, or empty).
    pub prefix: String,
}

/// HTTP methods an operation can have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    /// GET
    Get,
    /// PUT
    Put,
    /// POST
    Post,
    /// DELETE
    Delete,
    /// OPTIONS
    Options,
    /// HEAD
    Head,
    /// PATCH
    Patch,
    /// TRACE
    Trace,
}

impl Method {
    /// Every method, as the keys of a path item.
    pub const ALL: [(&'static str, Method); 8] = [
        ("get", Method::Get),
        ("put", Method::Put),
        ("post", Method::Post),
        ("delete", Method::Delete),
        ("options", Method::Options),
        ("head", Method::Head),
        ("patch", Method::Patch),
        ("trace", Method::Trace),
    ];

    /// The method in upper case (`GET`).
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Delete => "DELETE",
            Method::Options => "OPTIONS",
            Method::Head => "HEAD",
            Method::Patch => "PATCH",
            Method::Trace => "TRACE",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One operation: a method on a path.
#[derive(Debug, Clone, Serialize)]
pub struct Operation {
    /// `operationId`, or one derived from method and path (see [`Operation::id_derived`]).
    pub id: String,
    /// True when the document gave no `operationId`.
    pub id_derived: bool,
    /// The method.
    pub method: Method,
    /// The path template as written under `paths` (for webhooks: `/` + the webhook's name).
    pub path: PathTemplate,
    /// Path of the effective server (operation, path item or document
    /// `servers`; Swagger 2.0 `basePath`), without a trailing `/`.
    pub prefix: String,
    /// JSON pointer of the operation in its document.
    pub pointer: String,
    /// `summary`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// `description`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `tags`.
    pub tags: Vec<String>,
    /// `deprecated`.
    pub deprecated: bool,
    /// Path-item and operation parameters merged (the operation's win).
    pub parameters: Vec<Parameter>,
    /// The request body, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_body: Option<RequestBody>,
    /// Responses in document order.
    pub responses: Vec<Response>,
    /// The effective security: the operation's own `security` if it has one,
    /// else the document's. Empty means open. A requirement with no schemes
    /// (`{}`) inside a non-empty list makes authentication optional.
    pub security: Vec<SecurityRequirement>,
    /// The operation's `x-` extensions.
    pub extensions: Extensions,
}

impl Operation {
    /// The full path the service serves: prefix plus template.
    pub fn full_path(&self) -> String {
        format!("{}{}", self.prefix, self.path)
    }

    /// `x-bind-server`: the Rust path of the handler function.
    pub fn bind_server(&self) -> Option<&str> {
        self.extensions.str("x-bind-server")
    }

    /// `x-decorate-server`: the Rust path of a guard run before the handler.
    pub fn decorate_server(&self) -> Option<&str> {
        self.extensions.str("x-decorate-server")
    }

    /// The parameter of that name and location.
    pub fn parameter(&self, name: &str, location: ParamLocation) -> Option<&Parameter> {
        self.parameters.iter().find(|p| p.name == name && p.location == location)
    }

    /// The response declared for a status: exact code, then `4XX`-style
    /// range, then `default`.
    pub fn response(&self, status: u16) -> Option<&Response> {
        let exact = Status::Code(status);
        let range = Status::Range((status / 100) as u8);
        self.responses
            .iter()
            .find(|r| r.status == exact)
            .or_else(|| self.responses.iter().find(|r| r.status == range))
            .or_else(|| self.responses.iter().find(|r| r.status == Status::Default))
    }
}

/// Where a parameter is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ParamLocation {
    /// In the path template.
    Path,
    /// In the query string.
    Query,
    /// In a header.
    Header,
    /// In a cookie.
    Cookie,
}

/// How a parameter's value is serialised (OpenAPI 3 `style`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ParamStyle {
    /// `;name=value`
    Matrix,
    /// `.value`
    Label,
    /// `name=value` (query, cookie default)
    Form,
    /// `a,b,c` (path, header default)
    Simple,
    /// `a b c`
    SpaceDelimited,
    /// `a|b|c`
    PipeDelimited,
    /// `name[key]=value`
    DeepObject,
    /// Swagger 2.0 `collectionFormat: tsv`, which OpenAPI 3 has no style for.
    TabDelimited,
}

/// A parameter of an operation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Parameter {
    /// Name (case as written; headers are matched case-insensitively).
    pub name: String,
    /// Location.
    #[serde(rename = "in")]
    pub location: ParamLocation,
    /// Required (always true for path parameters).
    pub required: bool,
    /// Serialisation style (the location's default when not given).
    pub style: ParamStyle,
    /// Explode (defaults to true for `form`, false otherwise).
    pub explode: bool,
    /// `allowReserved`.
    pub allow_reserved: bool,
    /// `allowEmptyValue`.
    pub allow_empty_value: bool,
    /// `deprecated`.
    pub deprecated: bool,
    /// `description`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Schema of the value (JSON Schema 2020-12).
    pub schema: Value,
    /// When the parameter uses `content` instead of `schema`: its media type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// The parameter's `x-` extensions.
    pub extensions: Extensions,
}

/// A request body.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RequestBody {
    /// `required`.
    pub required: bool,
    /// `description`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Accepted media types (`application/json`, `multipart/form-data`, ...).
    pub content: IndexMap<String, MediaType>,
}

/// The schema (and form encoding) for one media type.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MediaType {
    /// The schema, when one is given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema: Option<Value>,
    /// `encoding` of form bodies, by property, as written.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub encoding: IndexMap<String, Value>,
}

/// A response status key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// An exact code (`200`).
    Code(u16),
    /// A range (`4XX` is `Range(4)`).
    Range(u8),
    /// `default`.
    Default,
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Status::Code(code) => write!(f, "{code}"),
            Status::Range(n) => write!(f, "{n}XX"),
            Status::Default => f.write_str("default"),
        }
    }
}

/// One declared response.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Response {
    /// Status key.
    pub status: Status,
    /// `description`.
    pub description: String,
    /// Headers by name.
    pub headers: IndexMap<String, Header>,
    /// Media types; empty for a response without a body.
    pub content: IndexMap<String, MediaType>,
    /// The response's `x-` extensions.
    pub extensions: Extensions,
}

/// A response header.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Header {
    /// `required`.
    pub required: bool,
    /// `description`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Schema of the value.
    pub schema: Value,
}

/// One alternative of a security requirement: scheme name → scopes.
/// All schemes of one requirement apply together.
pub type SecurityRequirement = IndexMap<String, Vec<String>>;

/// A security scheme.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum SecurityScheme {
    /// HTTP authentication (`bearer`, `basic`, ...).
    Http {
        /// `scheme`, lower case.
        scheme: String,
        /// `bearerFormat` (`JWT`).
        #[serde(skip_serializing_if = "Option::is_none")]
        bearer_format: Option<String>,
    },
    /// A key in a header, query parameter or cookie.
    ApiKey {
        /// Name of the header, parameter or cookie.
        name: String,
        /// Where it is sent.
        location: ParamLocation,
    },
    /// OAuth 2 (flows kept as written, 2.0's converted to 3.x shape).
    #[serde(rename = "oauth2")]
    OAuth2 {
        /// `flows`.
        flows: Value,
    },
    /// OpenID Connect discovery.
    OpenIdConnect {
        /// `openIdConnectUrl`.
        url: String,
    },
    /// Mutual TLS (3.1).
    MutualTls,
}

impl SecurityScheme {
    /// True for an HTTP bearer scheme: the ones Macaron checks JWTs for.
    pub fn is_bearer(&self) -> bool {
        matches!(self, SecurityScheme::Http { scheme, .. } if scheme == "bearer")
    }
}

impl Api {
    /// The operation with that `operationId`.
    pub fn operation(&self, id: &str) -> Option<&Operation> {
        self.operations.iter().find(|op| op.id == id)
    }

    /// All schemas as one JSON Schema resource, `{"components": {"schemas":
    /// ...}}`: register it (under any base URI) and every `$ref` of every
    /// schema in the model resolves inside it.
    pub fn schema_resource(&self) -> Value {
        let schemas = serde_json::Map::from_iter(self.schemas.iter().map(|(k, v)| (k.clone(), v.clone())));
        serde_json::json!({ "components": { "schemas": schemas } })
    }

    /// The component a schema is a reference to, if it is one
    /// (`{"$ref": "#/components/schemas/Pet"}` gives `Pet`).
    pub fn ref_name(schema: &Value) -> Option<&str> {
        schema.get("$ref")?.as_str()?.strip_prefix(COMPONENTS_PREFIX)
    }

    /// Follows `$ref`s from a schema to the first schema that is not a
    /// plain reference (bounded, so a cycle returns the last one seen).
    pub fn resolve<'a>(&'a self, mut schema: &'a Value) -> &'a Value {
        for _ in 0..64 {
            match Api::ref_name(schema).and_then(|name| self.schemas.get(&unescape(name))) {
                Some(target) => schema = target,
                None => break,
            }
        }
        schema
    }
}
