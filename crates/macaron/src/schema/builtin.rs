//! The validator a service has without the cargo feature `json-schema`:
//! the API's schemas compiled at the start into keyword checks
//! ([`keywords`](super::keywords)), walked on the tape ([`walk`](super::walk)).
//! It compiles in a few seconds where `jsonschema` takes a minute, and
//! checks what OpenAPI documents use; a schema it cannot check stops the
//! start with a message naming the feature.

use std::sync::Arc;

use macaron_tape::Tree;
use serde_json::Value;

use super::keywords::{Compiled, Compiler, Id};
use super::walk::{first_failure, Failure};

/// One schema of an API's compiled set.
pub(crate) struct Validator {
    compiled: Arc<Compiled>,
    root: Id,
}

/// Compiles every schema `pointers` names in `resource` (an API's schemas).
pub(crate) fn compile(api: &str, resource: &Value, pointers: &[String]) -> Result<Vec<Validator>, String> {
    let mut compiler = Compiler::new(resource);
    let roots = pointers
        .iter()
        .map(|pointer| compiler.at(&percent_encoding::percent_decode_str(pointer).decode_utf8_lossy()))
        .collect::<Result<Vec<Id>, String>>()
        .map_err(|e| format!("{api}: {e}"))?;
    let compiled = Arc::new(compiler.finish());
    Ok(roots.into_iter().map(|root| Validator { compiled: compiled.clone(), root }).collect())
}

impl Validator {
    /// The first failure of `value`, if any.
    pub(crate) fn first_failure(&self, value: &Tree) -> Option<Failure> {
        first_failure(&self.compiled, self.root, value.root())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Schemas and documents both validators are asked about.
    #[cfg(feature = "json-schema")]
    fn cases() -> Vec<(Value, Vec<Value>)> {
        vec![
            (
                json!({"type": "integer", "minimum": 0, "maximum": 10}),
                vec![json!(0), json!(10), json!(-1), json!(11), json!(1.5), json!(2.0), json!("1")],
            ),
            (
                json!({"type": ["string", "null"], "minLength": 2, "maxLength": 3}),
                vec![json!(null), json!("ab"), json!("a"), json!("abcd"), json!("éé"), json!(1)],
            ),
            (json!({"exclusiveMinimum": 0, "exclusiveMaximum": 1}), vec![json!(0), json!(1), json!(0.5), json!("x")]),
            (json!({"multipleOf": 0.1}), vec![json!(0.3), json!(0.35), json!(7)]),
            (json!({"multipleOf": 3}), vec![json!(9), json!(10), json!(9.0)]),
            (json!({"enum": ["a", 1, null]}), vec![json!("a"), json!(1.0), json!(null), json!("b")]),
            (json!({"const": {"a": [1, 2]}}), vec![json!({"a": [1, 2]}), json!({"a": [2, 1]})]),
            (json!({"pattern": "^[a-z]+\\d$"}), vec![json!("abc1"), json!("Abc1"), json!(5)]),
            (json!({"format": "date"}), vec![json!("2024-02-29"), json!("2023-02-29"), json!(3)]),
            (json!({"format": "uuid"}), vec![json!("123e4567-e89b-12d3-a456-426614174000"), json!("nope")]),
            (json!({"format": "date-time"}), vec![json!("2024-01-01T00:00:00Z"), json!("2024-01-01")]),
            (json!({"format": "email"}), vec![json!("a@b.co"), json!("a.b.co")]),
            (json!({"format": "ipv4"}), vec![json!("10.0.0.1"), json!("10.0.0")]),
            (
                json!({"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}, "tags": {"type": "array", "items": {"type": "string"}}}, "additionalProperties": false}),
                vec![
                    json!({"id": 1}),
                    json!({}),
                    json!({"id": "x"}),
                    json!({"id": 1, "tags": ["a", 2]}),
                    json!({"id": 1, "x": 1}),
                    json!({"id": 1, "x": 1, "y": 2}),
                    json!([]),
                ],
            ),
            (
                json!({"patternProperties": {"^x-": {"type": "string"}}, "additionalProperties": {"type": "integer"}}),
                vec![json!({"x-a": "s", "b": 1}), json!({"x-a": 1}), json!({"b": "s"})],
            ),
            (
                json!({"minProperties": 1, "maxProperties": 2}),
                vec![json!({}), json!({"a": 1}), json!({"a": 1, "b": 2, "c": 3})],
            ),
            (
                json!({"minItems": 1, "maxItems": 2, "uniqueItems": true}),
                vec![
                    json!([]),
                    json!([1]),
                    json!([1, 1.0]),
                    json!([{"a": 1, "b": 2}, {"b": 2, "a": 1}]),
                    json!([1, 2, 3]),
                ],
            ),
            (
                json!({"prefixItems": [{"type": "string"}], "items": {"type": "integer"}}),
                vec![json!(["a", 1, 2]), json!([1]), json!(["a", "b"])],
            ),
            (json!({"contains": {"type": "string"}}), vec![json!([1, "a"]), json!([1, 2])]),
            (json!({"anyOf": [{"type": "string"}, {"minimum": 3}]}), vec![json!("a"), json!(4), json!(2)]),
            (json!({"oneOf": [{"type": "integer"}, {"minimum": 3}]}), vec![json!(1), json!(3.5), json!(4)]),
            (json!({"allOf": [{"type": "integer"}, {"minimum": 3}]}), vec![json!(3), json!(2)]),
            (
                json!({"if": {"type": "string"}, "then": {"minLength": 2}, "else": {"minimum": 0}}),
                vec![json!("ab"), json!("a"), json!(-1), json!(1)],
            ),
            (
                json!({"dependentRequired": {"a": ["b"]}}),
                vec![json!({"a": 1, "b": 2}), json!({"b": 2}), json!({"a": 1})],
            ),
            (json!({"propertyNames": {"maxLength": 2}}), vec![json!({"ab": 1}), json!({"abc": 1})]),
            (
                json!({"type": "array", "items": {"$ref": "#/components/schemas/Node"}}),
                vec![json!([{"next": {"next": null}}]), json!([{"next": {"next": 3}}])],
            ),
            (json!(false), vec![json!(1)]),
            (json!({"not": {"type": "string"}}), vec![json!(1), json!("a")]),
        ]
    }

    fn resource(inline: Vec<Value>) -> Value {
        json!({
            "components": {"schemas": {"Node": {"type": "object", "properties": {"next": {"anyOf": [{"type": "null"}, {"$ref": "#/components/schemas/Node"}]}}}}},
            "inline": inline,
        })
    }

    fn failure(v: &Validator, doc: &Value) -> Option<Failure> {
        v.first_failure(&Tree::from_value(doc))
    }

    #[test]
    fn messages_name_the_value_and_the_keyword() {
        let schema = json!({"type": "object", "required": ["n"], "properties": {"n": {"type": "integer", "maximum": 3}}, "additionalProperties": false});
        let validators = compile("t", &resource(vec![schema]), &["/inline/0".to_string()]).unwrap();
        let f = failure(&validators[0], &json!({"n": 4})).unwrap();
        assert_eq!((f.pointer.as_str(), f.message.as_str()), ("/n", "4 is greater than the maximum of 3"));
        assert_eq!(failure(&validators[0], &json!({})).unwrap().message, "\"n\" is a required property");
        assert_eq!(
            failure(&validators[0], &json!({"n": 1, "a/b": 1, "c": 2})).unwrap().message,
            "Additional properties are not allowed ('a/b', 'c' were unexpected)"
        );
        assert_eq!(failure(&validators[0], &json!({"n": 1})), None);
    }

    #[test]
    fn what_it_cannot_check_stops_the_start_naming_the_feature() {
        for schema in [
            json!({"unevaluatedProperties": false}),
            json!({"pattern": "(?=a)b"}),
            json!({"$ref": "https://example.com/s.json"}),
            json!({"items": [{"type": "string"}]}),
        ] {
            let Err(e) = compile("t", &resource(vec![schema.clone()]), &["/inline/0".to_string()]) else {
                panic!("{schema} compiled")
            };
            assert!(e.starts_with("t: ") && e.contains("#/inline/0"), "{e}");
        }
        let e = compile("t", &resource(vec![json!({"$ref": "#/components/schemas/Nope"})]), &["/inline/0".to_string()]);
        assert!(e.err().unwrap().contains("Nope"));
    }

    #[test]
    fn long_documents_are_checked_without_quadratic_walks() {
        let schemas = vec![
            json!({"uniqueItems": true}),
            json!({"minProperties": 3, "additionalProperties": false}),
            json!({"const": {"a": 1, "b": 2}}),
        ];
        let pointers: Vec<String> = (0..3).map(|n| format!("/inline/{n}")).collect();
        let v = compile("t", &resource(schemas), &pointers).unwrap();
        let mut items: Vec<Value> = (0..50_000).map(|n| json!({"n": n})).collect();
        assert_eq!(failure(&v[0], &Value::Array(items.clone())), None);
        items.push(json!({"n": 49_999.0}));
        assert!(failure(&v[0], &Value::Array(items)).unwrap().message.ends_with("has non-unique elements"));
        // A name written twice counts once, and the last value is the one compared.
        let tree = Tree::parse(r#"{"a": 1, "a": 2, "b": 3}"#).unwrap();
        assert_eq!(v[1].first_failure(&tree).unwrap().message.split(" has").nth(1), Some(" less than 3 properties"));
        let tree = Tree::parse(r#"{"b": 2, "a": 0, "a": 1}"#).unwrap();
        assert_eq!(v[2].first_failure(&tree), None);
        let wide: String = (0..50_000).map(|n| format!(r#""k{n}": 1"#)).collect::<Vec<_>>().join(",");
        let text = format!("{{{wide}}}");
        let message = v[1].first_failure(&Tree::parse(&text).unwrap()).unwrap().message;
        assert!(message.starts_with("Additional properties are not allowed ('k0', 'k1',"), "{message}");
    }

    #[test]
    fn a_schema_that_refers_to_itself_forever_fails_instead_of_overflowing() {
        let mut doc = resource(vec![json!({"$ref": "#/inline/0"})]);
        doc["inline"][0] = json!({"allOf": [{"$ref": "#/inline/0"}]});
        let validators = compile("t", &doc, &["/inline/0".to_string()]).unwrap();
        assert!(failure(&validators[0], &json!(1)).unwrap().message.contains("deeper than 256"));
    }

    /// Every component schema of the public corpus's documents compiles, or
    /// the start names what it cannot check and the feature that can.
    #[test]
    fn the_corpus_schemas_compile_or_name_the_feature() {
        let Some(corpus) = macaron_dev::corpus() else { return };
        let (mut compiled, mut refused) = (0, Vec::new());
        for document in corpus.documents() {
            let Ok(api) = macaron_spec::load(corpus.path(&document.file)) else { continue };
            let resource = api.schema_resource();
            for name in api.schemas.keys() {
                let pointer = format!("/components/schemas/{}", name.replace('~', "~0").replace('/', "~1"));
                match compile(&document.file, &resource, &[pointer]) {
                    Ok(_) => compiled += 1,
                    Err(e) => refused.push(e),
                }
            }
        }
        println!("{compiled} schemas compiled, {} refused", refused.len());
        for e in &refused {
            println!("  {e}");
        }
        assert!(compiled > 1000, "{compiled}");
        assert!(refused.iter().all(|e| e.contains("`json-schema`")), "{refused:#?}");
    }

    /// On the corpus's component schemas, both validators accept and refuse
    /// the same documents: plain values of every type, each schema's
    /// `example`, and an object made of its properties' examples.
    #[cfg(feature = "json-schema")]
    #[test]
    fn the_builtin_validator_agrees_with_jsonschema_on_the_corpus() {
        let Some(corpus) = macaron_dev::corpus() else { return };
        let (mut checked, mut disagree) = (0, Vec::new());
        for document in corpus.documents() {
            let Ok(api) = macaron_spec::load(corpus.path(&document.file)) else { continue };
            let mut resource = api.schema_resource();
            super::super::bound_integer_formats(&mut resource);
            let names: Vec<&String> = api.schemas.keys().collect();
            let pointers: Vec<String> = names
                .iter()
                .map(|n| format!("/components/schemas/{}", n.replace('~', "~0").replace('/', "~1")))
                .collect();
            let (Ok(own), Ok(full)) = (
                compile(&document.file, &resource, &pointers),
                super::super::full::compile(document.file.clone(), "urn:macaron:corpus", resource.clone(), &pointers),
            ) else {
                continue;
            };
            for (n, name) in names.iter().enumerate() {
                let schema = &api.schemas[*name];
                let mut documents =
                    vec![json!(null), json!({}), json!([]), json!("x"), json!(1), json!(-1.5), json!(true)];
                documents.extend(schema.get("example").cloned());
                if let Some(props) = schema.get("properties").and_then(Value::as_object) {
                    let made: serde_json::Map<String, Value> =
                        props.iter().filter_map(|(k, p)| Some((k.clone(), p.get("example")?.clone()))).collect();
                    documents.push(Value::Object(made));
                }
                for doc in documents {
                    let tree = Tree::from_value(&doc);
                    let (a, b) = (own[n].first_failure(&tree), full[n].first_failure(&tree));
                    checked += 1;
                    if a.is_some() != b.is_some() {
                        disagree.push(format!("{} {name} on {doc}: built-in {a:?}, jsonschema {b:?}", document.file));
                    }
                }
            }
        }
        println!("{checked} documents checked by both");
        assert!(checked > 10_000, "{checked}");
        assert!(disagree.is_empty(), "{} disagreements:\n{}", disagree.len(), disagree.join("\n"));
    }

    /// Both validators agree on every case: valid or not, and where and why.
    #[cfg(feature = "json-schema")]
    #[test]
    fn the_builtin_validator_agrees_with_jsonschema() {
        let (schemas, documents): (Vec<Value>, Vec<Vec<Value>>) = cases().into_iter().unzip();
        let pointers: Vec<String> = (0..schemas.len()).map(|n| format!("/inline/{n}")).collect();
        let doc = resource(schemas.clone());
        let own = compile("t", &doc, &pointers).unwrap();
        let full = super::super::full::compile("t".into(), "urn:macaron:t", doc, &pointers).unwrap();
        for (n, documents) in documents.iter().enumerate() {
            for document in documents {
                let tree = Tree::from_value(document);
                let (a, b) = (own[n].first_failure(&tree), full[n].first_failure(&tree));
                assert_eq!(a.is_some(), b.is_some(), "{} on {document}: built-in {a:?}, jsonschema {b:?}", schemas[n]);
                if let (Some(a), Some(b)) = (a, b) {
                    assert_eq!(a.pointer, b.pointer, "{} on {document}", schemas[n]);
                    // The built-in one lists every unexpected member, not the first only.
                    let (a, b) = (a.message.split(" (").next(), b.message.split(" (").next());
                    if !b.is_some_and(|b| b.contains("oneOf") || b.contains("contains")) {
                        assert_eq!(a, b, "{} on {document}", schemas[n]);
                    }
                }
            }
        }
    }
}
