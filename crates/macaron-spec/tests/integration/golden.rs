//! The resolved model of the same petstore written in Swagger 2.0, OpenAPI
//! 3.0 and 3.1 is pinned by golden files, and the three are the same model.
//! Compared with `expectorate` (a line diff on failure); run with
//! `EXPECTORATE=overwrite` to rewrite the golden files after a deliberate
//! change, then review the diff.

use crate::common;

use serde_json::Value;

fn model(version: &str) -> Value {
    let api = macaron_spec::load(common::fixture(&format!("petstore-{version}.yaml"))).unwrap();
    let mut value = serde_json::to_value(&api).unwrap();
    // The file path depends on where the checkout is.
    value["file"] = Value::String(format!("petstore-{version}.yaml"));
    value
}

fn check_golden(version: &str) {
    let actual = serde_json::to_string_pretty(&model(version)).unwrap() + "\n";
    let path =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("tests/golden/petstore-{version}.json"));
    expectorate::assert_contents(path, &actual);
}

#[test]
fn golden_swagger_20() {
    check_golden("2.0");
}

#[test]
fn golden_openapi_30() {
    check_golden("3.0");
}

#[test]
fn golden_openapi_31() {
    check_golden("3.1");
}

#[test]
fn three_versions_give_the_same_model() {
    let strip = |mut v: Value| {
        for key in ["name", "file", "version", "version_string"] {
            v.as_object_mut().unwrap().remove(key);
        }
        v
    };
    let v30 = strip(model("3.0"));
    assert_eq!(strip(model("3.1")), v30);
    assert_eq!(strip(model("2.0")), v30);
}

#[test]
fn the_model_reads_as_expected() {
    let api = macaron_spec::load(common::fixture("petstore-2.0.yaml")).unwrap();
    let ids: Vec<&str> = api.operations.iter().map(|op| op.id.as_str()).collect();
    assert_eq!(ids, ["listPets", "createPet", "getPet", "delete_pets_petId", "uploadPhoto"]);
    let delete = &api.operations[3];
    assert!(delete.id_derived);
    assert_eq!(delete.full_path(), "/v1/pets/{petId}");
    let create = api.operation("createPet").unwrap();
    assert_eq!(create.security[0]["api_key"], Vec::<String>::new());
    assert!(create.request_body.as_ref().unwrap().required);
    let upload = api.operation("uploadPhoto").unwrap();
    let form = &upload.request_body.as_ref().unwrap().content["multipart/form-data"];
    assert_eq!(form.schema.as_ref().unwrap()["properties"]["file"]["format"], "binary");
    let list = api.operation("listPets").unwrap();
    let tags = list.parameter("tags", macaron_spec::ParamLocation::Query).unwrap();
    assert_eq!((tags.style, tags.explode), (macaron_spec::ParamStyle::Form, false));
    assert_eq!(list.response(200).unwrap().headers["X-Next"].schema["type"], "string");
    assert_eq!(list.response(503).unwrap().status, macaron_spec::Status::Default);
    let persist = macaron_spec::x_persist(&api.schemas["Pet"]).unwrap();
    assert_eq!((persist.table.as_str(), persist.key.as_str()), ("pets", "id"));
    assert_eq!(api.schemas["NewPet"]["properties"]["age"]["exclusiveMinimum"], 0);
}
