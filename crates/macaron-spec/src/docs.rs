//! The set of files a document is made of, and `$ref` resolution across them.
//!
//! A document may point into other files (`$ref: common.yaml#/Pet`). All of
//! them are read up front, before the model is built: the loader scans every
//! `$ref` of every file once, reads each file it names (relative to the file
//! holding the reference), and checks that each reference points to
//! something. After that the set is immutable and every lookup is a plain
//! JSON-pointer walk, so the model builder never does I/O. URL references
//! are never fetched: a service must not read its contract from the network
//! when it starts.
//!
//! References are resolved as JSON Schema 2020-12 (OpenAPI 3.1) says: each
//! file has a base URI (its `file:` URL); a schema's `$id` sets a new base
//! for everything below it and names a resource other references can reach
//! (`$ref: "petdetails#pet_details_id"` is resolved against the base in
//! effect where it is written); `$anchor` and `$dynamicAnchor` name a place
//! inside a resource as a plain-name fragment. A document without `$id`
//! pays nothing for this: its references are JSON pointers into files.
//!
//! A reference that points to nothing is not an error here: it is recorded
//! in [`Docs::broken`], and the builder, which knows what the reference was
//! for, reports it (an error when reading strictly; a warning and an
//! assumption when reading leniently).
//!
//! `$ref`s inside `x-` extensions and inside example, const and enum values
//! are data, not references, and are left alone.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde_json::Value;
use url::Url;

use crate::error::Diagnostic;
use crate::pointer::escape;
use crate::{locate, source};

/// Index of a file in [`Docs`]; the main document is `0`.
pub(crate) type DocId = usize;

/// A location: which file, and the JSON pointer inside it (without `#`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
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

    /// The location of the object holding a `$ref` (`.../$ref` gives `...`).
    pub fn holder(&self) -> Loc {
        match self.pointer.strip_suffix("/$ref").or_else(|| self.pointer.strip_suffix("/$dynamicRef")) {
            Some(p) => Loc::new(self.doc, p),
            None => self.clone(),
        }
    }
}

struct File {
    /// Name shown in messages: the path as the user gave it, or relative to
    /// the main document's folder.
    name: String,
    dir: Option<PathBuf>,
    text: String,
    root: Value,
    /// The file's base URI: its `file:` URL (or a made-up one for bytes).
    base: Url,
    /// Whether any schema of the file has an `$id` (else every base is `base`).
    has_ids: bool,
}

/// The main document and every file it references.
pub(crate) struct Docs {
    files: Vec<File>,
    by_path: HashMap<PathBuf, DocId>,
    /// Files by their base URI.
    by_uri: HashMap<String, DocId>,
    /// Schema resources (`$id`, resolved) by URI, without fragment.
    resources: HashMap<String, Loc>,
    /// `$anchor`s and `$dynamicAnchor`s, as `resource-uri#name`.
    anchors: HashMap<String, Loc>,
    /// `$dynamicAnchor`s of each resource: name and place.
    dynamic_anchors: HashMap<String, Vec<(String, Loc)>>,
    /// Resources holding a `$dynamicRef` (whose meaning depends on the caller).
    dynamic_users: HashSet<String>,
    /// References that point to nothing (or to a file that cannot be read),
    /// by the location of the object holding them, with the reason.
    pub broken: IndexMap<Loc, Diagnostic>,
    /// Keys a mapping holds twice (the mapping's location, the key); the
    /// last value is the one read.
    pub duplicates: Vec<(Loc, String)>,
}

/// A reference met while scanning: where it is, its text, and the base URI
/// it is resolved against.
struct Found {
    at: Loc,
    reference: String,
}

impl Docs {
    /// Parses the main document and every file it references. Only a main
    /// document that does not parse is an error here.
    pub fn load(name: &str, dir: Option<PathBuf>, text: String) -> Result<Docs, Vec<Diagnostic>> {
        let parsed = source::parse(&text).map_err(|e| {
            vec![Diagnostic {
                file: name.to_string(),
                pointer: "#".into(),
                line: e.line,
                message: e.message,
                assumed: None,
            }]
        })?;
        let mut docs = Docs {
            files: Vec::new(),
            by_path: HashMap::new(),
            by_uri: HashMap::new(),
            resources: HashMap::new(),
            anchors: HashMap::new(),
            dynamic_anchors: HashMap::new(),
            dynamic_users: HashSet::new(),
            broken: IndexMap::new(),
            duplicates: parsed.duplicates.into_iter().map(|(p, k)| (Loc::new(0, p), k)).collect(),
        };
        let root = parsed.root;
        let mut base = None;
        if let Some(dir) = &dir {
            let own = dir.join(Path::new(name).file_name().unwrap_or_default());
            if let Ok(canon) = own.canonicalize() {
                base = Url::from_file_path(&canon).ok();
                docs.by_path.insert(canon, 0);
            }
        }
        let base = base.unwrap_or_else(|| bytes_base(name));
        docs.push(File { name: name.to_string(), dir, text, root, base, has_ids: false });
        // Read every file first (a reference may reach a resource of a file
        // read later), then check every reference.
        let mut found = Vec::new();
        let mut next = 0;
        while next < docs.files.len() {
            let start = found.len();
            docs.index(next, &mut found);
            for f in &found[start..] {
                docs.read_target(f);
            }
            next += 1;
        }
        let mut edges = Vec::new();
        for f in &found {
            if docs.broken.contains_key(&f.at) {
                continue;
            }
            match docs.target(&f.at, &f.reference) {
                Ok(target) if !docs.dynamic_users.is_empty() => {
                    edges.push((docs.resource_of(&f.at.holder()), docs.resource_of(&target)))
                }
                Ok(_) => {}
                Err(d) => {
                    docs.broken.insert(f.at.clone(), d);
                }
            }
        }
        // A resource that reaches a `$dynamicRef` through references means
        // what its dynamic scope says too.
        let mut changed = !edges.is_empty();
        while changed {
            changed = false;
            for (from, to) in &edges {
                if docs.dynamic_users.contains(to) && docs.dynamic_users.insert(from.clone()) {
                    changed = true;
                }
            }
        }
        Ok(docs)
    }

    fn push(&mut self, file: File) -> DocId {
        let id = self.files.len();
        self.by_uri.insert(file.base.as_str().to_string(), id);
        self.files.push(file);
        id
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
            assumed: None,
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

    /// The location a `$ref` string found at `at` (the holding object, or
    /// its `$ref` key) points to, checked to exist.
    pub fn target(&self, at: &Loc, reference: &str) -> Result<Loc, Diagnostic> {
        self.target_within(at, reference, 0)
    }

    /// [`Docs::target`], `depth` references deep in pointers that go
    /// through references: a pointer that goes through itself
    /// (`A: {$ref: "#/.../A/properties/x"}`) would otherwise be followed
    /// for ever.
    fn target_within(&self, at: &Loc, reference: &str, depth: usize) -> Result<Loc, Diagnostic> {
        let reference = reference.trim();
        let holder = at.holder();
        let file = &self.files[holder.doc];
        let loc = if let (Some(fragment), false) = (reference.strip_prefix('#'), file.has_ids) {
            // The common case: a fragment of this file, no `$id` to consider.
            self.in_resource(&Loc::new(holder.doc, ""), file.base.as_str(), fragment)
                .map_err(|m| self.diag(&holder, format!("$ref \"{reference}\": {m}")))?
        } else {
            let uri = self
                .base_at(&holder)
                .join(reference)
                .map_err(|e| self.diag(&holder, format!("$ref \"{reference}\" is not a URI reference ({e})")))?;
            self.locate(&holder, reference, &uri)?
        };
        if self.get(&loc).is_some() {
            return Ok(loc);
        }
        if depth >= 16 {
            return Err(self.diag(
                &holder,
                format!(
                    "$ref \"{reference}\": circular $ref: its pointer goes through references that lead back to it"
                ),
            ));
        }
        self.through_refs(&loc, depth + 1)
            .ok_or_else(|| self.diag(&holder, format!("$ref \"{reference}\" points to nothing")))
    }

    /// A pointer that goes through a reference on its way (`.../items/allOf/0`
    /// where `items` is a `$ref`), as documents written against a
    /// dereferenced copy have them: the reference is followed, and the walk
    /// goes on in its target.
    fn through_refs(&self, loc: &Loc, depth: usize) -> Option<Loc> {
        let mut here = Loc::new(loc.doc, "");
        for segment in loc.pointer.split('/').skip(1) {
            let mut node = self.get(&here)?;
            for _ in 0..16 {
                let Some(reference) = node.get("$ref").and_then(Value::as_str) else { break };
                if node.pointer(&format!("/{segment}")).is_some() {
                    break;
                }
                here = self.target_within(&here, reference, depth).ok()?;
                node = self.get(&here)?;
            }
            here = Loc::new(here.doc, format!("{}/{segment}", here.pointer));
        }
        self.get(&here).is_some().then_some(here)
    }

    /// Where an absolute URI points: a resource (`$id`), a file, or nowhere.
    fn locate(&self, holder: &Loc, reference: &str, uri: &Url) -> Result<Loc, Diagnostic> {
        let fragment = uri.fragment().unwrap_or("").to_string();
        let mut resource = uri.clone();
        resource.set_fragment(None);
        let key = resource.as_str();
        let inside = |at: &Loc| {
            self.in_resource(at, key, &fragment).map_err(|m| self.diag(holder, format!("$ref \"{reference}\": {m}")))
        };
        if let Some(at) = self.resources.get(key) {
            return inside(at);
        }
        if let Some(doc) = self.by_uri.get(key) {
            return inside(&Loc::new(*doc, ""));
        }
        if is_local_file(&resource) {
            if self.files[holder.doc].dir.is_none() {
                return Err(self.diag(holder, format!("$ref \"{reference}\": the document was loaded from bytes, so there is no folder to find a file in (load it from a path)")));
            }
            let path = resource.to_file_path().ok().and_then(|p| p.canonicalize().ok());
            if let Some(doc) = path.and_then(|p| self.by_path.get(&p)) {
                return inside(&Loc::new(*doc, ""));
            }
            return Err(self.diag(holder, format!("$ref \"{reference}\": file not loaded")));
        }
        Err(self.diag(
            holder,
            format!("$ref \"{reference}\" is a URL that no `$id` of the document names; Macaron never fetches documents from the network: download it next to the spec and use a relative path"),
        ))
    }

    /// A fragment inside the resource at `at` (whose URI is `uri`): empty,
    /// a JSON pointer, or an anchor's name.
    fn in_resource(&self, at: &Loc, uri: &str, fragment: &str) -> Result<Loc, String> {
        let fragment = percent_encoding::percent_decode_str(fragment).decode_utf8_lossy();
        if fragment.is_empty() || fragment.starts_with('/') {
            return Ok(Loc::new(at.doc, format!("{}{}", at.pointer, fragment)));
        }
        self.anchors
            .get(&format!("{uri}#{fragment}"))
            .cloned()
            .ok_or_else(|| format!("no `$anchor` or `$dynamicAnchor` named \"{fragment}\" in {uri}"))
    }

    /// The base URI in effect at a location: the file's, changed by every
    /// `$id` on the way down to it.
    pub fn base_at(&self, loc: &Loc) -> Url {
        let file = &self.files[loc.doc];
        let mut base = file.base.clone();
        if !file.has_ids {
            return base;
        }
        let mut node = &file.root;
        let mut segments = loc.pointer.split('/').skip(1);
        loop {
            if let Some(Value::String(id)) = node.get("$id") {
                if let Ok(next) = base.join(id) {
                    base = next;
                }
            }
            let Some(segment) = segments.next() else { break };
            let segment = crate::pointer::unescape(segment);
            if is_data_key(&segment) {
                break;
            }
            node = match node {
                Value::Object(map) => match map.get(&segment) {
                    Some(child) => child,
                    None => break,
                },
                Value::Array(items) => match segment.parse::<usize>().ok().and_then(|i| items.get(i)) {
                    Some(child) => child,
                    None => break,
                },
                _ => break,
            };
        }
        base.set_fragment(None);
        base
    }

    /// The URI of the resource a location is in (its base, without fragment).
    pub fn resource_of(&self, loc: &Loc) -> String {
        self.base_at(loc).as_str().to_string()
    }

    /// The `$dynamicAnchor`s of a resource.
    pub fn dynamic_anchors(&self, resource: &str) -> &[(String, Loc)] {
        self.dynamic_anchors.get(resource).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Whether a resource holds a `$dynamicRef`.
    pub fn uses_dynamic_refs(&self, resource: &str) -> bool {
        self.dynamic_users.contains(resource)
    }

    /// Whether the place `loc` is a `$dynamicAnchor` named `name`.
    pub fn is_dynamic_anchor(&self, loc: &Loc, name: &str) -> bool {
        self.get(loc).and_then(|v| v.get("$dynamicAnchor")).and_then(Value::as_str) == Some(name)
    }

    /// Indexes one file: its resources and anchors, and the references it holds.
    fn index(&mut self, doc: DocId, found: &mut Vec<Found>) {
        let mut walk = Walk { ids: Vec::new(), anchors: Vec::new(), refs: Vec::new(), dynamic_refs: Vec::new() };
        let base = self.files[doc].base.clone();
        walk.visit(&self.files[doc].root, &mut String::new(), &base, Within::Structure);
        self.files[doc].has_ids = !walk.ids.is_empty();
        for (pointer, uri) in walk.ids {
            self.resources.entry(uri).or_insert(Loc::new(doc, pointer));
        }
        for (pointer, uri, name, dynamic) in walk.anchors {
            let loc = Loc::new(doc, pointer);
            if dynamic {
                self.dynamic_anchors.entry(uri.clone()).or_default().push((name.clone(), loc.clone()));
            }
            self.anchors.entry(format!("{uri}#{name}")).or_insert(loc);
        }
        for (pointer, reference) in walk.refs {
            found.push(Found { at: Loc::new(doc, pointer), reference });
        }
        for (pointer, uri, reference) in walk.dynamic_refs {
            self.dynamic_users.insert(uri);
            found.push(Found { at: Loc::new(doc, format!("{pointer}/$dynamicRef")), reference });
        }
    }

    /// Reads the file a reference names, if it names one not read yet; a
    /// file that cannot be read or parsed makes the reference broken.
    fn read_target(&mut self, found: &Found) {
        let holder = found.at.holder();
        let Ok(mut resource) = self.base_at(&holder).join(found.reference.trim()) else { return };
        resource.set_fragment(None);
        if !is_local_file(&resource)
            || self.files[holder.doc].dir.is_none()
            || self.resources.contains_key(resource.as_str())
            || self.by_uri.contains_key(resource.as_str())
        {
            return;
        }
        let Ok(path) = resource.to_file_path() else { return };
        let path = match path.canonicalize() {
            Ok(p) => p,
            Err(e) => {
                let d = self.diag(&holder, format!("$ref to file \"{}\": {e}", path.display()));
                self.broken.insert(found.at.clone(), d);
                return;
            }
        };
        if self.by_path.contains_key(&path) {
            return;
        }
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) => {
                let d = self.diag(&holder, format!("$ref to file \"{}\": {e}", path.display()));
                self.broken.insert(found.at.clone(), d);
                return;
            }
        };
        let name = self.display_name(&path);
        let root = match source::parse(&text) {
            Ok(parsed) => {
                let doc = self.files.len();
                self.duplicates.extend(parsed.duplicates.into_iter().map(|(p, k)| (Loc::new(doc, p), k)));
                parsed.root
            }
            Err(e) => {
                let d = Diagnostic { file: name, pointer: "#".into(), line: e.line, message: e.message, assumed: None };
                self.broken.insert(found.at.clone(), d);
                return;
            }
        };
        let base = Url::from_file_path(&path).unwrap_or(resource);
        self.by_path.insert(path.clone(), self.files.len());
        let dir = path.parent().map(Path::to_path_buf);
        self.push(File { name, dir, text, root, base, has_ids: false });
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

/// A `file:` URI of this machine (`//host/x.yaml` is a URL, not a file).
fn is_local_file(uri: &Url) -> bool {
    uri.scheme() == "file" && uri.host_str().is_none_or(|h| h.is_empty() || h == "localhost")
}

/// The made-up base URI of a document given as bytes (relative references
/// to files resolve against it, and are then refused: there is no folder).
fn bytes_base(name: &str) -> Url {
    let file = Path::new(name).file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
    let encoded = percent_encoding::utf8_percent_encode(&file, percent_encoding::NON_ALPHANUMERIC).to_string();
    Url::parse(&format!("file:///macaron-bytes/{encoded}"))
        .or_else(|_| Url::parse("file:///macaron-bytes/document"))
        .unwrap_or_else(|_| unreachable_base())
}

/// A URL that always parses (a startup invariant of the `url` crate).
#[allow(clippy::expect_used)]
fn unreachable_base() -> Url {
    Url::parse("file:///").expect("file:/// is a URL")
}

/// Keys whose values are data (extensions, examples, ...) rather than
/// OpenAPI structure: `$ref`s below them are not references. (`default` and
/// `value` are not among them: they are also response and property names.)
fn is_data_key(key: &str) -> bool {
    key.starts_with("x-") || matches!(key, "example" | "examples" | "const" | "enum")
}

/// `examples` in a media type or parameter is a map of Example Objects,
/// which may themselves be `$ref`s (but their `value`s are data).
fn is_examples_map(key: &str, value: &Value) -> bool {
    key == "examples" && value.is_object()
}

/// One walk over a file: references, `$id`s and anchors, with the base URI
/// in effect at each.
struct Walk {
    /// `$id`s: pointer of the schema, its absolute URI (no fragment).
    ids: Vec<(String, String)>,
    /// Anchors: pointer, resource URI, name, dynamic.
    anchors: Vec<(String, String, String, bool)>,
    /// `$ref`s: pointer of the holder, the reference.
    refs: Vec<(String, String)>,
    /// `$dynamicRef`s: pointer of the holder, resource URI, the reference.
    dynamic_refs: Vec<(String, String, String)>,
}

/// What the walk is inside of: OpenAPI structure, a map of Example
/// Objects, or one Example Object (whose `value` is data).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Within {
    Structure,
    Examples,
    Example,
}

impl Walk {
    fn visit(&mut self, value: &Value, pointer: &mut String, base: &Url, within: Within) {
        match value {
            Value::Object(map) => {
                let own;
                let base = match map.get("$id").and_then(Value::as_str).and_then(|id| base.join(id).ok()) {
                    Some(mut uri) => {
                        uri.set_fragment(None);
                        self.ids.push((pointer.clone(), uri.as_str().to_string()));
                        own = uri;
                        &own
                    }
                    None => base,
                };
                for (key, dynamic) in [("$anchor", false), ("$dynamicAnchor", true)] {
                    if let Some(Value::String(name)) = map.get(key) {
                        self.anchors.push((pointer.clone(), base.as_str().to_string(), name.clone(), dynamic));
                    }
                }
                if let Some(Value::String(r)) = map.get("$ref") {
                    self.refs.push((pointer.clone(), r.clone()));
                }
                if let Some(Value::String(r)) = map.get("$dynamicRef") {
                    self.dynamic_refs.push((pointer.clone(), base.as_str().to_string(), r.clone()));
                }
                for (key, child) in map {
                    let inner = match within {
                        Within::Examples => Within::Example,
                        Within::Example if matches!(key.as_str(), "value" | "dataValue") => continue,
                        _ if is_examples_map(key, child) => Within::Examples,
                        _ if is_data_key(key) => continue,
                        _ => Within::Structure,
                    };
                    let len = pointer.len();
                    pointer.push('/');
                    pointer.push_str(&escape(key));
                    self.visit(child, pointer, base, inner);
                    pointer.truncate(len);
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    let len = pointer.len();
                    pointer.push_str(&format!("/{i}"));
                    self.visit(child, pointer, base, Within::Structure);
                    pointer.truncate(len);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docs(text: &str) -> Docs {
        Docs::load("t.yaml", None, text.to_string()).ok().unwrap()
    }

    #[test]
    fn urls_are_not_fetched() {
        let d = docs("a: {$ref: 'https://example.com/a.yaml#/X'}\nb: {$ref: '//example.com/a.yaml'}\nc: {$ref: 'other.yaml#/X'}\n");
        assert_eq!(d.broken.len(), 3);
        assert!(d.broken[&Loc::new(0, "/a")].message.contains("never fetches"));
        assert!(d.broken[&Loc::new(0, "/b")].message.contains("never fetches"));
        assert!(d.broken[&Loc::new(0, "/c")].message.contains("loaded from bytes"));
    }

    #[test]
    fn percent_encoded_pointers_are_decoded() {
        let d = docs("paths: {'/pets/{id}': {get: {}}}\nx: {$ref: '#/paths/~1pets~1%7Bid%7D'}\n");
        assert!(d.broken.is_empty());
        assert_eq!(
            d.target(&Loc::new(0, "/x"), "#/paths/~1pets~1%7Bid%7D").ok(),
            Some(Loc::new(0, "/paths/~1pets~1{id}"))
        );
    }

    #[test]
    fn dangling_and_circular_refs_are_recorded() {
        let d = docs("a: {$ref: '#/b'}\nb: {$ref: '#/a'}\nc: {$ref: '#/nothing'}\n");
        assert_eq!(d.broken.len(), 1);
        let broken = &d.broken[&Loc::new(0, "/c")];
        assert!(broken.message.contains("points to nothing"));
        assert_eq!(broken.pointer, "#/c");
        let err = d.follow(&Loc::new(0, "/a")).err().unwrap();
        assert!(err.message.contains("circular"));
    }

    #[test]
    fn a_pointer_through_itself_is_circular_not_endless() {
        // Found by the spec_load fuzz target: a stack overflow before.
        let d = docs(concat!(
            "components:\n",
            "  schemas:\n",
            "    A: {$ref: '#/components/schemas/A/properties/x'}\n",
            "    B: {$ref: '#/components/schemas/C/properties/y'}\n",
            "    C: {$ref: '#/components/schemas/B/properties/z'}\n",
        ));
        let at = |p: &str| Loc::new(0, p);
        let e = d.target(&at("/components/schemas/A"), "#/components/schemas/A/properties/x").unwrap_err();
        assert!(e.message.contains("points to nothing") || e.message.contains("circular $ref"), "{e}");
        assert!(d.target(&at("/components/schemas/B"), "#/components/schemas/C/properties/y").is_err());
    }

    #[test]
    fn example_values_are_data_and_pointers_may_go_through_refs() {
        let d = docs(concat!(
            "components:\n",
            "  examples:\n",
            "    E: {value: {allOf: [{$ref: '#/definitions/base'}]}}\n",
            "    F: {$ref: '#/components/examples/E'}\n",
            "  schemas:\n",
            "    A: {type: object, properties: {items: {$ref: '#/components/schemas/B'}}}\n",
            "    B: {allOf: [{type: string}]}\n",
            "x: {$ref: '#/components/schemas/A/properties/items/allOf/0'}\n",
            "y: {$ref: '#/components/examples/G'}\n",
        ));
        let at = |p: &str| Loc::new(0, p);
        assert_eq!(d.broken.keys().collect::<Vec<_>>(), [&at("/y")]);
        let through = d.target(&at("/x"), "#/components/schemas/A/properties/items/allOf/0").ok();
        assert_eq!(through, Some(at("/components/schemas/B/allOf/0")));
    }

    #[test]
    fn ids_anchors_and_relative_references() {
        let d = docs(concat!(
            "s:\n",
            "  pet:\n",
            "    $id: https://example.com/schemas/pet\n",
            "    properties:\n",
            "      details: {$ref: 'petdetails#pet_details_id'}\n",
            "      whole: {$ref: 'petdetails'}\n",
            "      inner: {$ref: 'petdetails#/properties/id'}\n",
            "      lost: {$ref: 'petdetails#nowhere'}\n",
            "  details:\n",
            "    $id: https://example.com/schemas/petdetails\n",
            "    properties:\n",
            "      id: {$anchor: pet_details_id, type: string}\n",
            "  local:\n",
            "    $id: '/components/schemas/petdetails'\n",
            "    properties:\n",
            "      id: {$anchor: pet_details_id, type: integer}\n",
            "  user: {$ref: '/components/schemas/petdetails#pet_details_id'}\n",
        ));
        let at = |p: &str| Loc::new(0, p);
        let lost = at("/s/pet/properties/lost");
        assert_eq!(d.broken.keys().collect::<Vec<_>>(), [&lost]);
        let pet = at("/s/pet/properties");
        assert_eq!(
            d.target(&pet.key("details"), "petdetails#pet_details_id").ok(),
            Some(at("/s/details/properties/id"))
        );
        assert_eq!(d.target(&pet.key("whole"), "petdetails").ok(), Some(at("/s/details")));
        assert_eq!(d.target(&pet.key("inner"), "petdetails#/properties/id").ok(), Some(at("/s/details/properties/id")));
        let user = d.target(&at("/s/user"), "/components/schemas/petdetails#pet_details_id").ok();
        assert_eq!(user, Some(at("/s/local/properties/id")));
        assert_eq!(d.base_at(&pet.key("details")).as_str(), "https://example.com/schemas/pet");
        assert!(d.broken[&lost].message.contains("no `$anchor` or `$dynamicAnchor` named \"nowhere\""));
    }
}
