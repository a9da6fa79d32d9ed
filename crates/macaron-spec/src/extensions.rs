//! `x-` extensions: every one kept, Macaron's own typed and checked.
//!
//! Any `x-` key of the document, an operation, a parameter or a response is
//! kept in an [`Extensions`] map for whoever wants it. The ones Macaron acts
//! on are checked when the document loads, so a typo is a startup error that
//! names the place, not a silently ignored attribute:
//!
//! | extension | where | value |
//! |---|---|---|
//! | `x-bind-server` | operation | Rust path of the handler (`crate::api::get_pet`) |
//! | `x-decorate-server` | operation | Rust path of a guard run before it |
//! | `x-parent` | schema | Rust path of a trait the generated type implements |
//! | `x-persist` | schema | `{table, key}`: the type is stored in that table, keyed by that property |
//! | `x-nullable` | schema, property | `true`: an unset value is sent as `null` (and `null` is accepted) |
//! | `x-mandatory` | property | `true`: the property is required |

use indexmap::IndexMap;
use serde::Serialize;
use serde_json::Value;

use crate::pointer::escape;

/// The `x-` keys of one object, in document order.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Extensions(pub IndexMap<String, Value>);

impl Extensions {
    /// Collects the `x-` keys of an object.
    pub fn of(object: &Value) -> Self {
        let mut map = IndexMap::new();
        if let Value::Object(o) = object {
            for (k, v) in o {
                if k.starts_with("x-") {
                    map.insert(k.clone(), v.clone());
                }
            }
        }
        Extensions(map)
    }

    /// The value of an extension.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.get(key)
    }

    /// The value of an extension that is a string.
    pub fn str(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(Value::as_str)
    }

    /// True when there is none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Where `x-persist` stores a type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Persist {
    /// Table name.
    pub table: String,
    /// The property holding the key.
    pub key: String,
}

/// `x-persist` of a schema.
///
/// ```
/// let schema = serde_json::json!({"x-persist": {"table": "pets", "key": "id"}});
/// let persist = macaron_spec::x_persist(&schema).unwrap();
/// assert_eq!((persist.table.as_str(), persist.key.as_str()), ("pets", "id"));
/// ```
pub fn x_persist(schema: &Value) -> Option<Persist> {
    let p = schema.get("x-persist")?;
    Some(Persist { table: p.get("table")?.as_str()?.to_string(), key: p.get("key")?.as_str()?.to_string() })
}

/// `x-parent` of a schema: the Rust path of a trait.
pub fn x_parent(schema: &Value) -> Option<&str> {
    schema.get("x-parent")?.as_str()
}

/// `x-nullable: true` on a schema or property.
pub fn x_nullable(schema: &Value) -> bool {
    schema.get("x-nullable") == Some(&Value::Bool(true))
}

/// `x-mandatory: true` on a property.
pub fn x_mandatory(schema: &Value) -> bool {
    schema.get("x-mandatory") == Some(&Value::Bool(true))
}

/// True for `crate::a::b`, `a::b`, `f`: a path `x-bind-server` can name.
pub(crate) fn is_rust_path(path: &str) -> bool {
    !path.is_empty()
        && path.split("::").all(|seg| {
            let mut chars = seg.chars();
            matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
                && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
}

/// Checks an operation's Macaron extensions; returns what is wrong, by key.
pub(crate) fn check_operation(ext: &Extensions) -> Vec<(&'static str, String)> {
    let mut problems = Vec::new();
    for key in ["x-bind-server", "x-decorate-server"] {
        if let Some(v) = ext.get(key) {
            match v.as_str() {
                Some(path) if is_rust_path(path) => {}
                _ => problems.push((key, format!("{key} must be a Rust path such as crate::api::get_pet, found {v}"))),
            }
        }
    }
    problems
}

/// Checks a named schema's Macaron extensions (and its properties').
pub(crate) fn check_schema(schema: &Value) -> Vec<(String, String)> {
    let mut problems = Vec::new();
    if let Some(v) = schema.get("x-parent") {
        if !v.as_str().is_some_and(is_rust_path) {
            problems.push(("x-parent".into(), format!("x-parent must be a Rust path to a trait, found {v}")));
        }
    }
    if let Some(v) = schema.get("x-persist") {
        match x_persist(schema) {
            None => problems
                .push(("x-persist".into(), format!("x-persist must be {{table: NAME, key: PROPERTY}}, found {v}"))),
            Some(p) => {
                if !is_rust_path(&p.table) || p.table.contains("::") {
                    problems.push((
                        "x-persist".into(),
                        format!("x-persist table \"{}\" must be letters, digits and _", p.table),
                    ));
                }
                let props = schema.get("properties").and_then(Value::as_object);
                if props.is_some_and(|props| !props.contains_key(&p.key)) {
                    problems.push((
                        "x-persist".into(),
                        format!("x-persist key \"{}\" is not a property of this schema", p.key),
                    ));
                }
            }
        }
    }
    for key in ["x-nullable", "x-mandatory"] {
        if schema.get(key).is_some_and(|v| !v.is_boolean()) {
            problems.push((key.into(), format!("{key} must be true or false")));
        }
    }
    if let Some(Value::Object(props)) = schema.get("properties") {
        for (name, prop) in props {
            for key in ["x-nullable", "x-mandatory"] {
                if prop.get(key).is_some_and(|v| !v.is_boolean()) {
                    problems
                        .push((format!("properties/{}/{key}", escape(name)), format!("{key} must be true or false")));
                }
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rust_paths() {
        assert!(is_rust_path("crate::api::get_pet"));
        assert!(is_rust_path("handlers"));
        assert!(!is_rust_path("pymacaron.api.get_pet"));
        assert!(!is_rust_path("crate::"));
        assert!(!is_rust_path("1abc"));
    }

    #[test]
    fn persist_is_checked() {
        let ok = json!({"properties": {"id": {}}, "x-persist": {"table": "pets", "key": "id"}});
        assert!(check_schema(&ok).is_empty());
        let bad_key = json!({"properties": {"id": {}}, "x-persist": {"table": "pets", "key": "uid"}});
        assert!(check_schema(&bad_key)[0].1.contains("not a property"));
        let bad_shape = json!({"x-persist": "pets"});
        assert!(check_schema(&bad_shape)[0].1.contains("{table: NAME, key: PROPERTY}"));
    }
}
