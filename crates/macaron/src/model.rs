//! What generated code needs from the runtime: the [`Model`] trait of API
//! objects, the crates generated code names (`macaron::serde`, ...), and
//! [`include_apis!`](crate::include_apis).
//!
//! Generated code names its dependencies through this crate, so a service
//! depends on `macaron` (and `macaron-build` to build) and nothing else.

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::error::{codes::InvalidParameter, Error};

/// An API object: a type generated from a schema of the spec.
///
/// ```
/// #[derive(Debug, serde::Serialize, serde::Deserialize)]
/// struct Pet { name: String, tag: Option<String> }
/// impl macaron::Model for Pet { const MODEL_NAME: &'static str = "Pet"; }
///
/// use macaron::Model;
/// let pet = Pet::from_json(serde_json::json!({"name": "Rex"})).unwrap();
/// assert_eq!(pet.to_json(), serde_json::json!({"name": "Rex", "tag": null}));
/// assert_eq!(Pet::from_json(serde_json::json!({})).unwrap_err().status, 400);
/// ```
pub trait Model: Serialize + DeserializeOwned {
    /// The schema's name in the spec.
    const MODEL_NAME: &'static str;

    /// The object as JSON (unset optional fields are left out, as the
    /// generated types say).
    fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// An object from JSON; a mismatch is a 400 `INVALID_PARAMETER` naming the model.
    fn from_json(value: Value) -> Result<Self, Error> {
        serde_json::from_value(value).map_err(|e| InvalidParameter::new(format!("{}: {e}", Self::MODEL_NAME)))
    }
}

/// Includes the code `macaron_build::generate("apis")` wrote in `build.rs`:
/// a module `apis` with one module per spec (its types and `bind`), and
/// `apis::all()` for [`crate::ApiBuilder::apis`].
#[macro_export]
macro_rules! include_apis {
    () => {
        include!(concat!(env!("OUT_DIR"), "/macaron_apis.rs"));
    };
}
