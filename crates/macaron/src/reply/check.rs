//! Checking a reply against the operation's declared responses.
//!
//! A handler that returns a status its spec does not declare, or a body
//! that does not match the declared schema, breaks the contract callers
//! were promised; the caller gets a 500 `BAD_RESPONSE` (and the team a
//! crash report) rather than the broken reply. The declared response is
//! the status's own, else its range (`2XX`), else `default`. JSON the
//! handler's type wrote is checked on the tape recorded while it was
//! written, not parsed again.

use macaron_spec::{Operation, Status};

use super::{Body, Response};
use crate::error::codes::BadResponse;
use crate::error::Result;
use crate::schema::{check, SchemaId, Validator};
use macaron_tape::Tree;

/// The declared response for a status, as index into `op.responses`.
pub(crate) fn response_index(op: &Operation, status: u16) -> Option<usize> {
    let r = &op.responses;
    r.iter()
        .position(|x| x.status == Status::Code(status))
        .or_else(|| r.iter().position(|x| x.status == Status::Range((status / 100) as u8)))
        .or_else(|| r.iter().position(|x| x.status == Status::Default))
}

/// Checks a reply; `schemas` are the validators of `op.responses`' JSON
/// content, in order, as indices into `validators`.
#[inline(never)] // kept whole: bench/items/instructions.py counts it on its own
pub(crate) fn check_reply(
    op: &Operation,
    schemas: &[Option<SchemaId>],
    validators: &[Validator],
    response: &Response,
) -> Result<()> {
    let Some(index) = response_index(op, response.status) else {
        return Err(BadResponse::new(format!(
            "operation {} replied with status {}, which its spec does not declare",
            op.id, response.status
        )));
    };
    let Some(validator) = schemas.get(index).copied().flatten().and_then(|id| validators.get(id)) else {
        return Ok(());
    };
    let tree = match &response.body {
        Body::Json(value) => Tree::from_value(value),
        Body::Encoded { text, tape: Some(tape) } => Tree::on(text, tape),
        Body::Encoded { text, tape: None } => Tree::parse(text).map_err(|e| {
            BadResponse::new(format!("operation {} replied {} with malformed JSON: {e}", op.id, response.status))
        })?,
        Body::Empty | Body::Bytes { .. } => return Ok(()),
    };
    match check(validator, "reply", &tree) {
        Some(message) => Err(BadResponse::new(format!(
            "operation {} replied {} not matching its spec: {message}",
            op.id, response.status
        ))),
        None => Ok(()),
    }
}
