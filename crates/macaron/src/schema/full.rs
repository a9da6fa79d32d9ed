//! The validator of the cargo feature `json-schema`: the `jsonschema`
//! crate, every keyword of JSON Schema 2020-12, on the tape (`TreeJson`).
//!
//! A validator compiles every component its schema reaches, and shares
//! nothing with the others (`jsonschema` compiles each root on its own). In
//! a large spec whose components reach one another, that is most of the
//! document per validator: compiling each of Stripe's 463 different schemas
//! took seconds and a gigabyte. So the start compiles all of an API's
//! schemas once, together (one root, `anyOf` every schema: each component
//! compiled once), which finds every schema that does not compile, and
//! each validator is compiled for itself at its first check.

use std::sync::{Arc, OnceLock};

use jsonschema::{Draft, Registry};
use macaron_tape::{Tree, TreeJson};
use serde_json::{json, Value};

use super::walk::Failure;

/// A schema checking [`Tree`] documents, compiled at its first check.
pub(crate) struct Validator {
    /// The `$ref` of the schema, in its API's resource.
    reference: String,
    resource: Arc<Resource>,
    compiled: OnceLock<Result<jsonschema::Validator<TreeJson>, String>>,
}

/// An API's schemas, registered once for its validators.
struct Resource {
    api: String,
    registry: Registry<'static>,
}

impl Resource {
    fn options(&self) -> jsonschema::ValidationOptions<'_, Arc<dyn jsonschema::Retrieve>, TreeJson> {
        jsonschema::options_for::<TreeJson>()
            .with_draft(Draft::Draft202012)
            .should_validate_formats(true)
            .with_registry(&self.registry)
    }

    fn build(&self, schema: &Value) -> Result<jsonschema::Validator<TreeJson>, String> {
        self.options().build(schema).map_err(|e| format!("{}: cannot compile a schema: {e}", self.api))
    }
}

/// Registers `resource` (every schema of `api`) under `uri` and compiles
/// every schema `pointers` names, together; one validator per pointer.
pub(crate) fn compile(api: String, uri: &str, resource: Value, pointers: &[String]) -> Result<Vec<Validator>, String> {
    let registry = Registry::new()
        .draft(Draft::Draft202012)
        .add(uri, resource)
        .and_then(|b| b.prepare())
        .map_err(|e| format!("{api}: cannot register schemas: {e}"))?;
    let resource = Arc::new(Resource { api, registry });
    let references: Vec<String> = pointers.iter().map(|p| format!("{uri}#{p}")).collect();
    // Every schema, in one root: a schema that does not compile stops
    // the start, and each component is compiled once here.
    if !references.is_empty() {
        let every: Vec<Value> = references.iter().map(|r| json!({ "$ref": r })).collect();
        resource.build(&json!({ "anyOf": every }))?;
    }
    Ok(references
        .into_iter()
        .map(|reference| Validator { reference, resource: resource.clone(), compiled: OnceLock::new() })
        .collect())
}

impl Validator {
    /// The first failure of `value`, if any.
    pub(crate) fn first_failure(&self, value: &Tree) -> Option<Failure> {
        let validator = match self.compiled() {
            Ok(v) => v,
            Err(e) => {
                return Some(Failure { pointer: String::new(), message: format!("the schema does not compile: {e}") })
            }
        };
        // `is_valid` first: it stops at the first failure and builds no error,
        // cheaper than `validate` when the value is valid, the common case.
        if validator.is_valid(value.root()) {
            return None;
        }
        let error = validator.validate(value.root()).err()?;
        Some(Failure { pointer: error.instance_path().to_string(), message: error.to_string() })
    }

    /// The compiled validator; compiled now at the first call. The start
    /// compiled the same schemas (`compile`), so this does not fail unless
    /// `jsonschema` does something else the second time.
    fn compiled(&self) -> Result<&jsonschema::Validator<TreeJson>, &str> {
        self.compiled
            .get_or_init(|| self.resource.build(&json!({ "$ref": self.reference })))
            .as_ref()
            .map_err(String::as_str)
    }
}
