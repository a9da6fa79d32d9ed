//! One value of a [`Tree`]: a position on its tape, read without building a
//! `serde_json::Value` (what the runtime's validators walk).

use serde_json::Number;

use crate::{Kind, Tree};

/// One value of a document: read it with [`Node::get`].
///
/// ```
/// use macaron_tape::{Shape, Tree};
///
/// let tree = Tree::parse(r#"{"a": [1, "two"], "a": true}"#)?;
/// let Shape::Object(mut members) = tree.root().get() else { return Err("an object".into()) };
/// let (name, first) = members.next().ok_or("a member")?;
/// assert_eq!(name, "a");
/// assert!(matches!(first.get(), Shape::Array(items) if items.len() == 2));
/// // As in a `serde_json::Value`, the last of repeated names counts.
/// assert_eq!(tree.root().to_value(), serde_json::json!({"a": true}));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Node<'a>(pub(crate) Place<'a>);

/// Where a [`Node`] is: a position on a tape, or a lone string.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Place<'a> {
    At(&'a Tree<'a>, u32),
    Name(&'a str),
}

/// What a [`Node`] holds: a scalar, or a walk over an array's items or an
/// object's members.
///
/// ```
/// use macaron_tape::{Shape, Tree};
///
/// let tree = Tree::parse(r#"[null, 2.5, "x"]"#)?;
/// let Shape::Array(items) = tree.root().get() else { return Err("an array".into()) };
/// assert_eq!(items.len(), 3);
/// let shapes: Vec<String> = items.map(|item| format!("{:?}", item.get())).collect();
/// assert_eq!(shapes, ["Null", "Number(Number(2.5))", "String(\"x\")"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub enum Shape<'a> {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as `serde_json` holds it.
    Number(&'a Number),
    /// A string, unescaped.
    String(&'a str),
    /// An array's items.
    Array(ItemsIter<'a>),
    /// An object's members, in the order of the text (a repeated name
    /// comes as often as it is written).
    Object(MembersIter<'a>),
}

impl<'a> Node<'a> {
    #[inline]
    pub(crate) fn at(tree: &'a Tree<'a>, at: usize) -> Node<'a> {
        Node(Place::At(tree, u32::try_from(at).unwrap_or(u32::MAX)))
    }

    /// A string that is not on a tape (an object's member name checked as a value).
    ///
    /// ```
    /// use macaron_tape::{Node, Shape};
    ///
    /// assert!(matches!(Node::name("id").get(), Shape::String("id")));
    /// ```
    #[inline]
    pub fn name(name: &'a str) -> Node<'a> {
        Node(Place::Name(name))
    }

    #[inline]
    pub(crate) fn entry(&self) -> Option<&'a Kind<'a>> {
        match self.0 {
            Place::At(tree, at) => tree.entry(at as usize),
            Place::Name(_) => None,
        }
    }

    /// A container's children: the tree, where the first starts, how many, and whether they are members.
    #[inline]
    pub(crate) fn children(&self) -> Option<(Children<'a>, bool)> {
        let Place::At(tree, at) = self.0 else { return None };
        let first = at as usize + 1;
        match tree.entry(at as usize)? {
            Kind::Array { len, .. } => Some((Children { tree, at: first, left: *len }, false)),
            Kind::Object { len, .. } => Some((Children { tree, at: first, left: *len }, true)),
            _ => None,
        }
    }

    /// The string this node holds, if it is one.
    #[inline]
    pub fn as_str(&self) -> Option<&'a str> {
        match self.0 {
            Place::Name(name) => Some(name),
            Place::At(tree, at) => tree.string_at(at as usize),
        }
    }

    /// What the node holds.
    #[inline]
    pub fn get(&self) -> Shape<'a> {
        if let Some(s) = self.as_str() {
            return Shape::String(s);
        }
        match self.entry() {
            None | Some(Kind::Null) => Shape::Null,
            Some(Kind::Bool(b)) => Shape::Bool(*b),
            Some(Kind::Number { number, .. }) => Shape::Number(number),
            Some(Kind::Text { .. } | Kind::String(_)) => Shape::Null,
            Some(Kind::Array { .. } | Kind::Object { .. }) => match self.children() {
                Some((children, true)) => Shape::Object(MembersIter(children)),
                Some((children, false)) => Shape::Array(ItemsIter(children)),
                None => Shape::Null,
            },
        }
    }

    /// The node as a `serde_json::Value` (a copy: for messages and rare checks).
    pub fn to_value(&self) -> serde_json::Value {
        match self.0 {
            Place::Name(name) => serde_json::Value::String(name.to_string()),
            Place::At(tree, at) => tree.value_at(at as usize),
        }
    }
}

/// A walk over a container's children: where the next one starts, how many are left.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Children<'a> {
    pub(crate) tree: &'a Tree<'a>,
    pub(crate) at: usize,
    pub(crate) left: u32,
}

impl Children<'_> {
    /// Where the next child starts; the walk moves past it (past a member's value).
    #[inline]
    pub(crate) fn step(&mut self, member: bool) -> Option<usize> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let here = self.at;
        self.at = self.tree.next(here + usize::from(member));
        Some(here)
    }
}

/// The members of an object, as `(name, value)`.
///
/// ```
/// use macaron_tape::{Shape, Tree};
///
/// let tree = Tree::parse(r#"{"a": 1, "b": [true]}"#)?;
/// let Shape::Object(members) = tree.root().get() else { return Err("an object".into()) };
/// assert_eq!(members.len(), 2);
/// assert_eq!(members.map(|(name, _)| name).collect::<Vec<_>>(), ["a", "b"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct MembersIter<'a>(pub(crate) Children<'a>);

impl MembersIter<'_> {
    /// How many members are left.
    #[inline]
    pub fn len(&self) -> usize {
        self.0.left as usize
    }

    /// Whether no member is left.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.0.left == 0
    }
}

impl<'a> Iterator for MembersIter<'a> {
    type Item = (&'a str, Node<'a>);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        let at = self.0.step(true)?;
        let tree = self.0.tree;
        Some((tree.string_at(at)?, Node::at(tree, at + 1)))
    }
}

/// The items of an array.
///
/// ```
/// use macaron_tape::{Shape, Tree};
///
/// let tree = Tree::parse("[]")?;
/// assert!(matches!(tree.root().get(), Shape::Array(items) if items.is_empty()));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct ItemsIter<'a>(pub(crate) Children<'a>);

impl ItemsIter<'_> {
    /// How many items are left.
    #[inline]
    pub fn len(&self) -> usize {
        self.0.left as usize
    }

    /// Whether no item is left.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.0.left == 0
    }
}

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
