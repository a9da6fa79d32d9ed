//! References: across files, recursive, chained.

use crate::common;

use macaron_spec::Api;
use serde_json::json;

#[test]
fn external_files_are_followed_relative_to_the_referencing_file() {
    let api = macaron_spec::load(common::fixture("multi/main.yaml")).unwrap();
    let op = api.operation("listTrees").unwrap();
    // The parameter came from common/params.yaml, its schema from common/schemas.yaml.
    assert_eq!(op.parameters[0].name, "limit");
    let limit = api.resolve(&op.parameters[0].schema);
    assert_eq!(limit["maximum"], 50);
    // Tree is imported once, whichever file names it, and stays recursive.
    let items = &op.response(200).unwrap().content["application/json"].schema.as_ref().unwrap()["items"];
    assert_eq!(items, &json!({"$ref": "#/components/schemas/Tree"}));
    assert_eq!(api.schemas["Forest"]["properties"]["trees"]["items"], json!({"$ref": "#/components/schemas/Tree"}));
    assert_eq!(api.schemas["Tree"]["properties"]["children"]["items"], json!({"$ref": "#/components/schemas/Tree"}));
    assert_eq!(api.schemas["Leaf"]["type"], json!(["object", "null"]));
}

#[test]
fn every_schema_ref_resolves_inside_the_resource() {
    let api = macaron_spec::load(common::fixture("multi/main.yaml")).unwrap();
    let resource = api.schema_resource();
    let mut refs = Vec::new();
    collect(&resource, &mut refs);
    assert_eq!(refs.len(), 3, "Forest->Tree, Tree->Tree, Tree->Leaf");
    for r in refs {
        let pointer = r.strip_prefix('#').unwrap();
        assert!(resource.pointer(pointer).is_some(), "{r} does not resolve");
    }
}

fn collect(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(m) => {
            if let Some(serde_json::Value::String(r)) = m.get("$ref") {
                out.push(r.clone());
            }
            m.values().for_each(|c| collect(c, out));
        }
        serde_json::Value::Array(a) => a.iter().for_each(|c| collect(c, out)),
        _ => {}
    }
}

const RECURSIVE: &str = r##"
openapi: 3.0.0
info: {title: t, version: "1"}
paths:
  /nodes/{id}:
    get:
      operationId: getNode
      parameters: [{$ref: "#/components/parameters/Id"}]
      responses:
        "200": {$ref: "#/components/responses/NodeReply"}
components:
  parameters:
    Id: {$ref: "#/components/parameters/RealId"}
    RealId: {name: id, in: path, required: true, schema: {$ref: "#/components/schemas/IdType"}}
  responses:
    NodeReply: {$ref: "#/components/responses/RealNodeReply"}
    RealNodeReply:
      description: a node
      content:
        application/json: {schema: {$ref: "#/components/schemas/Alias"}}
  schemas:
    IdType: {$ref: "#/components/schemas/RealIdType"}
    RealIdType: {type: string, format: uuid}
    Alias: {$ref: "#/components/schemas/Node"}
    Node:
      type: object
      properties:
        children: {type: array, items: {$ref: "#/components/schemas/Node"}}
        parent: {$ref: "#/components/schemas/Node", nullable: true}
        first: {$ref: "#/components/schemas/Node/properties/children/items"}
"##;

#[test]
fn recursive_schemas_and_refs_to_refs() {
    let api = macaron_spec::load_bytes("recursive.yaml", RECURSIVE.as_bytes()).unwrap();
    let op = api.operation("getNode").unwrap();
    assert_eq!(op.parameters[0].name, "id");
    assert_eq!(api.resolve(&op.parameters[0].schema)["format"], "uuid");
    let reply = op.response(200).unwrap().content["application/json"].schema.as_ref().unwrap();
    assert_eq!(Api::ref_name(reply), Some("Alias"));
    assert_eq!(api.resolve(reply)["type"], "object");
    let node = &api.schemas["Node"];
    assert_eq!(node["properties"]["parent"]["anyOf"][0]["$ref"], "#/components/schemas/Node");
    // A pointer into a schema is imported as a component of its own.
    let first = Api::ref_name(&node["properties"]["first"]).unwrap();
    assert_eq!(api.schemas[first], json!({"$ref": "#/components/schemas/Node"}));
}

#[test]
fn a_deep_chain_of_nested_schemas_does_not_overflow() {
    let mut yaml = String::from("openapi: 3.1.0\ninfo: {title: t, version: \"1\"}\ncomponents:\n  schemas:\n");
    for i in 0..500 {
        yaml.push_str(&format!(
            "    S{i}: {{type: object, properties: {{next: {{$ref: \"#/components/schemas/S{}\"}}}}}}\n",
            i + 1
        ));
    }
    yaml.push_str("    S500: {$ref: \"#/components/schemas/S0\"}\n");
    let api = macaron_spec::load_bytes("chain.yaml", yaml.as_bytes()).unwrap();
    assert_eq!(api.schemas.len(), 501);
}
