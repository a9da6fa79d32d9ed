//! OpenAPI 3.1 referencing, as JSON Schema 2020-12 defines it: `$id` base
//! URIs, `$anchor`, relative references resolved against the right base,
//! `$dynamicRef` / `$dynamicAnchor`, and `$ref` with siblings. Every
//! reference of the model then names a component.

use macaron_spec::Api;
use serde_json::{json, Value};

fn load(yaml: &str) -> Api {
    let api = macaron_spec::load_bytes("refs31.yaml", yaml.as_bytes()).unwrap();
    assert!(api.warnings.is_empty());
    every_ref_names_a_component(&api);
    api
}

fn every_ref_names_a_component(api: &Api) {
    fn walk(api: &Api, v: &Value) {
        match v {
            Value::Object(m) => {
                if let Some(r) = m.get("$ref") {
                    let name = Api::ref_name(v).unwrap_or_else(|| panic!("{r} is not a component"));
                    assert!(api.schemas.contains_key(name), "{name} is not defined");
                }
                for key in ["$id", "$anchor", "$dynamicAnchor", "$dynamicRef"] {
                    assert!(!m.contains_key(key), "{key} left in {v}");
                }
                m.values().for_each(|c| walk(api, c));
            }
            Value::Array(a) => a.iter().for_each(|c| walk(api, c)),
            _ => {}
        }
    }
    api.schemas.values().for_each(|s| walk(api, s));
}

const ANCHORS: &str = r##"
openapi: 3.1.0
info: {title: pets, version: "1"}
paths:
  /pets/{id}:
    get:
      operationId: getPet
      parameters:
        - name: id
          in: path
          required: true
          schema: {$ref: "/components/schemas/petdetails#pet_details_id"}
      responses:
        "200":
          description: a pet
          content:
            application/json: {schema: {$ref: "#/components/schemas/pet"}}
components:
  schemas:
    petdetails:
      $id: /components/schemas/petdetails
      type: object
      properties:
        id:
          $anchor: pet_details_id
          type: integer
          minimum: 1
        owner: {$ref: "#owner"}
      $defs:
        owner: {$anchor: owner, type: string}
    pet:
      $id: https://pets.example.com/schemas/pet
      type: object
      properties:
        details: {$ref: "details"}
        id: {$ref: "details#/properties/id"}
        tag: {$ref: "#/$defs/tag"}
      $defs:
        tag: {type: string, maxLength: 8}
    details:
      $id: https://pets.example.com/schemas/details
      type: object
      properties:
        id: {type: string, format: uuid}
"##;

#[test]
fn ids_and_anchors() {
    let api = load(ANCHORS);
    // The parameter's schema is the anchored integer, imported as a component.
    let op = api.operation("getPet").unwrap();
    let id = api.resolve(&op.parameters[0].schema);
    assert_eq!(id, &json!({"type": "integer", "minimum": 1}));
    // `#owner` inside petdetails is petdetails' anchor.
    let owner = api.resolve(&api.schemas["petdetails"]["properties"]["owner"]);
    assert_eq!(owner, &json!({"type": "string"}));
    // Relative references inside `pet` resolve against pet's $id.
    let pet = &api.schemas["pet"]["properties"];
    assert_eq!(pet["details"], json!({"$ref": "#/components/schemas/details"}));
    assert_eq!(api.resolve(&pet["id"]), &json!({"type": "string", "format": "uuid"}));
    // `#/$defs/tag` is a pointer into pet's resource, not into the document.
    assert_eq!(api.resolve(&pet["tag"]), &json!({"type": "string", "maxLength": 8}));
}

#[test]
fn a_ref_to_an_unknown_anchor_names_it() {
    let yaml = ANCHORS.replace("#pet_details_id", "#pet_details_uid");
    let err = macaron_spec::load_bytes("refs31.yaml", yaml.as_bytes()).unwrap_err();
    let d = &err.diagnostics[0];
    assert_eq!(d.pointer, "#/paths/~1pets~1{id}/get/parameters/0/schema");
    assert!(d.message.contains("no `$anchor` or `$dynamicAnchor` named \"pet_details_uid\""), "{d}");
}

const GENERIC: &str = r##"
openapi: 3.1.0
info: {title: pages, version: "1"}
paths:
  /pets:
    get:
      operationId: listPets
      responses:
        "200":
          description: a page of pets
          content:
            application/json: {schema: {$ref: "#/components/schemas/PetPage"}}
components:
  schemas:
    Pet:
      type: object
      required: [name]
      properties: {name: {type: string}}
    Page:
      $id: https://example.com/page
      type: object
      properties:
        items: {type: array, items: {$dynamicRef: "#item"}}
        next: {type: string}
      $defs:
        item: {$dynamicAnchor: item}
    PetPage:
      $id: https://example.com/pet-page
      $ref: page
      $defs:
        item:
          $dynamicAnchor: item
          $ref: "#/components/schemas/Pet"
"##;

#[test]
fn dynamic_refs_specialise_a_generic_schema() {
    // `#/components/schemas/Pet` inside PetPage resolves against PetPage's
    // $id, so the pet is given an $id of its own to be found.
    let yaml = GENERIC
        .replace("    Pet:\n", "    Pet:\n      $id: https://example.com/pet\n")
        .replace("$ref: \"#/components/schemas/Pet\"", "$ref: pet");
    let api = load(&yaml);
    // Page read on its own: the items are its own default (anything).
    let page_items = &api.schemas["Page"]["properties"]["items"]["items"];
    assert_eq!(api.resolve(page_items), &json!({}));
    // PetPage: Page read in PetPage's dynamic scope, where `item` is a Pet.
    let pet_page = &api.schemas["PetPage"];
    let specialised = Api::ref_name(pet_page).unwrap();
    assert_ne!(specialised, "Page");
    let items = &api.schemas[specialised]["properties"]["items"]["items"];
    let item = api.resolve(items);
    assert_eq!(item, &api.schemas["Pet"], "{items} -> {item}");
}

#[test]
fn a_ref_with_sibling_constraints_is_their_conjunction() {
    let yaml = r##"
openapi: 3.1.0
info: {title: t, version: "1"}
paths: {}
components:
  schemas:
    Pet: {type: object, properties: {name: {type: string}}}
    NamedPet:
      $ref: "#/components/schemas/Pet"
      description: a pet with a name
      required: [name]
    Described:
      $ref: "#/components/schemas/Pet"
      description: only an annotation
"##;
    let api = load(yaml);
    assert_eq!(
        api.schemas["NamedPet"],
        json!({"description": "a pet with a name", "allOf": [{"$ref": "#/components/schemas/Pet"}, {"required": ["name"]}]})
    );
    assert_eq!(
        api.schemas["Described"],
        json!({"$ref": "#/components/schemas/Pet", "description": "only an annotation"})
    );
}

#[test]
fn the_dynamic_scope_passes_through_a_schema_between() {
    // PetPage -> Wrapper -> Page: Wrapper holds no `$dynamicRef` but reaches one.
    let yaml = GENERIC
        .replace("    Pet:\n", "    Pet:\n      $id: https://example.com/pet\n")
        .replace("$ref: \"#/components/schemas/Pet\"", "$ref: pet")
        .replace(
            "    PetPage:\n      $id: https://example.com/pet-page\n      $ref: page\n",
            "    Wrapper:\n      $id: https://example.com/wrapper\n      $ref: page\n    PetPage:\n      $id: https://example.com/pet-page\n      $ref: wrapper\n",
        );
    let api = load(&yaml);
    let wrapper = Api::ref_name(&api.schemas["PetPage"]).unwrap();
    let page = Api::ref_name(&api.schemas[wrapper]).unwrap();
    let items = &api.schemas[page]["properties"]["items"]["items"];
    assert_eq!(api.resolve(items), &api.schemas["Pet"], "{wrapper} -> {page}: {items}");
    // Read on their own, Wrapper and Page hold anything.
    let alone = Api::ref_name(&api.schemas["Wrapper"]).unwrap();
    assert_eq!(alone, "Page");
}
