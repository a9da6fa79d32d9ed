//! What `list` returns: filters on top-level fields, an order, a limit.

use serde_json::Value;

/// The order of a listing.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Order {
    Created { desc: bool },
    Updated { desc: bool },
    Field { name: String, desc: bool },
}

/// A listing: `ListQuery::new().filter("tag", "dog").newest_first().limit(10)`.
#[derive(Debug, Clone, PartialEq)]
pub struct ListQuery {
    pub(crate) filters: Vec<(String, Value)>,
    pub(crate) order: Order,
    pub(crate) limit: Option<u32>,
    pub(crate) offset: u32,
}

impl Default for ListQuery {
    fn default() -> Self {
        Self::new()
    }
}

impl ListQuery {
    /// Everything, oldest first.
    pub fn new() -> Self {
        ListQuery { filters: Vec::new(), order: Order::Created { desc: false }, limit: None, offset: 0 }
    }

    /// Only objects whose top-level `field` equals `value` (any JSON value).
    pub fn filter(mut self, field: &str, value: impl Into<Value>) -> Self {
        self.filters.push((field.to_string(), value.into()));
        self
    }

    /// Most recently created first.
    pub fn newest_first(mut self) -> Self {
        self.order = Order::Created { desc: true };
        self
    }

    /// Most recently updated first.
    pub fn recently_updated_first(mut self) -> Self {
        self.order = Order::Updated { desc: true };
        self
    }

    /// Ordered by a top-level field.
    pub fn order_by(mut self, field: &str, descending: bool) -> Self {
        self.order = Order::Field { name: field.to_string(), desc: descending };
        self
    }

    /// At most `n` objects.
    pub fn limit(mut self, n: u32) -> Self {
        self.limit = Some(n);
        self
    }

    /// Skips the first `n`.
    pub fn offset(mut self, n: u32) -> Self {
        self.offset = n;
        self
    }
}
