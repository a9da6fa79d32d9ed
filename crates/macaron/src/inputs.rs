//! Checking a request's parameters and body against its operation.
//!
//! Nothing reaches a handler unchecked: every declared parameter is read by
//! its style, typed by its schema and validated, and the body is parsed by
//! its media type (JSON, urlencoded form or multipart) and validated. The
//! first problem stops the request with a 400 `INVALID_PARAMETER` whose
//! description names the input and, inside a body, the JSON path of the
//! offending field (`body /price: -1 is less than the minimum of 0`). A
//! media type the operation does not declare is a 415. What passes becomes
//! the [`Context`] the handler's extractors read.

use std::borrow::Cow;

use actix_web::http::header::HeaderMap;
use actix_web::web::Bytes;
use bytestring::ByteString;
use futures_util::StreamExt;
use macaron_spec::ParamLocation;
use serde_json::{Map, Value};

use crate::api::{is_json, LoadedApi, Op};
use crate::coerce;
use crate::error::codes::{InvalidParameter, UnsupportedMediaType};
use crate::error::Result;
use crate::extract::{Context, FilePart, Multipart};
use crate::params::{self, location_name, RawInputs};
use crate::tree::{self, Tree};
use crate::validate::check;

/// Validates the parameters into the context's maps.
pub(crate) fn parameters(api: &LoadedApi, op: &Op, raw: &RawInputs, ctx: &mut Context) -> Result<()> {
    for (param, &schema) in op.spec.parameters.iter().zip(&op.params) {
        // Named only in an error: not formatted for the inputs that pass.
        let what = || format!("{} parameter '{}'", location_name(param.location), param.name);
        let Some(value) = params::extract(&api.spec, param, raw) else {
            if param.required {
                return Err(InvalidParameter::new(format!("{} is required", what())));
            }
            continue;
        };
        if let Some(validator) = api.validators.get(schema) {
            if let Some(message) = check(validator, &what(), &Tree::from_value(&value)) {
                return Err(InvalidParameter::new(message));
            }
        }
        let params = ctx.params_mut();
        let map = match param.location {
            ParamLocation::Path => &mut params.path,
            ParamLocation::Query => &mut params.query,
            ParamLocation::Header => &mut params.headers,
            ParamLocation::Cookie => &mut params.cookies,
        };
        map.insert(param.name.clone(), value);
    }
    Ok(())
}

/// The media type the operation declares for a request's content type, or
/// a 415. `None` when the operation takes no body.
pub(crate) fn media_type<'a>(op: &'a Op, content_type: Option<&str>, has_body: bool) -> Result<Option<&'a str>> {
    if op.body.is_empty() || (!has_body && content_type.is_none()) {
        return Ok(None);
    }
    // The common case first: the content type as the spec writes it.
    if let Some(key) = content_type.and_then(|c| op.body.get_key_value(c)).map(|(k, _)| k) {
        return Ok(Some(key.as_str()));
    }
    let essence = content_type.map_or("application/json", essence);
    let kind = essence.split_once('/').map_or(essence, |(kind, _)| kind);
    let found = op
        .body
        .keys()
        .find(|k| self::essence(k).eq_ignore_ascii_case(essence))
        .or_else(|| {
            op.body.keys().find(|k| k.strip_suffix("/*").is_some_and(|k| k != "*" && k.eq_ignore_ascii_case(kind)))
        })
        .or_else(|| op.body.keys().find(|k| k.as_str() == "*/*"));
    match found {
        Some(key) => Ok(Some(key.as_str())),
        None => {
            let accepted: Vec<&str> = op.body.keys().map(String::as_str).collect();
            Err(UnsupportedMediaType::new(format!(
                "content type '{}' is not accepted; use {}",
                essence.to_ascii_lowercase(),
                accepted.join(" or ")
            )))
        }
    }
}

/// A media type without its parameters (`application/json; charset=utf-8` → `application/json`).
pub(crate) fn essence(media: &str) -> &str {
    // A byte scan: `split(';')` sets up a searcher, dear on every request.
    let end = media.bytes().position(|b| b == b';').unwrap_or(media.len());
    media.get(..end).unwrap_or(media).trim()
}

/// The schema of a body without one: anything.
static ANY: Value = Value::Bool(true);

/// Parses and validates the body into the context.
pub(crate) async fn body(
    api: &LoadedApi,
    op: &Op,
    media: Option<&str>,
    content_type: Option<&str>,
    headers: &HeaderMap,
    bytes: Bytes,
    ctx: &mut Context,
) -> Result<()> {
    let required = op.spec.request_body.as_ref().is_some_and(|b| b.required);
    let Some(media) = media.filter(|_| !bytes.is_empty()) else {
        if required {
            return Err(InvalidParameter::new("body: a request body is required"));
        }
        return Ok(());
    };
    let schema_id = op.body.get(media).copied().flatten();
    let schema = op
        .spec
        .request_body
        .as_ref()
        .and_then(|b| b.content.iter().find(|(k, _)| k.eq_ignore_ascii_case(media)))
        .and_then(|(_, m)| m.schema.as_ref())
        .unwrap_or(&ANY);
    let essence = content_type.map_or(Cow::Borrowed("application/json"), |c| {
        let essence = essence(c);
        if essence.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(essence.to_ascii_lowercase())
        } else {
            Cow::Borrowed(essence)
        }
    });
    let validator = schema_id.and_then(|id| api.validators.get(id));
    if is_json(&essence) && essence != "*/*" {
        // Read once onto a tape, checked there; the handler's type is then
        // deserialised from the same tape (`extract`), with no second read.
        let malformed = |e: &dyn std::fmt::Display| InvalidParameter::new(format!("body: malformed JSON: {e}"));
        let text = ByteString::try_from(bytes.clone()).map_err(|e| malformed(&e))?;
        let tape = tree::read(&text).map_err(|e| malformed(&e))?;
        if let Some(message) = validator.and_then(|v| check(v, "body", &Tree::on(&text, &tape))) {
            return Err(InvalidParameter::new(message));
        }
        ctx.raw = bytes;
        ctx.text = text;
        ctx.tape = tape;
        return Ok(());
    }
    // The value the handler gets, and the value checked when it differs
    // (a multipart form is checked with its file names in place).
    let (value, to_validate) = if essence == "application/x-www-form-urlencoded" {
        let pairs = params::query_pairs(&String::from_utf8_lossy(&bytes));
        (Some(coerce::object(&api.spec, schema, &pairs)), None)
    } else if essence == "multipart/form-data" {
        // Boxed: the multipart reader would make every request's future larger.
        let form = Box::pin(multipart(api, schema, headers, bytes.clone())).await?;
        let mut check_value = form.fields.clone();
        for file in &form.files {
            check_value
                .entry(file.name.clone())
                .or_insert_with(|| Value::String(file.filename.clone().unwrap_or_default()));
        }
        let fields = Value::Object(form.fields.clone());
        ctx.multipart = Some(form);
        (Some(fields), Some(Value::Object(check_value)))
    } else {
        (None, None)
    };
    if let (Some(checked), Some(validator)) = (to_validate.as_ref().or(value.as_ref()), validator) {
        if let Some(message) = check(validator, "body", &Tree::from_value(checked)) {
            return Err(InvalidParameter::new(message));
        }
    }
    ctx.body = value;
    ctx.raw = bytes;
    Ok(())
}

async fn multipart(api: &LoadedApi, schema: &Value, headers: &HeaderMap, bytes: Bytes) -> Result<Multipart> {
    let malformed = |e: &dyn std::fmt::Display| InvalidParameter::new(format!("body: malformed multipart: {e}"));
    let stream = futures_util::stream::once(async move { Ok::<_, actix_web::error::PayloadError>(bytes) });
    let mut parts = actix_multipart::Multipart::new(headers, stream);
    let mut texts: Vec<(String, String)> = Vec::new();
    let mut files = Vec::new();
    while let Some(field) = parts.next().await {
        let mut field = field.map_err(|e| malformed(&e))?;
        let name = field.name().unwrap_or_default().to_string();
        let filename = field.content_disposition().and_then(|cd| cd.get_filename()).map(str::to_string);
        let content_type = field.content_type().map(|m| m.to_string());
        let mut content = Vec::new();
        while let Some(chunk) = field.next().await {
            content.extend_from_slice(&chunk.map_err(|e| malformed(&e))?);
        }
        if filename.is_some() {
            files.push(FilePart { name, filename, content_type, bytes: Bytes::from(content) });
        } else {
            texts.push((name, String::from_utf8_lossy(&content).into_owned()));
        }
    }
    let fields = match coerce::object(&api.spec, schema, &texts) {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    Ok(Multipart { fields, files })
}
