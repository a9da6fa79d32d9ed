//! The built-in endpoints' routes: their paths, names and precedence.
//!
//! Every service answers `/ping`, `/health/live`, `/health/ready`,
//! `/version`, `/metrics`, `/auth/version` and `/doc/<api>[.yaml]` (what
//! they answer is the builtins room's). A spec may declare these paths to
//! document them: without a handler bound, the built-in serves them; with
//! one, the operation wins. Adding a built-in means a variant here, its
//! path in [`builtin_paths`], its name in [`Builtin::name`], and its reply
//! in the builtins room.

use macaron_spec::PathTemplate;

use super::{Router, Target};

/// The endpoints every service has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Builtin {
    Ping,
    /// `/health/live`.
    Live,
    /// `/health/ready`.
    Ready,
    Version,
    Metrics,
    /// `/version` behind a valid token.
    AuthVersion,
    /// The spec file of the API with that index.
    DocFile(usize),
    /// The HTML reference of the API with that index.
    DocPage(usize),
}

impl Builtin {
    /// The name a built-in is counted and logged under.
    pub fn name(self) -> &'static str {
        match self {
            Builtin::Ping => "ping",
            Builtin::Live => "health_live",
            Builtin::Ready => "health_ready",
            Builtin::Version => "version",
            Builtin::Metrics => "metrics",
            Builtin::AuthVersion => "auth_version",
            Builtin::DocFile(_) => "doc_file",
            Builtin::DocPage(_) => "doc_page",
        }
    }
}

/// The paths of the built-ins (`GET` only) of a service with these APIs
/// (by name, in the order `Builtin::DocPage`/`DocFile` index them).
pub(crate) fn builtin_paths(names: &[&str]) -> Vec<(String, Builtin)> {
    let mut paths = vec![
        ("/ping".to_string(), Builtin::Ping),
        ("/health/live".to_string(), Builtin::Live),
        ("/health/ready".to_string(), Builtin::Ready),
        ("/version".to_string(), Builtin::Version),
        ("/metrics".to_string(), Builtin::Metrics),
        ("/auth/version".to_string(), Builtin::AuthVersion),
    ];
    for (i, name) in names.iter().enumerate() {
        paths.push((format!("/doc/{name}"), Builtin::DocPage(i)));
        paths.push((format!("/doc/{name}.yaml"), Builtin::DocFile(i)));
    }
    paths
}

/// Mounts the built-ins where no operation of the specs has taken their path.
pub(crate) fn add_builtins(router: &mut Router, builtins: &[(String, Builtin)]) {
    for (path, builtin) in builtins {
        if let Ok(t) = PathTemplate::parse(path) {
            if !router.has(t.segments(), "GET") {
                // A user operation on the same path and method wins.
                let _ = router.add(t.segments(), "GET", Target::Builtin(*builtin));
            }
        }
    }
}
