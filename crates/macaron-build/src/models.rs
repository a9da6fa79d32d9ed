//! API objects: a Rust type for every schema.
//!
//! Every component schema becomes a named type, and every inline object,
//! string enum or union met inside one becomes a named type of its own
//! (`Pet` + property `owner` gives `PetOwner`), so nothing is anonymous and
//! every type can be named by handlers and clients.
//!
//! | schema | Rust |
//! |---|---|
//! | object with `properties` (and `allOf`, merged) | `struct`, optional fields as `Option`, wire names kept with `#[serde(rename)]` |
//! | `additionalProperties: S` alone | `BTreeMap<String, S>` |
//! | string `enum` | `enum` with a variant per value |
//! | `oneOf` / `anyOf` | `#[serde(untagged)] enum` with a variant per alternative |
//! | `type: [T, "null"]`, `anyOf: [T, {type: null}]` | `Option<T>` (serialised as `null`) |
//! | `string` with `format` date, date-time, uuid | `chrono::NaiveDate`, `chrono::DateTime<FixedOffset>`, `uuid::Uuid` |
//! | `integer` (`int32`), `number`, `boolean` | `i64` (`i32`), `f64`, `bool` |
//! | anything else (mixed types, no constraint) | `serde_json::Value` |
//!
//! Types that contain themselves by value (directly or through others) are
//! found as strongly connected components of the "contains by value" graph,
//! and exactly those edges are boxed.
//!
//! Types are decided first (a [`Def`] each, with [`Ty`]s for fields and
//! variants), so that boxing sees them all; [`Models::tokens`] prints them
//! last.

use std::collections::{HashMap, HashSet};

use macaron_spec::Api;
use proc_macro2::TokenStream;
use quote::quote;
use serde_json::Value;

use crate::docs;
use crate::names::{field_name, ident, type_name, Namer};
use crate::paths::{self, Runtime};
use crate::ty::{Prim, Ty};
use crate::Error;

pub(crate) struct Field {
    pub ident: String,
    pub wire: String,
    pub ty: Ty,
    pub required: bool,
    pub send_null: bool,
    /// Not required and nullable: `Option<Option<T>>`, absent (`None`)
    /// apart from `null` (`Some(None)`), so both come back as they came.
    pub absent_or_null: bool,
    pub doc: Option<String>,
}

pub(crate) enum Def {
    Struct { name: String, doc: Option<String>, fields: Vec<Field>, extra: Option<Ty>, component: Option<String> },
    Enum { name: String, doc: Option<String>, variants: Vec<(String, String)> },
    Union { name: String, doc: Option<String>, variants: Vec<(String, Ty)> },
    Alias { name: String, doc: Option<String>, ty: Ty },
}

impl Def {
    fn name(&self) -> &str {
        match self {
            Def::Struct { name, .. } | Def::Enum { name, .. } | Def::Union { name, .. } | Def::Alias { name, .. } => {
                name
            }
        }
    }
}

/// Generates the types of one API.
pub(crate) struct Models<'a> {
    api: &'a Api,
    namer: Namer,
    components: HashMap<String, String>,
    /// Inline types already defined, by [`inline_key`]: the same inline
    /// schema met twice (an enum reached through `allOf` from two objects)
    /// is one type.
    inline_types: HashMap<String, String>,
    pub defs: Vec<Def>,
}

const ANNOTATIONS: [&str; 9] =
    ["$ref", "title", "description", "default", "example", "examples", "readOnly", "writeOnly", "deprecated"];

impl<'a> Models<'a> {
    pub fn new(api: &'a Api, namer: Namer) -> Self {
        let mut models =
            Models { api, namer, components: HashMap::new(), inline_types: HashMap::new(), defs: Vec::new() };
        // Names the generated module defines besides the types.
        for taken in ["Client", "SPEC", "SPEC_NAME"] {
            models.namer.reserve(taken);
        }
        for (name, schema) in &api.schemas {
            let rust = models.namer.fresh(&type_name(name));
            // An inline enum of the same values as a component enum is that enum.
            if !is_object(schema) && string_enum(schema).is_some() {
                models.inline_types.entry(inline_key(schema)).or_insert_with(|| rust.clone());
            }
            models.components.insert(name.clone(), rust);
        }
        models
    }

    /// The Rust name of a component's type.
    pub fn component_type(&self, name: &str) -> Option<&str> {
        self.components.get(name).map(String::as_str)
    }

    /// Defines every component (call [`Models::finish`] once every other
    /// type is defined).
    pub fn generate(&mut self) {
        let api = self.api;
        for (name, schema) in &api.schemas {
            let rust = self.components[name].clone();
            self.define(schema, rust, Some(name.clone()));
        }
    }

    /// Boxes the recursive fields of everything defined so far.
    pub fn finish(&mut self) {
        self.box_cycles();
    }

    /// The Rust type of a schema met outside the components (a parameter,
    /// a body), defining whatever named type it needs under `hint`.
    pub fn type_for(&mut self, schema: &Value, hint: &str) -> Ty {
        self.ty_of(schema, hint, false)
    }

    /// A fresh type name (for generated response enums).
    pub fn fresh_name(&mut self, base: &str) -> String {
        self.namer.fresh(base)
    }

    fn value(&self) -> Ty {
        Ty::Prim(Prim::Value)
    }

    /// Defines `name` as the type of `schema`.
    fn define(&mut self, schema: &Value, name: String, component: Option<String>) {
        let doc = docs::of(schema);
        if is_object(schema) {
            self.define_struct(schema, name, component);
        } else if let Some(values) = string_enum(schema) {
            self.define_enum(&values, name, doc);
        } else if let Some(alternatives) = union_of(schema).filter(|alts| alts.len() > 1) {
            self.define_union(&alternatives, name, doc);
        } else {
            let ty = self.ty_of(schema, &name, true);
            self.defs.push(Def::Alias { name, doc, ty });
        }
    }

    /// The type of an inline schema: the one already defined for the same
    /// schema, or a fresh name defined on the spot.
    fn inline(&mut self, schema: &Value, hint: &str) -> Ty {
        let key = inline_key(schema);
        if let Some(name) = self.inline_types.get(&key) {
            return Ty::Named(name.clone());
        }
        let name = self.namer.fresh(hint);
        // Registered before defining: a schema that contains itself refers
        // to the type being defined.
        self.inline_types.insert(key, name.clone());
        self.define(schema, name.clone(), None);
        Ty::Named(name)
    }

    /// The type of a schema; `top` is true when `hint` already names it (so
    /// an object is not defined twice).
    fn ty_of(&mut self, schema: &Value, hint: &str, top: bool) -> Ty {
        let Value::Object(map) = schema else { return self.value() };
        if let Some(name) = Api::ref_name(schema) {
            if map.keys().all(|k| ANNOTATIONS.contains(&k.as_str()) || k.starts_with("x-")) {
                let target = name.replace("~1", "/").replace("~0", "~");
                return match self.components.get(&target) {
                    Some(rust) => Ty::Named(rust.clone()),
                    None => self.value(),
                };
            }
        }
        if let Some(alternatives) = union_of(schema) {
            // `null` is an alternative, or one alternative accepts it
            // (`anyOf: [{type: object, nullable: true}, {$ref: X}]`).
            let nullable = alternatives.len() < map_alternatives(schema).len()
                || alternatives.iter().any(|alt| types_of(alt).1 || union_of(alt).is_some_and(|a| a.is_empty()));
            let ty = match alternatives.as_slice() {
                [] => self.value(),
                [one] => {
                    let one = (*one).clone();
                    self.ty_of(&one, hint, false)
                }
                _ if top => return self.value(),
                _ => self.inline(schema, hint),
            };
            return if nullable { ty.option() } else { ty };
        }
        let (types, nullable) = types_of(schema);
        let ty = if let Some(values) = string_enum(schema) {
            if top {
                return self.value();
            }
            let _ = values;
            self.inline(schema, hint)
        } else if map.contains_key("enum") || map.contains_key("const") {
            match types.as_slice() {
                [t] if t == "string" => Ty::Prim(Prim::String),
                _ => self.value(),
            }
        } else if is_object(schema) {
            if top {
                return self.value();
            }
            self.inline(schema, hint)
        } else if let Some(Value::Array(all)) = map.get("allOf") {
            match all.as_slice() {
                [one] => self.ty_of(one, hint, top),
                _ => self.value(),
            }
        } else {
            match types.as_slice() {
                [t] => match t.as_str() {
                    "string" => match map.get("format").and_then(Value::as_str) {
                        Some("date") => Ty::Prim(Prim::Date),
                        Some("date-time") => Ty::Prim(Prim::DateTime),
                        Some("uuid") => Ty::Prim(Prim::Uuid),
                        _ => Ty::Prim(Prim::String),
                    },
                    "integer" => match map.get("format").and_then(Value::as_str) {
                        Some("int32") => Ty::Prim(Prim::I32),
                        _ => Ty::Prim(Prim::I64),
                    },
                    "number" => Ty::Prim(Prim::F64),
                    "boolean" => Ty::Prim(Prim::Bool),
                    "array" => match map.get("items") {
                        Some(items) if items.is_object() => {
                            let items = items.clone();
                            Ty::Vec(Box::new(self.ty_of(&items, &format!("{hint}Item"), false)))
                        }
                        _ => Ty::Vec(Box::new(self.value())),
                    },
                    "object" => match map.get("additionalProperties") {
                        Some(ap @ Value::Object(_)) => {
                            let ap = ap.clone();
                            Ty::Map(Box::new(self.ty_of(&ap, &format!("{hint}Value"), false)))
                        }
                        _ => Ty::Prim(Prim::JsonObject),
                    },
                    _ => self.value(),
                },
                _ => self.value(),
            }
        };
        if nullable {
            ty.option()
        } else {
            ty
        }
    }

    fn define_struct(&mut self, schema: &Value, name: String, component: Option<String>) {
        let mut props: Vec<(String, Value)> = Vec::new();
        let mut required: HashSet<String> = HashSet::new();
        let mut extra = None;
        self.collect(schema, &mut props, &mut required, &mut extra, 0);
        let mut idents = Namer::default();
        let mut fields = Vec::new();
        for (wire, prop) in props {
            let ident = idents.fresh(&field_name(&wire));
            let hint = format!("{name}{}", type_name(&wire));
            let ty = self.ty_of(&prop, &hint, false);
            let required = required.contains(&wire) || macaron_spec::x_mandatory(&prop);
            let send_null = macaron_spec::x_nullable(&prop);
            let absent_or_null = !required && !send_null && matches!(ty, Ty::Option(_));
            let ty = if absent_or_null {
                Ty::Option(Box::new(ty))
            } else if required && !send_null {
                ty
            } else {
                ty.option()
            };
            fields.push(Field { ident, wire, ty, required, send_null, absent_or_null, doc: docs::of(&prop) });
        }
        let extra = match extra {
            Some(ap) => {
                let hint = format!("{name}Value");
                Some(self.ty_of(&ap, &hint, false))
            }
            None => None,
        };
        self.defs.push(Def::Struct { name, doc: docs::of(schema), fields, extra, component });
    }

    /// Gathers properties through `allOf` (resolving references).
    fn collect(
        &self,
        schema: &Value,
        props: &mut Vec<(String, Value)>,
        required: &mut HashSet<String>,
        extra: &mut Option<Value>,
        depth: usize,
    ) {
        if depth > 32 {
            return;
        }
        let schema = self.api.resolve(schema);
        if let Some(Value::Array(all)) = schema.get("allOf") {
            for member in all {
                self.collect(member, props, required, extra, depth + 1);
            }
        }
        if let Some(Value::Object(p)) = schema.get("properties") {
            for (k, v) in p {
                match props.iter_mut().find(|(name, _)| name == k) {
                    Some(existing) => existing.1 = v.clone(),
                    None => props.push((k.clone(), v.clone())),
                }
            }
        }
        if let Some(Value::Array(r)) = schema.get("required") {
            required.extend(r.iter().filter_map(|v| v.as_str().map(String::from)));
        }
        match schema.get("additionalProperties") {
            Some(ap @ Value::Object(_)) => *extra = Some(ap.clone()),
            Some(Value::Bool(true)) => *extra = Some(Value::Bool(true)),
            _ => {}
        }
    }

    fn define_enum(&mut self, values: &[String], name: String, doc: Option<String>) {
        let mut idents = Namer::default();
        let variants = values
            .iter()
            .map(|v| {
                let base = if v.is_empty() { "Empty".to_string() } else { type_name(v) };
                (idents.fresh(&base), v.clone())
            })
            .collect();
        self.defs.push(Def::Enum { name, doc, variants });
    }

    fn define_union(&mut self, alternatives: &[&Value], name: String, doc: Option<String>) {
        let mut idents = Namer::default();
        let mut variants = Vec::new();
        for (i, alt) in alternatives.iter().enumerate() {
            let alt = (*alt).clone();
            let ty = self.ty_of(&alt, &format!("{name}{}", i + 1), false);
            let base = match &ty {
                Ty::Named(n) => n.clone(),
                Ty::Prim(Prim::String) => "String".into(),
                Ty::Prim(Prim::I32) => "I32".into(),
                Ty::Prim(Prim::I64) => "I64".into(),
                Ty::Prim(Prim::F64) => "F64".into(),
                Ty::Prim(Prim::Bool) => "Bool".into(),
                Ty::Vec(_) => "List".into(),
                _ => format!("Variant{}", i + 1),
            };
            variants.push((idents.fresh(&base), ty));
        }
        self.defs.push(Def::Union { name, doc, variants });
    }

    /// Boxes the by-value references that close a cycle (Tarjan's SCCs).
    fn box_cycles(&mut self) {
        let index: HashMap<String, usize> =
            self.defs.iter().enumerate().map(|(i, d)| (d.name().to_string(), i)).collect();
        let edges: Vec<Vec<usize>> = self
            .defs
            .iter()
            .map(|d| {
                let tys: Vec<&Ty> = match d {
                    Def::Struct { fields, .. } => fields.iter().map(|f| &f.ty).collect(),
                    Def::Union { variants, .. } => variants.iter().map(|(_, t)| t).collect(),
                    Def::Alias { ty, .. } => vec![ty],
                    Def::Enum { .. } => Vec::new(),
                };
                tys.into_iter().filter_map(|t| t.by_value()).filter_map(|n| index.get(n).copied()).collect()
            })
            .collect();
        let scc = tarjan(&edges);
        for (i, def) in self.defs.iter_mut().enumerate() {
            let same = |t: &Ty| t.by_value().and_then(|n| index.get(n)).is_some_and(|&j| scc[j] == scc[i]);
            match def {
                Def::Struct { fields, .. } => {
                    for f in fields.iter_mut().filter(|f| same(&f.ty)) {
                        f.ty = f.ty.clone().boxed();
                    }
                }
                Def::Union { variants, .. } => {
                    for (_, t) in variants.iter_mut().filter(|(_, t)| same(t)) {
                        *t = t.clone().boxed();
                    }
                }
                Def::Alias { ty, .. } if same(ty) => *ty = ty.clone().boxed(),
                _ => {}
            }
        }
    }

    /// Whether the named type carries data (a struct, union or alias, not a
    /// field-less enum).
    fn is_data(&self, name: &str) -> bool {
        self.defs.iter().any(|d| d.name() == name && !matches!(d, Def::Enum { .. }))
    }

    /// The code of every type (and of the helper the types need).
    pub fn tokens(&self, rt: &Runtime) -> Result<TokenStream, Error> {
        let mut out = TokenStream::new();
        let nullable_fields = self
            .defs
            .iter()
            .any(|d| matches!(d, Def::Struct { fields, .. } if fields.iter().any(|f| f.absent_or_null)));
        if nullable_fields {
            out.extend(quote! {
                /// Reads a property that may be absent or `null`: `None` when absent (serde's `default`), `Some(None)` when `null`.
                fn nullable_field<'de, D, T>(deserializer: D) -> ::std::result::Result<::std::option::Option<::std::option::Option<T>>, D::Error>
                where
                    D: #rt::serde::Deserializer<'de>,
                    T: #rt::serde::Deserialize<'de>,
                {
                    <::std::option::Option<T> as #rt::serde::Deserialize>::deserialize(deserializer).map(::std::option::Option::Some)
                }
            });
        }
        for def in &self.defs {
            out.extend(match def {
                Def::Struct { name, doc, fields, extra, component } => {
                    self.struct_tokens(name, doc.as_deref(), fields, extra.as_ref(), component.as_deref(), rt)?
                }
                Def::Enum { name, doc, variants } => enum_tokens(name, doc.as_deref(), variants, rt),
                Def::Union { name, doc, variants } => self.union_tokens(name, doc.as_deref(), variants, rt),
                Def::Alias { name, doc, ty } => {
                    let doc = docs::attributes(doc.as_deref());
                    let name = ident(name);
                    let ty = ty.tokens(rt);
                    quote! {
                        #doc
                        pub type #name = #ty;
                    }
                }
            });
        }
        Ok(out)
    }

    /// A struct, and the traits its component's extensions ask for.
    fn struct_tokens(
        &self,
        name: &str,
        doc: Option<&str>,
        fields: &[Field],
        extra: Option<&Ty>,
        component: Option<&str>,
        rt: &Runtime,
    ) -> Result<TokenStream, Error> {
        let doc = docs::attributes(doc);
        let derive = data_derive(rt);
        let name = ident(name);
        let field_tokens = fields.iter().map(|f| field_tokens(f, rt));
        let extra = extra.map(|value| {
            let ty = Ty::Map(Box::new(value.clone())).tokens(rt);
            quote! {
                /// Properties beyond the declared ones.
                #[serde(flatten)]
                pub extra: #ty,
            }
        });
        let mut out = quote! {
            #doc
            #derive
            pub struct #name {
                #(#field_tokens)*
                #extra
            }
        };
        let Some(component) = component else { return Ok(out) };
        out.extend(quote! {
            impl #rt::Model for #name {
                const MODEL_NAME: &'static str = #component;
            }
        });
        let schema = &self.api.schemas[component];
        if let Some(parent) = macaron_spec::x_parent(schema) {
            let parent = paths::parse(parent, || format!("x-parent of schema `{component}` in {}", self.api.file))?;
            out.extend(quote! {
                impl #parent for #name {}
            });
        }
        if let Some(persist) = macaron_spec::x_persist(schema) {
            if let Some(key) = fields.iter().find(|f| f.wire == persist.key) {
                let table = &persist.table;
                let key = ident(&key.ident);
                out.extend(quote! {
                    impl #rt::db::Persistent for #name {
                        const TABLE: &'static str = #table;
                        fn key(&self) -> ::std::string::String {
                            #rt::db::key_text(&self.#key)
                        }
                    }
                });
            }
        }
        Ok(out)
    }

    fn union_tokens(&self, name: &str, doc: Option<&str>, variants: &[(String, Ty)], rt: &Runtime) -> TokenStream {
        let doc = docs::attributes(doc);
        let derive = data_derive(rt);
        let idents: Vec<&str> = variants.iter().map(|(ident, _)| ident.as_str()).collect();
        // Variant names are the alternatives' type names.
        let names_allow = clashing_variant_names(name, &idents).then(|| quote!(#[allow(clippy::enum_variant_names)]));
        // An alternative is as large as the spec makes it; boxing it would
        // change the type users match on.
        let size_allow = variants
            .iter()
            .any(|(_, ty)| ty.by_value().is_some_and(|n| self.is_data(n)))
            .then(|| quote!(#[allow(clippy::large_enum_variant)]));
        let name = ident(name);
        let variants = variants.iter().map(|(variant, ty)| {
            let variant = ident(variant);
            let ty = ty.tokens(rt);
            quote!(#variant(#ty),)
        });
        quote! {
            #doc
            #derive
            #[serde(untagged)]
            #names_allow
            #size_allow
            pub enum #name {
                #(#variants)*
            }
        }
    }
}

/// The derives of a type that carries data (a struct or a union).
fn data_derive(rt: &Runtime) -> TokenStream {
    let serde_crate = rt.serde_crate();
    quote! {
        #[derive(Debug, Clone, PartialEq, #rt::serde::Serialize, #rt::serde::Deserialize)]
        #[serde(crate = #serde_crate)]
    }
}

/// A struct's field: its doc, its serde attributes, its type.
fn field_tokens(f: &Field, rt: &Runtime) -> TokenStream {
    let doc = docs::attributes(f.doc.as_deref());
    let wire = &f.wire;
    let rename = (f.ident != f.wire).then(|| quote!(#[serde(rename = #wire)]));
    let presence = if f.absent_or_null {
        quote!(#[serde(default, deserialize_with = "nullable_field", skip_serializing_if = "::std::option::Option::is_none")])
    } else if !f.required && !f.send_null {
        quote!(#[serde(default, skip_serializing_if = "::std::option::Option::is_none")])
    } else if matches!(f.ty, Ty::Option(_)) {
        quote!(#[serde(default)])
    } else {
        TokenStream::new()
    };
    let name = ident(&f.ident);
    let ty = f.ty.tokens(rt);
    quote! {
        #doc
        #rename
        #presence
        pub #name: #ty,
    }
}

/// A string enum: a field-less variant per value.
fn enum_tokens(name: &str, doc: Option<&str>, variants: &[(String, String)], rt: &Runtime) -> TokenStream {
    let doc = docs::attributes(doc);
    let serde_crate = rt.serde_crate();
    let idents: Vec<&str> = variants.iter().map(|(ident, _)| ident.as_str()).collect();
    // Variant names are the spec's values.
    let allow = clashing_variant_names(name, &idents).then(|| quote!(#[allow(clippy::enum_variant_names)]));
    let name = ident(name);
    let variants = variants.iter().map(|(variant, wire)| {
        let variant = ident(variant);
        quote! {
            #[serde(rename = #wire)]
            #variant,
        }
    });
    quote! {
        #doc
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, #rt::serde::Serialize, #rt::serde::Deserialize)]
        #[serde(crate = #serde_crate)]
        #allow
        pub enum #name {
            #(#variants)*
        }
    }
}

/// The words of a `PascalCase` name (`RedPanda` gives `Red`, `Panda`).
fn camel_words(name: &str) -> Vec<&str> {
    let mut words = Vec::new();
    let mut start = 0;
    for (i, c) in name.char_indices().skip(1) {
        if c.is_ascii_uppercase() {
            words.push(&name[start..i]);
            start = i;
        }
    }
    words.push(&name[start..]);
    words
}

/// Whether clippy's `enum_variant_names` would fire: a variant that starts
/// or ends with the enum's name, or three or more variants sharing their
/// first or last word (a superset of clippy's rule: an allow too many is
/// harmless, a warning is not).
fn clashing_variant_names(name: &str, variants: &[&str]) -> bool {
    let with_name = variants.iter().any(|v| v.starts_with(name) || v.ends_with(name));
    let words: Vec<Vec<&str>> = variants.iter().map(|v| camel_words(v)).collect();
    let shared = |first: bool| {
        let picked: Vec<Option<&str>> =
            words.iter().map(|w| if first { w.first().copied() } else { w.last().copied() }).collect();
        picked.first().is_some_and(|head| head.is_some() && picked.iter().all(|p| p == head))
    };
    with_name || (variants.len() >= 3 && (shared(true) || shared(false)))
}

/// What makes two inline schemas one type: a string enum is its values
/// (its description, nullability and the like do not change the type);
/// anything else is its whole JSON.
fn inline_key(schema: &Value) -> String {
    match string_enum(schema) {
        Some(values) if !is_object(schema) => format!("enum {values:?}"),
        _ => format!("schema {schema}"),
    }
}

fn types_of(schema: &Value) -> (Vec<String>, bool) {
    let types: Vec<String> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.clone()],
        Some(Value::Array(ts)) => ts.iter().filter_map(|t| t.as_str().map(String::from)).collect(),
        _ => Vec::new(),
    };
    let nullable = types.iter().any(|t| t == "null")
        || schema.get("enum").and_then(Value::as_array).is_some_and(|e| e.contains(&Value::Null));
    (types.into_iter().filter(|t| t != "null").collect(), nullable)
}

fn is_object(schema: &Value) -> bool {
    let (types, _) = types_of(schema);
    let has_props = schema.get("properties").is_some_and(|p| p.as_object().is_some_and(|m| !m.is_empty()));
    let merged = schema.get("allOf").and_then(Value::as_array).is_some_and(|a| a.len() > 1);
    (has_props || merged) && (types.is_empty() || types == ["object"]) && union_of(schema).is_none()
}

/// The values of a string enum, each once (a vendor's document may list a
/// value twice; two variants of one value would never be read).
fn string_enum(schema: &Value) -> Option<Vec<String>> {
    let values = schema.get("enum")?.as_array()?;
    let mut strings: Vec<String> = Vec::with_capacity(values.len());
    for value in values.iter().filter(|v| !v.is_null()) {
        let text = value.as_str()?;
        if !strings.iter().any(|s| s == text) {
            strings.push(text.to_string());
        }
    }
    (!strings.is_empty()).then_some(strings)
}

fn map_alternatives(schema: &Value) -> Vec<&Value> {
    ["oneOf", "anyOf"]
        .iter()
        .find_map(|k| schema.get(*k).and_then(Value::as_array))
        .map(|a| a.iter().collect())
        .unwrap_or_default()
}

/// Whether the `oneOf`/`anyOf` of an object with properties only
/// constrains them (`oneOf: [{required: [a]}, {required: [b]}]`, or
/// alternatives narrowing a declared property): such an object is a
/// struct of its properties, not a union.
fn constraints_only(schema: &Value, alternatives: &[&Value]) -> bool {
    let Some(Value::Object(props)) = schema.get("properties") else { return false };
    !props.is_empty()
        && alternatives.iter().all(|alt| {
            let Value::Object(alt) = alt else { return false };
            let types_ok = match alt.get("type") {
                None => true,
                Some(t) => t == "object",
            };
            let props_ok = match alt.get("properties") {
                None => true,
                Some(Value::Object(p)) => p.keys().all(|k| props.contains_key(k)),
                Some(_) => false,
            };
            types_ok
                && props_ok
                && !["$ref", "allOf", "oneOf", "anyOf", "items", "additionalProperties"]
                    .iter()
                    .any(|k| alt.contains_key(*k))
        })
}

/// The non-null alternatives of a `oneOf`/`anyOf`, if the schema is one.
fn union_of(schema: &Value) -> Option<Vec<&Value>> {
    let all = map_alternatives(schema);
    if all.is_empty() || constraints_only(schema, &all) {
        return None;
    }
    Some(all.into_iter().filter(|alt| alt.get("type").and_then(Value::as_str) != Some("null")).collect())
}

/// Tarjan's strongly connected components; returns the component of each node.
fn tarjan(edges: &[Vec<usize>]) -> Vec<usize> {
    struct State<'e> {
        edges: &'e [Vec<usize>],
        index: Vec<Option<usize>>,
        low: Vec<usize>,
        on_stack: Vec<bool>,
        stack: Vec<usize>,
        comp: Vec<usize>,
        next: usize,
        comps: usize,
    }
    fn visit(s: &mut State<'_>, v: usize) {
        s.index[v] = Some(s.next);
        s.low[v] = s.next;
        s.next += 1;
        s.stack.push(v);
        s.on_stack[v] = true;
        for &w in &s.edges[v] {
            match s.index[w] {
                None => {
                    visit(s, w);
                    s.low[v] = s.low[v].min(s.low[w]);
                }
                Some(iw) if s.on_stack[w] => s.low[v] = s.low[v].min(iw),
                _ => {}
            }
        }
        if Some(s.low[v]) == s.index[v] {
            while let Some(w) = s.stack.pop() {
                s.on_stack[w] = false;
                s.comp[w] = s.comps;
                if w == v {
                    break;
                }
            }
            s.comps += 1;
        }
    }
    let n = edges.len();
    let mut s = State {
        edges,
        index: vec![None; n],
        low: vec![0; n],
        on_stack: vec![false; n],
        stack: Vec::new(),
        comp: vec![0; n],
        next: 0,
        comps: 0,
    };
    for v in 0..n {
        if s.index[v].is_none() {
            visit(&mut s, v);
        }
    }
    s.comp
}
