//! A handler named by `x-bind-server` that is missing, takes a wrong
//! argument type or returns a wrong type fails the build, and the message
//! names the operation and the spec file.
//!
//! The code generated for `tests/compile_fail/shop.yaml` is written to
//! `tests/compile_fail/generated/shop.rs` (not committed), which each
//! fixture includes; the expected compiler output is committed beside
//! each fixture (`TRYBUILD=overwrite` rewrites it after a deliberate change).
//!
//! The same run compiles the golden files (`tests/compile_pass/`), with
//! handlers of the signatures they ask for: what is pinned is code that
//! builds.

use std::path::Path;

#[test]
fn handlers_that_do_not_fit_fail_to_compile_and_the_golden_code_compiles() {
    // Relative to the crate (cargo runs tests there): the path the
    // messages show.
    let spec = "tests/compile_fail/shop.yaml";
    let api = macaron_spec::load(spec).unwrap();
    let code = macaron_build::Generator::new().api_code_at(&api, "../shop.yaml").unwrap();
    let generated = Path::new("tests/compile_fail/generated");
    std::fs::create_dir_all(generated).unwrap();
    let file = generated.join("shop.rs");
    if std::fs::read_to_string(&file).ok().as_deref() != Some(code.as_str()) {
        std::fs::write(&file, &code).unwrap();
    }
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/compile_fail/*.rs");
    cases.pass("tests/compile_pass/*.rs");
}
