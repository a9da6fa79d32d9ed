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
    for op in &api.operations {
        let Some(target) = op.bind_server() else { continue };
        let wrapper = format!("op_{}", field_name(&op.id));
        write_operation(models, api, op, target, &wrapper, rt, out);
        binds.push((op.id.clone(), wrapper));
    }
    let _ = writeln!(
        out,
        "/// Adds this API to a service: its spec, and a handler for every operation with `x-bind-server`.\npub fn bind(builder: {rt}::ApiBuilder) -> {rt}::ApiBuilder {{\n    builder.api_source(SPEC_NAME, SPEC)"
    );
    for (id, wrapper) in binds {
        let _ = writeln!(out, "        .handler({id:?}, {wrapper})");
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

fn write_operation(
    models: &mut Models,
    api: &Api,
    op: &Operation,
    target: &str,
    wrapper: &str,
    rt: &str,
    out: &mut String,
) {
    let op_type = type_name(&op.id);
    let serde = format!("{rt}::serde");
    let mut body = String::new();
    let mut args: Vec<String> = Vec::new();

    // The body first.
    if let Some(request) = &op.request_body {
        let json = request.content.iter().find(|(m, _)| is_json(m));
        let form = request.content.iter().find(|(m, _)| m.starts_with("application/x-www-form-urlencoded"));
        let multipart = request.content.keys().any(|m| m.starts_with("multipart/"));
        let (extractor, schema) = match (json, form) {
            (Some((_, m)), _) => ("Json", m.schema.as_ref()),
            (None, Some((_, m))) => ("Form", m.schema.as_ref()),
            _ => ("", None),
        };
        if !extractor.is_empty() {
            let ty = match schema {
                Some(s) => models.type_for(s, &format!("{op_type}Body")),
                None => format!("{rt}::serde_json::Value"),
            };
            let ty = if request.required { ty } else { format!("::std::option::Option<{ty}>") };
            let _ = writeln!(
                body,
                "    let {rt}::{extractor}(body): {rt}::{extractor}<{ty}> = {rt}::FromContext::from_context(&ctx)?;"
            );
            args.push("body".into());
        } else if multipart {
            let _ = writeln!(body, "    let body: {rt}::Multipart = {rt}::FromContext::from_context(&ctx)?;");
            args.push("body".into());
        }
    }

    // Then the parameters, grouped by location, each in spec order.
    for (location, extractor, var) in [
        (ParamLocation::Path, "Path", "path"),
        (ParamLocation::Query, "Query", "query"),
        (ParamLocation::Header, "Headers", "headers"),
        (ParamLocation::Cookie, "Cookies", "cookies"),
    ] {
        let params: Vec<_> = op.parameters.iter().filter(|p| p.location == location).collect();
        if params.is_empty() {
            continue;
        }
        let struct_name = format!("{}Params", type_name(var));
        let _ = writeln!(
            body,
            "    #[derive({serde}::Deserialize)]\n    #[serde(crate = {serde:?})]\n    struct {struct_name} {{"
        );
        let mut idents = crate::names::Namer::default();
        for p in &params {
            let ident = idents.fresh(&field_name(&p.name));
            let ty = models.type_for(&p.schema, &format!("{op_type}{}", type_name(&p.name)));
            let ty = if p.required { ty } else { format!("::std::option::Option<{ty}>") };
            let _ = writeln!(body, "        #[serde(rename = {:?}, default)]\n        {ident}: {ty},", p.name);
            args.push(format!("{var}.{ident}"));
        }
        let _ = writeln!(body, "    }}");
        let _ = writeln!(body, "    let {rt}::{extractor}({var}): {rt}::{extractor}<{struct_name}> = {rt}::FromContext::from_context(&ctx)?;");
    }

    // The reply.
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
                    Some(t) if t == "RAW" => format!(
                        "Self::Status{}(r) => {rt}::Reply::into_response({rt}::WithStatus({}, r)),",
                        s.status, s.status
                    ),
                    Some(_) => format!(
                        "Self::Status{}(v) => {rt}::Reply::into_response({rt}::WithStatus({}, v)),",
                        s.status, s.status
                    ),
                    None => format!(
                        "Self::Status{} => ::std::result::Result::Ok({rt}::Response::empty({})),",
                        s.status, s.status
                    ),
                };
                let _ = writeln!(out, "            {arm}");
            }
            let _ = writeln!(out, "        }}\n    }}\n}}\n");
            (name, "reply".to_string())
        }
    };
    let _ = writeln!(
        out,
        "#[doc = \" Operation `{}`: {} {} in {}; calls `{target}`.\"]\n#[allow(non_snake_case)]\nasync fn {wrapper}(ctx: {rt}::Context) -> {rt}::Result<{rt}::Response> {{",
        op.id.replace('"', "'"),
        op.method,
        op.full_path().replace('"', "'"),
        api.file.replace('\\', "/").replace('"', "'"),
    );
    out.push_str(&body);
    let _ = writeln!(out, "    let reply: {rt}::Result<{ret}> = {target}({}).await;", args.join(", "));
    let _ = writeln!(out, "    #[allow(clippy::let_unit_value, unused_variables)]\n    let reply = reply?;");
    let _ = writeln!(out, "    {rt}::Reply::into_response({reply})\n}}\n");
}
