//! `macaron spec check` and `macaron spec routes`, run as a user runs them.

use std::path::PathBuf;
use std::process::Command;

fn macaron(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_macaron")).args(args).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8(out.stdout).unwrap())
}

fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../macaron-spec/tests/fixtures").join(name).display().to_string()
}

#[test]
fn check_prints_ok_lines_for_the_whole_corpus() {
    let Some(corpus) = macaron_dev::corpus() else { return };
    let mut files: Vec<String> = std::fs::read_dir(corpus.dir())
        .unwrap()
        .map(|e| e.unwrap().path().display().to_string())
        .filter(|p| p.ends_with(".yaml") || p.ends_with(".json"))
        .collect();
    files.sort();
    let mut args = vec!["spec", "check"];
    args.extend(files.iter().map(String::as_str));
    let (code, out) = macaron(&args);
    assert_eq!(code, 0, "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 42);
    assert!(lines.iter().all(|l| l.starts_with("ok ")), "{out}");
    assert!(out.contains("stripe-spec3.yaml 3.0.0 468 operations"), "{out}");
}

#[test]
fn check_reports_defects_as_warnings_or_as_errors_with_strict() {
    let dir = std::env::temp_dir().join(format!("macaron-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.yaml");
    std::fs::write(
        &bad,
        "openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths:\n  /a/{id}:\n    get: {responses: {}}\n",
    )
    .unwrap();
    let good = fixture("petstore-3.0.yaml");
    let (code, out) = macaron(&["spec", "check", &good, bad.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], format!("ok {good} 3.0.3 5 operations"));
    assert_eq!(lines[1], format!("ok {} 3.0.0 1 operations, 1 warning", bad.display()));
    assert_eq!(
        lines[2],
        format!(
            "warning {}:5: #/paths/~1a~1{{id}}/get: path parameter {{id}} of \"/a/{{id}}\" is not declared in `parameters` (add one with `in: path`); assumed: a string parameter",
            bad.display()
        )
    );
    assert_eq!(lines.len(), 3);
    let (code, out) = macaron(&["spec", "check", "--strict", &good, bad.to_str().unwrap()]);
    assert_eq!(code, 1);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], format!("ok {good} 3.0.3 5 operations"));
    assert_eq!(
        lines[1],
        format!(
            "error {}: line 5: #/paths/~1a~1{{id}}/get: path parameter {{id}} of \"/a/{{id}}\" is not declared in `parameters` (add one with `in: path`)",
            bad.display()
        )
    );
    std::fs::write(&bad, "openapi: 3.0.0\ninfo: [\n").unwrap();
    let (code, out) = macaron(&["spec", "check", bad.to_str().unwrap()]);
    assert_eq!(code, 1, "what cannot be read is an error, however the document is read");
    assert!(out.starts_with(&format!("error {}: line 3: #: invalid YAML", bad.display())), "{out}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn routes_are_sorted_by_path_then_method_with_their_prefix() {
    let (code, out) = macaron(&["spec", "routes", &fixture("petstore-2.0.yaml")]);
    assert_eq!(code, 0);
    assert_eq!(
        out,
        "GET /v1/pets listPets\nPOST /v1/pets createPet\nDELETE /v1/pets/{petId} delete_pets_petId\nGET /v1/pets/{petId} getPet\nPOST /v1/pets/{petId}/photo uploadPhoto\n"
    );
}

#[test]
fn generate_writes_the_code_build_rs_would() {
    let out = std::env::temp_dir().join(format!("macaron-generate-{}", std::process::id()));
    let (code, printed) = macaron(&["generate", &fixture("petstore-3.0.yaml"), "--out", out.to_str().unwrap()]);
    assert_eq!(code, 0, "{printed}");
    let file = out.join("petstore_3_0.rs");
    assert_eq!(printed.trim(), format!("wrote {}", file.display()));
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("pub struct NewPet {"), "{text}");
    assert!(text.contains("petstore-3.0.yaml\""), "the spec is embedded");
    assert!(!text.contains(&*std::env::temp_dir().display().to_string()));
    std::fs::remove_dir_all(&out).unwrap();
}
