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
        "impl Client {{\n    /// A client of the service at `base_url` (`http://host:port`).\n    pub fn new(base_url: impl ::std::convert::Into<::std::string::String>) -> Self {{\n        Client {{ inner: {rt}::client::HttpClient::new(base_url) }}\n    }}\n\n    /// A client over a configured HTTP core (timeouts, retries, token forwarding).\n    pub fn with(inner: {rt}::client::HttpClient) -> Self {{\n        Client {{ inner }}\n    }}\n\n    /// The HTTP core this client sends through.\n    pub fn http(&self) -> &{rt}::client::HttpClient {{\n        &self.inner\n    }}\n\n{client}}}\n"
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
    reply: ReplyKind,
}

/// How a binding turns the handler's value into a reply.
enum ReplyKind {
    /// The value is the reply (its status is 200, or it says its own).
    Value,
    /// The value, sent with this status.
    WithStatus(u16),
    /// No body: this status.
    Empty(u16),
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
        [] => (format!("{rt}::Response"), ReplyKind::Value),
        [Success { ty: Some(t), .. }] if t == "RAW" => (format!("{rt}::Response"), ReplyKind::Value),
        [Success { status, ty: Some(t) }] => {
            let reply = if *status == 200 { ReplyKind::Value } else { ReplyKind::WithStatus(*status) };
            (t.clone(), reply)
        }
        [Success { status, ty: None }] => ("()".to_string(), ReplyKind::Empty(*status)),
        many => {
            let name = models.fresh_name(&format!("{op_type}Response"));
            write_response_enum(&name, op, many, rt, out);
            (name, ReplyKind::Value)
        }
    };
    Signature { body, params, successes, ret, reply }
}

fn write_response_enum(name: &str, op: &Operation, many: &[Success], rt: &str, out: &mut String) {
    let _ = writeln!(out, "/// The success replies of `{}`: one variant per status.\n#[derive(Debug)]", op.id);
    // Variants are named after their status (`Status201`, ...): with three
    // or more, clippy sees a shared prefix; their sizes are the spec's.
    let mut allow = vec!["clippy::large_enum_variant"];
    if many.len() >= 3 {
        allow.push("clippy::enum_variant_names");
    }
    let _ = writeln!(out, "#[allow({})]\npub enum {name} {{", allow.join(", "));
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

/// `ListPets`-style Rust spelling of a type for messages: paths shortened
/// to what a user writes (`Option<i32>`, `macaron::Result<Pet>`).
fn readable(ty: &str, rt: &str) -> String {
    let mut out = ty.to_string();
    for prefix in [
        "::std::option::",
        "::std::vec::",
        "::std::string::",
        "::std::collections::",
        "::std::boxed::",
        "::std::convert::",
    ] {
        out = out.replace(prefix, "");
    }
    out.replace(&format!("{rt}::"), &format!("{}::", rt.trim_start_matches("::")))
}

/// `listPets` stays as it is when it is an identifier; anything else
/// becomes `snake_case`.
fn ident_like(name: &str) -> String {
    let valid = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if valid {
        name.to_string()
    } else {
        field_name(name)
    }
}

/// Escapes text for a `#[diagnostic::on_unimplemented]` string (a format
/// string: braces are doubled).
fn diagnostic_text(text: &str) -> String {
    format!("{:?}", text.replace('{', "{{").replace('}', "}}"))
}

/// The binding of one `x-bind-server` operation: a wrapper `op_<id>` that
/// extracts the typed arguments and calls the user's function through a
/// trait named after the operation, whose `on_unimplemented` message names
/// the operation and the spec file when the function does not fit.
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
    let spec_file = api.file.replace('\\', "/");
    let path = op.full_path();
    let mut arg_tys: Vec<String> = Vec::new();
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
        arg_tys.push(b.ty.clone());
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
            arg_tys.push(p.ty.clone());
        }
        let _ = writeln!(body, "    }}");
        let _ = writeln!(body, "    let {rt}::{extractor}({var}): {rt}::{extractor}<{struct_name}> = {rt}::FromContext::from_context(&ctx)?;");
    }
    let trait_name = format!("{}Handler", type_name(&op.id));
    let output = format!("{rt}::Result<{}>", sig.ret);
    let tuple = |items: &[String]| match items {
        [one] => format!("({one},)"),
        _ => format!("({})", items.join(", ")),
    };
    let args_ty = tuple(&arg_tys);
    let vars: Vec<String> = (0..arg_tys.len()).map(|i| format!("a{i}")).collect();
    let expected = format!(
        "async fn({}) -> {}",
        arg_tys.iter().map(|t| readable(t, rt)).collect::<Vec<_>>().join(", "),
        readable(&output, rt)
    );
    let file_name =
        std::path::Path::new(&spec_file).file_name().map_or(spec_file.clone(), |f| f.to_string_lossy().into_owned());
    let local = format!("x_bind_server_of_{}_in_{}", ident_like(&op.id), field_name(&file_name));
    // An operation without arguments does not read the context.
    let ctx = if body.is_empty() { "_ctx" } else { "ctx" };
    let _ = writeln!(
        out,
        "#[doc = {:?}]\n#[allow(non_snake_case)]\nasync fn {wrapper}({ctx}: {rt}::Context) -> {rt}::Result<{rt}::Response> {{",
        format!(" Operation `{}`: {} {path} in {spec_file}; calls `{target}`.", op.id, op.method)
    );
    let attribute = format!(
        "    #[diagnostic::on_unimplemented(\n        message = {},\n        label = {},\n        note = {},\n        note = {}\n    )]\n",
        diagnostic_text(&format!(
            "`{target}` does not fit operation `{}` ({} {path}) of {spec_file}",
            op.id, op.method
        )),
        diagnostic_text(&format!("`x-bind-server` of operation `{}` in {spec_file} names this function", op.id)),
        diagnostic_text(&format!("operation `{}` of {spec_file} is handled by `{expected}`", op.id)),
        diagnostic_text(
            "the arguments are the body (if any), then the path, query, header and cookie parameters in spec order"
        ),
    );
    let _ = writeln!(out, "    type Args = {args_ty};\n    type Returns = {output};");
    out.push_str(&attribute);
    let _ = writeln!(
        out,
        "    trait {trait_name}<M> {{\n        type Future: ::std::future::Future<Output = Returns>;\n        fn handle(self, args: Args) -> Self::Future;\n    }}"
    );
    let _ = writeln!(
        out,
        "    impl<F, Fut> {trait_name}<(Fut,)> for F\n    where\n        F: Fn({}) -> Fut,\n        Fut: ::std::future::Future<Output = Returns>,\n    {{\n        type Future = Fut;\n        fn handle(self, {}: Args) -> Fut {{\n            self({})\n        }}\n    }}",
        arg_tys.join(", "),
        tuple(&vars),
        vars.join(", "),
    );
    let _ = writeln!(
        out,
        "    /// Implemented by nothing: with a second candidate impl, the compiler reports the unmet `{trait_name}` (and its message) instead of a mismatch inside the first.\n    trait NotAHandler {{}}\n    impl<F: NotAHandler> {trait_name}<()> for F {{\n        type Future = ::std::future::Pending<Returns>;\n        fn handle(self, _: Args) -> Self::Future {{\n            ::std::future::pending()\n        }}\n    }}"
    );
    // The future is named through the trait (not `impl Future`), so a
    // handler that does not fit is reported once, not at every use.
    let _ = writeln!(
        out,
        "    fn call<F: {trait_name}<M>, M>(handler: F, args: Args) -> <F as {trait_name}<M>>::Future {{\n        handler.handle(args)\n    }}"
    );
    out.push_str(&body);
    let _ = writeln!(out, "    let {local} = {target};");
    // Typed, so that a missing function is one error, not a cascade.
    let _ = writeln!(out, "    let reply: Returns = call({local}, {}).await;", tuple(&args));
    match sig.reply {
        ReplyKind::Value => {
            let _ = writeln!(out, "    {rt}::Reply::into_response(reply?)\n}}\n");
        }
        ReplyKind::WithStatus(status) => {
            let _ = writeln!(out, "    {rt}::Reply::into_response({rt}::WithStatus({status}, reply?))\n}}\n");
        }
        ReplyKind::Empty(status) => {
            let _ = writeln!(out, "    reply?;\n    {rt}::Reply::into_response({rt}::Response::empty({status}))\n}}\n");
        }
    }
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
    // The method takes what the operation takes: clippy's limit on the
    // number of arguments (seven, `&self` included) is the spec's to keep.
    if args.len() + 1 > 7 {
        let _ = writeln!(out, "    #[allow(clippy::too_many_arguments)]");
    }
    let _ = writeln!(out, "    pub async fn {method}(&self, {}) -> {rt}::Result<{}> {{", args.join(", "), sig.ret);
    if format_args.is_empty() {
        let literal = format.replace("{{", "{").replace("}}", "}");
        let _ = writeln!(out, "        let __path = ::std::string::String::from({literal:?});");
    } else {
        let _ = writeln!(
            out,
            "        let __path = format!({format:?}{});",
            format_args.iter().map(|a| format!(", {a}")).collect::<String>()
        );
    }
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
