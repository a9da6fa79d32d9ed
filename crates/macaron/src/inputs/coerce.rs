//! Turning strings from the URL, headers and forms into typed JSON values.
//!
//! Everything outside a JSON body arrives as text, but the spec declares
//! `limit` an integer and `tags` an array. Validating the raw text would
//! refuse every `?limit=10`; handing the handler strings would make it parse
//! again. So text is coerced to the type the schema declares (following
//! `$ref`s and looking into `allOf`/`anyOf`/`oneOf`, which is where 3.0's
//! `nullable` lands) before validation. Text that does not parse stays a
//! string, so the validator reports it: `"ten" is not of type "integer"`.

use macaron_spec::Api;
use serde_json::{Map, Number, Value};

/// The first answer `found` gives over the schemas that together describe
/// a value: the schema itself (with `$ref`s followed), then the members of
/// its `allOf`, `anyOf` and `oneOf`, depth first. Nothing is gathered on the
/// way: this runs for every parameter of every request.
fn first<'a, T>(
    api: &'a Api,
    schema: &'a Value,
    depth: usize,
    found: &mut impl FnMut(&'a Value) -> Option<T>,
) -> Option<T> {
    if depth > 8 {
        return None;
    }
    let schema = api.resolve(schema);
    if let Some(answer) = found(schema) {
        return Some(answer);
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(Value::Array(members)) = schema.get(key) {
            if let Some(answer) = members.iter().find_map(|member| first(api, member, depth + 1, found)) {
                return Some(answer);
            }
        }
    }
    None
}

/// The first non-null type the schema declares, if any.
pub(crate) fn primary_type<'a>(api: &'a Api, schema: &'a Value) -> Option<&'a str> {
    first(api, schema, 0, &mut |s| match s.get("type") {
        Some(Value::String(t)) if t != "null" => Some(t.as_str()),
        Some(Value::Array(types)) => types.iter().filter_map(Value::as_str).find(|t| *t != "null"),
        _ => None,
    })
}

/// The schema of an array's items.
pub(crate) fn items<'a>(api: &'a Api, schema: &'a Value) -> Option<&'a Value> {
    first(api, schema, 0, &mut |s| s.get("items"))
}

/// The schema of an object's property.
pub(crate) fn property<'a>(api: &'a Api, schema: &'a Value, name: &str) -> Option<&'a Value> {
    first(api, schema, 0, &mut |s| s.get("properties").and_then(|p| p.get(name)))
        .or_else(|| first(api, schema, 0, &mut |s| s.get("additionalProperties").filter(|a| a.is_object())))
}

/// The names of an object's declared properties.
pub(crate) fn property_names<'a>(api: &'a Api, schema: &'a Value) -> Vec<&'a str> {
    let mut names = Vec::new();
    first(api, schema, 0, &mut |s| {
        names.extend(
            s.get("properties").and_then(Value::as_object).into_iter().flat_map(|p| p.keys().map(String::as_str)),
        );
        None::<()>
    });
    names
}

/// A scalar from text.
pub(crate) fn scalar(api: &Api, schema: &Value, text: &str) -> Value {
    let parsed = match primary_type(api, schema) {
        Some("integer") => {
            text.parse::<i64>().map(Value::from).or_else(|_| text.parse::<u64>().map(Value::from)).ok().or_else(|| {
                text.parse::<f64>().ok().filter(|f| f.fract() == 0.0).and_then(Number::from_f64).map(Value::Number)
            })
        }
        Some("number") => text
            .parse::<i64>()
            .map(Value::from)
            .ok()
            .or_else(|| text.parse::<f64>().ok().and_then(Number::from_f64).map(Value::Number)),
        Some("boolean") => match text {
            "true" => Some(Value::Bool(true)),
            "false" => Some(Value::Bool(false)),
            _ => None,
        },
        _ => None,
    };
    parsed.unwrap_or_else(|| {
        if text == "null" && !matches!(primary_type(api, schema), Some("string")) {
            Value::Null
        } else {
            Value::String(text.to_string())
        }
    })
}

/// An array from its items' text.
pub(crate) fn array(api: &Api, schema: &Value, parts: &[String]) -> Value {
    let item = items(api, schema);
    Value::Array(
        parts
            .iter()
            .map(|p| match item {
                Some(item) => value(api, item, p),
                None => Value::String(p.clone()),
            })
            .collect(),
    )
}

/// An object from `(property, text)` pairs; a repeated property, or one
/// declared as an array, becomes an array.
pub(crate) fn object(api: &Api, schema: &Value, pairs: &[(String, String)]) -> Value {
    let mut out = Map::new();
    for (key, text) in pairs {
        let prop = property(api, schema, key);
        let is_array = prop.and_then(|p| primary_type(api, p)) == Some("array");
        let typed = match prop {
            Some(p) if is_array => {
                let item = items(api, p);
                item.map_or_else(|| Value::String(text.clone()), |i| value(api, i, text))
            }
            Some(p) => value(api, p, text),
            None => Value::String(text.clone()),
        };
        match out.get_mut(key) {
            Some(Value::Array(existing)) if is_array => existing.push(typed),
            Some(existing) => {
                let first = existing.take();
                *existing = Value::Array(vec![first, typed]);
            }
            None if is_array => {
                out.insert(key.clone(), Value::Array(vec![typed]));
            }
            None => {
                out.insert(key.clone(), typed);
            }
        }
    }
    Value::Object(out)
}

/// A value of any declared type from one piece of text (arrays split on `,`).
pub(crate) fn value(api: &Api, schema: &Value, text: &str) -> Value {
    match primary_type(api, schema) {
        Some("array") => array(api, schema, &text.split(',').map(str::to_string).collect::<Vec<_>>()),
        _ => scalar(api, schema, text),
    }
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
    Count: {type: integer, nullable: true}
    Filter:
      type: object
      properties:
        min: {$ref: "#/components/schemas/Count"}
        tags: {type: array, items: {type: string}}
        on: {type: boolean}
"##;
        macaron_spec::load_bytes("t.yaml", yaml).unwrap()
    }

    #[test]
    fn scalars_follow_refs_and_nullable() {
        let api = api();
        let count = json!({"$ref": "#/components/schemas/Count"});
        assert_eq!(scalar(&api, &count, "12"), json!(12));
        assert_eq!(scalar(&api, &count, "ten"), json!("ten"));
        assert_eq!(scalar(&api, &json!({"type": "number"}), "1.5"), json!(1.5));
        assert_eq!(scalar(&api, &json!({"type": "boolean"}), "true"), json!(true));
        assert_eq!(scalar(&api, &json!({"type": "string"}), "12"), json!("12"));
    }

    #[test]
    fn objects_and_arrays() {
        let api = api();
        let filter = json!({"$ref": "#/components/schemas/Filter"});
        let pairs: Vec<(String, String)> =
            [("min", "3"), ("tags", "a"), ("tags", "b"), ("on", "false"), ("other", "x")]
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
        assert_eq!(object(&api, &filter, &pairs), json!({"min": 3, "tags": ["a", "b"], "on": false, "other": "x"}));
        assert_eq!(value(&api, &json!({"type": "array", "items": {"type": "integer"}}), "1,2"), json!([1, 2]));
    }
}
