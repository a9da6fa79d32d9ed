//! How a service reads its own spec: strictly by default (a defect stops
//! the start, naming file, line and pointer), leniently when asked; and
//! OpenAPI 3.1 referencing (`$id`, `$anchor`, `$dynamicRef`) as the
//! validators apply it to real requests.

use macaron::test::TestServer;
use macaron::{Json, Path};
use serde_json::{json, Value};

const PAGES: &str = r##"
openapi: 3.1.0
info: {title: pages, version: "1"}
paths:
  /pets/{id}:
    put:
      operationId: putPage
      parameters:
        - {name: id, in: path, required: true, schema: {$ref: "/components/schemas/ids#positive"}}
      requestBody:
        required: true
        content:
          application/json: {schema: {$ref: "#/components/schemas/PetPage"}}
      responses:
        "200":
          description: what was received
          content:
            application/json: {schema: {type: object}}
components:
  schemas:
    ids:
      $id: /components/schemas/ids
      $defs:
        positive: {$anchor: positive, type: integer, minimum: 1}
    Pet:
      $id: https://example.com/pet
      type: object
      required: [name]
      properties: {name: {type: string}}
    Page:
      $id: https://example.com/page
      type: object
      properties:
        items: {type: array, items: {$dynamicRef: "#item"}}
      $defs:
        item: {$dynamicAnchor: item}
    PetPage:
      $id: https://example.com/pet-page
      $ref: page
      required: [items]
      $defs:
        item: {$dynamicAnchor: item, $ref: pet}
"##;

async fn put_page(Path(p): Path<Value>, Json(body): Json<Value>) -> macaron::Result<Value> {
    Ok(json!({"id": p["id"], "body": body}))
}

#[tokio::test]
async fn validators_follow_ids_anchors_and_dynamic_refs() {
    let api = macaron::Api::builder().api_source("pages.yaml", PAGES).handler("putPage", put_page).build().unwrap();
    let s = TestServer::start(api).await;
    let page = json!({"items": [{"name": "Rex"}]});
    let r = s.assert_call_json("PUT", "/pets/3", Some(page.clone()), 200).await;
    assert_eq!(r, json!({"id": 3, "body": page}));
    // The anchored schema of the path parameter: an integer of at least 1.
    let e = s.assert_call_error("PUT", "/pets/0", Some(page.clone()), 400, "INVALID_PARAMETER").await;
    assert!(e["error_description"].as_str().unwrap().contains("less than the minimum of 1"), "{e}");
    // The items of a PetPage are pets (the dynamic anchor of the caller), so a name is required.
    let e = s.assert_call_error("PUT", "/pets/3", Some(json!({"items": [{}]})), 400, "INVALID_PARAMETER").await;
    assert!(e["error_description"].as_str().unwrap().contains("\"name\" is a required property"), "{e}");
    // And PetPage's own sibling constraint applies beside the $ref.
    let e = s.assert_call_error("PUT", "/pets/3", Some(json!({})), 400, "INVALID_PARAMETER").await;
    assert!(e["error_description"].as_str().unwrap().contains("\"items\" is a required property"), "{e}");
}

const DEFECTIVE: &str = r##"openapi: 3.0.3
info: {title: vendor, version: "1"}
paths:
  /a:
    get:
      operationId: a
      security: [{oauth: []}]
      responses:
        "200":
          description: ok
          content:
            application/json: {schema: {$ref: "#/components/schemas/Gone"}}
"##;

async fn a() -> macaron::Result<Value> {
    Ok(json!({"anything": ["goes"]}))
}

#[tokio::test]
async fn the_own_spec_is_strict_unless_asked_otherwise() {
    let err = macaron::Api::builder().api_source("vendor.yaml", DEFECTIVE).handler("a", a).try_build().unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("vendor.yaml:7: #/paths/~1a/get/security/0/oauth: security scheme \"oauth\" is not defined"),
        "{text}"
    );
    assert!(text.contains("vendor.yaml:12: #/paths/~1a/get/responses/200/content/application~1json/schema: $ref \"#/components/schemas/Gone\" points to nothing"), "{text}");

    let api =
        macaron::Api::builder().lenient_spec().api_source("vendor.yaml", DEFECTIVE).handler("a", a).build().unwrap();
    let s = TestServer::start(api).await;
    // The undefined scheme is ignored (no credentials needed); the reply is unconstrained.
    assert_eq!(s.assert_call_json("GET", "/a", None, 200).await, json!({"anything": ["goes"]}));
}
