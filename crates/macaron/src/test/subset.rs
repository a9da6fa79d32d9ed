//! Subset matching of JSON values, for [`TestClient::assert_call_dict`](super::TestClient::assert_call_dict).

use std::fmt;

use serde_json::Value;

/// Where an expected value and the reply first differ.
#[derive(Debug, PartialEq)]
pub(crate) struct Difference {
    /// The JSON pointer in the reply (`""` for the whole reply).
    pub pointer: String,
    /// The expected value there.
    pub expected: Value,
    /// The reply's value there (`None`: no such key).
    pub got: Option<Value>,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = if self.pointer.is_empty() { "the top level".to_string() } else { format!("`{}`", self.pointer) };
        match &self.got {
            None => write!(f, "at {at}: expected {}, got no such key", self.expected),
            Some(got) => match (&self.expected, got) {
                (Value::Array(e), Value::Array(g)) if e.len() != g.len() => write!(
                    f,
                    "at {at}: expected an array of {} items, got {} items: expected {}, got {got}",
                    e.len(),
                    g.len(),
                    self.expected
                ),
                _ => write!(f, "at {at}: expected {}, got {got}", self.expected),
            },
        }
    }
}

/// The first place where `expected` is not a subset of `got`: objects
/// must have every expected key with a subset value, arrays the same length
/// and each item a subset, other values be equal. `None` when it is one.
pub(crate) fn first_difference(expected: &Value, got: &Value) -> Option<Difference> {
    let mut pointer = String::new();
    walk(expected, got, &mut pointer)
}

fn walk(expected: &Value, got: &Value, pointer: &mut String) -> Option<Difference> {
    let differ = |pointer: &str, got: Option<&Value>| Difference {
        pointer: pointer.to_string(),
        expected: expected.clone(),
        got: got.cloned(),
    };
    match (expected, got) {
        (Value::Object(e), Value::Object(g)) => {
            for (key, value) in e {
                let before = pointer.len();
                pointer.push('/');
                pointer.push_str(&key.replace('~', "~0").replace('/', "~1"));
                let found = match g.get(key) {
                    Some(inner) => walk(value, inner, pointer),
                    None => Some(Difference { pointer: pointer.clone(), expected: value.clone(), got: None }),
                };
                if found.is_some() {
                    return found;
                }
                pointer.truncate(before);
            }
            None
        }
        (Value::Array(e), Value::Array(g)) => {
            if e.len() != g.len() {
                return Some(differ(pointer, Some(got)));
            }
            for (i, (value, inner)) in e.iter().zip(g).enumerate() {
                let before = pointer.len();
                pointer.push('/');
                pointer.push_str(&i.to_string());
                if let Some(found) = walk(value, inner, pointer) {
                    return Some(found);
                }
                pointer.truncate(before);
            }
            None
        }
        // 2 and 2.0 are the same number; integers are compared exactly.
        (Value::Number(e), Value::Number(g)) if (e.is_f64() || g.is_f64()) && e.as_f64() == g.as_f64() => None,
        _ if expected == got => None,
        _ => Some(differ(pointer, Some(got))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn subsets() {
        let got = json!({"id": 1, "name": "Rex", "tags": [{"t": "a", "n": 1}, {"t": "b"}], "a/b": {"c~d": 2.0}});
        for expected in [
            json!({}),
            json!({"id": 1}),
            json!({"id": 1.0}),
            json!({"tags": [{"t": "a"}, {}]}),
            json!({"a/b": {"c~d": 2}}),
            got.clone(),
        ] {
            assert_eq!(first_difference(&expected, &got), None, "{expected}");
        }
    }

    #[test]
    fn first_differences_name_the_pointer() {
        let got = json!({"id": 1, "tags": [{"t": "a"}, {"t": "b"}], "a/b": {"c~d": 2}});
        let d = first_difference(&json!({"tags": [{"t": "a"}, {"t": "c"}]}), &got).unwrap();
        assert_eq!(d.to_string(), "at `/tags/1/t`: expected \"c\", got \"b\"");
        let d = first_difference(&json!({"a/b": {"c~d": 3}}), &got).unwrap();
        assert_eq!(d.pointer, "/a~1b/c~0d");
        let d = first_difference(&json!({"nope": null}), &got).unwrap();
        assert_eq!(d.to_string(), "at `/nope`: expected null, got no such key");
        let d = first_difference(&json!({"tags": [{"t": "a"}]}), &got).unwrap();
        assert!(d.to_string().starts_with("at `/tags`: expected an array of 1 items, got 2 items"), "{d}");
        let d = first_difference(&json!([1]), &json!({"x": 1})).unwrap();
        assert_eq!(d.to_string(), "at the top level: expected [1], got {\"x\":1}");
        assert!(first_difference(&json!({"id": "1"}), &got).is_some());
    }
}
