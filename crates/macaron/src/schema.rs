//! Compiled JSON Schema validators, one per schema the service checks.
//!
//! Every parameter, request body and response of every operation has a
//! schema, and compiling a schema is far slower than checking a value, so
//! all of them are compiled once at startup. The spec model gives schemas
//! whose `$ref`s all point into one resource (`#/components/schemas/X`);
//! the schemas of parameters and bodies are inline values outside that
//! resource. So each API gets one resource, `urn:macaron:<api>`, holding the
//! components and every inline schema (under `#/inline/<n>`), registered
//! once; each validator is then just `{"$ref": "urn:macaron:<api>#/inline/<n>"}`
//! (or, for a schema that is only a reference to a component, a reference
//! to that component) and every reference resolves in the same document.
//!
//! A validator compiles every component its schema reaches, and shares
//! nothing with the others (`jsonschema` compiles each root on its own). In
//! a large spec whose components reach one another, that is most of the
//! document per validator: compiling each of Stripe's 463 different schemas
//! took seconds and a gigabyte. So the start compiles all of an API's
//! schemas once, together (one root, `anyOf` every schema: each component
//! compiled once), which finds every schema that does not compile, and
//! each validator is compiled for itself at its first check. Identical
//! schemas share one validator.
//!
//! Validation is draft 2020-12 with format checking on (date, date-time,
//! uuid, email, ...). JSON Schema has no `int32`/`int64` formats for numbers,
//! so they are turned into `minimum`/`maximum` bounds before compiling: an
//! out-of-range integer reads "... is greater than the maximum of 2147483647".

use std::sync::{Arc, OnceLock};

use actix_web::web::Bytes;
use jsonschema::{Draft, Registry};
use macaron_spec::Api;
use serde_json::{json, Map, Value};

use macaron_tape::{Tree, TreeJson};

/// One loaded spec: its model, its text as loaded (served at
/// `/doc/<api>.yaml`) and its compiled validators.
pub(crate) struct LoadedApi {
    pub spec: Api,
    pub source: Bytes,
    pub validators: Vec<Validator>,
}

/// A schema checking [`Tree`] documents, compiled at its first check.
pub(crate) struct Validator {
    /// The `$ref` of the schema, in its API's resource.
    reference: String,
    resource: Arc<Resource>,
    compiled: OnceLock<Result<jsonschema::Validator<TreeJson>, String>>,
}

/// An API's schemas, registered once for its validators.
struct Resource {
    api: String,
    registry: Registry<'static>,
}

impl Resource {
    fn options(&self) -> jsonschema::ValidationOptions<'_, Arc<dyn jsonschema::Retrieve>, TreeJson> {
        jsonschema::options_for::<TreeJson>()
            .with_draft(Draft::Draft202012)
            .should_validate_formats(true)
            .with_registry(&self.registry)
    }

    fn build(&self, schema: &Value) -> Result<jsonschema::Validator<TreeJson>, String> {
        self.options().build(schema).map_err(|e| format!("{}: cannot compile a schema: {e}", self.api))
    }
}

impl Validator {
    /// The compiled validator; compiled now at the first call. The start
    /// compiled the same schemas (`SchemaSet::compile`), so this does not
    /// fail unless `jsonschema` does something else the second time.
    fn compiled(&self) -> Result<&jsonschema::Validator<TreeJson>, &str> {
        self.compiled
            .get_or_init(|| self.resource.build(&json!({ "$ref": self.reference })))
            .as_ref()
            .map_err(String::as_str)
    }
}

/// The index of a schema in a [`SchemaSet`].
pub(crate) type SchemaId = usize;

/// Collects the schemas of one API, then compiles them together.
pub(crate) struct SchemaSet {
    api: String,
    components: Value,
    inline: Vec<Value>,
    /// The id of each schema added, by its JSON text.
    ids: foldhash::HashMap<String, SchemaId>,
}

impl SchemaSet {
    pub fn new(api: &Api) -> Self {
        SchemaSet {
            api: api.name.clone(),
            components: api.schema_resource(),
            inline: Vec::new(),
            ids: foldhash::HashMap::default(),
        }
    }

    /// Adds a schema to compile; returns its id, the same for the same
    /// schema (Stripe's 468 operations have 2,575 parameters, bodies and
    /// replies, 463 of them different: every reply's `error`, every
    /// `expand` parameter).
    pub fn add(&mut self, schema: &Value) -> SchemaId {
        let next = self.inline.len();
        let id = *self.ids.entry(schema.to_string()).or_insert(next);
        if id == next {
            self.inline.push(schema.clone());
        }
        id
    }

    /// Compiles every schema added; fails with a message naming the API.
    pub fn compile(self) -> Result<Vec<Validator>, String> {
        let uri = format!("urn:macaron:{}", uri_safe(&self.api));
        let mut resource = self.components;
        resource["inline"] = Value::Array(self.inline);
        bound_integer_formats(&mut resource);
        let count = resource["inline"].as_array().map_or(0, Vec::len);
        // A schema that is only a reference to a component (most bodies and
        // replies) is checked from the component itself: one reference
        // fewer to follow on every check.
        let targets: Vec<Option<String>> = (0..count)
            .map(|n| match resource["inline"][n].as_object() {
                Some(only) if only.len() == 1 => only
                    .get("$ref")
                    .and_then(Value::as_str)
                    .filter(|r| r.starts_with("#/components/"))
                    .map(str::to_string),
                _ => None,
            })
            .collect();
        let registry = Registry::new()
            .draft(Draft::Draft202012)
            .add(&uri, resource)
            .and_then(|b| b.prepare())
            .map_err(|e| format!("{}: cannot register schemas: {e}", self.api))?;
        let resource = Arc::new(Resource { api: self.api, registry });
        let references: Vec<String> = targets
            .into_iter()
            .enumerate()
            .map(|(n, target)| match target {
                Some(pointer) => format!("{uri}{pointer}"),
                None => format!("{uri}#/inline/{n}"),
            })
            .collect();
        // Every schema, in one root: a schema that does not compile stops
        // the start, and each component is compiled once here.
        if !references.is_empty() {
            let every: Vec<Value> = references.iter().map(|r| json!({ "$ref": r })).collect();
            resource.build(&json!({ "anyOf": every }))?;
        }
        Ok(references
            .into_iter()
            .map(|reference| Validator { reference, resource: resource.clone(), compiled: OnceLock::new() })
            .collect())
    }
}

fn uri_safe(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() || "-._".contains(c) { c } else { '_' }).collect()
}

/// Keywords whose values are data, not schemas: never rewritten.
const DATA_KEYWORDS: [&str; 6] = ["enum", "const", "default", "example", "examples", "x-example"];

/// Adds `minimum`/`maximum` bounds to integer schemas with `format: int32`
/// or `int64` (clamping existing ones to the format's range).
fn bound_integer_formats(value: &mut Value) {
    match value {
        Value::Object(map) => {
            let bounds = match map.get("format").and_then(Value::as_str) {
                Some("int32") => Some((i64::from(i32::MIN), i64::from(i32::MAX))),
                Some("int64") => Some((i64::MIN, i64::MAX)),
                _ => None,
            };
            if let Some((low, high)) = bounds {
                clamp(map, "minimum", low, true);
                clamp(map, "maximum", high, false);
            }
            for (key, child) in map.iter_mut() {
                if !DATA_KEYWORDS.contains(&key.as_str()) {
                    bound_integer_formats(child);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(bound_integer_formats),
        _ => {}
    }
}

fn clamp(map: &mut Map<String, Value>, key: &str, bound: i64, is_min: bool) {
    let current = map.get(key).and_then(Value::as_f64);
    let keep = match current {
        Some(c) if is_min => c >= bound as f64,
        Some(c) => c <= bound as f64,
        None => false,
    };
    if !keep {
        map.insert(key.to_string(), Value::from(bound));
    }
}

/// The first validation error as `<what> <pointer>: <message>`, or `None`.
///
/// `what` names the input (`body`, `query parameter 'limit'`); the pointer is
/// the JSON path inside it, omitted at the top level.
pub(crate) fn check(validator: &Validator, what: &str, value: &Tree) -> Option<String> {
    let validator = match validator.compiled() {
        Ok(v) => v,
        Err(e) => return Some(format!("{what}: the schema does not compile: {e}")),
    };
    // `is_valid` first: it stops at the first failure and builds no error,
    // cheaper than `validate` when the value is valid, the common case.
    if validator.is_valid(value.root()) {
        return None;
    }
    let error = validator.validate(value.root()).err()?;
    let pointer = error.instance_path().to_string();
    let mut message = error.to_string();
    if message.len() > 400 {
        let mut cut = 400;
        while !message.is_char_boundary(cut) {
            cut -= 1;
        }
        message.truncate(cut);
        message.push_str("...");
    }
    Some(if pointer.is_empty() { format!("{what}: {message}") } else { format!("{what} {pointer}: {message}") })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api() -> Api {
        let yaml = br##"
openapi: 3.0.3
info: {title: t, version: "1"}
paths: {}
components:
  schemas:
    Item:
      type: object
      additionalProperties: false
      required: [price]
      properties:
        price: {type: number, minimum: 0}
        count: {type: integer, format: int32}
        id: {type: string, format: uuid}
"##;
        macaron_spec::load_bytes("t.yaml", yaml).unwrap()
    }

    #[test]
    fn refs_resolve_and_messages_name_the_field() {
        let mut set = SchemaSet::new(&api());
        let id = set.add(&json!({"$ref": "#/components/schemas/Item"}));
        let validators = set.compile().unwrap();
        let v = &validators[id];
        let check = |v, what, value: &Value| check(v, what, &Tree::from_value(value));
        assert_eq!(check(v, "body", &json!({"price": 1})), None);
        assert_eq!(check(v, "body", &json!({"price": -1})).unwrap(), "body /price: -1 is less than the minimum of 0");
        assert!(check(v, "body", &json!({})).unwrap().starts_with("body: \"price\" is a required property"));
        assert!(check(v, "body", &json!({"price": 1, "x": 1})).unwrap().contains("'x' was unexpected"));
        assert!(check(v, "body", &json!({"price": 1, "id": "nope"})).unwrap().contains("uuid"));
        assert!(check(v, "body", &json!({"price": 1, "count": 3_000_000_000u64}))
            .unwrap()
            .contains("greater than the maximum of 2147483647"));
    }

    #[test]
    fn existing_bounds_inside_the_range_are_kept() {
        let mut v = json!({"type": "integer", "format": "int32", "minimum": 1, "enum": [{"format": "int32"}]});
        bound_integer_formats(&mut v);
        assert_eq!(v["minimum"], 1);
        assert_eq!(v["maximum"], i32::MAX);
        assert_eq!(v["enum"][0], json!({"format": "int32"}));
    }
}
