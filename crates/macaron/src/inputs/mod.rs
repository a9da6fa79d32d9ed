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
//!
//! The room's files: `media` (which declared media type a request's
//! content type is, or a 415), `params` (parameters by their style),
//! `coerce` (text to the schema's types), `multipart` (forms with files);
//! this file runs them in order for one request.

use std::borrow::Cow;

use actix_web::http::header::HeaderMap;
use actix_web::web::Bytes;
use bytestring::ByteString;
use macaron_spec::ParamLocation;
use serde_json::Value;

use crate::error::codes::InvalidParameter;
use crate::error::Result;
use crate::handler::{Body, Context};
use crate::schema::{check, LoadedApi};
use crate::service::Op;
use macaron_tape::Tree;

mod coerce;
mod media;
mod multipart;
mod params;

pub(crate) use media::{essence, is_json, media_type};
use params::location_name;
pub(crate) use params::{cookie_pairs, raw_query_pairs, RawInputs};

/// The type a parameter's text is read as: its schema's first non-null
/// `type` (worked out once per operation, not per request).
pub(crate) fn param_kind(api: &macaron_spec::Api, param: &macaron_spec::Parameter) -> Option<String> {
    coerce::primary_type(api, &param.schema).map(str::to_string)
}

/// Validates the parameters into the context's maps.
pub(crate) fn parameters(api: &LoadedApi, op: &Op, raw: &RawInputs, ctx: &mut Context) -> Result<()> {
    for (param, plan) in op.spec.parameters.iter().zip(&op.params) {
        // Named only in an error: not formatted for the inputs that pass.
        let what = || format!("{} parameter '{}'", location_name(param.location), param.name);
        let Some(value) = params::extract_as(&api.spec, param, plan.kind.as_deref(), raw) else {
            if param.required {
                return Err(InvalidParameter::new(format!("{} is required", what())));
            }
            continue;
        };
        if let Some(validator) = api.validators.get(plan.schema) {
            // Checked unnamed (`check` puts the name first, then ": ..." or
            // " /pointer: ..."), and named only when refused.
            if let Some(message) = check(validator, "", &Tree::from_value(&value)) {
                return Err(InvalidParameter::new(format!("{}{message}", what())));
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
        if cfg!(feature = "json-values") {
            // The tape's baseline, for docs/performance.md: a Value, checked and deserialised from.
            let value: Value = serde_json::from_slice(&bytes).map_err(|e| malformed(&e))?;
            if let Some(message) = validator.and_then(|v| check(v, "body", &Tree::from_value(&value))) {
                return Err(InvalidParameter::new(message));
            }
            ctx.body = Body::Value { value, raw: bytes };
            return Ok(());
        }
        let text = ByteString::try_from(bytes.clone()).map_err(|e| malformed(&e))?;
        let tape = macaron_tape::read(&text).map_err(|e| malformed(&e))?;
        if let Some(message) = validator.and_then(|v| check(v, "body", &Tree::on(&text, &tape))) {
            return Err(InvalidParameter::new(message));
        }
        ctx.body = Body::Json { text, tape };
        return Ok(());
    }
    // The value the handler gets, and the value checked when it differs
    // (a multipart form is checked with its file names in place).
    let checked = |value: &Value| match validator.and_then(|v| check(v, "body", &Tree::from_value(value))) {
        Some(message) => Err(InvalidParameter::new(message)),
        None => Ok(()),
    };
    ctx.body = if essence == "application/x-www-form-urlencoded" {
        let pairs = params::query_pairs(&String::from_utf8_lossy(&bytes));
        let value = coerce::object(&api.spec, schema, &pairs);
        checked(&value)?;
        Body::Value { value, raw: bytes }
    } else if essence == "multipart/form-data" {
        // Boxed: the multipart reader would make every request's future larger.
        let form = Box::pin(multipart::read(api, schema, headers, bytes.clone())).await?;
        // Checked with each file's name in place of the file.
        let mut check_value = form.fields.clone();
        for file in &form.files {
            check_value
                .entry(file.name.clone())
                .or_insert_with(|| Value::String(file.filename.clone().unwrap_or_default()));
        }
        checked(&Value::Object(check_value))?;
        Body::Multipart { form, raw: bytes }
    } else {
        Body::Raw(bytes)
    };
    Ok(())
}
