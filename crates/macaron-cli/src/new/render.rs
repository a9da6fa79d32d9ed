//! The templates of `templates/service/` (embedded in the binary at build
//! time) rendered with minijinja into the files of a new service, in
//! memory: nothing is written until every file has rendered.
//!
//! Every template ends in `.j2`; its path is a template too
//! (`apis/{{ name }}.yaml.j2`). `gitignore` and `env.example` become
//! dotfiles (as dotfiles in the repository they would act on it). Files
//! that belong to one option only are listed in [`wanted`].

use std::path::PathBuf;

use include_dir::{include_dir, Dir, File};
use minijinja::syntax::SyntaxConfig;
use minijinja::{AutoEscape, Environment, UndefinedBehavior, Value};

/// The service template, as it was when this binary was built.
static TEMPLATES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../../templates/service");

/// A rendered file: its path inside the service and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// The path relative to the service's folder.
    pub path: PathBuf,
    /// The file's text.
    pub text: String,
}

/// Renders every template with `context` (the variables the templates use:
/// see `new::context`). Errors name the template.
pub fn render(context: &Value) -> Result<Vec<Rendered>, String> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    let syntax =
        SyntaxConfig::builder().keep_trailing_newline(true).build().map_err(|e| format!("the template syntax: {e}"))?;
    env.set_syntax(syntax);
    env.set_auto_escape_callback(|_| AutoEscape::None);
    let mut files = Vec::new();
    collect(&TEMPLATES, &mut files);
    files.sort_by_key(|f| f.path());
    let mut out = Vec::new();
    for file in files {
        let template_path = file.path().to_string_lossy().into_owned();
        let Some(path) = template_path.strip_suffix(".j2") else {
            return Err(format!("template {template_path}: every template's name ends in .j2"));
        };
        let source = file.contents_utf8().ok_or_else(|| format!("template {template_path} is not UTF-8 text"))?;
        let path = env
            .render_str(path, context)
            .map_err(|e| format!("template {template_path}: its path does not render: {e}"))?;
        if !wanted(&path, context) {
            continue;
        }
        let text = env.render_named_str(&template_path, source, context).map_err(|e| describe(&template_path, &e))?;
        out.push(Rendered { path: PathBuf::from(dotted(&path)), text });
    }
    Ok(out)
}

fn collect<'a>(dir: &'a Dir<'a>, files: &mut Vec<&'a File<'a>>) {
    files.extend(dir.files());
    for sub in dir.dirs() {
        collect(sub, files);
    }
}

/// Whether a file belongs in a service with these options.
fn wanted(path: &str, context: &Value) -> bool {
    let flag = |name: &str| context.get_attr(name).is_ok_and(|v| v.is_true());
    let db = context.get_attr("db").ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
    match path {
        "src/tasks.rs" => flag("tasks"),
        "src/store.rs" => db == "none",
        _ => true,
    }
}

/// `gitignore` → `.gitignore`, `env.example` → `.env.example`.
fn dotted(path: &str) -> String {
    match path {
        "gitignore" | "env.example" => format!(".{path}"),
        _ => path.to_string(),
    }
}

fn describe(template: &str, e: &minijinja::Error) -> String {
    match e.line() {
        Some(line) => format!("template {template}:{line}: {e}"),
        None => format!("template {template}: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_is_embedded_and_named_j2() {
        let mut files = Vec::new();
        collect(&TEMPLATES, &mut files);
        assert!(files.len() >= 14, "{} templates", files.len());
        for file in files {
            assert!(file.path().to_string_lossy().ends_with(".j2"), "{}", file.path().display());
        }
    }

    #[test]
    fn a_missing_variable_is_an_error_naming_the_template() {
        let error =
            render(&Value::from(minijinja::value::Serde(serde_json::json!({"name": "x"})))).expect_err("strict");
        assert!(error.starts_with("template "), "{error}");
    }
}
