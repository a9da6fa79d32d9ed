//! What users see of generated code is pinned: the code for each
//! `tests/fixtures/NAME.yaml` is committed in `tests/golden/NAME.rs` and
//! compared with `expectorate` (a line diff on failure). Rewrite them with
//! `EXPECTORATE=overwrite` after a deliberate change and review the diff.

use std::path::PathBuf;

/// The code generated for a fixture, with the fixtures' folder as the
/// messages show it from the crate (`tests/fixtures`).
fn generated(fixture: &str) -> String {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests");
    let api = macaron_spec::load(here.join("fixtures").join(fixture)).unwrap();
    let code = macaron_build::Generator::new().api_code_at(&api, &format!("../fixtures/{fixture}")).unwrap();
    code.replace(&here.join("fixtures").display().to_string(), "tests/fixtures")
}

#[test]
fn generated_code_for_pets_is_pinned() {
    let golden = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/pets.rs");
    expectorate::assert_contents(golden, &generated("pets.yaml"));
}

#[test]
fn generated_code_for_edge_cases_is_pinned() {
    let golden = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/edge_cases.rs");
    expectorate::assert_contents(golden, &generated("edge_cases.yaml"));
}

#[test]
fn the_pieces_users_rely_on_are_there() {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests");
    let code = std::fs::read_to_string(here.join("golden/pets.rs")).unwrap();
    for expected in [
        // Models: optional fields, renames, enums, maps, dates, nullable, x-nullable, x-mandatory.
        "pub struct NewPet {",
        "pub kind: ::std::option::Option<NewPetKind>,",
        "#[serde(rename = \"red panda\")]",
        "pub birthday: ::std::option::Option<::macaron::chrono::NaiveDate>,",
        // Nullable and not required: absent (None) is not null (Some(None)).
        "deserialize_with = \"nullable_field\",",
        "pub owner: ::std::string::String,",
        "::std::collections::BTreeMap<::std::string::String, ::std::string::String>",
        // allOf merged, recursion boxed, x-parent implemented, MODEL_NAME.
        "pub struct Pet {",
        "pub best_friend: ::std::option::Option<::std::boxed::Box<Pet>>,",
        "impl crate::models::Animal for Pet {}",
        // x-persist: stored in its table, keyed by its id.
        "impl ::macaron::db::Persistent for Pet {",
        "::macaron::db::key_text(&self.id)",
        "const MODEL_NAME: &'static str = \"Pet\";",
        // oneOf as an untagged enum.
        "pub enum Toy {",
        // Bindings: typed arguments, body first; several success statuses as an enum.
        "pub enum CreatePetResponse {",
        "type Returns = ::macaron::Result<CreatePetResponse>;",
        "F: Fn(NewPet) -> Fut,",
        "let x_bind_server_of_createPet_in_pets_yaml = crate::api::create_pet;",
        "type Returns = ::macaron::Result<::std::vec::Vec<Pet>>;",
        "(query.limit, query.tag, headers.x_trace)",
        "Ok((path.pet_id,))",
        "let reply: Returns = call(x_bind_server_of_deletePet_in_pets_yaml, args?).await;",
        "reply?;",
        // A handler that does not fit names the operation and the spec.
        "message = \"`crate::api::delete_pet` does not fit operation `deletePet` (DELETE /v1/pets/{{petId}}) of tests/fixtures/pets.yaml\"",
        ".bound_handler(\"deletePet\", op_delete_pet)",
        // Guards named by x-decorate-server are registered under their path.
        ".guard(\"crate::guards::owner_only\", crate::guards::owner_only)",
    ] {
        assert!(code.contains(expected), "missing `{expected}` in the generated code");
    }
    // The inline enum Pet reaches through allOf is NewPet's, not a twin.
    assert!(!code.contains("pub enum PetKind"), "one type for one inline enum");
    assert_eq!(code.matches("pub kind: ::std::option::Option<NewPetKind>,").count(), 2);
    let nickname = code.find("pub nickname").unwrap();
    assert!(
        !code[..nickname].rsplit("pub ").next().unwrap().contains("skip_serializing_if"),
        "x-nullable is sent as null"
    );
}

#[test]
fn names_the_generated_code_uses_itself_do_not_clash() {
    let yaml = r##"
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /a/{path}:
    post:
      operationId: get
      parameters:
        - {name: path, in: path, required: true, schema: {type: string}}
        - {name: path, in: query, schema: {type: string}}
        - {name: body, in: query, schema: {type: string}}
      requestBody: {content: {application/json: {schema: {type: object}}}}
      responses: {"200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Client"}}}}}
components:
  schemas:
    Client: {type: object, properties: {id: {type: string}}}
"##;
    let api = macaron_spec::load_bytes("clash.yaml", yaml.as_bytes()).unwrap();
    let code = macaron_build::Generator::new().api_code(&api).unwrap();
    assert!(code.contains("pub struct Client2 {"), "the schema yields to the generated Client:\n{code}");
    assert!(code.contains("pub struct Client {"));
    assert!(code.contains("path: ::std::string::String,") && code.contains("path2: ::std::option::Option<"), "{code}");
    assert!(code.contains("body2: ::std::option::Option<"), "{code}");
}

#[test]
fn the_same_inline_schema_is_one_type() {
    let yaml = r##"
openapi: 3.0.3
info: {title: t, version: "1"}
paths: {}
components:
  schemas:
    Size: {type: string, enum: [s, m, l]}
    Shirt:
      type: object
      properties:
        size: {type: string, enum: [s, m, l], description: the shirt's size}
        color: {type: string, enum: [red, blue]}
        fit: {type: object, properties: {waist: {type: integer}}}
    Trousers:
      type: object
      properties:
        color: {type: string, enum: [red, blue], nullable: true}
        fit: {type: object, properties: {waist: {type: integer}}}
        pocket: {type: object, properties: {deep: {type: boolean}}}
"##;
    let api = macaron_spec::load_bytes("clothes.yaml", yaml.as_bytes()).unwrap();
    let code = macaron_build::Generator::new().api_code(&api).unwrap();
    // An inline enum with a component's values is the component.
    assert!(code.contains("pub size: ::std::option::Option<Size>,"), "{code}");
    // The same inline enum (nullable or not) and the same inline object: one type each.
    assert!(code.contains("pub color: ::std::option::Option<ShirtColor>,"), "{code}");
    // (Trousers' is nullable and not required: absent and null are two values.)
    assert!(code.contains("::std::option::Option<::std::option::Option<ShirtColor>>"), "{code}");
    assert_eq!(code.matches("pub fit: ::std::option::Option<ShirtFit>,").count(), 2, "{code}");
    assert!(!code.contains("TrousersColor") && !code.contains("TrousersFit"), "{code}");
    assert!(code.contains("pub struct TrousersPocket {"), "{code}");
}
