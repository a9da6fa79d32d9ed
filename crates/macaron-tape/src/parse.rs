//! Reading a [`Tree`](crate::Tree) from JSON text in one pass onto its tape.
//!
//! A request's body is checked on every request, so reading it must cost
//! little beside the handler's own deserialisation: this reader walks the
//! bytes once, pushes each value on the tape (one vector, grown a few times
//! for a whole document) and keeps a string without escapes as where it
//! stands in the text. `serde_json` stays the authority on what is JSON: a document
//! this reader refuses is handed to it, for its error message or, should it
//! accept the text, for the tree.

use std::borrow::Cow;
use std::fmt;

use serde_json::{Number, Value};

use crate::{owned_tape, Entry, Kind};

/// `serde_json`'s own nesting limit: documents nested this deep are refused.
const DEPTH_LIMIT: usize = 128;

/// Why a text is not a JSON document, in `serde_json`'s words (the
/// message `serde_json::from_str` gives, line and column included).
///
/// ```
/// let error = macaron_tape::read("[1, 2").unwrap_err();
/// assert_eq!(error.to_string(), "EOF while parsing a list at line 1 column 5");
/// ```
#[derive(Debug)]
pub struct ParseError(String);

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ParseError {}

/// Reads a JSON document (the whole of `text`) onto a tape whose strings
/// point into `text`: keep the two together and read them with
/// [`Tree::on`](crate::Tree::on). A text is a document if `serde_json`
/// reads it as one; if not, the error is `serde_json`'s.
///
/// ```
/// use macaron_tape::Tree;
///
/// let text = String::from(r#"{"ids": [1, 2]}"#);
/// let tape = macaron_tape::read(&text)?;
/// let tree = Tree::on(&text, &tape);
/// assert_eq!(tree.deserialize::<serde_json::Value>()?, serde_json::json!({"ids": [1, 2]}));
/// assert!(macaron_tape::read("[1, 2,]").is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read(text: &str) -> Result<Vec<Entry<'static>>, ParseError> {
    match read_alone(text) {
        Some(tape) => Ok(tape),
        None => match serde_json::from_str::<Value>(text) {
            // Not expected: the two readers disagree, and serde_json's word holds.
            Ok(value) => Ok(owned_tape(&value)),
            Err(e) => Err(ParseError(e.to_string())),
        },
    }
}

/// The tape of `text` as this reader reads it, without `serde_json`'s
/// second opinion: none if it refuses the text.
pub(crate) fn read_alone(text: &str) -> Option<Vec<Entry<'static>>> {
    let mut reader = Reader { text, bytes: text.as_bytes(), at: 0, tape: Vec::with_capacity(8 + text.len() / 8) };
    reader.document()?;
    Some(reader.tape)
}

struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
    tape: Vec<Entry<'static>>,
}

impl Reader<'_> {
    fn document(&mut self) -> Option<()> {
        self.value(0)?;
        self.skip_space();
        (self.at == self.bytes.len()).then_some(())
    }

    fn skip_space(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.bytes.get(self.at) {
            self.at += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn literal(&mut self, word: &[u8], kind: Kind<'static>) -> Option<()> {
        if !self.bytes[self.at..].starts_with(word) {
            return None;
        }
        self.at += word.len();
        self.tape.push(Entry(kind));
        Some(())
    }

    fn value(&mut self, depth: usize) -> Option<()> {
        self.skip_space();
        match self.peek()? {
            b'{' => self.container(depth + 1, true),
            b'[' => self.container(depth + 1, false),
            b'"' => {
                let text = self.string()?;
                self.tape.push(text);
                Some(())
            }
            b't' => self.literal(b"true", Kind::Bool(true)),
            b'f' => self.literal(b"false", Kind::Bool(false)),
            b'n' => self.literal(b"null", Kind::Null),
            b'-' | b'0'..=b'9' => {
                let start = u32::try_from(self.at).ok()?;
                let number = self.number()?;
                self.tape.push(Entry(Kind::Number { number, start, end: u32::try_from(self.at).ok()? }));
                Some(())
            }
            _ => None,
        }
    }

    /// An object (`object`) or an array, the reader on its opening bracket.
    fn container(&mut self, depth: usize, object: bool) -> Option<()> {
        if depth >= DEPTH_LIMIT {
            return None;
        }
        let close = if object { b'}' } else { b']' };
        let start = self.tape.len();
        self.tape.push(Entry(Kind::Null)); // replaced once the length is known
        self.at += 1;
        self.skip_space();
        let mut len = 0u32;
        if self.peek()? == close {
            self.at += 1;
        } else {
            loop {
                if object {
                    self.member_name()?;
                }
                self.value(depth)?;
                len += 1;
                self.skip_space();
                match self.peek()? {
                    b',' => self.at += 1,
                    b if b == close => {
                        self.at += 1;
                        break;
                    }
                    _ => return None,
                }
            }
        }
        let end = u32::try_from(self.tape.len()).ok()?;
        self.tape[start] = Entry(if object { Kind::Object { len, end } } else { Kind::Array { len, end } });
        Some(())
    }

    /// A member's name and its colon; the name goes on the tape.
    fn member_name(&mut self) -> Option<()> {
        self.skip_space();
        if self.peek()? != b'"' {
            return None;
        }
        let name = self.string()?;
        self.tape.push(name);
        self.skip_space();
        if self.peek()? != b':' {
            return None;
        }
        self.at += 1;
        Some(())
    }

    /// A string, the reader on its opening quote: where it stands in the
    /// text, or its unescaped copy if it has escapes.
    fn string(&mut self) -> Option<Entry<'static>> {
        let start = self.at + 1;
        let rest = self.bytes.get(start..)?;
        // The closing quote, an escape or a control character (refused below).
        let stop = rest.iter().position(|&b| STOPS[usize::from(b)])?;
        let mut at = start + stop;
        if rest[stop] == b'"' {
            self.at = at + 1;
            return Some(Entry(Kind::Text { start: u32::try_from(start).ok()?, end: u32::try_from(at).ok()? }));
        }
        let mut owned = String::with_capacity(at - start + 16);
        owned.push_str(self.text.get(start..at)?);
        loop {
            match *self.bytes.get(at)? {
                b'"' => {
                    self.at = at + 1;
                    return Some(Entry(Kind::String(Cow::Owned(owned))));
                }
                b'\\' => {
                    let escaped = *self.bytes.get(at + 1)?;
                    at += 2;
                    match escaped {
                        b'"' => owned.push('"'),
                        b'\\' => owned.push('\\'),
                        b'/' => owned.push('/'),
                        b'b' => owned.push('\u{8}'),
                        b'f' => owned.push('\u{c}'),
                        b'n' => owned.push('\n'),
                        b'r' => owned.push('\r'),
                        b't' => owned.push('\t'),
                        b'u' => {
                            let (c, used) = self.unicode_escape(at)?;
                            owned.push(c);
                            at += used;
                        }
                        _ => return None,
                    }
                }
                0..=0x1f => return None,
                _ => {
                    // Copy the run up to the next quote or escape at once.
                    let run = self.bytes.get(at..)?.iter().position(|&b| STOPS[usize::from(b)])?;
                    owned.push_str(self.text.get(at..at + run)?);
                    at += run;
                }
            }
        }
    }

    /// The character of a `\u` escape whose four digits start at `at`
    /// (a surrogate pair takes a second escape); and the bytes it used.
    fn unicode_escape(&self, at: usize) -> Option<(char, usize)> {
        let first = self.hex4(at)?;
        match first {
            0xD800..=0xDBFF => {
                if self.bytes.get(at + 4..at + 6)? != b"\\u" {
                    return None;
                }
                let second = self.hex4(at + 6)?;
                if !(0xDC00..=0xDFFF).contains(&second) {
                    return None;
                }
                let code = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
                Some((char::from_u32(code)?, 10))
            }
            0xDC00..=0xDFFF => None,
            _ => Some((char::from_u32(first)?, 4)),
        }
    }

    fn hex4(&self, at: usize) -> Option<u32> {
        let digits = self.bytes.get(at..at + 4)?;
        digits.iter().try_fold(0u32, |acc, &b| Some(acc * 16 + char::from(b).to_digit(16)?))
    }

    /// A number as `serde_json` reads it: an integer that fits is a `u64`
    /// or `i64`, anything else the nearest `f64` (`-0` included; the nearest
    /// is `serde_json`'s too with its `float_roundtrip` feature, which this
    /// crate turns on); an infinite one is refused.
    fn number(&mut self) -> Option<Number> {
        let start = self.at;
        let negative = self.peek()? == b'-';
        if negative {
            self.at += 1;
        }
        let digits_start = self.at;
        match self.peek()? {
            b'0' => self.at += 1,
            b'1'..=b'9' => self.skip_digits(),
            _ => return None,
        }
        let digits_end = self.at;
        let mut integer = true;
        if self.peek() == Some(b'.') {
            self.at += 1;
            if !self.peek()?.is_ascii_digit() {
                return None;
            }
            self.skip_digits();
            integer = false;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.at += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.at += 1;
            }
            if !self.peek()?.is_ascii_digit() {
                return None;
            }
            self.skip_digits();
            integer = false;
        }
        if integer {
            let magnitude: Option<u64> = self.text[digits_start..digits_end].parse().ok();
            match (negative, magnitude) {
                (false, Some(n)) => return Some(Number::from(n)),
                (true, Some(n)) if n != 0 => {
                    if let Some(n) = 0i64.checked_sub_unsigned(n) {
                        return Some(Number::from(n));
                    }
                }
                _ => {}
            }
        }
        let float: f64 = self.text[start..self.at].parse().ok()?;
        Number::from_f64(float)
    }

    fn skip_digits(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.at += 1;
        }
    }
}

/// The bytes that end a run of plain string content: the closing quote, an
/// escape, or a control character (which JSON strings may not hold). A
/// table: one load a byte, where three comparisons would be dearer.
static STOPS: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = true;
        b += 1;
    }
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table
};
