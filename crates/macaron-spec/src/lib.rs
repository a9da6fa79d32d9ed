//! # macaron-spec
//!
//! Reads an OpenAPI document (3.0, 3.1 or Swagger 2.0; YAML or JSON; one
//! file or several joined by `$ref`) and gives one resolved model, the
//! [`Api`], which both the runtime (routing, validation) and the code
//! generator use: nothing else in Macaron parses a spec.
//!
//! The loader works on the document's JSON tree, not on a typed parse of one
//! version, because the typed parsers each lose something (`openapiv3` reads
//! only 3.0; `oas3` reads 3.1 but drops 3.0's `nullable`). Reading the tree
//! keeps every keyword and every `x-` extension, and lets one builder serve
//! the three versions. A bad document gives an [`Error`] listing every
//! problem, each with file, JSON pointer and line.
//!
//! The modules follow the stages a document goes through; each imports
//! only modules of earlier stages or the vocabulary below them:
//!
//! 1. `source`: text to a JSON tree (the only module that knows YAML);
//! 2. `docs`: the set of files joined by `$ref`, read and checked up front
//!    (`locate` finds a pointer's line for messages);
//! 3. `schema`: every schema as JSON Schema 2020-12, references rewritten
//!    to components;
//! 4. `builder`: the state of one build; `swagger2` translates 2.0 objects
//!    into it; `loader` walks the document and makes the [`Api`];
//! 5. the vocabulary every stage may use: `model` (what is built), `path`
//!    (path templates), `extensions` (`x-` keys), `error` (diagnostics),
//!    `pointer` (JSON-pointer escaping).
//!
//! ```
//! let yaml = br##"
//! openapi: 3.0.3
//! info: {title: Pets, version: "1.0"}
//! servers: [{url: "https://pets.example.com/v1"}]
//! paths:
//!   /pets/{petId}:
//!     get:
//!       operationId: getPet
//!       parameters:
//!         - {name: petId, in: path, required: true, schema: {type: integer, format: int64}}
//!       responses:
//!         "200":
//!           description: a pet
//!           content:
//!             application/json: {schema: {$ref: "#/components/schemas/Pet"}}
//! components:
//!   schemas:
//!     Pet:
//!       type: object
//!       properties: {name: {type: string, nullable: true}}
//! "##;
//! let api = macaron_spec::load_bytes("pets.yaml", yaml).unwrap();
//! let op = api.operation("getPet").unwrap();
//! assert_eq!(op.full_path(), "/v1/pets/{petId}");
//! assert_eq!(op.parameters[0].schema["format"], "int64");
//! let body = op.response(200).unwrap().content["application/json"].schema.as_ref().unwrap();
//! assert_eq!(macaron_spec::Api::ref_name(body), Some("Pet"));
//! assert_eq!(api.schemas["Pet"]["properties"]["name"]["type"], serde_json::json!(["string", "null"]));
//! ```

mod builder;
mod docs;
mod error;
mod extensions;
mod loader;
mod locate;
mod model;
mod options;
mod path;
mod pointer;
pub mod schema;
mod source;
mod swagger2;

use std::path::{Path, PathBuf};

pub use error::{Diagnostic, Error, Result};
pub use extensions::{x_mandatory, x_nullable, x_parent, x_persist, Extensions, Persist};
pub use locate::line_of;
pub use model::{
    Api, Header, Info, MediaType, Method, Operation, ParamLocation, ParamStyle, Parameter, RequestBody, Response,
    SecurityRequirement, SecurityScheme, Server, SpecVersion, Status,
};
pub use options::Options;
pub use path::{Part, PathTemplate};

/// Loads a document from a file, strictly (every defect is an error; see
/// [`Options`] for the lenient reading); `$ref`s to other files are read
/// relative to it.
///
/// ```
/// let err = macaron_spec::load("no/such/file.yaml").unwrap_err();
/// assert!(err.to_string().starts_with("no/such/file.yaml: #: cannot read"));
/// ```
pub fn load(path: impl AsRef<Path>) -> Result<Api> {
    Options::strict().load(path)
}

/// Loads a document from bytes, strictly; `name` appears in messages (and
/// gives the API its short name). References to other files are refused,
/// as there is no folder to read them from: use [`load_bytes_in`] for that.
pub fn load_bytes(name: &str, bytes: &[u8]) -> Result<Api> {
    Options::strict().load_bytes(name, bytes)
}

/// Loads a document from bytes, strictly, reading `$ref`ed files relative to `dir`.
pub fn load_bytes_in(name: &str, bytes: &[u8], dir: impl AsRef<Path>) -> Result<Api> {
    Options::strict().load_bytes_in(name, bytes, dir)
}

fn read_file(path: &Path) -> Result<(String, Option<PathBuf>, String)> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::one(Diagnostic {
            file: name.clone(),
            pointer: "#".into(),
            line: None,
            message: format!("cannot read: {e}"),
            assumed: None,
        })
    })?;
    let dir = path.parent().map(|p| if p.as_os_str().is_empty() { PathBuf::from(".") } else { p.to_path_buf() });
    Ok((name, dir, text))
}

fn text_of(name: &str, bytes: &[u8]) -> Result<String> {
    String::from_utf8(bytes.to_vec()).map_err(|e| {
        Error::one(Diagnostic {
            file: name.into(),
            pointer: "#".into(),
            line: None,
            message: format!("not UTF-8 text: {e}"),
            assumed: None,
        })
    })
}

fn build(name: &str, dir: Option<PathBuf>, text: String, options: &Options) -> Result<Api> {
    let docs = docs::Docs::load(name, dir, text).map_err(|diagnostics| Error { diagnostics })?;
    let short =
        Path::new(name).file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| name.to_string());
    loader::build(&docs, short, name.to_string(), options)
}
