//! [`Tree`](crate::Tree) as a representation `jsonschema` validates.
//!
//! `jsonschema` walks a document through its `Json` trait; implementing it
//! for the tape lets a validator compiled once check every body and reply
//! where it stands, with no `serde_json::Value` built. A node is a position
//! on the tape (two words, copied freely); a member name the validator
//! checks as a value (`propertyNames`) is a node of its own.

use std::borrow::Cow;

use jsonschema::json::{cmp, Array, Json, NodeIdentity, Object};
use jsonschema::JsonType;
use serde_json::{Number, Value};

use crate::node::{Children, ItemsIter, MembersIter, Node, Place};
use crate::Kind;

/// The [`Tree`] representation, for `jsonschema::options_for`: a validator
/// built with it validates a [`Tree::root`].
///
/// ```
/// use macaron_tape::{Tree, TreeJson};
///
/// let schema = serde_json::json!({"type": "array", "items": {"type": "integer", "minimum": 0}});
/// let validator: jsonschema::Validator<TreeJson> = jsonschema::options_for::<TreeJson>().build(&schema)?;
/// assert!(validator.is_valid(Tree::parse("[0, 1, 2]")?.root()));
/// let tree = Tree::parse("[0, -1]")?;
/// let error = validator.validate(tree.root()).unwrap_err();
/// assert_eq!(error.instance_path().to_string(), "/1");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct TreeJson;

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
        f(Node::name(string))
    }
}

/// An object's members, for the validator.
pub struct Members<'a>(Children<'a>);

/// An array's items, for the validator.
pub struct Items<'a>(Children<'a>);

impl<'a> jsonschema::json::Node<'a, TreeJson> for Node<'a> {
    type Object = Members<'a>;
    type Array = Items<'a>;
    type Number = &'a Number;

    #[inline]
    fn as_object(&self) -> Option<Members<'a>> {
        match self.children()? {
            (children, true) => Some(Members(children)),
            _ => None,
        }
    }

    #[inline]
    fn as_array(&self) -> Option<Items<'a>> {
        match self.children()? {
            (children, false) => Some(Items(children)),
            _ => None,
        }
    }

    #[inline]
    fn as_string(&self) -> Option<Cow<'a, str>> {
        self.as_str().map(Cow::Borrowed)
    }

    #[inline]
    fn as_number(&self) -> Option<&'a Number> {
        match self.entry()? {
            Kind::Number { number, .. } => Some(number),
            _ => None,
        }
    }

    #[inline]
    fn as_boolean(&self) -> Option<bool> {
        match self.entry()? {
            Kind::Bool(b) => Some(*b),
            _ => None,
        }
    }

    #[inline]
    fn is_null(&self) -> bool {
        matches!(self.entry(), Some(Kind::Null))
    }

    #[inline]
    fn json_type(&self) -> JsonType {
        match self.entry() {
            None => match self.0 {
                Place::Name(_) => JsonType::String,
                Place::At(..) => JsonType::Null,
            },
            Some(Kind::Null) => JsonType::Null,
            Some(Kind::Bool(_)) => JsonType::Boolean,
            Some(Kind::Number { .. }) => JsonType::Number,
            Some(Kind::Text { .. } | Kind::String(_)) => JsonType::String,
            Some(Kind::Array { .. }) => JsonType::Array,
            Some(Kind::Object { .. }) => JsonType::Object,
        }
    }

    #[inline]
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
            (None, Some(Kind::Bool(b)), e) => e.as_bool() == Some(*b),
            (None, Some(Kind::Null), e) => e.is_null(),
            (None, Some(Kind::Number { number, .. }), Value::Number(e)) => cmp::equal_numbers(number, e),
            (None, Some(Kind::Number { .. }), _) => false,
            (None, _, e) => cmp::equal(&self.to_value(), e),
        }
    }

    fn to_value(&self) -> Cow<'a, Value> {
        Cow::Owned(Node::to_value(self))
    }

    #[inline]
    fn identity(&self) -> Option<NodeIdentity> {
        match self.0 {
            Place::At(tree, at) => tree.entry(at as usize).map(|e| NodeIdentity::new(std::ptr::from_ref(e) as usize)),
            Place::Name(name) => Some(NodeIdentity::tagged(name.as_ptr() as usize, 1)),
        }
    }
}

impl<'a> Object<'a, TreeJson> for Members<'a> {
    type Node = Node<'a>;
    type MemberName = &'a str;
    type MembersIter = MembersIter<'a>;

    #[inline]
    fn len(&self) -> usize {
        self.0.left as usize
    }

    #[inline]
    fn get(&self, key: &String) -> Option<Node<'a>> {
        self.members().filter(|(name, _)| *name == key).last().map(|(_, value)| value)
    }

    #[inline]
    fn members(&self) -> MembersIter<'a> {
        MembersIter(self.0)
    }
}

impl<'a> Array<'a, TreeJson> for Items<'a> {
    type Node = Node<'a>;
    type ElementsIter = ItemsIter<'a>;

    #[inline]
    fn len(&self) -> usize {
        self.0.left as usize
    }

    #[inline]
    fn elements(&self) -> ItemsIter<'a> {
        ItemsIter(self.0)
    }
}
