//! Errors of the loader.
//!
//! A bad document must be fixable from the message alone, so every problem is
//! a [`Diagnostic`] that names the file, the JSON pointer of the offending
//! node and, where it can be found, the line. The loader collects every
//! problem it meets rather than stopping at the first, and returns them
//! together in one [`Error`]: a user fixing a document sees the whole list.

use std::fmt;

/// One problem found in a document.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    /// The file (or the name given to bytes) where the problem is.
    pub file: String,
    /// JSON pointer of the offending node, as `#/paths/~1pets/get`.
    pub pointer: String,
    /// 1-based line of the node, when it could be located.
    pub line: Option<usize>,
    /// What is wrong, and how to fix it where that is not obvious.
    pub message: String,
    /// For a defect read leniently (a warning): what the loader assumed in
    /// its place (`an unconstrained value`, `renamed listPets_2`).
    pub assumed: Option<String>,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}: {}", self.file, line, self.pointer, self.message)?,
            None => write!(f, "{}: {}: {}", self.file, self.pointer, self.message)?,
        }
        match &self.assumed {
            Some(assumed) => write!(f, "; assumed: {assumed}"),
            None => Ok(()),
        }
    }
}

/// Every problem that stopped a document from loading.
///
/// ```
/// let err = macaron_spec::load_bytes("bad.yaml", b"openapi: 9.0.0\n").unwrap_err();
/// assert!(err.to_string().starts_with("bad.yaml:1: #/openapi: unsupported"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// The problems, in document order where that is known; never empty.
    pub diagnostics: Vec<Diagnostic>,
}

impl Error {
    pub(crate) fn one(diagnostic: Diagnostic) -> Self {
        Error { diagnostics: vec![diagnostic] }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.diagnostics.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// A `Result` whose error is the loader's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
