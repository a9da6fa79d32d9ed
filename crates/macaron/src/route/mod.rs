//! Finding the operation a request is for.
//!
//! Real specs have paths actix's router cannot express as they are written:
//! `/Accounts/{Sid}.json` has a parameter and a literal in one segment,
//! `/api/v1/` differs from `/api/v1` by its trailing slash, and `/pets/mine`
//! must win over `/pets/{id}` whatever order the document lists them in.
//! The service must also tell "no such path" (404) from "no such method on
//! this path" (405, with an `Allow` header). So Macaron routes itself, from
//! the spec model's parsed templates, in the one service actix-http calls.
//!
//! Routes are grouped by shape (templates that match the same URLs) and
//! sorted by specificity: segment by segment from the left, an all-literal
//! segment beats a mixed one (`{Sid}.json`), which beats a bare parameter.
//! A request is matched against the routes in that order; the first one
//! with its method wins. Captured values stay percent-encoded here and are
//! decoded by the inputs room, after splitting by style. The built-in
//! endpoints' routes are `builtin`'s.

use std::sync::OnceLock;

use macaron_spec::Part;
use percent_encoding::percent_decode_str;

mod builtin;

pub(crate) use builtin::{add_builtins, builtin_paths, Builtin};

/// What a route leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    /// An operation, by index in the service's operation table.
    Operation(usize),
    /// A built-in endpoint.
    Builtin(Builtin),
}

struct Route {
    segments: Vec<Vec<Part>>,
    rank: Vec<u8>,
    methods: Vec<(String, Target)>,
}

/// The result of routing a request.
#[derive(Debug, PartialEq)]
pub(crate) enum Match {
    /// A route with this method: the target and the raw captured parameters.
    Route(Target, Vec<(String, String)>),
    /// Known path, other methods (sorted, for `Allow`).
    MethodNotAllowed(Vec<String>),
    /// No route matches the path.
    NotFound,
}

/// Routes of a service.
#[derive(Default)]
pub(crate) struct Router {
    routes: Vec<Route>,
    /// The routes without parameters, by path: most requests are for one
    /// (built-ins included), and one lookup finds it. Such a route comes
    /// first in the ranking among the routes a path matches. Built at the
    /// first request, once every route is added (not again at each `add`).
    /// Hashed with foldhash rather than std's SipHash: the table is fixed at
    /// startup, so chosen paths cannot flood it and the DoS-resistant hash
    /// buys nothing on a lookup made for every request.
    literal: OnceLock<foldhash::HashMap<String, usize>>,
}

fn shape(segments: &[Vec<Part>]) -> Vec<Vec<Option<&str>>> {
    segments
        .iter()
        .map(|s| {
            s.iter()
                .map(|p| match p {
                    Part::Literal(l) => Some(l.as_str()),
                    Part::Param(_) => None,
                })
                .collect()
        })
        .collect()
}

fn rank(segments: &[Vec<Part>]) -> Vec<u8> {
    segments
        .iter()
        .map(|s| {
            match (s.iter().all(|p| matches!(p, Part::Literal(_))), s.iter().any(|p| matches!(p, Part::Literal(_)))) {
                (true, _) => 2,
                (false, true) => 1,
                (false, false) => 0,
            }
        })
        .collect()
}

impl Router {
    /// Adds a route; fails if the same method is already routed for an
    /// equivalent template.
    pub fn add(&mut self, segments: &[Vec<Part>], method: &str, target: Target) -> Result<(), String> {
        let key = shape(segments);
        if let Some(route) = self.routes.iter_mut().find(|r| shape(&r.segments) == key) {
            if route.methods.iter().any(|(m, _)| m == method) {
                return Err(format!("two operations serve {method} {}", render(segments)));
            }
            route.methods.push((method.to_string(), target));
            return Ok(());
        }
        self.routes.push(Route {
            segments: segments.to_vec(),
            rank: rank(segments),
            methods: vec![(method.to_string(), target)],
        });
        self.routes.sort_by(|a, b| b.rank.cmp(&a.rank));
        self.literal = OnceLock::new();
        Ok(())
    }

    /// True when a method is routed for an equivalent template.
    pub fn has(&self, segments: &[Vec<Part>], method: &str) -> bool {
        let key = shape(segments);
        self.routes.iter().any(|r| shape(&r.segments) == key && r.methods.iter().any(|(m, _)| m == method))
    }

    /// Every route as `(METHOD, /path/{template}, target)`, for the banner.
    pub fn list(&self) -> Vec<(String, String, Target)> {
        let mut out: Vec<_> = self
            .routes
            .iter()
            .flat_map(|r| r.methods.iter().map(|(m, t)| (m.clone(), render(&r.segments), *t)))
            .collect();
        out.sort_by(|a, b| (&a.1, &a.0).cmp(&(&b.1, &b.0)));
        out
    }

    /// The methods routed for a path, sorted (for `Allow` and CORS).
    pub fn methods(&self, path: &str) -> Vec<String> {
        match self.find("\0", path) {
            Match::MethodNotAllowed(methods) => methods,
            _ => Vec::new(),
        }
    }

    /// Routes a request (the path as sent, without the query string).
    pub fn find(&self, method: &str, path: &str) -> Match {
        let Some(rest) = path.strip_prefix('/') else { return Match::NotFound };
        let literal = self.literal.get_or_init(|| {
            let routes = self.routes.iter().enumerate();
            routes
                .filter(|(_, r)| r.rank.iter().all(|&rank| rank == 2))
                .map(|(i, r)| (render(&r.segments), i))
                .collect()
        });
        if let Some(route) = literal.get(path).map(|&i| &self.routes[i]) {
            if let Some(target) = route.target(method) {
                return Match::Route(target, Vec::new());
            }
        }
        let count = rest.bytes().filter(|&b| b == b'/').count() + 1;
        let mut allowed: Vec<String> = Vec::new();
        for route in &self.routes {
            if route.segments.len() != count {
                continue;
            }
            let Some(params) = match_route(&route.segments, rest.split('/')) else { continue };
            if let Some(target) = route.target(method) {
                return Match::Route(target, params);
            }
            allowed.extend(route.methods.iter().map(|(m, _)| m.clone()));
        }
        if allowed.is_empty() {
            Match::NotFound
        } else {
            allowed.sort();
            allowed.dedup();
            Match::MethodNotAllowed(allowed)
        }
    }
}

impl Route {
    /// The target of a method (`HEAD` falls back on `GET`).
    fn target(&self, method: &str) -> Option<Target> {
        let find = |wanted: &str| self.methods.iter().find(|(m, _)| m == wanted).map(|(_, t)| *t);
        find(method).or_else(|| if method == "HEAD" { find("GET") } else { None })
    }
}

/// A template written back as `/a/{b}.json`.
pub(crate) fn render(segments: &[Vec<Part>]) -> String {
    let mut out = String::new();
    for segment in segments {
        out.push('/');
        for part in segment {
            match part {
                Part::Literal(l) => out.push_str(l),
                Part::Param(p) => {
                    out.push('{');
                    out.push_str(p);
                    out.push('}');
                }
            }
        }
    }
    out
}

fn match_route<'a>(segments: &[Vec<Part>], parts: impl Iterator<Item = &'a str>) -> Option<Vec<(String, String)>> {
    let mut params = Vec::new();
    for (segment, text) in segments.iter().zip(parts) {
        let before = params.len();
        if match_segment(segment, text, &mut params) {
            continue;
        }
        params.truncate(before);
        if text.contains('%') && segment.iter().all(|p| matches!(p, Part::Literal(_))) {
            let decoded = percent_decode_str(text).decode_utf8_lossy();
            if match_segment(segment, &decoded, &mut params) {
                continue;
            }
        }
        return None;
    }
    Some(params)
}

/// Matches one segment, pushing the parameters it captures on `out`; on
/// `false`, `out` may hold some of them (the caller truncates).
fn match_segment(parts: &[Part], text: &str, out: &mut Vec<(String, String)>) -> bool {
    match parts.split_first() {
        None => text.is_empty(),
        Some((Part::Literal(literal), rest)) => {
            text.strip_prefix(literal.as_str()).is_some_and(|text| match_segment(rest, text, out))
        }
        Some((Part::Param(name), rest)) => match rest.first() {
            None if text.is_empty() => false,
            None => {
                out.push((name.clone(), text.to_string()));
                true
            }
            Some(Part::Literal(next)) => {
                let before = out.len();
                for (at, _) in text.rmatch_indices(next.as_str()) {
                    if at == 0 {
                        continue;
                    }
                    out.push((name.clone(), text[..at].to_string()));
                    if match_segment(rest, &text[at..], out) {
                        return true;
                    }
                    out.truncate(before);
                }
                false
            }
            // Two parameters in a row are refused by the spec loader.
            Some(Part::Param(_)) => false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use macaron_spec::PathTemplate;

    fn router(paths: &[(&str, &str)]) -> Router {
        let mut r = Router::default();
        for (i, (method, path)) in paths.iter().enumerate() {
            let t = PathTemplate::parse(path).unwrap();
            r.add(t.segments(), method, Target::Operation(i)).unwrap();
        }
        r
    }

    #[test]
    fn literals_beat_params_whatever_the_order() {
        let r = router(&[("GET", "/pets/{id}"), ("GET", "/pets/mine"), ("DELETE", "/pets/{id}")]);
        assert_eq!(r.find("GET", "/pets/mine"), Match::Route(Target::Operation(1), vec![]));
        assert_eq!(r.find("GET", "/pets/7"), Match::Route(Target::Operation(0), vec![("id".into(), "7".into())]));
        assert_eq!(
            r.find("DELETE", "/pets/mine"),
            Match::Route(Target::Operation(2), vec![("id".into(), "mine".into())])
        );
        assert_eq!(r.find("POST", "/pets/7"), Match::MethodNotAllowed(vec!["DELETE".into(), "GET".into()]));
        assert_eq!(r.find("GET", "/pets/7/"), Match::NotFound);
        assert_eq!(r.find("GET", "/pets"), Match::NotFound);
    }

    #[test]
    fn mixed_segments_and_trailing_slashes() {
        let r = router(&[("GET", "/Calls/{Sid}.json"), ("GET", "/api/v1/"), ("GET", "/a b")]);
        assert_eq!(
            r.find("GET", "/Calls/CA1.x.json"),
            Match::Route(Target::Operation(0), vec![("Sid".into(), "CA1.x".into())])
        );
        assert_eq!(r.find("GET", "/Calls/.json"), Match::NotFound);
        assert_eq!(r.find("GET", "/api/v1/"), Match::Route(Target::Operation(1), vec![]));
        assert_eq!(r.find("GET", "/api/v1"), Match::NotFound);
        assert_eq!(r.find("GET", "/a%20b"), Match::Route(Target::Operation(2), vec![]));
        assert_eq!(r.find("HEAD", "/api/v1/"), Match::Route(Target::Operation(1), vec![]));
    }

    #[test]
    fn duplicates_are_refused() {
        let mut r = router(&[("GET", "/pets/{id}")]);
        let t = PathTemplate::parse("/pets/{petId}").unwrap();
        assert!(r.add(t.segments(), "GET", Target::Operation(9)).unwrap_err().contains("GET /pets/{petId}"));
    }
}
