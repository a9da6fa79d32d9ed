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
//! Two validators check them. With the cargo feature `json-schema`, the
//! `jsonschema` crate ([`full`]): every keyword of JSON Schema 2020-12, at
//! the price of a minute of compilation in every service's cold build.
//! Without it, the runtime's own ([`builtin`]): the keywords OpenAPI
//! documents use, compiled in seconds; a schema it cannot check (a keyword
//! such as `unevaluatedProperties`, a look-around in a `pattern`) stops the
//! start with a message naming the feature. Both give the same messages
//! for the same failures (`-1 is less than the minimum of 0`).
//!
//! Validation is draft 2020-12 with format checking on (date, date-time,
//! uuid, email, ...). JSON Schema has no `int32`/`int64` formats for numbers,
//! so they are turned into `minimum`/`maximum` bounds before compiling: an
//! out-of-range integer reads "... is greater than the maximum of 2147483647".

use actix_web::web::Bytes;
use macaron_spec::Api;
use serde_json::{Map, Value};

use macaron_tape::Tree;

#[cfg_attr(feature = "json-schema", allow(dead_code))]
mod builtin;
#[cfg_attr(feature = "json-schema", allow(dead_code))]
mod formats;
#[cfg(feature = "json-schema")]
mod full;
#[cfg_attr(feature = "json-schema", allow(dead_code))]
mod keywords;
#[cfg_attr(feature = "json-schema", allow(dead_code))]
mod walk;

#[cfg(not(feature = "json-schema"))]
pub(crate) use builtin::Validator;
#[cfg(feature = "json-schema")]
pub(crate) use full::Validator;

/// One loaded spec: its model, its text as loaded (served at
/// `/doc/<api>.yaml`) and its compiled validators.
pub(crate) struct LoadedApi {
    pub spec: Api,
    pub source: Bytes,
    pub validators: Vec<Validator>,
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
        let pointers: Vec<String> = targets
            .into_iter()
            .enumerate()
            .map(|(n, target)| target.map_or_else(|| format!("/inline/{n}"), |r| r.trim_start_matches('#').to_string()))
            .collect();
        #[cfg(feature = "json-schema")]
        return full::compile(self.api, &uri, resource, &pointers);
        #[cfg(not(feature = "json-schema"))]
        {
            let _ = uri;
            builtin::compile(&self.api, &resource, &pointers)
        }
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
    let failure = validator.first_failure(value)?;
    let mut message = failure.message;
    if message.len() > 400 {
        let mut cut = 400;
        while !message.is_char_boundary(cut) {
            cut -= 1;
        }
        message.truncate(cut);
        message.push_str("...");
    }
    let pointer = failure.pointer;
    Some(if pointer.is_empty() { format!("{what}: {message}") } else { format!("{what} {pointer}: {message}") })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
