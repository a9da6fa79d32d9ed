//! Why code could not be generated.
//!
//! Three sources: the document (it did not load), the file system, and the
//! Rust paths the code names but the generator does not make (the runtime's,
//! `x-bind-server`, `x-decorate-server`, `x-parent`), which are parsed as
//! paths before they become tokens. Code built from tokens cannot be
//! malformed text; [`Error::Syntax`] is left for a token tree the Rust
//! grammar refuses, a bug of the generator.

use std::path::PathBuf;

/// Why code could not be generated.
#[derive(Debug)]
pub enum Error {
    /// A document did not load.
    Spec(macaron_spec::Error),
    /// The folder or the output could not be read or written.
    Io(PathBuf, std::io::Error),
    /// A Rust path the code names is not one Rust accepts (`crate::api::type`).
    Path {
        /// The path as written.
        path: String,
        /// Where it comes from (`x-bind-server of operation listPets in pets.yaml`).
        role: String,
        /// What the parser said.
        reason: String,
    },
    /// The generated code is not valid Rust (a bug of the generator).
    Syntax(String),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Spec(e) => write!(f, "{e}"),
            Error::Io(path, e) => write!(f, "{}: {e}", path.display()),
            Error::Path { path, role, reason } => write!(f, "`{path}` ({role}) is not a Rust path: {reason}"),
            Error::Syntax(e) => write!(f, "macaron-build generated invalid Rust (please report): {e}"),
        }
    }
}

impl std::error::Error for Error {}
