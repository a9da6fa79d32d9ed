//! Every corpus document generates code that compiles.
//!
//! The code of all 42 documents goes into one scratch crate (one module
//! each) under `target/`, checked with `cargo check`. The scratch crate
//! depends on the runtime only (and on the workspace's lock file), as a
//! service would.

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

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

#[test]
fn every_corpus_document_generates_code_that_compiles() {
    let Some(dir) = corpus() else { return };
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap();
    let scratch = root.join("target/macaron-corpus-check");
    std::fs::create_dir_all(scratch.join("src")).unwrap();
    std::fs::write(
        scratch.join("Cargo.toml"),
        format!(
            "[package]\nname = \"corpus-check\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n[workspace]\n\n[dependencies]\nmacaron = {{ path = {:?} }}\n",
            root.join("crates/macaron").display().to_string()
        ),
    )
    .unwrap();
    std::fs::copy(root.join("Cargo.lock"), scratch.join("Cargo.lock")).unwrap();
    let generator = macaron_build::Generator::new();
    let mut lib = String::from("#![allow(dead_code, clippy::all)]\n");
    let started = Instant::now();
    let mut names: Vec<PathBuf> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    names.retain(|p| p.extension().is_some_and(|e| e == "yaml" || e == "json"));
    names.sort();
    assert_eq!(names.len(), 42);
    for path in &names {
        let api = macaron_spec::load(path).unwrap();
        let code = generator.api_code(&api).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let module = macaron_build::field_name(&api.name);
        std::fs::write(scratch.join("src").join(format!("{module}.rs")), code).unwrap();
        lib.push_str(&format!("pub mod {module};\n"));
    }
    eprintln!("generated 42 documents in {:?}", started.elapsed());
    std::fs::write(scratch.join("src/lib.rs"), lib).unwrap();
    let started = Instant::now();
    let out = Command::new(env!("CARGO"))
        .args(["check", "--quiet", "--message-format=short", "--offline"])
        .current_dir(&scratch)
        .env("CARGO_TARGET_DIR", scratch.join("target"))
        .output()
        .unwrap();
    eprintln!("cargo check of the generated code took {:?}", started.elapsed());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let errors: Vec<&str> = stderr.lines().filter(|l| l.contains("error")).take(40).collect();
    assert!(out.status.success(), "{}", errors.join("\n"));
}
