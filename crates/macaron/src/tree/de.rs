//! Deserialising a handler's type from a [`Tree`]: the body was read onto
//! its tape to be validated, so the type is built from the tape instead of
//! reading the text a second time. Values come to the visitor as
//! `serde_json` hands them over (integers as `u64`/`i64`, other numbers as
//! `f64`, strings borrowed where the text has them as they are), and a
//! container whose visitor stops early is an error, as in `serde_json`.
//! Errors are `serde_json::Error`s; the caller re-reads the text with
//! `serde_json` for its own message (with line and column) when one occurs.

use serde::de::{self, DeserializeSeed, EnumAccess, IntoDeserializer, MapAccess, SeqAccess, VariantAccess, Visitor};
use serde::forward_to_deserialize_any;
use serde_json::Error;

use super::{Entry, Tree};

impl<'a> Tree<'a> {
    /// Deserialises a `T` from the document.
    pub fn deserialize<T: serde::Deserialize<'a>>(&'a self) -> Result<T, Error> {
        T::deserialize(At { tree: self, at: 0 })
    }
}

/// The value at a position of the tape.
#[derive(Clone, Copy)]
struct At<'a> {
    tree: &'a Tree<'a>,
    at: usize,
}

impl<'a> At<'a> {
    fn entry(&self) -> Result<&'a Entry<'a>, Error> {
        self.tree.entry(self.at).ok_or_else(|| de::Error::custom("the document ends early"))
    }

    fn string(&self) -> Option<&'a str> {
        self.tree.string_at(self.at)
    }
}

impl<'a> de::Deserializer<'a> for At<'a> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.entry()? {
            Entry::Null => visitor.visit_unit(),
            Entry::Bool(b) => visitor.visit_bool(*b),
            Entry::Number(n) => {
                if let Some(u) = n.as_u64() {
                    visitor.visit_u64(u)
                } else if let Some(i) = n.as_i64() {
                    visitor.visit_i64(i)
                } else {
                    visitor.visit_f64(n.as_f64().unwrap_or(f64::NAN))
                }
            }
            Entry::Text { .. } => visitor.visit_borrowed_str(self.string().unwrap_or_default()),
            Entry::String(s) => visitor.visit_str(s),
            Entry::Array { len, .. } => {
                let mut items = Children::new(self, *len);
                let value = visitor.visit_seq(&mut items)?;
                items.finish(value, "fewer elements in array")
            }
            Entry::Object { len, .. } => {
                let mut members = Children::new(self, *len);
                let value = visitor.visit_map(&mut members)?;
                members.finish(value, "fewer members in object")
            }
        }
    }

    fn deserialize_option<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.entry()? {
            Entry::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'a>>(self, _name: &'static str, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_bytes<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        match (self.entry()?, self.string()) {
            (Entry::Text { .. }, Some(text)) => visitor.visit_borrowed_bytes(text.as_bytes()),
            (Entry::String(s), _) => visitor.visit_bytes(s.as_bytes()),
            _ => self.deserialize_any(visitor),
        }
    }

    fn deserialize_byte_buf<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_bytes(visitor)
    }

    fn deserialize_enum<V: Visitor<'a>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.entry()? {
            Entry::Text { .. } | Entry::String(_) => {
                let name = self.string().unwrap_or_default();
                visitor.visit_enum(de::value::StrDeserializer::<Error>::new(name))
            }
            Entry::Object { len: 1, .. } => visitor.visit_enum(Variant { name: At { at: self.at + 1, ..self } }),
            _ => Err(de::Error::invalid_type(
                de::Unexpected::Other("a value that is not a string or a one-member object"),
                &"an enum",
            )),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }

    forward_to_deserialize_any! {
        <W: Visitor<'a>>
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        unit unit_struct seq tuple tuple_struct map struct identifier
    }
}

/// The items or members of a container, in order.
struct Children<'a> {
    tree: &'a Tree<'a>,
    at: usize,
    left: u32,
}

impl<'a> Children<'a> {
    fn new(container: At<'a>, len: u32) -> Self {
        Children { tree: container.tree, at: container.at + 1, left: len }
    }

    /// The next child; the walk moves past it.
    fn take(&mut self) -> Option<At<'a>> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let here = At { tree: self.tree, at: self.at };
        self.at = self.tree.next(self.at);
        Some(here)
    }

    /// The visitor's value, if it took every child.
    fn finish<T>(self, value: T, expected: &'static str) -> Result<T, Error> {
        match self.left {
            0 => Ok(value),
            _ => Err(de::Error::invalid_length(self.left as usize, &expected)),
        }
    }
}

impl<'a> SeqAccess<'a> for Children<'a> {
    type Error = Error;

    fn next_element_seed<S: DeserializeSeed<'a>>(&mut self, seed: S) -> Result<Option<S::Value>, Error> {
        self.take().map(|item| seed.deserialize(item)).transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.left as usize)
    }
}

impl<'a> MapAccess<'a> for Children<'a> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'a>>(&mut self, seed: K) -> Result<Option<K::Value>, Error> {
        if self.left == 0 {
            return Ok(None);
        }
        // The name; its value is taken by `next_value_seed`.
        let name = At { tree: self.tree, at: self.at };
        self.at += 1;
        seed.deserialize(Key(name)).map(Some)
    }

    fn next_value_seed<S: DeserializeSeed<'a>>(&mut self, seed: S) -> Result<S::Value, Error> {
        self.take().map_or_else(|| Err(de::Error::custom("a member without a value")), |value| seed.deserialize(value))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.left as usize)
    }
}

/// A member name. As with `serde_json`, a name can be read as a number or
/// a boolean (for maps keyed by them).
struct Key<'a>(At<'a>);

macro_rules! parsed_key {
    ($($method:ident => $visit:ident $ty:ty),* $(,)?) => {
        $(
            fn $method<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
                let name = self.name()?;
                match name.parse::<$ty>() {
                    Ok(value) => visitor.$visit(value),
                    Err(_) => Err(de::Error::invalid_value(de::Unexpected::Str(name), &visitor)),
                }
            }
        )*
    };
}

impl<'a> Key<'a> {
    fn name(&self) -> Result<&'a str, Error> {
        self.0.string().ok_or_else(|| de::Error::custom("a member name that is not a string"))
    }
}

impl<'a> de::Deserializer<'a> for Key<'a> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0.entry()? {
            Entry::String(s) => visitor.visit_str(s),
            _ => visitor.visit_borrowed_str(self.name()?),
        }
    }

    parsed_key! {
        deserialize_bool => visit_bool bool,
        deserialize_i8 => visit_i8 i8,
        deserialize_i16 => visit_i16 i16,
        deserialize_i32 => visit_i32 i32,
        deserialize_i64 => visit_i64 i64,
        deserialize_i128 => visit_i128 i128,
        deserialize_u8 => visit_u8 u8,
        deserialize_u16 => visit_u16 u16,
        deserialize_u32 => visit_u32 u32,
        deserialize_u64 => visit_u64 u64,
        deserialize_u128 => visit_u128 u128,
        deserialize_f32 => visit_f32 f32,
        deserialize_f64 => visit_f64 f64,
    }

    fn deserialize_option<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'a>>(self, _name: &'static str, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'a>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_enum(self.name()?.into_deserializer())
    }

    forward_to_deserialize_any! {
        <W: Visitor<'a>>
        char str string bytes byte_buf unit unit_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

/// An enum written as a one-member object: the member's name is the
/// variant, its value the variant's content.
struct Variant<'a> {
    name: At<'a>,
}

impl<'a> EnumAccess<'a> for Variant<'a> {
    type Error = Error;
    type Variant = At<'a>;

    fn variant_seed<S: DeserializeSeed<'a>>(self, seed: S) -> Result<(S::Value, At<'a>), Error> {
        let variant = seed.deserialize(Key(self.name))?;
        Ok((variant, At { at: self.name.at + 1, ..self.name }))
    }
}

impl<'a> VariantAccess<'a> for At<'a> {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        de::Deserialize::deserialize(self)
    }

    fn newtype_variant_seed<S: DeserializeSeed<'a>>(self, seed: S) -> Result<S::Value, Error> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'a>>(self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        de::Deserializer::deserialize_seq(self, visitor)
    }

    fn struct_variant<V: Visitor<'a>>(self, _fields: &'static [&'static str], visitor: V) -> Result<V::Value, Error> {
        de::Deserializer::deserialize_map(self, visitor)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, HashMap};

    use serde::de::DeserializeOwned;
    use serde::Deserialize;
    use serde_json::{json, Value};

    use super::*;

    #[derive(Deserialize, Debug, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Item {
        name: String,
        price: f64,
        tags: Option<Vec<String>>,
        #[serde(default, with = "serde_with_none")]
        note: Option<Option<String>>,
        kind: Kind,
        shape: Shape,
        count: u8,
    }

    mod serde_with_none {
        use serde::{Deserialize, Deserializer};
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
            Option::<String>::deserialize(d).map(Some)
        }
    }

    #[derive(Deserialize, Debug, PartialEq)]
    #[serde(rename_all = "lowercase")]
    enum Kind {
        Cat,
        Dog,
    }

    #[derive(Deserialize, Debug, PartialEq)]
    enum Shape {
        Point,
        Circle(f64),
        Rect { w: u32, h: u32 },
    }

    #[derive(Deserialize, Debug, PartialEq)]
    #[serde(untagged)]
    enum Loose {
        Number(i64),
        Text(String),
        Pair { a: bool },
    }

    #[derive(Deserialize, Debug, PartialEq)]
    struct Flat {
        id: String,
        #[serde(flatten)]
        rest: BTreeMap<String, Value>,
    }

    /// The tape gives what `serde_json` gives: the same value, or an error both ways.
    fn same<T: DeserializeOwned + PartialEq + std::fmt::Debug>(text: &str) {
        let tree = Tree::parse(text).unwrap();
        let ours: Result<T, _> = tree.deserialize();
        let theirs: Result<T, _> = serde_json::from_str(text);
        match (ours, theirs) {
            (Ok(a), Ok(b)) => assert_eq!(a, b, "{text}"),
            (Err(_), Err(_)) => {}
            (a, b) => panic!("{text}: tape {a:?}, serde_json {b:?}"),
        }
    }

    #[test]
    fn reads_as_serde_json_reads() {
        let item = r#"{"name": "a\nb", "price": 12.5, "tags": ["x", "y"], "note": null, "kind": "dog", "shape": "Point", "count": 3}"#;
        same::<Item>(item);
        same::<Item>(&item.replace("\"Point\"", r#"{"Circle": 2}"#));
        same::<Item>(&item.replace("\"Point\"", r#"{"Rect": {"w": 1, "h": 2}}"#));
        same::<Item>(&item.replace("\"Point\"", r#"{"Rect": {"w": -1, "h": 2}}"#));
        same::<Item>(&item.replace("\"dog\"", "\"cow\""));
        same::<Item>(&item.replace("3}", "300}"));
        same::<Item>(&item.replace("3}", "3, \"extra\": 1}"));
        same::<Item>(&item.replace("12.5", "\"12.5\""));
        same::<Item>(&item.replace(r#""note": null, "#, ""));
        same::<Vec<Loose>>(r#"[1, "two", {"a": true}, 2.5, null]"#);
        same::<Vec<Loose>>(r#"[1, "two", {"a": true}]"#);
        same::<Flat>(r#"{"id": "x", "b": [1, {"c": null}], "d": "é\u00e9"}"#);
        same::<HashMap<u32, bool>>(r#"{"1": true, "22": false}"#);
        same::<HashMap<u32, bool>>(r#"{"x": true}"#);
        same::<(u8, String)>(r#"[1, "a"]"#);
        same::<(u8, String)>(r#"[1, "a", 2]"#);
        same::<Value>(r#"{"a": [1, -2, 1.5, 18446744073709551615, -9223372036854775808, true, null, "s"], "b": {}}"#);
        same::<Option<u64>>("null");
        same::<Option<u64>>("7");
        same::<char>(r#""x""#);
        same::<String>(r#""\ud83d\ude00 and \"quotes\"""#);
        same::<f32>("1e-3");
        same::<i64>("-0");
        let tree = Tree::parse(r#"{"id": "x"}"#).unwrap();
        let value: Value = tree.deserialize().unwrap();
        assert_eq!(value, json!({"id": "x"}));
    }
}
