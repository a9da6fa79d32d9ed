//! The set of files a document is made of, and `$ref` resolution across them.
//!
//! A document may point into other files (`$ref: common.yaml#/Pet`). All of
//! them are read up front, before the model is built: the loader scans every
//! `$ref` of every file once, reads each file it names (relative to the file
//! holding the reference), and checks that each reference points to
//! something. After that the set is immutable and every lookup is a plain
//! JSON-pointer walk, so the model builder never does I/O and never meets a
//! dangling reference. URL references are refused: a service must not fetch
//! its contract from the network when it starts.
//!
//! `$ref`s inside `x-` extensions and inside example, const and enum values
//! are data, not references, and are left alone.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::error::Diagnostic;
use crate::pointer::escape;
use crate::{locate, source};

/// Index of a file in [`Docs`]; the main document is `0`.
pub(crate) type DocId = usize;

/// A location: which file, and the JSON pointer inside it (without `#`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Loc {
    pub doc: DocId,
    pub pointer: String,
}

impl Loc {
    pub fn new(doc: DocId, pointer: impl Into<String>) -> Self {
        Loc { doc, pointer: pointer.into() }
    }

    /// The location of a child key (escaped as RFC 6901 asks).
    pub fn key(&self, key: &str) -> Loc {
        Loc { doc: self.doc, pointer: format!("{}/{}", self.pointer, escape(key)) }
    }

    /// The location of an array element.
    pub fn index(&self, i: usize) -> Loc {
        Loc { doc: self.doc, pointer: format!("{}/{i}", self.pointer) }
    }
}

struct File {
    /// Name shown in messages: the path as the user gave it, or relative to
    /// the main document's folder.
    name: String,
    dir: Option<PathBuf>,
    text: String,
    root: Value,
}

/// The main document and every file it references.
pub(crate) struct Docs {
    files: Vec<File>,
    by_path: HashMap<PathBuf, DocId>,
}

/// Where a `$ref` string points, before it is looked up.
enum Target<'a> {
    Local(String),
    File(&'a str, String),
}

impl Docs {
    /// Parses the main document and every file it references.
    pub fn load(name: &str, dir: Option<PathBuf>, text: String) -> Result<Docs, Vec<Diagnostic>> {
        let root = source::parse(&text).map_err(|e| {
            vec![Diagnostic { file: name.to_string(), pointer: "#".into(), line: e.line, message: e.message }]
        })?;
        let mut docs = Docs { files: Vec::new(), by_path: HashMap::new() };
        if let Some(dir) = &dir {
            let own = dir.join(Path::new(name).file_name().unwrap_or_default());
            if let Ok(canon) = own.canonicalize() {
                docs.by_path.insert(canon, 0);
            }
        }
        docs.files.push(File { name: name.to_string(), dir, text, root });
        let mut errors = Vec::new();
        let mut next = 0;
        while next < docs.files.len() {
            docs.scan(next, &mut errors);
            next += 1;
        }
        if errors.is_empty() {
            Ok(docs)
        } else {
            Err(errors)
        }
    }

    pub fn root(&self) -> &Value {
        &self.files[0].root
    }

    /// The file name of a document without folder and extension.
    pub fn stem(&self, doc: DocId) -> String {
        let name = Path::new(&self.files[doc].name);
        name.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "Schema".into())
    }

    pub fn get(&self, loc: &Loc) -> Option<&Value> {
        self.files.get(loc.doc)?.root.pointer(&loc.pointer)
    }

    /// Builds a diagnostic for a location, with its line when it can be found.
    pub fn diag(&self, loc: &Loc, message: impl Into<String>) -> Diagnostic {
        let file = &self.files[loc.doc];
        Diagnostic {
            file: file.name.clone(),
            pointer: format!("#{}", loc.pointer),
            line: locate::line_of(&file.text, &loc.pointer),
            message: message.into(),
        }
    }

    /// Follows `$ref`s from `loc` until a node that is not a reference.
    /// Returns that node and its location. Chains are bounded: a cycle of
    /// pure references is an error, not a hang.
    pub fn follow<'a>(&'a self, loc: &Loc) -> Result<(&'a Value, Loc), Diagnostic> {
        let mut here = loc.clone();
        for _ in 0..64 {
            let value = self.get(&here).ok_or_else(|| self.diag(&here, "nothing at this location"))?;
            match value.get("$ref").and_then(Value::as_str) {
                Some(reference) => here = self.target(&here, reference)?,
                None => return Ok((value, here)),
            }
        }
        Err(self.diag(loc, "circular $ref: this chain of references never reaches a definition"))
    }

    /// The location a `$ref` string found at `at` points to (checked to exist).
    pub fn target(&self, at: &Loc, reference: &str) -> Result<Loc, Diagnostic> {
        let loc = match parse_ref(reference).map_err(|m| self.diag(at, m))? {
            Target::Local(pointer) => Loc::new(at.doc, pointer),
            Target::File(file, pointer) => {
                let path = self.resolve_path(at.doc, file).map_err(|m| self.diag(at, m))?;
                let doc = *self
                    .by_path
                    .get(&path)
                    .ok_or_else(|| self.diag(at, format!("$ref \"{reference}\": file not loaded")))?;
                Loc::new(doc, pointer)
            }
        };
        if self.get(&loc).is_none() {
            return Err(self.diag(at, format!("$ref \"{}\" points to nothing", reference.trim())));
        }
        Ok(loc)
    }

    fn resolve_path(&self, from: DocId, file: &str) -> Result<PathBuf, String> {
        let dir = self.files[from].dir.as_ref().ok_or_else(|| {
            format!("$ref to file \"{file}\": the document was loaded from bytes, so there is no folder to find it in (load it from a path)")
        })?;
        let decoded = percent_encoding::percent_decode_str(file).decode_utf8_lossy();
        let path = dir.join(decoded.as_ref());
        path.canonicalize().map_err(|e| format!("$ref to file \"{}\": {e}", path.display()))
    }

    /// Scans one file for references, reading the files they name and
    /// checking that each points to something.
    fn scan(&mut self, doc: DocId, errors: &mut Vec<Diagnostic>) {
        let mut refs = Vec::new();
        collect_refs(&self.files[doc].root, &mut String::new(), &mut refs);
        for (pointer, reference) in refs {
            let at = Loc::new(doc, pointer);
            if let Err(e) = self.load_target(&at, &reference) {
                errors.push(e);
            }
        }
    }

    fn load_target(&mut self, at: &Loc, reference: &str) -> Result<(), Diagnostic> {
        if let Ok(Target::File(file, _)) = parse_ref(reference) {
            let path = self.resolve_path(at.doc, file).map_err(|m| self.diag(at, m))?;
            if !self.by_path.contains_key(&path) {
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| self.diag(at, format!("$ref to file \"{}\": {e}", path.display())))?;
                let name = self.display_name(&path);
                let root = source::parse(&text).map_err(|e| Diagnostic {
                    file: name.clone(),
                    pointer: "#".into(),
                    line: e.line,
                    message: e.message,
                })?;
                self.by_path.insert(path.clone(), self.files.len());
                let dir = path.parent().map(Path::to_path_buf);
                self.files.push(File { name, dir, text, root });
            }
        }
        self.target(at, reference).map(|_| ())
    }

    fn display_name(&self, path: &Path) -> String {
        let main_dir = self.files[0].dir.as_ref().and_then(|d| d.canonicalize().ok());
        match main_dir.and_then(|d| path.strip_prefix(d).ok().map(Path::to_path_buf)) {
            Some(rel) => match Path::new(&self.files[0].name).parent() {
                Some(parent) => parent.join(rel).display().to_string(),
                None => rel.display().to_string(),
            },
            None => path.display().to_string(),
        }
    }
}

/// Splits a `$ref` into file and pointer; refuses URLs.
fn parse_ref(reference: &str) -> Result<Target<'_>, String> {
    let reference = reference.trim();
    let (file, fragment) = match reference.split_once('#') {
        Some((file, fragment)) => (file, fragment),
        None => (reference, ""),
    };
    if is_url(file) {
        return Err(format!(
            "$ref \"{reference}\" is a URL; Macaron never fetches documents from the network: download it next to the spec and use a relative path"
        ));
    }
    let pointer = percent_encoding::percent_decode_str(fragment).decode_utf8_lossy().into_owned();
    if !pointer.is_empty() && !pointer.starts_with('/') {
        return Err(format!(
            "$ref \"{reference}\": only JSON-pointer fragments (\"#/...\") are supported, not anchors"
        ));
    }
    if file.is_empty() {
        Ok(Target::Local(pointer))
    } else {
        Ok(Target::File(file, pointer))
    }
}

fn is_url(file: &str) -> bool {
    if file.starts_with("//") {
        return true;
    }
    match file.split_once(':') {
        Some((scheme, _)) => {
            scheme.len() > 1 && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }
        None => false,
    }
}

/// Keys whose values are data (extensions, examples, ...) rather than
/// OpenAPI structure: `$ref`s below them are not references. (`default` and
/// `value` are not among them: they are also response and property names.)
fn is_data_key(key: &str) -> bool {
    key.starts_with("x-") || matches!(key, "example" | "examples" | "const" | "enum")
}

fn collect_refs(value: &Value, pointer: &mut String, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref") {
                out.push((pointer.clone(), r.clone()));
            }
            for (key, child) in map {
                if is_data_key(key) && !is_examples_map(key, child) {
                    continue;
                }
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&escape(key));
                collect_refs(child, pointer, out);
                pointer.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                let len = pointer.len();
                pointer.push_str(&format!("/{i}"));
                collect_refs(child, pointer, out);
                pointer.truncate(len);
            }
        }
        _ => {}
    }
}

/// `examples` in a media type or parameter is a map of Example Objects,
/// which may themselves be `$ref`s (but their `value`s are data).
fn is_examples_map(key: &str, value: &Value) -> bool {
    key == "examples" && value.is_object()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_refused() {
        assert!(parse_ref("https://example.com/a.yaml#/X").is_err());
        assert!(parse_ref("//example.com/a.yaml").is_err());
        assert!(matches!(parse_ref("a.yaml#/X"), Ok(Target::File("a.yaml", _))));
        assert!(matches!(parse_ref(" #/components/schemas/A\n"), Ok(Target::Local(p)) if p == "/components/schemas/A"));
    }

    #[test]
    fn percent_encoded_pointers_are_decoded() {
        assert!(matches!(parse_ref("#/paths/~1pets~1%7Bid%7D"), Ok(Target::Local(p)) if p == "/paths/~1pets~1{id}"));
    }

    #[test]
    fn dangling_and_circular_refs_are_errors() {
        let text = "a: {$ref: '#/b'}\nb: {$ref: '#/a'}\nc: {$ref: '#/nothing'}\n".to_string();
        let errors = Docs::load("t.yaml", None, text).err().unwrap();
        assert_eq!(errors.len(), 1);
        assert!(errors[0].message.contains("points to nothing"));
        assert_eq!(errors[0].pointer, "#/c");
        let docs = Docs::load("t.yaml", None, "a: {$ref: '#/b'}\nb: {$ref: '#/a'}\n".into()).ok().unwrap();
        let err = docs.follow(&Loc::new(0, "/a")).err().unwrap();
        assert!(err.message.contains("circular"));
    }
}
