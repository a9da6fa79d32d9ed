//! `macaron generate SPEC --out DIR [--client]`: the code `build.rs` would
//! generate, written where people can read or commit it. `--client` writes
//! the code of another service's API (a vendor's): its types and a typed
//! `Client`, no server bindings. The document is read leniently: each
//! defect is a warning on stderr saying what was assumed, and the code is
//! written.

use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};
use std::process::ExitCode;

use clap::Args;

/// Arguments of `macaron generate`.
#[derive(Args)]
pub struct GenerateArgs {
    /// The OpenAPI document.
    spec: PathBuf,
    /// The folder to write `NAME.rs` into (created if missing).
    #[arg(long)]
    out: PathBuf,
    /// Only the types and the typed client (another service's API).
    #[arg(long)]
    client: bool,
}

/// `to` relative to the folder `from` (both absolute).
fn relative(from: &Path, to: &Path) -> PathBuf {
    let from: Vec<Component> = from.components().collect();
    let to_parts: Vec<Component> = to.components().collect();
    let common = from.iter().zip(&to_parts).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..from.len() {
        out.push("..");
    }
    for part in &to_parts[common..] {
        out.push(part.as_os_str());
    }
    out
}

/// Writes the code; prints the file written.
pub fn run(args: GenerateArgs, out: &mut impl Write) -> io::Result<ExitCode> {
    let api = match macaron_spec::Options::lenient().load(&args.spec) {
        Ok(api) => api,
        Err(e) => {
            eprintln!("{e}");
            return Ok(ExitCode::FAILURE);
        }
    };
    for warning in &api.warnings {
        eprintln!("warning: {warning}");
    }
    std::fs::create_dir_all(&args.out)?;
    let spec = args.spec.canonicalize()?;
    let dir = args.out.canonicalize()?;
    let embed = relative(&dir, &spec).display().to_string();
    let generator =
        if args.client { macaron_build::Generator::new().client_only() } else { macaron_build::Generator::new() };
    match generator.api_code_at(&api, &embed) {
        Ok(code) => {
            let file = args.out.join(format!("{}.rs", macaron_build::field_name(&api.name)));
            std::fs::write(&file, code)?;
            writeln!(out, "wrote {}", file.display())?;
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("{e}");
            Ok(ExitCode::FAILURE)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{relative, run, GenerateArgs};
    use std::path::{Path, PathBuf};

    #[test]
    fn client_code_of_a_vendor_document_with_defects_and_odd_names() {
        let dir = std::env::temp_dir().join(format!("macaron-generate-client-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let spec = dir.join("vendor-api.yaml");
        // A reference to nothing (a warning when read leniently), an
        // operationId with spaces, a keyword, parameters with `[]` and `.`.
        std::fs::write(
            &spec,
            r##"
openapi: 3.0.3
info: {title: Vendor, version: "1"}
paths:
  /things/{id}:
    get:
      operationId: get a thing
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
        - {name: id, in: query, schema: {type: string}}
        - {name: "fields[]", in: query, explode: false, schema: {type: array, items: {type: string}}}
        - {name: page.size, in: query, schema: {type: integer}}
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Missing"}}}}
  /things:
    post:
      operationId: match
      requestBody: {content: {application/json: {schema: {type: object}}}}
      responses: {"201": {description: made}}
"##,
        )
        .unwrap();
        let out = dir.join("out");
        let mut printed = Vec::new();
        let args = GenerateArgs { spec: spec.clone(), out: out.clone(), client: true };
        let code = run(args, &mut printed).unwrap();
        assert_eq!(code, std::process::ExitCode::SUCCESS);
        let file = out.join("vendor_api.rs");
        assert_eq!(String::from_utf8(printed).unwrap(), format!("wrote {}\n", file.display()));
        let code = std::fs::read_to_string(&file).unwrap();
        assert!(code.contains("pub async fn get_a_thing(") && code.contains("pub async fn match_("), "{code}");
        assert!(code.contains("Param::query(\"fields[]\").explode(false)"), "{code}");
        assert!(!code.contains("pub fn bind(") && !code.contains("include_str!"), "{code}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn relative_paths() {
        assert_eq!(relative(Path::new("/a/b/out"), Path::new("/a/b/apis/x.yaml")), PathBuf::from("../apis/x.yaml"));
        assert_eq!(relative(Path::new("/a"), Path::new("/a/x.yaml")), PathBuf::from("x.yaml"));
    }
}
