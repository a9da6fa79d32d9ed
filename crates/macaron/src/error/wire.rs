//! The JSON error object, as it travels: one serde type for every side.
//!
//! The object a service sends (`{error, error_description, status,
//! user_message?, error_id?, trace_id?}`) is read back by clients of other Macaron
//! services and quoted in crash reports. Three hand-written copies of its
//! shape would drift apart (a field added to one, forgotten in another), so
//! all three use [`ErrorObject`]: the HTTP layer serialises it straight to
//! bytes (borrowing the error's text, no `Value` built), clients parse a
//! remote reply into it, crash reports quote it.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::Error;

/// The JSON error object every error reply is.
///
/// ```
/// use macaron::ErrorObject;
/// let e = macaron::Error::new(404, "PET_NOT_FOUND", "no pet 42");
/// let text = serde_json::to_string(&ErrorObject::of(&e)).unwrap();
/// assert_eq!(text, r#"{"error":"PET_NOT_FOUND","error_description":"no pet 42","status":404}"#);
///
/// let back: ErrorObject = serde_json::from_str(&text).unwrap();
/// assert_eq!(back.error, "PET_NOT_FOUND");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorObject<'a> {
    /// The code (`PET_NOT_FOUND`).
    #[serde(borrow)]
    pub error: Cow<'a, str>,
    /// What went wrong, for the developer calling the API.
    #[serde(borrow, default)]
    pub error_description: Cow<'a, str>,
    /// The HTTP status (0 when a remote object leaves it out).
    #[serde(default)]
    pub status: u16,
    /// A message meant for the end user.
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    pub user_message: Option<Cow<'a, str>>,
    /// The id of the crash report of a server error.
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    pub error_id: Option<Cow<'a, str>>,
    /// The trace of a server error (32 hex digits), when traces are on.
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    pub trace_id: Option<Cow<'a, str>>,
}

impl<'a> ErrorObject<'a> {
    /// The object of an error, borrowing its text (no `error_id`).
    pub fn of(error: &'a Error) -> Self {
        ErrorObject {
            error: Cow::Borrowed(&error.code),
            error_description: Cow::Borrowed(&error.error_description),
            status: error.status,
            user_message: error.user_message.as_deref().map(Cow::Borrowed),
            error_id: None,
            trace_id: None,
        }
    }

    /// The same object, with every text passed through `map` (redaction).
    pub(crate) fn map_text(self, map: impl Fn(&str) -> String) -> Self {
        ErrorObject {
            error_description: Cow::Owned(map(&self.error_description)),
            user_message: self.user_message.map(|m| Cow::Owned(map(&m))),
            ..self
        }
    }

    /// The object as an [`Error`] with the given HTTP status (a remote
    /// service's error, as a client returns it).
    pub fn into_error(self, status: u16) -> Error {
        let mut error = Error::new(status, self.error.into_owned(), self.error_description.into_owned());
        if let Some(message) = self.user_message {
            error = error.with_user_message(message.into_owned());
        }
        error
    }
}
