//! # macaron-build
//!
//! Code generation for Macaron services, run from the service's `build.rs`:
//! every OpenAPI document under `apis/` becomes a Rust module of API
//! objects (serde types for every schema). Mistakes in how handlers use the
//! spec become compile errors instead of runtime surprises.
//!
//! ```no_run
//! // in build.rs, as the body of `fn main()`:
//! macaron_build::generate("apis");
//! ```
//!
//! The code names its dependencies through the runtime crate
//! (`::macaron::serde`, `::macaron::chrono`, ...), so a service depends on
//! `macaron` and `macaron-build` only. [`Generator::runtime`] changes that
//! path.
//!
//! The generator builds tokens (`quote!`), never text: what it writes is
//! Rust by construction, and its source reads like its output. The stages
//! are the modules: `models` decides a type per schema, `signature` the
//! arguments and reply of each operation, `bindings` and `client` the
//! code around them; `ty`, `docs`, `names` and `paths` print types, doc
//! comments, identifiers and paths; `prettyplease` lays the file out.
//!
//! ```
//! let api = macaron_spec::load_bytes("pets.yaml", br#"
//! openapi: 3.0.3
//! info: {title: Pets, version: "1"}
//! paths: {}
//! components:
//!   schemas:
//!     Pet:
//!       type: object
//!       required: [name]
//!       properties:
//!         name: {type: string}
//!         petType: {type: string, enum: [cat, dog]}
//! "#).unwrap();
//! let code = macaron_build::Generator::new().api_code(&api).unwrap();
//! assert!(code.contains("pub struct Pet {"));
//! assert!(code.contains("pub pet_type: ::std::option::Option<PetPetType>"));
//! assert!(code.contains("pub enum PetPetType {"));
//! ```

mod bindings;
mod client;
mod docs;
mod error;
mod models;
mod names;
mod paths;
mod signature;
mod ty;

use std::path::{Path, PathBuf};

use proc_macro2::TokenStream;
use quote::quote;

pub use error::Error;
pub use names::{field_name, type_name};

/// Options of the generator.
#[derive(Debug, Clone)]
pub struct Generator {
    runtime: String,
    types_only: bool,
}

impl Default for Generator {
    fn default() -> Self {
        Self::new()
    }
}

impl Generator {
    /// Generated code refers to the runtime as `::macaron`.
    pub fn new() -> Self {
        Generator { runtime: "::macaron".into(), types_only: false }
    }

    /// The path generated code uses for the runtime crate.
    pub fn runtime(mut self, path: &str) -> Self {
        self.runtime = path.to_string();
        self
    }

    /// Only the API objects (a type per component schema and the types
    /// they contain): no bindings, no client, no embedded spec. Such code
    /// needs nothing of the runtime but `Model` and the crates it
    /// re-exports (`serde`, `serde_json`, `chrono`, `uuid`).
    pub fn types_only(mut self) -> Self {
        self.types_only = true;
        self
    }

    /// The Rust name of the type of each component schema, in the spec's
    /// order (`account.settings` gives `AccountSettings`; a name taken
    /// twice gets a number: `Pet2`).
    pub fn component_types(&self, api: &macaron_spec::Api) -> Vec<(String, String)> {
        let models = models::Models::new(api, names::Namer::default());
        api.schemas.keys().filter_map(|name| Some((name.clone(), models.component_type(name)?.to_string()))).collect()
    }

    /// The code of one API: its types and handler bindings, formatted. The
    /// spec is embedded with `include_str!` of `api.file` as given.
    pub fn api_code(&self, api: &macaron_spec::Api) -> Result<String, Error> {
        self.api_code_at(api, &api.file)
    }

    /// Like [`Generator::api_code`], embedding the spec from `spec_path`
    /// (relative to the file the code is written to, or absolute).
    pub fn api_code_at(&self, api: &macaron_spec::Api, spec_path: &str) -> Result<String, Error> {
        let rt = paths::Runtime::parse(&self.runtime)?;
        format(self.api_tokens(api, spec_path, &rt)?)
    }

    /// The items of one API, as [`Generator::api_code_at`] prints them.
    fn api_tokens(&self, api: &macaron_spec::Api, spec_path: &str, rt: &paths::Runtime) -> Result<TokenStream, Error> {
        let mut models = models::Models::new(api, names::Namer::default());
        models.generate();
        // The bindings first: they define types of their own (bodies,
        // parameters, success enums), which are boxed and printed with the rest.
        let bindings =
            if self.types_only { TokenStream::new() } else { bindings::tokens(&mut models, api, rt, spec_path)? };
        models.finish();
        let types = models.tokens(rt)?;
        Ok(quote! {
            #types
            #bindings
        })
    }

    /// The code of every spec in `dir` (`.yaml`, `.yml`, `.json`), one
    /// `pub mod NAME` each, inside `pub mod apis`.
    pub fn dir_code(&self, dir: &Path) -> Result<(String, Vec<PathBuf>), Error> {
        let rt = paths::Runtime::parse(&self.runtime)?;
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| Error::Io(dir.to_path_buf(), e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml" | "json")))
            .collect();
        files.sort();
        let mut modules = TokenStream::new();
        let mut call = quote!(builder);
        for file in &files {
            let api = macaron_spec::load(file).map_err(Error::Spec)?;
            let module = names::ident(&field_name(&api.name));
            let absolute = file.canonicalize().map_err(|e| Error::Io(file.clone(), e))?;
            let code = self.api_tokens(&api, &absolute.display().to_string(), &rt)?;
            // A service uses some of the types only, and schemas without a
            // description give items without docs: those two rustc lints
            // are off; clippy's are on (generated code has no warnings).
            modules.extend(quote! {
                #[allow(dead_code, missing_docs)]
                pub mod #module {
                    #code
                }
            });
            call = quote!(#module::bind(#call));
        }
        let code = quote! {
            /// The service's APIs, generated from its OpenAPI documents.
            pub mod apis {
                #modules
                /// Every API of the service, bound: `.apis(apis::all())` on the builder.
                pub fn all() -> impl FnOnce(#rt::ApiBuilder) -> #rt::ApiBuilder {
                    |builder| {
                        #call
                    }
                }
            }
        };
        Ok((format(code)?, files))
    }
}

/// Prints code readably (`///` docs, rustfmt-like layout).
fn format(code: TokenStream) -> Result<String, Error> {
    let file = syn::parse2::<syn::File>(code).map_err(|e| Error::Syntax(e.to_string()))?;
    Ok(prettyplease::unparse(&file))
}

/// For `build.rs`: generates the code of every spec under `dir` (relative to
/// the crate) into `$OUT_DIR/macaron_apis.rs`, which `macaron::include_apis!()`
/// includes, and tells cargo to rerun when a spec changes. A spec that does
/// not load fails the build with its diagnostics.
pub fn generate(dir: impl AsRef<Path>) {
    if let Err(e) = try_generate(dir.as_ref(), &Generator::new()) {
        // A build script reports by failing; the message names file and pointer.
        eprintln!("{e}");
        std::process::exit(1);
    }
}

fn try_generate(dir: &Path, generator: &Generator) -> Result<(), Error> {
    let out_dir = std::env::var_os("OUT_DIR")
        .map(PathBuf::from)
        .ok_or_else(|| Error::Io(PathBuf::from("$OUT_DIR"), std::io::Error::other("not run from build.rs")))?;
    println!("cargo:rerun-if-changed={}", dir.display());
    let (code, files) = generator.dir_code(dir)?;
    for file in files {
        println!("cargo:rerun-if-changed={}", file.display());
    }
    let out = out_dir.join("macaron_apis.rs");
    std::fs::write(&out, code).map_err(|e| Error::Io(out, e))
}

#[cfg(doctest)]
#[doc = include_str!("../../../docs/api-objects.md")]
pub struct ApiObjectsChapter;
