//! The Rust types generated code spells: a small tree, printed two ways.
//!
//! Models decide types before anything is printed (recursive edges are
//! boxed once every type is known), and the same type appears both in code
//! and in the compile-error messages of the bindings, where a user reads
//! `Option<String>`, not `::std::option::Option<::std::string::String>`.
//! So a type is kept as a [`Ty`]; [`Ty::tokens`] gives the fully qualified
//! code, [`Ty::readable`] the short spelling.

use proc_macro2::TokenStream;
use quote::quote;

use crate::names::ident;
use crate::paths::Runtime;

/// A Rust type, before printing.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Ty {
    /// A type the generated module defines.
    Named(String),
    Vec(Box<Ty>),
    /// `BTreeMap<String, T>`.
    Map(Box<Ty>),
    Option(Box<Ty>),
    Boxed(Box<Ty>),
    Prim(Prim),
}

/// The types generated code uses without defining them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Prim {
    String,
    I32,
    I64,
    F64,
    Bool,
    /// `chrono::NaiveDate`.
    Date,
    /// `chrono::DateTime<FixedOffset>`.
    DateTime,
    /// `uuid::Uuid`.
    Uuid,
    /// `serde_json::Value`: any JSON.
    Value,
    /// `serde_json::Map<String, Value>`: any JSON object.
    JsonObject,
    /// `()`: a reply without a body.
    Unit,
    /// The runtime's multipart body.
    Multipart,
    /// The runtime's response: a reply the spec does not type.
    Response,
}

impl Ty {
    /// `Option<self>`, unless it is one already.
    pub fn option(self) -> Ty {
        match self {
            Ty::Option(_) => self,
            other => Ty::Option(Box::new(other)),
        }
    }

    /// The named type held by value (through `Option`/`Box`), if any.
    pub fn by_value(&self) -> Option<&str> {
        match self {
            Ty::Named(n) => Some(n),
            Ty::Option(t) | Ty::Boxed(t) => t.by_value(),
            _ => None,
        }
    }

    /// The same type with the named type it holds by value boxed.
    pub fn boxed(self) -> Ty {
        match self {
            Ty::Option(t) => Ty::Option(Box::new(t.boxed())),
            Ty::Named(_) => Ty::Boxed(Box::new(self)),
            other => other,
        }
    }

    /// The type as code: fully qualified, so no `use` of the user's can
    /// shadow it.
    pub fn tokens(&self, rt: &Runtime) -> TokenStream {
        match self {
            Ty::Named(name) => {
                let name = ident(name);
                quote!(#name)
            }
            Ty::Vec(t) => {
                let t = t.tokens(rt);
                quote!(::std::vec::Vec<#t>)
            }
            Ty::Map(t) => {
                let t = t.tokens(rt);
                quote!(::std::collections::BTreeMap<::std::string::String, #t>)
            }
            Ty::Option(t) => {
                let t = t.tokens(rt);
                quote!(::std::option::Option<#t>)
            }
            Ty::Boxed(t) => {
                let t = t.tokens(rt);
                quote!(::std::boxed::Box<#t>)
            }
            Ty::Prim(p) => match p {
                Prim::String => quote!(::std::string::String),
                Prim::I32 => quote!(i32),
                Prim::I64 => quote!(i64),
                Prim::F64 => quote!(f64),
                Prim::Bool => quote!(bool),
                Prim::Date => quote!(#rt::chrono::NaiveDate),
                Prim::DateTime => quote!(#rt::chrono::DateTime<#rt::chrono::FixedOffset>),
                Prim::Uuid => quote!(#rt::uuid::Uuid),
                Prim::Value => quote!(#rt::serde_json::Value),
                Prim::JsonObject => quote!(#rt::serde_json::Map<::std::string::String, #rt::serde_json::Value>),
                Prim::Unit => quote!(()),
                Prim::Multipart => quote!(#rt::Multipart),
                Prim::Response => quote!(#rt::Response),
            },
        }
    }

    /// The type as a user writes it, for messages: `std` paths shortened
    /// (`Option<i32>`), the runtime's kept (`macaron::chrono::NaiveDate`).
    pub fn readable(&self, rt: &Runtime) -> String {
        self.spelled(rt.readable())
    }

    fn spelled(&self, rt: &str) -> String {
        match self {
            Ty::Named(name) => name.clone(),
            Ty::Vec(t) => format!("Vec<{}>", t.spelled(rt)),
            Ty::Map(t) => format!("BTreeMap<String, {}>", t.spelled(rt)),
            Ty::Option(t) => format!("Option<{}>", t.spelled(rt)),
            Ty::Boxed(t) => format!("Box<{}>", t.spelled(rt)),
            Ty::Prim(p) => match p {
                Prim::String => "String".into(),
                Prim::I32 => "i32".into(),
                Prim::I64 => "i64".into(),
                Prim::F64 => "f64".into(),
                Prim::Bool => "bool".into(),
                Prim::Date => format!("{rt}::chrono::NaiveDate"),
                Prim::DateTime => format!("{rt}::chrono::DateTime<{rt}::chrono::FixedOffset>"),
                Prim::Uuid => format!("{rt}::uuid::Uuid"),
                Prim::Value => format!("{rt}::serde_json::Value"),
                Prim::JsonObject => format!("{rt}::serde_json::Map<String, {rt}::serde_json::Value>"),
                Prim::Unit => "()".into(),
                Prim::Multipart => format!("{rt}::Multipart"),
                Prim::Response => format!("{rt}::Response"),
            },
        }
    }
}
