//! Where the service's specs come from: files, folders, text.
//!
//! The builder records sources as they are given and reads them all when
//! it builds, so one start reports every unreadable file and every spec
//! problem (each of a spec's diagnostics a problem of its own, with file,
//! line and pointer). The text of each spec is kept as loaded, for
//! `/doc/<api>.yaml`.

use std::path::PathBuf;

use actix_web::web::Bytes;

use crate::error::{Problem, Problems};

/// A spec given to the builder.
pub(super) enum Source {
    File(PathBuf),
    Dir(PathBuf),
    Text(String, String),
}

/// Every spec loaded, with its text; what cannot be loaded is a problem.
/// A lenient `reading` logs that it is lenient, and each warning.
pub(super) fn load(
    sources: &[Source],
    reading: &macaron_spec::Options,
    problems: &mut Problems,
) -> Vec<(macaron_spec::Api, Bytes)> {
    let mut files: Vec<PathBuf> = Vec::new();
    let mut out = Vec::new();
    for source in sources {
        match source {
            Source::File(path) => files.push(path.clone()),
            Source::Dir(dir) => match std::fs::read_dir(dir) {
                Ok(entries) => {
                    let mut found: Vec<PathBuf> = entries
                        .filter_map(|e| e.ok().map(|e| e.path()))
                        .filter(|p| {
                            p.is_file()
                                && matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml" | "json"))
                        })
                        .collect();
                    found.sort();
                    if found.is_empty() {
                        problems.push(
                            Problem::new(format!("{}: no .yaml, .yml or .json spec in this folder", dir.display()))
                                .file(dir.display().to_string()),
                        );
                    }
                    files.extend(found);
                }
                Err(e) => problems.push(
                    Problem::new(format!("{}: cannot read the folder: {e}", dir.display()))
                        .file(dir.display().to_string()),
                ),
            },
            Source::Text(name, text) => match reading.load_bytes(name, text.as_bytes()) {
                Ok(api) => out.push((api, Bytes::from(text.clone()))),
                Err(e) => spec_problems(&e, problems),
            },
        }
    }
    for file in files {
        let bytes = match std::fs::read(&file) {
            Ok(b) => b,
            Err(e) => {
                problems.push(Problem::new(format!("cannot read: {e}")).file(file.display().to_string()).pointer("#"));
                continue;
            }
        };
        match reading.load(&file) {
            Ok(api) => out.push((api, Bytes::from(bytes))),
            Err(e) => spec_problems(&e, problems),
        }
    }
    if reading.lenient {
        for (api, _) in &out {
            tracing::warn!(
                spec = %api.file,
                warnings = api.warnings.len(),
                "the spec is read leniently: its defects are warnings, and the service runs on what was assumed"
            );
            for warning in &api.warnings {
                tracing::warn!(spec = %api.file, "{warning}");
            }
        }
    }
    out
}

/// A spec's diagnostics, one problem each.
fn spec_problems(error: &macaron_spec::Error, problems: &mut Problems) {
    for diagnostic in &error.diagnostics {
        problems.push(Problem::from(diagnostic));
    }
}
