//! The built-in validator's first stage: an API's schemas compiled into
//! keyword checks, one [`Schema`] per JSON pointer of the API's resource.
//!
//! Every schema, reached from a root or through a `$ref`, is compiled once
//! under its pointer, so references (recursive ones too) are indices into
//! one list. A keyword this validator does not check (`unevaluatedProperties`,
//! `$dynamicRef`, ...) or a `pattern` its regex engine cannot read is an
//! error naming the schema's pointer and the cargo feature `json-schema`,
//! which checks everything JSON Schema 2020-12 says; annotations
//! (`description`, `example`, `discriminator`, `x-...`) and keywords JSON
//! Schema does not define are skipped, as JSON Schema says.

use foldhash::HashMap;
use regex_lite::Regex;
use serde_json::{Map, Number, Value};

use super::formats::Format;

/// The index of a compiled schema in [`Compiled::schemas`].
pub(crate) type Id = usize;

/// Every schema of one API, compiled.
#[derive(Debug, Default)]
pub(crate) struct Compiled {
    pub schemas: Vec<Schema>,
}

/// One schema: its checks, in order (`type` first).
#[derive(Debug, Default)]
pub(crate) struct Schema {
    pub checks: Vec<Check>,
}

/// JSON types as bits, for `type`.
pub(crate) mod types {
    pub const NULL: u8 = 1;
    pub const BOOLEAN: u8 = 2;
    pub const OBJECT: u8 = 4;
    pub const ARRAY: u8 = 8;
    pub const NUMBER: u8 = 16;
    pub const STRING: u8 = 32;
    pub const INTEGER: u8 = 64;
    /// The names, in the order messages list them.
    pub const NAMES: [(u8, &str); 7] = [
        (ARRAY, "array"),
        (BOOLEAN, "boolean"),
        (INTEGER, "integer"),
        (NULL, "null"),
        (NUMBER, "number"),
        (OBJECT, "object"),
        (STRING, "string"),
    ];
}

/// One keyword's check.
#[derive(Debug)]
pub(crate) enum Check {
    /// The schema `false`: nothing is valid.
    False,
    Type(u8),
    Enum(Vec<Value>),
    Const(Value),
    MinLength(u64),
    MaxLength(u64),
    Pattern(Box<Regex>, String),
    Format(Format),
    Minimum(Number),
    Maximum(Number),
    ExclusiveMinimum(Number),
    ExclusiveMaximum(Number),
    MultipleOf(Number),
    Properties(Box<Properties>),
    Required(Vec<String>),
    MinProperties(u64),
    MaxProperties(u64),
    PropertyNames(Id),
    DependentRequired(Vec<(String, Vec<String>)>),
    DependentSchemas(Vec<(String, Id)>),
    /// `prefixItems` and `items`: the first schemas by position, then the
    /// one for the rest.
    Items {
        prefix: Vec<Id>,
        rest: Option<Id>,
    },
    MinItems(u64),
    MaxItems(u64),
    UniqueItems,
    Contains {
        schema: Id,
        min: u64,
        max: Option<u64>,
    },
    AllOf(Vec<Id>),
    AnyOf(Vec<Id>),
    OneOf(Vec<Id>),
    /// The schema's id, and its text for the message.
    Not(Id, Box<Value>),
    If {
        condition: Id,
        then: Option<Id>,
        otherwise: Option<Id>,
    },
    Ref(Id),
}

/// `properties`, `patternProperties` and `additionalProperties` together:
/// a member the first two name goes to `additional`.
#[derive(Debug)]
pub(crate) struct Properties {
    /// By name, sorted (looked up by binary search).
    pub named: Vec<(String, Id)>,
    pub patterns: Vec<(Regex, Id)>,
    pub additional: Additional,
}

/// What `additionalProperties` says of the members the others do not name.
#[derive(Debug)]
pub(crate) enum Additional {
    Any,
    None,
    Schema(Id),
}

/// Keywords that check nothing (annotations, and containers of schemas
/// only reached through `$ref`).
const SKIPPED: [&str; 25] = [
    // Draft 2019-09's keywords are not 2020-12's (OpenAPI 3.1's): unknown
    // there, so nothing, as `jsonschema` reads them too.
    "$recursiveAnchor",
    "$recursiveRef",
    "$dynamicAnchor",
    "$schema",
    "$comment",
    "$defs",
    "$anchor",
    "definitions",
    "title",
    "description",
    "default",
    "examples",
    "example",
    "deprecated",
    "readOnly",
    "writeOnly",
    "discriminator",
    "xml",
    "externalDocs",
    "contentMediaType",
    "contentEncoding",
    "contentSchema",
    "nullable",
    "minContains",
    "maxContains",
];

/// Keywords that change what a document means and that this validator does not check.
const UNSUPPORTED: [&str; 4] = ["unevaluatedProperties", "unevaluatedItems", "$dynamicRef", "$id"];

/// Compiles schemas of `resource` by JSON pointer.
pub(crate) struct Compiler<'r> {
    resource: &'r Value,
    compiled: Compiled,
    by_pointer: HashMap<String, Id>,
}

impl<'r> Compiler<'r> {
    pub fn new(resource: &'r Value) -> Self {
        Compiler { resource, compiled: Compiled::default(), by_pointer: HashMap::default() }
    }

    /// The schemas compiled so far.
    pub fn finish(self) -> Compiled {
        self.compiled
    }

    /// Compiles the schema at `pointer` (`/components/schemas/Pet`), once.
    pub fn at(&mut self, pointer: &str) -> Result<Id, String> {
        if let Some(id) = self.by_pointer.get(pointer) {
            return Ok(*id);
        }
        let resource = self.resource;
        let value = resource.pointer(pointer).ok_or_else(|| format!("nothing at #{pointer}"))?;
        let id = self.compiled.schemas.len();
        self.compiled.schemas.push(Schema::default());
        self.by_pointer.insert(pointer.to_string(), id);
        let checks = self.checks(value, pointer)?;
        self.compiled.schemas[id].checks = checks;
        Ok(id)
    }

    fn checks(&mut self, value: &Value, pointer: &str) -> Result<Vec<Check>, String> {
        let map = match value {
            Value::Bool(true) => return Ok(Vec::new()),
            Value::Bool(false) => return Ok(vec![Check::False]),
            Value::Object(map) => map,
            _ => return Err(format!("the schema at #{pointer} is neither an object nor a boolean")),
        };
        let at = |key: &str| format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1"));
        let mut checks = Vec::new();
        if let Some(t) = map.get("type") {
            checks.push(Check::Type(type_bits(t).ok_or_else(|| format!("#{}: an unknown type {t}", at("type")))?));
        }
        let mut required_at = None;
        for (key, keyword) in map {
            let here = at(key);
            let check = match key.as_str() {
                "type" | "properties" | "patternProperties" | "additionalProperties" | "items" | "prefixItems" => {
                    continue
                }
                "then" | "else" | "minContains" | "maxContains" => continue,
                k if SKIPPED.contains(&k) || k.starts_with("x-") => continue,
                k if UNSUPPORTED.contains(&k) => return Err(unsupported(&here, k)),
                "$ref" => Check::Ref(self.reference(keyword, &here)?),
                "enum" => Check::Enum(keyword.as_array().cloned().ok_or_else(|| not_a(&here, "an array"))?),
                "const" => Check::Const(keyword.clone()),
                "minLength" => Check::MinLength(count(keyword, &here)?),
                "maxLength" => Check::MaxLength(count(keyword, &here)?),
                "pattern" => {
                    let pattern = keyword.as_str().ok_or_else(|| not_a(&here, "a string"))?;
                    Check::Pattern(Box::new(regex(pattern, &here)?), pattern.to_string())
                }
                "format" => match keyword.as_str().and_then(Format::named) {
                    Some(format) => Check::Format(format),
                    None => continue,
                },
                "minimum" => Check::Minimum(number(keyword, &here)?),
                "maximum" => Check::Maximum(number(keyword, &here)?),
                // OpenAPI 3.0's boolean form changes `minimum`/`maximum`;
                // macaron-spec rewrites it, and without them it says nothing.
                "exclusiveMinimum" | "exclusiveMaximum" if keyword.is_boolean() => continue,
                "exclusiveMinimum" => Check::ExclusiveMinimum(number(keyword, &here)?),
                "exclusiveMaximum" => Check::ExclusiveMaximum(number(keyword, &here)?),
                "multipleOf" => {
                    let n = number(keyword, &here)?;
                    if n.as_f64().is_none_or(|f| f <= 0.0) {
                        return Err(not_a(&here, "a number above 0"));
                    }
                    Check::MultipleOf(n)
                }
                "required" => Check::Required(strings(keyword, &here)?),
                "minProperties" => Check::MinProperties(count(keyword, &here)?),
                "maxProperties" => Check::MaxProperties(count(keyword, &here)?),
                "propertyNames" => Check::PropertyNames(self.at(&here)?),
                "dependentRequired" => {
                    let map = keyword.as_object().ok_or_else(|| not_a(&here, "an object"))?;
                    let mut pairs = Vec::new();
                    for (name, names) in map {
                        pairs.push((name.clone(), strings(names, &at(&format!("{key}/{name}")))?));
                    }
                    Check::DependentRequired(pairs)
                }
                "dependentSchemas" => Check::DependentSchemas(self.schemas_by_name(keyword, &here)?),
                "dependencies" => {
                    // Draft 7's spelling of both.
                    let map = keyword.as_object().ok_or_else(|| not_a(&here, "an object"))?;
                    for (name, dependency) in map {
                        let there = format!("{here}/{}", name.replace('~', "~0").replace('/', "~1"));
                        checks.push(match dependency {
                            Value::Array(_) => {
                                Check::DependentRequired(vec![(name.clone(), strings(dependency, &there)?)])
                            }
                            _ => Check::DependentSchemas(vec![(name.clone(), self.at(&there)?)]),
                        });
                    }
                    continue;
                }
                "minItems" => Check::MinItems(count(keyword, &here)?),
                "maxItems" => Check::MaxItems(count(keyword, &here)?),
                "uniqueItems" => match keyword.as_bool() {
                    Some(true) => Check::UniqueItems,
                    Some(false) => continue,
                    None => return Err(not_a(&here, "a boolean")),
                },
                "contains" => Check::Contains {
                    schema: self.at(&here)?,
                    min: map.get("minContains").map(|m| count(m, &at("minContains"))).transpose()?.unwrap_or(1),
                    max: map.get("maxContains").map(|m| count(m, &at("maxContains"))).transpose()?,
                },
                "allOf" => Check::AllOf(self.list(keyword, &here)?),
                "anyOf" => Check::AnyOf(self.list(keyword, &here)?),
                "oneOf" => Check::OneOf(self.list(keyword, &here)?),
                "not" => Check::Not(self.at(&here)?, Box::new(keyword.clone())),
                "if" => Check::If {
                    condition: self.at(&here)?,
                    then: map.get("then").map(|_| self.at(&at("then"))).transpose()?,
                    otherwise: map.get("else").map(|_| self.at(&at("else"))).transpose()?,
                },
                _ => continue,
            };
            if matches!(check, Check::Required(_)) {
                required_at = Some(checks.len());
            }
            checks.push(check);
        }
        if let Some(props) = self.properties(map, pointer)? {
            // Members' own checks after `required`: a missing member is the clearer message.
            let place = required_at.map_or(checks.len(), |r| r + 1);
            checks.insert(place, Check::Properties(Box::new(props)));
        }
        if let Some(items) = self.items(map, pointer)? {
            checks.push(items);
        }
        Ok(checks)
    }

    fn properties(&mut self, map: &Map<String, Value>, pointer: &str) -> Result<Option<Properties>, String> {
        let (named, patterns, additional) =
            (map.get("properties"), map.get("patternProperties"), map.get("additionalProperties"));
        if named.is_none() && patterns.is_none() && additional.is_none() {
            return Ok(None);
        }
        let mut props = Properties { named: Vec::new(), patterns: Vec::new(), additional: Additional::Any };
        if let Some(named) = named {
            props.named = self.schemas_by_name(named, &format!("{pointer}/properties"))?;
            props.named.sort_by(|a, b| a.0.cmp(&b.0));
        }
        if let Some(patterns) = patterns {
            let here = format!("{pointer}/patternProperties");
            for (pattern, id) in self.schemas_by_name(patterns, &here)? {
                props.patterns.push((regex(&pattern, &here)?, id));
            }
        }
        props.additional = match additional {
            None | Some(Value::Bool(true)) => Additional::Any,
            Some(Value::Bool(false)) => Additional::None,
            Some(_) => Additional::Schema(self.at(&format!("{pointer}/additionalProperties"))?),
        };
        Ok(Some(props))
    }

    fn items(&mut self, map: &Map<String, Value>, pointer: &str) -> Result<Option<Check>, String> {
        let prefix = match map.get("prefixItems") {
            Some(list) => self.list(list, &format!("{pointer}/prefixItems"))?,
            None => Vec::new(),
        };
        let rest = match map.get("items") {
            Some(Value::Array(_)) => {
                return Err(format!(
                    "#{pointer}/items: an array of schemas is draft 2019's `items`; JSON Schema 2020-12 (OpenAPI 3.1) spells it `prefixItems`"
                ))
            }
            Some(_) => Some(self.at(&format!("{pointer}/items"))?),
            None => None,
        };
        Ok((!prefix.is_empty() || rest.is_some()).then_some(Check::Items { prefix, rest }))
    }

    fn list(&mut self, keyword: &Value, pointer: &str) -> Result<Vec<Id>, String> {
        let list = keyword.as_array().ok_or_else(|| not_a(pointer, "an array of schemas"))?;
        (0..list.len()).map(|n| self.at(&format!("{pointer}/{n}"))).collect()
    }

    fn schemas_by_name(&mut self, keyword: &Value, pointer: &str) -> Result<Vec<(String, Id)>, String> {
        let map = keyword.as_object().ok_or_else(|| not_a(pointer, "an object of schemas"))?;
        map.keys()
            .map(|name| {
                let there = format!("{pointer}/{}", name.replace('~', "~0").replace('/', "~1"));
                Ok((name.clone(), self.at(&there)?))
            })
            .collect()
    }

    fn reference(&mut self, keyword: &Value, pointer: &str) -> Result<Id, String> {
        let reference = keyword.as_str().ok_or_else(|| not_a(pointer, "a string"))?;
        let fragment = reference.strip_prefix('#').ok_or_else(|| {
            format!("#{pointer}: the reference {reference:?} leaves the document; the built-in validator follows only `#/...` references (macaron's cargo feature `json-schema` follows the others)")
        })?;
        let decoded = percent_encoding::percent_decode_str(fragment).decode_utf8_lossy();
        if !decoded.is_empty() && !decoded.starts_with('/') {
            return Err(unsupported(pointer, &format!("$ref to the anchor {reference:?}")));
        }
        // An error inside the target is the target's own; a missing target is this reference's.
        self.at(&decoded).map_err(|e| match e.strip_prefix("nothing at ") {
            Some(_) => format!("#{pointer}: the reference {reference:?} points to nothing"),
            None => e,
        })
    }
}

fn unsupported(pointer: &str, keyword: &str) -> String {
    format!(
        "the schema at #{pointer} uses `{keyword}`, which the built-in validator does not check: turn on macaron's cargo feature `json-schema` (every keyword of JSON Schema 2020-12)"
    )
}

fn not_a(pointer: &str, what: &str) -> String {
    format!("#{pointer} is not {what}")
}

fn count(value: &Value, pointer: &str) -> Result<u64, String> {
    match value {
        Value::Number(n) => n
            .as_u64()
            .or_else(|| n.as_f64().filter(|f| *f >= 0.0 && f.fract() == 0.0).map(|f| f as u64))
            .ok_or_else(|| not_a(pointer, "a count (an integer from 0)")),
        _ => Err(not_a(pointer, "a count (an integer from 0)")),
    }
}

fn number(value: &Value, pointer: &str) -> Result<Number, String> {
    match value {
        Value::Number(n) => Ok(n.clone()),
        _ => Err(not_a(pointer, "a number")),
    }
}

fn strings(value: &Value, pointer: &str) -> Result<Vec<String>, String> {
    value
        .as_array()
        .and_then(|list| list.iter().map(|s| s.as_str().map(str::to_string)).collect())
        .ok_or_else(|| not_a(pointer, "an array of strings"))
}

fn type_bits(value: &Value) -> Option<u8> {
    let one = |name: &str| types::NAMES.iter().find(|(_, n)| *n == name).map(|(bit, _)| *bit);
    match value {
        Value::String(name) => one(name),
        Value::Array(names) => names.iter().try_fold(0, |bits, n| Some(bits | one(n.as_str()?)?)),
        _ => None,
    }
}

/// A `pattern`'s regex: ECMA 262 syntax as far as the `regex-lite` engine
/// reads it (classes, repetitions, anchors, groups; no look-around, no
/// back-references, `\d` and `\w` ASCII as in ECMA 262).
fn regex(pattern: &str, pointer: &str) -> Result<Regex, String> {
    Regex::new(&ecma_classes(pattern)).map_err(|e| {
        format!(
            "#{pointer}: the built-in validator cannot read the pattern {pattern:?} ({}); turn on macaron's cargo feature `json-schema` for ECMA 262 regexes",
            e.to_string().lines().last().unwrap_or("").trim()
        )
    })
}

/// ECMA 262 reads a `[` inside a class as itself (`[[A-Z]` is `[`, `A`-`Z`);
/// `regex-lite` would read a nested class: the `[` is escaped.
fn ecma_classes(pattern: &str) -> std::borrow::Cow<'_, str> {
    if !pattern.contains("[[") && !pattern.contains("[^[") && pattern.matches('[').count() < 2 {
        return std::borrow::Cow::Borrowed(pattern);
    }
    let mut out = String::with_capacity(pattern.len() + 4);
    let (mut in_class, mut escaped) = (false, false);
    for c in pattern.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '[' if in_class => {
                out.push_str("\\[");
                continue;
            }
            '[' => in_class = true,
            ']' if in_class => in_class = false,
            _ => {}
        }
        out.push(c);
    }
    std::borrow::Cow::Owned(out)
}
