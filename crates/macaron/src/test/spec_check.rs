//! Replies checked against the spec, on the client's side.
//!
//! The service checks its handlers' replies itself (unless built with
//! `validate_responses(false)`), but not the errors the framework sends,
//! and a deployed instance may run another build than the one under test.
//! So the test client matches every reply to its operation (by method and
//! path, with the service's own router) and to the declared response
//! (exact status, then a `2XX` range, then `default`), and validates a
//! JSON body against that response's schema.

use std::path::{Path, PathBuf};

use macaron_spec::{Api as Spec, PathTemplate, Status};

use super::call::TestReply;
use crate::inputs::is_json;
use crate::route::{Match, Router, Target};
use crate::schema::{check, SchemaId, SchemaSet, Validator};
use macaron_tape::Tree;

/// One operation of the specs: enough to name it and check its replies.
struct Op {
    api: usize,
    id: String,
    /// Each declared response's status and the validator of its JSON content.
    responses: Vec<(Status, Option<SchemaId>)>,
}

impl Op {
    /// The declared response for a status: exact, then range, then `default`.
    fn response(&self, status: u16) -> Option<&(Status, Option<SchemaId>)> {
        let r = &self.responses;
        r.iter()
            .find(|x| x.0 == Status::Code(status))
            .or_else(|| r.iter().find(|x| x.0 == Status::Range((status / 100) as u8)))
            .or_else(|| r.iter().find(|x| x.0 == Status::Default))
    }
}

/// The specs a test client checks replies against, compiled.
pub(crate) struct SpecCheck {
    specs: Vec<Spec>,
    router: Router,
    ops: Vec<Op>,
    validators: Vec<Vec<Validator>>,
}

/// The built-ins' paths: their replies are the framework's, never checked.
fn is_builtin(path: &str) -> bool {
    matches!(path, "/ping" | "/version" | "/auth/version" | "/metrics") || path.starts_with("/doc/")
}

impl SpecCheck {
    /// Compiles the response schemas of every operation. When two
    /// operations have the same method and path, the first one is used.
    pub fn new(specs: Vec<Spec>) -> Result<SpecCheck, String> {
        let mut router = Router::default();
        let mut ops = Vec::new();
        let mut validators = Vec::new();
        for (index, spec) in specs.iter().enumerate() {
            let mut set = SchemaSet::new(spec);
            for op in &spec.operations {
                let Ok(template) = PathTemplate::parse(&op.full_path()) else { continue };
                if router.add(template.segments(), op.method.as_str(), Target::Operation(ops.len())).is_err() {
                    continue;
                }
                let responses = op
                    .responses
                    .iter()
                    .map(|r| {
                        let schema =
                            r.content.iter().find(|(media, _)| is_json(media)).and_then(|(_, m)| m.schema.as_ref());
                        (r.status, schema.map(|s| set.add(s)))
                    })
                    .collect();
                ops.push(Op { api: index, id: op.id.clone(), responses });
            }
            validators.push(set.compile().map_err(|e| format!("{}: {e}", spec.file))?);
        }
        Ok(SpecCheck { specs, router, ops, validators })
    }

    /// The specs, as loaded.
    pub fn specs(&self) -> &[Spec] {
        &self.specs
    }

    /// The specs' short names.
    pub fn names(&self) -> Vec<String> {
        self.specs.iter().map(|s| s.name.clone()).collect()
    }

    /// Checks a reply to `method path` (the path as given to the call, its
    /// query string ignored). Replies to unknown paths, to the built-ins,
    /// with an undeclared status, without a JSON body, or whose response
    /// declares no JSON schema pass unchecked.
    pub fn check(&self, method: &str, path: &str, reply: &TestReply) -> Result<(), String> {
        let path = path.split(['?', '#']).next().unwrap_or(path);
        if is_builtin(path) || reply.body.is_empty() {
            return Ok(());
        }
        let Match::Route(Target::Operation(index), _) = self.router.find(method, path) else { return Ok(()) };
        let op = &self.ops[index];
        let Some((declared, Some(schema))) = op.response(reply.status) else { return Ok(()) };
        let Some(validator) = self.validators.get(op.api).and_then(|v| v.get(*schema)) else { return Ok(()) };
        if !reply.header("content-type").is_some_and(is_json) {
            return Ok(());
        }
        if reply.header("content-encoding").is_some_and(|e| !e.trim().eq_ignore_ascii_case("identity")) {
            return Ok(()); // compressed on request: the body as received is not the JSON
        }
        let what = |message: String| {
            format!(
                "{method} {path} replied {} (operation {}, response {declared} of {}), which does not match its spec: {message}\n  the reply: {}",
                reply.status,
                op.id,
                self.specs[op.api].file,
                reply.text()
            )
        };
        let value: serde_json::Value =
            serde_json::from_slice(&reply.body).map_err(|e| what(format!("the body is not valid JSON: {e}")))?;
        match check(validator, "reply", &Tree::from_value(&value)) {
            Some(message) => Err(what(message)),
            None => Ok(()),
        }
    }
}

/// Loads a spec file, or every `.yaml`, `.yml` and `.json` spec of a folder.
pub(crate) fn load(path: &Path) -> Result<Vec<Spec>, String> {
    let files: Vec<PathBuf> = if path.is_dir() {
        let entries =
            std::fs::read_dir(path).map_err(|e| format!("{}: cannot read the folder: {e}", path.display()))?;
        let mut found: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file() && matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml" | "json")))
            .collect();
        found.sort();
        if found.is_empty() {
            return Err(format!("{}: no .yaml, .yml or .json spec in this folder", path.display()));
        }
        found
    } else if path.is_file() {
        vec![path.to_path_buf()]
    } else {
        return Err(format!("{}: no such file or folder", path.display()));
    };
    files.iter().map(|file| macaron_spec::load(file).map_err(|e| e.to_string())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str = r##"
openapi: 3.0.3
info: {title: t, version: "1"}
servers: [{url: /v1}]
paths:
  /items/{id}:
    get:
      operationId: getItem
      parameters: [{name: id, in: path, required: true, schema: {type: integer}}]
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Item"}}}}
        "4XX": {description: error, content: {application/json: {schema: {type: object, required: [error]}}}}
        default: {description: other, content: {application/json: {schema: {type: object, required: [oops]}}}}
  /ping:
    get:
      operationId: ping
      responses: {"200": {description: ok, content: {application/json: {schema: {type: string}}}}}
components:
  schemas:
    Item: {type: object, required: [id], properties: {id: {type: integer}}}
"##;

    fn reply(status: u16, content_type: &str, body: &str) -> TestReply {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("content-type", content_type.parse().unwrap());
        TestReply { status, headers, body: body.to_string().into() }
    }

    #[test]
    fn replies_are_matched_to_their_declared_response() {
        let spec = macaron_spec::load_bytes("t.yaml", SPEC.as_bytes()).unwrap();
        let c = SpecCheck::new(vec![spec]).unwrap();
        let json = "application/json";
        assert!(c.check("GET", "/v1/items/1?x=1", &reply(200, json, r#"{"id": 1}"#)).is_ok());
        let e = c.check("GET", "/v1/items/1", &reply(200, json, r#"{"id": "x"}"#)).unwrap_err();
        assert!(e.starts_with("GET /v1/items/1 replied 200 (operation getItem, response 200 of t.yaml)"), "{e}");
        assert!(e.contains("reply /id: \"x\" is not of type \"integer\""), "{e}");
        // The range, then default.
        assert!(c.check("GET", "/v1/items/1", &reply(404, json, r#"{"error": "NOT_FOUND"}"#)).is_ok());
        assert!(c.check("GET", "/v1/items/1", &reply(404, json, "{}")).unwrap_err().contains("4XX"));
        assert!(c.check("GET", "/v1/items/1", &reply(500, json, "{}")).unwrap_err().contains("default"));
        assert!(c.check("GET", "/v1/items/1", &reply(200, json, "{not json")).unwrap_err().contains("not valid JSON"));
        // Not checked: other content types, empty bodies, unknown paths and methods, built-ins.
        assert!(c.check("GET", "/v1/items/1", &reply(200, "text/plain", "hi")).is_ok());
        assert!(c.check("GET", "/v1/items/1", &reply(200, json, "")).is_ok());
        assert!(c.check("GET", "/v1/nope", &reply(200, json, "{}")).is_ok());
        assert!(c.check("POST", "/v1/items/1", &reply(200, json, "{}")).is_ok());
        assert!(c.check("GET", "/ping", &reply(200, json, "{}")).is_ok());
    }

    #[test]
    fn load_names_what_is_missing() {
        assert!(load(Path::new("/no/such/dir")).unwrap_err().contains("/no/such/dir: no such file or folder"));
        let specs = load(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/apis"))).unwrap();
        assert!(specs.len() >= 3);
    }
}
