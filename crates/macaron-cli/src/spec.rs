//! `macaron spec ...`: checking documents and listing their routes.
//!
//! Both read documents leniently (a vendor's defects are warnings, with
//! what was assumed); `check --strict` reads them as a service reads its
//! own spec, where every defect is an error.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;

/// Subcommands of `macaron spec`.
#[derive(Subcommand)]
pub enum SpecCommand {
    /// Load each document; print `ok FILE VERSION N operations` (and `, W
    /// warnings`), then a `warning ...` line per defect with what was
    /// assumed; `error FILE: ...` for what cannot be read. Exit 0 unless a
    /// document could not be read.
    Check {
        /// Defects are errors (exit 1), as when a service starts on its own spec.
        #[arg(long)]
        strict: bool,
        /// OpenAPI documents (YAML or JSON).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Print `METHOD PATH OPERATION_ID` for each operation, sorted by path then method.
    Routes {
        /// An OpenAPI document.
        file: PathBuf,
    },
}

/// Runs a `spec` subcommand, writing its report to `out`.
pub fn run(command: SpecCommand, out: &mut impl Write) -> io::Result<ExitCode> {
    match command {
        SpecCommand::Check { strict, files } => {
            let reading = if strict { macaron_spec::Options::strict() } else { macaron_spec::Options::lenient() };
            let mut failed = false;
            for file in files {
                match reading.load(&file) {
                    Ok(api) => {
                        let warnings = match api.warnings.len() {
                            0 => String::new(),
                            1 => ", 1 warning".to_string(),
                            n => format!(", {n} warnings"),
                        };
                        writeln!(
                            out,
                            "ok {} {} {} operations{warnings}",
                            file.display(),
                            api.version_string,
                            api.operations.len()
                        )?;
                        for warning in &api.warnings {
                            writeln!(out, "warning {warning}")?;
                        }
                    }
                    Err(err) => {
                        failed = true;
                        for d in &err.diagnostics {
                            let line = d.line.map(|l| format!("line {l}: ")).unwrap_or_default();
                            writeln!(out, "error {}: {line}{}: {}", d.file, d.pointer, d.message)?;
                        }
                    }
                }
            }
            Ok(if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
        }
        SpecCommand::Routes { file } => match macaron_spec::Options::lenient().load(&file) {
            Ok(api) => {
                for warning in &api.warnings {
                    eprintln!("warning {warning}");
                }
                let mut routes: Vec<(String, &str, &str)> =
                    api.operations.iter().map(|op| (op.full_path(), op.method.as_str(), op.id.as_str())).collect();
                routes.sort();
                for (path, method, id) in routes {
                    writeln!(out, "{method} {path} {id}")?;
                }
                Ok(ExitCode::SUCCESS)
            }
            Err(err) => {
                for d in &err.diagnostics {
                    writeln!(out, "error {d}")?;
                }
                Ok(ExitCode::FAILURE)
            }
        },
    }
}
