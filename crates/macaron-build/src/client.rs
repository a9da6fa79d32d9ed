//! The typed client of an API: one method per operation, taking the same
//! arguments in the same order as the operation's handler and returning the
//! same types, over the runtime's `client::HttpClient`; a remote error
//! comes back as a `macaron::Error`. Each parameter is written in the
//! style its spec declares (`client::Param`: location, `style`, `explode`,
//! `allowReserved`), the inverse of how a Macaron service reads it.
//! Operations with a multipart body have no method.
//!
//! [`only`] is the code of a vendor's document: its types and this client,
//! without bindings.

use macaron_spec::{Api, Operation, ParamLocation, ParamStyle, Part};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::models::Models;
use crate::names::{field_name, ident, Namer};
use crate::paths::Runtime;
use crate::signature::{self, BodyKind, Content, ParamArg, Signature, Success};
use crate::ty::Ty;

/// A client method before it is named: its name is only free once every
/// operation's is known (`getThing` and `get-thing` are both `get_thing`;
/// `new`, `with` and `http` are the client's own).
pub(crate) struct Method {
    base: String,
    attrs: TokenStream,
    args: Vec<TokenStream>,
    ret: TokenStream,
    body: TokenStream,
}

/// The `Client` type and its methods.
/// With `own` (an API's client beside its service), the items are marked
/// `#[RUNTIME::__client_item]`: kept only when `macaron` has its feature
/// `client`. A vendor's client (`apis/clients/`) needs the feature.
pub(crate) fn tokens(methods: &[Method], rt: &Runtime, own: bool) -> TokenStream {
    let mark = own.then(|| quote!(#[#rt::__client_item]));
    let mut names = Namer::default();
    for taken in ["new", "with", "http"] {
        names.reserve(taken);
    }
    let methods = methods.iter().map(|m| {
        let Method { base, attrs, args, ret, body } = m;
        let name = ident(&names.fresh(base));
        quote! {
            #attrs
            pub async fn #name(&self, #(#args),*) -> #rt::Result<#ret> {
                #body
            }
        }
    });
    quote! {
        /// A typed client of this API: one method per operation, the same types as the service.
        #mark
        #[derive(Debug, Clone)]
        pub struct Client {
            inner: #rt::client::HttpClient,
        }

        #mark
        impl Client {
            /// A client of the service at `base_url` (`http://host:port`).
            pub fn new(base_url: impl ::std::convert::Into<::std::string::String>) -> Self {
                Client { inner: #rt::client::HttpClient::new(base_url) }
            }

            /// A client over a configured HTTP core (timeouts, retries, token forwarding).
            pub fn with(inner: #rt::client::HttpClient) -> Self {
                Client { inner }
            }

            /// The HTTP core this client sends through.
            pub fn http(&self) -> &#rt::client::HttpClient {
                &self.inner
            }

            #(#methods)*
        }
    }
}

/// The code of a document read as a vendor's: the success enums of its
/// operations and the client (the types are the caller's `models`).
pub(crate) fn only(models: &mut Models, api: &Api, rt: &Runtime) -> TokenStream {
    let mut out = TokenStream::new();
    let mut methods = Vec::new();
    for op in &api.operations {
        let sig = signature::of(models, op, rt);
        out.extend(sig.response_enum.clone());
        methods.extend(method(&sig, op, rt));
    }
    out.extend(tokens(&methods, rt, false));
    out
}

/// Literal text of a path, its braces encoded as they are sent (`%7B`,
/// `%7D`): only a parameter's place is `{name}` in the template.
fn literal(text: &str) -> String {
    text.replace('{', "%7B").replace('}', "%7D")
}

/// The path template of an operation: its prefix and path as written,
/// `{name}` where a declared path parameter goes (an undeclared one is
/// left empty).
fn path_template(sig: &Signature, op: &Operation) -> String {
    let mut path = literal(&op.prefix);
    for segment in op.path.segments() {
        path.push('/');
        for part in segment {
            match part {
                Part::Literal(text) => path.push_str(&literal(text)),
                Part::Param(name) => {
                    if sig.params.iter().any(|p| p.location == ParamLocation::Path && &p.name == name) {
                        path.push('{');
                        path.push_str(name);
                        path.push('}');
                    }
                }
            }
        }
    }
    if let Some(q) = op.path.query() {
        path.push('?');
        path.push_str(&literal(q));
    }
    path
}

/// `Param::query(name)` (or `path`, `header`, `cookie`), with its style, explode and
/// allowReserved where they are not the location's defaults.
fn param(p: &ParamArg, rt: &Runtime) -> TokenStream {
    let (constructor, default_style) = match p.location {
        ParamLocation::Path => (quote!(path), ParamStyle::Simple),
        ParamLocation::Query => (quote!(query), ParamStyle::Form),
        ParamLocation::Header => (quote!(header), ParamStyle::Simple),
        ParamLocation::Cookie => (quote!(cookie), ParamStyle::Form),
    };
    let name = &p.name;
    let mut out = quote!(#rt::client::Param::#constructor(#name));
    if p.style != default_style {
        let style = format_ident!("{}", format!("{:?}", p.style));
        out.extend(quote!(.style(#rt::client::ParamStyle::#style)));
    }
    // deepObject is written the same exploded or not.
    let default_explode = matches!(p.style, ParamStyle::Form);
    if p.explode != default_explode && p.style != ParamStyle::DeepObject {
        let explode = p.explode;
        out.extend(quote!(.explode(#explode)));
    }
    if p.allow_reserved && p.location == ParamLocation::Query {
        out.extend(quote!(.allow_reserved(true)));
    }
    out
}

/// The client method of an operation (none for multipart bodies).
pub(crate) fn method(sig: &Signature, op: &Operation, rt: &Runtime) -> Option<Method> {
    if sig.body.as_ref().is_some_and(|b| b.kind == BodyKind::Multipart) {
        return None;
    }
    let mut args = Vec::new();
    if let Some(b) = &sig.body {
        let ty = b.ty.tokens(rt);
        args.push(quote!(body: #ty));
    }
    for p in &sig.params {
        let (name, ty) = (ident(&p.ident), p.ty.tokens(rt));
        args.push(quote!(#name: #ty));
    }
    let doc = format!(" `{}`: {} {}", op.id, op.method, op.full_path());
    // The method takes what the operation takes: clippy's limit on the
    // number of arguments (seven, `&self` included) is the spec's to keep.
    let allow = (args.len() + 1 > 7).then(|| quote!(#[allow(clippy::too_many_arguments)]));
    let method = op.method.as_str();
    let path = path_template(sig, op);
    let mut build = TokenStream::new();
    for p in &sig.params {
        let (spec, value) = (param(p, rt), ident(&p.ident));
        build.extend(quote!(__request.param(&#spec, &#value)?;));
    }
    if let Some(b) = &sig.body {
        let send = match b.kind {
            BodyKind::Form => quote!(form),
            _ => quote!(json),
        };
        build.extend(match &b.ty {
            // An optional body that is absent is no body, not `null`.
            Ty::Option(_) => quote! {
                if let ::std::option::Option::Some(body) = &body {
                    __request.#send(body)?;
                }
            },
            _ => quote!(__request.#send(&body)?;),
        });
    }
    let call = match sig.successes.as_slice() {
        [Success { content: Content::Json(_), .. }] => quote! {
            self.inner.call(&__request).await
        },
        many => {
            let enum_name = match (&sig.ret, many.len() > 1) {
                (Ty::Named(name), true) => Some(ident(name)),
                _ => None,
            };
            let mut arms: Vec<TokenStream> = many
                .iter()
                .map(|s| {
                    let status = s.literal();
                    let value = match (&s.content, &enum_name) {
                        (Content::Raw, Some(e)) => {
                            let variant = s.variant();
                            quote!(#e::#variant(#rt::Response::bytes(#status, "application/octet-stream", __bytes)))
                        }
                        (Content::Json(_), Some(e)) => {
                            let variant = s.variant();
                            quote!(#e::#variant(#rt::client::decode(&__bytes)?))
                        }
                        (Content::Empty, Some(e)) => {
                            let variant = s.variant();
                            quote!(#e::#variant)
                        }
                        (Content::Raw | Content::Json(_), None) => {
                            quote!(#rt::Response::bytes(#status, "application/octet-stream", __bytes))
                        }
                        (Content::Empty, None) => quote!(()),
                    };
                    quote!(#status => ::std::result::Result::Ok(#value),)
                })
                .collect();
            if many.is_empty() {
                arms.push(quote! {
                    200..=299 => ::std::result::Result::Ok(#rt::Response::bytes(__status, "application/octet-stream", __bytes)),
                });
            }
            quote! {
                let (__status, __bytes) = self.inner.send(&__request).await?;
                match __status {
                    #(#arms)*
                    _ => ::std::result::Result::Err(#rt::client::remote_error(__status, &__bytes)),
                }
            }
        }
    };
    let mutable = (!build.is_empty()).then(|| quote!(mut));
    Some(Method {
        base: field_name(&op.id),
        attrs: quote! {
            #[doc = #doc]
            #allow
        },
        args,
        ret: sig.ret.tokens(rt),
        body: quote! {
            let #mutable __request = #rt::client::Request::new(#method, #path);
            #build
            #call
        },
    })
}
