//! Swagger 2.0 objects translated into the 3.x model.
//!
//! Most of a 2.0 document reads like 3.0; what differs is translated here,
//! on each object as the builder meets it (after its `$ref` is resolved):
//!
//! | Swagger 2.0 | becomes |
//! |---|---|
//! | `host` + `basePath` + `schemes` | one server; `basePath` is the prefix |
//! | `in: body` parameter | request body, one media type per `consumes` |
//! | `in: formData` parameters | an object body (`multipart/form-data` when a file is sent or `consumes` says so, else `application/x-www-form-urlencoded`) |
//! | `type`, `format`, `items`, ... on a parameter or header | its `schema` |
//! | `collectionFormat` csv / ssv / tsv / pipes / multi | style simple or form, spaceDelimited, tabDelimited, pipeDelimited, form + explode |
//! | `schema` + `produces` on a response | `content`, one media type per `produces` |
//! | `securityDefinitions` basic / apiKey / oauth2 | http basic / apiKey / oauth2 with 3.x `flows` |

use indexmap::IndexMap;
use serde_json::{json, Map, Value};

use crate::builder::{prefix_of, str_of, Builder};
use crate::docs::Loc;
use crate::model::{Header, MediaType, ParamLocation, ParamStyle, RequestBody, SecurityScheme, Server};

/// The keywords a non-body parameter, an `items` object or a header shares
/// with a schema.
#[rustfmt::skip]
const SCHEMA_KEYS: [&str; 17] = [
    "type", "format", "items", "default", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum",
    "maxLength", "minLength", "pattern", "maxItems", "minItems", "uniqueItems", "enum", "multipleOf",
    "x-nullable",
];

/// The server of a 2.0 document.
pub(crate) fn server(root: &Value) -> Server {
    let base = str_of(root, "basePath").unwrap_or_else(|| "/".into());
    let url = match str_of(root, "host") {
        Some(host) => {
            let scheme = root
                .get("schemes")
                .and_then(Value::as_array)
                .and_then(|s| s.first())
                .and_then(Value::as_str)
                .unwrap_or("https");
            format!("{scheme}://{host}{base}")
        }
        None => base.clone(),
    };
    Server { prefix: prefix_of(&base), url }
}

/// The schema of a non-body parameter and the style its `collectionFormat` means.
pub(crate) fn parameter_schema(param: &Value, location: ParamLocation) -> (Value, Option<ParamStyle>) {
    let style = match param.get("collectionFormat").and_then(Value::as_str) {
        Some("ssv") => Some(ParamStyle::SpaceDelimited),
        Some("tsv") => Some(ParamStyle::TabDelimited),
        Some("pipes") => Some(ParamStyle::PipeDelimited),
        Some("multi") => Some(ParamStyle::Form),
        _ if matches!(location, ParamLocation::Query) => Some(ParamStyle::Form),
        _ => Some(ParamStyle::Simple),
    };
    (schema_of(param), style)
}

/// `explode` of a 2.0 parameter: an array explodes only with
/// `collectionFormat: multi`; a scalar takes OpenAPI 3's default for its style.
pub(crate) fn explode(param: &Value, style: ParamStyle) -> bool {
    if param.get("type").and_then(Value::as_str) == Some("array") {
        param.get("collectionFormat").and_then(Value::as_str) == Some("multi")
    } else {
        style == ParamStyle::Form
    }
}

/// The schema keywords of a parameter, items or header object, `items` included.
fn schema_of(object: &Value) -> Value {
    let mut schema = Map::new();
    for key in SCHEMA_KEYS {
        if let Some(v) = object.get(key) {
            let v = if key == "items" && v.is_object() { schema_of(v) } else { v.clone() };
            schema.insert(key.into(), v);
        }
    }
    Value::Object(schema)
}

fn media_types(op: &Value, root: &Value, key: &str) -> Vec<String> {
    let list = op.get(key).or_else(|| root.get(key)).and_then(Value::as_array);
    let types: Vec<String> =
        list.map(|l| l.iter().filter_map(|v| v.as_str().map(String::from)).collect()).unwrap_or_default();
    if types.is_empty() {
        vec!["application/json".into()]
    } else {
        types
    }
}

/// An object with `properties` and `required`, for form parameters.
fn object_schema(properties: Map<String, Value>, required: Vec<Value>) -> Value {
    let mut schema = Map::new();
    schema.insert("type".into(), "object".into());
    schema.insert("properties".into(), Value::Object(properties));
    if !required.is_empty() {
        schema.insert("required".into(), Value::Array(required));
    }
    Value::Object(schema)
}

/// The request body made of an operation's `body` or `formData` parameters.
pub(crate) fn request_body(b: &mut Builder<'_>, op: &Value, params: &[(&Value, Loc)]) -> Option<RequestBody> {
    if params.is_empty() {
        return None;
    }
    let consumes = media_types(op, b.docs.root(), "consumes");
    if let Some((body, loc)) = params.iter().find(|(p, _)| p.get("in").and_then(Value::as_str) == Some("body")) {
        if params.len() > 1 {
            b.defect(
                loc,
                "an operation with an `in: body` parameter cannot have other body or formData parameters",
                "the body parameter alone is the request body",
            );
        }
        let schema = match body.get("schema") {
            Some(_) => b.schemas.normalize(&loc.key("schema")),
            None => json!({}),
        };
        let content = consumes
            .into_iter()
            .map(|m| (m, MediaType { schema: Some(schema.clone()), encoding: IndexMap::new() }))
            .collect();
        return Some(RequestBody {
            required: body.get("required") == Some(&Value::Bool(true)),
            description: str_of(body, "description"),
            content,
        });
    }
    let mut properties = Map::new();
    let mut required = Vec::new();
    let mut has_file = false;
    for (param, loc) in params {
        let Some(name) = str_of(param, "name") else { continue };
        has_file |= param.get("type").and_then(Value::as_str) == Some("file");
        properties.insert(name.clone(), b.schemas.normalize_value(&schema_of(param), loc));
        if param.get("required") == Some(&Value::Bool(true)) {
            required.push(Value::String(name));
        }
    }
    let any_required = !required.is_empty();
    let schema = object_schema(properties, required);
    let mut forms: Vec<String> = consumes
        .into_iter()
        .filter(|m| m.starts_with("multipart/form-data") || m.starts_with("application/x-www-form-urlencoded"))
        .collect();
    if forms.is_empty() {
        forms.push(if has_file { "multipart/form-data" } else { "application/x-www-form-urlencoded" }.into());
    }
    let content =
        forms.into_iter().map(|m| (m, MediaType { schema: Some(schema.clone()), encoding: IndexMap::new() })).collect();
    Some(RequestBody { required: any_required, description: None, content })
}

/// Headers and content of a 2.0 response.
pub(crate) fn response(
    b: &mut Builder<'_>,
    op: &Value,
    response: &Value,
    loc: &Loc,
) -> (IndexMap<String, Header>, IndexMap<String, MediaType>) {
    let mut headers = IndexMap::new();
    if let Some(Value::Object(map)) = response.get("headers") {
        for (name, header) in map {
            let schema = b.schemas.normalize_value(&schema_of(header), &loc.key("headers").key(name));
            headers
                .insert(name.clone(), Header { required: false, description: str_of(header, "description"), schema });
        }
    }
    let mut content = IndexMap::new();
    if response.get("schema").is_some() {
        let schema = b.schemas.normalize(&loc.key("schema"));
        for media in media_types(op, b.docs.root(), "produces") {
            content.insert(media, MediaType { schema: Some(schema.clone()), encoding: IndexMap::new() });
        }
    }
    (headers, content)
}

/// `securityDefinitions` as 3.x security schemes.
pub(crate) fn security_definitions(b: &mut Builder<'_>) -> IndexMap<String, SecurityScheme> {
    let mut out = IndexMap::new();
    let home = Loc::new(0, "/securityDefinitions");
    let Some(Value::Object(map)) = b.docs.get(&home) else { return out };
    for (name, def) in map {
        let loc = home.key(name);
        let scheme = match def.get("type").and_then(Value::as_str) {
            Some("basic") => Some(SecurityScheme::Http { scheme: "basic".into(), bearer_format: None }),
            Some("apiKey") => b.api_key(def, &loc),
            Some("oauth2") => {
                let flow = match def.get("flow").and_then(Value::as_str) {
                    Some("accessCode") => "authorizationCode",
                    Some("application") => "clientCredentials",
                    Some(other) => other,
                    None => "implicit",
                };
                let mut spec = Map::new();
                for (from, to) in
                    [("authorizationUrl", "authorizationUrl"), ("tokenUrl", "tokenUrl"), ("scopes", "scopes")]
                {
                    if let Some(v) = def.get(from) {
                        spec.insert(to.into(), v.clone());
                    }
                }
                Some(SecurityScheme::OAuth2 { flows: json!({ flow: spec }) })
            }
            other => {
                b.defect(
                    &loc.key("type"),
                    format!("unknown security definition type {other:?} (basic, apiKey, oauth2)"),
                    crate::builder::IGNORED_SCHEME,
                );
                None
            }
        };
        if let Some(scheme) = scheme {
            out.insert(name.clone(), scheme);
        }
    }
    out
}
