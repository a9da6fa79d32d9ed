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
//! ranked by specificity: segment by segment from the left, an all-literal
//! segment beats a mixed one (`{Sid}.json`), which beats a bare parameter.
//! Of the routes a request's path matches, the first in that order with the
//! request's method wins. Captured values stay percent-encoded here and are
//! decoded by the inputs room, after splitting by style. The built-in
//! endpoints' routes are `builtin`'s.
//!
//! A request is not matched against every route: a spec of hundreds of
//! operations would make every request pay for all of them (Stripe's 468
//! cost about 45,000 instructions a request that way). Routes are indexed
//! by segment count and, within a count, by which segments are all literal
//! text (the route's mask); one hash of the request's segments at those
//! places gives, for each mask, the few routes that can match, which are
//! then matched as before. A path with a `%` escape, which a literal segment
//! may match once decoded, or with more than [`MAX_INDEXED`] segments, is
//! matched against every route in order instead.

use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::OnceLock;

use macaron_spec::Part;
use percent_encoding::percent_decode_str;

mod builtin;

pub(crate) use builtin::{add_builtins, builtin_paths, Builtin};

/// The most segments a path may have to be found through the index; longer
/// paths are matched against every route (no spec route is that long).
const MAX_INDEXED: usize = 16;

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

/// A template's shape: its literal text, `None` for each parameter.
type Shape = Vec<Vec<Option<String>>>;

/// Captured path parameters, raw: `(name, value)`.
type Params = Vec<(String, String)>;

/// Routes of a service.
#[derive(Default)]
pub(crate) struct Router {
    /// In the order they were added.
    routes: Vec<Route>,
    /// Each route by its shape, for `add` and `has`.
    shapes: foldhash::HashMap<Shape, usize>,
    /// Built at the first request, once every route is added (not again at
    /// each `add`). Hashed with foldhash rather than std's SipHash: the
    /// routes are fixed at startup, so chosen paths cannot flood the tables,
    /// and the DoS-resistant hash buys nothing on lookups made for every
    /// request.
    index: OnceLock<Index>,
}

/// The routes ordered and indexed for `find`.
struct Index {
    /// Indices into `Router::routes`, most specific first (by rank, then
    /// in the order added). Positions in this list are what the tables hold.
    order: Vec<usize>,
    /// The routes without parameters, by path: most requests are for one
    /// (built-ins included), and one lookup finds it. Such a route comes
    /// first among the routes a path matches.
    literal: foldhash::HashMap<String, usize>,
    /// For each segment count, one table per mask among the routes of that
    /// count.
    by_count: Vec<Vec<Table>>,
    /// Hashes the segments of a mask, for the tables' keys.
    hasher: foldhash::fast::RandomState,
}

/// The routes of one segment count and one mask.
struct Table {
    /// The segments that are all literal in these routes, ascending.
    mask: Vec<usize>,
    /// The hash of the routes' text at those segments: their positions in
    /// `Index::order`, ascending. Two texts of one hash only make a route
    /// a candidate it is not; matching it rules it out.
    routes: foldhash::HashMap<u64, Vec<usize>>,
}

fn shape(segments: &[Vec<Part>]) -> Shape {
    segments
        .iter()
        .map(|s| {
            s.iter()
                .map(|p| match p {
                    Part::Literal(l) => Some(l.clone()),
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

impl Index {
    fn new(routes: &[Route]) -> Index {
        let mut order: Vec<usize> = (0..routes.len()).collect();
        // Stable: routes of one rank stay in the order they were added.
        order.sort_by(|&a, &b| routes[b].rank.cmp(&routes[a].rank));
        let hasher = foldhash::fast::RandomState::default();
        let mut literal = foldhash::HashMap::default();
        let mut by_count: Vec<Vec<Table>> = Vec::new();
        for (position, route) in order.iter().map(|&i| &routes[i]).enumerate() {
            if route.rank.iter().all(|&rank| rank == 2) {
                literal.entry(render(&route.segments)).or_insert(position);
            }
            let count = route.segments.len();
            if by_count.len() <= count {
                by_count.resize_with(count + 1, Vec::new);
            }
            let mask: Vec<usize> = (0..count).filter(|&i| route.rank[i] == 2).collect();
            let texts: Vec<String> = mask
                .iter()
                .map(|&i| {
                    route.segments[i]
                        .iter()
                        .map(|p| match p {
                            Part::Literal(l) => l.as_str(),
                            Part::Param(_) => "",
                        })
                        .collect()
                })
                .collect();
            let key = key(&hasher, texts.iter().map(String::as_str));
            let tables = &mut by_count[count];
            let table = match tables.iter().position(|t| t.mask == mask) {
                Some(t) => &mut tables[t],
                None => {
                    tables.push(Table { mask, routes: foldhash::HashMap::default() });
                    let last = tables.len() - 1;
                    &mut tables[last]
                }
            };
            table.routes.entry(key).or_default().push(position);
        }
        Index { order, literal, by_count, hasher }
    }
}

/// The key of a mask's texts.
fn key<'a>(hasher: &foldhash::fast::RandomState, texts: impl Iterator<Item = &'a str>) -> u64 {
    let mut state = hasher.build_hasher();
    for text in texts {
        text.hash(&mut state);
    }
    state.finish()
}

impl Router {
    /// Adds a route; fails if the same method is already routed for an
    /// equivalent template.
    pub fn add(&mut self, segments: &[Vec<Part>], method: &str, target: Target) -> Result<(), String> {
        let key = shape(segments);
        if let Some(&i) = self.shapes.get(&key) {
            let route = &mut self.routes[i];
            if route.methods.iter().any(|(m, _)| m == method) {
                return Err(format!("two operations serve {method} {}", render(segments)));
            }
            route.methods.push((method.to_string(), target));
            return Ok(());
        }
        self.shapes.insert(key, self.routes.len());
        self.routes.push(Route {
            segments: segments.to_vec(),
            rank: rank(segments),
            methods: vec![(method.to_string(), target)],
        });
        self.index = OnceLock::new();
        Ok(())
    }

    /// True when a method is routed for an equivalent template.
    pub fn has(&self, segments: &[Vec<Part>], method: &str) -> bool {
        self.shapes.get(&shape(segments)).is_some_and(|&i| self.routes[i].methods.iter().any(|(m, _)| m == method))
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
        let index = self.index.get_or_init(|| Index::new(&self.routes));
        if let Some(route) = index.literal.get(path).map(|&p| &self.routes[index.order[p]]) {
            if let Some(target) = route.target(method) {
                return Match::Route(target, Vec::new());
            }
        }
        let count = rest.bytes().filter(|&b| b == b'/').count() + 1;
        let mut parts = [""; MAX_INDEXED];
        if count > MAX_INDEXED || rest.contains('%') {
            return self.scan(index, method, rest, count);
        }
        for (slot, part) in parts.iter_mut().zip(rest.split('/')) {
            *slot = part;
        }
        let parts = &parts[..count];
        // The first route (by position) with the method, and the methods of
        // every route the path matches, for a 405.
        let mut best: Option<(usize, Target, Params)> = None;
        let mut allowed: Vec<String> = Vec::new();
        for table in index.by_count.get(count).map_or(&[][..], Vec::as_slice) {
            let key = key(&index.hasher, table.mask.iter().map(|&i| parts[i]));
            for &position in table.routes.get(&key).map_or(&[][..], Vec::as_slice) {
                if best.as_ref().is_some_and(|(p, _, _)| *p < position) {
                    break;
                }
                let route = &self.routes[index.order[position]];
                let Some(params) = match_route(&route.segments, parts.iter().copied()) else { continue };
                match route.target(method) {
                    Some(target) => {
                        best = Some((position, target, params));
                        break;
                    }
                    None => allowed.extend(route.methods.iter().map(|(m, _)| m.clone())),
                }
            }
        }
        match best {
            Some((_, target, params)) => Match::Route(target, params),
            None => not_routed(allowed),
        }
    }

    /// [`find`](Self::find) by matching the path against every route, in order.
    fn scan(&self, index: &Index, method: &str, rest: &str, count: usize) -> Match {
        let mut allowed: Vec<String> = Vec::new();
        for route in index.order.iter().map(|&i| &self.routes[i]) {
            if route.segments.len() != count {
                continue;
            }
            let Some(params) = match_route(&route.segments, rest.split('/')) else { continue };
            if let Some(target) = route.target(method) {
                return Match::Route(target, params);
            }
            allowed.extend(route.methods.iter().map(|(m, _)| m.clone()));
        }
        not_routed(allowed)
    }
}

/// No route with the method: a 405 with the methods of the routes the path
/// matches, or a 404.
fn not_routed(mut allowed: Vec<String>) -> Match {
    if allowed.is_empty() {
        Match::NotFound
    } else {
        allowed.sort();
        allowed.dedup();
        Match::MethodNotAllowed(allowed)
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

fn match_route<'a>(segments: &[Vec<Part>], parts: impl Iterator<Item = &'a str>) -> Option<Params> {
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

    /// The index finds what matching every route in order finds.
    #[test]
    fn the_index_finds_what_the_scan_finds() {
        let r = router(&[
            ("GET", "/pets/{id}"),
            ("GET", "/pets/mine"),
            ("DELETE", "/pets/{id}"),
            ("PUT", "/pets/{id}/toys"),
            ("GET", "/{kind}/toys"),
            ("POST", "/{kind}/{id}"),
            ("GET", "/files/{name}.json"),
            ("GET", "/files/{name}n.json"),
            ("PATCH", "/files/{name}.json/x"),
            ("GET", "/files/{name}n.json/{part}"),
            ("GET", "/api/v1/"),
            ("GET", "/api/{version}/"),
            ("GET", "/v1/{x}/y"),
            ("GET", "/v1/a/{y}"),
            ("DELETE", "/v1/a/b"),
            ("GET", "/"),
        ]);
        let paths = [
            "/",
            "/pets",
            "/pets/",
            "/pets/mine",
            "/pets/7",
            "/pets/mine/toys",
            "/cats/toys",
            "/cats/7",
            "/cats/7/x",
            "/files/a.json",
            "/files/an.json",
            "/files/.json",
            "/files/n.json",
            "/files/an.json/x",
            "/files/an.json/y",
            "/files/a.json/x",
            "/api/v1/",
            "/api/v2/",
            "/api/v1",
            "/v1/a/y",
            "/v1/a/b",
            "/v1/b/y",
            "/v1/a/c",
            "//",
            "/x",
        ];
        let index = r.index.get_or_init(|| Index::new(&r.routes));
        for path in paths {
            let rest = &path[1..];
            let count = rest.split('/').count();
            for method in ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"] {
                assert_eq!(r.find(method, path), r.scan(index, method, rest, count), "{method} {path}");
            }
        }
        assert_eq!(
            r.find("GET", "/files/an.json/y"),
            Match::Route(Target::Operation(9), vec![("name".into(), "a".into()), ("part".into(), "y".into())])
        );
        assert_eq!(
            r.find("POST", "/pets/mine"),
            Match::Route(Target::Operation(5), vec![("kind".into(), "pets".into()), ("id".into(), "mine".into())])
        );
        assert_eq!(r.find("GET", "/v1/a/b"), Match::Route(Target::Operation(13), vec![("y".into(), "b".into())]));
        assert_eq!(r.find("PUT", "/v1/a/b"), Match::MethodNotAllowed(vec!["DELETE".into(), "GET".into()]));
    }

    /// Hundreds of routes: each request finds its own.
    #[test]
    fn many_routes() {
        let mut paths = Vec::new();
        for i in 0..200 {
            paths.push(("GET", format!("/v1/things{i}")));
            paths.push(("GET", format!("/v1/things{i}/{{id}}")));
            paths.push(("POST", format!("/v1/things{i}/{{id}}/refunds/{{refund}}")));
        }
        let paths: Vec<(&str, &str)> = paths.iter().map(|(m, p)| (*m, p.as_str())).collect();
        let r = router(&paths);
        assert_eq!(r.find("GET", "/v1/things7"), Match::Route(Target::Operation(21), vec![]));
        assert_eq!(
            r.find("GET", "/v1/things199/cus_1"),
            Match::Route(Target::Operation(598), vec![("id".into(), "cus_1".into())])
        );
        assert_eq!(
            r.find("POST", "/v1/things3/a/refunds/b"),
            Match::Route(Target::Operation(11), vec![("id".into(), "a".into()), ("refund".into(), "b".into())])
        );
        assert_eq!(r.find("DELETE", "/v1/things3/a"), Match::MethodNotAllowed(vec!["GET".into()]));
        assert_eq!(r.find("GET", "/v1/things200/a"), Match::NotFound);
        assert_eq!(r.find("GET", "/v1/things3/a/refunds"), Match::NotFound);
        // Percent escapes and long paths go through the scan, to the same end.
        assert_eq!(
            r.find("GET", "/v1/things%31/a%2Fb"),
            Match::Route(Target::Operation(4), vec![("id".into(), "a%2Fb".into())])
        );
        let long = format!("/v1{}", "/x".repeat(MAX_INDEXED));
        assert_eq!(r.find("GET", &long), Match::NotFound);
        assert!(r.has(PathTemplate::parse("/v1/things3/{other}").unwrap().segments(), "GET"));
        assert!(!r.has(PathTemplate::parse("/v1/things3/{other}").unwrap().segments(), "POST"));
    }

    #[test]
    fn duplicates_are_refused() {
        let mut r = router(&[("GET", "/pets/{id}")]);
        let t = PathTemplate::parse("/pets/{petId}").unwrap();
        assert!(r.add(t.segments(), "GET", Target::Operation(9)).unwrap_err().contains("GET /pets/{petId}"));
    }
}
