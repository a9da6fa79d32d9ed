//! Handler bindings: the glue between the runtime and the functions named
//! by `x-bind-server`.
//!
//! For each such operation the generator writes a small async function
//! that takes the request's validated inputs from the runtime's `Context`,
//! deserialises them into the operation's types and calls the user's
//! function with typed arguments, in a stable, documented order: the body
//! first (if any), then path, query, header and cookie parameters in spec
//! order; optional parameters are `Option`s. The user's function returns
//! `macaron::Result<T>` where `T` is fixed by the spec's success responses:
//!
//! | success responses | `T` |
//! |---|---|
//! | one, with a JSON schema | the schema's type (the status is the spec's: 201 is sent as 201) |
//! | one, without a body (204) | `()` |
//! | several | a generated enum `{Operation}Response` with a variant per status |
//! | none, or not JSON | `macaron::Response` |
//!
//! A missing function, a wrong argument type or a wrong return type is a
//! compile error in the generated function `op_<operationId>`, whose doc
//! comment names the operation, its method and path, and the spec file.
//!
//! The same signature gives each API a typed `Client` with one method per
//! operation (arguments in the same order), over `macaron::client`: a
//! remote error object comes back as the same `macaron::Error`.

use std::fmt::Write as _;

use macaron_spec::{Api, Operation, ParamLocation, Status};

use crate::models::Models;
use crate::names::{field_name, type_name};

/// One success response: status and Rust type of its JSON body, if any.
struct Success {
    status: u16,
    ty: Option<String>,
}

fn is_json(media: &str) -> bool {
    let m = media.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    m == "application/json" || m.ends_with("+json")
}

/// Writes the bindings of `api` (the `bind` function and its helpers).
pub(crate) fn write(models: &mut Models, api: &Api, rt: &str, spec_path: &str, out: &mut String) {
    let file_name = std::path::Path::new(&api.file).file_name().map(|f| f.to_string_lossy().into_owned());
    let file_name = file_name.unwrap_or_else(|| format!("{}.yaml", api.name));
    let _ = writeln!(out, "/// The spec this module was generated from, embedded at build time.");
    let _ = writeln!(out, "pub const SPEC: &str = include_str!({spec_path:?});");
    let _ = writeln!(out, "/// The spec's file name (it names the API: `/doc/{}`).", api.name);
    let _ = writeln!(out, "pub const SPEC_NAME: &str = {file_name:?};\n");

    let mut binds = Vec::new();
    let mut client = String::new();
    for op in &api.operations {
        let sig = signature(models, op, rt, out);
        write_client_method(&sig, op, rt, &mut client);
        let Some(target) = op.bind_server() else { continue };
        let wrapper = format!("op_{}", field_name(&op.id));
        write_operation(&sig, api, op, target, &wrapper, rt, out);
        binds.push((op.id.clone(), wrapper));
    }
    let _ = writeln!(
        out,
        "/// A typed client of this API: one method per operation, the same types as the service.\n#[derive(Debug, Clone)]\npub struct Client {{\n    inner: {rt}::client::HttpClient,\n}}\n"
    );
    let _ = writeln!(
        out,
        "impl Client {{\n    /// A client of the service at `base_url` (`http://host:port`).\n    pub fn new(base_url: impl ::std::convert::Into<::std::string::String>) -> Self {{\n        Client {{ inner: {rt}::client::HttpClient::new(base_url) }}\n    }}\n\n    /// A client over a configured HTTP core (timeouts, retries, token forwarding).\n    pub fn with(inner: {rt}::client::HttpClient) -> Self {{\n        Client {{ inner }}\n    }}\n\n{client}}}\n"
    );
    let _ = writeln!(
        out,
        "/// Adds this API to a service: its spec, and a handler for every operation with `x-bind-server`.\npub fn bind(builder: {rt}::ApiBuilder) -> {rt}::ApiBuilder {{\n    builder.api_source(SPEC_NAME, SPEC)"
    );
    for (id, wrapper) in binds {
        let _ = writeln!(out, "        .handler({id:?}, {wrapper})");
    }
    // Guards named by x-decorate-server are registered under their path.
    let mut guards: Vec<&str> = api.operations.iter().filter_map(|op| op.decorate_server()).collect();
    guards.sort_unstable();
    guards.dedup();
    for guard in guards {
        let _ = writeln!(out, "        .guard({guard:?}, {guard})");
    }
    let _ = writeln!(out, "}}\n");
}

fn successes(models: &mut Models, op: &Operation, hint: &str) -> Vec<Success> {
    let mut out = Vec::new();
    for response in &op.responses {
        let status = match response.status {
            Status::Code(code) if (200..300).contains(&code) => code,
            Status::Range(2) => 200,
            _ => continue,
        };
        let schema = response.content.iter().find(|(m, _)| is_json(m)).and_then(|(_, m)| m.schema.as_ref());
        let non_json = !response.content.is_empty() && schema.is_none();
        let ty = match schema {
            Some(schema) => Some(models.type_for(schema, &format!("{hint}{status}"))),
            None if non_json => Some("RAW".to_string()),
            None => None,
        };
        out.push(Success { status, ty });
    }
    out
}

/// The body argument of an operation.
struct BodyArg {
    /// `Json`, `Form` or `Multipart`.
    kind: &'static str,
    ty: String,
}

/// A parameter argument.
struct ParamArg {
    name: String,
    location: ParamLocation,
    ident: String,
    ty: String,
    explode: bool,
}

/// An operation's Rust signature, shared by its binding and its client method.
struct Signature {
    body: Option<BodyArg>,
    params: Vec<ParamArg>,
    successes: Vec<Success>,
    /// The return type and how the binding turns a value of it into a reply.
    ret: String,
    reply: String,
}

const LOCATIONS: [(ParamLocation, &str, &str); 4] = [
    (ParamLocation::Path, "Path", "path"),
    (ParamLocation::Query, "Query", "query"),
    (ParamLocation::Header, "Headers", "headers"),
    (ParamLocation::Cookie, "Cookies", "cookies"),
];

fn signature(models: &mut Models, op: &Operation, rt: &str, out: &mut String) -> Signature {
    let op_type = type_name(&op.id);
    let body = op.request_body.as_ref().and_then(|request| {
        let json = request.content.iter().find(|(m, _)| is_json(m));
        let form = request.content.iter().find(|(m, _)| m.starts_with("application/x-www-form-urlencoded"));
        let (kind, schema) = match (json, form) {
            (Some((_, m)), _) => ("Json", m.schema.as_ref()),
            (None, Some((_, m))) => ("Form", m.schema.as_ref()),
            _ if request.content.keys().any(|m| m.starts_with("multipart/")) => {
                return Some(BodyArg { kind: "Multipart", ty: format!("{rt}::Multipart") })
            }
            _ => return None,
        };
        let ty = match schema {
            Some(s) => models.type_for(s, &format!("{op_type}Body")),
            None => format!("{rt}::serde_json::Value"),
        };
        let ty = if request.required { ty } else { format!("::std::option::Option<{ty}>") };
        Some(BodyArg { kind, ty })
    });
    let mut params = Vec::new();
    // One namer for every parameter: the client takes them all as arguments
    // (`body` is taken by the body).
    let mut idents = crate::names::Namer::default();
    idents.reserve("body");
    for (location, _, _) in LOCATIONS {
        for p in op.parameters.iter().filter(|p| p.location == location) {
            let ident = idents.fresh(&field_name(&p.name));
            let ty = models.type_for(&p.schema, &format!("{op_type}{}", type_name(&p.name)));
            let ty = if p.required { ty } else { format!("::std::option::Option<{ty}>") };
            params.push(ParamArg { name: p.name.clone(), location, ident, ty, explode: p.explode });
        }
    }
    let successes = successes(models, op, &format!("{op_type}Response"));
    let (ret, reply) = match successes.as_slice() {
        [] => (format!("{rt}::Response"), "reply".to_string()),
        [Success { ty: Some(t), .. }] if t == "RAW" => (format!("{rt}::Response"), "reply".to_string()),
        [Success { status, ty: Some(t) }] => {
            let reply = if *status == 200 { "reply".to_string() } else { format!("{rt}::WithStatus({status}, reply)") };
            (t.clone(), reply)
        }
        [Success { status, ty: None }] => ("()".to_string(), format!("{rt}::Response::empty({status})")),
        many => {
            let name = models.fresh_name(&format!("{op_type}Response"));
            write_response_enum(&name, op, many, rt, out);
            (name, "reply".to_string())
        }
    };
    Signature { body, params, successes, ret, reply }
}

fn write_response_enum(name: &str, op: &Operation, many: &[Success], rt: &str, out: &mut String) {
    let _ = writeln!(
        out,
        "/// The success replies of `{}`: one variant per status.\n#[derive(Debug)]\npub enum {name} {{",
        op.id
    );
    for s in many {
        match &s.ty {
            Some(t) if t == "RAW" => {
                let _ = writeln!(out, "    /// Status {}.\n    Status{}({rt}::Response),", s.status, s.status);
            }
            Some(t) => {
                let _ = writeln!(out, "    /// Status {}.\n    Status{}({t}),", s.status, s.status);
            }
            None => {
                let _ = writeln!(out, "    /// Status {}, no body.\n    Status{},", s.status, s.status);
            }
        }
    }
    let _ = writeln!(out, "}}\n\nimpl {rt}::Reply for {name} {{\n    fn into_response(self) -> {rt}::Result<{rt}::Response> {{\n        match self {{");
    for s in many {
        let arm = match &s.ty {
            Some(t) if t == "RAW" => {
                format!("Self::Status{}(r) => {rt}::Reply::into_response({rt}::WithStatus({}, r)),", s.status, s.status)
            }
            Some(_) => {
                format!("Self::Status{}(v) => {rt}::Reply::into_response({rt}::WithStatus({}, v)),", s.status, s.status)
            }
            None => {
                format!("Self::Status{} => ::std::result::Result::Ok({rt}::Response::empty({})),", s.status, s.status)
            }
        };
        let _ = writeln!(out, "            {arm}");
    }
    let _ = writeln!(out, "        }}\n    }}\n}}\n");
}

fn write_operation(
    sig: &Signature,
    api: &Api,
    op: &Operation,
    target: &str,
    wrapper: &str,
    rt: &str,
    out: &mut String,
) {
    let serde = format!("{rt}::serde");
    let mut body = String::new();
    let mut args: Vec<String> = Vec::new();
    if let Some(b) = &sig.body {
        if b.kind == "Multipart" {
            let _ = writeln!(body, "    let body: {rt}::Multipart = {rt}::FromContext::from_context(&ctx)?;");
        } else {
            let _ = writeln!(
                body,
                "    let {rt}::{k}(body): {rt}::{k}<{}> = {rt}::FromContext::from_context(&ctx)?;",
                b.ty,
                k = b.kind
            );
        }
        args.push("body".into());
    }
    for (location, extractor, var) in LOCATIONS {
        let params: Vec<&ParamArg> = sig.params.iter().filter(|p| p.location == location).collect();
        if params.is_empty() {
            continue;
        }
        let struct_name = format!("{}Params", type_name(var));
        let _ = writeln!(
            body,
            "    #[derive({serde}::Deserialize)]\n    #[serde(crate = {serde:?})]\n    struct {struct_name} {{"
        );
        for p in params {
            let _ = writeln!(body, "        #[serde(rename = {:?}, default)]\n        {}: {},", p.name, p.ident, p.ty);
            args.push(format!("{var}.{}", p.ident));
        }
        let _ = writeln!(body, "    }}");
        let _ = writeln!(body, "    let {rt}::{extractor}({var}): {rt}::{extractor}<{struct_name}> = {rt}::FromContext::from_context(&ctx)?;");
    }
    let _ = writeln!(
        out,
        "#[doc = \" Operation `{}`: {} {} in {}; calls `{target}`.\"]\n#[allow(non_snake_case)]\nasync fn {wrapper}(ctx: {rt}::Context) -> {rt}::Result<{rt}::Response> {{",
        op.id.replace('"', "'"),
        op.method,
        op.full_path().replace('"', "'"),
        api.file.replace('\\', "/").replace('"', "'"),
    );
    out.push_str(&body);
    let _ = writeln!(out, "    let reply: {rt}::Result<{}> = {target}({}).await;", sig.ret, args.join(", "));
    let _ = writeln!(out, "    #[allow(clippy::let_unit_value, unused_variables)]\n    let reply = reply?;");
    let _ = writeln!(out, "    {rt}::Reply::into_response({})\n}}\n", sig.reply);
}

/// The client method of an operation (none for multipart bodies).
fn write_client_method(sig: &Signature, op: &Operation, rt: &str, out: &mut String) {
    if sig.body.as_ref().is_some_and(|b| b.kind == "Multipart") {
        return;
    }
    let mut args = Vec::new();
    if let Some(b) = &sig.body {
        args.push(format!("body: {}", b.ty));
    }
    for p in &sig.params {
        args.push(format!("{}: {}", p.ident, p.ty));
    }
    // The path as a format string, parameters substituted.
    let mut format = op.prefix.replace('{', "{{").replace('}', "}}");
    let mut format_args = Vec::new();
    for segment in op.path.segments() {
        format.push('/');
        for part in segment {
            match part {
                macaron_spec::Part::Literal(text) => format.push_str(&text.replace('{', "{{").replace('}', "}}")),
                macaron_spec::Part::Param(name) => {
                    format.push_str("{}");
                    let ident = sig
                        .params
                        .iter()
                        .find(|p| p.location == ParamLocation::Path && &p.name == name)
                        .map(|p| p.ident.clone())
                        .unwrap_or_else(|| "\"\"".into());
                    format_args.push(format!("{rt}::client::path_param(&{ident})"));
                }
            }
        }
    }
    if let Some(q) = op.path.query() {
        format.push('?');
        format.push_str(&q.replace('{', "{{").replace('}', "}}"));
    }
    let method = field_name(&op.id);
    let _ = writeln!(
        out,
        "    #[doc = \" `{}`: {} {}\"]",
        op.id.replace('"', "'"),
        op.method,
        op.full_path().replace('"', "'")
    );
    let _ = writeln!(
        out,
        "    #[allow(clippy::too_many_arguments)]\n    pub async fn {method}(&self, {}) -> {rt}::Result<{}> {{",
        args.join(", "),
        sig.ret
    );
    let _ = writeln!(
        out,
        "        let __path = format!({format:?}{});",
        format_args.iter().map(|a| format!(", {a}")).collect::<String>()
    );
    let _ = writeln!(
        out,
        "        #[allow(unused_mut)]\n        let mut __query: {rt}::client::Pairs = ::std::vec::Vec::new();"
    );
    let _ = writeln!(
        out,
        "        #[allow(unused_mut)]\n        let mut __headers: {rt}::client::Pairs = ::std::vec::Vec::new();"
    );
    for p in &sig.params {
        let target = match p.location {
            ParamLocation::Query => "__query",
            ParamLocation::Header => "__headers",
            _ => continue,
        };
        let _ = writeln!(
            out,
            "        {rt}::client::push_param(&mut {target}, {:?}, &{}, {});",
            p.name, p.ident, p.explode
        );
    }
    let cookies: Vec<&ParamArg> = sig.params.iter().filter(|p| p.location == ParamLocation::Cookie).collect();
    if !cookies.is_empty() {
        let _ = writeln!(out, "        let mut __cookies: {rt}::client::Pairs = ::std::vec::Vec::new();");
        for p in cookies {
            let _ =
                writeln!(out, "        {rt}::client::push_param(&mut __cookies, {:?}, &{}, false);", p.name, p.ident);
        }
        let _ = writeln!(out, "        if !__cookies.is_empty() {{ __headers.push((\"Cookie\".to_string(), __cookies.iter().map(|(k, v)| format!(\"{{k}}={{v}}\")).collect::<::std::vec::Vec<_>>().join(\"; \"))); }}");
    }
    let body = match &sig.body {
        Some(_) => format!("::std::option::Option::Some({rt}::client::body(&body)?)"),
        None => "::std::option::Option::None".to_string(),
    };
    let method_str = op.method.as_str();
    match sig.successes.as_slice() {
        [Success { ty: Some(t), .. }] if t != "RAW" => {
            let _ = writeln!(
                out,
                "        self.inner.call({method_str:?}, &__path, __query, __headers, {body}).await\n    }}\n"
            );
        }
        many => {
            let _ = writeln!(out, "        let (__status, __bytes) = self.inner.send({method_str:?}, &__path, __query, __headers, {body}).await?;");
            let _ = writeln!(out, "        match __status {{");
            let enum_name = (many.len() > 1).then(|| sig.ret.clone());
            for s in many {
                let value = match (&s.ty, &enum_name) {
                    (Some(t), Some(e)) if t == "RAW" => format!(
                        "{e}::Status{}({rt}::Response::bytes({}, \"application/octet-stream\", __bytes))",
                        s.status, s.status
                    ),
                    (Some(_), Some(e)) => format!("{e}::Status{}({rt}::client::decode(&__bytes)?)", s.status),
                    (None, Some(e)) => format!("{e}::Status{}", s.status),
                    (Some(_), None) => {
                        format!("{rt}::Response::bytes({}, \"application/octet-stream\", __bytes)", s.status)
                    }
                    (None, None) => "()".to_string(),
                };
                let _ = writeln!(out, "            {} => ::std::result::Result::Ok({value}),", s.status);
            }
            if many.is_empty() {
                let _ = writeln!(out, "            200..=299 => ::std::result::Result::Ok({rt}::Response::bytes(__status, \"application/octet-stream\", __bytes)),");
            }
            let _ = writeln!(out, "            _ => ::std::result::Result::Err({rt}::client::remote_error(__status, &__bytes)),\n        }}\n    }}\n");
        }
    }
}
