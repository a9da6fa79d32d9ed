/// Reads a property that may be absent or `null`: `None` when absent (serde's `default`), `Some(None)` when `null`.
fn nullable_field<'de, D, T>(
    deserializer: D,
) -> ::std::result::Result<::std::option::Option<::std::option::Option<T>>, D::Error>
where
    D: ::macaron::serde::Deserializer<'de>,
    T: ::macaron::serde::Deserialize<'de>,
{
    <::std::option::Option<
        T,
    > as ::macaron::serde::Deserialize>::deserialize(deserializer)
        .map(::std::option::Option::Some)
}
#[derive(
    Debug,
    Clone,
    PartialEq,
    ::macaron::serde::Serialize,
    ::macaron::serde::Deserialize
)]
#[serde(crate = "::macaron::serde")]
#[serde(untagged)]
#[allow(clippy::large_enum_variant)]
pub enum ThingTuple {
    String(::std::string::String),
    I64(i64),
    Thing(::std::boxed::Box<Thing>),
}
/// A thing.
///
/// indented '''code'''
///
/// - item
///
/// text after "quotes" and \ backslash
#[derive(
    Debug,
    Clone,
    PartialEq,
    ::macaron::serde::Serialize,
    ::macaron::serde::Deserialize
)]
#[serde(crate = "::macaron::serde")]
pub struct Thing {
    #[serde(rename = "self")]
    pub self_: ::std::string::String,
    #[serde(rename = "3d")]
    pub n3d: i64,
    #[serde(default, skip_serializing_if = "::std::option::Option::is_none")]
    pub next: ::std::option::Option<::std::boxed::Box<Thing>>,
    #[serde(default, skip_serializing_if = "::std::option::Option::is_none")]
    pub bag: ::std::option::Option<
        ::std::collections::BTreeMap<
            ::std::string::String,
            ::macaron::serde_json::Map<
                ::std::string::String,
                ::macaron::serde_json::Value,
            >,
        >,
    >,
    #[serde(default, skip_serializing_if = "::std::option::Option::is_none")]
    pub tuple: ::std::option::Option<::std::boxed::Box<ThingTuple>>,
    #[serde(
        default,
        deserialize_with = "nullable_field",
        skip_serializing_if = "::std::option::Option::is_none"
    )]
    pub nul: ::std::option::Option<::std::option::Option<::std::string::String>>,
    /// Properties beyond the declared ones.
    #[serde(flatten)]
    pub extra: ::std::collections::BTreeMap<
        ::std::string::String,
        ::macaron::serde_json::Value,
    >,
}
impl ::macaron::Model for Thing {
    const MODEL_NAME: &'static str = "Thing";
}
impl crate::Parent for Thing {}
impl ::macaron::db::Persistent for Thing {
    const TABLE: &'static str = "things";
    fn key(&self) -> ::std::string::String {
        ::macaron::db::key_text(&self.n3d)
    }
}
pub type Alias = ::std::vec::Vec<U2>;
#[derive(
    Debug,
    Clone,
    PartialEq,
    ::macaron::serde::Serialize,
    ::macaron::serde::Deserialize
)]
#[serde(crate = "::macaron::serde")]
pub struct Other {
    #[serde(default, skip_serializing_if = "::std::option::Option::is_none")]
    pub a: ::std::option::Option<::std::string::String>,
    /// Properties beyond the declared ones.
    #[serde(flatten)]
    pub extra: ::std::collections::BTreeMap<::std::string::String, i64>,
}
impl ::macaron::Model for Other {
    const MODEL_NAME: &'static str = "Other";
}
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    ::macaron::serde::Serialize,
    ::macaron::serde::Deserialize
)]
#[serde(crate = "::macaron::serde")]
pub enum RedPandaColour {
    #[serde(rename = "RedPanda")]
    RedPanda,
    #[serde(rename = "RedFox")]
    RedFox,
    #[serde(rename = "")]
    Empty,
    #[serde(rename = "red-panda")]
    RedPanda2,
}
#[derive(
    Debug,
    Clone,
    PartialEq,
    ::macaron::serde::Serialize,
    ::macaron::serde::Deserialize
)]
#[serde(crate = "::macaron::serde")]
#[serde(untagged)]
#[allow(clippy::enum_variant_names)]
#[allow(clippy::large_enum_variant)]
pub enum U {
    Other(Other),
    U2(::std::boxed::Box<U2>),
}
#[derive(
    Debug,
    Clone,
    PartialEq,
    ::macaron::serde::Serialize,
    ::macaron::serde::Deserialize
)]
#[serde(crate = "::macaron::serde")]
pub struct U2 {
    #[serde(default, skip_serializing_if = "::std::option::Option::is_none")]
    pub u: ::std::option::Option<::std::boxed::Box<U>>,
}
impl ::macaron::Model for U2 {
    const MODEL_NAME: &'static str = "U2";
}
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    ::macaron::serde::Serialize,
    ::macaron::serde::Deserialize
)]
#[serde(crate = "::macaron::serde")]
pub enum UploadFileKind {
    #[serde(rename = "png")]
    Png,
    #[serde(rename = "jpg")]
    Jpg,
}
#[derive(
    Debug,
    Clone,
    PartialEq,
    ::macaron::serde::Serialize,
    ::macaron::serde::Deserialize
)]
#[serde(crate = "::macaron::serde")]
pub struct SendFormBody {
    #[serde(default, skip_serializing_if = "::std::option::Option::is_none")]
    pub name: ::std::option::Option<::std::string::String>,
}
#[derive(
    Debug,
    Clone,
    PartialEq,
    ::macaron::serde::Serialize,
    ::macaron::serde::Deserialize
)]
#[serde(crate = "::macaron::serde")]
pub struct SendFormF {
    #[serde(default, skip_serializing_if = "::std::option::Option::is_none")]
    pub x: ::std::option::Option<::std::string::String>,
}
#[derive(
    Debug,
    Clone,
    PartialEq,
    ::macaron::serde::Serialize,
    ::macaron::serde::Deserialize
)]
#[serde(crate = "::macaron::serde")]
pub struct ManyResponse200 {
    #[serde(default, skip_serializing_if = "::std::option::Option::is_none")]
    pub v: ::std::option::Option<i64>,
}
/// The spec this module was generated from, embedded at build time.
pub const SPEC: &str = include_str!("../fixtures/edge_cases.yaml");
/// The spec's file name (it names the API: `/doc/edge_cases`).
pub const SPEC_NAME: &str = "edge_cases.yaml";
/// Operation `upload-file`: POST /api/v{n}/up/{id}/file.{ext} in tests/fixtures/edge_cases.yaml; calls `crate::api::upload`.
#[allow(non_snake_case)]
fn op_upload_file(ctx: &::macaron::Context) -> ::macaron::HandlerFuture {
    type Args = (
        ::macaron::Multipart,
        ::macaron::uuid::Uuid,
        ::std::string::String,
        ::std::option::Option<UploadFileKind>,
        ::std::option::Option<::std::string::String>,
        i32,
    );
    type Returns = ::macaron::Result<::macaron::Response>;
    #[diagnostic::on_unimplemented(
        message = "`crate::api::upload` does not fit operation `upload-file` (POST /api/v{{n}}/up/{{id}}/file.{{ext}}) of tests/fixtures/edge_cases.yaml",
        label = "`x-bind-server` of operation `upload-file` in tests/fixtures/edge_cases.yaml names this function",
        note = "operation `upload-file` of tests/fixtures/edge_cases.yaml is handled by `async fn(macaron::Multipart, macaron::uuid::Uuid, String, Option<UploadFileKind>, Option<String>, i32) -> macaron::Result<macaron::Response>`",
        note = "the arguments are the body (if any), then the path, query, header and cookie parameters in spec order"
    )]
    trait UploadFileHandler<M> {
        type Future: ::std::future::Future<Output = Returns>;
        fn handle(self, args: Args) -> Self::Future;
    }
    impl<F, Fut> UploadFileHandler<(Fut,)> for F
    where
        F: Fn(
            ::macaron::Multipart,
            ::macaron::uuid::Uuid,
            ::std::string::String,
            ::std::option::Option<UploadFileKind>,
            ::std::option::Option<::std::string::String>,
            i32,
        ) -> Fut,
        Fut: ::std::future::Future<Output = Returns>,
    {
        type Future = Fut;
        fn handle(self, (a0, a1, a2, a3, a4, a5): Args) -> Fut {
            self(a0, a1, a2, a3, a4, a5)
        }
    }
    /// Implemented by nothing: with a second candidate impl, the compiler reports the unmet `UploadFileHandler` (and its message) instead of a mismatch inside the first.
    trait NotAHandler {}
    impl<F: NotAHandler> UploadFileHandler<()> for F {
        type Future = ::std::future::Pending<Returns>;
        fn handle(self, _: Args) -> Self::Future {
            ::std::future::pending()
        }
    }
    fn call<F: UploadFileHandler<M>, M>(
        handler: F,
        args: Args,
    ) -> <F as UploadFileHandler<M>>::Future {
        handler.handle(args)
    }
    fn arguments(ctx: &::macaron::Context) -> ::macaron::Result<Args> {
        let body: ::macaron::Multipart = ::macaron::FromContext::from_context(ctx)?;
        #[derive(::macaron::serde::Deserialize)]
        #[serde(crate = "::macaron::serde")]
        struct PathParams {
            #[serde(rename = "id")]
            id: ::macaron::uuid::Uuid,
            #[serde(rename = "ext")]
            ext: ::std::string::String,
        }
        let ::macaron::Path(path): ::macaron::Path<PathParams> = ::macaron::FromContext::from_context(
            ctx,
        )?;
        #[derive(::macaron::serde::Deserialize)]
        #[serde(crate = "::macaron::serde")]
        struct QueryParams {
            #[serde(rename = "kind", default)]
            kind: ::std::option::Option<UploadFileKind>,
        }
        let ::macaron::Query(query): ::macaron::Query<QueryParams> = ::macaron::FromContext::from_context(
            ctx,
        )?;
        #[derive(::macaron::serde::Deserialize)]
        #[serde(crate = "::macaron::serde")]
        struct CookiesParams {
            #[serde(rename = "session", default)]
            session: ::std::option::Option<::std::string::String>,
            #[serde(rename = "other")]
            other: i32,
        }
        let ::macaron::Cookies(cookies): ::macaron::Cookies<CookiesParams> = ::macaron::FromContext::from_context(
            ctx,
        )?;
        Ok((body, path.id, path.ext, query.kind, cookies.session, cookies.other))
    }
    let args = arguments(ctx);
    let x_bind_server_of_upload_file_in_edge_cases_yaml = crate::api::upload;
    ::std::boxed::Box::pin(async move {
        let reply: Returns = call(x_bind_server_of_upload_file_in_edge_cases_yaml, args?)
            .await;
        ::macaron::Reply::into_response(reply?)
    })
}
/// Operation `sendForm`: PUT /api/v{n}/form in tests/fixtures/edge_cases.yaml; calls `crate::api::send_form`.
#[allow(non_snake_case)]
fn op_send_form(ctx: &::macaron::Context) -> ::macaron::HandlerFuture {
    type Args = (
        SendFormBody,
        ::std::option::Option<::std::vec::Vec<::std::string::String>>,
        ::std::option::Option<::std::option::Option<::std::string::String>>,
        ::macaron::chrono::DateTime<::macaron::chrono::FixedOffset>,
        ::std::option::Option<SendFormF>,
        ::std::option::Option<bool>,
        f64,
        ::std::option::Option<::std::string::String>,
    );
    type Returns = ::macaron::Result<::std::string::String>;
    #[diagnostic::on_unimplemented(
        message = "`crate::api::send_form` does not fit operation `sendForm` (PUT /api/v{{n}}/form) of tests/fixtures/edge_cases.yaml",
        label = "`x-bind-server` of operation `sendForm` in tests/fixtures/edge_cases.yaml names this function",
        note = "operation `sendForm` of tests/fixtures/edge_cases.yaml is handled by `async fn(SendFormBody, Option<Vec<String>>, Option<Option<String>>, macaron::chrono::DateTime<macaron::chrono::FixedOffset>, Option<SendFormF>, Option<bool>, f64, Option<String>) -> macaron::Result<String>`",
        note = "the arguments are the body (if any), then the path, query, header and cookie parameters in spec order"
    )]
    trait SendFormHandler<M> {
        type Future: ::std::future::Future<Output = Returns>;
        fn handle(self, args: Args) -> Self::Future;
    }
    impl<F, Fut> SendFormHandler<(Fut,)> for F
    where
        F: Fn(
            SendFormBody,
            ::std::option::Option<::std::vec::Vec<::std::string::String>>,
            ::std::option::Option<::std::option::Option<::std::string::String>>,
            ::macaron::chrono::DateTime<::macaron::chrono::FixedOffset>,
            ::std::option::Option<SendFormF>,
            ::std::option::Option<bool>,
            f64,
            ::std::option::Option<::std::string::String>,
        ) -> Fut,
        Fut: ::std::future::Future<Output = Returns>,
    {
        type Future = Fut;
        fn handle(self, (a0, a1, a2, a3, a4, a5, a6, a7): Args) -> Fut {
            self(a0, a1, a2, a3, a4, a5, a6, a7)
        }
    }
    /// Implemented by nothing: with a second candidate impl, the compiler reports the unmet `SendFormHandler` (and its message) instead of a mismatch inside the first.
    trait NotAHandler {}
    impl<F: NotAHandler> SendFormHandler<()> for F {
        type Future = ::std::future::Pending<Returns>;
        fn handle(self, _: Args) -> Self::Future {
            ::std::future::pending()
        }
    }
    fn call<F: SendFormHandler<M>, M>(
        handler: F,
        args: Args,
    ) -> <F as SendFormHandler<M>>::Future {
        handler.handle(args)
    }
    fn arguments(ctx: &::macaron::Context) -> ::macaron::Result<Args> {
        let ::macaron::Form(body): ::macaron::Form<SendFormBody> = ::macaron::FromContext::from_context(
            ctx,
        )?;
        #[derive(::macaron::serde::Deserialize)]
        #[serde(crate = "::macaron::serde")]
        struct QueryParams {
            #[serde(rename = "a", default)]
            a: ::std::option::Option<::std::vec::Vec<::std::string::String>>,
            #[serde(rename = "b", default)]
            b: ::std::option::Option<::std::option::Option<::std::string::String>>,
            #[serde(rename = "c")]
            c: ::macaron::chrono::DateTime<::macaron::chrono::FixedOffset>,
            #[serde(rename = "f", default)]
            f: ::std::option::Option<SendFormF>,
        }
        let ::macaron::Query(query): ::macaron::Query<QueryParams> = ::macaron::FromContext::from_context(
            ctx,
        )?;
        #[derive(::macaron::serde::Deserialize)]
        #[serde(crate = "::macaron::serde")]
        struct HeadersParams {
            #[serde(rename = "d", default)]
            d: ::std::option::Option<bool>,
            #[serde(rename = "e")]
            e: f64,
        }
        let ::macaron::Headers(headers): ::macaron::Headers<HeadersParams> = ::macaron::FromContext::from_context(
            ctx,
        )?;
        #[derive(::macaron::serde::Deserialize)]
        #[serde(crate = "::macaron::serde")]
        struct CookiesParams {
            #[serde(rename = "g", default)]
            g: ::std::option::Option<::std::string::String>,
        }
        let ::macaron::Cookies(cookies): ::macaron::Cookies<CookiesParams> = ::macaron::FromContext::from_context(
            ctx,
        )?;
        Ok((body, query.a, query.b, query.c, query.f, headers.d, headers.e, cookies.g))
    }
    let args = arguments(ctx);
    let x_bind_server_of_sendForm_in_edge_cases_yaml = crate::api::send_form;
    ::std::boxed::Box::pin(async move {
        let reply: Returns = call(x_bind_server_of_sendForm_in_edge_cases_yaml, args?)
            .await;
        ::macaron::Reply::into_response(::macaron::WithStatus(201, reply?))
    })
}
/// The success replies of `many`: one variant per status.
#[derive(Debug)]
#[allow(clippy::large_enum_variant, clippy::enum_variant_names)]
pub enum ManyResponse {
    /// Status 200.
    Status200(ManyResponse200),
    /// Status 202.
    Status202(::macaron::Response),
    /// Status 204, no body.
    Status204,
}
impl ::macaron::Reply for ManyResponse {
    fn into_response(self) -> ::macaron::Result<::macaron::Response> {
        match self {
            Self::Status200(v) => {
                ::macaron::Reply::into_response(::macaron::WithStatus(200, v))
            }
            Self::Status202(r) => {
                ::macaron::Reply::into_response(::macaron::WithStatus(202, r))
            }
            Self::Status204 => ::std::result::Result::Ok(::macaron::Response::empty(204)),
        }
    }
}
/// Operation `many`: GET /api/v{n}/many/{p} in tests/fixtures/edge_cases.yaml; calls `crate::api::many`.
#[allow(non_snake_case)]
fn op_many(ctx: &::macaron::Context) -> ::macaron::HandlerFuture {
    type Args = (i64,);
    type Returns = ::macaron::Result<ManyResponse>;
    #[diagnostic::on_unimplemented(
        message = "`crate::api::many` does not fit operation `many` (GET /api/v{{n}}/many/{{p}}) of tests/fixtures/edge_cases.yaml",
        label = "`x-bind-server` of operation `many` in tests/fixtures/edge_cases.yaml names this function",
        note = "operation `many` of tests/fixtures/edge_cases.yaml is handled by `async fn(i64) -> macaron::Result<ManyResponse>`",
        note = "the arguments are the body (if any), then the path, query, header and cookie parameters in spec order"
    )]
    trait ManyHandler<M> {
        type Future: ::std::future::Future<Output = Returns>;
        fn handle(self, args: Args) -> Self::Future;
    }
    impl<F, Fut> ManyHandler<(Fut,)> for F
    where
        F: Fn(i64) -> Fut,
        Fut: ::std::future::Future<Output = Returns>,
    {
        type Future = Fut;
        fn handle(self, (a0,): Args) -> Fut {
            self(a0)
        }
    }
    /// Implemented by nothing: with a second candidate impl, the compiler reports the unmet `ManyHandler` (and its message) instead of a mismatch inside the first.
    trait NotAHandler {}
    impl<F: NotAHandler> ManyHandler<()> for F {
        type Future = ::std::future::Pending<Returns>;
        fn handle(self, _: Args) -> Self::Future {
            ::std::future::pending()
        }
    }
    fn call<F: ManyHandler<M>, M>(
        handler: F,
        args: Args,
    ) -> <F as ManyHandler<M>>::Future {
        handler.handle(args)
    }
    fn arguments(ctx: &::macaron::Context) -> ::macaron::Result<Args> {
        #[derive(::macaron::serde::Deserialize)]
        #[serde(crate = "::macaron::serde")]
        struct PathParams {
            #[serde(rename = "p")]
            p: i64,
        }
        let ::macaron::Path(path): ::macaron::Path<PathParams> = ::macaron::FromContext::from_context(
            ctx,
        )?;
        Ok((path.p,))
    }
    let args = arguments(ctx);
    let x_bind_server_of_many_in_edge_cases_yaml = crate::api::many;
    ::std::boxed::Box::pin(async move {
        let reply: Returns = call(x_bind_server_of_many_in_edge_cases_yaml, args?).await;
        ::macaron::Reply::into_response(reply?)
    })
}
/// Operation `nothing`: DELETE /api/v{n}/many/{p} in tests/fixtures/edge_cases.yaml; calls `crate::api::nothing`.
#[allow(non_snake_case)]
fn op_nothing(ctx: &::macaron::Context) -> ::macaron::HandlerFuture {
    type Args = (i64,);
    type Returns = ::macaron::Result<::macaron::Response>;
    #[diagnostic::on_unimplemented(
        message = "`crate::api::nothing` does not fit operation `nothing` (DELETE /api/v{{n}}/many/{{p}}) of tests/fixtures/edge_cases.yaml",
        label = "`x-bind-server` of operation `nothing` in tests/fixtures/edge_cases.yaml names this function",
        note = "operation `nothing` of tests/fixtures/edge_cases.yaml is handled by `async fn(i64) -> macaron::Result<macaron::Response>`",
        note = "the arguments are the body (if any), then the path, query, header and cookie parameters in spec order"
    )]
    trait NothingHandler<M> {
        type Future: ::std::future::Future<Output = Returns>;
        fn handle(self, args: Args) -> Self::Future;
    }
    impl<F, Fut> NothingHandler<(Fut,)> for F
    where
        F: Fn(i64) -> Fut,
        Fut: ::std::future::Future<Output = Returns>,
    {
        type Future = Fut;
        fn handle(self, (a0,): Args) -> Fut {
            self(a0)
        }
    }
    /// Implemented by nothing: with a second candidate impl, the compiler reports the unmet `NothingHandler` (and its message) instead of a mismatch inside the first.
    trait NotAHandler {}
    impl<F: NotAHandler> NothingHandler<()> for F {
        type Future = ::std::future::Pending<Returns>;
        fn handle(self, _: Args) -> Self::Future {
            ::std::future::pending()
        }
    }
    fn call<F: NothingHandler<M>, M>(
        handler: F,
        args: Args,
    ) -> <F as NothingHandler<M>>::Future {
        handler.handle(args)
    }
    fn arguments(ctx: &::macaron::Context) -> ::macaron::Result<Args> {
        #[derive(::macaron::serde::Deserialize)]
        #[serde(crate = "::macaron::serde")]
        struct PathParams {
            #[serde(rename = "p")]
            p: i64,
        }
        let ::macaron::Path(path): ::macaron::Path<PathParams> = ::macaron::FromContext::from_context(
            ctx,
        )?;
        Ok((path.p,))
    }
    let args = arguments(ctx);
    let x_bind_server_of_nothing_in_edge_cases_yaml = crate::api::nothing;
    ::std::boxed::Box::pin(async move {
        let reply: Returns = call(x_bind_server_of_nothing_in_edge_cases_yaml, args?)
            .await;
        ::macaron::Reply::into_response(reply?)
    })
}
/// Operation `optional_body`: PATCH /api/v{n}/many/{p} in tests/fixtures/edge_cases.yaml; calls `handler`.
#[allow(non_snake_case)]
fn op_optional_body(ctx: &::macaron::Context) -> ::macaron::HandlerFuture {
    type Args = (::std::option::Option<::std::vec::Vec<Thing>>, i64);
    type Returns = ::macaron::Result<Thing>;
    #[diagnostic::on_unimplemented(
        message = "`handler` does not fit operation `optional_body` (PATCH /api/v{{n}}/many/{{p}}) of tests/fixtures/edge_cases.yaml",
        label = "`x-bind-server` of operation `optional_body` in tests/fixtures/edge_cases.yaml names this function",
        note = "operation `optional_body` of tests/fixtures/edge_cases.yaml is handled by `async fn(Option<Vec<Thing>>, i64) -> macaron::Result<Thing>`",
        note = "the arguments are the body (if any), then the path, query, header and cookie parameters in spec order"
    )]
    trait OptionalBodyHandler<M> {
        type Future: ::std::future::Future<Output = Returns>;
        fn handle(self, args: Args) -> Self::Future;
    }
    impl<F, Fut> OptionalBodyHandler<(Fut,)> for F
    where
        F: Fn(::std::option::Option<::std::vec::Vec<Thing>>, i64) -> Fut,
        Fut: ::std::future::Future<Output = Returns>,
    {
        type Future = Fut;
        fn handle(self, (a0, a1): Args) -> Fut {
            self(a0, a1)
        }
    }
    /// Implemented by nothing: with a second candidate impl, the compiler reports the unmet `OptionalBodyHandler` (and its message) instead of a mismatch inside the first.
    trait NotAHandler {}
    impl<F: NotAHandler> OptionalBodyHandler<()> for F {
        type Future = ::std::future::Pending<Returns>;
        fn handle(self, _: Args) -> Self::Future {
            ::std::future::pending()
        }
    }
    fn call<F: OptionalBodyHandler<M>, M>(
        handler: F,
        args: Args,
    ) -> <F as OptionalBodyHandler<M>>::Future {
        handler.handle(args)
    }
    fn arguments(ctx: &::macaron::Context) -> ::macaron::Result<Args> {
        let ::macaron::Json(
            body,
        ): ::macaron::Json<::std::option::Option<::std::vec::Vec<Thing>>> = ::macaron::FromContext::from_context(
            ctx,
        )?;
        #[derive(::macaron::serde::Deserialize)]
        #[serde(crate = "::macaron::serde")]
        struct PathParams {
            #[serde(rename = "p")]
            p: i64,
        }
        let ::macaron::Path(path): ::macaron::Path<PathParams> = ::macaron::FromContext::from_context(
            ctx,
        )?;
        Ok((body, path.p))
    }
    let args = arguments(ctx);
    let x_bind_server_of_optional_body_in_edge_cases_yaml = handler;
    ::std::boxed::Box::pin(async move {
        let reply: Returns = call(
                x_bind_server_of_optional_body_in_edge_cases_yaml,
                args?,
            )
            .await;
        ::macaron::Reply::into_response(reply?)
    })
}
/// Operation `rawOnly`: GET /api/v{n}/raw?beta=true in tests/fixtures/edge_cases.yaml; calls `crate::api::raw_only`.
#[allow(non_snake_case)]
fn op_raw_only(_ctx: &::macaron::Context) -> ::macaron::HandlerFuture {
    type Args = ();
    type Returns = ::macaron::Result<::macaron::Response>;
    #[diagnostic::on_unimplemented(
        message = "`crate::api::raw_only` does not fit operation `rawOnly` (GET /api/v{{n}}/raw?beta=true) of tests/fixtures/edge_cases.yaml",
        label = "`x-bind-server` of operation `rawOnly` in tests/fixtures/edge_cases.yaml names this function",
        note = "operation `rawOnly` of tests/fixtures/edge_cases.yaml is handled by `async fn() -> macaron::Result<macaron::Response>`",
        note = "the arguments are the body (if any), then the path, query, header and cookie parameters in spec order"
    )]
    trait RawOnlyHandler<M> {
        type Future: ::std::future::Future<Output = Returns>;
        fn handle(self, args: Args) -> Self::Future;
    }
    impl<F, Fut> RawOnlyHandler<(Fut,)> for F
    where
        F: Fn() -> Fut,
        Fut: ::std::future::Future<Output = Returns>,
    {
        type Future = Fut;
        fn handle(self, (): Args) -> Fut {
            self()
        }
    }
    /// Implemented by nothing: with a second candidate impl, the compiler reports the unmet `RawOnlyHandler` (and its message) instead of a mismatch inside the first.
    trait NotAHandler {}
    impl<F: NotAHandler> RawOnlyHandler<()> for F {
        type Future = ::std::future::Pending<Returns>;
        fn handle(self, _: Args) -> Self::Future {
            ::std::future::pending()
        }
    }
    fn call<F: RawOnlyHandler<M>, M>(
        handler: F,
        args: Args,
    ) -> <F as RawOnlyHandler<M>>::Future {
        handler.handle(args)
    }
    fn arguments(_ctx: &::macaron::Context) -> ::macaron::Result<Args> {
        Ok(())
    }
    let args = arguments(_ctx);
    let x_bind_server_of_rawOnly_in_edge_cases_yaml = crate::api::raw_only;
    ::std::boxed::Box::pin(async move {
        let reply: Returns = call(x_bind_server_of_rawOnly_in_edge_cases_yaml, args?)
            .await;
        ::macaron::Reply::into_response(reply?)
    })
}
/// The success replies of `twoRaw`: one variant per status.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)]
pub enum TwoRawResponse {
    /// Status 200.
    Status200(::macaron::Response),
    /// Status 201.
    Status201(::std::vec::Vec<i64>),
}
impl ::macaron::Reply for TwoRawResponse {
    fn into_response(self) -> ::macaron::Result<::macaron::Response> {
        match self {
            Self::Status200(r) => {
                ::macaron::Reply::into_response(::macaron::WithStatus(200, r))
            }
            Self::Status201(v) => {
                ::macaron::Reply::into_response(::macaron::WithStatus(201, v))
            }
        }
    }
}
/// Operation `type`: GET /api/v{n}/empty in tests/fixtures/edge_cases.yaml; calls `crate::api::type_`.
#[allow(non_snake_case)]
fn op_type_(_ctx: &::macaron::Context) -> ::macaron::HandlerFuture {
    type Args = ();
    type Returns = ::macaron::Result<()>;
    #[diagnostic::on_unimplemented(
        message = "`crate::api::type_` does not fit operation `type` (GET /api/v{{n}}/empty) of tests/fixtures/edge_cases.yaml",
        label = "`x-bind-server` of operation `type` in tests/fixtures/edge_cases.yaml names this function",
        note = "operation `type` of tests/fixtures/edge_cases.yaml is handled by `async fn() -> macaron::Result<()>`",
        note = "the arguments are the body (if any), then the path, query, header and cookie parameters in spec order"
    )]
    trait TypeHandler<M> {
        type Future: ::std::future::Future<Output = Returns>;
        fn handle(self, args: Args) -> Self::Future;
    }
    impl<F, Fut> TypeHandler<(Fut,)> for F
    where
        F: Fn() -> Fut,
        Fut: ::std::future::Future<Output = Returns>,
    {
        type Future = Fut;
        fn handle(self, (): Args) -> Fut {
            self()
        }
    }
    /// Implemented by nothing: with a second candidate impl, the compiler reports the unmet `TypeHandler` (and its message) instead of a mismatch inside the first.
    trait NotAHandler {}
    impl<F: NotAHandler> TypeHandler<()> for F {
        type Future = ::std::future::Pending<Returns>;
        fn handle(self, _: Args) -> Self::Future {
            ::std::future::pending()
        }
    }
    fn call<F: TypeHandler<M>, M>(
        handler: F,
        args: Args,
    ) -> <F as TypeHandler<M>>::Future {
        handler.handle(args)
    }
    fn arguments(_ctx: &::macaron::Context) -> ::macaron::Result<Args> {
        Ok(())
    }
    let args = arguments(_ctx);
    let x_bind_server_of_type_in_edge_cases_yaml = crate::api::type_;
    ::std::boxed::Box::pin(async move {
        let reply: Returns = call(x_bind_server_of_type_in_edge_cases_yaml, args?).await;
        reply?;
        ::macaron::Reply::into_response(::macaron::Response::empty(204))
    })
}
/// A typed client of this API: one method per operation, the same types as the service.
#[::macaron::__client_item]
#[derive(Debug, Clone)]
pub struct Client {
    inner: ::macaron::client::HttpClient,
}
#[::macaron::__client_item]
impl Client {
    /// A client of the service at `base_url` (`http://host:port`).
    pub fn new(base_url: impl ::std::convert::Into<::std::string::String>) -> Self {
        Client {
            inner: ::macaron::client::HttpClient::new(base_url),
        }
    }
    /// A client over a configured HTTP core (timeouts, retries, token forwarding).
    pub fn with(inner: ::macaron::client::HttpClient) -> Self {
        Client { inner }
    }
    /// The HTTP core this client sends through.
    pub fn http(&self) -> &::macaron::client::HttpClient {
        &self.inner
    }
    /// `sendForm`: PUT /api/v{n}/form
    #[allow(clippy::too_many_arguments)]
    pub async fn send_form(
        &self,
        body: SendFormBody,
        a: ::std::option::Option<::std::vec::Vec<::std::string::String>>,
        b: ::std::option::Option<::std::option::Option<::std::string::String>>,
        c: ::macaron::chrono::DateTime<::macaron::chrono::FixedOffset>,
        f: ::std::option::Option<SendFormF>,
        d: ::std::option::Option<bool>,
        e: f64,
        g: ::std::option::Option<::std::string::String>,
    ) -> ::macaron::Result<::std::string::String> {
        let mut __request = ::macaron::client::Request::new("PUT", "/api/v%7Bn%7D/form");
        __request.param(&::macaron::client::Param::query("a").explode(false), &a)?;
        __request.param(&::macaron::client::Param::query("b"), &b)?;
        __request.param(&::macaron::client::Param::query("c"), &c)?;
        __request.param(&::macaron::client::Param::query("f"), &f)?;
        __request.param(&::macaron::client::Param::header("d"), &d)?;
        __request.param(&::macaron::client::Param::header("e"), &e)?;
        __request.param(&::macaron::client::Param::cookie("g"), &g)?;
        __request.form(&body)?;
        self.inner.call(&__request).await
    }
    /// `many`: GET /api/v{n}/many/{p}
    pub async fn many(&self, p: i64) -> ::macaron::Result<ManyResponse> {
        let mut __request = ::macaron::client::Request::new(
            "GET",
            "/api/v%7Bn%7D/many/{p}",
        );
        __request.param(&::macaron::client::Param::path("p"), &p)?;
        let (__status, __bytes) = self.inner.send(&__request).await?;
        match __status {
            200 => {
                ::std::result::Result::Ok(
                    ManyResponse::Status200(::macaron::client::decode(&__bytes)?),
                )
            }
            202 => {
                ::std::result::Result::Ok(
                    ManyResponse::Status202(
                        ::macaron::Response::bytes(
                            202,
                            "application/octet-stream",
                            __bytes,
                        ),
                    ),
                )
            }
            204 => ::std::result::Result::Ok(ManyResponse::Status204),
            _ => {
                ::std::result::Result::Err(
                    ::macaron::client::remote_error(__status, &__bytes),
                )
            }
        }
    }
    /// `nothing`: DELETE /api/v{n}/many/{p}
    pub async fn nothing(&self, p: i64) -> ::macaron::Result<::macaron::Response> {
        let mut __request = ::macaron::client::Request::new(
            "DELETE",
            "/api/v%7Bn%7D/many/{p}",
        );
        __request.param(&::macaron::client::Param::path("p"), &p)?;
        let (__status, __bytes) = self.inner.send(&__request).await?;
        match __status {
            200..=299 => {
                ::std::result::Result::Ok(
                    ::macaron::Response::bytes(
                        __status,
                        "application/octet-stream",
                        __bytes,
                    ),
                )
            }
            _ => {
                ::std::result::Result::Err(
                    ::macaron::client::remote_error(__status, &__bytes),
                )
            }
        }
    }
    /// `optional_body`: PATCH /api/v{n}/many/{p}
    pub async fn optional_body(
        &self,
        body: ::std::option::Option<::std::vec::Vec<Thing>>,
        p: i64,
    ) -> ::macaron::Result<Thing> {
        let mut __request = ::macaron::client::Request::new(
            "PATCH",
            "/api/v%7Bn%7D/many/{p}",
        );
        __request.param(&::macaron::client::Param::path("p"), &p)?;
        if let ::std::option::Option::Some(body) = &body {
            __request.json(body)?;
        }
        self.inner.call(&__request).await
    }
    /// `rawOnly`: GET /api/v{n}/raw?beta=true
    pub async fn raw_only(&self) -> ::macaron::Result<::macaron::Response> {
        let __request = ::macaron::client::Request::new(
            "GET",
            "/api/v%7Bn%7D/raw?beta=true",
        );
        let (__status, __bytes) = self.inner.send(&__request).await?;
        match __status {
            200 => {
                ::std::result::Result::Ok(
                    ::macaron::Response::bytes(200, "application/octet-stream", __bytes),
                )
            }
            _ => {
                ::std::result::Result::Err(
                    ::macaron::client::remote_error(__status, &__bytes),
                )
            }
        }
    }
    /// `twoRaw`: POST /api/v{n}/two
    pub async fn two_raw(
        &self,
        body: ::std::option::Option<::macaron::serde_json::Value>,
    ) -> ::macaron::Result<TwoRawResponse> {
        let mut __request = ::macaron::client::Request::new("POST", "/api/v%7Bn%7D/two");
        if let ::std::option::Option::Some(body) = &body {
            __request.json(body)?;
        }
        let (__status, __bytes) = self.inner.send(&__request).await?;
        match __status {
            200 => {
                ::std::result::Result::Ok(
                    TwoRawResponse::Status200(
                        ::macaron::Response::bytes(
                            200,
                            "application/octet-stream",
                            __bytes,
                        ),
                    ),
                )
            }
            201 => {
                ::std::result::Result::Ok(
                    TwoRawResponse::Status201(::macaron::client::decode(&__bytes)?),
                )
            }
            _ => {
                ::std::result::Result::Err(
                    ::macaron::client::remote_error(__status, &__bytes),
                )
            }
        }
    }
    /// `type`: GET /api/v{n}/empty
    pub async fn type_(&self) -> ::macaron::Result<()> {
        let __request = ::macaron::client::Request::new("GET", "/api/v%7Bn%7D/empty");
        let (__status, __bytes) = self.inner.send(&__request).await?;
        match __status {
            204 => ::std::result::Result::Ok(()),
            _ => {
                ::std::result::Result::Err(
                    ::macaron::client::remote_error(__status, &__bytes),
                )
            }
        }
    }
}
/// Adds this API to a service: its spec, and a handler for every operation with `x-bind-server`.
pub fn bind(builder: ::macaron::ApiBuilder) -> ::macaron::ApiBuilder {
    builder
        .api_source(SPEC_NAME, SPEC)
        .bound_handler("upload-file", op_upload_file)
        .bound_handler("sendForm", op_send_form)
        .bound_handler("many", op_many)
        .bound_handler("nothing", op_nothing)
        .bound_handler("optional_body", op_optional_body)
        .bound_handler("rawOnly", op_raw_only)
        .bound_handler("type", op_type_)
        .guard("crate::guards::a", crate::guards::a)
        .guard("crate::guards::b", crate::guards::b)
}
