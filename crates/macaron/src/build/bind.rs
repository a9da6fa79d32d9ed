//! Binding: every operation of every spec to its handler, route, schemas,
//! authentication and guard.
//!
//! A service that starts with an operation nobody implements answers 404
//! where the spec promised an endpoint, and a handler registered under a
//! misspelt `operationId` is silently never called. So binding checks both
//! ways (every operation has a handler, every handler an operation), and
//! every other thing an operation names: a route that does not clash, a
//! JWT configuration where the operation requires a token, a registered
//! guard for its `x-decorate-server`. Each problem names the operation, its
//! file and its JSON pointer; binding goes on after one, so a start lists
//! them all.

use std::sync::Arc;

use actix_web::web::Bytes;
use indexmap::IndexMap;
use macaron_spec::{Method, PathTemplate};

use crate::auth::{self, AuthMode, GuardFn};
use crate::error::{Problem, Problems};
use crate::handler::BoxedHandler;
use crate::inputs::{is_json, param_kind};
use crate::request::Routed;
use crate::route::{Builtin, Router, Target};
use crate::schema::{LoadedApi, SchemaSet};
use crate::service::{Op, ParamPlan};

/// What binding made: the operations, their routes, the loaded specs.
pub(super) struct Bound {
    pub ops: Vec<Op>,
    pub router: Router,
    pub apis: Vec<LoadedApi>,
}

/// What binding needs besides the specs.
pub(super) struct Bindings<'a> {
    pub handlers: IndexMap<String, BoxedHandler>,
    pub guards: &'a IndexMap<String, GuardFn>,
    /// The built-ins' paths: an operation at one of them needs no handler.
    pub builtins: &'a [(String, Builtin)],
    /// True when tokens can be verified (JWT is configured).
    pub jwt: bool,
}

/// Binds every operation of every spec.
pub(super) fn operations(
    specs: Vec<(macaron_spec::Api, Bytes)>,
    bindings: Bindings<'_>,
    problems: &mut Problems,
) -> Bound {
    let mut bound = Bound { ops: Vec::new(), router: Router::default(), apis: Vec::new() };
    // Which file each operationId was first seen in.
    let mut seen: IndexMap<String, String> = IndexMap::new();
    for (index, (spec, source)) in specs.into_iter().enumerate() {
        let mut set = SchemaSet::new(&spec);
        let text = std::str::from_utf8(&source).unwrap_or_default();
        for op in &spec.operations {
            let problem = |message: String| {
                let line = macaron_spec::line_of(text, op.pointer.trim_start_matches('#'));
                Problem::new(message)
                    .file(spec.file.clone())
                    .line(line)
                    .pointer(op.pointer.clone())
                    .operation(op.id.clone())
            };
            if let Some(other) = seen.insert(op.id.clone(), spec.file.clone()) {
                problems.push(problem(format!("operationId '{}' is in both {other} and {}", op.id, spec.file)));
            }
            let template = op.full_path();
            let Some(handler) = bindings.handlers.get(&op.id).cloned() else {
                if op.method == Method::Get && bindings.builtins.iter().any(|(path, _)| *path == template) {
                    // The spec documents a built-in (`/ping`, ...): the built-in serves it.
                    continue;
                }
                problems.push(problem(format!(
                    "operation '{}' ({} {template} in {}) has no handler",
                    op.id, op.method, spec.file
                )));
                continue;
            };
            let parsed = match PathTemplate::parse(&template) {
                Ok(p) => p,
                Err(e) => {
                    problems.push(problem(e));
                    continue;
                }
            };
            let target = Target::Operation(bound.ops.len());
            if let Err(e) = bound.router.add(parsed.segments(), op.method.as_str(), target) {
                problems.push(problem(e));
                continue;
            }
            let params = op
                .parameters
                .iter()
                .map(|p| ParamPlan { schema: set.add(&p.schema), kind: param_kind(&spec, p) })
                .collect();
            let body = op
                .request_body
                .iter()
                .flat_map(|b| b.content.iter())
                .map(|(media, m)| (media.to_ascii_lowercase(), m.schema.as_ref().map(|s| set.add(s))))
                .collect();
            let responses = op
                .responses
                .iter()
                .map(|r| {
                    r.content
                        .iter()
                        .find(|(media, _)| is_json(media))
                        .and_then(|(_, m)| m.schema.as_ref())
                        .map(|s| set.add(s))
                })
                .collect();
            let multipart = op
                .request_body
                .iter()
                .flat_map(|b| b.content.keys())
                .any(|media| media.eq_ignore_ascii_case("multipart/form-data"));
            if multipart && !cfg!(feature = "multipart") {
                problems.push(problem(format!(
                    "operation '{}' in {} takes multipart/form-data, but this service is built without it: enable macaron's feature \"multipart\"",
                    op.id, spec.file
                )));
            }
            let auth = auth::mode(op, &spec.security_schemes);
            if auth != AuthMode::Open && !bindings.jwt && !cfg!(feature = "jwt") {
                problems.push(problem(format!(
                    "operation '{}' in {} requires a bearer token, but this service is built without JWT: enable macaron's feature \"jwt\"",
                    op.id, spec.file
                )));
            } else if auth != AuthMode::Open && !bindings.jwt {
                problems.push(problem(format!(
                    "operation '{}' in {} requires a bearer token, but no JWT is configured: set jwt_secret (from env_secrets), jwt_issuer and jwt_audience in macaron.yaml",
                    op.id, spec.file
                )));
            }
            let guard = match op.decorate_server() {
                Some(name) => match bindings.guards.get(name) {
                    Some(g) => Some(g.clone()),
                    None => {
                        problems.push(problem(format!(
                            "operation '{}' in {} names the guard '{name}' (x-decorate-server), but none is registered: add .guard(\"{name}\", function) to the builder",
                            op.id, spec.file
                        )));
                        None
                    }
                },
                None => None,
            };
            let id: Arc<str> = Arc::from(op.id.as_str());
            let routed = Arc::new(Routed { id: id.clone(), handler: op.bind_server().map(Arc::from) });
            let spec = op.clone();
            bound.ops.push(Op { api: index, id, spec, params, body, responses, handler, auth, guard, routed });
        }
        let validators = match set.compile() {
            Ok(v) => v,
            Err(e) => {
                problems.push(Problem::new(e).file(spec.file.clone()));
                Vec::new()
            }
        };
        bound.apis.push(LoadedApi { spec, source, validators });
    }
    for id in bindings.handlers.keys() {
        if !seen.contains_key(id) {
            problems
                .push(Problem::new(format!("handler '{id}' names no operation in the specs")).operation(id.clone()));
        }
    }
    bound
}
