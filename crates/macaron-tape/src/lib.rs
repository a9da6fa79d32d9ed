//! # macaron-tape
//!
//! A JSON document as Macaron's validator reads it: one vector, made once.
//!
//! Every request body and every reply of a Macaron service is checked
//! against its schema, so the document the validator walks is built on
//! every request. A `serde_json::Value` is a poor fit for that: with
//! `preserve_order` (which the spec loader needs) each object is an index
//! map that hashes every key on insert, every string is copied out of the
//! request, and every object and array is an allocation of its own.
//!
//! So a document here is a [`Tree`]: its text and a tape, the values of the
//! document in document order in one vector, each object and array an entry
//! giving its length and where its next sibling starts, each object member
//! its name then its value. A string without escapes is just where it
//! stands in the text, so the tape of a request body borrows nothing and
//! can be kept beside the body's bytes. Four things are done with a tape:
//!
//! - [`read`] makes it from the text in one pass (module `parse`);
//! - a validator walks its values through [`Node`] (module `node`), or,
//!   with the feature `jsonschema`, `jsonschema` validates it through
//!   `TreeJson` (module `json`);
//! - the handler's own type is deserialised from it with
//!   [`Tree::deserialize`] (module `de`), without reading the text again;
//! - [`write()`] records a reply's tape while `serde_json` writes its text
//!   (module `record`), so the reply is not read back either.
//!
//! `serde_json` stays the authority on what JSON means: a text is a
//! document if and only if `serde_json` reads it, it reads as the same
//! value (numbers included: a number with a fraction or an exponent is
//! the `f64` `serde_json` makes of it), errors are `serde_json`'s, and
//! [`write()`]'s text is `serde_json::to_string`'s. The fuzz target
//! `tape_vs_serde_json` (in the repository's `fuzz/` folder) checks all
//! of it on arbitrary input.
//!
//! The surface is small on purpose: a tape is only ever made by [`read`],
//! [`write()`] or [`Tree::from_value`], so its [`Entry`]s are opaque and their
//! positions always consistent.
//!
//! ```
//! use macaron_tape::{Tree, TreeJson};
//!
//! let schema = serde_json::json!({
//!     "type": "object",
//!     "required": ["name"],
//!     "properties": {"name": {"type": "string"}, "age": {"type": "integer"}}
//! });
//! let validator = jsonschema::options_for::<TreeJson>().build(&schema)?;
//!
//! #[derive(serde::Deserialize)]
//! struct Pet<'a> {
//!     name: &'a str,
//!     age: u8,
//! }
//!
//! // A request body: read once, validated, then deserialised from the same tape.
//! let body = String::from(r#"{"name": "Rex", "age": 3}"#);
//! let tape = macaron_tape::read(&body)?;
//! let tree = Tree::on(&body, &tape);
//! assert!(validator.is_valid(tree.root()));
//! let pet: Pet = tree.deserialize()?;
//! assert_eq!((pet.name, pet.age), ("Rex", 3));
//!
//! // A reply: its text and its tape at once, validated without reading the text.
//! let (text, tape) = macaron_tape::write(&serde_json::json!({"age": 3}))?;
//! assert_eq!(text, r#"{"age":3}"#);
//! let tape = tape.ok_or("a raw fragment leaves no tape")?;
//! assert!(!validator.is_valid(Tree::on(&text, &tape).root()));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::borrow::Cow;

use serde_json::{Map, Number, Value};

mod de;
#[cfg(feature = "jsonschema")]
mod json;
mod node;
mod parse;
mod record;

#[cfg(feature = "jsonschema")]
pub use json::TreeJson;
pub use node::{ItemsIter, MembersIter, Node, Shape};
pub use parse::{read, ParseError};
pub use record::write;

/// A JSON document: its text and its tape.
///
/// Made by [`Tree::parse`] (text and tape together), [`Tree::on`] (a text
/// and the tape [`read`] or [`write()`] made of it earlier) or
/// [`Tree::from_value`]; read with [`Tree::deserialize`] or walked from
/// [`Tree::root`].
///
/// ```
/// use macaron_tape::Tree;
///
/// let tree = Tree::parse(r#"{"a": [1, "two"]}"#)?;
/// let value: serde_json::Value = tree.deserialize()?;
/// assert_eq!(value, serde_json::json!({"a": [1, "two"]}));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Tree<'a> {
    /// The text the tape's `Text` entries point into (empty for a tree made from a `Value`).
    text: &'a str,
    tape: Tape<'a>,
}

/// A tape of the tree's own, or one kept elsewhere (a request's, beside its body).
#[derive(Debug, Clone, PartialEq)]
enum Tape<'a> {
    Own(Vec<Entry<'a>>),
    Lent(&'a [Entry<'a>]),
}

impl<'a> std::ops::Deref for Tape<'a> {
    type Target = [Entry<'a>];

    #[inline]
    fn deref(&self) -> &[Entry<'a>] {
        match self {
            Tape::Own(tape) => tape,
            Tape::Lent(tape) => tape,
        }
    }
}

/// One value on a tape. Opaque: a tape is kept (beside the text it was
/// read from, or written with) and handed back to [`Tree::on`], never made
/// or changed by hand, so its positions always agree with its text.
///
/// ```
/// let text = String::from("[true, null]");
/// let tape: Vec<macaron_tape::Entry<'static>> = macaron_tape::read(&text)?;
/// assert_eq!(tape.len(), 3); // the array, then its two items
/// # Ok::<(), macaron_tape::ParseError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Entry<'a>(Kind<'a>);

/// What an [`Entry`] holds.
#[derive(Debug, Clone, PartialEq)]
enum Kind<'a> {
    Null,
    Bool(bool),
    /// A number, and where it stands in the text (`start == end` when it
    /// has none: a number of a `Value`). The tape holds what a
    /// `serde_json::Value` holds (a `u64`, an `i64` or an `f64`); the text
    /// is for what needs the digits themselves (an `i128`, an `f32`).
    Number {
        number: Number,
        start: u32,
        end: u32,
    },
    /// A string without escapes: the bytes `start..end` of the text.
    Text {
        start: u32,
        end: u32,
    },
    /// A string with escapes (unescaped), or a string of a `Value`.
    String(Cow<'a, str>),
    /// `len` items follow; the next sibling is at `end`.
    Array {
        len: u32,
        end: u32,
    },
    /// `len` members follow, each a name (a string entry) then its value;
    /// the next sibling is at `end`. A repeated name keeps every
    /// occurrence; lookups find the last, as `serde_json::Value` keeps the last.
    Object {
        len: u32,
        end: u32,
    },
}

impl<'a> Tree<'a> {
    /// Parses a JSON document (the whole of `text`). Text, not bytes:
    /// checking UTF-8 once for the document is cheaper than string by string.
    ///
    /// ```
    /// use macaron_tape::Tree;
    ///
    /// assert!(Tree::parse(r#"{"a": 1}"#).is_ok());
    /// let error = Tree::parse(r#"{"a": 1,}"#).unwrap_err();
    /// assert_eq!(error.to_string(), "trailing comma at line 1 column 9");
    /// ```
    pub fn parse(text: &'a str) -> Result<Tree<'a>, ParseError> {
        Ok(Tree { text, tape: Tape::Own(read(text)?) })
    }

    /// The document of `text` whose tape [`read`] (or [`write()`]) made
    /// earlier; the tape is borrowed, not copied.
    ///
    /// ```
    /// use macaron_tape::Tree;
    ///
    /// let text = String::from(r#"["a", "b"]"#);
    /// let tape = macaron_tape::read(&text)?;
    /// let tree = Tree::on(&text, &tape);
    /// let items: Vec<&str> = tree.deserialize()?;
    /// assert_eq!(items, ["a", "b"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[inline]
    pub fn on(text: &'a str, tape: &'a [Entry<'static>]) -> Tree<'a> {
        Tree { text, tape: Tape::Lent(tape) }
    }

    /// The document's top value, for validators (and, with the feature
    /// `jsonschema`, for `jsonschema`: see `TreeJson`).
    ///
    /// ```
    /// use jsonschema::json::Node as _;
    /// use macaron_tape::Tree;
    ///
    /// let tree = Tree::parse(r#"{"a": 1}"#)?;
    /// assert_eq!(tree.root().json_type(), jsonschema::JsonType::Object);
    /// # Ok::<(), macaron_tape::ParseError>(())
    /// ```
    #[inline]
    pub fn root(&self) -> Node<'_> {
        Node::at(self, 0)
    }

    /// The same document from a `Value`, borrowing its strings (for a
    /// value that was never text, such as a coerced query parameter).
    ///
    /// ```
    /// use macaron_tape::Tree;
    ///
    /// let value = serde_json::json!({"limit": 10});
    /// let tree = Tree::from_value(&value);
    /// assert_eq!(tree.deserialize::<serde_json::Value>()?, value);
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn from_value(value: &'a Value) -> Tree<'a> {
        let mut tape = Vec::new();
        push_value(&mut tape, value);
        Tree { text: "", tape: Tape::Own(tape) }
    }

    /// The same document as a `Value`.
    #[cfg(test)]
    pub(crate) fn to_value(&self) -> Value {
        self.value_at(0)
    }

    #[inline]
    fn entry(&self, at: usize) -> Option<&Kind<'a>> {
        self.tape.get(at).map(|entry| &entry.0)
    }

    /// The string at `at`, if it is one.
    #[inline]
    fn string_at(&self, at: usize) -> Option<&str> {
        match self.entry(at)? {
            Kind::Text { start, end } => self.text.get(*start as usize..*end as usize),
            Kind::String(s) => Some(s),
            _ => None,
        }
    }

    /// Where the value after the one at `at` starts.
    #[inline]
    fn next(&self, at: usize) -> usize {
        match self.entry(at) {
            Some(Kind::Array { end, .. } | Kind::Object { end, .. }) => *end as usize,
            _ => at + 1,
        }
    }

    /// The value at `at` as a `Value`.
    fn value_at(&self, at: usize) -> Value {
        match self.entry(at) {
            None | Some(Kind::Null) => Value::Null,
            Some(Kind::Bool(b)) => Value::Bool(*b),
            Some(Kind::Number { number, .. }) => Value::Number(number.clone()),
            Some(Kind::Text { .. } | Kind::String(_)) => Value::String(self.string_at(at).unwrap_or("").to_string()),
            Some(Kind::Array { len, .. }) => {
                let mut items = Vec::with_capacity(*len as usize);
                let mut item = at + 1;
                for _ in 0..*len {
                    items.push(self.value_at(item));
                    item = self.next(item);
                }
                Value::Array(items)
            }
            Some(Kind::Object { len, .. }) => {
                let mut map = Map::with_capacity(*len as usize);
                let mut member = at + 1;
                for _ in 0..*len {
                    map.insert(self.string_at(member).unwrap_or("").to_string(), self.value_at(member + 1));
                    member = self.next(member + 1);
                }
                Value::Object(map)
            }
        }
    }
}

/// The tape of a `Value`, owning its strings.
fn owned_tape(value: &Value) -> Vec<Entry<'static>> {
    let mut tape = Vec::new();
    push_value(&mut tape, value);
    tape.into_iter()
        .map(|Entry(kind)| {
            Entry(match kind {
                Kind::String(s) => Kind::String(Cow::Owned(s.into_owned())),
                Kind::Null => Kind::Null,
                Kind::Bool(b) => Kind::Bool(b),
                Kind::Number { number, start, end } => Kind::Number { number, start, end },
                Kind::Text { start, end } => Kind::Text { start, end },
                Kind::Array { len, end } => Kind::Array { len, end },
                Kind::Object { len, end } => Kind::Object { len, end },
            })
        })
        .collect()
}

fn push_value<'a>(tape: &mut Vec<Entry<'a>>, value: &'a Value) {
    match value {
        Value::Null => tape.push(Entry(Kind::Null)),
        Value::Bool(b) => tape.push(Entry(Kind::Bool(*b))),
        Value::Number(n) => tape.push(Entry(Kind::Number { number: n.clone(), start: 0, end: 0 })),
        Value::String(s) => tape.push(Entry(Kind::String(Cow::Borrowed(s)))),
        Value::Array(items) => {
            let start = tape.len();
            tape.push(Entry(Kind::Array { len: 0, end: 0 }));
            for item in items {
                push_value(tape, item);
            }
            tape[start] = Entry(Kind::Array { len: count(items.len()), end: count(tape.len()) });
        }
        Value::Object(map) => {
            let start = tape.len();
            tape.push(Entry(Kind::Object { len: 0, end: 0 }));
            for (name, member) in map {
                tape.push(Entry(Kind::String(Cow::Borrowed(name))));
                push_value(tape, member);
            }
            tape[start] = Entry(Kind::Object { len: count(map.len()), end: count(tape.len()) });
        }
    }
}

/// A length or position on the tape. Bodies are bounded far below 4 GiB.
fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// What the fuzz target needs and users should not call.
#[doc(hidden)]
pub mod __private {
    /// Whether this crate's own reader takes `text` as a document, before
    /// [`read`](crate::read) hands a refused text to `serde_json` (where
    /// the two disagree, the fallback hides it: the fuzz target must not).
    pub fn own_reader_accepts(text: &str) -> bool {
        crate::parse::read_alone(text).is_some()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use jsonschema::json::{Node as _, Object};

    use super::*;

    #[test]
    fn parses_as_value_does() {
        let text = r#"{"a": [1, -2, 1.5, "x\ny", true, null], "b": {"c": "d"}, "e\u00e9": 18446744073709551615}"#;
        let tree = Tree::parse(text).unwrap();
        let value: Value = serde_json::from_str(text).unwrap();
        assert_eq!(tree.to_value(), value);
        assert_eq!(Tree::from_value(&value).to_value(), value);
        // Strings without escapes are where they stand in the text; the others are unescaped copies.
        let plain = (0..tree.tape.len()).filter(|&at| matches!(tree.tape[at].0, Kind::Text { .. }));
        assert!(plain.clone().any(|at| tree.string_at(at) == Some("b")));
        assert!(!plain.clone().any(|at| tree.string_at(at) == Some("x\ny")));
        assert!(tree.tape.iter().any(|e| matches!(&e.0, Kind::String(Cow::Owned(s)) if s == "e\u{e9}")));
    }

    /// A tape is one entry per value: a number's digits (two `u32`s beside
    /// its `Number`) must not make every entry bigger than a string's.
    #[test]
    fn an_entry_is_four_words() {
        assert_eq!(std::mem::size_of::<Entry>(), 32);
    }

    #[test]
    fn the_last_repeated_member_wins() {
        let tree = Tree::parse(r#"{"a": 1, "a": 2}"#).unwrap();
        let found = tree.root().as_object().and_then(|o| o.get(&"a".to_string()));
        assert_eq!(found.map(|n| n.to_value()), Some(json!(2)));
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
            assert_eq!(by_tree.is_valid(tree.root()), by_value.is_valid(&case), "{case}");
            let a: Vec<String> =
                by_tree.iter_errors(tree.root()).map(|e| format!("{} {e}", e.instance_path())).collect();
            let b: Vec<String> = by_value.iter_errors(&case).map(|e| format!("{} {e}", e.instance_path())).collect();
            assert_eq!(a, b, "{case}");
        }
    }

    /// What `serde_json` makes of a text: its value, or that it refuses it.
    fn serde_reading(text: &str) -> Option<Value> {
        serde_json::from_str(text).ok()
    }

    #[test]
    fn reads_what_serde_json_reads() {
        let texts = [
            "0",
            "-0",
            "-0.0",
            "1",
            "-1",
            "1.5",
            "1e3",
            "1E-3",
            "-1.25e+2",
            "1e400",
            "1e-400",
            "18446744073709551615",
            "18446744073709551616",
            "-9223372036854775808",
            "-9223372036854775809",
            "01",
            "1.",
            ".5",
            "-",
            "+1",
            "1e",
            "1e+",
            "--1",
            "0x10",
            "NaN",
            "Infinity",
            "true",
            "false",
            "null",
            "tru",
            "nul",
            "True",
            r#""""#,
            r#""abc""#,
            r#""a\"b""#,
            r#""\\/\/\b\f\n\r\t""#,
            r#""\u00e9\u20ac""#,
            r#""\ud83d\ude00""#,
            r#""\ud83d""#,
            r#""\ude00""#,
            r#""\ud83d\u0041""#,
            r#""\x""#,
            r#""\u12""#,
            r#""\u12g4""#,
            "\"a\tb\"",
            "\"\u{1}\"",
            r#""é€😀""#,
            r#""unterminated"#,
            "[]",
            "[ ]",
            "[1,2,3]",
            "[1,]",
            "[,1]",
            "[1 2]",
            "[[[]]]",
            "[",
            "]",
            "{}",
            "{ }",
            r#"{"a":1}"#,
            r#"{"a":1,}"#,
            r#"{"a" 1}"#,
            r#"{a:1}"#,
            r#"{"a":}"#,
            r#"{"a":1 "b":2}"#,
            r#"{"a":{"b":[1,{"c":null}]},"d":"e"}"#,
            r#"{"a":1,"a":2}"#,
            r#" {"x" : [ true , false ] } "#,
            "",
            " ",
            "1 2",
            "{} {}",
            "[] x",
            "\u{feff}1",
        ];
        for text in texts {
            let ours = Tree::parse(text).map(|t| t.to_value()).ok();
            assert_eq!(ours, serde_reading(text), "{text:?}");
        }
        // Nesting: serde_json's limit is ours.
        for depth in [127, 128, 129, 200] {
            let text = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
            assert_eq!(Tree::parse(&text).is_ok(), serde_reading(&text).is_some(), "depth {depth}");
        }
    }

    #[test]
    fn errors_are_serde_json_messages() {
        let e = Tree::parse(r#"{"a": 1,}"#).unwrap_err();
        assert_eq!(e.to_string(), serde_json::from_str::<Value>(r#"{"a": 1,}"#).unwrap_err().to_string());
    }

    /// The JSON documents of the public corpus, as (path, text); none
    /// (with a printed reason) when the corpus is not beside the checkout,
    /// which `CI=true` refuses.
    pub(crate) fn corpus_json() -> Vec<(std::path::PathBuf, String)> {
        let Some(corpus) = macaron_dev::corpus() else { return Vec::new() };
        let documents: Vec<_> = corpus
            .documents()
            .iter()
            .filter(|d| d.format == "json")
            .map(|d| {
                let path = corpus.path(&d.file);
                let text = std::fs::read_to_string(&path).unwrap();
                (path, text)
            })
            .collect();
        assert!(!documents.is_empty(), "no JSON document in {}", macaron_dev::corpus::dir().display());
        documents
    }

    /// Every JSON document of the public corpus reads as serde_json reads it.
    #[test]
    fn reads_the_corpus() {
        for (path, text) in corpus_json() {
            let value: Value = serde_json::from_str(&text).unwrap();
            let tree = Tree::parse(&text).unwrap();
            assert!(tree.to_value() == value, "{}", path.display());
            assert!(Tree::from_value(&value).to_value() == value, "{}", path.display());
        }
    }
}
