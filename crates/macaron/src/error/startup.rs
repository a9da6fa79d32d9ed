//! Why a service cannot start: every problem, each with where it is.
//!
//! A service refused at startup is fixed by its author, in a file; one
//! joined sentence would make them hunt for the place, and stopping at the
//! first problem would make them restart once per problem. So the builder
//! collects a [`Problem`] per inconsistency (file, line, JSON pointer,
//! operation, what is wrong) into one [`StartupError`], which prints as a
//! list and converts into the service's [`Error`](crate::Error) (code
//! `STARTUP_ERROR`) for `letsgo`'s `start` function, keeping the list as
//! its cause.

use std::fmt;

/// One reason a service cannot start.
///
/// ```
/// let p = macaron::Problem::new("operation 'getPet' has no handler").file("pets.yaml").operation("getPet");
/// assert_eq!(p.to_string(), "operation 'getPet' has no handler");
/// assert_eq!(p.operation.as_deref(), Some("getPet"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file the problem is in (a spec, the configuration), when known.
    pub file: Option<String>,
    /// The 1-based line in that file, when known.
    pub line: Option<usize>,
    /// The JSON pointer of the offending node, as `#/paths/~1pets/get`.
    pub pointer: Option<String>,
    /// The operation concerned, by `operationId`.
    pub operation: Option<String>,
    /// What is wrong, and how to fix it.
    pub message: String,
}

impl Problem {
    /// A problem with only its message.
    pub fn new(message: impl Into<String>) -> Self {
        Problem { file: None, line: None, pointer: None, operation: None, message: message.into() }
    }

    /// Sets the file.
    pub fn file(mut self, file: impl Into<String>) -> Self {
        self.file = Some(file.into());
        self
    }

    /// Sets the JSON pointer.
    pub fn pointer(mut self, pointer: impl Into<String>) -> Self {
        self.pointer = Some(pointer.into());
        self
    }

    /// Sets the line.
    pub fn line(mut self, line: Option<usize>) -> Self {
        self.line = line;
        self
    }

    /// Sets the operation.
    pub fn operation(mut self, id: impl Into<String>) -> Self {
        self.operation = Some(id.into());
        self
    }
}

impl From<&macaron_spec::Diagnostic> for Problem {
    fn from(d: &macaron_spec::Diagnostic) -> Self {
        Problem {
            file: Some(d.file.clone()),
            line: d.line,
            pointer: Some(d.pointer.clone()),
            operation: None,
            message: d.message.clone(),
        }
    }
}

/// A spec's diagnostics print as `file:line: pointer: message`; a problem
/// of an operation as `file:line: message` (its message names the
/// operation); any other problem as its message.
impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.file, self.line, &self.pointer, &self.operation) {
            (Some(file), Some(line), _, Some(_)) => write!(f, "{file}:{line}: {}", self.message),
            (Some(file), Some(line), Some(pointer), None) => write!(f, "{file}:{line}: {pointer}: {}", self.message),
            (Some(file), None, Some(pointer), None) => write!(f, "{file}: {pointer}: {}", self.message),
            _ => f.write_str(&self.message),
        }
    }
}

/// Every problem that stops a service from starting (never empty).
///
/// ```
/// let spec = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get: {operationId: a, responses: {'200': {description: ok}}}\n";
/// let err = macaron::Api::builder().api_source("t.yaml", spec).try_build().unwrap_err();
/// assert_eq!(err.problems[0].operation.as_deref(), Some("a"));
/// assert_eq!(err.problems[0].file.as_deref(), Some("t.yaml"));
/// assert!(err.to_string().contains("operation 'a' (GET /a in t.yaml) has no handler"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartupError {
    /// The problems, in the order they were found.
    pub problems: Vec<Problem>,
}

impl StartupError {
    /// One problem.
    pub fn one(problem: Problem) -> Self {
        StartupError { problems: vec![problem] }
    }
}

impl fmt::Display for StartupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("cannot build the service:")?;
        for problem in &self.problems {
            write!(f, "\n  - {problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for StartupError {}

/// Problems found so far; the builder's steps add to it and go on.
#[derive(Debug, Default)]
pub(crate) struct Problems(Vec<Problem>);

impl Problems {
    /// Records a problem.
    pub fn push(&mut self, problem: Problem) {
        self.0.push(problem);
    }

    /// Records a problem that is only a message.
    pub fn say(&mut self, message: impl Into<String>) {
        self.0.push(Problem::new(message));
    }

    /// True when nothing is wrong so far.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok` when nothing was found, else every problem.
    pub fn into_result(self) -> Result<(), StartupError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(StartupError { problems: self.0 })
        }
    }
}
