//! How a document is read: strictly or leniently.
//!
//! Documents have defects their readers cannot fix: a `$ref` to nothing, a
//! security scheme used but never defined, one operationId on two
//! operations. A service's own contract is read strictly (a server must not
//! guess what its contract means): every defect is an error. A vendor's
//! document is read leniently: each defect becomes a warning in
//! [`crate::Api::warnings`] that says where it is, what is wrong and what
//! was assumed in its place, and the document loads.

use std::path::Path;

use crate::{build, read_file, text_of, Api, Result};

/// The reading of a document: [`Options::strict`] (the default) or
/// [`Options::lenient`].
///
/// ```
/// let doc = br##"
/// openapi: 3.0.3
/// info: {title: Vendor, version: "1"}
/// paths:
///   /things:
///     get:
///       operationId: listThings
///       responses:
///         "200":
///           description: ok
///           content:
///             application/json: {schema: {$ref: "#/components/schemas/Missing"}}
/// "##;
/// assert!(macaron_spec::load_bytes("vendor.yaml", doc).is_err());
/// let api = macaron_spec::Options::lenient().load_bytes("vendor.yaml", doc).unwrap();
/// assert_eq!(api.operations.len(), 1);
/// let warning = &api.warnings[0];
/// assert_eq!(warning.line, Some(12));
/// assert!(warning.message.contains("points to nothing"), "{warning}");
/// assert_eq!(warning.assumed.as_deref(), Some("an unconstrained value"));
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Defects are warnings (what was assumed is recorded), not errors.
    pub lenient: bool,
}

impl Options {
    /// Every defect is an error.
    pub fn strict() -> Self {
        Options { lenient: false }
    }

    /// Defects are warnings, in [`Api::warnings`]; only what leaves nothing
    /// to read (text that does not parse, an unknown version) is an error.
    pub fn lenient() -> Self {
        Options { lenient: true }
    }

    /// Loads a document from a file; `$ref`s to other files are read relative to it.
    pub fn load(&self, path: impl AsRef<Path>) -> Result<Api> {
        let (name, dir, text) = read_file(path.as_ref())?;
        build(&name, dir, text, self)
    }

    /// Loads a document from bytes; `name` appears in messages and gives
    /// the API its short name; references to other files are refused.
    pub fn load_bytes(&self, name: &str, bytes: &[u8]) -> Result<Api> {
        build(name, None, text_of(name, bytes)?, self)
    }

    /// Loads a document from bytes, reading `$ref`ed files relative to `dir`.
    pub fn load_bytes_in(&self, name: &str, bytes: &[u8], dir: impl AsRef<Path>) -> Result<Api> {
        build(name, Some(dir.as_ref().to_path_buf()), text_of(name, bytes)?, self)
    }
}
