//! `macaron spec ...`: checking documents and listing their routes.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;

/// Subcommands of `macaron spec`.
#[derive(Subcommand)]
pub enum SpecCommand {
    /// Load each document; print `ok FILE VERSION N operations` or `error FILE: MESSAGE`.
    Check {
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
        SpecCommand::Check { files } => {
            let mut failed = false;
            for file in files {
                match macaron_spec::load(&file) {
                    Ok(api) => writeln!(
                        out,
                        "ok {} {} {} operations",
                        file.display(),
                        api.version_string,
                        api.operations.len()
                    )?,
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
        SpecCommand::Routes { file } => match macaron_spec::load(&file) {
            Ok(api) => {
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
