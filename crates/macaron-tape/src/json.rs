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

use crate::{Kind, Tree};

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
        f(Node(Place::Name(string)))
    }
}

/// One value of a document, as `jsonschema` sees it: read it through the
/// `jsonschema::json::Node` trait.
///
/// ```
/// use jsonschema::json::{Node as _, Object as _};
/// use macaron_tape::Tree;
///
/// let tree = Tree::parse(r#"{"a": 1, "a": 2}"#)?;
/// let members = tree.root().as_object().ok_or("an object")?;
/// // As in a `serde_json::Value`, the last of repeated names counts.
/// let a = members.get(&"a".to_string()).ok_or("a member a")?;
/// assert_eq!(a.to_value().into_owned(), serde_json::json!(2));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Node<'a>(Place<'a>);

/// Where a [`Node`] is: a position on a tape, or a lone string.
#[derive(Clone, Copy, Debug)]
enum Place<'a> {
    At(&'a Tree<'a>, u32),
    Name(&'a str),
}

impl<'a> Node<'a> {
    #[inline]
    pub(crate) fn at(tree: &'a Tree<'a>, at: usize) -> Node<'a> {
        Node(Place::At(tree, u32::try_from(at).unwrap_or(u32::MAX)))
    }

    #[inline]
    fn entry(&self) -> Option<&'a Kind<'a>> {
        match self.0 {
            Place::At(tree, at) => tree.entry(at as usize),
            Place::Name(_) => None,
        }
    }

    /// A container's children: the tree, where the first starts, how many, and whether they are members.
    #[inline]
    fn children(&self) -> Option<(Children<'a>, bool)> {
        let Place::At(tree, at) = self.0 else { return None };
        let first = at as usize + 1;
        match tree.entry(at as usize)? {
            Kind::Array { len, .. } => Some((Children { tree, at: first, left: *len }, false)),
            Kind::Object { len, .. } => Some((Children { tree, at: first, left: *len }, true)),
            _ => None,
        }
    }
}

/// A walk over a container's children: where the next one starts, how many are left.
#[derive(Clone, Copy)]
struct Children<'a> {
    tree: &'a Tree<'a>,
    at: usize,
    left: u32,
}

impl Children<'_> {
    /// Where the next child starts; the walk moves past it (past a member's value).
    #[inline]
    fn step(&mut self, member: bool) -> Option<usize> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let here = self.at;
        self.at = self.tree.next(here + usize::from(member));
        Some(here)
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
        match self.0 {
            Place::Name(name) => Some(Cow::Borrowed(name)),
            Place::At(tree, at) => tree.string_at(at as usize).map(Cow::Borrowed),
        }
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
        Cow::Owned(match self.0 {
            Place::Name(name) => Value::String(name.to_string()),
            Place::At(tree, at) => tree.value_at(at as usize),
        })
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

/// The members of an object, as `(name, value)`.
pub struct MembersIter<'a>(Children<'a>);

impl<'a> Iterator for MembersIter<'a> {
    type Item = (&'a str, Node<'a>);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        let at = self.0.step(true)?;
        let tree = self.0.tree;
        Some((tree.string_at(at)?, Node::at(tree, at + 1)))
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

/// The items of an array.
pub struct ItemsIter<'a>(Children<'a>);

impl<'a> Iterator for ItemsIter<'a> {
    type Item = Node<'a>;

    #[inline]
    fn next(&mut self) -> Option<Node<'a>> {
        let at = self.0.step(false)?;
        Some(Node::at(self.0.tree, at))
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.0.left as usize, Some(self.0.left as usize))
    }
}
