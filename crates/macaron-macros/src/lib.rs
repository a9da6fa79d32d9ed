//! Attribute macros of Macaron, re-exported by the `macaron` crate: use
//! them as `#[macaron::task]` and `#[macaron::monitor]`.

mod monitor;

use proc_macro::TokenStream;
use proc_macro2::Ident;
use quote::{format_ident, quote, quote_spanned};
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Error, Expr, ExprLit, FnArg, ItemFn, Lit, MetaNameValue, Pat, ReturnType, Token, Type};

/// Makes a plain async function a background task.
///
/// ```ignore
/// #[macaron::task(max_attempts = 5, backoff_ms = 2000)]
/// pub async fn send_email(to: String, subject: String) -> macaron::Result<()> {
///     // ... runs later, in a worker, as the caller who scheduled it
///     Ok(())
/// }
///
/// // in a handler: stored at once, run by a worker
/// send_email_async(to, "Welcome".into()).schedule().await?;
/// ```
///
/// The function stays callable as it is. Beside it the macro adds
/// `NAME_async(args...) -> macaron::tasks::Call` (with `.delay(..)`,
/// `.max_attempts(..)`, `.backoff(..)` and `.schedule().await`), and
/// registers the task under `module::path::NAME` (or `name = "..."`), the
/// name stored with each scheduled call, so keep it stable across
/// releases. Arguments must be owned, serde-serialisable values; the
/// function returns `()` or a `Result` whose error is `Display`.
///
/// Options: `name = "..."`, `max_attempts = N` (default 3),
/// `backoff_ms = N` (wait after the first failure, doubled after each
/// next one; default 1000), `max_backoff_ms = N` (default 300000).
///
/// Refused at compile time, with the message on the culprit: a function
/// that is not `async`, is `unsafe`, generic (`impl Trait` arguments
/// included) or a method; an argument that is a pattern, a reference or
/// not serde-serialisable; a return type other than `()` or a `Result`;
/// an unknown option or a value of the wrong kind. The cases and their
/// messages are pinned in `crates/macaron-macros/tests/compile_fail/`.
#[proc_macro_attribute]
pub fn task(attr: TokenStream, item: TokenStream) -> TokenStream {
    match expand(attr.into(), item.into()) {
        Ok(tokens) => tokens.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

struct Options {
    name: Option<String>,
    max_attempts: u32,
    backoff_ms: u64,
    max_backoff_ms: u64,
}

fn options(attr: proc_macro2::TokenStream) -> syn::Result<Options> {
    let mut o = Options { name: None, max_attempts: 3, backoff_ms: 1_000, max_backoff_ms: 300_000 };
    let pairs = Punctuated::<MetaNameValue, Token![,]>::parse_terminated.parse2(attr)?;
    for pair in pairs {
        let key = pair.path.get_ident().map(|i| i.to_string()).unwrap_or_default();
        if !["name", "max_attempts", "backoff_ms", "max_backoff_ms"].contains(&key.as_str()) {
            return Err(Error::new_spanned(
                &pair,
                "unknown task option: use name = \"...\", max_attempts = N, backoff_ms = N, max_backoff_ms = N",
            ));
        }
        let Expr::Lit(ExprLit { lit, .. }) = &pair.value else {
            return Err(Error::new_spanned(&pair.value, format!("`{key}` takes a literal, not an expression")));
        };
        match (key.as_str(), lit) {
            ("name", Lit::Str(s)) => o.name = Some(s.value()),
            ("name", _) => return Err(Error::new_spanned(lit, "`name` takes a string: name = \"app::send_email\"")),
            ("max_attempts", Lit::Int(n)) => {
                o.max_attempts = n.base10_parse()?;
                if o.max_attempts == 0 {
                    return Err(Error::new_spanned(n, "max_attempts must be at least 1 (the first run is an attempt)"));
                }
            }
            ("backoff_ms", Lit::Int(n)) => o.backoff_ms = n.base10_parse()?,
            ("max_backoff_ms", Lit::Int(n)) => o.max_backoff_ms = n.base10_parse()?,
            _ => return Err(Error::new_spanned(lit, format!("`{key}` takes a whole number: {key} = 3"))),
        }
    }
    Ok(o)
}

fn expand(attr: proc_macro2::TokenStream, item: proc_macro2::TokenStream) -> syn::Result<proc_macro2::TokenStream> {
    let o = options(attr)?;
    let function: ItemFn = syn::parse2(item)?;
    let sig = &function.sig;
    if sig.asyncness.is_none() {
        return Err(Error::new_spanned(sig.fn_token, "a task must be an `async fn`"));
    }
    if let Some(unsafety) = &sig.unsafety {
        return Err(Error::new_spanned(
            unsafety,
            "a task cannot be `unsafe`: a worker calls it, with no caller to uphold its safety contract",
        ));
    }
    if !sig.generics.params.is_empty() {
        return Err(Error::new_spanned(&sig.generics, "a task cannot be generic (its arguments are stored as JSON)"));
    }
    let mut names = Vec::new();
    let mut types = Vec::new();
    for input in &sig.inputs {
        let FnArg::Typed(arg) = input else {
            return Err(Error::new_spanned(input, "a task is a free function, not a method"));
        };
        let Pat::Ident(ident) = &*arg.pat else {
            return Err(Error::new_spanned(&arg.pat, "task arguments must be plain names"));
        };
        if matches!(&*arg.ty, Type::Reference(_)) {
            return Err(Error::new_spanned(&arg.ty, "task arguments must be owned values (they are stored as JSON)"));
        }
        if matches!(&*arg.ty, Type::ImplTrait(_)) {
            return Err(Error::new_spanned(
                &arg.ty,
                "a task cannot be generic (its arguments are stored as JSON): give this argument a concrete type",
            ));
        }
        names.push(ident.ident.clone());
        types.push((*arg.ty).clone());
    }
    let vis = &function.vis;
    let ident = &sig.ident;
    let schedule = format_ident!("{}_async", ident);
    let def = format_ident!("__MACARON_TASK_{}", ident.to_string().to_uppercase());
    let name = match &o.name {
        Some(n) => quote!(#n),
        None => {
            let leaf = ident.to_string();
            quote!(::core::concat!(::core::module_path!(), "::", #leaf))
        }
    };
    let (max_attempts, backoff_ms, max_backoff_ms) = (o.max_attempts, o.backoff_ms, o.max_backoff_ms);
    let doc = format!("Schedules [`{ident}`] as a background task: see `#[macaron::task]`.");
    let arity = names.len();
    // Each argument type checked where the user wrote it: an error names
    // the type and points at it, not at the attribute.
    let argument_checks = types.iter().map(|ty| {
        quote_spanned! {ty.span()=> __macaron_task_argument_is_stored_as_json::<#ty>();}
    });
    // The return type likewise: `()` or a `Result` (`TaskOutput`).
    let call = quote!(#ident(#(#names),*).await);
    let outcome = match &sig.output {
        ReturnType::Default => quote!(::macaron::tasks::TaskOutput::into_outcome(#call)),
        ReturnType::Type(_, ty) => {
            // The whole call on the type's span, so that the error's main
            // span is the return type.
            let span = ty.span();
            let callee = Ident::new(&ident.to_string(), span);
            let args = names.iter().map(|n| Ident::new(&n.to_string(), span));
            quote_spanned!(span=> ::macaron::tasks::TaskOutput::into_outcome(#callee(#(#args),*).await))
        }
    };
    Ok(quote! {
        #function

        #[allow(dead_code)]
        const _: () = {
            fn __macaron_task_argument_is_stored_as_json<
                T: ::macaron::serde::Serialize + ::macaron::serde::de::DeserializeOwned,
            >() {
            }
            fn __macaron_task_arguments() {
                #(#argument_checks)*
            }
        };

        #[doc = #doc]
        #[allow(clippy::too_many_arguments)]
        #vis fn #schedule(#(#names: #types),*) -> ::macaron::tasks::Call {
            ::macaron::tasks::Call::new(&#def, ::macaron::serde_json::to_value((#(#names,)*)))
        }

        #[doc(hidden)]
        #[allow(non_upper_case_globals)]
        const #def: ::macaron::tasks::TaskDef = ::macaron::tasks::TaskDef {
            name: #name,
            policy: ::macaron::tasks::RetryPolicy {
                max_attempts: #max_attempts,
                backoff_ms: #backoff_ms,
                max_backoff_ms: #max_backoff_ms,
            },
            run: |args| ::std::boxed::Box::pin(async move {
                let (#(#names,)*): (#(#types,)*) = ::macaron::serde_json::from_value(args).map_err(|e| {
                    ::std::format!("the arguments of the stored task do not fit its {} parameter(s): {}", #arity, e)
                })?;
                #outcome
            }),
        };

        ::macaron::tasks::submit! { #def }
    })
}

/// Times every call of an async function as a monitored section, as
/// `macaron::monitor(kind, name, body)` does: a child span `kind.name`
/// when traces are on, and `macaron_monitor_duration_seconds{kind, name}`.
/// `name` defaults to the function's name.
///
/// ```ignore
/// #[macaron::monitor(kind = "db")]
/// async fn find_pets(owner: String) -> macaron::Result<Vec<Pet>> {
///     // timed as {kind="db", name="find_pets"}, whatever it returns
/// }
/// ```
#[proc_macro_attribute]
pub fn monitor(attr: TokenStream, item: TokenStream) -> TokenStream {
    match monitor::expand(attr.into(), item.into()) {
        Ok(tokens) => tokens.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

/// Keeps the item it marks as it is. `macaron` re-exports it as
/// `__client_item` when built with its feature `client`: generated code
/// marks an API's own `Client` with it.
#[doc(hidden)]
#[proc_macro_attribute]
pub fn keep_item(_attr: TokenStream, item: TokenStream) -> TokenStream {
    item
}

/// Removes the item it marks. `macaron` re-exports it as `__client_item`
/// when built without its feature `client` (no HTTP client to call with).
#[doc(hidden)]
#[proc_macro_attribute]
pub fn drop_item(_attr: TokenStream, _item: TokenStream) -> TokenStream {
    TokenStream::new()
}
