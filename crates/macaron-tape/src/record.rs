//! Writing a reply's JSON and its tape at once.
//!
//! Replies are validated against their schema, which reads a tape. Reading
//! the tape back from the bytes `serde_json` has just written costs as much
//! as writing them; so [`write()`] hands `serde_json` a `Formatter` that
//! writes exactly what its compact formatter writes (it calls it) and, as it
//! goes, pushes each value on a tape: a string as where it stands in the
//! output, a number as the number written. What it cannot follow (a raw
//! fragment) leaves no tape, and the caller reads the bytes instead.

use std::io;

use serde::Serialize;
use serde_json::ser::{CharEscape, CompactFormatter, Formatter};
use serde_json::Number;

use crate::{Entry, Kind};

/// A value as JSON text (exactly `serde_json::to_string`'s), with its tape
/// when it could be recorded: keep the two together and read them with
/// [`Tree::on`](crate::Tree::on). A value that writes a raw fragment
/// (`serde_json::value::RawValue`) leaves no tape: read the text instead.
///
/// ```
/// use macaron_tape::Tree;
///
/// #[derive(serde::Serialize)]
/// struct Pet {
///     name: String,
///     tags: Vec<&'static str>,
/// }
///
/// let pet = Pet { name: "Rex".into(), tags: vec!["good\tdog"] };
/// let (text, tape) = macaron_tape::write(&pet)?;
/// assert_eq!(text, serde_json::to_string(&pet)?);
/// let tape = tape.ok_or("no raw fragment: a tape")?;
/// let value: serde_json::Value = Tree::on(&text, &tape).deserialize()?;
/// assert_eq!(value, serde_json::json!({"name": "Rex", "tags": ["good\tdog"]}));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn write<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<(String, Option<Vec<Entry<'static>>>)> {
    let mut recorder = Recorder {
        // Room for an object of about fifteen fields, and for its text:
        // no reallocation while a typical reply is written.
        tape: Vec::with_capacity(32),
        at: 0,
        open: NONE,
        string: None,
        escaped: false,
        escapes: Vec::new(),
        lost: false,
    };
    let mut out = Vec::with_capacity(512);
    value.serialize(&mut serde_json::Serializer::with_formatter(&mut out, &mut recorder))?;
    // serde_json writes UTF-8 only; the check is the price of no `unsafe`.
    let text = String::from_utf8(out).map_err(|e| serde::ser::Error::custom(e.to_string()))?;
    let tape = recorder.finish(&text);
    Ok((text, tape))
}

/// No container open.
const NONE: u32 = u32::MAX;

struct Recorder {
    tape: Vec<Entry<'static>>,
    /// Bytes written so far.
    at: usize,
    /// The innermost open array or object: its place on the tape. While a
    /// container is open its entry's `end` holds the place of the one
    /// around it (`NONE` at the top): a stack kept on the tape itself.
    open: u32,
    /// Inside a string since this offset (its first content byte).
    string: Option<usize>,
    /// The current string has escapes.
    escaped: bool,
    /// The places on the tape of strings with escapes, unescaped at the end.
    escapes: Vec<usize>,
    /// Something was written that the tape cannot follow.
    lost: bool,
}

impl Recorder {
    /// Runs one of the compact formatter's writes, counting its bytes.
    fn pass<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        write: impl FnOnce(&mut CompactFormatter, &mut Counting<'_, W>) -> io::Result<()>,
    ) -> io::Result<()> {
        let mut counting = Counting { inner: writer, written: 0 };
        let result = write(&mut CompactFormatter, &mut counting);
        self.at += counting.written;
        result
    }

    /// A scalar value (unless it is the content of a string: a map key written from a number).
    fn scalar(&mut self, kind: Kind<'static>) {
        if self.string.is_none() {
            self.tape.push(Entry(kind));
        }
    }

    /// A number: the compact formatter's write, then its entry, with the
    /// text just written as its digits (unless it is the content of a
    /// string: a map key written from a number).
    fn number<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        number: impl FnOnce() -> Option<Number>,
        write: impl FnOnce(&mut CompactFormatter, &mut Counting<'_, W>) -> io::Result<()>,
    ) -> io::Result<()> {
        let start = self.at;
        self.pass(writer, write)?;
        if self.string.is_none() {
            match (number(), u32::try_from(start), u32::try_from(self.at)) {
                (Some(number), Ok(start), Ok(end)) => self.tape.push(Entry(Kind::Number { number, start, end })),
                _ => self.lost = true,
            }
        }
        Ok(())
    }

    fn open(&mut self, object: bool) {
        let (len, end) = (0, self.open);
        let Ok(at) = u32::try_from(self.tape.len()) else {
            self.lost = true;
            return;
        };
        self.tape.push(Entry(if object { Kind::Object { len, end } } else { Kind::Array { len, end } }));
        self.open = at;
    }

    fn close(&mut self) {
        let end = u32::try_from(self.tape.len()).unwrap_or(NONE);
        match self.tape.get_mut(self.open as usize) {
            Some(Entry(Kind::Object { end: around, .. } | Kind::Array { end: around, .. })) if end != NONE => {
                self.open = std::mem::replace(around, end);
            }
            _ => self.lost = true,
        }
    }

    fn count_child(&mut self) {
        match self.tape.get_mut(self.open as usize) {
            Some(Entry(Kind::Object { len, .. } | Kind::Array { len, .. })) => *len += 1,
            _ => self.lost = true,
        }
    }

    /// The tape, its escaped strings unescaped from the text.
    fn finish(mut self, text: &str) -> Option<Vec<Entry<'static>>> {
        if self.lost || self.open != NONE || self.tape.is_empty() {
            return None;
        }
        for &at in &self.escapes {
            let Some(Entry(Kind::Text { start, end })) = self.tape.get(at) else { return None };
            // The string with its quotes, read by serde_json.
            let quoted = text.get((*start as usize).checked_sub(1)?..*end as usize + 1)?;
            let unescaped: String = serde_json::from_str(quoted).ok()?;
            self.tape[at] = Entry(Kind::String(unescaped.into()));
        }
        Some(self.tape)
    }
}

fn integer(n: impl Into<Number>) -> Option<Number> {
    Some(n.into())
}

fn float(f: f64) -> Option<Number> {
    Number::from_f64(f)
}

macro_rules! integers {
    ($($method:ident: $ty:ty),* $(,)?) => {
        $(
            fn $method<W: ?Sized + io::Write>(&mut self, writer: &mut W, value: $ty) -> io::Result<()> {
                self.number(writer, || integer(value), |f, w| f.$method(w, value))
            }
        )*
    };
}

/// The punctuation of arrays and objects: what it does to the tape, then
/// the compact formatter's write.
macro_rules! marks {
    ($($method:ident => $record:expr),* $(,)?) => {
        $(
            fn $method<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
                ($record)(&mut **self);
                self.pass(writer, |f, w| f.$method(w))
            }
        )*
    };
}

impl Formatter for &mut Recorder {
    integers! {
        write_i8: i8, write_i16: i16, write_i32: i32, write_i64: i64,
        write_u8: u8, write_u16: u16, write_u32: u32, write_u64: u64,
    }

    fn write_null<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.scalar(Kind::Null);
        self.pass(writer, |f, w| f.write_null(w))
    }

    fn write_bool<W: ?Sized + io::Write>(&mut self, writer: &mut W, value: bool) -> io::Result<()> {
        self.scalar(Kind::Bool(value));
        self.pass(writer, |f, w| f.write_bool(w, value))
    }

    fn write_i128<W: ?Sized + io::Write>(&mut self, writer: &mut W, value: i128) -> io::Result<()> {
        // Beyond 64 bits an f64, as in a `Value`; the digits are exact.
        let number = || i64::try_from(value).ok().and_then(integer).or_else(|| float(value as f64));
        self.number(writer, number, |f, w| f.write_i128(w, value))
    }

    fn write_u128<W: ?Sized + io::Write>(&mut self, writer: &mut W, value: u128) -> io::Result<()> {
        let number = || u64::try_from(value).ok().and_then(integer).or_else(|| float(value as f64));
        self.number(writer, number, |f, w| f.write_u128(w, value))
    }

    fn write_f32<W: ?Sized + io::Write>(&mut self, writer: &mut W, value: f32) -> io::Result<()> {
        // The number the text says (`0.1`), not the f32's exact value (`0.100000001...`).
        let number = || value.to_string().parse::<f64>().ok().and_then(float);
        self.number(writer, number, |f, w| f.write_f32(w, value))
    }

    fn write_f64<W: ?Sized + io::Write>(&mut self, writer: &mut W, value: f64) -> io::Result<()> {
        self.number(writer, || float(value), |f, w| f.write_f64(w, value))
    }

    fn write_number_str<W: ?Sized + io::Write>(&mut self, writer: &mut W, value: &str) -> io::Result<()> {
        self.number(writer, || value.parse::<f64>().ok().and_then(float), |f, w| f.write_number_str(w, value))
    }

    fn begin_string<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pass(writer, |f, w| f.begin_string(w))?;
        self.string = Some(self.at);
        self.escaped = false;
        Ok(())
    }

    fn end_string<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        let start = self.string.take();
        let end = self.at;
        match (start.and_then(|s| u32::try_from(s).ok()), u32::try_from(end).ok()) {
            (Some(start), Some(end)) => {
                if self.escaped {
                    // Unescaped from the text once it is all written (`finish`).
                    self.escapes.push(self.tape.len());
                }
                self.tape.push(Entry(Kind::Text { start, end }));
            }
            _ => self.lost = true,
        }
        self.pass(writer, |f, w| f.end_string(w))
    }

    fn write_string_fragment<W: ?Sized + io::Write>(&mut self, writer: &mut W, fragment: &str) -> io::Result<()> {
        self.pass(writer, |f, w| f.write_string_fragment(w, fragment))
    }

    fn write_char_escape<W: ?Sized + io::Write>(&mut self, writer: &mut W, escape: CharEscape) -> io::Result<()> {
        self.escaped = true;
        self.pass(writer, |f, w| f.write_char_escape(w, escape))
    }

    marks! {
        begin_array => |r: &mut Recorder| r.open(false),
        end_array => Recorder::close,
        end_array_value => |_: &mut Recorder| {},
        begin_object => |r: &mut Recorder| r.open(true),
        end_object => Recorder::close,
        end_object_key => |_: &mut Recorder| {},
        begin_object_value => |_: &mut Recorder| {},
        end_object_value => |_: &mut Recorder| {},
    }

    fn begin_array_value<W: ?Sized + io::Write>(&mut self, writer: &mut W, first: bool) -> io::Result<()> {
        self.count_child();
        self.pass(writer, |f, w| f.begin_array_value(w, first))
    }

    fn begin_object_key<W: ?Sized + io::Write>(&mut self, writer: &mut W, first: bool) -> io::Result<()> {
        self.count_child();
        self.pass(writer, |f, w| f.begin_object_key(w, first))
    }

    fn write_raw_fragment<W: ?Sized + io::Write>(&mut self, writer: &mut W, fragment: &str) -> io::Result<()> {
        self.lost = true;
        self.pass(writer, |f, w| f.write_raw_fragment(w, fragment))
    }
}

/// A writer that counts what passes through it.
struct Counting<'w, W: ?Sized> {
    inner: &'w mut W,
    written: usize,
}

impl<W: ?Sized + io::Write> io::Write for Counting<'_, W> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(bytes)?;
        self.written += n;
        Ok(n)
    }

    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.inner.write_all(bytes)?;
        self.written += bytes.len();
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::{json, Value};

    use super::*;
    use crate::Tree;

    /// The recorded tape reads as the text does.
    fn recorded<T: Serialize>(value: &T) -> Value {
        let (text, tape) = write(value).unwrap();
        assert_eq!(text, serde_json::to_string(value).unwrap(), "the same text as serde_json");
        let tape = tape.expect("a tape");
        let recorded = Tree::on(&text, &tape).to_value();
        assert_eq!(recorded, Tree::parse(&text).unwrap().to_value(), "{text}");
        recorded
    }

    #[derive(Serialize)]
    struct Item {
        id: String,
        #[serde(flatten)]
        rest: BTreeMap<String, Value>,
        bytes: Vec<u8>,
        big: u128,
        small: i128,
        ratio: f32,
        nothing: Option<u8>,
        nan: f64,
    }

    #[test]
    fn records_what_it_writes() {
        recorded(&json!({"a": [1, -2, 1.5, "x\ny", true, null, {}], "b": {"c": "d\u{1}é\"\\/"}, "e": []}));
        recorded(&json!("plain"));
        recorded(&json!(12));
        recorded(&BTreeMap::from([(1u32, "one"), (22, "two")]));
        recorded(&BTreeMap::from([(true, 1.5f64)]));
        let item = Item {
            id: "x\t".into(),
            rest: BTreeMap::from([("k".to_string(), json!([{"z": -0.0}]))]),
            bytes: vec![0, 255],
            big: u128::MAX,
            small: -5,
            ratio: 0.1,
            nothing: None,
            nan: f64::NAN,
        };
        let value = recorded(&item);
        assert_eq!(value["big"], json!(u128::MAX as f64));
        assert_eq!(value["nan"], Value::Null);
    }

    #[test]
    fn a_raw_fragment_leaves_no_tape() {
        let raw = serde_json::value::RawValue::from_string("[1, 2]".into()).unwrap();
        let (text, tape) = write(&json!({"a": 1})).unwrap();
        assert!(tape.is_some(), "{text}");
        let (text, tape) = write(&raw).unwrap();
        assert_eq!(text, "[1, 2]");
        assert!(tape.is_none());
    }

    /// Every JSON document of the public corpus, written back, records as it reads.
    #[test]
    fn records_the_corpus() {
        for (path, text) in crate::tests::corpus_json() {
            let value: Value = serde_json::from_str(&text).unwrap();
            assert!(recorded(&value) == value, "{}", path.display());
        }
    }
}
