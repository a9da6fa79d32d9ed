//! A JSON document as the validator reads it.
//!
//! Every request body and every reply is checked against its schema, so the
//! document the validator walks is built on every request. A
//! `serde_json::Value` is a poor fit for that: with `preserve_order` (which
//! the spec loader needs) each object is an index map that hashes every key
//! on insert, and every string is copied out of the request. A [`Tree`] is
//! parsed by `serde_json` from the same bytes, keeps strings borrowed from
//! them when they hold no escapes, and keeps objects as lists of members:
//! building it costs a few vector allocations, and the handler's own type
//! is then deserialised straight from the bytes. `jsonschema` validates any
//! representation that implements its `Json` traits; [`TreeJson`] is ours.

use std::borrow::Cow;

use serde_json::{Map, Number, Value};

mod json;
mod parse;

pub(crate) use json::TreeJson;

/// One JSON value, its strings borrowed from the document when possible.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tree<'a> {
    Null,
    Bool(bool),
    Number(Number),
    String(Cow<'a, str>),
    Array(Vec<Tree<'a>>),
    /// Members in document order (a repeated name keeps every occurrence;
    /// lookups find the last, as `serde_json::Value` keeps the last).
    Object(Vec<(Cow<'a, str>, Tree<'a>)>),
}

impl<'a> Tree<'a> {
    /// Parses a JSON document (the whole of `text`). Text, not bytes:
    /// checking UTF-8 once for the document is cheaper than string by string.
    pub fn parse(text: &'a str) -> serde_json::Result<Tree<'a>> {
        serde_json::from_str(text)
    }

    /// A view of a `Value`, borrowing its strings.
    pub fn from_value(value: &'a Value) -> Tree<'a> {
        match value {
            Value::Null => Tree::Null,
            Value::Bool(b) => Tree::Bool(*b),
            Value::Number(n) => Tree::Number(n.clone()),
            Value::String(s) => Tree::String(Cow::Borrowed(s)),
            Value::Array(items) => Tree::Array(items.iter().map(Tree::from_value).collect()),
            Value::Object(map) => {
                Tree::Object(map.iter().map(|(k, v)| (Cow::Borrowed(k.as_str()), Tree::from_value(v))).collect())
            }
        }
    }

    /// The same document as a `Value` (for error messages).
    pub fn to_value(&self) -> Value {
        match self {
            Tree::Null => Value::Null,
            Tree::Bool(b) => Value::Bool(*b),
            Tree::Number(n) => Value::Number(n.clone()),
            Tree::String(s) => Value::String(s.to_string()),
            Tree::Array(items) => Value::Array(items.iter().map(Tree::to_value).collect()),
            Tree::Object(members) => {
                let mut map = Map::with_capacity(members.len());
                for (k, v) in members {
                    map.insert(k.to_string(), v.to_value());
                }
                Value::Object(map)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use jsonschema::json::{Node, Object};

    use super::*;

    #[test]
    fn parses_as_value_does() {
        let text = r#"{"a": [1, -2, 1.5, "x\ny", true, null], "b": {"c": "d"}, "e\u00e9": 18446744073709551615}"#;
        let tree = Tree::parse(text).unwrap();
        let value: Value = serde_json::from_str(text).unwrap();
        assert_eq!(tree.to_value(), value);
        assert_eq!(Tree::from_value(&value), tree);
        // Strings without escapes are borrowed from the document.
        let Tree::Object(members) = &tree else { panic!("an object") };
        assert!(matches!(members[1].0, Cow::Borrowed("b")));
        assert!(matches!(members[2].0, Cow::Owned(_)));
    }

    #[test]
    fn the_last_repeated_member_wins() {
        let tree = Tree::parse(r#"{"a": 1, "a": 2}"#).unwrap();
        let found = Node::as_object(&&tree).and_then(|o| o.get(&"a".to_string())).cloned();
        assert_eq!(found, Some(Tree::Number(2.into())));
    }

    #[test]
    fn malformed_documents_are_errors() {
        for text in ["{", "[1,]", "{\"a\" 1}", "1 2", ""] {
            assert!(Tree::parse(text).is_err(), "{text:?}");
        }
    }

    #[test]
    fn validates_like_value() {
        let schema = json!({
            "type": "object",
            "required": ["name"],
            "additionalProperties": false,
            "properties": {
                "name": {"type": "string", "minLength": 2, "maxLength": 4},
                "kind": {"enum": ["cat", "dog", 3, null]},
                "tags": {"type": "array", "uniqueItems": true, "items": {"type": "string"}},
                "n": {"type": "integer", "minimum": 0},
                "when": {"type": "string", "format": "date"}
            }
        });
        let by_value = jsonschema::options().should_validate_formats(true).build(&schema).unwrap();
        let by_tree = jsonschema::options_for::<TreeJson>().should_validate_formats(true).build(&schema).unwrap();
        let cases = [
            json!({"name": "abc"}),
            json!({"name": "a"}),
            json!({"name": "ééé"}),
            json!({"name": "ééééé"}),
            json!({"name": "abc", "kind": "dog"}),
            json!({"name": "abc", "kind": 3.0}),
            json!({"name": "abc", "kind": null}),
            json!({"name": "abc", "kind": "cow"}),
            json!({"name": "abc", "tags": ["a", "b"]}),
            json!({"name": "abc", "tags": ["a", "a"]}),
            json!({"name": "abc", "n": 1.0}),
            json!({"name": "abc", "n": 1.5}),
            json!({"name": "abc", "n": -1}),
            json!({"name": "abc", "when": "2020-02-29"}),
            json!({"name": "abc", "when": "2021-02-29"}),
            json!({"name": "abc", "extra": 1}),
            json!({}),
            json!([1]),
        ];
        for case in cases {
            let tree = Tree::from_value(&case);
            assert_eq!(by_tree.is_valid(&tree), by_value.is_valid(&case), "{case}");
            let a: Vec<String> = by_tree.iter_errors(&tree).map(|e| format!("{} {e}", e.instance_path())).collect();
            let b: Vec<String> = by_value.iter_errors(&case).map(|e| format!("{} {e}", e.instance_path())).collect();
            assert_eq!(a, b, "{case}");
        }
    }
}
