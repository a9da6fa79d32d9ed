//! The Dockerfile of a service: `templates/docker/Dockerfile.j2` (embedded
//! in the binary, or the service's own template) rendered with minijinja,
//! then the service's `Dockerfile.extra` inserted at the marker line.

use std::path::Path;

use minijinja::{Environment, UndefinedBehavior};

/// The line of the runtime stage where `Dockerfile.extra` goes.
pub const MARKER: &str = "# macaron: Dockerfile.extra";

/// The Rust image that builds the service (the toolchain this project is developed with).
pub const BUILDER: &str = "rust:1.95.0-slim-bookworm";

/// The runtime base: Debian's slim image, the release the builder is made from.
pub const BASE: &str = "debian:bookworm-slim";

/// The cargo-chef release the build installs.
pub const CHEF_VERSION: &str = "0.1.78";

/// The Dockerfile template, as it was when this binary was built.
const TEMPLATE: &str = include_str!("../../../../templates/docker/Dockerfile.j2");

/// What the template is rendered with.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Inputs {
    /// This tool's version, named in the Dockerfile's header.
    pub macaron_version: &'static str,
    /// The cargo-chef release the build installs.
    pub chef_version: &'static str,
    pub name: String,
    pub bin: String,
    pub version: String,
    pub revision: String,
    pub created: String,
    pub source: Option<String>,
    pub base: String,
    pub builder: String,
    pub prebuilt: bool,
    pub env: Option<String>,
    /// The service's folder inside the build context (`examples/petstore/`), or empty.
    pub dir: String,
    pub config_files: Vec<String>,
    /// ` --locked` when the workspace has a Cargo.lock, else empty.
    pub locked: String,
}

/// Renders the Dockerfile: `template` (the service's own, with its file
/// name for messages) or the built-in one; then `extra` (the text of
/// `Dockerfile.extra`) at the marker.
pub fn render(inputs: &Inputs, template: Option<(&Path, &str)>, extra: Option<&str>) -> Result<String, String> {
    let (name, source) = match template {
        Some((path, text)) => (path.display().to_string(), text),
        None => ("templates/docker/Dockerfile.j2".to_string(), TEMPLATE),
    };
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    let syntax = minijinja::syntax::SyntaxConfig::builder()
        .keep_trailing_newline(true)
        .build()
        .map_err(|e| format!("the template syntax: {e}"))?;
    env.set_syntax(syntax);
    let text = env
        .render_named_str(&name, source, minijinja::Value::from(minijinja::value::Serde(inputs)))
        .map_err(|e| format!("{name}: {e}"))?;
    insert_extra(&name, &text, extra)
}

/// Puts `extra` after the marker line, and an end marker after it.
fn insert_extra(template: &str, text: &str, extra: Option<&str>) -> Result<String, String> {
    let lines: Vec<&str> = text.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.trim_end() == MARKER)
        .ok_or_else(|| format!("{template}: no line '{MARKER}' (where Dockerfile.extra goes in the runtime stage)"))?;
    let mut out: Vec<String> = lines[..=at].iter().map(|l| l.to_string()).collect();
    let added: Vec<&str> = extra.map(|e| e.lines().map(str::trim_end).collect()).unwrap_or_default();
    for (n, line) in added.iter().enumerate() {
        let instruction = line.split_whitespace().next().unwrap_or("").to_ascii_uppercase();
        if instruction == "FROM" {
            return Err(format!(
                "Dockerfile.extra:{}: FROM would start a new stage; the lines go into the runtime stage (use --base or docker_base to change its image)",
                n + 1
            ));
        }
    }
    let meaningful = added.iter().any(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'));
    if meaningful {
        out.extend(added.iter().map(|l| l.to_string()));
        out.push("# macaron: end of Dockerfile.extra".into());
    }
    out.extend(lines[at + 1..].iter().map(|l| l.to_string()));
    let mut text = out.join("\n");
    text.push('\n');
    Ok(text)
}

/// The text of `Dockerfile.extra` in `dir`, if the file exists.
pub fn read_extra(dir: &Path) -> Result<Option<String>, String> {
    let path = dir.join("Dockerfile.extra");
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extra_lines_go_at_the_marker() {
        let text = "FROM x\nWORKDIR /app\n# macaron: Dockerfile.extra\nUSER 1\n";
        let out = insert_extra("t", text, Some("# a comment\nRUN echo hi  \n")).unwrap();
        assert_eq!(
            out,
            "FROM x\nWORKDIR /app\n# macaron: Dockerfile.extra\n# a comment\nRUN echo hi\n# macaron: end of Dockerfile.extra\nUSER 1\n"
        );
        let unchanged = insert_extra("t", text, Some("# comments only\n")).unwrap();
        assert_eq!(unchanged, text);
    }

    #[test]
    fn a_template_without_the_marker_or_an_extra_with_from_is_refused() {
        let err = insert_extra("mine.j2", "FROM x\n", None).unwrap_err();
        assert!(err.contains("mine.j2: no line '# macaron: Dockerfile.extra'"), "{err}");
        let err = insert_extra("t", "FROM x\n# macaron: Dockerfile.extra\n", Some("RUN a\nfrom y\n")).unwrap_err();
        assert!(err.starts_with("Dockerfile.extra:2: FROM"), "{err}");
    }
}
