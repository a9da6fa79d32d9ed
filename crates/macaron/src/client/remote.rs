//! What comes back: a success body decoded as the expected type, or the
//! remote service's error as a [`crate::Error`] that keeps its status.

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::codes::{
    BadResponse, Conflict, InvalidParameter, MethodNotAllowed, NotFound, PayloadTooLarge, RequestTimeout, ServerError,
    ServiceUnavailable, UnsupportedMediaType,
};
use crate::error::{Error, ErrorObject};

/// The longest description taken from a remote body that is not JSON.
const MAX_TEXT: usize = 500;

/// Decodes a JSON reply body as `T` (an empty body reads as `null`); a
/// body that does not fit is a 502 `BAD_RESPONSE`.
///
/// ```
/// let n: u32 = macaron::client::decode(b"42").unwrap();
/// assert_eq!(n, 42);
/// let nothing: Option<u32> = macaron::client::decode(b"").unwrap();
/// assert_eq!(nothing, None);
/// let err = macaron::client::decode::<u32>(b"\"x\"").unwrap_err();
/// assert_eq!((err.status, err.code.as_ref()), (502, "BAD_RESPONSE"));
/// ```
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    let bytes: &[u8] = if bytes.is_empty() { b"null" } else { bytes };
    serde_json::from_slice(bytes)
        .map_err(|e| Error::new(502, BadResponse::CODE, format!("the remote reply does not fit: {e}")))
}

/// The code of a status when the remote body names none: the framework's
/// own code for that status where there is one (404 `NOT_FOUND`, 400
/// `INVALID_PARAMETER`, 503 `SERVICE_UNAVAILABLE`...), else the status's
/// reason in capitals (403 `FORBIDDEN`, 429 `TOO_MANY_REQUESTS`), else
/// `HTTP_<status>`.
///
/// ```
/// use macaron::client::code_for_status;
/// assert_eq!(code_for_status(404), "NOT_FOUND");
/// assert_eq!(code_for_status(429), "TOO_MANY_REQUESTS");
/// assert_eq!(code_for_status(502), "BAD_GATEWAY");
/// assert_eq!(code_for_status(599), "HTTP_599");
/// ```
pub fn code_for_status(status: u16) -> String {
    let named = match status {
        400 => Some(InvalidParameter::CODE),
        404 => Some(NotFound::CODE),
        405 => Some(MethodNotAllowed::CODE),
        408 => Some(RequestTimeout::CODE),
        409 => Some(Conflict::CODE),
        413 => Some(PayloadTooLarge::CODE),
        415 => Some(UnsupportedMediaType::CODE),
        500 => Some(ServerError::CODE),
        503 => Some(ServiceUnavailable::CODE),
        _ => None,
    };
    if let Some(code) = named {
        return code.to_string();
    }
    match http::StatusCode::from_u16(status).ok().and_then(|s| s.canonical_reason()) {
        Some(reason) => reason
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '_' })
            .collect::<String>()
            .split('_')
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join("_"),
        None => format!("HTTP_{status}"),
    }
}

/// The message of a JSON error body that is not a Macaron error object:
/// `message`, `error_description`, `detail`, `title` (RFC 9457),
/// `error.message`, `errors[0].message`, `error` as text.
fn message_of(body: &Value) -> Option<String> {
    let text = |v: Option<&Value>| v.and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_string);
    text(body.get("message"))
        .or_else(|| text(body.get("error_description")))
        .or_else(|| text(body.get("detail")))
        .or_else(|| text(body.get("title")))
        .or_else(|| text(body.get("error").and_then(|e| e.get("message"))))
        .or_else(|| text(body.get("errors").and_then(|e| e.get(0)).and_then(|e| e.get("message"))))
        .or_else(|| text(body.get("error")))
}

/// The [`Error`] of a remote error reply, with the reply's own status. A
/// Macaron error object keeps its code, description and user message;
/// any other body (a vendor's `{"message": ".."}`, an RFC 9457 problem,
/// HTML) gets the code of its status ([`code_for_status`]) and its message,
/// or the start of its text, as description.
///
/// ```
/// use macaron::client::remote_error;
/// let e = remote_error(409, br#"{"error": "PET_EXISTS", "error_description": "pet 42", "status": 409}"#);
/// assert_eq!((e.status, e.code.as_ref(), e.error_description.as_str()), (409, "PET_EXISTS", "pet 42"));
///
/// let e = remote_error(403, br#"{"message": "no access to repo x"}"#);
/// assert_eq!((e.status, e.code.as_ref()), (403, "FORBIDDEN"));
/// assert_eq!(e.error_description, "the remote service replied 403: no access to repo x");
///
/// let e = remote_error(502, b"<html><body>Bad Gateway</body></html>");
/// assert_eq!((e.status, e.code.as_ref()), (502, "BAD_GATEWAY"));
/// assert!(e.error_description.contains("<html>"));
/// ```
pub fn remote_error(status: u16, bytes: &[u8]) -> Error {
    if let Ok(object) = serde_json::from_slice::<ErrorObject<'_>>(bytes) {
        if !object.error.is_empty() {
            return object.into_error(status);
        }
    }
    let code = code_for_status(status);
    let message = match serde_json::from_slice::<Value>(bytes) {
        Ok(body) => message_of(&body).unwrap_or_else(|| body.to_string()),
        Err(_) => String::from_utf8_lossy(bytes).trim().to_string(),
    };
    let mut message: String = message.chars().take(MAX_TEXT).collect();
    if message.is_empty() {
        message = "(no body)".into();
    }
    Error::new(status, code, format!("the remote service replied {status}: {message}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vendor_error_bodies_keep_their_status_and_message() {
        let cases: [(u16, &[u8], &str, &str); 7] = [
            (
                422,
                br#"{"type": "about:blank", "title": "Unprocessable", "detail": "name is too long"}"#,
                "UNPROCESSABLE_ENTITY",
                "name is too long",
            ),
            (400, br#"{"error": {"code": 7, "message": "bad cursor"}}"#, "INVALID_PARAMETER", "bad cursor"),
            (401, br#"{"errors": [{"message": "token expired"}]}"#, "UNAUTHORIZED", "token expired"),
            (404, b"", "NOT_FOUND", "(no body)"),
            (500, b"  Internal Server Error\n", "SERVER_ERROR", "Internal Server Error"),
            (418, br#"[1, 2]"#, "I_M_A_TEAPOT", "[1,2]"),
            (504, br#"{"error": "", "status": 504}"#, "GATEWAY_TIMEOUT", r#"{"error":"","status":504}"#),
        ];
        for (status, body, code, message) in cases {
            let e = remote_error(status, body);
            assert_eq!((e.status, e.code.as_ref()), (status, code));
            assert_eq!(e.error_description, format!("the remote service replied {status}: {message}"));
        }
        let long = "x".repeat(2000);
        assert_eq!(remote_error(500, long.as_bytes()).error_description.len(), MAX_TEXT + 32);
    }

    #[test]
    fn a_macaron_error_object_keeps_its_user_message() {
        let e = remote_error(
            404,
            br#"{"error": "PET_NOT_FOUND", "error_description": "no pet 4", "status": 404, "user_message": "No such pet"}"#,
        );
        assert_eq!((e.code.as_ref(), e.user_message.as_deref()), ("PET_NOT_FOUND", Some("No such pet")));
    }
}
