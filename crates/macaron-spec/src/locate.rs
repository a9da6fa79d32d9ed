//! Finding the line of a JSON pointer in a document's text.
//!
//! The parsers give lines for syntax errors only; for a problem found later
//! (a `$ref` to nothing, an undeclared path parameter) this module walks the
//! pointer's keys through the text, each one searched after the previous,
//! and returns the line of the last key found. It is a best effort used only
//! when building an error message: it never fails, and it costs nothing on
//! documents that load.

use crate::pointer::unescape;

/// The 1-based line where `pointer` (RFC 6901, without `#`) most likely
/// starts in `text`, or `None` when not even its first key is found.
///
/// ```
/// let text = "openapi: 3.0.3\npaths:\n  /pets:\n    get: {}\n";
/// assert_eq!(macaron_spec::line_of(text, "/paths/~1pets/get"), Some(4));
/// ```
pub fn line_of(text: &str, pointer: &str) -> Option<usize> {
    let json = text.trim_start().starts_with('{');
    let mut pos = 0usize;
    let mut found = None;
    for raw in pointer.split('/').skip(1) {
        let key = unescape(raw);
        if key.parse::<usize>().is_ok() {
            continue; // array index: stay on the parent's line
        }
        let hit = if json { find_json_key(text, pos, &key) } else { find_yaml_key(text, pos, &key) };
        match hit {
            Some(at) => {
                pos = at + 1;
                found = Some(at);
            }
            None => break,
        }
    }
    found.map(|at| text[..at].matches('\n').count() + 1)
}

fn find_json_key(text: &str, from: usize, key: &str) -> Option<usize> {
    let needle = format!("\"{}\"", key.replace('\\', "\\\\").replace('"', "\\\""));
    let mut start = from;
    while let Some(rel) = text.get(start..)?.find(&needle) {
        let at = start + rel;
        let rest = text[at + needle.len()..].trim_start();
        if rest.starts_with(':') {
            return Some(at);
        }
        start = at + needle.len();
    }
    None
}

fn find_yaml_key(text: &str, from: usize, key: &str) -> Option<usize> {
    let candidates = [format!("{key}:"), format!("\"{key}\":"), format!("'{key}':")];
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let line_start = offset;
        offset += line.len();
        if offset <= from {
            continue;
        }
        let body = line.trim_start().trim_start_matches("- ").trim_start();
        if candidates.iter().any(|c| body.starts_with(c.as_str())) {
            return Some(line_start.max(from));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::line_of;

    #[test]
    fn finds_nested_yaml_keys() {
        let text = "openapi: 3.0.0\npaths:\n  /pets:\n    get:\n      responses: {}\n    post:\n      responses: {}\n";
        assert_eq!(line_of(text, "/paths/~1pets/post/responses"), Some(7));
        assert_eq!(line_of(text, "/paths/~1pets/get"), Some(4));
        assert_eq!(line_of(text, "/nothing"), None);
    }

    #[test]
    fn finds_nested_json_keys() {
        let text = "{\n \"paths\": {\n  \"/a\": {\n   \"get\": {}\n  }\n }\n}";
        assert_eq!(line_of(text, "/paths/~1a/get"), Some(4));
    }
}
