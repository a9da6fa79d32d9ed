//! Schemas as JSON Schema, ready for validation and code generation.
//!
//! OpenAPI 3.0 and Swagger 2.0 schemas are a dialect of JSON Schema draft 4
//! with their own keywords (`nullable`, boolean `exclusiveMinimum`, `type:
//! file`); 3.1 schemas are JSON Schema 2020-12. The runtime validates with
//! one engine and the code generator reads one shape, so every schema is
//! turned into 2020-12 here, once, and every keyword the target dialect has
//! is kept (unknown ones, `x-` extensions included, are kept too):
//!
//! - `nullable: true` (and `x-nullable: true`, its Swagger 2.0 spelling)
//!   adds `"null"` to `type` (and to `enum`), or wraps a schema that has
//!   `$ref`, `allOf`, `anyOf`, `oneOf` or `not` in `anyOf: [it, {type: null}]`;
//! - boolean `exclusiveMinimum`/`exclusiveMaximum` become the numeric form;
//! - `type: file` becomes `type: string, format: binary`;
//! - array-valued `items` becomes `prefixItems`;
//! - in 3.0 and 2.0 a `$ref` ignores its siblings, as draft 4 says, apart
//!   from annotations (`description`, `x-` ...) and `nullable`.
//!
//! Every `$ref` is rewritten to `#/components/schemas/NAME`, so all the
//! schemas of a document form one resource, `{"components": {"schemas":
//! ...}}`, which a validator registers once and a generator maps to types.
//! A reference to anything that is not already a component (a nested
//! schema, a schema in another file, a Swagger 2.0 definition) imports the
//! target as a component of its own, under a unique name. Imports are
//! memoised by location, so recursive schemas are imported once and stay
//! recursive references, never an endless expansion.

use std::collections::{HashMap, HashSet, VecDeque};

use indexmap::IndexMap;
use serde_json::{Map, Value};

use crate::docs::{Docs, Loc};
use crate::error::Diagnostic;
use crate::model::SpecVersion;
use crate::pointer::escape;

/// Prefix of every schema reference after normalisation (the model's
/// convention, re-exported here where the references are written).
pub use crate::model::COMPONENTS_PREFIX;

/// Keywords that only annotate: kept beside a 3.0 `$ref`.
const ANNOTATIONS: [&str; 8] =
    ["title", "description", "default", "example", "examples", "readOnly", "writeOnly", "deprecated"];

/// The `$dynamicAnchor`s in effect (the dynamic scope): name and place,
/// outermost first.
type Scope = Vec<(String, Loc)>;

/// What makes an imported component: the place, and the dynamic scope it
/// is read in (empty unless its meaning depends on it).
type Key = (Loc, Scope);

/// What a reading assumes of a schema it cannot read.
const UNCONSTRAINED: &str = "an unconstrained value";

/// Normalises schemas and collects the components they reference.
pub(crate) struct Schemas<'d> {
    docs: &'d Docs,
    legacy: bool,
    swagger2: bool,
    names: HashMap<Key, String>,
    taken: HashSet<String>,
    pending: VecDeque<(String, Loc, Scope)>,
    out: IndexMap<String, Value>,
    /// The dynamic scope of the schema being normalised.
    scope: Scope,
    /// Defects met, with what was assumed in their place.
    pub defects: Vec<(Diagnostic, String)>,
}

impl<'d> Schemas<'d> {
    /// Registers the main document's named schemas (3.x `components.schemas`,
    /// 2.0 `definitions`) under their own names.
    pub fn new(docs: &'d Docs, version: SpecVersion) -> Self {
        let mut schemas = Schemas {
            docs,
            legacy: version != SpecVersion::OpenApi31,
            swagger2: version == SpecVersion::Swagger2,
            names: HashMap::new(),
            taken: HashSet::new(),
            pending: VecDeque::new(),
            out: IndexMap::new(),
            scope: Vec::new(),
            defects: Vec::new(),
        };
        let home = if version == SpecVersion::Swagger2 { "/definitions" } else { "/components/schemas" };
        if let Some(Value::Object(map)) = docs.root().pointer(home) {
            for name in map.keys() {
                let loc = Loc::new(0, home).key(name);
                let scope = schemas.entered(&[], &loc);
                let key = schemas.key(&loc, &scope);
                schemas.taken.insert(name.clone());
                schemas.names.insert(key, name.clone());
                schemas.pending.push_back((name.clone(), loc, scope));
            }
        }
        schemas
    }

    /// Normalises the schema at `loc`.
    pub fn normalize(&mut self, loc: &Loc) -> Value {
        match self.docs.get(loc) {
            Some(value) => self.schema(value, loc),
            None => {
                self.defects.push((self.docs.diag(loc, "expected a schema here"), UNCONSTRAINED.into()));
                Value::Object(Map::new())
            }
        }
    }

    /// Normalises a schema built by the loader (a Swagger 2.0 parameter's);
    /// `loc` is where its parts come from, for references and messages.
    pub fn normalize_value(&mut self, value: &Value, loc: &Loc) -> Value {
        self.schema(value, loc)
    }

    /// Normalises every component (imports included) and returns them,
    /// with the defects met on the way.
    pub fn finish(&mut self) -> (IndexMap<String, Value>, Vec<(Diagnostic, String)>) {
        while let Some((name, loc, scope)) = self.pending.pop_front() {
            let outer = std::mem::replace(&mut self.scope, scope);
            let value = self.normalize(&loc);
            self.scope = outer;
            self.out.insert(name, value);
        }
        // Keep the document's own order: imports go after the named ones.
        (std::mem::take(&mut self.out), std::mem::take(&mut self.defects))
    }

    /// The dynamic scope inside the resource of `loc`, entered from `outer`:
    /// the outer anchors first (the outermost wins), then its own.
    fn entered(&self, outer: &[(String, Loc)], loc: &Loc) -> Scope {
        let mut scope = outer.to_vec();
        if self.legacy {
            return scope;
        }
        let resource = self.docs.resource_of(loc);
        for (name, at) in self.docs.dynamic_anchors(&resource) {
            if !scope.iter().any(|(n, _)| n == name) {
                scope.push((name.clone(), at.clone()));
            }
        }
        scope
    }

    /// The memo key of a component: its scope counts only when its meaning
    /// depends on it (its resource holds a `$dynamicRef`, or reaches one).
    fn key(&self, loc: &Loc, scope: &Scope) -> Key {
        if !self.legacy && self.docs.uses_dynamic_refs(&self.docs.resource_of(loc)) {
            (loc.clone(), scope.clone())
        } else {
            (loc.clone(), Vec::new())
        }
    }

    fn schema(&mut self, value: &Value, loc: &Loc) -> Value {
        let Value::Object(map) = value else {
            return value.clone(); // `true`, `false` (3.1), or junk left for the validator to refuse
        };
        let mut out = Map::with_capacity(map.len());
        let reference = match (map.get("$ref").and_then(Value::as_str), map.get("$dynamicRef").and_then(Value::as_str))
        {
            (Some(r), _) => Some((self.reference(&loc.key("$ref"), r, false), "$ref")),
            (None, Some(r)) => Some((self.reference(&loc.key("$dynamicRef"), r, true), "$dynamicRef")),
            (None, None) => None,
        };
        if let Some((target, keyword)) = reference {
            // A reference that points nowhere is an unconstrained value
            // (reported by `reference`); its annotations stay.
            if let Some(target) = target {
                out.insert("$ref".into(), Value::String(target));
            }
            for (key, child) in map {
                let keep = if self.legacy {
                    ANNOTATIONS.contains(&key.as_str()) || key.starts_with("x-") || key == "nullable"
                } else {
                    key != keyword && !IDENTIFIERS.contains(&key.as_str())
                };
                if keep {
                    out.insert(key.clone(), self.keyword(key, child, &loc.key(key)));
                }
            }
        } else {
            for (key, child) in map {
                if self.legacy || !IDENTIFIERS.contains(&key.as_str()) {
                    out.insert(key.clone(), self.keyword(key, child, &loc.key(key)));
                }
            }
        }
        if self.legacy {
            legacy_to_2020(out, self.swagger2)
        } else {
            siblings_to_all_of(out)
        }
    }
    fn keyword(&mut self, key: &str, child: &Value, loc: &Loc) -> Value {
        match (key, child) {
            ("properties" | "patternProperties" | "$defs" | "definitions" | "dependentSchemas", Value::Object(m)) => {
                Value::Object(m.iter().map(|(k, v)| (k.clone(), self.schema(v, &loc.key(k)))).collect())
            }
            ("dependencies", Value::Object(m)) => Value::Object(
                m.iter()
                    .map(|(k, v)| (k.clone(), if v.is_object() { self.schema(v, &loc.key(k)) } else { v.clone() }))
                    .collect(),
            ),
            ("items" | "prefixItems" | "allOf" | "anyOf" | "oneOf", Value::Array(items)) => {
                Value::Array(items.iter().enumerate().map(|(i, v)| self.schema(v, &loc.index(i))).collect())
            }
            (
                "items"
                | "not"
                | "additionalProperties"
                | "additionalItems"
                | "contains"
                | "propertyNames"
                | "if"
                | "then"
                | "else"
                | "unevaluatedProperties"
                | "unevaluatedItems"
                | "contentSchema",
                _,
            ) => self.schema(child, loc),
            ("discriminator", Value::Object(d)) => {
                let mut d = d.clone();
                if let Some(Value::Object(mapping)) = d.get_mut("mapping") {
                    for (k, target) in mapping.iter_mut() {
                        if let Value::String(r) = target {
                            if r.contains('#') || r.contains('/') {
                                let at = loc.key("mapping").key(k);
                                if let Some(target) = self.reference(&at, r, false) {
                                    *r = target;
                                }
                            }
                        }
                    }
                }
                Value::Object(d)
            }
            _ => child.clone(),
        }
    }

    /// Rewrites a `$ref` (or a `$dynamicRef`) found at `at` to the
    /// component it designates; `None` (and a defect) when it points nowhere.
    fn reference(&mut self, at: &Loc, reference: &str, dynamic: bool) -> Option<String> {
        let mut target = match self.docs.target(at, reference) {
            Ok(target) => target,
            Err(diagnostic) => {
                self.defects.push((diagnostic, UNCONSTRAINED.into()));
                return None;
            }
        };
        if dynamic {
            // Where the static target is a `$dynamicAnchor` of that name, the
            // outermost resource in the dynamic scope that has one wins.
            if let Some((_, name)) = reference.rsplit_once('#') {
                if self.docs.is_dynamic_anchor(&target, name) {
                    if let Some((_, bound)) = self.scope.iter().find(|(n, _)| n == name) {
                        target = bound.clone();
                    }
                }
            }
        }
        Some(format!("{COMPONENTS_PREFIX}{}", escape(&self.component(&target))))
    }

    fn component(&mut self, target: &Loc) -> String {
        let scope = self.entered(&self.scope, target);
        let key = self.key(target, &scope);
        if let Some(name) = self.names.get(&key) {
            return name.clone();
        }
        let segments: Vec<String> =
            target.pointer.split('/').skip(1).map(|s| s.replace("~1", "/").replace("~0", "~")).collect();
        let mut base = match segments.as_slice() {
            [c, s, name] if c == "components" && s == "schemas" => name.clone(),
            [d, name] if d == "definitions" => name.clone(),
            [] => self.docs.stem(target.doc),
            rest => rest
                .iter()
                .rev()
                .find(|s| {
                    s.parse::<usize>().is_err()
                        && !matches!(s.as_str(), "schema" | "items" | "properties" | "$defs" | "definitions")
                })
                .cloned()
                .unwrap_or_else(|| "Schema".to_string()),
        };
        if !key.1.is_empty() && self.names.contains_key(&(target.clone(), self.entered(&[], target))) {
            // A copy of a component read in another dynamic scope: named after
            // the component whose anchor it takes.
            if let Some(owner) = key.1.iter().find_map(|(_, at)| owner_name(at)) {
                base = format!("{base}_{owner}");
            }
        }
        let mut name = base.clone();
        let mut n = 2;
        while self.taken.contains(&name) {
            name = format!("{base}{n}");
            n += 1;
        }
        self.taken.insert(name.clone());
        self.names.insert(key, name.clone());
        self.pending.push_back((name.clone(), target.clone(), scope));
        name
    }
}

/// The component a location is in (`/components/schemas/PetPage/$defs/item`
/// gives `PetPage`).
fn owner_name(at: &Loc) -> Option<String> {
    let mut parts = at.pointer.split('/').skip(1);
    match (parts.next(), parts.next(), parts.next()) {
        (Some("components"), Some("schemas"), Some(name)) | (Some("definitions"), Some(name), _) => {
            Some(crate::pointer::unescape(name))
        }
        _ => None,
    }
}

/// Keywords that identify a schema or a place in it: meaningful while
/// references are resolved, dropped after (every reference then names a
/// component, and a stray `$id` would change the base of the ones below it).
const IDENTIFIERS: [&str; 5] = ["$id", "$anchor", "$dynamicAnchor", "$schema", "$comment"];

/// Keywords beside a `$ref` that constrain nothing (besides [`ANNOTATIONS`]).
const NOT_CONSTRAINTS: [&str; 5] = ["$defs", "definitions", "discriminator", "xml", "externalDocs"];

/// A 3.1 `$ref` with sibling constraints is their conjunction: written as
/// `allOf: [{$ref}, {siblings}]` so that every reader (the code generator
/// above all) sees one shape; annotations stay beside it.
fn siblings_to_all_of(mut out: Map<String, Value>) -> Value {
    let Some(reference) = out.get("$ref").cloned() else { return Value::Object(out) };
    let constraints: Vec<String> = out
        .keys()
        .filter(|k| {
            *k != "$ref"
                && !ANNOTATIONS.contains(&k.as_str())
                && !NOT_CONSTRAINTS.contains(&k.as_str())
                && !k.starts_with("x-")
        })
        .cloned()
        .collect();
    if constraints.is_empty() {
        return Value::Object(out);
    }
    let mut rest = Map::new();
    for key in constraints {
        if let Some(v) = out.shift_remove(&key) {
            rest.insert(key, v);
        }
    }
    out.shift_remove("$ref");
    let mut first = Map::new();
    first.insert("$ref".into(), reference);
    out.insert("allOf".into(), Value::Array(vec![Value::Object(first), Value::Object(rest)]));
    Value::Object(out)
}

/// Applies the 3.0 / 2.0 rewrites listed in the module documentation.
/// In Swagger 2.0 `x-nullable` is only the spelling of `nullable`, so it is
/// dropped once applied; in 3.0 it is also PyMacaron's "send unset as null"
/// and stays for the code generator.
fn legacy_to_2020(mut out: Map<String, Value>, swagger2: bool) -> Value {
    if out.get("type").and_then(Value::as_str) == Some("file") {
        out.insert("type".into(), "string".into());
        out.insert("format".into(), "binary".into());
    }
    for (flag, bound) in [("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")] {
        if let Some(Value::Bool(exclusive)) = out.get(flag) {
            let exclusive = *exclusive;
            out.shift_remove(flag);
            if exclusive {
                if let Some(limit) = out.shift_remove(bound) {
                    out.insert(flag.into(), limit);
                }
            }
        }
    }
    if out.get("items").is_some_and(Value::is_array) {
        if let Some(items) = out.shift_remove("items") {
            out.insert("prefixItems".into(), items);
        }
    }
    let x_nullable = if swagger2 { out.shift_remove("x-nullable") } else { out.get("x-nullable").cloned() };
    let nullable = out.shift_remove("nullable") == Some(Value::Bool(true)) || x_nullable == Some(Value::Bool(true));
    if !nullable {
        return Value::Object(out);
    }
    let composed = ["$ref", "allOf", "anyOf", "oneOf", "not"].iter().any(|k| out.contains_key(*k));
    if composed {
        let mut outer = Map::new();
        let annotations: Vec<String> =
            out.keys().filter(|k| ANNOTATIONS.contains(&k.as_str()) || k.starts_with("x-")).cloned().collect();
        for key in annotations {
            if let Some(v) = out.shift_remove(&key) {
                outer.insert(key, v);
            }
        }
        let null = serde_json::json!({"type": "null"});
        outer.insert("anyOf".into(), Value::Array(vec![Value::Object(out), null]));
        return Value::Object(outer);
    }
    match out.get_mut("type") {
        Some(Value::String(t)) => {
            let t = std::mem::take(t);
            out.insert("type".into(), serde_json::json!([t, "null"]));
        }
        Some(Value::Array(types)) if !types.contains(&Value::from("null")) => types.push("null".into()),
        _ => {}
    }
    if let Some(Value::Array(values)) = out.get_mut("enum") {
        if !values.contains(&Value::Null) {
            values.push(Value::Null);
        }
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::legacy_to_2020;
    use serde_json::{json, Value};

    fn legacy(v: Value) -> Value {
        match v {
            Value::Object(m) => legacy_to_2020(m, false),
            _ => unreachable!(),
        }
    }

    #[test]
    fn nullable_becomes_a_type_array() {
        assert_eq!(
            legacy(json!({"type": "string", "nullable": true, "enum": ["a"]})),
            json!({"type": ["string", "null"], "enum": ["a", null]})
        );
    }

    #[test]
    fn nullable_composition_is_wrapped() {
        assert_eq!(
            legacy(json!({"$ref": "#/components/schemas/A", "nullable": true, "description": "d"})),
            json!({"description": "d", "anyOf": [{"$ref": "#/components/schemas/A"}, {"type": "null"}]})
        );
    }

    #[test]
    fn boolean_exclusive_bounds_become_numbers() {
        assert_eq!(
            legacy(
                json!({"type": "integer", "minimum": 1, "exclusiveMinimum": true, "maximum": 9, "exclusiveMaximum": false})
            ),
            json!({"type": "integer", "maximum": 9, "exclusiveMinimum": 1})
        );
    }

    #[test]
    fn swagger_x_nullable_is_only_nullable() {
        let Value::Object(m) = json!({"type": "string", "x-nullable": true}) else { unreachable!() };
        assert_eq!(legacy_to_2020(m, true), json!({"type": ["string", "null"]}));
        assert_eq!(
            legacy(json!({"type": "string", "x-nullable": true})),
            json!({"type": ["string", "null"], "x-nullable": true})
        );
    }

    #[test]
    fn swagger_file_becomes_binary_string() {
        assert_eq!(legacy(json!({"type": "file"})), json!({"type": "string", "format": "binary"}));
    }
}
