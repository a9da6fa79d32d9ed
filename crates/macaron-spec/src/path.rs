//! Path templates as real documents write them.
//!
//! A template is split into `/`-separated segments, each a sequence of
//! literal text and `{parameter}` parts, so `/Accounts/{Sid}.json` (a
//! parameter and a literal in one segment), `/{deployment.series_name}`
//! (a dotted name) and `/api/v1/` (a trailing slash, kept as a final empty
//! segment) are all represented exactly. A key carrying a query string
//! (`/responses?beta=true`) keeps it apart in [`PathTemplate::query`].

use std::fmt;

use serde::{Serialize, Serializer};

/// One piece of a path segment.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    /// Text matched as is.
    Literal(String),
    /// A path parameter, by name (braces removed).
    Param(String),
}

/// A parsed path template.
///
/// ```
/// use macaron_spec::PathTemplate;
/// let t = PathTemplate::parse("/Accounts/{AccountSid}/Calls/{Sid}.json").unwrap();
/// assert_eq!(t.params(), vec!["AccountSid", "Sid"]);
/// assert_eq!(t.shape(), "/Accounts/{}/Calls/{}.json");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PathTemplate {
    raw: String,
    segments: Vec<Vec<Part>>,
    query: Option<String>,
}

impl PathTemplate {
    /// Parses a template; refuses unbalanced braces and empty names.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let (path, query) = match raw.split_once('?') {
            Some((p, q)) => (p, Some(q.to_string())),
            None => (raw, None),
        };
        if !path.starts_with('/') {
            return Err(format!("path \"{raw}\" must start with '/'"));
        }
        let segments = path[1..].split('/').map(|s| parse_segment(s, raw)).collect::<Result<_, _>>()?;
        Ok(PathTemplate { raw: raw.to_string(), segments, query })
    }

    /// A template that is only literal text (a 3.1 webhook's name).
    pub(crate) fn literal(raw: &str) -> Self {
        let segments = raw.trim_start_matches('/').split('/').map(|s| vec![Part::Literal(s.to_string())]).collect();
        PathTemplate { raw: raw.to_string(), segments, query: None }
    }

    /// The template as written in the document.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// The segments after the leading `/` (a trailing `/` gives an empty last one).
    pub fn segments(&self) -> &[Vec<Part>] {
        &self.segments
    }

    /// A query string written into the path key, if any.
    pub fn query(&self) -> Option<&str> {
        self.query.as_deref()
    }

    /// The parameter names, in order.
    pub fn params(&self) -> Vec<&str> {
        self.segments
            .iter()
            .flatten()
            .filter_map(|p| match p {
                Part::Param(name) => Some(name.as_str()),
                Part::Literal(_) => None,
            })
            .collect()
    }

    /// The template with parameter names erased (`/pets/{}`): two templates
    /// with the same shape match the same requests.
    pub fn shape(&self) -> String {
        let mut out = String::new();
        for segment in &self.segments {
            out.push('/');
            for part in segment {
                match part {
                    Part::Literal(text) => out.push_str(text),
                    Part::Param(_) => out.push_str("{}"),
                }
            }
        }
        out
    }
}

fn parse_segment(segment: &str, raw: &str) -> Result<Vec<Part>, String> {
    let mut parts = Vec::new();
    let mut rest = segment;
    while !rest.is_empty() {
        match rest.find(['{', '}']) {
            None => {
                parts.push(Part::Literal(rest.to_string()));
                break;
            }
            Some(open) if rest.as_bytes()[open] == b'{' => {
                if open > 0 {
                    parts.push(Part::Literal(rest[..open].to_string()));
                }
                let close =
                    rest[open..].find('}').ok_or_else(|| format!("path \"{raw}\": '{{' without a matching '}}'"))?;
                let name = &rest[open + 1..open + close];
                if name.is_empty() || name.contains('{') {
                    return Err(format!("path \"{raw}\": bad parameter name \"{{{name}}}\""));
                }
                if matches!(parts.last(), Some(Part::Param(_))) {
                    return Err(format!(
                        "path \"{raw}\": two parameters with nothing between them cannot be told apart"
                    ));
                }
                parts.push(Part::Param(name.to_string()));
                rest = &rest[open + close + 1..];
            }
            Some(_) => return Err(format!("path \"{raw}\": '}}' without a matching '{{'")),
        }
    }
    Ok(parts)
}

impl fmt::Display for PathTemplate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

impl Serialize for PathTemplate {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mixed_segments_and_dots() {
        let t = PathTemplate::parse("/series/{deployment.series_name}/{Sid}.json").unwrap();
        assert_eq!(t.params(), vec!["deployment.series_name", "Sid"]);
        assert_eq!(t.segments()[2], vec![Part::Param("Sid".into()), Part::Literal(".json".into())]);
    }

    #[test]
    fn trailing_slash_and_query_are_kept() {
        let t = PathTemplate::parse("/api/v1/").unwrap();
        assert_eq!(t.segments().len(), 3);
        assert_eq!(t.shape(), "/api/v1/");
        let q = PathTemplate::parse("/responses?beta=true").unwrap();
        assert_eq!(q.query(), Some("beta=true"));
        assert_eq!(q.shape(), "/responses");
    }

    #[test]
    fn bad_templates_are_refused() {
        assert!(PathTemplate::parse("/a/{b").is_err());
        assert!(PathTemplate::parse("/a/b}").is_err());
        assert!(PathTemplate::parse("/a/{}").is_err());
        assert!(PathTemplate::parse("/a/{x}{y}").is_err());
        assert!(PathTemplate::parse("a").is_err());
    }
}
