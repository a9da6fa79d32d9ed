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
//! Documents under `apis/clients/` are other services' APIs (a vendor's,
//! say): each becomes `apis::clients::NAME` with its types and a typed
//! `Client`, and nothing of a server. They are read leniently (a defect is
//! a `cargo:warning`, not a failed build). [`generate_client`] does the
//! same for one document kept anywhere, and [`Generator::client_only`]
//! gives that code as text.
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
    client_only: bool,
}

/// The code of a folder of documents ([`Generator::dir_code`]).
#[derive(Debug)]
pub struct DirCode {
    /// The code: `pub mod apis { .. }`.
    pub code: String,
    /// The documents read (the services' and the clients').
    pub files: Vec<PathBuf>,
    /// What lenient reading of the clients' documents assumed, one
    /// diagnostic each (`file:line: pointer: message; assumed: ..`).
    pub warnings: Vec<macaron_spec::Diagnostic>,
}

impl Default for Generator {
    fn default() -> Self {
        Self::new()
    }
}

impl Generator {
    /// Generated code refers to the runtime as `::macaron`.
    pub fn new() -> Self {
        Generator { runtime: "::macaron".into(), types_only: false, client_only: false }
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

    /// The API objects and the typed `Client` only: the code of another
    /// service's API (a vendor's), which this one calls but does not serve.
    /// No bindings, no `bind`, no embedded spec.
    ///
    /// ```
    /// let vendor = br##"
    /// openapi: 3.0.3
    /// info: {title: Weather, version: "2"}
    /// paths:
    ///   /forecast/{city}:
    ///     get:
    ///       operationId: get forecast
    ///       parameters:
    ///         - {name: city, in: path, required: true, schema: {type: string}}
    ///         - {name: "days[]", in: query, style: form, explode: false, schema: {type: array, items: {type: integer}}}
    ///       responses:
    ///         "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Forecast"}}}}
    /// components:
    ///   schemas:
    ///     Forecast: {type: object, properties: {summary: {type: string}}}
    /// "##;
    /// let api = macaron_spec::Options::lenient().load_bytes("weather.yaml", vendor).unwrap();
    /// let code = macaron_build::Generator::new().client_only().api_code(&api).unwrap();
    /// assert!(code.contains("pub struct Forecast {"));
    /// assert!(code.contains("pub async fn get_forecast("));
    /// assert!(code.contains(".explode(false)"));
    /// assert!(!code.contains("pub fn bind(") && !code.contains("SPEC"));
    /// ```
    pub fn client_only(mut self) -> Self {
        self.client_only = true;
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
        if self.client_only && !self.types_only {
            let client = client::only(&mut models, api, rt);
            models.finish();
            let types = models.tokens(rt)?;
            return Ok(quote! {
                #types
                #client
            });
        }
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
    /// `pub mod NAME` each, inside `pub mod apis`, with `apis::all()`
    /// binding them; and of every spec in `dir/clients/` (when there is
    /// one), read leniently, as client-only modules in `apis::clients`.
    pub fn dir_code(&self, dir: &Path) -> Result<DirCode, Error> {
        let rt = paths::Runtime::parse(&self.runtime)?;
        let files = specs_in(dir)?;
        let clients_dir = dir.join("clients");
        let client_files = if clients_dir.is_dir() { specs_in(&clients_dir)? } else { Vec::new() };
        // Module names: `clients` and `all` are the folder's own.
        let mut module_names = names::Namer::default();
        for taken in ["clients", "all"] {
            module_names.reserve(taken);
        }
        let mut modules = TokenStream::new();
        let mut call = quote!(builder);
        for file in &files {
            let api = macaron_spec::load(file).map_err(Error::Spec)?;
            let module = names::ident(&module_names.fresh(&field_name(&api.name)));
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
        let mut warnings = Vec::new();
        if !client_files.is_empty() {
            let generator = self.clone().client_only();
            let mut client_names = names::Namer::default();
            let mut clients = TokenStream::new();
            for file in &client_files {
                let api = macaron_spec::Options::lenient().load(file).map_err(Error::Spec)?;
                let module = names::ident(&client_names.fresh(&field_name(&api.name)));
                let code = generator.api_tokens(&api, &api.file, &rt)?;
                clients.extend(quote! {
                    #[allow(dead_code, missing_docs)]
                    pub mod #module {
                        #code
                    }
                });
                warnings.extend(api.warnings);
            }
            modules.extend(quote! {
                /// Clients of other services' APIs (`clients/`): their types and a `Client` each, no bindings.
                pub mod clients {
                    #clients
                }
            });
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
        let mut all_files = files;
        all_files.extend(client_files);
        Ok(DirCode { code: format(code)?, files: all_files, warnings })
    }
}

/// The documents in a folder (`.yaml`, `.yml`, `.json`), sorted.
fn specs_in(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::Io(dir.to_path_buf(), e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml" | "json")))
        .collect();
    files.sort();
    Ok(files)
}

/// Prints code readably (`///` docs, rustfmt-like layout).
fn format(code: TokenStream) -> Result<String, Error> {
    let file = syn::parse2::<syn::File>(code).map_err(|e| Error::Syntax(e.to_string()))?;
    Ok(prettyplease::unparse(&file))
}

/// For `build.rs`: generates the code of every spec under `dir` (relative to
/// the crate), and the clients of every spec under `dir/clients/`, into
/// `$OUT_DIR/macaron_apis.rs`, which `macaron::include_apis!()` includes;
/// tells cargo to rerun when a spec changes, and prints what lenient
/// reading of a client's spec assumed as `cargo:warning`s. A service's spec
/// that does not load fails the build with its diagnostics.
pub fn generate(dir: impl AsRef<Path>) {
    exit_on_error(try_generate(dir.as_ref(), &Generator::new()));
}

/// For `build.rs`: the client of one other service's document kept
/// anywhere (a vendor's, say), read leniently, as `pub mod NAME` (NAME from
/// the file name: `stripe.yaml` gives `stripe`) in `$OUT_DIR/clients/NAME.rs`.
/// Include it where the module should be:
///
/// ```text
/// // build.rs
/// macaron_build::generate_client("../vendor/stripe.yaml");
/// // src/lib.rs
/// include!(concat!(env!("OUT_DIR"), "/clients/stripe.rs"));
/// // stripe::Client::new("https://api.stripe.com") ...
/// ```
pub fn generate_client(spec: impl AsRef<Path>) {
    exit_on_error(try_generate_client(spec.as_ref(), &Generator::new().client_only()));
}

fn exit_on_error(result: Result<(), Error>) {
    if let Err(e) = result {
        // A build script reports by failing; the message names file and pointer.
        eprintln!("{e}");
        std::process::exit(1);
    }
}

fn out_dir() -> Result<PathBuf, Error> {
    std::env::var_os("OUT_DIR")
        .map(PathBuf::from)
        .ok_or_else(|| Error::Io(PathBuf::from("$OUT_DIR"), std::io::Error::other("not run from build.rs")))
}

/// Each warning as cargo shows it (one line: cargo cuts at line breaks).
fn print_warnings(warnings: &[macaron_spec::Diagnostic]) {
    for warning in warnings {
        println!("cargo:warning={}", warning.to_string().replace(['\r', '\n'], " "));
    }
}

/// `path` as cargo should watch it: absolute. The generated code embeds
/// each spec by its absolute path; watched by a relative one, a checkout
/// moved elsewhere (or a second one sharing the target folder) would find
/// the generated code fresh and embed a path that is gone or not its own.
fn watched(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

fn try_generate(dir: &Path, generator: &Generator) -> Result<(), Error> {
    let out_dir = out_dir()?;
    println!("cargo:rerun-if-changed={}", watched(dir).display());
    let clients = dir.join("clients");
    if clients.is_dir() {
        println!("cargo:rerun-if-changed={}", watched(&clients).display());
    }
    let generated = generator.dir_code(dir)?;
    for file in &generated.files {
        println!("cargo:rerun-if-changed={}", watched(file).display());
    }
    print_warnings(&generated.warnings);
    let out = out_dir.join("macaron_apis.rs");
    std::fs::write(&out, generated.code).map_err(|e| Error::Io(out, e))
}

fn try_generate_client(spec: &Path, generator: &Generator) -> Result<(), Error> {
    let out_dir = out_dir()?.join("clients");
    println!("cargo:rerun-if-changed={}", watched(spec).display());
    let api = macaron_spec::Options::lenient().load(spec).map_err(Error::Spec)?;
    print_warnings(&api.warnings);
    let name = field_name(&api.name);
    let module = names::ident(&name);
    let rt = paths::Runtime::parse(&generator.runtime)?;
    let code = generator.api_tokens(&api, &api.file, &rt)?;
    let code = format(quote! {
        #[allow(dead_code, missing_docs)]
        pub mod #module {
            #code
        }
    })?;
    std::fs::create_dir_all(&out_dir).map_err(|e| Error::Io(out_dir.clone(), e))?;
    let out = out_dir.join(format!("{name}.rs"));
    std::fs::write(&out, code).map_err(|e| Error::Io(out, e))
}

#[cfg(doctest)]
#[doc = include_str!("../../../docs/api-objects.md")]
pub struct ApiObjectsChapter;

#[cfg(test)]
mod tests {
    use super::Generator;

    #[test]
    fn documents_under_clients_are_client_modules_read_leniently() {
        let dir = std::env::temp_dir().join(format!("macaron-build-clients-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("clients")).unwrap();
        let own = "openapi: 3.0.3\ninfo: {title: own, version: '1'}\npaths: {}\n";
        std::fs::write(dir.join("clients.yaml"), own).unwrap();
        // A reference to nothing: an error in a service's own document, a
        // warning in a vendor's.
        let vendor = r##"
openapi: 3.0.3
info: {title: vendor, version: "1"}
paths:
  /x:
    get:
      operationId: get x
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Gone"}}}}
"##;
        std::fs::write(dir.join("clients/the-vendor.yml"), vendor).unwrap();
        std::fs::write(dir.join("clients/notes.txt"), "not a spec").unwrap();
        let generated = Generator::new().dir_code(&dir).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(generated.files.len(), 2);
        assert_eq!(generated.warnings.len(), 1, "{:?}", generated.warnings);
        assert!(generated.warnings[0].to_string().contains("points to nothing"), "{}", generated.warnings[0]);
        let code = generated.code;
        // The service's own `clients.yaml` yields the folder's name.
        assert!(code.contains("pub mod clients2 {") && code.contains("pub mod clients {"), "{code}");
        assert!(code.contains("pub mod the_vendor {") && code.contains("pub async fn get_x("), "{code}");
        let all = &code[code.find("pub fn all()").unwrap()..];
        assert!(all.contains("clients2::bind(builder)") && !all.contains("the_vendor"), "{all}");
        assert_eq!(code.matches("pub fn bind(").count(), 1, "{code}");
    }
}
