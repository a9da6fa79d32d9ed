//! The lenient reading: every defect class loads, with a warning that names
//! file, line and pointer, says what is wrong and what was assumed; the
//! strict reading refuses the same document with the same place.

use macaron_spec::{Api, Diagnostic, Options};
use serde_json::json;

const HEAD: &str = "openapi: 3.0.3\ninfo: {title: t, version: \"1\"}\n";

/// Loads leniently, checks the strict reading fails at the same place, and
/// returns the model and its only warning.
fn lenient(body: &str) -> (Api, Diagnostic) {
    let yaml = format!("{HEAD}{body}");
    let api = Options::lenient().load_bytes("vendor.yaml", yaml.as_bytes()).unwrap();
    assert_eq!(api.warnings.len(), 1, "{:#?}", api.warnings);
    let warning = api.warnings[0].clone();
    assert_eq!(warning.file, "vendor.yaml");
    assert!(warning.line.is_some(), "{warning}");
    assert!(warning.assumed.is_some());
    let strict = macaron_spec::load_bytes("vendor.yaml", yaml.as_bytes()).unwrap_err();
    let first = &strict.diagnostics[0];
    assert_eq!((&first.pointer, first.line, &first.message), (&warning.pointer, warning.line, &warning.message));
    assert_eq!(first.assumed, None, "nothing is assumed when reading strictly");
    (api, warning)
}

#[test]
fn a_dangling_schema_ref_is_an_unconstrained_value() {
    let (api, w) = lenient(concat!(
        "paths:\n",
        "  /contacts:\n",
        "    get:\n",
        "      operationId: listContacts\n",
        "      responses:\n",
        "        \"200\":\n",
        "          description: ok\n",
        "          content:\n",
        "            application/json: {schema: {$ref: \"#/components/schemas/Contact\"}}\n",
        "components:\n",
        "  schemas:\n",
        "    Contact:\n",
        "      type: object\n",
        "      properties:\n",
        "        name: {type: string}\n",
        "        custom_attributes: {$ref: \"#/components/schemas/custom_attributes\", description: free}\n",
    ));
    assert_eq!((w.pointer.as_str(), w.line), ("#/components/schemas/Contact/properties/custom_attributes", Some(18)));
    assert!(w.message.contains("$ref \"#/components/schemas/custom_attributes\" points to nothing"), "{w}");
    assert_eq!(w.assumed.as_deref(), Some("an unconstrained value"));
    assert_eq!(api.schemas["Contact"]["properties"]["custom_attributes"], json!({"description": "free"}));
    assert_eq!(w.to_string(), "vendor.yaml:18: #/components/schemas/Contact/properties/custom_attributes: $ref \"#/components/schemas/custom_attributes\" points to nothing; assumed: an unconstrained value");
}

#[test]
fn an_undefined_security_scheme_is_ignored_for_that_operation() {
    let (api, w) = lenient(concat!(
        "paths:\n",
        "  /a:\n",
        "    get:\n",
        "      operationId: a\n",
        "      security: [{oauth: [read]}, {key: []}]\n",
        "      responses: {\"200\": {description: ok}}\n",
        "components:\n",
        "  securitySchemes:\n",
        "    key: {type: apiKey, in: header, name: X-Key}\n",
    ));
    assert_eq!(w.pointer, "#/paths/~1a/get/security/0/oauth");
    assert!(w.message.contains("security scheme \"oauth\" is not defined"));
    // /a keeps its other alternative; nothing "anonymous" is made up.
    let a = api.operation("a").unwrap();
    assert_eq!(a.security.len(), 1);
    assert!(a.security[0].contains_key("key"));
    // An operation whose only requirement named it is called without credentials.
    let (api, _) = lenient(concat!(
        "paths:\n",
        "  /b:\n",
        "    get:\n",
        "      operationId: b\n",
        "      security: [{oauth: [read]}]\n",
        "      responses: {\"200\": {description: ok}}\n",
    ));
    assert!(api.operation("b").unwrap().security.is_empty());
}

#[test]
fn a_duplicate_operation_id_is_renamed() {
    let (api, w) = lenient(concat!(
        "paths:\n",
        "  /a: {get: {operationId: list, responses: {\"200\": {description: ok}}}}\n",
        "  /b: {get: {operationId: list, responses: {\"200\": {description: ok}}}}\n",
        "  /c: {get: {operationId: list_2, responses: {\"200\": {description: ok}}}}\n",
    ));
    assert_eq!((w.pointer.as_str(), w.line), ("#/paths/~1b/get/operationId", Some(5)));
    assert_eq!(w.assumed.as_deref(), Some("this one is renamed \"list_3\""));
    let ids: Vec<&str> = api.operations.iter().map(|op| op.id.as_str()).collect();
    assert_eq!(ids, ["list", "list_3", "list_2"]);
}

#[test]
fn a_dangling_parameter_or_response_ref() {
    let (api, w) = lenient(concat!(
        "paths:\n",
        "  /a:\n",
        "    get:\n",
        "      operationId: a\n",
        "      parameters: [{$ref: \"#/components/parameters/Limit\"}, {name: q, in: query, schema: {type: string}}]\n",
        "      responses: {\"200\": {description: ok}}\n",
    ));
    assert_eq!(w.assumed.as_deref(), Some("the parameter is ignored"));
    assert_eq!(api.operation("a").unwrap().parameters.len(), 1);
    let (api, w) = lenient(concat!(
        "paths:\n",
        "  /a:\n",
        "    get:\n",
        "      operationId: a\n",
        "      responses: {\"200\": {$ref: \"#/components/responses/Ok\"}}\n",
    ));
    assert_eq!(w.assumed.as_deref(), Some("a response without content"));
    assert!(api.operation("a").unwrap().response(200).unwrap().content.is_empty());
}

#[test]
fn path_parameters_out_of_step_with_the_template() {
    let (api, w) = lenient(concat!(
        "paths:\n",
        "  /a/{id}:\n",
        "    get:\n",
        "      operationId: a\n",
        "      responses: {\"200\": {description: ok}}\n",
    ));
    assert_eq!(w.assumed.as_deref(), Some("a string parameter"));
    let p = &api.operation("a").unwrap().parameters[0];
    assert_eq!((p.name.as_str(), p.required, &p.schema), ("id", true, &json!({"type": "string"})));
    let (api, w) = lenient(concat!(
        "paths:\n",
        "  /a:\n",
        "    get:\n",
        "      operationId: a\n",
        "      parameters: [{name: id, in: path, required: true, schema: {type: string}}]\n",
        "      responses: {\"200\": {description: ok}}\n",
    ));
    assert_eq!(w.assumed.as_deref(), Some("the parameter is ignored"));
    assert!(api.operation("a").unwrap().parameters.is_empty());
}

#[test]
fn unreadable_pieces_are_skipped() {
    let cases = [
        ("paths:\n  /a:\n    get:\n      operationId: a\n      parameters: [{name: q, in: body2}]\n      responses: {}\n", "the parameter is ignored"),
        ("paths:\n  /a:\n    get:\n      operationId: a\n      parameters: [{name: q, in: query, style: wavy}]\n      responses: {}\n", "the location's default style"),
        ("paths:\n  /a:\n    get:\n      operationId: a\n      responses: {\"2O0\": {description: typo}}\n", "the response is ignored"),
        ("paths:\n  /a:\n    get:\n      operationId: 12\n      responses: {}\n", "an id derived from method and path"),
        ("paths:\n  /a: {get: [not, a, mapping]}\n  /b: {get: {operationId: b, responses: {}}}\n", "the operation is ignored"),
        ("paths:\n  /a/{: {get: {operationId: a, responses: {}}}\n  /b: {get: {operationId: b, responses: {}}}\n", "the path is ignored"),
        ("paths: {}\ncomponents:\n  securitySchemes:\n    k: {type: magic}\n", "the scheme is ignored (operations requiring it send no credentials for it)"),
        ("paths: {}\ncomponents:\n  schemas:\n    A: {$ref: \"#/components/schemas/A\"}\n", "an unconstrained value"),
        ("paths: {}\ncomponents:\n  parameters:\n    P: {$ref: \"#/components/parameters/Nothing\"}\n", "left unresolved (nothing the model is built from uses this place)"),
        ("paths: {}\ncomponents:\n  schemas:\n    A: {$ref: \"https://example.com/schemas.yaml#/A\"}\n", "an unconstrained value"),
        ("paths:\n  /a: {get: {operationId: a, responses: {}}}\n  /a: {put: {operationId: b, responses: {}}}\n", "the last of its values"),
    ];
    for (body, assumed) in cases {
        let (api, w) = lenient(body);
        assert_eq!(w.assumed.as_deref(), Some(assumed), "{body}");
        if body.contains("/b:") {
            assert_eq!(api.operations.len(), 1, "{body}");
        }
    }
}

#[test]
fn a_clean_document_has_no_warning_and_reads_the_same() {
    let yaml =
        format!("{HEAD}paths:\n  /a: {{get: {{operationId: a, responses: {{\"200\": {{description: ok}}}}}}}}\n");
    let strict = macaron_spec::load_bytes("ok.yaml", yaml.as_bytes()).unwrap();
    let lenient = Options::lenient().load_bytes("ok.yaml", yaml.as_bytes()).unwrap();
    assert!(lenient.warnings.is_empty());
    assert_eq!(serde_json::to_value(&strict).unwrap(), serde_json::to_value(&lenient).unwrap());
}

#[test]
fn extensions_of_the_paths_object_are_not_paths() {
    let yaml = format!(
        "{HEAD}paths:\n  x-internal: true\n  /a: {{x-tag: 1, get: {{operationId: a, responses: {{\"200\": {{description: ok}}}}}}}}\n"
    );
    let api = macaron_spec::load_bytes("ok.yaml", yaml.as_bytes()).unwrap();
    assert_eq!(api.operations.len(), 1);
}
