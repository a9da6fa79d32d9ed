//! [`Tree`](super::Tree) as a representation `jsonschema` validates: a
//! node is a position on the tape.

use std::borrow::Cow;

use jsonschema::json::{cmp, Array, Json, NodeIdentity, Object};
use jsonschema::JsonType;
use serde_json::{Number, Value};

use super::{next, value_at, Entry};

/// The [`Tree`](super::Tree) representation, for `jsonschema::options_for`.
pub(crate) struct TreeJson;

impl Json for TreeJson {
    type Node<'a> = Node<'a>;
    type PreparedKey = String;
    type StringBuffer = ();

    // A lookup scans the members, so a pass over them is never dearer.
    const KEYS_PER_LOOKUP: usize = 4;
    const ACYCLIC: bool = true;

    fn prepare_key(key: &str) -> String {
        key.to_string()
    }

    fn with_string_node<T>((): &mut (), string: &str, f: impl FnOnce(Self::Node<'_>) -> T) -> T {
        f(Node::Name(string))
    }
}

/// One value of a document: a position on its tape, or a lone string (a
/// member name the validator checks as a value).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Node<'a> {
    At(&'a [Entry<'a>], u32),
    Name(&'a str),
}

impl<'a> Node<'a> {
    pub(super) fn at(tape: &'a [Entry<'a>], at: usize) -> Node<'a> {
        Node::At(tape, u32::try_from(at).unwrap_or(u32::MAX))
    }

    fn entry(&self) -> Option<&'a Entry<'a>> {
        match *self {
            Node::At(tape, at) => tape.get(at as usize),
            Node::Name(_) => None,
        }
    }

    /// The tape and position of a container's first child, and its length.
    fn children(&self) -> Option<(&'a [Entry<'a>], usize, u32, bool)> {
        let Node::At(tape, at) = *self else { return None };
        match tape.get(at as usize)? {
            Entry::Array { len, .. } => Some((tape, at as usize + 1, *len, false)),
            Entry::Object { len, .. } => Some((tape, at as usize + 1, *len, true)),
            _ => None,
        }
    }
}

/// An object's members, for the validator.
pub(crate) struct Members<'a> {
    tape: &'a [Entry<'a>],
    first: usize,
    len: u32,
}

/// An array's items, for the validator.
pub(crate) struct Items<'a> {
    tape: &'a [Entry<'a>],
    first: usize,
    len: u32,
}

impl<'a> jsonschema::json::Node<'a, TreeJson> for Node<'a> {
    type Object = Members<'a>;
    type Array = Items<'a>;
    type Number = &'a Number;

    fn as_object(&self) -> Option<Members<'a>> {
        match self.children()? {
            (tape, first, len, true) => Some(Members { tape, first, len }),
            _ => None,
        }
    }

    fn as_array(&self) -> Option<Items<'a>> {
        match self.children()? {
            (tape, first, len, false) => Some(Items { tape, first, len }),
            _ => None,
        }
    }

    fn as_string(&self) -> Option<Cow<'a, str>> {
        match *self {
            Node::Name(name) => Some(Cow::Borrowed(name)),
            Node::At(..) => match self.entry()? {
                Entry::String(s) => Some(Cow::Borrowed(s.as_ref())),
                _ => None,
            },
        }
    }

    fn as_number(&self) -> Option<&'a Number> {
        match self.entry()? {
            Entry::Number(n) => Some(n),
            _ => None,
        }
    }

    fn as_boolean(&self) -> Option<bool> {
        match self.entry()? {
            Entry::Bool(b) => Some(*b),
            _ => None,
        }
    }

    fn is_null(&self) -> bool {
        matches!(self.entry(), Some(Entry::Null))
    }

    fn json_type(&self) -> JsonType {
        match self.entry() {
            None => match self {
                Node::Name(_) => JsonType::String,
                Node::At(..) => JsonType::Null,
            },
            Some(Entry::Null) => JsonType::Null,
            Some(Entry::Bool(_)) => JsonType::Boolean,
            Some(Entry::Number(_)) => JsonType::Number,
            Some(Entry::String(_)) => JsonType::String,
            Some(Entry::Array { .. }) => JsonType::Array,
            Some(Entry::Object { .. }) => JsonType::Object,
        }
    }

    fn string_length_within(&self, min: u64, max: u64) -> Option<bool> {
        let s = self.as_string()?;
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
        match (self.as_string(), self.entry(), expected) {
            (Some(s), _, Value::String(e)) => s == e.as_str(),
            (Some(_), _, _) => false,
            (None, Some(Entry::Bool(b)), e) => e.as_bool() == Some(*b),
            (None, Some(Entry::Null), e) => e.is_null(),
            (None, Some(Entry::Number(n)), Value::Number(e)) => cmp::equal_numbers(n, e),
            (None, Some(Entry::Number(_)), _) => false,
            (None, _, e) => cmp::equal(&self.to_value(), e),
        }
    }

    fn to_value(&self) -> Cow<'a, Value> {
        Cow::Owned(match *self {
            Node::Name(name) => Value::String(name.to_string()),
            Node::At(tape, at) => value_at(tape, at as usize),
        })
    }

    fn identity(&self) -> Option<NodeIdentity> {
        match *self {
            Node::At(tape, at) => tape.get(at as usize).map(|e| NodeIdentity::new(std::ptr::from_ref(e) as usize)),
            Node::Name(name) => Some(NodeIdentity::tagged(name.as_ptr() as usize, 1)),
        }
    }
}

impl<'a> Object<'a, TreeJson> for Members<'a> {
    type Node = Node<'a>;
    type MemberName = &'a str;
    type MembersIter = MembersIter<'a>;

    fn len(&self) -> usize {
        self.len as usize
    }

    fn get(&self, key: &String) -> Option<Node<'a>> {
        self.members().filter(|(name, _)| *name == key).last().map(|(_, value)| value)
    }

    fn members(&self) -> MembersIter<'a> {
        MembersIter { tape: self.tape, at: self.first, left: self.len }
    }
}

/// The members of an object, as `(name, value)`.
pub(crate) struct MembersIter<'a> {
    tape: &'a [Entry<'a>],
    at: usize,
    left: u32,
}

impl<'a> Iterator for MembersIter<'a> {
    type Item = (&'a str, Node<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let name = match self.tape.get(self.at)? {
            Entry::String(s) => s.as_ref(),
            _ => return None,
        };
        let value = Node::at(self.tape, self.at + 1);
        self.at = next(self.tape, self.at + 1);
        Some((name, value))
    }
}

impl<'a> Array<'a, TreeJson> for Items<'a> {
    type Node = Node<'a>;
    type ElementsIter = ItemsIter<'a>;

    fn len(&self) -> usize {
        self.len as usize
    }

    fn elements(&self) -> ItemsIter<'a> {
        ItemsIter { tape: self.tape, at: self.first, left: self.len }
    }
}

/// The items of an array.
pub(crate) struct ItemsIter<'a> {
    tape: &'a [Entry<'a>],
    at: usize,
    left: u32,
}

impl<'a> Iterator for ItemsIter<'a> {
    type Item = Node<'a>;

    fn next(&mut self) -> Option<Node<'a>> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let item = Node::at(self.tape, self.at);
        self.at = next(self.tape, self.at);
        Some(item)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left as usize, Some(self.left as usize))
    }
}
