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
use std::fmt;

use jsonschema::json::{cmp, Array, Json, Node, NodeIdentity, Object};
use jsonschema::JsonType;
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

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

impl<'de> Deserialize<'de> for Tree<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(TreeVisitor)
    }
}

struct TreeVisitor;

impl<'de> Visitor<'de> for TreeVisitor {
    type Value = Tree<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Tree<'de>, E> {
        Ok(Tree::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Tree<'de>, E> {
        Ok(Tree::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Tree<'de>, E> {
        Ok(Tree::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Tree<'de>, E> {
        // As `Value` does: a number JSON cannot hold is null.
        Ok(Number::from_f64(v).map_or(Tree::Null, Tree::Number))
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Tree<'de>, E> {
        Ok(Tree::String(Cow::Borrowed(v)))
    }

    fn visit_str<E>(self, v: &str) -> Result<Tree<'de>, E> {
        Ok(Tree::String(Cow::Owned(v.to_string())))
    }

    fn visit_string<E>(self, v: String) -> Result<Tree<'de>, E> {
        Ok(Tree::String(Cow::Owned(v)))
    }

    fn visit_unit<E>(self) -> Result<Tree<'de>, E> {
        Ok(Tree::Null)
    }

    fn visit_none<E>(self) -> Result<Tree<'de>, E> {
        Ok(Tree::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Tree<'de>, D::Error> {
        Tree::deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Tree<'de>, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(256));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Tree::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Tree<'de>, A::Error> {
        let mut members = Vec::with_capacity(map.size_hint().unwrap_or(0).min(256));
        while let Some(Key(name)) = map.next_key()? {
            members.push((name, map.next_value()?));
        }
        Ok(Tree::Object(members))
    }
}

/// A member name, borrowed when it has no escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a member name")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_string())))
            }
            fn visit_string<E>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

/// The [`Tree`] representation, for `jsonschema::options_for`.
pub(crate) struct TreeJson;

impl Json for TreeJson {
    type Node<'a> = &'a Tree<'a>;
    type PreparedKey = String;
    type StringBuffer = ();

    // A lookup scans the members, so a pass over them is never dearer.
    const KEYS_PER_LOOKUP: usize = 4;
    const ACYCLIC: bool = true;

    fn prepare_key(key: &str) -> String {
        key.to_string()
    }

    fn with_string_node<T>((): &mut (), string: &str, f: impl FnOnce(Self::Node<'_>) -> T) -> T {
        f(&Tree::String(Cow::Borrowed(string)))
    }
}

/// An object's members, for the validator.
pub(crate) struct Members<'a>(&'a [(Cow<'a, str>, Tree<'a>)]);

/// An array's items, for the validator.
pub(crate) struct Items<'a>(&'a [Tree<'a>]);

impl<'a> Node<'a, TreeJson> for &'a Tree<'a> {
    type Object = Members<'a>;
    type Array = Items<'a>;
    type Number = &'a Number;

    fn as_object(&self) -> Option<Members<'a>> {
        match self {
            Tree::Object(members) => Some(Members(members)),
            _ => None,
        }
    }

    fn as_array(&self) -> Option<Items<'a>> {
        match self {
            Tree::Array(items) => Some(Items(items)),
            _ => None,
        }
    }

    fn as_string(&self) -> Option<Cow<'a, str>> {
        match self {
            Tree::String(s) => Some(Cow::Borrowed(s.as_ref())),
            _ => None,
        }
    }

    fn as_number(&self) -> Option<&'a Number> {
        match self {
            Tree::Number(n) => Some(n),
            _ => None,
        }
    }

    fn as_boolean(&self) -> Option<bool> {
        match self {
            Tree::Bool(b) => Some(*b),
            _ => None,
        }
    }

    fn is_null(&self) -> bool {
        matches!(self, Tree::Null)
    }

    fn json_type(&self) -> JsonType {
        match self {
            Tree::Null => JsonType::Null,
            Tree::Bool(_) => JsonType::Boolean,
            Tree::Number(_) => JsonType::Number,
            Tree::String(_) => JsonType::String,
            Tree::Array(_) => JsonType::Array,
            Tree::Object(_) => JsonType::Object,
        }
    }

    fn string_length_within(&self, min: u64, max: u64) -> Option<bool> {
        let Tree::String(s) = self else { return None };
        // A code point takes one to four bytes: the byte length often decides.
        let bytes = s.len() as u64;
        if bytes < min || bytes.div_ceil(4) > max {
            return Some(false);
        }
        if min <= bytes.div_ceil(4) && bytes <= max {
            return Some(true);
        }
        Some((min..=max).contains(&(s.chars().count() as u64)))
    }

    fn equals_value(&self, expected: &Value) -> bool {
        match (self, expected) {
            (Tree::String(s), Value::String(e)) => s == e,
            (Tree::String(_), _) => false,
            (Tree::Bool(b), e) => e.as_bool() == Some(*b),
            (Tree::Null, e) => e.is_null(),
            (Tree::Number(n), Value::Number(e)) => cmp::equal_numbers(n, e),
            (Tree::Number(_), _) => false,
            (tree, e) => cmp::equal(&tree.to_value(), e),
        }
    }

    fn to_value(&self) -> Cow<'a, Value> {
        Cow::Owned(Tree::to_value(self))
    }

    fn identity(&self) -> Option<NodeIdentity> {
        Some(NodeIdentity::new(std::ptr::from_ref::<Tree<'a>>(*self) as usize))
    }
}

impl<'a> Object<'a, TreeJson> for Members<'a> {
    type Node = &'a Tree<'a>;
    type MemberName = &'a str;
    type MembersIter = MembersIter<'a>;

    fn len(&self) -> usize {
        self.0.len()
    }

    fn get(&self, key: &String) -> Option<&'a Tree<'a>> {
        self.0.iter().rev().find(|(name, _)| name == key).map(|(_, value)| value)
    }

    fn members(&self) -> MembersIter<'a> {
        MembersIter(self.0.iter())
    }
}

/// The members of an object, as `(name, value)`.
pub(crate) struct MembersIter<'a>(std::slice::Iter<'a, (Cow<'a, str>, Tree<'a>)>);

impl<'a> Iterator for MembersIter<'a> {
    type Item = (&'a str, &'a Tree<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(name, value)| (name.as_ref(), value))
    }
}

impl<'a> Array<'a, TreeJson> for Items<'a> {
    type Node = &'a Tree<'a>;
    type ElementsIter = std::slice::Iter<'a, Tree<'a>>;

    fn len(&self) -> usize {
        self.0.len()
    }

    fn elements(&self) -> std::slice::Iter<'a, Tree<'a>> {
        self.0.iter()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

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
