//! Building the resolved model from a set of parsed files: the walk.
//!
//! One walk serves the three versions: it goes through `paths` (and 3.1
//! `webhooks`), resolves every reference it meets through [`Docs`], and asks
//! [`crate::swagger2`] to translate the Swagger 2.0 objects that have no 3.x
//! twin (body and form parameters, `collectionFormat`, `produces`,
//! `securityDefinitions`). The state both share, [`Builder`], lives in
//! [`crate::builder`], so the translations never reach back into this walk.
//! Problems are collected, never thrown, so one run reports everything
//! wrong with a document.

use std::collections::{HashMap, HashSet};

use indexmap::IndexMap;
use serde_json::{json, Value};

use crate::builder::{prefix_of, str_of, Builder, IGNORED_SCHEME};
use crate::docs::{Docs, Loc};
use crate::error::Error;
use crate::extensions::{self, Extensions};
use crate::model::*;
use crate::options::Options;
use crate::path::PathTemplate;
use crate::swagger2;

/// What a lenient reading assumes of a parameter it cannot read.
const IGNORED_PARAMETER: &str = "the parameter is ignored";

/// Builds the model of the document set; `name` is the API's short name.
pub(crate) fn build(docs: &Docs, name: String, file: String, options: &Options) -> Result<Api, Error> {
    let root = docs.root();
    let at_root = Loc::new(0, "");
    if !root.is_object() {
        return Err(Error::one(docs.diag(&at_root, "not an OpenAPI document: the top level is not a mapping")));
    }
    let (version, version_string) = detect_version(docs)?;
    let mut b = Builder::new(docs, version, options.lenient);
    let info = b.info();
    b.schemes =
        if version == SpecVersion::Swagger2 { swagger2::security_definitions(&mut b) } else { b.security_schemes() };
    b.security = b.security_list(&Loc::new(0, "/security")).unwrap_or_default();
    b.servers = if version == SpecVersion::Swagger2 {
        vec![swagger2::server(root)]
    } else {
        b.server_list(&Loc::new(0, "/servers")).unwrap_or_default()
    };

    let mut operations = Vec::new();
    match root.get("paths") {
        Some(Value::Object(paths)) => {
            // `x-` keys of the Paths Object are extensions, not paths.
            for key in paths.keys().filter(|k| !k.starts_with("x-")) {
                b.path_item(key, &Loc::new(0, "/paths").key(key), false, &mut operations);
            }
        }
        None if version == SpecVersion::OpenApi31 => {}
        None => b.defect(&at_root, "missing `paths` (required before OpenAPI 3.1)", "no operations"),
        Some(_) => b.defect(&Loc::new(0, "/paths"), "`paths` must be a mapping", "no operations"),
    }
    let mut webhooks = Vec::new();
    if let Some(Value::Object(hooks)) = root.get("webhooks") {
        for key in hooks.keys().filter(|k| !k.starts_with("x-")) {
            b.path_item(key, &Loc::new(0, "/webhooks").key(key), true, &mut webhooks);
        }
    }
    assign_ids(&mut b, &mut operations, &mut webhooks);

    let (mut schemas, schema_defects) = b.schemas.finish();
    for (d, assumed) in schema_defects {
        b.record(d, assumed);
    }
    check_components(&mut b, &mut schemas);
    for (mapping, key) in &docs.duplicates {
        b.defect(
            &mapping.key(key),
            format!("the key \"{key}\" appears twice in this mapping"),
            "the last of its values",
        );
    }
    // References nothing walked through (an unused component's, say).
    for (_, d) in &docs.broken {
        if !b.reported.contains(&(d.file.clone(), d.pointer.clone())) {
            b.record(d.clone(), "left unresolved (nothing the model is built from uses this place)".into());
        }
    }
    let Builder { errors, warnings, schemes, security, servers, .. } = b;
    if !errors.is_empty() {
        return Err(Error { diagnostics: errors });
    }
    Ok(Api {
        name,
        file,
        version,
        version_string,
        info,
        servers,
        operations,
        webhooks,
        schemas,
        security_schemes: schemes,
        security,
        extensions: Extensions::of(root),
        warnings,
    })
}

fn detect_version(docs: &Docs) -> Result<(SpecVersion, String), Error> {
    let root = docs.root();
    let (key, found) = match (root.get("openapi"), root.get("swagger")) {
        (Some(v), _) => ("openapi", v),
        (None, Some(v)) => ("swagger", v),
        (None, None) => {
            return Err(Error::one(
                docs.diag(&Loc::new(0, ""), "not an OpenAPI document: no `openapi` (3.x) or `swagger` (2.0) field"),
            ))
        }
    };
    let text = match found {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        other => other.to_string(),
    };
    let version = match (key, text.as_str()) {
        ("swagger", "2.0") => Some(SpecVersion::Swagger2),
        ("openapi", t) if t.starts_with("3.0.") || t == "3.0" => Some(SpecVersion::OpenApi30),
        ("openapi", t) if t.starts_with("3.1.") || t == "3.1" => Some(SpecVersion::OpenApi31),
        _ => None,
    };
    match version {
        Some(v) => Ok((v, text)),
        None => Err(Error::one(docs.diag(
            &Loc::new(0, format!("/{key}")),
            format!("unsupported {key} version \"{text}\" (supported: swagger 2.0, openapi 3.0.x and 3.1.x)"),
        ))),
    }
}

/// Derives an operationId from method and path: `GET /pets/{petId}` gives
/// `get_pets_petId`, `GET /` gives `get_root`.
pub(crate) fn derive_id(method: Method, path: &str) -> String {
    let mut id = method.as_str().to_ascii_lowercase();
    let mut last_underscore = false;
    let mut body = String::new();
    for c in path.chars() {
        if c.is_ascii_alphanumeric() {
            body.push(c);
            last_underscore = false;
        } else if !last_underscore {
            body.push('_');
            last_underscore = true;
        }
    }
    let body = body.trim_matches('_');
    id.push('_');
    id.push_str(if body.is_empty() { "root" } else { body });
    id
}

fn assign_ids(b: &mut Builder<'_>, operations: &mut [Operation], webhooks: &mut [Operation]) {
    let mut seen: HashMap<String, String> = HashMap::new();
    let mut twice = Vec::new();
    for (i, op) in operations.iter().chain(webhooks.iter()).enumerate().filter(|(_, op)| !op.id_derived) {
        if let Some(first) = seen.get(&op.id) {
            twice.push((i, first.clone()));
        } else {
            seen.insert(op.id.clone(), op.pointer.clone());
        }
    }
    let mut taken: HashSet<String> = seen.into_keys().collect();
    // The first keeps its id; each later one gets the first free `<id>_N`.
    for (i, first) in twice {
        let count = operations.len();
        let op = if i < count { &mut operations[i] } else { &mut webhooks[i - count] };
        let base = op.id.clone();
        let mut n = 2;
        let mut id = format!("{base}_{n}");
        while taken.contains(&id) {
            n += 1;
            id = format!("{base}_{n}");
        }
        taken.insert(id.clone());
        let loc = Loc::new(0, op.pointer.trim_start_matches('#')).key("operationId");
        b.defect(
            &loc,
            format!("operationId \"{base}\" is used twice: here and at {first}; operationIds must be unique"),
            format!("this one is renamed \"{id}\""),
        );
        op.id = id;
    }
    for op in operations.iter_mut().chain(webhooks.iter_mut()).filter(|op| op.id_derived) {
        let base = derive_id(op.method, op.path.as_str());
        let mut id = base.clone();
        let mut n = 2;
        while !taken.insert(id.clone()) {
            id = format!("{base}_{n}");
            n += 1;
        }
        op.id = id;
    }
}

/// Named schemas of the main document: their Macaron extensions, and no
/// cycle made only of references (a lenient reading makes such a schema
/// unconstrained).
fn check_components(b: &mut Builder<'_>, schemas: &mut IndexMap<String, Value>) {
    let home = if b.version == SpecVersion::Swagger2 { "/definitions" } else { "/components/schemas" };
    let mut circular = Vec::new();
    for (name, schema) in schemas.iter() {
        let loc = Loc::new(0, home).key(name);
        for (key, message) in extensions::check_schema(schema) {
            b.defect(&Loc::new(0, format!("{}/{key}", loc.pointer)), message, "the extension is ignored");
        }
        let mut here = schema;
        let mut hops = 0;
        while let Some(next) = pure_ref(here).and_then(|n| schemas.get(n)) {
            hops += 1;
            if hops > schemas.len() {
                b.defect(
                    &loc,
                    format!(
                        "circular $ref: schema \"{name}\" is a chain of references that never reaches a definition"
                    ),
                    UNCONSTRAINED_SCHEMA,
                );
                circular.push(name.clone());
                break;
            }
            here = next;
        }
    }
    for name in circular {
        schemas.insert(name, json!({}));
    }
}

/// What a lenient reading assumes of a schema it cannot read.
const UNCONSTRAINED_SCHEMA: &str = "an unconstrained value";

fn pure_ref(schema: &Value) -> Option<&str> {
    let map = schema.as_object()?;
    let only_annotations = map.keys().all(|k| {
        k == "$ref"
            || k.starts_with("x-")
            || matches!(
                k.as_str(),
                "description" | "title" | "example" | "examples" | "default" | "readOnly" | "writeOnly" | "deprecated"
            )
    });
    if !only_annotations {
        return None;
    }
    Api::ref_name(schema)
}

impl<'d> Builder<'d> {
    fn info(&mut self) -> Info {
        let loc = Loc::new(0, "/info");
        let Some(info) = self.docs.get(&loc).filter(|v| v.is_object()) else {
            self.defect(
                &Loc::new(0, ""),
                "missing `info` (with `title` and `version`): every OpenAPI document needs one",
                "an empty title and version",
            );
            return Info { title: String::new(), version: String::new(), description: None };
        };
        let mut text = |key: &str| match info.get(key) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => {
                self.defect(&loc, format!("`info.{key}` is missing or not a string"), "empty");
                String::new()
            }
        };
        let title = text("title");
        let version = text("version");
        Info { title, version, description: str_of(info, "description") }
    }

    fn security_schemes(&mut self) -> IndexMap<String, SecurityScheme> {
        let mut out = IndexMap::new();
        let home = Loc::new(0, "/components/securitySchemes");
        let Some(Value::Object(map)) = self.docs.get(&home) else { return out };
        for name in map.keys() {
            let Some((scheme, loc)) = self.follow(&home.key(name), IGNORED_SCHEME) else { continue };
            let kind = scheme.get("type").and_then(Value::as_str).unwrap_or("");
            let parsed = match kind {
                "http" => Some(SecurityScheme::Http {
                    scheme: str_of(scheme, "scheme").unwrap_or_default().to_ascii_lowercase(),
                    bearer_format: str_of(scheme, "bearerFormat"),
                }),
                "apiKey" => self.api_key(scheme, &loc),
                "oauth2" => Some(SecurityScheme::OAuth2 { flows: scheme.get("flows").cloned().unwrap_or(json!({})) }),
                "openIdConnect" => {
                    Some(SecurityScheme::OpenIdConnect { url: str_of(scheme, "openIdConnectUrl").unwrap_or_default() })
                }
                "mutualTLS" => Some(SecurityScheme::MutualTls),
                other => {
                    self.defect(
                        &loc.key("type"),
                        format!(
                            "unknown security scheme type \"{other}\" (http, apiKey, oauth2, openIdConnect, mutualTLS)"
                        ),
                        IGNORED_SCHEME,
                    );
                    None
                }
            };
            if let Some(parsed) = parsed {
                out.insert(name.clone(), parsed);
            }
        }
        out
    }

    /// A `security` list at `loc`; `None` when there is none.
    fn security_list(&mut self, loc: &Loc) -> Option<Vec<SecurityRequirement>> {
        let value = self.docs.get(loc)?;
        let Value::Array(items) = value else {
            self.defect(loc, "`security` must be a list of requirements", "no security requirement");
            return Some(Vec::new());
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let Value::Object(map) = item else {
                self.defect(
                    &loc.index(i),
                    "a security requirement must be a mapping of scheme names to scopes",
                    "this requirement is ignored",
                );
                continue;
            };
            let mut requirement = IndexMap::new();
            for (name, scopes) in map {
                if !self.schemes.contains_key(name) {
                    self.defect(
                        &loc.index(i).key(name),
                        format!("security scheme \"{name}\" is not defined"),
                        "it is ignored here (no credentials are sent for it)",
                    );
                    continue;
                }
                let scopes = scopes
                    .as_array()
                    .map(|a| a.iter().filter_map(|s| s.as_str().map(String::from)).collect())
                    .unwrap_or_default();
                requirement.insert(name.clone(), scopes);
            }
            // A requirement left empty by ignored schemes is dropped: kept, it
            // would read as "no credentials needed".
            if !requirement.is_empty() || map.is_empty() {
                out.push(requirement);
            }
        }
        Some(out)
    }

    /// A 3.x `servers` list at `loc`; `None` when there is none.
    fn server_list(&mut self, loc: &Loc) -> Option<Vec<Server>> {
        let Value::Array(items) = self.docs.get(loc)? else {
            self.defect(loc, "`servers` must be a list", "no servers");
            return None;
        };
        let mut out = Vec::new();
        for item in items {
            let mut url = str_of(item, "url").unwrap_or_default();
            if let Some(Value::Object(vars)) = item.get("variables") {
                for (var, spec) in vars {
                    let default = match spec.get("default") {
                        Some(Value::String(s)) => s.clone(),
                        Some(other) => other.to_string(),
                        None => String::new(),
                    };
                    url = url.replace(&format!("{{{var}}}"), &default);
                }
            }
            out.push(Server { prefix: prefix_of(&url), url });
        }
        Some(out)
    }

    fn path_item(&mut self, key: &str, key_loc: &Loc, webhook: bool, out: &mut Vec<Operation>) {
        let template = if webhook {
            PathTemplate::literal(&format!("/{key}"))
        } else {
            match PathTemplate::parse(key) {
                Ok(t) => t,
                Err(message) => return self.defect(key_loc, message, "the path is ignored"),
            }
        };
        let Some((item, loc)) = self.follow(key_loc, "the path is ignored") else { return };
        let Value::Object(item_map) = item else {
            return self.defect(&loc, "a path item must be a mapping", "the path is ignored");
        };
        let item_servers = self.server_list(&loc.key("servers"));
        for (method_key, method) in Method::ALL {
            if method == Method::Trace && self.version == SpecVersion::Swagger2 {
                continue;
            }
            let Some(op) = item_map.get(method_key) else { continue };
            if !op.is_object() {
                self.defect(&loc.key(method_key), "an operation must be a mapping", "the operation is ignored");
                continue;
            }
            let op_loc = loc.key(method_key);
            let servers = self.server_list(&op_loc.key("servers")).or_else(|| item_servers.clone());
            if let Some(operation) = self.operation(method, &template, item, &loc, op, &op_loc, servers, webhook) {
                out.push(operation);
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn operation(
        &mut self,
        method: Method,
        template: &PathTemplate,
        item: &'d Value,
        item_loc: &Loc,
        op: &'d Value,
        op_loc: &Loc,
        servers: Option<Vec<Server>>,
        webhook: bool,
    ) -> Option<Operation> {
        let (id, id_derived) = match op.get("operationId") {
            Some(Value::String(s)) if !s.trim().is_empty() => (s.trim().to_string(), false),
            Some(other) if !other.is_null() => {
                self.defect(
                    &op_loc.key("operationId"),
                    "operationId must be a non-empty string",
                    "an id derived from method and path",
                );
                (String::new(), true)
            }
            _ => (String::new(), true),
        };
        let extensions = Extensions::of(op);
        for (key, message) in extensions::check_operation(&extensions) {
            self.defect(&op_loc.key(key), message, "the extension is ignored");
        }

        // Parameters: the path item's, overridden by the operation's.
        let mut raw: IndexMap<(String, String), (&'d Value, Loc)> = IndexMap::new();
        for (list, list_loc) in
            [(item.get("parameters"), item_loc.key("parameters")), (op.get("parameters"), op_loc.key("parameters"))]
        {
            let Some(list) = list else { continue };
            let Value::Array(entries) = list else {
                self.defect(&list_loc, "`parameters` must be a list", "no parameters here");
                continue;
            };
            let mut this_level = HashSet::new();
            for i in 0..entries.len() {
                let Some((param, ploc)) = self.follow(&list_loc.index(i), IGNORED_PARAMETER) else { continue };
                let name = param.get("name").and_then(Value::as_str);
                let location = param.get("in").and_then(Value::as_str);
                let (Some(name), Some(location)) = (name, location) else {
                    self.defect(&ploc, "a parameter needs `name` and `in`", IGNORED_PARAMETER);
                    continue;
                };
                let key = (name.to_string(), location.to_string());
                if !this_level.insert(key.clone()) {
                    self.defect(
                        &list_loc.index(i),
                        format!("parameter \"{name}\" in {location} is declared twice"),
                        "the last declaration",
                    );
                }
                raw.insert(key, (param, ploc));
            }
        }
        let mut parameters = Vec::new();
        let mut body_params = Vec::new();
        for ((_, location), (param, ploc)) in &raw {
            match location.as_str() {
                "body" | "formData" if self.version == SpecVersion::Swagger2 => {
                    body_params.push((*param, ploc.clone()))
                }
                _ => {
                    if let Some(p) = self.parameter(param, ploc) {
                        parameters.push(p);
                    }
                }
            }
        }
        if !webhook {
            self.check_path_params(template, &mut parameters, op_loc);
        }

        let request_body = if self.version == SpecVersion::Swagger2 {
            swagger2::request_body(self, op, &body_params)
        } else {
            match op.get("requestBody") {
                Some(_) => self.request_body(&op_loc.key("requestBody")),
                None => None,
            }
        };
        let responses = self.responses(op, op_loc);
        let security = self.security_list(&op_loc.key("security")).unwrap_or_else(|| self.security.clone());
        let prefix = servers.as_ref().unwrap_or(&self.servers).first().map(|s| s.prefix.clone()).unwrap_or_default();
        Some(Operation {
            id,
            id_derived,
            method,
            path: template.clone(),
            prefix,
            pointer: format!("#{}", op_loc.pointer),
            summary: str_of(op, "summary"),
            description: str_of(op, "description"),
            tags: op
                .get("tags")
                .and_then(Value::as_array)
                .map(|t| t.iter().filter_map(|s| s.as_str().map(String::from)).collect())
                .unwrap_or_default(),
            deprecated: op.get("deprecated") == Some(&Value::Bool(true)),
            parameters,
            request_body,
            responses,
            security,
            extensions,
        })
    }

    fn check_path_params(&mut self, template: &PathTemplate, parameters: &mut Vec<Parameter>, op_loc: &Loc) {
        let in_template = template.params();
        for name in &in_template {
            if !parameters.iter().any(|p| p.location == ParamLocation::Path && p.name == *name) {
                self.defect(
                    op_loc,
                    format!("path parameter {{{name}}} of \"{template}\" is not declared in `parameters` (add one with `in: path`)"),
                    "a string parameter",
                );
                parameters.push(Parameter {
                    name: name.to_string(),
                    location: ParamLocation::Path,
                    required: true,
                    style: ParamStyle::Simple,
                    explode: false,
                    allow_reserved: false,
                    allow_empty_value: false,
                    deprecated: false,
                    description: None,
                    schema: json!({"type": "string"}),
                    content_type: None,
                    extensions: Extensions::default(),
                });
            }
        }
        let mut stray = Vec::new();
        for p in parameters.iter().filter(|p| p.location == ParamLocation::Path) {
            if !in_template.contains(&p.name.as_str()) {
                stray.push(p.name.clone());
            }
        }
        for name in stray {
            self.defect(
                op_loc,
                format!("parameter \"{name}\" is `in: path` but \"{template}\" has no {{{name}}}"),
                IGNORED_PARAMETER,
            );
            parameters.retain(|p| !(p.location == ParamLocation::Path && p.name == name));
        }
    }

    fn parameter(&mut self, param: &'d Value, loc: &Loc) -> Option<Parameter> {
        let name = str_of(param, "name")?;
        let location = match param.get("in").and_then(Value::as_str) {
            Some("path") => ParamLocation::Path,
            Some("query") => ParamLocation::Query,
            Some("header") => ParamLocation::Header,
            Some("cookie") if self.version != SpecVersion::Swagger2 => ParamLocation::Cookie,
            other => {
                self.defect(
                    &loc.key("in"),
                    format!("parameter \"{name}\": unknown location {other:?}"),
                    IGNORED_PARAMETER,
                );
                return None;
            }
        };
        let (schema, content_type, style) = if self.version == SpecVersion::Swagger2 {
            let (schema, style) = swagger2::parameter_schema(param, location);
            (self.schemas.normalize_value(&schema, loc), None, style)
        } else {
            let style = match param.get("style").and_then(Value::as_str) {
                None => None,
                Some(s) => match parse_style(s) {
                    Some(style) => Some(style),
                    None => {
                        self.defect(
                            &loc.key("style"),
                            format!("unknown style \"{s}\""),
                            "the location's default style",
                        );
                        None
                    }
                },
            };
            if let Some(Value::Object(content)) = param.get("content") {
                let Some(media) = content.keys().next() else {
                    self.defect(
                        &loc.key("content"),
                        format!("parameter \"{name}\": `content` names no media type"),
                        IGNORED_PARAMETER,
                    );
                    return None;
                };
                let schema_loc = loc.key("content").key(media).key("schema");
                let schema =
                    if self.docs.get(&schema_loc).is_some() { self.schemas.normalize(&schema_loc) } else { json!({}) };
                (schema, Some(media.clone()), style)
            } else if param.get("schema").is_some() {
                (self.schemas.normalize(&loc.key("schema")), None, style)
            } else {
                (json!({}), None, style)
            }
        };
        let style = style.unwrap_or(match location {
            ParamLocation::Query | ParamLocation::Cookie => ParamStyle::Form,
            ParamLocation::Path | ParamLocation::Header => ParamStyle::Simple,
        });
        let explode = if self.version == SpecVersion::Swagger2 {
            swagger2::explode(param, style)
        } else {
            param.get("explode").and_then(Value::as_bool).unwrap_or(style == ParamStyle::Form)
        };
        Some(Parameter {
            required: location == ParamLocation::Path || param.get("required") == Some(&Value::Bool(true)),
            name,
            location,
            style,
            explode,
            allow_reserved: param.get("allowReserved") == Some(&Value::Bool(true)),
            allow_empty_value: param.get("allowEmptyValue") == Some(&Value::Bool(true)),
            deprecated: param.get("deprecated") == Some(&Value::Bool(true)),
            description: str_of(param, "description"),
            schema,
            content_type,
            extensions: Extensions::of(param),
        })
    }

    fn request_body(&mut self, loc: &Loc) -> Option<RequestBody> {
        let (body, loc) = self.follow(loc, "no request body")?;
        Some(RequestBody {
            required: body.get("required") == Some(&Value::Bool(true)),
            description: str_of(body, "description"),
            content: self.content(body, &loc),
        })
    }

    fn content(&mut self, holder: &Value, loc: &Loc) -> IndexMap<String, MediaType> {
        let mut out = IndexMap::new();
        if let Some(Value::Object(content)) = holder.get("content") {
            for (media, spec) in content {
                let mloc = loc.key("content").key(media);
                let schema = spec.get("schema").map(|_| self.schemas.normalize(&mloc.key("schema")));
                let encoding = spec
                    .get("encoding")
                    .and_then(Value::as_object)
                    .map(|e| e.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                    .unwrap_or_default();
                out.insert(media.clone(), MediaType { schema, encoding });
            }
        }
        out
    }

    fn responses(&mut self, op: &Value, op_loc: &Loc) -> Vec<Response> {
        let mut out = Vec::new();
        let Some(responses) = op.get("responses") else { return out };
        let rloc = op_loc.key("responses");
        let Value::Object(map) = responses else {
            self.defect(&rloc, "`responses` must be a mapping of status codes", "no responses");
            return out;
        };
        for key in map.keys() {
            if key.starts_with("x-") {
                continue;
            }
            let Some(status) = parse_status(key) else {
                self.defect(
                    &rloc.key(key),
                    format!("\"{key}\" is not a status code, a range like 4XX, or default"),
                    "the response is ignored",
                );
                continue;
            };
            let Some((response, loc)) = self.follow(&rloc.key(key), "a response without content") else {
                out.push(Response {
                    status,
                    description: String::new(),
                    headers: IndexMap::new(),
                    content: IndexMap::new(),
                    extensions: Extensions::default(),
                });
                continue;
            };
            let (headers, content) = if self.version == SpecVersion::Swagger2 {
                swagger2::response(self, op, response, &loc)
            } else {
                (self.headers(response, &loc), self.content(response, &loc))
            };
            out.push(Response {
                status,
                description: str_of(response, "description").unwrap_or_default(),
                headers,
                content,
                extensions: Extensions::of(response),
            });
        }
        out
    }

    fn headers(&mut self, response: &Value, loc: &Loc) -> IndexMap<String, Header> {
        let mut out = IndexMap::new();
        let Some(Value::Object(headers)) = response.get("headers") else { return out };
        for name in headers.keys() {
            let Some((header, hloc)) = self.follow(&loc.key("headers").key(name), "the header is ignored") else {
                continue;
            };
            let schema = if header.get("schema").is_some() {
                self.schemas.normalize(&hloc.key("schema"))
            } else if let Some(Value::Object(content)) = header.get("content") {
                match content.keys().next() {
                    Some(media) if content[media].get("schema").is_some() => {
                        self.schemas.normalize(&hloc.key("content").key(media).key("schema"))
                    }
                    _ => json!({}),
                }
            } else {
                json!({})
            };
            out.insert(
                name.clone(),
                Header {
                    required: header.get("required") == Some(&Value::Bool(true)),
                    description: str_of(header, "description"),
                    schema,
                },
            );
        }
        out
    }
}

fn parse_style(s: &str) -> Option<ParamStyle> {
    Some(match s {
        "matrix" => ParamStyle::Matrix,
        "label" => ParamStyle::Label,
        "form" => ParamStyle::Form,
        "simple" => ParamStyle::Simple,
        "spaceDelimited" => ParamStyle::SpaceDelimited,
        "pipeDelimited" => ParamStyle::PipeDelimited,
        "deepObject" => ParamStyle::DeepObject,
        _ => return None,
    })
}

fn parse_status(key: &str) -> Option<Status> {
    if key == "default" {
        return Some(Status::Default);
    }
    let b = key.as_bytes();
    if b.len() == 3 && (b'1'..=b'5').contains(&b[0]) && b[1..].eq_ignore_ascii_case(b"XX") {
        return Some(Status::Range(b[0] - b'0'));
    }
    match key.parse::<u16>() {
        Ok(code) if (100..=599).contains(&code) => Some(Status::Code(code)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_ids() {
        assert_eq!(derive_id(Method::Get, "/pets/{petId}"), "get_pets_petId");
        assert_eq!(derive_id(Method::Post, "/"), "post_root");
        assert_eq!(derive_id(Method::Delete, "/Accounts/{Sid}.json"), "delete_Accounts_Sid_json");
    }

    #[test]
    fn statuses() {
        assert_eq!(parse_status("200"), Some(Status::Code(200)));
        assert_eq!(parse_status("4xx"), Some(Status::Range(4)));
        assert_eq!(parse_status("default"), Some(Status::Default));
        assert_eq!(parse_status("600"), None);
        assert_eq!(parse_status("ok"), None);
    }
}
