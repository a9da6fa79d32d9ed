//! Reading a document's text into a JSON value.
//!
//! This is the one module that knows about YAML: documents are parsed into
//! `serde_json::Value` (JSON text directly, YAML through `serde_yaml`), so the
//! rest of the crate works on one tree type. YAML keys that are not strings
//! (`200:` is an integer in YAML) become their text, as OpenAPI means them;
//! merge keys (`<<`) are applied. Nothing is dropped silently: a key a
//! mapping holds twice keeps its last value and is reported (`Parsed::duplicates`).

use std::cell::RefCell;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess, VariantAccess, Visitor};
use serde_json::{Map, Number, Value};

use crate::pointer::escape;

/// Why text could not be read as a document.
pub(crate) struct ParseError {
    pub line: Option<usize>,
    pub message: String,
}

/// A parsed document, and the keys its mappings hold twice (pointer of the
/// mapping, the key): the last value is the one kept.
pub(crate) struct Parsed {
    pub root: Value,
    pub duplicates: Vec<(String, String)>,
}

/// Parses JSON or YAML text (JSON when the first non-blank character is `{`).
pub(crate) fn parse(text: &str) -> Result<Parsed, ParseError> {
    let duplicates = RefCell::new(Vec::new());
    let seed = Seed { at: None, duplicates: &duplicates };
    let root = if text.trim_start().starts_with('{') {
        let mut reader = serde_json::Deserializer::from_str(text);
        let root = seed
            .deserialize(&mut reader)
            .and_then(|root| reader.end().map(|()| root))
            .map_err(|e| ParseError { line: Some(e.line()), message: format!("invalid JSON: {e}") })?;
        root
    } else {
        let mut root = seed
            .deserialize(serde_yaml::Deserializer::from_str(text))
            .map_err(|e| ParseError { line: e.location().map(|l| l.line()), message: format!("invalid YAML: {e}") })?;
        apply_merges(&mut root);
        root
    };
    Ok(Parsed { root, duplicates: duplicates.into_inner() })
}

/// A JSON value deserialised from YAML or JSON text: keys of any scalar
/// type become text, integers too large for 64 bits become floats (as JSON
/// parsers read them), tags are dropped; a key met twice in one mapping is
/// recorded with the mapping's pointer.
/// The place is the parent and the key or index, walked only when a
/// duplicate is met (building every node's pointer would cost more than
/// the parse).
struct Seed<'a> {
    at: Option<(&'a Seed<'a>, &'a str)>,
    duplicates: &'a RefCell<Vec<(String, String)>>,
}

impl<'a> Seed<'a> {
    fn child<'b>(&'b self, segment: &'b str) -> Seed<'b>
    where
        'a: 'b,
    {
        Seed { at: Some((self, segment)), duplicates: self.duplicates }
    }

    fn pointer(&self) -> String {
        match self.at {
            None => String::new(),
            Some((parent, segment)) => format!("{}/{}", parent.pointer(), escape(segment)),
        }
    }
}

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML or JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_i128<E>(self, v: i128) -> Result<Value, E> {
        Ok(float(v as f64))
    }
    fn visit_u128<E>(self, v: u128) -> Result<Value, E> {
        Ok(float(v as f64))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        self.deserialize(d)
    }
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        self.deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        loop {
            let index = items.len().to_string();
            match seq.next_element_seed(self.child(&index))? {
                Some(v) => items.push(v),
                None => break,
            }
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::with_capacity(map.size_hint().unwrap_or(0));
        while let Some(key) = map.next_key_seed(Seed { at: None, duplicates: self.duplicates })? {
            let key = match key {
                Value::String(s) => s,
                Value::Null => "null".to_string(),
                Value::Bool(_) | Value::Number(_) => key.to_string(),
                Value::Array(_) | Value::Object(_) => {
                    return Err(de::Error::custom("a mapping key is a list or a mapping; OpenAPI keys are strings"))
                }
            };
            let value = map.next_value_seed(self.child(&key))?;
            if out.contains_key(&key) && key != "<<" {
                self.duplicates.borrow_mut().push((self.pointer(), key.clone()));
            }
            out.insert(key, value);
        }
        Ok(Value::Object(out))
    }
    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Value, A::Error> {
        // A tagged value (`!tag value`): keep the value.
        let (_tag, variant): (Value, _) = data.variant_seed(Seed { at: None, duplicates: self.duplicates })?;
        variant.newtype_variant_seed(self)
    }
}

fn float(f: f64) -> Value {
    Number::from_f64(f).map(Value::Number).unwrap_or(Value::Null)
}

/// Applies YAML merge keys (`<<: *anchor` or `<<: [*a, *b]`): keys of the
/// merged mappings are added where the mapping does not set them.
fn apply_merges(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(merged) = map.shift_remove("<<") {
                let sources = match merged {
                    Value::Array(items) => items,
                    other => vec![other],
                };
                for source in sources {
                    if let Value::Object(source) = source {
                        for (k, v) in source {
                            map.entry(k).or_insert(v);
                        }
                    }
                }
            }
            map.values_mut().for_each(apply_merges);
        }
        Value::Array(items) => items.iter_mut().for_each(apply_merges),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_integer_keys_become_strings() {
        let v = parse("responses:\n  200:\n    description: ok\n").map_err(|e| e.message).unwrap().root;
        assert_eq!(v["responses"]["200"]["description"], "ok");
    }

    #[test]
    fn merge_keys_are_applied() {
        let v = parse("a: &x {k: 1}\nb:\n  <<: *x\n  j: 2\n").map_err(|e| e.message).unwrap().root;
        assert_eq!(v["b"]["k"], 1);
        assert_eq!(v["b"]["j"], 2);
    }

    #[test]
    fn huge_integers_become_floats() {
        let v = parse("max: 18446744073709552000\nmin: -9223372036854776000\n").map_err(|e| e.message).unwrap().root;
        assert!(v["max"].is_f64());
        assert!(v["min"].as_f64().unwrap() < 0.0);
    }

    #[test]
    fn keys_held_twice_are_reported_and_the_last_kept() {
        for text in [
            "paths:\n  /a: {get: 1}\n  /b: 2\n  /a: {post: 3}\n",
            "{\"paths\": {\"/a\": {\"get\": 1}, \"/b\": 2, \"/a\": {\"post\": 3}}}",
        ] {
            let parsed = parse(text).map_err(|e| e.message).unwrap();
            assert_eq!(parsed.duplicates, [("/paths".to_string(), "/a".to_string())]);
            assert_eq!(parsed.root["paths"]["/a"]["post"], 3);
        }
    }

    #[test]
    fn syntax_errors_carry_a_line() {
        let err = parse("a: 1\nb: [\n").err().unwrap();
        assert!(err.line.is_some());
        assert!(err.message.starts_with("invalid YAML"));
        let err = parse("{\n\"a\": }").err().unwrap();
        assert_eq!(err.line, Some(2));
    }
}
