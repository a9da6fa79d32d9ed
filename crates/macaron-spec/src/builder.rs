//! The state of one model build, shared by the 3.x walk and the Swagger 2.0
//! translations.
//!
//! Building the model walks the document (`loader`) and, for a 2.0
//! document, translates the objects that have no 3.x twin (`swagger2`).
//! Both resolve references, normalise schemas and record problems in the
//! same place: the [`Builder`] held here, below both. The walk calls the
//! translations and the translations call back only into this state, never
//! into the walk, so the three modules form a chain (`loader` → `swagger2`
//! → `builder`), not a circle. The readers both sides need (a string field,
//! a server URL's path, an `apiKey` scheme) sit here too; the walk's own
//! methods on [`Builder`] are in `loader`.

use std::collections::HashSet;

use indexmap::IndexMap;
use serde_json::Value;

use crate::docs::{Docs, Loc};
use crate::error::Diagnostic;
use crate::model::{ParamLocation, SecurityRequirement, SecurityScheme, Server, SpecVersion};
use crate::schema::Schemas;

/// What one build has read so far, and the problems it met.
pub(crate) struct Builder<'d> {
    /// The document set being read.
    pub docs: &'d Docs,
    /// Its version.
    pub version: SpecVersion,
    /// The schema normaliser, which collects components as they are met.
    pub schemas: Schemas<'d>,
    /// Problems found so far (a build reports them all at the end).
    pub errors: Vec<Diagnostic>,
    /// Read leniently: defects are warnings, with what was assumed.
    pub lenient: bool,
    /// The defects accepted so far (lenient reading only).
    pub warnings: Vec<Diagnostic>,
    /// Broken references already reported where they were used (file, pointer).
    pub reported: HashSet<(String, String)>,
    /// The document's security schemes, by name.
    pub schemes: IndexMap<String, SecurityScheme>,
    /// The document's default security requirements.
    pub security: Vec<SecurityRequirement>,
    /// The document's servers.
    pub servers: Vec<Server>,
}

impl<'d> Builder<'d> {
    /// A build of `docs`, read as `version`, with nothing read yet.
    pub fn new(docs: &'d Docs, version: SpecVersion, lenient: bool) -> Self {
        Builder {
            docs,
            version,
            schemas: Schemas::new(docs, version),
            errors: Vec::new(),
            lenient,
            warnings: Vec::new(),
            reported: HashSet::new(),
            schemes: IndexMap::new(),
            security: Vec::new(),
            servers: Vec::new(),
        }
    }

    /// Records a defect at `loc`: an error when reading strictly; when
    /// reading leniently, a warning saying what was `assumed` in its place.
    pub fn defect(&mut self, loc: &Loc, message: impl Into<String>, assumed: impl Into<String>) {
        let d = self.docs.diag(loc, message);
        self.record(d, assumed.into());
    }

    /// Records a diagnostic as a defect (see [`Builder::defect`]).
    pub fn record(&mut self, mut d: Diagnostic, assumed: String) {
        self.reported.insert((d.file.clone(), d.pointer.clone()));
        if self.lenient {
            d.assumed = Some(assumed);
            self.warnings.push(d);
        } else {
            self.errors.push(d);
        }
    }

    /// Follows references from `loc`; when that fails, records the defect
    /// (with what is `assumed` instead) and gives `None`.
    pub fn follow(&mut self, loc: &Loc, assumed: &str) -> Option<(&'d Value, Loc)> {
        match self.docs.follow(loc) {
            Ok(found) => Some(found),
            Err(d) => {
                self.record(d, assumed.to_string());
                None
            }
        }
    }

    /// An `apiKey` security scheme (the same object in 2.0 and 3.x).
    pub fn api_key(&mut self, scheme: &Value, loc: &Loc) -> Option<SecurityScheme> {
        let location = match scheme.get("in").and_then(Value::as_str) {
            Some("header") => ParamLocation::Header,
            Some("query") => ParamLocation::Query,
            Some("cookie") => ParamLocation::Cookie,
            other => {
                self.defect(
                    &loc.key("in"),
                    format!("apiKey `in` must be header, query or cookie, found {other:?}"),
                    IGNORED_SCHEME,
                );
                return None;
            }
        };
        let Some(name) = str_of(scheme, "name") else {
            self.defect(loc, "apiKey security scheme without `name`", IGNORED_SCHEME);
            return None;
        };
        Some(SecurityScheme::ApiKey { name, location })
    }
}

/// What a lenient reading assumes of a security scheme it cannot read.
pub(crate) const IGNORED_SCHEME: &str = "the scheme is ignored (operations requiring it send no credentials for it)";

/// The string at `key` of an object, if it is one.
pub(crate) fn str_of(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(String::from)
}

/// The path part of a server URL, without a trailing `/`.
pub(crate) fn prefix_of(url: &str) -> String {
    let path = match url.find("://") {
        Some(i) => url[i + 3..].find('/').map(|j| &url[i + 3 + j..]).unwrap_or(""),
        None if url.starts_with("//") => url[2..].find('/').map(|j| &url[2 + j..]).unwrap_or(""),
        None => url.trim_start_matches('.'),
    };
    let path = path.split(['?', '#']).next().unwrap_or("");
    let path = path.trim_end_matches('/');
    if path.is_empty() || path.starts_with('/') {
        path.to_string()
    } else {
        format!("/{path}")
    }
}

#[cfg(test)]
mod tests {
    use super::prefix_of;

    #[test]
    fn prefixes() {
        assert_eq!(prefix_of("https://api.example.com/v1/"), "/v1");
        assert_eq!(prefix_of("https://api.example.com"), "");
        assert_eq!(prefix_of("/api"), "/api");
        assert_eq!(prefix_of("v2"), "/v2");
        assert_eq!(prefix_of("//host/base?x"), "/base");
    }
}
