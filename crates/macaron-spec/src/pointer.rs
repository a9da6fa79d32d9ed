//! JSON-pointer segments (RFC 6901), escaped and unescaped in one place.
//!
//! Pointers name places in every stage: the file set resolves them, the
//! schema normaliser writes them into `$ref`s, the model follows them, and
//! messages point at them. Escaping is a fact about pointers, not about any
//! of those stages, so it sits here, below all of them, and none of them has
//! to import another stage for it.

/// Escapes one segment: `~` becomes `~0`, `/` becomes `~1`.
pub(crate) fn escape(key: &str) -> String {
    if key.contains(['~', '/']) {
        key.replace('~', "~0").replace('/', "~1")
    } else {
        key.to_string()
    }
}

/// Undoes [`escape`].
pub(crate) fn unescape(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

#[cfg(test)]
mod tests {
    use super::{escape, unescape};

    #[test]
    fn round_trip() {
        for key in ["plain", "a/b", "~x", "~1/~0"] {
            assert_eq!(unescape(&escape(key)), key);
        }
        assert_eq!(escape("a/b~"), "a~1b~0");
    }
}
