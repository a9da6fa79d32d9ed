//! Doc comments of generated items from the spec's prose.
//!
//! A `description` (or `title`) is free text written for a web page;
//! rustdoc reads it as Markdown with doctests. It becomes `#[doc = "..."]`
//! attributes (printed as `///`), one paragraph per line of the spec, with
//! indentation and code fences flattened so that no prose is compiled as
//! a doctest.

use proc_macro2::TokenStream;
use quote::quote;
use serde_json::Value;

/// The prose of a schema: its `description`, else its `title`.
pub(crate) fn of(schema: &Value) -> Option<String> {
    schema.get("description").or_else(|| schema.get("title")).and_then(Value::as_str).map(String::from)
}

/// The doc attributes of `doc` (none for `None`).
pub(crate) fn attributes(doc: Option<&str>) -> TokenStream {
    let mut out = TokenStream::new();
    let Some(doc) = doc else { return out };
    let mut lines: Vec<String> = doc
        .lines()
        // Leading spaces and fences would make rustdoc see code blocks
        // (and doctests) in the spec's prose: flatten them.
        .map(|line| line.trim().replace("```", "'''"))
        .collect();
    while lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    let mut previous_blank = true;
    for line in lines.iter().skip_while(|l| l.is_empty()) {
        if line.is_empty() && previous_blank {
            continue;
        }
        // Each line of the spec is a paragraph of its own: a list item
        // followed by plain text would otherwise be a lazy continuation
        // (clippy's `doc_lazy_continuation`).
        if !previous_blank && !line.is_empty() {
            out.extend(quote!(#[doc = ""]));
        }
        let text = format!(" {line}");
        out.extend(quote!(#[doc = #text]));
        previous_blank = line.is_empty();
    }
    out
}
