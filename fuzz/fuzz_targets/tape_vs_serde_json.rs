//! The tape against `serde_json`, on any bytes.
//!
//! `macaron-tape` promises to read JSON as `serde_json` reads it (same
//! documents, same values, same errors) and to write it as `serde_json`
//! writes it, while doing its own reading and recording. This target holds
//! it to that on arbitrary input:
//!
//! - parse: the tape's reader takes a text if and only if
//!   `serde_json::from_slice::<Value>` does (its own reader alone, before
//!   its fallback on `serde_json` could hide a disagreement); a refusal is
//!   `serde_json`'s message;
//! - deserialise: the `Value` deserialised from the tape, and the one the
//!   `jsonschema` adapter gives for the root, are `serde_json`'s value
//!   (compared with `==` and as written text, so member order and the sign
//!   of a zero count too); and Rust types that take the paths a `Value`
//!   never takes (enums, map keys read as numbers, borrowed strings,
//!   `flatten`, `untagged`: see `shapes`) come out as `serde_json::from_slice`
//!   makes them, or are refused by both;
//! - record: writing that value gives `serde_json::to_string`'s text and a
//!   tape that reads back as the same value.
//!
//! Bytes that are not UTF-8 never reach the tape (it reads text; Macaron
//! refuses such a body before): `serde_json` must refuse them too.

#![no_main]

use std::collections::BTreeMap;
use std::fmt::{self, Debug};
use std::marker::PhantomData;

use jsonschema::json::Node as _;
use libfuzzer_sys::fuzz_target;
use macaron_tape::Tree;
use serde::de::{IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

fuzz_target!(|bytes: &[u8]| check(bytes));

fn check(bytes: &[u8]) {
    let theirs = serde_json::from_slice::<Value>(bytes);
    let Ok(text) = std::str::from_utf8(bytes) else {
        assert!(theirs.is_err(), "serde_json reads bytes that are not UTF-8: {bytes:?}");
        return;
    };
    assert_eq!(
        macaron_tape::__private::own_reader_accepts(text),
        theirs.is_ok(),
        "the tape's own reader and serde_json disagree on {text:?}: serde_json says {theirs:?}"
    );
    let value = match (Tree::parse(text), theirs) {
        (Ok(tree), Ok(value)) => {
            same(&tree.deserialize::<Value>().expect("a value from the tape"), &value, "deserialised", text);
            same(&tree.root().to_value(), &value, "through the jsonschema adapter", text);
            shapes(text, &tree);
            value
        }
        (Err(ours), Err(theirs)) => {
            assert_eq!(ours.to_string(), theirs.to_string(), "the refusal of {text:?}");
            return;
        }
        (ours, theirs) => panic!("{text:?}: the tape says {ours:?}, serde_json says {theirs:?}"),
    };

    same(&Tree::from_value(&value).deserialize::<Value>().expect("a value"), &value, "from a Value", text);

    let (written, tape) = macaron_tape::write(&value).expect("a Value writes");
    assert_eq!(written, serde_json::to_string(&value).expect("a Value writes"), "the text written for {text:?}");
    let tape = tape.expect("a Value records its tape");
    let recorded = Tree::on(&written, &tape);
    same(&recorded.deserialize::<Value>().expect("a value from the recorded tape"), &value, "recorded", text);
    same(&recorded.root().to_value(), &value, "recorded, through the jsonschema adapter", text);
}

/// `ours` is `theirs`: equal, and written alike (member order, `-0.0`).
fn same(ours: &Value, theirs: &Value, how: &str, text: &str) {
    assert_eq!(ours, theirs, "{how}, from {text:?}");
    assert_eq!(ours.to_string(), theirs.to_string(), "{how}, from {text:?}");
}

/// The typed shapes, each read from the tape and by `serde_json`.
fn shapes<'a>(text: &'a str, tree: &'a Tree<'a>) {
    agree::<Record>(text, tree);
    agree::<Vec<Kind>>(text, tree);
    agree::<Vec<Loose>>(text, tree);
    agree::<Vec<Tagged>>(text, tree);
    agree::<Pairs<u8>>(text, tree);
    agree::<Pairs<i64>>(text, tree);
    agree::<Pairs<u64>>(text, tree);
    agree::<Pairs<i128>>(text, tree);
    agree::<Pairs<u128>>(text, tree);
    agree::<Pairs<f32>>(text, tree);
    agree::<Pairs<f64>>(text, tree);
    agree::<Pairs<bool>>(text, tree);
    agree::<Pairs<char>>(text, tree);
    agree::<Pairs<Kind>>(text, tree);
    agree::<Pairs<&str>>(text, tree);
    agree::<(u8, Option<String>)>(text, tree);
    agree::<Vec<&str>>(text, tree);
    agree::<Option<Vec<i16>>>(text, tree);
    agree::<char>(text, tree);
    agree::<()>(text, tree);
    takers(text, tree);
}

/// The tape gives a `T` equal to `serde_json`'s, or both refuse (errors
/// are not compared: the tape's are `serde_json::Error`s without a line,
/// and Macaron re-reads the text for the message). `serde_json` reads the
/// bytes: its `from_str` makes an invalid `&str` of a map key read as a
/// boolean that starts with a non-ASCII character (1.0.154; see README.md).
fn agree<'a, T: Deserialize<'a> + PartialEq + Debug>(text: &'a str, tree: &'a Tree<'a>) {
    match (tree.deserialize::<T>(), serde_json::from_slice::<T>(text.as_bytes())) {
        (Ok(ours), Ok(theirs)) => assert_eq!(ours, theirs, "{} from {text:?}", std::any::type_name::<T>()),
        (Err(_), Err(_)) => {}
        (ours, theirs) => {
            panic!("{} from {text:?}: the tape gives {ours:?}, serde_json {theirs:?}", std::any::type_name::<T>())
        }
    }
}

/// An object's fields as a struct's: options, a default, a `char`, an
/// `f32`, an `i128`, an enum; no other member.
#[derive(Deserialize, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
struct Record {
    id: u32,
    name: Option<String>,
    letter: Option<char>,
    ratio: Option<f32>,
    big: Option<i128>,
    kind: Option<Kind>,
    #[serde(default)]
    tags: Vec<u16>,
}

/// An enum as a string or a one-member object.
#[derive(Deserialize, Debug, PartialEq)]
enum Kind {
    Unit,
    Newtype(i8),
    Tuple(bool, String),
    Struct { x: f64 },
}

/// An untagged enum: serde buffers the value and tries each variant.
#[derive(Deserialize, Debug, PartialEq)]
#[serde(untagged)]
enum Loose {
    Int(i64),
    Float(f64),
    Text(String),
    List(Vec<Loose>),
    Pair { a: bool },
}

/// An internally tagged enum, one variant with a flattened rest.
#[derive(Deserialize, Debug, PartialEq)]
#[serde(tag = "type")]
enum Tagged {
    A {
        n: u64,
    },
    B {
        s: String,
        #[serde(flatten)]
        rest: BTreeMap<String, Value>,
    },
}

/// An object's members in order, the names read as `K` (as the keys of a
/// map: numbers, booleans, chars, unit variants).
#[derive(Debug, PartialEq)]
struct Pairs<K>(Vec<(K, Value)>);

impl<'de, K: Deserialize<'de>> Deserialize<'de> for Pairs<K> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Members<K>(PhantomData<K>);

        impl<'de, K: Deserialize<'de>> Visitor<'de> for Members<K> {
            type Value = Pairs<K>;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
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

        deserializer.deserialize_map(Members(PhantomData))
    }
}

/// A type read with one method and a visitor that takes every kind of
/// value: whether the value is taken is the method's decision alone.
macro_rules! takers {
    ($($name:ident => $method:ident($($arg:expr),*)),* $(,)?) => {
        $(
            #[derive(Debug, PartialEq)]
            struct $name;

            impl<'de> Deserialize<'de> for $name {
                fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                    deserializer.$method($($arg,)* IgnoredAny).map(|_| $name)
                }
            }
        )*

        /// Each method, on the items of an array and on the names of an object.
        fn takers<'a>(text: &'a str, tree: &'a Tree<'a>) {
            $(
                agree::<Vec<$name>>(text, tree);
                agree::<Pairs<$name>>(text, tree);
            )*
        }
    };
}

takers! {
    ByBool => deserialize_bool(),
    ByI8 => deserialize_i8(),
    ByU64 => deserialize_u64(),
    ByI128 => deserialize_i128(),
    ByU128 => deserialize_u128(),
    ByF32 => deserialize_f32(),
    ByF64 => deserialize_f64(),
    ByChar => deserialize_char(),
    ByStr => deserialize_str(),
    ByString => deserialize_string(),
    ByIdentifier => deserialize_identifier(),
    ByBytes => deserialize_bytes(),
    ByByteBuf => deserialize_byte_buf(),
    ByUnit => deserialize_unit(),
    ByUnitStruct => deserialize_unit_struct("ByUnitStruct"),
    BySeq => deserialize_seq(),
    ByTuple => deserialize_tuple(2),
    ByTupleStruct => deserialize_tuple_struct("ByTupleStruct", 2),
    ByMap => deserialize_map(),
    ByStruct => deserialize_struct("ByStruct", &["a", "b"]),
    ByOption => deserialize_option(),
    ByNewtype => deserialize_newtype_struct("ByNewtype"),
    ByEnum => deserialize_enum("ByEnum", &["A", "B"]),
    ByIgnored => deserialize_ignored_any(),
    ByAny => deserialize_any(),
}
