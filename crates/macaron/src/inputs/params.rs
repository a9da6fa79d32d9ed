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
    /// Query pairs: names decoded, values as sent (split on delimiters
    /// before they are decoded: `a%2Cb,c` is `["a,b", "c"]`).
    pub query: &'a [(String, String)],
    /// Headers, names in lower case.
    pub headers: &'a [(String, String)],
    /// Cookies, values as sent (decoded after splitting, as query values).
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

/// A query value: `+` is a space, then percent-decoding.
fn form_decode(text: &str) -> String {
    if text.contains('+') {
        decode(&text.replace('+', " "))
    } else {
        decode(text)
    }
}

fn first<'a>(pairs: &'a [(String, String)], name: &str, ignore_case: bool) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| if ignore_case { k.eq_ignore_ascii_case(name) } else { k == name })
        .map(|(_, v)| v.as_str())
}

/// The parameter's value, typed by its schema; `None` when it was not sent.
#[cfg(test)]
pub(crate) fn extract(api: &Api, param: &Parameter, raw: &RawInputs) -> Option<Value> {
    extract_as(api, param, coerce::primary_type(api, &param.schema), raw)
}

/// The parameter's value read as `kind` (its schema's type, see
/// `param_kind`); `None` when it was not sent.
pub(crate) fn extract_as(api: &Api, param: &Parameter, kind: Option<&str>, raw: &RawInputs) -> Option<Value> {
    match param.location {
        ParamLocation::Path => {
            let text = first(raw.path, &param.name, false)?;
            Some(path_value(api, param, kind, text))
        }
        ParamLocation::Query => query_value(api, param, kind, raw),
        ParamLocation::Header => {
            // A header sent on several lines is one comma-joined value (RFC 9110, 5.3).
            let mut lines =
                raw.headers.iter().filter(|(k, _)| k.eq_ignore_ascii_case(&param.name)).map(|(_, v)| v.trim());
            let first = lines.next()?;
            let rest: Vec<&str> = lines.collect();
            // Items of a list header may have spaces after the commas (RFC 9110, 5.6.1).
            let item = |s: &str| s.trim().to_string();
            if rest.is_empty() {
                return Some(delimited(api, param, kind, first, ',', item));
            }
            let joined = std::iter::once(first).chain(rest).collect::<Vec<_>>().join(",");
            Some(delimited(api, param, kind, &joined, ',', item))
        }
        ParamLocation::Cookie => cookie_value(api, param, kind, raw),
    }
}

/// Text split on a delimiter into an array, pairs into an object, or a
/// scalar; `piece` decodes each piece after splitting (a delimiter inside
/// a value is encoded, the delimiters are not).
fn delimited(
    api: &Api,
    param: &Parameter,
    kind: Option<&str>,
    text: &str,
    delimiter: char,
    piece: fn(&str) -> String,
) -> Value {
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
            delimited(api, param, kind, body, delimiter, decode)
        }
        ParamStyle::Matrix => {
            // `;name` alone (RFC 6570) is the empty value.
            if text == format!(";{}", param.name) {
                return delimited(api, param, kind, "", ',', decode);
            }
            let prefix = format!(";{}=", param.name);
            if param.explode && kind == Some("array") {
                let parts: Vec<String> =
                    text.split(';').filter_map(|p| p.strip_prefix(&format!("{}=", param.name))).map(decode).collect();
                coerce::array(api, &param.schema, &parts)
            } else if param.explode && kind == Some("object") {
                delimited(api, param, kind, text.trim_start_matches(';'), ';', decode)
            } else {
                delimited(api, param, kind, text.strip_prefix(&prefix).unwrap_or(text), ',', decode)
            }
        }
        _ => delimited(api, param, kind, text, ',', decode),
    }
}

fn query_value(api: &Api, param: &Parameter, kind: Option<&str>, raw: &RawInputs) -> Option<Value> {
    let name = param.name.as_str();
    let all = || raw.query.iter().filter(move |(k, _)| k == name).map(|(_, v)| v.as_str());
    match (param.style, kind) {
        (ParamStyle::DeepObject, _) => {
            let open = format!("{name}[");
            let pairs: Vec<(String, String)> = raw
                .query
                .iter()
                .filter_map(|(k, v)| Some((k.strip_prefix(&open)?.strip_suffix(']')?.to_string(), form_decode(v))))
                .collect();
            (!pairs.is_empty()).then(|| coerce::object(api, &param.schema, &pairs))
        }
        // Exploded arrays are repeated pairs in every query style (`id=1&id=2`).
        (ParamStyle::Form | ParamStyle::SpaceDelimited | ParamStyle::PipeDelimited, Some("array")) if param.explode => {
            let parts: Vec<String> = all().map(form_decode).collect();
            (!parts.is_empty()).then(|| coerce::array(api, &param.schema, &parts))
        }
        (ParamStyle::Form, Some("object")) if param.explode => {
            let names = coerce::property_names(api, &param.schema);
            let pairs: Vec<(String, String)> = raw
                .query
                .iter()
                .filter(|(k, _)| names.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), form_decode(v)))
                .collect();
            (!pairs.is_empty()).then(|| coerce::object(api, &param.schema, &pairs))
        }
        (style, _) => {
            let text = all().next()?;
            // These delimiters travel encoded (`%20`, `%7C`, `%09`), like
            // the same character inside a value: decoded first.
            let delimiter = match style {
                ParamStyle::SpaceDelimited => ' ',
                ParamStyle::PipeDelimited => '|',
                ParamStyle::TabDelimited => '\t',
                _ => return Some(delimited(api, param, kind, text, ',', form_decode)),
            };
            Some(delimited(api, param, kind, &form_decode(text), delimiter, str::to_string))
        }
    }
}

/// A cookie parameter: `form` (one cookie, `a,b`, or, exploded, one cookie
/// per item or per property).
fn cookie_value(api: &Api, param: &Parameter, kind: Option<&str>, raw: &RawInputs) -> Option<Value> {
    let name = param.name.as_str();
    match kind {
        Some("array") if param.explode => {
            let parts: Vec<String> = raw.cookies.iter().filter(|(k, _)| k == name).map(|(_, v)| decode(v)).collect();
            (!parts.is_empty()).then(|| coerce::array(api, &param.schema, &parts))
        }
        Some("object") if param.explode => {
            let names = coerce::property_names(api, &param.schema);
            let pairs: Vec<(String, String)> = raw
                .cookies
                .iter()
                .filter(|(k, _)| names.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), decode(v)))
                .collect();
            (!pairs.is_empty()).then(|| coerce::object(api, &param.schema, &pairs))
        }
        _ => Some(delimited(api, param, kind, first(raw.cookies, name, false)?, ',', decode)),
    }
}

/// Query pairs of a query string, decoded (`+` is a space).
pub(crate) fn query_pairs(query: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(query.as_bytes()).into_owned().collect()
}

/// Query pairs of a query string for [`RawInputs::query`]: names decoded,
/// values as sent.
pub(crate) fn raw_query_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (form_decode(name), value.to_string())
        })
        .collect()
}

/// Cookies of a `Cookie` header, values as sent (quotes removed).
pub(crate) fn cookie_pairs(headers: &[(String, String)]) -> Vec<(String, String)> {
    headers
        .iter()
        .filter(|(k, _)| k == "cookie")
        .flat_map(|(_, v)| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .map(|(k, v)| (k.to_string(), v.trim_matches('"').to_string()))
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
    fn cookies_are_split_then_decoded() {
        let headers = pairs(&[("cookie", "a=1; token=\"Bearer%20x\"; id=a%2Cb,c; id=d")]);
        let cookies = cookie_pairs(&headers);
        assert_eq!(cookies, pairs(&[("a", "1"), ("token", "Bearer%20x"), ("id", "a%2Cb,c"), ("id", "d")]));
        let ids = json!({"type": "array", "items": {"type": "string"}});
        let get = |explode| {
            let p = param(ParamLocation::Cookie, ParamStyle::Form, explode, ids.clone());
            extract(&api(), &p, &RawInputs { path: &[], query: &[], headers: &[], cookies: &cookies })
        };
        assert_eq!(get(false), Some(json!(["a,b", "c"])));
        assert_eq!(get(true), Some(json!(["a,b,c", "d"])));
    }

    #[test]
    fn query_values_are_split_then_decoded() {
        let query = raw_query_pairs("id=a%2Cb,c+d&x%5By%5D=1%2B1&&flag");
        assert_eq!(query, pairs(&[("id", "a%2Cb,c+d"), ("x[y]", "1%2B1"), ("flag", "")]));
        let strings = json!({"type": "array", "items": {"type": "string"}});
        let q = |style, explode, query: &[(String, String)]| {
            let p = param(ParamLocation::Query, style, explode, strings.clone());
            extract(&api(), &p, &RawInputs { path: &[], query, headers: &[], cookies: &[] })
        };
        assert_eq!(q(ParamStyle::Form, false, &query), Some(json!(["a,b", "c d"])));
        assert_eq!(q(ParamStyle::Form, true, &query), Some(json!(["a,b,c d"])));
        let piped = raw_query_pairs("id=a%7Cb|c");
        assert_eq!(q(ParamStyle::PipeDelimited, false, &piped), Some(json!(["a", "b", "c"])));
        let repeated = raw_query_pairs("id=a%20b&id=c");
        assert_eq!(q(ParamStyle::SpaceDelimited, true, &repeated), Some(json!(["a b", "c"])));
        assert_eq!(q(ParamStyle::PipeDelimited, true, &repeated), Some(json!(["a b", "c"])));
    }

    #[test]
    fn headers_on_several_lines_and_empty_matrix_values() {
        let strings = json!({"type": "array", "items": {"type": "string"}});
        let p = param(ParamLocation::Header, ParamStyle::Simple, false, strings);
        let headers = pairs(&[("id", "a, b"), ("other", "x"), ("ID", "c")]);
        let raw = RawInputs { path: &[], query: &[], headers: &headers, cookies: &[] };
        assert_eq!(extract(&api(), &p, &raw), Some(json!(["a", "b", "c"])));
        let m = param(ParamLocation::Path, ParamStyle::Matrix, false, json!({"type": "string"}));
        assert_eq!(run(&m, &[("id", ";id")], &[]), Some(json!("")));
    }
}
