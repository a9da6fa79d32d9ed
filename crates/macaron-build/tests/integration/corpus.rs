//! The public corpus (`../shared/specs/public`, 42 documents) against the
//! generator, in two scratch crates under the target folder:
//!
//! - `macaron-corpus-check`: the code of every document (one module each),
//!   depending on the runtime only, as a service would, passes
//!   `cargo clippy -- -D warnings` (so it compiles, with no warning).
//! - `macaron-corpus-roundtrip`: the API objects of every document
//!   ([`macaron_build::Generator::types_only`], on a stand-in for the
//!   runtime that re-exports serde, chrono and uuid, so nothing else has to
//!   be built), and one generated `#[test]` per `example` of a component
//!   schema: the example deserialises into the generated type and
//!   serialises back to the same JSON (semantically: `1.0` is `1`, a
//!   date-time is its instant). An object schema without an example of its
//!   own gets one built from its properties' examples when every required
//!   property has one. Examples that are invalid against their own schema
//!   (as macaron-spec gives it, checked with `jsonschema`) are skipped and
//!   listed, not tried.
//!
//! Both print their times; the round trip prints one summary line.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

use macaron_spec::Api;
use serde_json::{json, Map, Value};

fn corpus() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/specs/public");
    if dir.join("MANIFEST.tsv").is_file() {
        return Some(dir);
    }
    assert!(
        std::env::var("CI").map_or(true, |v| v != "true"),
        "CI=true but the corpus is missing at {}",
        dir.display()
    );
    eprintln!("SKIPPED: corpus not found at {}", dir.display());
    None
}

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

/// The target folder of this build (`CARGO_TARGET_DIR` when set), so that
/// runs from different checkouts or target folders do not share scratch crates.
fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from) {
        Some(dir) if dir.is_absolute() => dir,
        Some(dir) => workspace().join(dir),
        None => workspace().join("target"),
    }
}

fn documents(dir: &Path) -> Vec<(PathBuf, Api)> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    paths.retain(|p| p.extension().is_some_and(|e| e == "yaml" || e == "json"));
    paths.sort();
    assert_eq!(paths.len(), 42);
    paths
        .into_iter()
        .map(|path| {
            let api = macaron_spec::load(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            (path, api)
        })
        .collect()
}

/// `tests/fixtures/lenient/*.yaml`, read leniently.
fn lenient_fixtures() -> Vec<(PathBuf, Api)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lenient");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let api =
                macaron_spec::Options::lenient().load(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            (path, api)
        })
        .collect()
}

#[test]
fn lenient_fixtures_read_as_expected() {
    let fixtures = lenient_fixtures();
    let [(_, referencing), (_, vendor)] = fixtures.as_slice() else { panic!("two fixtures") };
    assert!(referencing.warnings.is_empty(), "{:?}", referencing.warnings);
    let warnings: Vec<String> = vendor.warnings.iter().map(|w| w.to_string()).collect();
    assert_eq!(warnings.len(), 5, "{warnings:#?}");
    let ids: Vec<&str> = vendor.operations.iter().map(|op| op.id.as_str()).collect();
    assert_eq!(ids, ["list contacts", "type", "type_2"]);
    let code = macaron_build::Generator::new().api_code(referencing).unwrap();
    // The generic page read with the pet page's anchor: its items are pets.
    // The generic page read with the pet page's anchor: its items are pets
    // (`Item2`, the pet page's `item`, is a `Pet`); the page alone holds anything.
    assert!(code.contains("pub struct PetPage {\n    pub items: ::std::vec::Vec<Item2>,"), "{code}");
    assert!(code.contains("pub type Item2 = Pet;"), "{code}");
    assert!(code.contains("pub type Item = ::macaron::serde_json::Value;"), "{code}");
    assert!(code.contains("pub type Positive = i64;"), "{code}");
}

/// A crate of its own (`[workspace]`), on the workspace's lock file and
/// dependency profile, with `src/lib.rs` and `src/*.rs` written by the caller.
fn scratch_crate(name: &str, dependencies: &str) -> PathBuf {
    let root = workspace();
    let scratch = target_dir().join(name);
    let _ = std::fs::remove_dir_all(scratch.join("src"));
    let _ = std::fs::remove_dir_all(scratch.join("tests"));
    std::fs::create_dir_all(scratch.join("src")).unwrap();
    std::fs::write(
        scratch.join("Cargo.toml"),
        format!(
            "[package]\nname = {name:?}\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n[workspace]\n\n[dependencies]\n{dependencies}\n[profile.dev.package.\"*\"]\nopt-level = 1\n"
        ),
    )
    .unwrap();
    std::fs::copy(root.join("Cargo.lock"), scratch.join("Cargo.lock")).unwrap();
    scratch
}

fn cargo(scratch: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO"))
        .args(args)
        .current_dir(scratch)
        .env("CARGO_TARGET_DIR", scratch.join("target"))
        .env_remove("RUSTFLAGS")
        .env("RUST_BACKTRACE", "0")
        .output()
        .unwrap()
}

#[test]
fn every_corpus_document_generates_code_without_clippy_warnings() {
    let Some(dir) = corpus() else { return };
    let runtime = workspace().join("crates/macaron").display().to_string();
    let scratch = scratch_crate(
        "macaron-corpus-check",
        &format!("macaron = {{ path = {runtime:?}, features = [\"client\"] }}\n"),
    );
    let generator = macaron_build::Generator::new();
    let mut lib = String::from("//! The generated code of every corpus document.\n");
    let started = Instant::now();
    for (path, api) in documents(&dir) {
        let code = generator.api_code(&api).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let module = macaron_build::field_name(&api.name);
        std::fs::write(scratch.join("src").join(format!("{module}.rs")), code).unwrap();
        lib.push_str(&format!("pub mod {module};\n"));
    }
    eprintln!("generated 42 documents in {:?}", started.elapsed());
    // And the documents real vendors ship, defects and 3.1 referencing
    // included, read leniently as a client's document is.
    for (path, api) in lenient_fixtures() {
        let code = generator.api_code(&api).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let module = format!("lenient_{}", macaron_build::field_name(&api.name));
        std::fs::write(scratch.join("src").join(format!("{module}.rs")), code).unwrap();
        lib.push_str(&format!("pub mod {module};\n"));
    }
    std::fs::write(scratch.join("src/lib.rs"), lib).unwrap();
    let started = Instant::now();
    let out = cargo(&scratch, &["clippy", "--quiet", "--message-format=short", "--offline", "--", "-D", "warnings"]);
    eprintln!("cargo clippy of the generated code took {:?}", started.elapsed());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let problems: Vec<&str> =
        stderr.lines().filter(|l| l.contains("error") || l.contains("warning")).take(60).collect();
    assert!(out.status.success(), "{}", problems.join("\n"));
}

/// The examples of a schema: `example`, every item of `examples`
/// (`example: null`, which documents write for "none", is none).
fn own_examples(schema: &Value) -> Vec<Value> {
    let mut out: Vec<Value> = schema.get("example").filter(|e| !e.is_null()).cloned().into_iter().collect();
    if let Some(Value::Array(items)) = schema.get("examples") {
        out.extend(items.iter().cloned());
    }
    out
}

/// The first example of a property (following a reference to a component).
fn property_example(api: &Api, schema: &Value) -> Option<Value> {
    own_examples(schema).into_iter().next().or_else(|| own_examples(api.resolve(schema)).into_iter().next())
}

/// Properties and required names of an object schema, through `allOf`.
fn properties(
    api: &Api,
    schema: &Value,
    props: &mut Map<String, Value>,
    required: &mut BTreeSet<String>,
    depth: usize,
) {
    let schema = api.resolve(schema);
    if depth > 16 {
        return;
    }
    for member in schema.get("allOf").and_then(Value::as_array).into_iter().flatten() {
        properties(api, member, props, required, depth + 1);
    }
    if let Some(Value::Object(p)) = schema.get("properties") {
        props.extend(p.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    for name in schema.get("required").and_then(Value::as_array).into_iter().flatten() {
        if let Some(name) = name.as_str() {
            required.insert(name.to_string());
        }
    }
}

/// An object made of the properties' examples, when every required
/// property has one (and some property has one).
fn example_from_properties(api: &Api, schema: &Value) -> Option<Value> {
    let mut props = Map::new();
    let mut required = BTreeSet::new();
    properties(api, schema, &mut props, &mut required, 0);
    let mut object = Map::new();
    for (name, prop) in &props {
        match property_example(api, prop) {
            Some(example) => {
                object.insert(name.clone(), example);
            }
            None if required.contains(name) => return None,
            None => {}
        }
    }
    (!object.is_empty()).then_some(Value::Object(object))
}

/// The first property of `value` (a JSON pointer) that its schema does not
/// declare, where the schema lists its properties (`properties`, through
/// `allOf`, without `additionalProperties` or `patternProperties`): the
/// generated struct has no field for it, so it cannot come back.
fn undeclared(api: &Api, schema: &Value, value: &Value, at: &str, depth: usize) -> Option<String> {
    let schema = api.resolve(schema);
    if depth > 32 {
        return None;
    }
    // Through a nullable wrapper (`anyOf: [X, {type: null}]`).
    for key in ["anyOf", "oneOf"] {
        if let Some(Value::Array(alternatives)) = schema.get(key) {
            let real: Vec<&Value> =
                alternatives.iter().filter(|a| a.get("type").and_then(Value::as_str) != Some("null")).collect();
            if let [one] = real.as_slice() {
                return undeclared(api, one, value, at, depth + 1);
            }
            // A union: serde keeps the first alternative that reads the
            // value; an object whose properties no alternative declares
            // all of loses some in any of them.
            // (Alternatives that list no properties read anything, but only
            // after every struct alternative failed: they do not count.)
            if value.is_object() && real.len() > 1 && schema.get("properties").is_none() {
                let losses: Vec<Option<String>> = real
                    .iter()
                    .filter(|alt| {
                        let mut props = Map::new();
                        properties(api, alt, &mut props, &mut BTreeSet::new(), 0);
                        !props.is_empty()
                    })
                    .map(|alt| undeclared(api, alt, value, at, depth + 1))
                    .collect();
                if !losses.is_empty() && losses.iter().all(Option::is_some) {
                    return losses.into_iter().flatten().next();
                }
            }
        }
    }
    match value {
        Value::Object(object) => {
            let mut props = Map::new();
            let mut required = BTreeSet::new();
            properties(api, schema, &mut props, &mut required, 0);
            let open = open_object(api, schema, 0);
            object.iter().find_map(|(name, v)| match props.get(name) {
                Some(prop) => undeclared(api, prop, v, &format!("{at}/{name}"), depth + 1),
                None if !open && !props.is_empty() => Some(format!("{at}/{name}")),
                None => None,
            })
        }
        Value::Array(items) => {
            let item_schema = schema.get("items")?;
            items.iter().enumerate().find_map(|(i, v)| undeclared(api, item_schema, v, &format!("{at}/{i}"), depth + 1))
        }
        _ => None,
    }
}

/// Whether an object schema (or a member of its `allOf`) accepts
/// properties beyond the listed ones explicitly.
fn open_object(api: &Api, schema: &Value, depth: usize) -> bool {
    let schema = api.resolve(schema);
    depth < 16
        && (schema.get("additionalProperties").is_some_and(|a| a != &Value::Bool(false))
            || schema.get("patternProperties").is_some()
            || schema
                .get("allOf")
                .and_then(Value::as_array)
                .is_some_and(|all| all.iter().any(|m| open_object(api, m, depth + 1))))
}

/// Escapes a component name for a JSON pointer inside a URI fragment.
fn pointer_segment(name: &str) -> String {
    let escaped = name.replace('~', "~0").replace('/', "~1");
    let mut out = String::new();
    for byte in escaped.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

/// Checks examples against the API's schemas (draft 2020-12, formats on,
/// as the runtime validates).
struct Checker {
    uri: String,
    registry: jsonschema::Registry<'static>,
}

impl Checker {
    fn new(api: &Api, index: usize) -> Checker {
        let uri = format!("urn:roundtrip:{index}");
        let registry = jsonschema::Registry::new()
            .draft(jsonschema::Draft::Draft202012)
            .add(&uri, api.schema_resource())
            .and_then(|b| b.prepare())
            .unwrap_or_else(|e| panic!("{}: cannot register schemas: {e}", api.file));
        Checker { uri, registry }
    }

    /// `Err(why)` when the example is invalid against the component.
    fn check(&self, component: &str, example: &Value) -> Result<(), String> {
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .with_registry(&self.registry)
            .build(&json!({ "$ref": format!("{}#/components/schemas/{}", self.uri, pointer_segment(component)) }))
            .map_err(|e| format!("schema does not compile: {e}"))?;
        let first = validator.iter_errors(example).next().map(|e| format!("{e} at {}", e.instance_path()));
        first.map_or(Ok(()), Err)
    }
}

/// The scratch crate's test helpers: deserialise, serialise, compare.
const HELPERS: &str = r#"
use serde_json::Value;

/// Semantic JSON equality: numbers by value (1.0 is 1), objects by keys,
/// date-times by instant and uuids regardless of case (how the generated
/// chrono and uuid types write them back).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            x == y || x.as_f64().zip(y.as_f64()).is_some_and(|(x, y)| x == y || (x - y).abs() <= f64::EPSILON * x.abs().max(y.abs()))
        }
        (Value::String(x), Value::String(y)) => {
            x == y
                || chrono::DateTime::parse_from_rfc3339(x).ok().zip(chrono::DateTime::parse_from_rfc3339(y).ok()).is_some_and(|(x, y)| x == y)
                || uuid::Uuid::parse_str(x).ok().zip(uuid::Uuid::parse_str(y).ok()).is_some_and(|(x, y)| x == y)
        }
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y)),
        (Value::Object(x), Value::Object(y)) => x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w))),
        _ => a == b,
    }
}

fn round_trip<T: serde::Serialize + serde::de::DeserializeOwned>(what: &str, json: &str) {
    let input: Value = serde_json::from_str(json).unwrap();
    let typed: T = serde_json::from_str(json).unwrap_or_else(|e| panic!("{what}: does not deserialise: {e}\n  example: {input}"));
    let output = serde_json::to_value(&typed).unwrap_or_else(|e| panic!("{what}: does not serialise: {e}"));
    assert!(same(&input, &output), "{what}: serialised differently\n  example: {input}\n  got:     {output}");
}
"#;

#[test]
fn corpus_examples_round_trip_through_the_generated_types() {
    let Some(dir) = corpus() else { return };
    let scratch = scratch_crate(
        "macaron-corpus-roundtrip",
        "serde = { version = \"1\", features = [\"derive\"] }\nserde_json = { version = \"1\", features = [\"preserve_order\"] }\nchrono = { version = \"0.4\", default-features = false, features = [\"serde\", \"std\"] }\nuuid = { version = \"1\", features = [\"serde\"] }\n",
    );
    let generator = macaron_build::Generator::new().runtime("crate::rt").types_only();
    let mut lib = String::from(
        "//! The API objects of every corpus document.\n#![allow(dead_code)]\n\n/// What generated types need of the runtime.\npub mod rt {\n    pub use ::chrono;\n    pub use ::serde;\n    pub use ::serde_json;\n    pub use ::uuid;\n\n    /// As `macaron::Model`.\n    pub trait Model {\n        const MODEL_NAME: &'static str;\n    }\n}\n\n",
    );
    let mut tests = String::from(HELPERS);
    let started = Instant::now();
    let (mut with_examples, mut found, mut invalid, mut not_declared) = (0, 0, Vec::new(), Vec::new());
    for (index, (path, api)) in documents(&dir).into_iter().enumerate() {
        let module = macaron_build::field_name(&api.name);
        let checker = Checker::new(&api, index);
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let mut any = false;
        let before = tests.len();
        for (component, rust) in generator.component_types(&api) {
            let schema = &api.schemas[&component];
            let mut examples = own_examples(schema);
            if examples.is_empty() {
                examples.extend(example_from_properties(&api, schema));
            }
            for (n, example) in examples.into_iter().enumerate() {
                any = true;
                found += 1;
                let what = format!("{file} {component} example {}", n + 1);
                if let Err(why) = checker.check(&component, &example) {
                    let mut why = why.replace('\n', " ");
                    why.truncate(160);
                    invalid.push(format!("{what}: {why}"));
                    continue;
                }
                if let Some(pointer) = undeclared(&api, schema, &example, "", 0) {
                    not_declared.push(format!("{what}: {pointer}"));
                    continue;
                }
                let _ = writeln!(
                    tests,
                    "\n#[test]\nfn t{found}_{module}_{}() {{\n    round_trip::<macaron_corpus_roundtrip::{module}::{rust}>({what:?}, {:?});\n}}",
                    macaron_build::field_name(&component),
                    example.to_string(),
                );
            }
        }
        with_examples += usize::from(any);
        // Only documents with an example to try are compiled (Stripe has none).
        if tests.len() > before {
            let code = generator.api_code(&api).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            std::fs::write(scratch.join("src").join(format!("{module}.rs")), code).unwrap();
            lib.push_str(&format!("pub mod {module};\n"));
        }
    }
    eprintln!("generated the types of 42 documents in {:?}", started.elapsed());
    std::fs::write(scratch.join("src/lib.rs"), lib).unwrap();
    std::fs::create_dir_all(scratch.join("tests")).unwrap();
    std::fs::write(scratch.join("tests/roundtrip.rs"), tests).unwrap();
    for line in &invalid {
        eprintln!("skipped, invalid against its schema: {line}");
    }
    for line in &not_declared {
        eprintln!("skipped, has a property its schema does not declare: {line}");
    }
    let started = Instant::now();
    let out = cargo(&scratch, &["test", "--quiet", "--offline", "--test", "roundtrip"]);
    eprintln!("cargo test of the round trips took {:?}", started.elapsed());
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let result = stdout.lines().find(|l| l.starts_with("test result:")).unwrap_or_default();
    let count = |word: &str| -> usize {
        result
            .split(';')
            .find_map(|part| part.trim().strip_suffix(word)?.trim().rsplit(' ').next()?.parse().ok())
            .unwrap_or(0)
    };
    let (passed, failed) = (count("passed"), count("failed"));
    let tried = found - invalid.len() - not_declared.len();
    eprintln!(
        "round trip: {with_examples} of 42 documents have examples; {found} examples, {} skipped as invalid, {} skipped for undeclared properties, {tried} tried, {passed} passed, {failed} failed",
        invalid.len(),
        not_declared.len(),
    );
    let failures: Vec<&str> = stdout
        .lines()
        .filter(|l| l.contains(": does not") || l.contains(": serialised") || l.starts_with("  "))
        .take(80)
        .collect();
    let errors: Vec<&str> = stderr.lines().filter(|l| l.contains("error")).take(40).collect();
    assert!(out.status.success() && failed == 0, "{}\n{}", failures.join("\n"), errors.join("\n"));
    assert_eq!(passed, tried, "every example tried runs");
}
