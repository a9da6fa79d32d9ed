//! Bad documents: each class of problem gives a message naming the file,
//! the JSON pointer and (where it can be found) the line.

fn error_of(yaml: &str) -> macaron_spec::Error {
    macaron_spec::load_bytes("bad.yaml", yaml.as_bytes()).unwrap_err()
}

fn first(yaml: &str) -> macaron_spec::Diagnostic {
    error_of(yaml).diagnostics.into_iter().next().unwrap()
}

const HEAD: &str = "openapi: 3.0.3\ninfo: {title: t, version: \"1\"}\n";

#[test]
fn unknown_version() {
    let d = first("openapi: 4.0.0\ninfo: {title: t, version: \"1\"}\npaths: {}\n");
    assert_eq!((d.file.as_str(), d.pointer.as_str(), d.line), ("bad.yaml", "#/openapi", Some(1)));
    assert!(d.message.contains("unsupported openapi version \"4.0.0\""), "{}", d.message);
    let d = first("info: {title: t}\npaths: {}\n");
    assert!(d.message.contains("no `openapi` (3.x) or `swagger` (2.0) field"));
}

#[test]
fn missing_info() {
    let d = first("openapi: 3.0.0\npaths: {}\n");
    assert_eq!(d.pointer, "#");
    assert!(d.message.contains("missing `info`"));
    let d = first("openapi: 3.0.0\ninfo: {title: t}\npaths: {}\n");
    assert_eq!((d.pointer.as_str(), d.line), ("#/info", Some(2)));
    assert!(d.message.contains("info.version"));
}

#[test]
fn ref_to_nothing() {
    let yaml = format!(
        "{HEAD}paths:\n  /a:\n    get:\n      responses:\n        \"200\":\n          description: x\n          content:\n            application/json:\n              schema: {{$ref: \"#/components/schemas/Nope\"}}\n"
    );
    let err = error_of(&yaml);
    let d = &err.diagnostics[0];
    assert_eq!(d.pointer, "#/paths/~1a/get/responses/200/content/application~1json/schema");
    assert_eq!(d.line, Some(11));
    assert!(d.message.contains("\"#/components/schemas/Nope\" points to nothing"));
    assert_eq!(
        err.to_string(),
        format!("bad.yaml:11: {}: {}", d.pointer, d.message),
        "Display is file:line: pointer: message"
    );
}

#[test]
fn undeclared_and_unused_path_parameters() {
    let yaml =
        format!("{HEAD}paths:\n  /pets/{{petId}}:\n    get:\n      responses: {{\"200\": {{description: x}}}}\n");
    let d = first(&yaml);
    assert_eq!((d.pointer.as_str(), d.line), ("#/paths/~1pets~1{petId}/get", Some(5)));
    assert!(d.message.contains("path parameter {petId} of \"/pets/{petId}\" is not declared"));
    let yaml = format!(
        "{HEAD}paths:\n  /pets:\n    get:\n      parameters: [{{name: id, in: path, required: true, schema: {{type: string}}}}]\n      responses: {{\"200\": {{description: x}}}}\n"
    );
    assert!(first(&yaml).message.contains("parameter \"id\" is `in: path` but \"/pets\" has no {id}"));
}

#[test]
fn duplicate_operation_ids() {
    let yaml = format!(
        "{HEAD}paths:\n  /a:\n    get: {{operationId: same, responses: {{\"200\": {{description: x}}}}}}\n  /b:\n    get: {{operationId: same, responses: {{\"200\": {{description: x}}}}}}\n"
    );
    let d = first(&yaml);
    assert_eq!(d.pointer, "#/paths/~1b/get/operationId");
    assert_eq!(d.line, Some(7));
    assert!(d.message.contains("operationId \"same\" is used twice: here and at #/paths/~1a/get"));
}

#[test]
fn url_refs_are_refused() {
    let yaml = format!(
        "{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    A: {{$ref: \"https://example.com/schemas.yaml#/A\"}}\n"
    );
    let d = first(&yaml);
    assert_eq!(d.pointer, "#/components/schemas/A");
    assert!(d
        .message
        .contains("is a URL that no `$id` of the document names; Macaron never fetches documents from the network"));
}

#[test]
fn missing_external_file_names_the_referencing_place() {
    let dir = std::env::temp_dir().join(format!("macaron-spec-missing-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let main = dir.join("main.yaml");
    std::fs::write(&main, format!("{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    A: {{$ref: \"gone.yaml#/A\"}}\n"))
        .unwrap();
    let err = macaron_spec::load(&main).unwrap_err();
    let d = &err.diagnostics[0];
    assert!(d.file.ends_with("main.yaml"));
    assert_eq!((d.pointer.as_str(), d.line), ("#/components/schemas/A", Some(6)));
    assert!(d.message.contains("gone.yaml"), "{}", d.message);
    std::fs::remove_dir_all(&dir).unwrap();
    // From bytes there is no folder to look in: said so.
    let yaml = format!("{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    A: {{$ref: \"other.yaml#/A\"}}\n");
    assert!(first(&yaml).message.contains("loaded from bytes"));
}

#[test]
fn circular_refs() {
    let yaml = format!("{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    A: {{$ref: \"#/components/schemas/B\"}}\n    B: {{$ref: \"#/components/schemas/A\"}}\n");
    let d = first(&yaml);
    assert_eq!(d.pointer, "#/components/schemas/A");
    assert!(d.message.contains("circular $ref"));
    let yaml = format!("{HEAD}paths:\n  /a:\n    get:\n      parameters: [{{$ref: \"#/components/parameters/P\"}}]\n      responses: {{}}\ncomponents:\n  parameters:\n    P: {{$ref: \"#/components/parameters/P\"}}\n");
    assert!(first(&yaml).message.contains("circular $ref"));
}

#[test]
fn syntax_errors_carry_the_line() {
    let d = first("openapi: 3.0.0\ninfo:\n  title: [unclosed\n");
    assert_eq!(d.file, "bad.yaml");
    assert!(d.line.is_some_and(|l| l >= 3), "{d:?}");
    assert!(d.message.starts_with("invalid YAML"));
    let d = macaron_spec::load_bytes("bad.json", b"{\"openapi\": \"3.0.0\",\n\"info\": }")
        .unwrap_err()
        .diagnostics
        .remove(0);
    assert_eq!((d.line, d.message.starts_with("invalid JSON")), (Some(2), true));
}

#[test]
fn macaron_extensions_are_checked() {
    let yaml = format!(
        "{HEAD}paths:\n  /a:\n    get:\n      x-bind-server: pymacaron.api.get\n      responses: {{\"200\": {{description: x}}}}\ncomponents:\n  schemas:\n    Pet:\n      type: object\n      x-persist: {{table: pets, key: uid}}\n      properties:\n        id: {{type: string, x-nullable: yes please}}\n"
    );
    let err = error_of(&yaml);
    let text = err.to_string();
    assert!(text.contains("#/paths/~1a/get/x-bind-server: x-bind-server must be a Rust path"), "{text}");
    assert!(text.contains("#/components/schemas/Pet/x-persist: x-persist key \"uid\" is not a property"), "{text}");
    assert!(
        text.contains("#/components/schemas/Pet/properties/id/x-nullable: x-nullable must be true or false"),
        "{text}"
    );
    assert_eq!(err.diagnostics.len(), 3, "every problem is reported at once");
}

#[test]
fn unknown_security_scheme_and_bad_status() {
    let yaml = format!(
        "{HEAD}security: [{{jwt: []}}]\npaths:\n  /a:\n    get:\n      responses: {{\"20x\": {{description: x}}}}\n"
    );
    let text = error_of(&yaml).to_string();
    assert!(text.contains("#/security/0/jwt: security scheme \"jwt\" is not defined"), "{text}");
    assert!(text.contains("\"20x\" is not a status code"), "{text}");
}

#[test]
fn bad_path_templates() {
    let yaml = format!("{HEAD}paths:\n  /a/{{b:\n    get: {{responses: {{}}}}\n");
    let d = first(&yaml);
    assert_eq!(d.pointer, "#/paths/~1a~1{b");
    assert!(d.message.contains("without a matching"));
}
