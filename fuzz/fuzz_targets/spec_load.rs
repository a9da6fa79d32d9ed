//! Spec loading, on any bytes.
//!
//! `macaron-spec` reads a service's own contract strictly and a vendor's
//! document leniently (`Options::strict()` / `Options::lenient()`); either
//! way, any bytes must give an `Api` or an error, never a panic (nor a
//! hang: libFuzzer's `-timeout` reports one as a crash). Each input is
//! loaded four ways: strictly and leniently from bytes alone (a `$ref` to a
//! file is refused), and strictly and leniently in a folder holding two
//! small documents a `$ref` may name (`common.yaml`, `other.json`), so that
//! references to other files are read, resolved and checked too.
//!
//! What loads is then walked as a service's builder walks it (every
//! operation's parameters, body media types and responses, every schema's
//! JSON), to reach the lazily built parts of the model.
//!
//! Inputs naming a device or a pseudo-file (`/dev`, `/proc`, `/sys`, or a
//! `%`, which a `file:` URI may use to spell them) are loaded from bytes
//! alone: loading in a folder reads what a `$ref` names, as it must for a
//! service's own multi-file contract, and `/dev/zero` or `/dev/stdin`
//! would only test the machine (a contract is trusted input at build time).

#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use macaron_spec::Options;

fuzz_target!(|bytes: &[u8]| check(bytes));

/// Two documents a fuzzed `$ref` can name, in a scratch folder made once.
fn folder() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("macaron-fuzz-spec-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a scratch folder");
        std::fs::write(
            dir.join("common.yaml"),
            "components:\n  schemas:\n    Pet:\n      type: object\n      required: [name]\n      properties:\n        name: {type: string}\n        tag: {$ref: 'other.json#/Tag'}\n  parameters:\n    Id: {name: id, in: path, required: true, schema: {type: integer}}\n",
        )
        .expect("common.yaml");
        std::fs::write(dir.join("other.json"), r##"{"Tag": {"type": "string", "maxLength": 8}, "Loop": {"$ref": "common.yaml#/components/schemas/Pet"}}"##)
            .expect("other.json");
        dir
    })
}

fn check(bytes: &[u8]) {
    for options in [Options::strict(), Options::lenient()] {
        for name in ["api.yaml", "api.json"] {
            if let Ok(api) = options.load_bytes(name, bytes) {
                walk(&api);
            }
        }
        if !names_a_device(bytes) {
            if let Ok(api) = options.load_bytes_in("api.yaml", bytes, folder()) {
                walk(&api);
            }
        }
    }
}

fn names_a_device(bytes: &[u8]) -> bool {
    let has = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w.eq_ignore_ascii_case(needle));
    has(b"/dev") || has(b"/proc") || has(b"/sys") || bytes.contains(&b'%')
}

/// Reads what a service's builder reads of a loaded document: every
/// operation (its path, parameters, body and responses, written out as
/// JSON), every schema followed through its `$ref`s, the warnings.
fn walk(api: &macaron_spec::Api) {
    let mut seen = 0usize;
    for op in api.operations.iter().chain(&api.webhooks) {
        seen += op.full_path().len() + op.bind_server().map_or(0, str::len);
        seen += serde_json::to_string(op).map_or(0, |s| s.len());
        for status in [200, 404, 500] {
            seen += usize::from(op.response(status).is_some());
        }
        for param in &op.parameters {
            seen += usize::from(op.parameter(&param.name, param.location).is_some());
        }
    }
    for schema in api.schemas.values() {
        seen += api.resolve(schema).to_string().len();
    }
    seen += api.schema_resource().to_string().len();
    for warning in &api.warnings {
        seen += warning.to_string().len();
    }
    std::hint::black_box(seen);
}
