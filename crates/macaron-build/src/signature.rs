//! An operation's Rust signature, shared by its server binding and its
//! client method: what it takes (the body first, then path, query, header
//! and cookie parameters in spec order) and what it returns.
//!
//! | success responses | returns |
//! |---|---|
//! | one, with a JSON schema | the schema's type |
//! | one, without a body (204) | `()` |
//! | several | a generated enum `{Operation}Response` with a variant per status |
//! | none, or not JSON | the runtime's `Response` |
//!
//! The enum of several statuses is defined here (with its `Reply`), as its
//! name is only known once the signature is.

use macaron_spec::{Operation, ParamLocation, ParamStyle, Status};
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use crate::models::Models;
use crate::names::{field_name, ident, type_name, Namer};
use crate::paths::Runtime;
use crate::ty::{Prim, Ty};

/// What a success response carries.
pub(crate) enum Content {
    /// Nothing (204).
    Empty,
    /// JSON of this type.
    Json(Ty),
    /// Something else (a file, text): handed over as bytes.
    Raw,
}

/// One success response.
pub(crate) struct Success {
    pub status: u16,
    pub content: Content,
}

impl Success {
    /// `Status201`: the variant of the response enum.
    pub fn variant(&self) -> syn::Ident {
        format_ident!("Status{}", self.status)
    }

    /// The status as a literal (`201`, not `201u16`).
    pub fn literal(&self) -> Literal {
        Literal::u16_unsuffixed(self.status)
    }
}

/// How a body reaches the handler.
#[derive(Clone, Copy, PartialEq)]
pub(crate) enum BodyKind {
    Json,
    Form,
    Multipart,
}

/// The body argument of an operation.
pub(crate) struct BodyArg {
    pub kind: BodyKind,
    pub ty: Ty,
}

/// A parameter argument.
pub(crate) struct ParamArg {
    /// The wire name.
    pub name: String,
    pub location: ParamLocation,
    /// The argument's Rust name.
    pub ident: String,
    pub ty: Ty,
    /// How the client writes it (`style`, `explode`, `allowReserved`).
    pub style: ParamStyle,
    pub explode: bool,
    pub allow_reserved: bool,
}

/// How a binding turns the handler's value into a reply.
pub(crate) enum ReplyKind {
    /// The value is the reply (its status is 200, or it says its own).
    Value,
    /// The value, sent with this status.
    WithStatus(u16),
    /// No body: this status.
    Empty(u16),
}

/// An operation's Rust signature.
pub(crate) struct Signature {
    pub body: Option<BodyArg>,
    pub params: Vec<ParamArg>,
    pub successes: Vec<Success>,
    /// The type the handler's `Result` holds.
    pub ret: Ty,
    pub reply: ReplyKind,
    /// The enum of several success statuses (defined before the operation's code).
    pub response_enum: Option<TokenStream>,
}

/// Parameter locations in argument order: the runtime's extractor and the
/// binding's variable of each.
pub(crate) const LOCATIONS: [(ParamLocation, &str, &str); 4] = [
    (ParamLocation::Path, "Path", "path"),
    (ParamLocation::Query, "Query", "query"),
    (ParamLocation::Header, "Headers", "headers"),
    (ParamLocation::Cookie, "Cookies", "cookies"),
];

fn is_json(media: &str) -> bool {
    let m = media.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    m == "application/json" || m.ends_with("+json")
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
        let content = match schema {
            Some(schema) => Content::Json(models.type_for(schema, &format!("{hint}{status}"))),
            None if !response.content.is_empty() => Content::Raw,
            None => Content::Empty,
        };
        out.push(Success { status, content });
    }
    out
}

/// The signature of `op`, defining the types it needs in `models`.
pub(crate) fn of(models: &mut Models, op: &Operation, rt: &Runtime) -> Signature {
    let op_type = type_name(&op.id);
    let body = op.request_body.as_ref().and_then(|request| {
        let json = request.content.iter().find(|(m, _)| is_json(m));
        let form = request.content.iter().find(|(m, _)| m.starts_with("application/x-www-form-urlencoded"));
        let (kind, schema) = match (json, form) {
            (Some((_, m)), _) => (BodyKind::Json, m.schema.as_ref()),
            (None, Some((_, m))) => (BodyKind::Form, m.schema.as_ref()),
            _ if request.content.keys().any(|m| m.starts_with("multipart/")) => {
                return Some(BodyArg { kind: BodyKind::Multipart, ty: Ty::Prim(Prim::Multipart) })
            }
            _ => return None,
        };
        let ty = match schema {
            Some(s) => models.type_for(s, &format!("{op_type}Body")),
            None => Ty::Prim(Prim::Value),
        };
        let ty = if request.required { ty } else { Ty::Option(Box::new(ty)) };
        Some(BodyArg { kind, ty })
    });
    let mut params = Vec::new();
    // One namer for every parameter: the client takes them all as arguments
    // (`body` is taken by the body).
    let mut idents = Namer::default();
    idents.reserve("body");
    for (location, _, _) in LOCATIONS {
        for p in op.parameters.iter().filter(|p| p.location == location) {
            let ident = idents.fresh(&field_name(&p.name));
            let ty = models.type_for(&p.schema, &format!("{op_type}{}", type_name(&p.name)));
            let ty = if p.required { ty } else { Ty::Option(Box::new(ty)) };
            params.push(ParamArg {
                name: p.name.clone(),
                location,
                ident,
                ty,
                style: p.style,
                explode: p.explode,
                allow_reserved: p.allow_reserved,
            });
        }
    }
    let successes = successes(models, op, &format!("{op_type}Response"));
    let mut response_enum = None;
    let (ret, reply) = match successes.as_slice() {
        [] | [Success { content: Content::Raw, .. }] => (Ty::Prim(Prim::Response), ReplyKind::Value),
        [Success { status, content: Content::Json(t) }] => {
            let reply = if *status == 200 { ReplyKind::Value } else { ReplyKind::WithStatus(*status) };
            (t.clone(), reply)
        }
        [Success { status, content: Content::Empty }] => (Ty::Prim(Prim::Unit), ReplyKind::Empty(*status)),
        many => {
            let name = models.fresh_name(&format!("{op_type}Response"));
            response_enum = Some(response_enum_tokens(&name, op, many, rt));
            (Ty::Named(name), ReplyKind::Value)
        }
    };
    Signature { body, params, successes, ret, reply, response_enum }
}

/// The enum of several success replies, and how each becomes a response.
fn response_enum_tokens(name: &str, op: &Operation, many: &[Success], rt: &Runtime) -> TokenStream {
    let doc = format!(" The success replies of `{}`: one variant per status.", op.id);
    // Variants are named after their status (`Status201`, ...): with three
    // or more, clippy sees a shared prefix; their sizes are the spec's.
    let names_allow = (many.len() >= 3).then(|| quote!(, clippy::enum_variant_names));
    let variants = many.iter().map(|s| {
        let variant = s.variant();
        match &s.content {
            Content::Raw => {
                let doc = format!(" Status {}.", s.status);
                quote!(#[doc = #doc] #variant(#rt::Response),)
            }
            Content::Json(t) => {
                let doc = format!(" Status {}.", s.status);
                let t = t.tokens(rt);
                quote!(#[doc = #doc] #variant(#t),)
            }
            Content::Empty => {
                let doc = format!(" Status {}, no body.", s.status);
                quote!(#[doc = #doc] #variant,)
            }
        }
    });
    let arms = many.iter().map(|s| {
        let (variant, status) = (s.variant(), s.literal());
        match &s.content {
            Content::Raw => quote!(Self::#variant(r) => #rt::Reply::into_response(#rt::WithStatus(#status, r)),),
            Content::Json(_) => quote!(Self::#variant(v) => #rt::Reply::into_response(#rt::WithStatus(#status, v)),),
            Content::Empty => quote!(Self::#variant => ::std::result::Result::Ok(#rt::Response::empty(#status)),),
        }
    });
    let name = ident(name);
    quote! {
        #[doc = #doc]
        #[derive(Debug)]
        #[allow(clippy::large_enum_variant #names_allow)]
        pub enum #name {
            #(#variants)*
        }

        impl #rt::Reply for #name {
            fn into_response(self) -> #rt::Result<#rt::Response> {
                match self {
                    #(#arms)*
                }
            }
        }
    }
}
