//! The typed client of an API: one method per operation, taking the same
//! arguments in the same order as the operation's handler and returning the
//! same types, over the runtime's `client::HttpClient`; a remote error
//! object comes back as the same `macaron::Error`. Operations with a
//! multipart body have no method.

use macaron_spec::{Operation, ParamLocation, Part};
use proc_macro2::TokenStream;
use quote::quote;

use crate::names::{field_name, ident};
use crate::paths::Runtime;
use crate::signature::{BodyKind, Content, Signature, Success};
use crate::ty::Ty;

/// The `Client` type and its methods.
pub(crate) fn tokens(methods: &[TokenStream], rt: &Runtime) -> TokenStream {
    quote! {
        /// A typed client of this API: one method per operation, the same types as the service.
        #[derive(Debug, Clone)]
        pub struct Client {
            inner: #rt::client::HttpClient,
        }

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

/// Escapes literal text for a `format!` string.
fn format_text(text: &str) -> String {
    text.replace('{', "{{").replace('}', "}}")
}

/// The expression of the request's path: a plain string, or a `format!`
/// of the literal parts and the path parameters (each encoded).
fn path_expr(sig: &Signature, op: &Operation, rt: &Runtime) -> TokenStream {
    // The same path twice: as written (no parameter) and as a format string.
    let mut plain = op.prefix.clone();
    let mut format = format_text(&op.prefix);
    let mut format_args = Vec::new();
    for segment in op.path.segments() {
        plain.push('/');
        format.push('/');
        for part in segment {
            match part {
                Part::Literal(text) => {
                    plain.push_str(text);
                    format.push_str(&format_text(text));
                }
                Part::Param(name) => {
                    format.push_str("{}");
                    let param = sig.params.iter().find(|p| p.location == ParamLocation::Path && &p.name == name);
                    let value = match param {
                        Some(p) => {
                            let ident = ident(&p.ident);
                            quote!(#ident)
                        }
                        None => quote!(""),
                    };
                    format_args.push(quote!(#rt::client::path_param(&#value)));
                }
            }
        }
    }
    if let Some(q) = op.path.query() {
        plain.push('?');
        plain.push_str(q);
        format.push('?');
        format.push_str(&format_text(q));
    }
    if format_args.is_empty() {
        quote!(::std::string::String::from(#plain))
    } else {
        quote!(format!(#format, #(#format_args),*))
    }
}

/// The client method of an operation (none for multipart bodies).
pub(crate) fn method(sig: &Signature, op: &Operation, rt: &Runtime) -> Option<TokenStream> {
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
    let name = ident(&field_name(&op.id));
    let ret = sig.ret.tokens(rt);
    let path = path_expr(sig, op, rt);
    let mut params = TokenStream::new();
    for p in &sig.params {
        let target = match p.location {
            ParamLocation::Query => quote!(__query),
            ParamLocation::Header => quote!(__headers),
            _ => continue,
        };
        let (wire, value, explode) = (&p.name, ident(&p.ident), p.explode);
        params.extend(quote! {
            #rt::client::push_param(&mut #target, #wire, &#value, #explode);
        });
    }
    let cookies: Vec<_> = sig.params.iter().filter(|p| p.location == ParamLocation::Cookie).collect();
    if !cookies.is_empty() {
        let pushes = cookies.iter().map(|p| {
            let (wire, value) = (&p.name, ident(&p.ident));
            quote!(#rt::client::push_param(&mut __cookies, #wire, &#value, false);)
        });
        params.extend(quote! {
            let mut __cookies: #rt::client::Pairs = ::std::vec::Vec::new();
            #(#pushes)*
            if !__cookies.is_empty() {
                __headers.push(("Cookie".to_string(), __cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<::std::vec::Vec<_>>().join("; ")));
            }
        });
    }
    let body = match &sig.body {
        Some(_) => quote!(::std::option::Option::Some(#rt::client::body(&body)?)),
        None => quote!(::std::option::Option::None),
    };
    let method = op.method.as_str();
    let call = match sig.successes.as_slice() {
        [Success { content: Content::Json(_), .. }] => quote! {
            self.inner.call(#method, &__path, __query, __headers, #body).await
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
                let (__status, __bytes) = self.inner.send(#method, &__path, __query, __headers, #body).await?;
                match __status {
                    #(#arms)*
                    _ => ::std::result::Result::Err(#rt::client::remote_error(__status, &__bytes)),
                }
            }
        }
    };
    Some(quote! {
        #[doc = #doc]
        #allow
        pub async fn #name(&self, #(#args),*) -> #rt::Result<#ret> {
            let __path = #path;
            #[allow(unused_mut)]
            let mut __query: #rt::client::Pairs = ::std::vec::Vec::new();
            #[allow(unused_mut)]
            let mut __headers: #rt::client::Pairs = ::std::vec::Vec::new();
            #params
            #call
        }
    })
}
