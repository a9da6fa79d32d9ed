//! `macaron generate SPEC --out DIR`: the code `build.rs` would generate,
//! written where people can read or commit it.

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
    let api = match macaron_spec::load(&args.spec) {
        Ok(api) => api,
        Err(e) => {
            eprintln!("{e}");
            return Ok(ExitCode::FAILURE);
        }
    };
    std::fs::create_dir_all(&args.out)?;
    let spec = args.spec.canonicalize()?;
    let dir = args.out.canonicalize()?;
    let embed = relative(&dir, &spec).display().to_string();
    match macaron_build::Generator::new().api_code_at(&api, &embed) {
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
    use super::relative;
    use std::path::{Path, PathBuf};

    #[test]
    fn relative_paths() {
        assert_eq!(relative(Path::new("/a/b/out"), Path::new("/a/b/apis/x.yaml")), PathBuf::from("../apis/x.yaml"));
        assert_eq!(relative(Path::new("/a"), Path::new("/a/x.yaml")), PathBuf::from("x.yaml"));
    }
}
