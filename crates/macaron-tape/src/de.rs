//! Deserialising a handler's type from a [`Tree`](crate::Tree): the body was read onto
//! its tape to be validated, so the type is built from the tape instead of
//! reading the text a second time. Values come to the visitor as
//! `serde_json` hands them over (integers as `u64`/`i64`, other numbers as
//! `f64`, strings borrowed where the text has them as they are), and a
//! container whose visitor stops early is an error, as in `serde_json`.
//! What `serde_json` reads from a number's digits rather than its value
//! (an `i128`, a `u128`, an `f32`; a member name read as a number) is
//! handed to `serde_json` itself, with the digits the tape points at: two
//! readers of digits would sooner or later disagree.
//! Errors are `serde_json::Error`s; the caller re-reads the text with
//! `serde_json` for its own message (with line and column) when one occurs.

use serde::de::{self, DeserializeSeed, EnumAccess, IntoDeserializer, MapAccess, SeqAccess, VariantAccess, Visitor};
use serde::forward_to_deserialize_any;
use serde_json::de::SliceRead;
use serde_json::Error;

use crate::{Kind, Tree};

impl<'a> Tree<'a> {
    /// Deserialises a `T` from the document, as `serde_json::from_str`
    /// would from its text. A string without escapes is lent, borrowed
    /// from the text.
    ///
    /// ```
    /// use macaron_tape::Tree;
    ///
    /// #[derive(serde::Deserialize, Debug, PartialEq)]
    /// struct Order<'a> {
    ///     item: &'a str,
    ///     count: u32,
    /// }
    ///
    /// let tree = Tree::parse(r#"{"item": "tea", "count": 2}"#)?;
    /// assert_eq!(tree.deserialize::<Order>()?, Order { item: "tea", count: 2 });
    /// assert!(tree.deserialize::<Vec<u32>>().is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
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
    fn entry(&self) -> Result<&'a Kind<'a>, Error> {
        self.tree.entry(self.at).ok_or_else(|| de::Error::custom("the document ends early"))
    }

    fn string(&self) -> Option<&'a str> {
        self.tree.string_at(self.at)
    }

    /// The error for a visitor that does not take the value here.
    fn invalid_type(&self, expected: &dyn de::Expected) -> Error {
        let unexpected = match self.tree.entry(self.at) {
            None | Some(Kind::Null) => de::Unexpected::Unit,
            Some(Kind::Bool(b)) => de::Unexpected::Bool(*b),
            Some(Kind::Number { number, .. }) => match (number.as_u64(), number.as_i64()) {
                (Some(u), _) => de::Unexpected::Unsigned(u),
                (None, Some(i)) => de::Unexpected::Signed(i),
                (None, None) => de::Unexpected::Float(number.as_f64().unwrap_or(f64::NAN)),
            },
            Some(Kind::Text { .. } | Kind::String(_)) => de::Unexpected::Str(self.string().unwrap_or_default()),
            Some(Kind::Array { .. }) => de::Unexpected::Seq,
            Some(Kind::Object { .. }) => de::Unexpected::Map,
        };
        de::Error::invalid_type(unexpected, expected)
    }

    /// The text of the number here, if it is a number read from text.
    fn digits(&self) -> Option<&'a str> {
        match self.tree.entry(self.at)? {
            Kind::Number { start, end, .. } if start < end => self.tree.text.get(*start as usize..*end as usize),
            _ => None,
        }
    }
}

/// Reads a number's text (the number and nothing around it) with
/// `serde_json`'s own reading for one type. From bytes, not `&str`:
/// `serde_json` 1.0.154's `from_str` can make an invalid `&str` of a map
/// key read as a boolean (see the fuzz README), and its bytes reader checks.
fn read_number<'a, T>(
    digits: &'a str,
    read: impl FnOnce(&mut serde_json::Deserializer<SliceRead<'a>>) -> Result<T, Error>,
) -> Result<T, Error> {
    let mut deserializer = serde_json::Deserializer::from_slice(digits.as_bytes());
    let value = read(&mut deserializer)?;
    deserializer.end()?;
    Ok(value)
}

/// The types `serde_json` reads from a number's digits: from the digits
/// when the number has text, as any number when not (a tree from a
/// `Value`, as `serde_json::from_value` reads it); not from another value.
macro_rules! from_digits {
    ($($method:ident),* $(,)?) => {
        $(
            fn $method<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
                match (self.digits(), self.entry()?) {
                    (Some(digits), _) => read_number(digits, |d| de::Deserializer::$method(d, visitor)),
                    (None, Kind::Number { .. }) => self.deserialize_any(visitor),
                    (None, _) => Err(self.invalid_type(&visitor)),
                }
            }
        )*
    };
}

/// What `serde_json` reads from some kinds of value only, refusing the
/// others with an `invalid type` error: a visitor that takes several kinds
/// (a variant's name, a string or an index) must not be shown the others.
macro_rules! only {
    ($($method:ident($($arg:ident: $ty:ty),*) => $kinds:pat),* $(,)?) => {
        $(
            fn $method<V: Visitor<'a>>(self, $($arg: $ty,)* visitor: V) -> Result<V::Value, Error> {
                match self.entry()? {
                    $kinds => self.deserialize_any(visitor),
                    _ => Err(self.invalid_type(&visitor)),
                }
            }
        )*
    };
}

impl<'a> de::Deserializer<'a> for At<'a> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.entry()? {
            Kind::Null => visitor.visit_unit(),
            Kind::Bool(b) => visitor.visit_bool(*b),
            Kind::Number { number: n, .. } => {
                if let Some(u) = n.as_u64() {
                    visitor.visit_u64(u)
                } else if let Some(i) = n.as_i64() {
                    visitor.visit_i64(i)
                } else {
                    visitor.visit_f64(n.as_f64().unwrap_or(f64::NAN))
                }
            }
            Kind::Text { .. } => visitor.visit_borrowed_str(self.string().unwrap_or_default()),
            Kind::String(s) => visitor.visit_str(s),
            Kind::Array { len, .. } => {
                let mut items = Children::new(self, *len);
                let value = visitor.visit_seq(&mut items)?;
                items.finish(value, "fewer elements in array")
            }
            Kind::Object { len, .. } => {
                let mut members = Children::new(self, *len);
                let value = visitor.visit_map(&mut members)?;
                members.finish(value, "fewer members in object")
            }
        }
    }

    fn deserialize_option<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.entry()? {
            Kind::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'a>>(self, _name: &'static str, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_bytes<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        match (self.entry()?, self.string()) {
            (Kind::Text { .. }, Some(text)) => visitor.visit_borrowed_bytes(text.as_bytes()),
            (Kind::String(s), _) => visitor.visit_bytes(s.as_bytes()),
            (Kind::Array { .. }, _) => self.deserialize_any(visitor),
            _ => Err(self.invalid_type(&visitor)),
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
            Kind::Text { .. } | Kind::String(_) => {
                let name = self.string().unwrap_or_default();
                visitor.visit_enum(de::value::StrDeserializer::<Error>::new(name))
            }
            Kind::Object { len: 1, .. } => visitor.visit_enum(Variant { name: At { at: self.at + 1, ..self } }),
            _ => Err(de::Error::invalid_type(
                de::Unexpected::Other("a value that is not a string or a one-member object"),
                &"an enum",
            )),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }

    // Exact beyond 64 bits (and `-0` an integer), as serde_json reads them;
    // an `f32` rounded once, from the decimal, not twice through an `f64`.
    from_digits! { deserialize_i128, deserialize_u128, deserialize_f32 }

    only! {
        deserialize_bool() => Kind::Bool(_),
        deserialize_i8() => Kind::Number { .. },
        deserialize_i16() => Kind::Number { .. },
        deserialize_i32() => Kind::Number { .. },
        deserialize_i64() => Kind::Number { .. },
        deserialize_u8() => Kind::Number { .. },
        deserialize_u16() => Kind::Number { .. },
        deserialize_u32() => Kind::Number { .. },
        deserialize_u64() => Kind::Number { .. },
        deserialize_f64() => Kind::Number { .. },
        deserialize_char() => Kind::Text { .. } | Kind::String(_),
        deserialize_str() => Kind::Text { .. } | Kind::String(_),
        deserialize_string() => Kind::Text { .. } | Kind::String(_),
        deserialize_identifier() => Kind::Text { .. } | Kind::String(_),
        deserialize_unit() => Kind::Null,
        deserialize_unit_struct(_name: &'static str) => Kind::Null,
        deserialize_seq() => Kind::Array { .. },
        deserialize_tuple(_len: usize) => Kind::Array { .. },
        deserialize_tuple_struct(_name: &'static str, _len: usize) => Kind::Array { .. },
        deserialize_map() => Kind::Object { .. },
        deserialize_struct(_name: &'static str, _fields: &'static [&'static str]) => Kind::Array { .. } | Kind::Object { .. },
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
/// a boolean (for maps keyed by them): when the name, as written, is the
/// number or the boolean and nothing else.
struct Key<'a>(At<'a>);

/// A name read as a number, by `serde_json`.
macro_rules! number_key {
    ($($method:ident),* $(,)?) => {
        $(
            fn $method<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
                let digits = self.number()?;
                read_number(digits, |d| de::Deserializer::$method(d, visitor))
            }
        )*
    };
}

impl<'a> Key<'a> {
    fn name(&self) -> Result<&'a str, Error> {
        self.0.string().ok_or_else(|| de::Error::custom("a member name that is not a string"))
    }

    /// The name as written, to be read as a number or a boolean. A name
    /// written with escapes is neither (`serde_json` reads the name's text);
    /// a name of a `Value` (no text) is its string, as `serde_json::from_value` has it.
    fn as_written(&self) -> Result<&'a str, Error> {
        match self.0.entry()? {
            Kind::String(_) if !self.0.tree.text.is_empty() => {
                Err(de::Error::custom("a member name with escapes where a number or a boolean is expected"))
            }
            _ => self.name(),
        }
    }

    /// The name, if it can be a number: it starts as one and ends with a
    /// digit (no space around it); `serde_json` decides the rest.
    fn number(&self) -> Result<&'a str, Error> {
        let name = self.as_written()?;
        match (name.as_bytes().first(), name.as_bytes().last()) {
            (Some(b'0'..=b'9' | b'-'), Some(b'0'..=b'9')) => Ok(name),
            _ => Err(de::Error::invalid_type(de::Unexpected::Str(name), &"a member name that is a number")),
        }
    }
}

impl<'a> de::Deserializer<'a> for Key<'a> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0.entry()? {
            Kind::String(s) => visitor.visit_str(s),
            _ => visitor.visit_borrowed_str(self.name()?),
        }
    }

    number_key! {
        deserialize_i8, deserialize_i16, deserialize_i32, deserialize_i64, deserialize_i128,
        deserialize_u8, deserialize_u16, deserialize_u32, deserialize_u64, deserialize_u128,
        deserialize_f32, deserialize_f64,
    }

    fn deserialize_bool<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.as_written()? {
            "true" => visitor.visit_bool(true),
            "false" => visitor.visit_bool(false),
            name => Err(de::Error::invalid_type(de::Unexpected::Str(name), &visitor)),
        }
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

    fn deserialize_bytes<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0.entry()? {
            Kind::String(s) => visitor.visit_bytes(s.as_bytes()),
            _ => visitor.visit_borrowed_bytes(self.name()?.as_bytes()),
        }
    }

    fn deserialize_byte_buf<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_bytes(visitor)
    }

    forward_to_deserialize_any! {
        <W: Visitor<'a>>
        char str string unit unit_struct seq tuple tuple_struct map struct identifier ignored_any
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

    /// The tape gives what `serde_json` gives: the same value, or an error
    /// both ways. (`serde_json` from the bytes: see `read_number`.)
    fn same<T: DeserializeOwned + PartialEq + std::fmt::Debug>(text: &str) {
        let tree = Tree::parse(text).unwrap();
        let ours: Result<T, _> = tree.deserialize();
        let theirs: Result<T, _> = serde_json::from_slice(text.as_bytes());
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

    /// An object's members in order, the names read as `K` (a float too,
    /// which a map cannot be keyed by).
    #[derive(Debug, PartialEq)]
    struct Pairs<K>(Vec<(K, bool)>);

    impl<'de, K: Deserialize<'de>> Deserialize<'de> for Pairs<K> {
        fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            struct Members<K>(std::marker::PhantomData<K>);

            impl<'de, K: Deserialize<'de>> Visitor<'de> for Members<K> {
                type Value = Pairs<K>;

                fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                    f.write_str("an object")
                }

                fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Pairs<K>, A::Error> {
                    let mut pairs = Vec::new();
                    while let Some(pair) = map.next_entry()? {
                        pairs.push(pair);
                    }
                    Ok(Pairs(pairs))
                }
            }

            deserializer.deserialize_map(Members(std::marker::PhantomData))
        }
    }

    /// Found by the fuzz target: an `i128` beyond 64 bits was refused (the
    /// tape held an `f64`), `-0` too; an `f32` was rounded twice.
    #[test]
    fn reads_from_the_digits_what_serde_json_reads_from_them() {
        same::<i128>("-170141183460469231731687303715884105728");
        same::<i128>("170141183460469231731687303715884105728");
        same::<u128>("340282366920938463463374607431768211455");
        same::<u128>("340282366920938463463374607431768211456");
        same::<i128>("-0");
        same::<u128>("-0");
        same::<i128>("1.5");
        same::<i128>("1e2");
        same::<i128>("\"1\"");
        same::<Vec<i128>>("[1, -18446744073709551617, 18446744073709551616]");
        // Halfway between two f32s but for the last digit: the nearest f64
        // is the halfway point, which rounds to even; the nearest f32 is above.
        let above_halfway = "1.0000000596046447753906250001";
        assert_eq!(serde_json::from_str::<f32>(above_halfway).unwrap(), 1.0000001);
        same::<f32>(above_halfway);
        same::<Vec<f32>>("[0.1, 3.4028235e38, 3.4028236e38, 1e-46, -0.0]");
        // A tree from a `Value` has no digits: read as `serde_json::from_value` reads it.
        for value in [json!(-0.0), json!(u64::MAX), json!(i64::MIN), json!(1.5), json!(0.1)] {
            let tree = Tree::from_value(&value);
            assert_eq!(tree.deserialize::<i128>().ok(), serde_json::from_value::<i128>(value.clone()).ok(), "{value}");
            assert_eq!(tree.deserialize::<f32>().ok(), serde_json::from_value::<f32>(value.clone()).ok(), "{value}");
        }
        // A recorded tape has the digits written.
        let (text, tape) = crate::write(&[i128::MIN, 0, i128::MAX]).unwrap();
        let tree = crate::Tree::on(&text, tape.as_deref().unwrap());
        assert_eq!(tree.deserialize::<Vec<i128>>().unwrap(), [i128::MIN, 0, i128::MAX]);
    }

    /// Found by the fuzz target: a member name read as a number is a JSON
    /// number and nothing else, as serde_json reads it (`+1`, `01`, `-0`
    /// as an integer, `inf` were taken), and a name with escapes is not one.
    #[test]
    fn reads_names_as_numbers_as_serde_json_does() {
        let names = [
            "1",
            "+1",
            "01",
            "-0",
            "-",
            "",
            " 1",
            "1 ",
            "1 2",
            "1.5",
            "1e2",
            "1E-2",
            ".5",
            "5.",
            "inf",
            "-inf",
            "NaN",
            "infinity",
            "1e400",
            "1e39",
            "255",
            "256",
            "-129",
            "9223372036854775808",
            "18446744073709551616",
            "340282366920938463463374607431768211456",
            "1_000",
            "0x10",
            "\\u0031",
            "1\\u0032",
            "é",
        ];
        for name in names {
            let text = format!(r#"{{"{name}": true}}"#);
            same::<Pairs<u8>>(&text);
            same::<Pairs<i8>>(&text);
            same::<Pairs<u64>>(&text);
            same::<Pairs<i64>>(&text);
            same::<Pairs<u128>>(&text);
            same::<Pairs<i128>>(&text);
            same::<Pairs<f32>>(&text);
            same::<Pairs<f64>>(&text);
            same::<Pairs<bool>>(&text);
        }
        for name in ["true", "false", "True", "tru\\u0065", "é", "truee", " true"] {
            same::<Pairs<bool>>(&format!(r#"{{"{name}": true}}"#));
        }
        // A tree from a `Value`: its names as `serde_json::from_value` reads them.
        for name in ["1", "+1", "-0", "1.5", "true", "\u{e9}"] {
            let value = json!({name: true});
            let ours = Tree::from_value(&value).deserialize::<Pairs<i64>>().ok();
            assert_eq!(ours, serde_json::from_value::<Pairs<i64>>(value.clone()).ok(), "{name}");
            let ours = Tree::from_value(&value).deserialize::<Pairs<bool>>().ok();
            assert_eq!(ours, serde_json::from_value::<Pairs<bool>>(value.clone()).ok(), "{name}");
        }
    }

    /// A visitor that takes every kind of value, so that a type is read
    /// where the method alone decides whether the value is taken.
    macro_rules! taking_all {
        ($($name:ident => $method:ident($($arg:expr),*)),* $(,)?) => {
            $(
                #[derive(Debug, PartialEq)]
                struct $name;

                impl<'de> Deserialize<'de> for $name {
                    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                        d.$method($($arg,)* serde::de::IgnoredAny).map(|_| $name)
                    }
                }
            )*
        };
    }

    taking_all! {
        ByBool => deserialize_bool(),
        ByU8 => deserialize_u8(),
        ByF64 => deserialize_f64(),
        ByI128 => deserialize_i128(),
        ByF32 => deserialize_f32(),
        ByChar => deserialize_char(),
        ByStr => deserialize_str(),
        ByIdentifier => deserialize_identifier(),
        ByBytes => deserialize_bytes(),
        ByUnit => deserialize_unit(),
        ByUnitStruct => deserialize_unit_struct("UnitStruct"),
        BySeq => deserialize_seq(),
        ByTuple => deserialize_tuple(2),
        ByMap => deserialize_map(),
        ByStruct => deserialize_struct("Struct", &["a"]),
        ByOption => deserialize_option(),
        ByIgnored => deserialize_ignored_any(),
    }

    /// Found by the fuzz target: `serde_json` reads a variant's name (an
    /// identifier) from a string only, where the tape took an index too;
    /// each method takes the kinds of value `serde_json`'s takes, no other.
    #[test]
    fn each_method_takes_what_serde_json_takes() {
        #[derive(Deserialize, Debug, PartialEq)]
        #[serde(tag = "type")]
        enum Tagged {
            A { n: u64 },
            B,
        }
        same::<Vec<Tagged>>("[[0, 1]]");
        same::<Vec<Tagged>>(r#"[["A", 1], {"type": "B"}]"#);
        same::<Vec<Tagged>>(r#"[{"type": 1}]"#);
        for text in [
            "null",
            "true",
            "0",
            "-1",
            "1.5",
            "170141183460469231731687303715884105728",
            r#""s""#,
            r#""\n""#,
            "[]",
            "[1, 2]",
            "{}",
            r#"{"a": 1}"#,
        ] {
            same::<ByBool>(text);
            same::<ByU8>(text);
            same::<ByF64>(text);
            same::<ByI128>(text);
            same::<ByF32>(text);
            same::<ByChar>(text);
            same::<ByStr>(text);
            same::<ByIdentifier>(text);
            same::<ByBytes>(text);
            same::<ByUnit>(text);
            same::<ByUnitStruct>(text);
            same::<BySeq>(text);
            same::<ByTuple>(text);
            same::<ByMap>(text);
            same::<ByStruct>(text);
            same::<ByOption>(text);
            same::<ByIgnored>(text);
        }
    }
}
