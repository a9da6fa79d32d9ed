//! Handler bindings: the glue between the runtime and the functions named
//! by `x-bind-server`.
//!
//! For each such operation the generator writes a small function that
//! reads the request's validated inputs from the runtime's borrowed
//! `Context`, deserialises them into the operation's types and returns the
//! future of the user's function called with typed arguments, in the order
//! of its [`Signature`] (the future owns the arguments, not a copy of the
//! context); the
//! user's function returns `macaron::Result<T>` with `T` fixed by the
//! spec's success responses (see [`crate::signature`]). A status other
//! than 200 of a single success is the spec's: 201 is sent as 201.
//!
//! A missing function, a wrong argument type or a wrong return type is a
//! compile error in the generated function `op_<operationId>`, whose doc
//! comment names the operation, its method and path, and the spec file.
//!
//! The module's code also holds the embedded spec, the typed `Client`
//! ([`crate::client`]) and `bind`, which registers the handlers and the
//! guards named by `x-decorate-server`.

use macaron_spec::{Api, Operation};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::client;
use crate::models::Models;
use crate::names::{field_name, ident, type_name};
use crate::paths::{self, Runtime};
use crate::signature::{self, BodyKind, ReplyKind, Signature, LOCATIONS};
use crate::Error;

/// The code of `api` beside its types: the embedded spec, the success
/// enums, the bindings, the client and `bind`.
pub(crate) fn tokens(models: &mut Models, api: &Api, rt: &Runtime, spec_path: &str) -> Result<TokenStream, Error> {
    let file_name = std::path::Path::new(&api.file).file_name().map(|f| f.to_string_lossy().into_owned());
    let file_name = file_name.unwrap_or_else(|| format!("{}.yaml", api.name));
    let spec_name_doc = format!(" The spec's file name (it names the API: `/doc/{}`).", api.name);
    let mut out = quote! {
        /// The spec this module was generated from, embedded at build time.
        pub const SPEC: &str = include_str!(#spec_path);
        #[doc = #spec_name_doc]
        pub const SPEC_NAME: &str = #file_name;
    };
    let mut handlers = Vec::new();
    let mut methods = Vec::new();
    let op_names = crate::names::operation_names(api);
    for op in &api.operations {
        let sig = signature::of(models, op, rt);
        out.extend(sig.response_enum.clone());
        methods.extend(client::method(&sig, op, rt));
        let Some(target) = op.bind_server() else { continue };
        let wrapper = format_ident!("op_{}", op_names[&op.id]);
        out.extend(operation(&sig, api, op, target, &wrapper, rt)?);
        let id = &op.id;
        handlers.push(quote!(.bound_handler(#id, #wrapper)));
    }
    // The service's own client exists when `macaron` is built with its
    // feature `client` (the runtime's attribute keeps or drops its items).
    out.extend(client::tokens(&methods, rt, true));
    // Guards named by x-decorate-server are registered under their path.
    let mut guard_names: Vec<&str> = api.operations.iter().filter_map(|op| op.decorate_server()).collect();
    guard_names.sort_unstable();
    guard_names.dedup();
    let mut guards = Vec::new();
    for guard in guard_names {
        let path = paths::parse(guard, || format!("x-decorate-server in {}", api.file))?;
        guards.push(quote!(.guard(#guard, #path)));
    }
    out.extend(quote! {
        /// Adds this API to a service: its spec, and a handler for every operation with `x-bind-server`.
        pub fn bind(builder: #rt::ApiBuilder) -> #rt::ApiBuilder {
            builder.api_source(SPEC_NAME, SPEC)
                #(#handlers)*
                #(#guards)*
        }
    });
    Ok(out)
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

/// Text for a `#[diagnostic::on_unimplemented]` string, which rustc reads
/// as a format string: braces are doubled.
fn diagnostic_text(text: &str) -> String {
    text.replace('{', "{{").replace('}', "}}")
}

/// `(a,)` for one item, `(a, b)` otherwise: a tuple type, pattern or value.
fn tuple(items: &[TokenStream]) -> TokenStream {
    match items {
        [one] => quote!((#one,)),
        _ => quote!((#(#items),*)),
    }
}

/// The binding of one `x-bind-server` operation: a wrapper `op_<id>` that
/// extracts the typed arguments and calls the user's function through a
/// trait named after the operation, whose `on_unimplemented` message names
/// the operation and the spec file when the function does not fit.
fn operation(
    sig: &Signature,
    api: &Api,
    op: &Operation,
    target: &str,
    wrapper: &syn::Ident,
    rt: &Runtime,
) -> Result<TokenStream, Error> {
    let spec_file = api.file.replace('\\', "/");
    let path = op.full_path();
    let target_path = paths::parse(target, || format!("x-bind-server of operation `{}` in {spec_file}", op.id))?;
    let serde_crate = rt.serde_crate();
    let mut arg_tys = Vec::new();
    let mut readable_tys = Vec::new();
    let mut extract = TokenStream::new();
    let mut args = Vec::new();
    if let Some(b) = &sig.body {
        let ty = b.ty.tokens(rt);
        extract.extend(match b.kind {
            BodyKind::Multipart => quote! {
                let body: #ty = #rt::FromContext::from_context(ctx)?;
            },
            BodyKind::Json | BodyKind::Form => {
                let kind = format_ident!("{}", if b.kind == BodyKind::Json { "Json" } else { "Form" });
                quote! {
                    let #rt::#kind(body): #rt::#kind<#ty> = #rt::FromContext::from_context(ctx)?;
                }
            }
        });
        args.push(quote!(body));
        arg_tys.push(ty);
        readable_tys.push(b.ty.readable(rt));
    }
    for (location, extractor, var) in LOCATIONS {
        let params: Vec<_> = sig.params.iter().filter(|p| p.location == location).collect();
        if params.is_empty() {
            continue;
        }
        let struct_name = format_ident!("{}Params", type_name(var));
        let (extractor, var) = (ident(extractor), ident(var));
        let mut fields = Vec::new();
        for p in params {
            let (name, field, ty) = (&p.name, ident(&p.ident), p.ty.tokens(rt));
            // An optional parameter that was not sent is `None`; a required
            // one is there (the runtime refused the request otherwise), and
            // its type need not have a default (a generated struct has none).
            let default = matches!(p.ty, crate::ty::Ty::Option(_)).then(|| quote!(, default));
            fields.push(quote! {
                #[serde(rename = #name #default)]
                #field: #ty,
            });
            args.push(quote!(#var.#field));
            arg_tys.push(ty);
            readable_tys.push(p.ty.readable(rt));
        }
        extract.extend(quote! {
            #[derive(#rt::serde::Deserialize)]
            #[serde(crate = #serde_crate)]
            struct #struct_name {
                #(#fields)*
            }
            let #rt::#extractor(#var): #rt::#extractor<#struct_name> = #rt::FromContext::from_context(ctx)?;
        });
    }
    let trait_name = format_ident!("{}Handler", type_name(&op.id));
    let ret = sig.ret.tokens(rt);
    let args_ty = tuple(&arg_tys);
    let vars: Vec<TokenStream> = (0..arg_tys.len())
        .map(|i| {
            let var = format_ident!("a{i}");
            quote!(#var)
        })
        .collect();
    let vars_pattern = tuple(&vars);
    let args_value = tuple(&args);
    let expected =
        format!("async fn({}) -> {}::Result<{}>", readable_tys.join(", "), rt.readable(), sig.ret.readable(rt));
    let file_name =
        std::path::Path::new(&spec_file).file_name().map_or(spec_file.clone(), |f| f.to_string_lossy().into_owned());
    let local = format_ident!("x_bind_server_of_{}_in_{}", ident_like(&op.id), field_name(&file_name));
    // An operation without arguments does not read the context.
    let ctx = format_ident!("{}", if extract.is_empty() { "_ctx" } else { "ctx" });
    let doc = format!(" Operation `{}`: {} {path} in {spec_file}; calls `{target}`.", op.id, op.method);
    let message = diagnostic_text(&format!(
        "`{target}` does not fit operation `{}` ({} {path}) of {spec_file}",
        op.id, op.method
    ));
    let label =
        diagnostic_text(&format!("`x-bind-server` of operation `{}` in {spec_file} names this function", op.id));
    let note = diagnostic_text(&format!("operation `{}` of {spec_file} is handled by `{expected}`", op.id));
    let not_a_handler_doc = format!(
        " Implemented by nothing: with a second candidate impl, the compiler reports the unmet `{trait_name}` (and its message) instead of a mismatch inside the first."
    );
    let reply = match sig.reply {
        ReplyKind::Value => quote! {
            #rt::Reply::into_response(reply?)
        },
        ReplyKind::WithStatus(status) => {
            let status = proc_macro2::Literal::u16_unsuffixed(status);
            quote! {
                #rt::Reply::into_response(#rt::WithStatus(#status, reply?))
            }
        }
        ReplyKind::Empty(status) => {
            let status = proc_macro2::Literal::u16_unsuffixed(status);
            quote! {
                reply?;
                #rt::Reply::into_response(#rt::Response::empty(#status))
            }
        }
    };
    Ok(quote! {
        #[doc = #doc]
        #[allow(non_snake_case)]
        fn #wrapper(#ctx: &#rt::Context) -> #rt::HandlerFuture {
            type Args = #args_ty;
            type Returns = #rt::Result<#ret>;
            #[diagnostic::on_unimplemented(
                message = #message,
                label = #label,
                note = #note,
                note = "the arguments are the body (if any), then the path, query, header and cookie parameters in spec order"
            )]
            trait #trait_name<M> {
                type Future: ::std::future::Future<Output = Returns>;
                fn handle(self, args: Args) -> Self::Future;
            }
            impl<F, Fut> #trait_name<(Fut,)> for F
            where
                F: Fn(#(#arg_tys),*) -> Fut,
                Fut: ::std::future::Future<Output = Returns>,
            {
                type Future = Fut;
                fn handle(self, #vars_pattern: Args) -> Fut {
                    self(#(#vars),*)
                }
            }
            #[doc = #not_a_handler_doc]
            trait NotAHandler {}
            impl<F: NotAHandler> #trait_name<()> for F {
                type Future = ::std::future::Pending<Returns>;
                fn handle(self, _: Args) -> Self::Future {
                    ::std::future::pending()
                }
            }
            // The future is named through the trait (not `impl Future`), so a
            // handler that does not fit is reported once, not at every use.
            fn call<F: #trait_name<M>, M>(handler: F, args: Args) -> <F as #trait_name<M>>::Future {
                handler.handle(args)
            }
            // The arguments are read from the borrowed context before the
            // future starts: the future owns them, not a copy of the context.
            fn arguments(#ctx: &#rt::Context) -> #rt::Result<Args> {
                #extract
                Ok(#args_value)
            }
            let args = arguments(#ctx);
            let #local = #target_path;
            ::std::boxed::Box::pin(async move {
                // Typed, so that a missing function is one error, not a cascade.
                let reply: Returns = call(#local, args?).await;
                #reply
            })
        }
    })
}
