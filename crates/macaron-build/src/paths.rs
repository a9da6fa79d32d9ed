//! Rust paths the generated code names but does not define: the runtime
//! crate's (`::macaron`, or what [`crate::Generator::runtime`] says) and the
//! spec's (`x-bind-server`, `x-decorate-server`, `x-parent`).
//!
//! They arrive as text; each is parsed into a [`syn::Path`] once, so a bad
//! one is an [`Error::Path`] naming where it came from, and the code
//! interpolates a path, never a string.

use proc_macro2::TokenStream;
use quote::ToTokens;

use crate::Error;

/// A path written by someone else, parsed; `role` says where it came from.
pub(crate) fn parse(path: &str, role: impl FnOnce() -> String) -> Result<syn::Path, Error> {
    syn::parse_str(path).map_err(|e| Error::Path { path: path.to_string(), role: role(), reason: e.to_string() })
}

/// The runtime crate as the generated code names it.
pub(crate) struct Runtime {
    path: syn::Path,
    text: String,
}

impl Runtime {
    /// `::macaron`, `crate::rt`, ...
    pub fn parse(text: &str) -> Result<Runtime, Error> {
        let path = parse(text, || "the runtime path given to Generator::runtime".into())?;
        Ok(Runtime { path, text: text.to_string() })
    }

    /// The value of `#[serde(crate = "...")]`: the runtime's re-export of serde.
    pub fn serde_crate(&self) -> String {
        format!("{}::serde", self.text)
    }

    /// The runtime as messages spell it (`macaron`, without the leading `::`).
    pub fn readable(&self) -> &str {
        self.text.trim_start_matches("::")
    }
}

impl ToTokens for Runtime {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        self.path.to_tokens(tokens);
    }
}
