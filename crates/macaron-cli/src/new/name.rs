//! What a service may be called: a name cargo accepts as a package, that
//! is also a valid crate path in Rust code, an environment-variable prefix
//! and a file name; checked before anything is written.

/// Words a crate cannot be named (Rust keywords and names cargo or the
/// service's own code would trip over).
#[rustfmt::skip]
const RESERVED: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate", "do", "dyn", "else",
    "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "macro", "match", "mod",
    "move", "mut", "override", "priv", "pub", "ref", "return", "self", "static", "struct", "super", "trait", "true",
    "try", "type", "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield", "test", "build", "deps",
    "examples", "core", "std", "alloc", "proc_macro", "macaron", "macaron_build", "apis", "tokio", "serde_json",
    "tracing",
];

/// The longest name accepted (cargo's own limit).
const MAX_LEN: usize = 64;

/// Checks a service name: lowercase ASCII letters, digits, `-` and `_`,
/// starting with a letter, at most 64 characters, not a reserved word.
/// The error says what is wrong and what would be accepted.
pub fn check(name: &str) -> Result<(), String> {
    let rule = "use lowercase letters, digits, '-' and '_', starting with a letter (e.g. 'orders' or 'order-service')";
    let Some(first) = name.chars().next() else {
        return Err(format!("the service name is empty: {rule}"));
    };
    if !first.is_ascii_lowercase() {
        return Err(format!("'{name}' is not a valid service name: it must start with a lowercase letter; {rule}"));
    }
    if let Some(bad) = name.chars().find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-' || *c == '_'))
    {
        return Err(format!("'{name}' is not a valid service name: '{bad}' is not allowed; {rule}"));
    }
    if name.len() > MAX_LEN {
        return Err(format!("'{name}' is not a valid service name: longer than {MAX_LEN} characters"));
    }
    if name.ends_with(['-', '_']) {
        return Err(format!("'{name}' is not a valid service name: it must not end with '-' or '_'"));
    }
    if RESERVED.contains(&crate_ident(name).as_str()) {
        return Err(format!("'{name}' is not a valid service name: it is a reserved word in Rust or cargo"));
    }
    Ok(())
}

/// The name as Rust code writes it (`order-service` → `order_service`).
pub fn crate_ident(name: &str) -> String {
    name.replace('-', "_")
}

/// The prefix of the service's environment variables (`ORDER_SERVICE`).
pub fn env_prefix(name: &str) -> String {
    crate_ident(name).to_ascii_uppercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_names_pass() {
        for name in ["orders", "order-service", "a1", "billing_v2"] {
            assert_eq!(check(name), Ok(()), "{name}");
        }
        assert_eq!(
            (crate_ident("order-service"), env_prefix("order-service")),
            ("order_service".into(), "ORDER_SERVICE".into())
        );
    }

    #[test]
    fn bad_names_say_why() {
        let cases = [
            ("", "empty"),
            ("Orders", "start with a lowercase letter"),
            ("9lives", "start with a lowercase letter"),
            ("my service", "' ' is not allowed"),
            ("caf\u{e9}", "'\u{e9}' is not allowed"),
            ("../etc", "start with a lowercase letter"),
            ("orders-", "must not end"),
            ("test", "reserved"),
            ("self", "reserved"),
            ("macaron", "reserved"),
        ];
        for (name, why) in cases {
            let error = check(name).expect_err(name);
            assert!(error.contains(why), "{name}: {error}");
        }
        assert!(check(&"a".repeat(65)).expect_err("too long").contains("longer than 64"));
    }
}
