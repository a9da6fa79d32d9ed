//! `#[macaron::monitor]`: an async function's body as a monitored section.

use quote::quote;
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{Error, Expr, ExprLit, ItemFn, Lit, MetaNameValue, Token};

/// Wraps the body of `item` in `macaron::monitor(kind, name, ...)`.
pub(crate) fn expand(
    attr: proc_macro2::TokenStream,
    item: proc_macro2::TokenStream,
) -> syn::Result<proc_macro2::TokenStream> {
    let mut function: ItemFn = syn::parse2(item)?;
    if function.sig.asyncness.is_none() {
        return Err(Error::new_spanned(
            function.sig.fn_token,
            "#[macaron::monitor] times an `async fn` (for a section, call macaron::monitor(kind, name, future))",
        ));
    }
    let (mut kind, mut name) = (None, None);
    for pair in Punctuated::<MetaNameValue, Token![,]>::parse_terminated.parse2(attr.clone())? {
        let key = pair.path.get_ident().map(|i| i.to_string()).unwrap_or_default();
        let Expr::Lit(ExprLit { lit: Lit::Str(value), .. }) = &pair.value else {
            return Err(Error::new_spanned(&pair.value, format!("`{key}` takes a string: {key} = \"...\"")));
        };
        match key.as_str() {
            "kind" => kind = Some(value.value()),
            "name" => name = Some(value.value()),
            _ => return Err(Error::new_spanned(&pair, "unknown monitor option: use kind = \"...\", name = \"...\"")),
        }
    }
    let Some(kind) = kind else {
        return Err(Error::new_spanned(
            attr,
            "#[macaron::monitor] needs a kind: #[macaron::monitor(kind = \"db\")] (name defaults to the function's)",
        ));
    };
    let name = name.unwrap_or_else(|| function.sig.ident.to_string());
    let block = &function.block;
    let body = quote! {{ ::macaron::monitor(#kind, #name, async move #block).await }};
    *function.block = syn::parse2(body)?;
    Ok(quote! { #function })
}
