//! Reading parameters out of a request by their OpenAPI `style`.
//!
//! OpenAPI lets a spec choose how each parameter is serialised: an array in
//! the query may be `?id=1&id=2` (form, exploded), `?id=1,2` (form),
//! `?id=1%202` (spaceDelimited) or `?id=1|2` (pipeDelimited); an object may
//! be `?color[r]=1` (deepObject); a path value may be `.1.2` (label) or
//! `;id=1,2` (matrix). This module undoes the style into text pieces and
//! hands them to `coerce`, which types them by the schema; the
//! result is the JSON value the validator checks and the handler receives.

use macaron_spec::{Api, ParamLocation, ParamStyle, Parameter};
use percent_encoding::percent_decode_str;
use serde_json::Value;

use super::coerce;

/// The raw inputs of a request, before styles are undone.
pub(crate) struct RawInputs<'a> {
    /// Path parameters as captured by the router (still percent-encoded).
    pub path: &'a [(String, String)],
    /// Query pairs, decoded.
    pub query: &'a [(String, String)],
    /// Headers, names in lower case.
    pub headers: &'a [(String, String)],
    /// Cookies, decoded.
    pub cookies: &'a [(String, String)],
}

/// Where a parameter's location is named in messages.
pub(crate) fn location_name(location: ParamLocation) -> &'static str {
    match location {
        ParamLocation::Path => "path",
        ParamLocation::Query => "query",
        ParamLocation::Header => "header",
        ParamLocation::Cookie => "cookie",
    }
}

fn decode(text: &str) -> String {
    if !text.contains('%') {
        return text.to_string();
    }
    percent_decode_str(text).decode_utf8_lossy().into_owned()
}

fn first<'a>(pairs: &'a [(String, String)], name: &str, ignore_case: bool) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| if ignore_case { k.eq_ignore_ascii_case(name) } else { k == name })
        .map(|(_, v)| v.as_str())
}

/// The parameter's value, typed by its schema; `None` when it was not sent.
pub(crate) fn extract(api: &Api, param: &Parameter, raw: &RawInputs) -> Option<Value> {
    let schema = &param.schema;
    let kind = coerce::primary_type(api, schema);
    match param.location {
        ParamLocation::Path => {
            let text = first(raw.path, &param.name, false)?;
            Some(path_value(api, param, kind, text))
        }
        ParamLocation::Query => query_value(api, param, kind, raw),
        ParamLocation::Header => {
            let text = first(raw.headers, &param.name, true)?;
            Some(delimited(api, param, kind, text.trim(), ',', false))
        }
        ParamLocation::Cookie => {
            let text = first(raw.cookies, &param.name, false)?;
            Some(delimited(api, param, kind, text, ',', false))
        }
    }
}

/// Text split on a delimiter into an array, pairs into an object, or a scalar.
/// `decode` percent-decodes each piece after splitting (path values).
fn delimited(
    api: &Api,
    param: &Parameter,
    kind: Option<&str>,
    text: &str,
    delimiter: char,
    decode_parts: bool,
) -> Value {
    let piece = |s: &str| if decode_parts { decode(s) } else { s.to_string() };
    match kind {
        Some("array") => {
            let parts: Vec<String> =
                if text.is_empty() { Vec::new() } else { text.split(delimiter).map(piece).collect() };
            coerce::array(api, &param.schema, &parts)
        }
        Some("object") => {
            let pairs: Vec<(String, String)> = if param.explode {
                text.split(delimiter)
                    .filter(|s| !s.is_empty())
                    .map(|kv| match kv.split_once('=') {
                        Some((k, v)) => (piece(k), piece(v)),
                        None => (piece(kv), String::new()),
                    })
                    .collect()
            } else {
                let items: Vec<String> = text.split(delimiter).map(piece).collect();
                items.chunks(2).map(|c| (c[0].clone(), c.get(1).cloned().unwrap_or_default())).collect()
            };
            coerce::object(api, &param.schema, &pairs)
        }
        _ => coerce::scalar(api, &param.schema, &piece(text)),
    }
}

fn path_value(api: &Api, param: &Parameter, kind: Option<&str>, text: &str) -> Value {
    match param.style {
        ParamStyle::Label => {
            let body = text.strip_prefix('.').unwrap_or(text);
            let delimiter = if param.explode { '.' } else { ',' };
            delimited(api, param, kind, body, delimiter, true)
        }
        ParamStyle::Matrix => {
            let prefix = format!(";{}=", param.name);
            if param.explode && kind == Some("array") {
                let parts: Vec<String> =
                    text.split(';').filter_map(|p| p.strip_prefix(&format!("{}=", param.name))).map(decode).collect();
                coerce::array(api, &param.schema, &parts)
            } else if param.explode && kind == Some("object") {
                delimited(api, param, kind, text.trim_start_matches(';'), ';', true)
            } else {
                delimited(api, param, kind, text.strip_prefix(&prefix).unwrap_or(text), ',', true)
            }
        }
        _ => delimited(api, param, kind, text, ',', true),
    }
}

fn query_value(api: &Api, param: &Parameter, kind: Option<&str>, raw: &RawInputs) -> Option<Value> {
    let name = param.name.as_str();
    let all = || raw.query.iter().filter(move |(k, _)| k == name).map(|(_, v)| v.clone());
    match (param.style, kind) {
        (ParamStyle::DeepObject, _) => {
            let open = format!("{name}[");
            let pairs: Vec<(String, String)> = raw
                .query
                .iter()
                .filter_map(|(k, v)| Some((k.strip_prefix(&open)?.strip_suffix(']')?.to_string(), v.clone())))
                .collect();
            (!pairs.is_empty()).then(|| coerce::object(api, &param.schema, &pairs))
        }
        (ParamStyle::Form, Some("array")) if param.explode => {
            let parts: Vec<String> = all().collect();
            (!parts.is_empty()).then(|| coerce::array(api, &param.schema, &parts))
        }
        (ParamStyle::Form, Some("object")) if param.explode => {
            let names = coerce::property_names(api, &param.schema);
            let pairs: Vec<(String, String)> =
                raw.query.iter().filter(|(k, _)| names.contains(&k.as_str())).cloned().collect();
            (!pairs.is_empty()).then(|| coerce::object(api, &param.schema, &pairs))
        }
        (style, _) => {
            let text = all().next()?;
            let delimiter = match style {
                ParamStyle::SpaceDelimited => ' ',
                ParamStyle::PipeDelimited => '|',
                ParamStyle::TabDelimited => '\t',
                _ => ',',
            };
            Some(delimited(api, param, kind, &text, delimiter, false))
        }
    }
}

/// Query pairs of a query string, decoded (`+` is a space).
pub(crate) fn query_pairs(query: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(query.as_bytes()).into_owned().collect()
}

/// Cookies of a `Cookie` header, values percent-decoded.
pub(crate) fn cookie_pairs(headers: &[(String, String)]) -> Vec<(String, String)> {
    headers
        .iter()
        .filter(|(k, _)| k == "cookie")
        .flat_map(|(_, v)| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .map(|(k, v)| (k.to_string(), decode(v.trim_matches('"'))))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn api() -> Api {
        macaron_spec::load_bytes("t.yaml", b"openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n").unwrap()
    }

    fn param(location: ParamLocation, style: ParamStyle, explode: bool, schema: Value) -> Parameter {
        Parameter {
            name: "id".into(),
            location,
            required: false,
            style,
            explode,
            allow_reserved: false,
            allow_empty_value: false,
            deprecated: false,
            description: None,
            schema,
            content_type: None,
            extensions: Default::default(),
        }
    }

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn run(p: &Parameter, path: &[(&str, &str)], query: &[(&str, &str)]) -> Option<Value> {
        let (path, query) = (pairs(path), pairs(query));
        extract(&api(), p, &RawInputs { path: &path, query: &query, headers: &[], cookies: &[] })
    }

    #[test]
    fn query_styles() {
        let ints = json!({"type": "array", "items": {"type": "integer"}});
        let q = |style, explode, query: &[(&str, &str)]| {
            run(&param(ParamLocation::Query, style, explode, ints.clone()), &[], query)
        };
        assert_eq!(q(ParamStyle::Form, true, &[("id", "1"), ("id", "2")]), Some(json!([1, 2])));
        assert_eq!(q(ParamStyle::Form, false, &[("id", "1,2")]), Some(json!([1, 2])));
        assert_eq!(q(ParamStyle::SpaceDelimited, false, &[("id", "1 2")]), Some(json!([1, 2])));
        assert_eq!(q(ParamStyle::PipeDelimited, false, &[("id", "1|2")]), Some(json!([1, 2])));
        assert_eq!(q(ParamStyle::Form, true, &[]), None);
        let obj = json!({"type": "object", "properties": {"r": {"type": "integer"}, "g": {"type": "integer"}}});
        let deep = param(ParamLocation::Query, ParamStyle::DeepObject, true, obj.clone());
        assert_eq!(run(&deep, &[], &[("id[r]", "1"), ("id[g]", "2"), ("x", "3")]), Some(json!({"r": 1, "g": 2})));
        let form = param(ParamLocation::Query, ParamStyle::Form, true, obj);
        assert_eq!(run(&form, &[], &[("r", "1"), ("x", "3")]), Some(json!({"r": 1})));
    }

    #[test]
    fn path_styles() {
        let ints = json!({"type": "array", "items": {"type": "integer"}});
        let p =
            |style, explode, text| run(&param(ParamLocation::Path, style, explode, ints.clone()), &[("id", text)], &[]);
        assert_eq!(p(ParamStyle::Simple, false, "1,2"), Some(json!([1, 2])));
        assert_eq!(p(ParamStyle::Label, false, ".1,2"), Some(json!([1, 2])));
        assert_eq!(p(ParamStyle::Label, true, ".1.2"), Some(json!([1, 2])));
        assert_eq!(p(ParamStyle::Matrix, false, ";id=1,2"), Some(json!([1, 2])));
        assert_eq!(p(ParamStyle::Matrix, true, ";id=1;id=2"), Some(json!([1, 2])));
        let s = param(ParamLocation::Path, ParamStyle::Simple, false, json!({"type": "string"}));
        assert_eq!(run(&s, &[("id", "a%20b")], &[]), Some(json!("a b")));
        let o = param(ParamLocation::Path, ParamStyle::Simple, true, json!({"type": "object"}));
        assert_eq!(run(&o, &[("id", "a=1,b=2")], &[]), Some(json!({"a": "1", "b": "2"})));
    }

    #[test]
    fn cookies_are_split_and_decoded() {
        let headers = pairs(&[("cookie", "a=1; token=Bearer%20x")]);
        assert_eq!(cookie_pairs(&headers), pairs(&[("a", "1"), ("token", "Bearer x")]));
    }
}
