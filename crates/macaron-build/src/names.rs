//! Rust names for OpenAPI names.
//!
//! Schema, property and operation names are free text in OpenAPI
//! (`account.settings`, `200Response`, `type`, `Content-Type`); Rust wants
//! identifiers. Types become `PascalCase`, fields and functions
//! `snake_case`; a leading digit gets a prefix, a keyword a trailing `_`.
//! The wire name is kept by the caller (`#[serde(rename)]`) whenever the
//! Rust name differs. [`ident`] turns such a name into a token.

use std::collections::HashSet;

use quote::format_ident;

const KEYWORDS: [&str; 51] = [
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for", "if", "impl", "in",
    "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "self", "Self", "static", "struct", "super",
    "trait", "true", "type", "unsafe", "use", "where", "while", "async", "await", "dyn", "abstract", "become", "box",
    "do", "final", "macro", "override", "priv", "typeof", "unsized", "virtual", "yield", "try",
];

fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        let boundary = c.is_ascii_uppercase()
            && !current.is_empty()
            && (chars[i - 1].is_ascii_lowercase()
                || chars[i - 1].is_ascii_digit()
                || chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase()) && chars[i - 1].is_ascii_uppercase());
        if boundary {
            words.push(std::mem::take(&mut current));
        }
        current.push(c);
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// `PascalCase` type name.
pub fn type_name(name: &str) -> String {
    let mut out: String = words(name)
        .iter()
        .map(|w| {
            let mut chars = w.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + &chars.as_str().to_ascii_lowercase_if_upper(),
                None => String::new(),
            }
        })
        .collect();
    if out.is_empty() {
        out = "Unnamed".into();
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out = format!("T{out}");
    }
    if KEYWORDS.contains(&out.as_str()) {
        out.push('_');
    }
    out
}

trait LowerIfUpper {
    fn to_ascii_lowercase_if_upper(&self) -> String;
}

impl LowerIfUpper for str {
    /// `ID` stays readable as `Id`, `userId` keeps `Id`.
    fn to_ascii_lowercase_if_upper(&self) -> String {
        if self.chars().all(|c| !c.is_ascii_lowercase()) {
            self.to_ascii_lowercase()
        } else {
            self.to_string()
        }
    }
}

/// `snake_case` field or function name.
pub fn field_name(name: &str) -> String {
    let mut out = words(name).iter().map(|w| w.to_ascii_lowercase()).collect::<Vec<_>>().join("_");
    if out.is_empty() {
        out = "field".into();
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out = format!("n{out}");
    }
    if KEYWORDS.contains(&out.as_str()) {
        out.push('_');
    }
    out
}

/// The Rust name of each operation's binding wrapper, by operationId:
/// `field_name` of the id, made unique in the API, since ids that differ
/// only in case or punctuation (`get-user`, `get_user`, `getUser`) are
/// distinct ids but one snake_case name.
pub(crate) fn operation_names(api: &macaron_spec::Api) -> std::collections::HashMap<String, String> {
    let mut namer = Namer::default();
    api.operations.iter().map(|op| (op.id.clone(), namer.fresh(&field_name(&op.id)))).collect()
}

/// The identifier token of a name made by this module ([`type_name`],
/// [`field_name`], [`Namer::fresh`] of those, or a fixed prefix and
/// suffix around them): ASCII letters, digits and `_`, never starting with
/// a digit, so always an identifier.
pub(crate) fn ident(name: &str) -> syn::Ident {
    format_ident!("{}", name)
}

/// Hands out names that are not taken yet (`Pet`, `Pet2`, ...).
#[derive(Default)]
pub struct Namer {
    taken: HashSet<String>,
}

impl Namer {
    /// Marks a name as taken (a name the generated code uses itself).
    pub fn reserve(&mut self, name: &str) {
        self.taken.insert(name.to_string());
    }

    /// `base` if free, else `base2`, `base3`, ...
    pub fn fresh(&mut self, base: &str) -> String {
        let mut name = base.to_string();
        let mut n = 2;
        while !self.taken.insert(name.clone()) {
            name = format!("{base}{n}");
            n += 1;
        }
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_names_are_unique() {
        let api = macaron_spec::load_bytes(
            "t.yaml",
            b"openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get: {operationId: get-user, responses: {}}\n    put: {operationId: get_user, responses: {}}\n    post: {operationId: getUser, responses: {}}\n",
        )
        .unwrap();
        let names = operation_names(&api);
        assert_eq!(
            (names["get-user"].as_str(), names["get_user"].as_str(), names["getUser"].as_str()),
            ("get_user", "get_user2", "get_user3")
        );
    }

    #[test]
    fn type_names() {
        assert_eq!(type_name("pet"), "Pet");
        assert_eq!(type_name("account.settings"), "AccountSettings");
        assert_eq!(type_name("200Response"), "T200Response");
        assert_eq!(type_name("HTTPError"), "HttpError");
        assert_eq!(type_name("userID"), "UserId");
        assert_eq!(type_name("Self"), "Self_");
        assert_eq!(type_name("---"), "Unnamed");
    }

    #[test]
    fn field_names() {
        assert_eq!(field_name("petId"), "pet_id");
        assert_eq!(field_name("type"), "type_");
        assert_eq!(field_name("Content-Type"), "content_type");
        assert_eq!(field_name("3d_secure"), "n3d_secure");
        assert_eq!(field_name("self"), "self_");
        assert_eq!(field_name("@id"), "id");
        assert_eq!(field_name("$"), "field");
    }
}
