//! The public corpus: third-party OpenAPI documents in
//! `../shared/specs/public` beside the checkout (not in the repository:
//! they are other projects' files), listed with what to expect of each in
//! its `MANIFEST.tsv`.
//!
//! Found by one path for every crate, and read through the
//! [skip rule](crate::skip): without the corpus, the tests that use it
//! skip outside CI and fail with `CI=true`.

use std::path::{Path, PathBuf};

/// Where the corpus is expected: `shared/specs/public` in the nearest
/// folder above the package under test (`../shared/specs/public` beside the checkout), whether or not it
/// is there.
///
/// Found when the tests run, not when this crate is compiled: a crate
/// built in one checkout may be linked into the tests of another (a
/// nested `cargo` sharing the target folder, as the deploy pipeline's
/// tests do), and the first checkout may be gone by then.
///
/// ```
/// assert!(macaron_dev::corpus::dir().ends_with("shared/specs/public"));
/// ```
pub fn dir() -> PathBuf {
    // Cargo names the package under test when it runs tests and doctests.
    let start = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_default();
    let candidates = || start.ancestors().map(|a| a.join("shared/specs/public"));
    candidates()
        .find(|c| c.join("MANIFEST.tsv").is_file())
        // Where it would be for a checkout laid out as `crates/<name>`.
        .unwrap_or_else(|| start.join("../../../shared/specs/public"))
}

/// The corpus, or `None` after a printed skip when it is missing (with
/// `CI=true`, a failure).
///
/// ```
/// if let Some(corpus) = macaron_dev::corpus() {
///     let stripe = corpus.document("stripe-spec3.yaml").expect("listed");
///     assert!(stripe.operations > 400);
///     assert!(corpus.path(&stripe.file).is_file());
/// }
/// ```
///
/// # Panics
///
/// With `CI=true`, when the corpus or its manifest is missing or unreadable.
pub fn corpus() -> Option<Corpus> {
    crate::require("the public corpus of OpenAPI documents", Corpus::open(&dir()))
}

/// The corpus's folder and the documents its manifest lists.
#[derive(Debug, Clone)]
pub struct Corpus {
    dir: PathBuf,
    documents: Vec<Document>,
}

/// One line of `MANIFEST.tsv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// The file name, in the corpus's folder.
    pub file: String,
    /// Where it was taken from (repository, path and commit).
    pub source: String,
    /// `3.0.3`, `3.1.0`, `swagger 2.0`...
    pub openapi_version: String,
    /// `yaml` or `json`.
    pub format: String,
    /// The number of operations the document declares.
    pub operations: usize,
}

impl Corpus {
    /// Reads the manifest of the corpus in `dir`; the error says what is
    /// missing or wrong, and where.
    pub fn open(dir: &Path) -> Result<Corpus, String> {
        let manifest = dir.join("MANIFEST.tsv");
        let text = std::fs::read_to_string(&manifest).map_err(|e| {
            format!("{}: {e} (the corpus lives in ../shared/specs/public beside the checkout)", manifest.display())
        })?;
        let mut documents = Vec::new();
        for (index, line) in text.lines().enumerate().skip(1).filter(|(_, l)| !l.trim().is_empty()) {
            let cols: Vec<&str> = line.split('\t').collect();
            let bad = |what: &str| format!("{} line {}: {what}", manifest.display(), index + 1);
            let [file, source, openapi_version, format, _size, operations, ..] = cols[..] else {
                return Err(bad("fewer than 6 tab-separated columns"));
            };
            let operations = operations.parse().map_err(|e| bad(&format!("operations '{operations}': {e}")))?;
            documents.push(Document {
                file: file.to_string(),
                source: source.to_string(),
                openapi_version: openapi_version.to_string(),
                format: format.to_string(),
                operations,
            });
        }
        Ok(Corpus { dir: dir.to_path_buf(), documents })
    }

    /// The corpus's folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The path of `file` in the corpus.
    pub fn path(&self, file: &str) -> PathBuf {
        self.dir.join(file)
    }

    /// Every document the manifest lists, in its order.
    pub fn documents(&self) -> &[Document] {
        &self.documents
    }

    /// The manifest's line for `file`.
    pub fn document(&self, file: &str) -> Option<&Document> {
        self.documents.iter().find(|d| d.file == file)
    }
}

#[cfg(test)]
mod tests {
    use super::Corpus;

    #[test]
    fn the_manifest_is_read_and_its_faults_named() {
        let dir = std::env::temp_dir().join(format!("macaron-dev-corpus-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let missing = Corpus::open(&dir).unwrap_err();
        assert!(missing.contains("MANIFEST.tsv") && missing.contains("../shared/specs/public"), "{missing}");
        let header = "file\tsource\topenapi_version\tformat\tsize_bytes\toperations\tnotable_features\n";
        std::fs::write(dir.join("MANIFEST.tsv"), format!("{header}a.yaml\tgithub:x\t3.1.0\tyaml\t10\t4\tnone\n\n"))
            .unwrap();
        let corpus = Corpus::open(&dir).unwrap();
        assert_eq!(corpus.documents().len(), 1);
        let a = corpus.document("a.yaml").unwrap();
        assert_eq!((a.openapi_version.as_str(), a.format.as_str(), a.operations), ("3.1.0", "yaml", 4));
        assert_eq!(corpus.path("a.yaml"), dir.join("a.yaml"));
        std::fs::write(dir.join("MANIFEST.tsv"), format!("{header}b.yaml\tgithub:x\t3.1.0\tyaml\t10\tmany\n")).unwrap();
        let bad = Corpus::open(&dir).unwrap_err();
        assert!(bad.ends_with("line 2: operations 'many': invalid digit found in string"), "{bad}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
