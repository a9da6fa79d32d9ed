//! Handlers: plain async functions, bound to operations by `operationId`.
//!
//! A service author writes `async fn get_pet(Path(p): Path<PetPath>) ->
//! Result<Pet, macaron::Error>` and nothing else: no request object to dig
//! in, no response to build. To store functions of different signatures in
//! one table, the [`Handler`] trait is implemented (by a macro, as actix-web
//! and axum do) for every async function of zero to six [`FromContext`]
//! arguments whose output is `Result<R, Error>` with `R:` [`Reply`]; the
//! builder then erases each into a boxed function from [`Context`] to
//! [`Response`]. Futures need not be `Send`: each actix worker runs its
//! requests on its own thread.
//!
//! The room holds the handler's side of a request: its inputs as the
//! inputs room left them (`context`), the extractors that read them
//! (`extract`), and the erased handler the service's tables keep.

use std::future::Future;
use std::sync::Arc;

use futures_util::future::LocalBoxFuture;

use crate::error::Result;
use crate::reply::{Reply, Response};

pub(crate) mod context;
pub(crate) mod extract;

pub use context::Context;
pub(crate) use context::{Body, Source};
pub use extract::{Cookies, FilePart, Form, FromContext, Header, Headers, Json, Multipart, Path, Query, Request};

/// An async function usable as a handler; `Args` is the tuple of its
/// argument types (inferred, never written by hand).
///
/// ```
/// use macaron::{Handler, Json, Path};
/// async fn hello() -> macaron::Result<serde_json::Value> {
///     Ok(serde_json::json!({"message": "hello world!"}))
/// }
/// async fn echo(Path(p): Path<serde_json::Value>, Json(b): Json<serde_json::Value>) -> macaron::Result<serde_json::Value> {
///     Ok(serde_json::json!({"path": p, "body": b}))
/// }
/// fn takes<A>(_: impl Handler<A>) {}
/// takes(hello);
/// takes(echo);
/// ```
pub trait Handler<Args>: Clone + Send + Sync + 'static {
    /// Extracts the arguments from the context and runs the function.
    fn call(&self, ctx: &Context) -> HandlerFuture;
}

/// What a handler returns once its arguments are read: the future of its
/// reply, owning everything it needs (no borrow of the context).
///
/// ```
/// use macaron::{Context, Handler, HandlerFuture};
/// async fn hello() -> macaron::Result<serde_json::Value> {
///     Ok(serde_json::json!({"message": "hello"}))
/// }
/// let future: HandlerFuture = Handler::call(&hello, &Context::for_test());
/// let reply = block_on(future);
/// # fn block_on(f: HandlerFuture) -> macaron::Result<macaron::Response> {
/// #     tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
/// # }
/// assert_eq!(reply.unwrap().status(), 200);
/// ```
pub type HandlerFuture = LocalBoxFuture<'static, Result<Response>>;

/// A handler with its argument types erased.
pub(crate) type BoxedHandler = Arc<dyn Fn(&Context) -> HandlerFuture + Send + Sync>;

/// A function reading a handler's arguments from the borrowed context and
/// returning its future: the form generated bindings take.
pub type BoundHandler = fn(&Context) -> HandlerFuture;

pub(crate) fn boxed<H: Handler<A>, A>(handler: H) -> BoxedHandler {
    Arc::new(move |ctx| handler.call(ctx))
}

macro_rules! impl_handler {
    ($($arg:ident),*) => {
        impl<F, Fut, R, $($arg,)*> Handler<($($arg,)*)> for F
        where
            F: Fn($($arg),*) -> Fut + Clone + Send + Sync + 'static,
            Fut: Future<Output = Result<R>> + 'static,
            R: Reply,
            $($arg: FromContext + 'static,)*
        {
            #[allow(non_snake_case, unused_variables)]
            fn call(&self, ctx: &Context) -> HandlerFuture {
                $(
                    let $arg = match $arg::from_context(ctx) {
                        Ok(value) => value,
                        Err(e) => return Box::pin(async move { Err(e) }),
                    };
                )*
                let future = (self)($($arg),*);
                Box::pin(async move { future.await?.into_response() })
            }
        }
    };
}

impl_handler!();
impl_handler!(A1);
impl_handler!(A1, A2);
impl_handler!(A1, A2, A3);
impl_handler!(A1, A2, A3, A4);
impl_handler!(A1, A2, A3, A4, A5);
impl_handler!(A1, A2, A3, A4, A5, A6);
