//! A Rust path the generated code names but does not make (the runtime's,
//! `x-bind-server`, `x-decorate-server`, `x-parent`) is parsed before it is
//! used: one Rust refuses is an error that names it and where it came from,
//! not code that fails to compile.

const SPEC: &str = r##"
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /a:
    get:
      operationId: getA
      x-bind-server: BIND
      x-decorate-server: GUARD
      responses: {"204": {description: none}}
components:
  schemas:
    A: {type: object, x-parent: PARENT, properties: {id: {type: string}}}
"##;

fn generate(bind: &str, guard: &str, parent: &str) -> Result<String, macaron_build::Error> {
    let yaml = SPEC.replace("BIND", bind).replace("GUARD", guard).replace("PARENT", parent);
    let api = macaron_spec::load_bytes("paths.yaml", yaml.as_bytes()).unwrap();
    macaron_build::Generator::new().api_code(&api)
}

fn refused(result: Result<String, macaron_build::Error>) -> String {
    match result {
        Err(e @ macaron_build::Error::Path { .. }) => e.to_string(),
        other => panic!("expected a path error, got {other:?}"),
    }
}

#[test]
fn paths_that_are_rust_paths_are_used() {
    let code = generate("crate::api::get_a", "crate::guards::check", "crate::models::Parent").unwrap();
    assert!(code.contains("let x_bind_server_of_getA_in_paths_yaml = crate::api::get_a;"), "{code}");
    assert!(code.contains(".guard(\"crate::guards::check\", crate::guards::check)"), "{code}");
    assert!(code.contains("impl crate::models::Parent for A {}"), "{code}");
}

#[test]
fn a_keyword_in_a_path_is_refused_with_its_place() {
    // `is_rust_path` of macaron-spec lets keywords through; Rust does not.
    let message = refused(generate("crate::api::type", "crate::guards::check", "crate::models::Parent"));
    assert!(message.contains("`crate::api::type` (x-bind-server of operation `getA` in paths.yaml)"), "{message}");
    let message = refused(generate("crate::api::get_a", "crate::fn::check", "crate::models::Parent"));
    assert!(message.contains("`crate::fn::check` (x-decorate-server in paths.yaml)"), "{message}");
    let message = refused(generate("crate::api::get_a", "crate::guards::check", "crate::impl::Parent"));
    assert!(message.contains("`crate::impl::Parent` (x-parent of schema `A` in paths.yaml)"), "{message}");
}

#[test]
fn a_runtime_that_is_not_a_path_is_refused() {
    let api = macaron_spec::load_bytes("paths.yaml", SPEC.replace("BIND", "f").as_bytes()).unwrap();
    let result = macaron_build::Generator::new().runtime("not a path").types_only().api_code(&api);
    let message = refused(result);
    assert!(message.contains("`not a path` (the runtime path given to Generator::runtime)"), "{message}");
}
