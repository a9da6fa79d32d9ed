//! Reading a [`Tree`] from JSON text in one pass onto its tape.
//!
//! A request's body is checked on every request, so reading it must cost
//! little beside the handler's own deserialisation: this reader walks the
//! bytes once, pushes each value on the tape (one vector, grown a few times
//! for a whole document) and keeps strings without escapes borrowed from
//! the text. `serde_json` stays the authority on what is JSON: a document
//! this reader refuses is handed to it, for its error message or, should it
//! accept the text, for the tree.

use std::borrow::Cow;
use std::fmt;

use serde_json::{Number, Value};

use super::{Entry, Tree};

/// `serde_json`'s own nesting limit: documents nested this deep are refused.
const DEPTH_LIMIT: usize = 128;

/// Why a text is not a JSON document, in `serde_json`'s words.
#[derive(Debug)]
pub(crate) struct ParseError(String);

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ParseError {}

impl<'a> Tree<'a> {
    /// Parses a JSON document (the whole of `text`). Text, not bytes:
    /// checking UTF-8 once for the document is cheaper than string by string.
    pub fn parse(text: &'a str) -> Result<Tree<'a>, ParseError> {
        let mut reader = Reader { text, bytes: text.as_bytes(), at: 0, tape: Vec::with_capacity(8 + text.len() / 8) };
        match reader.document() {
            Some(()) => Ok(Tree { tape: reader.tape }),
            None => match serde_json::from_str::<Value>(text) {
                // Not expected: the two readers disagree, and serde_json's word holds.
                Ok(value) => Ok(Tree::from_value(&value).into_owned()),
                Err(e) => Err(ParseError(e.to_string())),
            },
        }
    }
}

struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
    tape: Vec<Entry<'a>>,
}

impl<'a> Reader<'a> {
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

    fn literal(&mut self, word: &[u8], entry: Entry<'a>) -> Option<()> {
        if !self.bytes[self.at..].starts_with(word) {
            return None;
        }
        self.at += word.len();
        self.tape.push(entry);
        Some(())
    }

    fn value(&mut self, depth: usize) -> Option<()> {
        self.skip_space();
        match self.peek()? {
            b'{' => self.object(depth + 1),
            b'[' => self.array(depth + 1),
            b'"' => {
                let text = self.string()?;
                self.tape.push(Entry::String(text));
                Some(())
            }
            b't' => self.literal(b"true", Entry::Bool(true)),
            b'f' => self.literal(b"false", Entry::Bool(false)),
            b'n' => self.literal(b"null", Entry::Null),
            b'-' | b'0'..=b'9' => {
                let number = self.number()?;
                self.tape.push(Entry::Number(number));
                Some(())
            }
            _ => None,
        }
    }

    fn object(&mut self, depth: usize) -> Option<()> {
        if depth >= DEPTH_LIMIT {
            return None;
        }
        let start = self.tape.len();
        self.tape.push(Entry::Object { len: 0, end: 0 });
        self.at += 1;
        self.skip_space();
        let mut len = 0u32;
        if self.peek()? == b'}' {
            self.at += 1;
        } else {
            loop {
                self.skip_space();
                if self.peek()? != b'"' {
                    return None;
                }
                let name = self.string()?;
                self.tape.push(Entry::String(name));
                self.skip_space();
                if self.peek()? != b':' {
                    return None;
                }
                self.at += 1;
                self.value(depth)?;
                len += 1;
                self.skip_space();
                match self.peek()? {
                    b',' => self.at += 1,
                    b'}' => {
                        self.at += 1;
                        break;
                    }
                    _ => return None,
                }
            }
        }
        let end = u32::try_from(self.tape.len()).ok()?;
        self.tape[start] = Entry::Object { len, end };
        Some(())
    }

    fn array(&mut self, depth: usize) -> Option<()> {
        if depth >= DEPTH_LIMIT {
            return None;
        }
        let start = self.tape.len();
        self.tape.push(Entry::Array { len: 0, end: 0 });
        self.at += 1;
        self.skip_space();
        let mut len = 0u32;
        if self.peek()? == b']' {
            self.at += 1;
        } else {
            loop {
                self.value(depth)?;
                len += 1;
                self.skip_space();
                match self.peek()? {
                    b',' => self.at += 1,
                    b']' => {
                        self.at += 1;
                        break;
                    }
                    _ => return None,
                }
            }
        }
        let end = u32::try_from(self.tape.len()).ok()?;
        self.tape[start] = Entry::Array { len, end };
        Some(())
    }

    /// A string, the reader on its opening quote; borrowed unless it has escapes.
    fn string(&mut self) -> Option<Cow<'a, str>> {
        let start = self.at + 1;
        let rest = self.bytes.get(start..)?;
        // The closing quote, an escape or a control character (refused below).
        let stop = rest.iter().position(|&b| STOPS[usize::from(b)])?;
        let mut at = start + stop;
        if rest[stop] == b'"' {
            self.at = at + 1;
            return Some(Cow::Borrowed(self.text.get(start..at)?));
        }
        let mut owned = String::with_capacity(at - start + 16);
        owned.push_str(self.text.get(start..at)?);
        loop {
            match *self.bytes.get(at)? {
                b'"' => {
                    self.at = at + 1;
                    return Some(Cow::Owned(owned));
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
    /// or `i64`, anything else an `f64` (`-0` included); an infinite one is refused.
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
