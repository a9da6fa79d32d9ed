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
    Copy,
    PartialEq,
    Eq,
    Hash,
    ::macaron::serde::Serialize,
    ::macaron::serde::Deserialize
)]
#[serde(crate = "::macaron::serde")]
pub enum NewPetKind {
    #[serde(rename = "cat")]
    Cat,
    #[serde(rename = "dog")]
    Dog,
    #[serde(rename = "red panda")]
    RedPanda,
}
#[derive(
    Debug,
    Clone,
    PartialEq,
    ::macaron::serde::Serialize,
    ::macaron::serde::Deserialize
)]
#[serde(crate = "::macaron::serde")]
pub struct NewPet {
    pub name: ::std::string::String,
    #[serde(default, skip_serializing_if = "::std::option::Option::is_none")]
    pub kind: ::std::option::Option<NewPetKind>,
    #[serde(default, skip_serializing_if = "::std::option::Option::is_none")]
    pub birthday: ::std::option::Option<::macaron::chrono::NaiveDate>,
    #[serde(default)]
    pub nickname: ::std::option::Option<::std::string::String>,
    pub owner: ::std::string::String,
    #[serde(default, skip_serializing_if = "::std::option::Option::is_none")]
    pub tags: ::std::option::Option<
        ::std::collections::BTreeMap<::std::string::String, ::std::string::String>,
    >,
}
impl ::macaron::Model for NewPet {
    const MODEL_NAME: &'static str = "NewPet";
}
#[derive(
    Debug,
    Clone,
    PartialEq,
    ::macaron::serde::Serialize,
    ::macaron::serde::Deserialize
)]
#[serde(crate = "::macaron::serde")]
pub struct Pet {
    pub name: ::std::string::String,
    #[serde(default, skip_serializing_if = "::std::option::Option::is_none")]
    pub kind: ::std::option::Option<NewPetKind>,
    #[serde(default, skip_serializing_if = "::std::option::Option::is_none")]
    pub birthday: ::std::option::Option<::macaron::chrono::NaiveDate>,
    #[serde(default)]
    pub nickname: ::std::option::Option<::std::string::String>,
    pub owner: ::std::string::String,
    #[serde(default, skip_serializing_if = "::std::option::Option::is_none")]
    pub tags: ::std::option::Option<
        ::std::collections::BTreeMap<::std::string::String, ::std::string::String>,
    >,
    pub id: i64,
    #[serde(
        default,
        deserialize_with = "nullable_field",
        skip_serializing_if = "::std::option::Option::is_none"
    )]
    pub seen_at: ::std::option::Option<
        ::std::option::Option<
            ::macaron::chrono::DateTime<::macaron::chrono::FixedOffset>,
        >,
    >,
    #[serde(default, skip_serializing_if = "::std::option::Option::is_none")]
    pub friends: ::std::option::Option<::std::vec::Vec<Pet>>,
    #[serde(default, skip_serializing_if = "::std::option::Option::is_none")]
    pub best_friend: ::std::option::Option<::std::boxed::Box<Pet>>,
}
impl ::macaron::Model for Pet {
    const MODEL_NAME: &'static str = "Pet";
}
impl crate::models::Animal for Pet {}
impl ::macaron::db::Persistent for Pet {
    const TABLE: &'static str = "pets";
    fn key(&self) -> ::std::string::String {
        ::macaron::db::key_text(&self.id)
    }
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
pub enum Toy {
    Ball(Ball),
    Bone(Bone),
}
#[derive(
    Debug,
    Clone,
    PartialEq,
    ::macaron::serde::Serialize,
    ::macaron::serde::Deserialize
)]
#[serde(crate = "::macaron::serde")]
pub struct Ball {
    #[serde(rename = "type")]
    pub type_: ::std::string::String,
    #[serde(default, skip_serializing_if = "::std::option::Option::is_none")]
    pub diameter: ::std::option::Option<f64>,
}
impl ::macaron::Model for Ball {
    const MODEL_NAME: &'static str = "Ball";
}
#[derive(
    Debug,
    Clone,
    PartialEq,
    ::macaron::serde::Serialize,
    ::macaron::serde::Deserialize
)]
#[serde(crate = "::macaron::serde")]
pub struct Bone {
    #[serde(rename = "type")]
    pub type_: ::std::string::String,
    #[serde(default, skip_serializing_if = "::std::option::Option::is_none")]
    pub length: ::std::option::Option<i64>,
}
impl ::macaron::Model for Bone {
    const MODEL_NAME: &'static str = "Bone";
}
#[derive(
    Debug,
    Clone,
    PartialEq,
    ::macaron::serde::Serialize,
    ::macaron::serde::Deserialize
)]
#[serde(crate = "::macaron::serde")]
pub struct CreatePetResponse202 {
    #[serde(default, skip_serializing_if = "::std::option::Option::is_none")]
    pub job: ::std::option::Option<::macaron::uuid::Uuid>,
}
/// The spec this module was generated from, embedded at build time.
pub const SPEC: &str = include_str!("../fixtures/pets.yaml");
/// The spec's file name (it names the API: `/doc/pets`).
pub const SPEC_NAME: &str = "pets.yaml";
/// Operation `listPets`: GET /v1/pets in tests/fixtures/pets.yaml; calls `crate::api::list_pets`.
#[allow(non_snake_case)]
fn op_list_pets(ctx: &::macaron::Context) -> ::macaron::HandlerFuture {
    type Args = (
        ::std::option::Option<i32>,
        ::std::option::Option<::std::string::String>,
        ::std::option::Option<::std::string::String>,
    );
    type Returns = ::macaron::Result<::std::vec::Vec<Pet>>;
    #[diagnostic::on_unimplemented(
        message = "`crate::api::list_pets` does not fit operation `listPets` (GET /v1/pets) of tests/fixtures/pets.yaml",
        label = "`x-bind-server` of operation `listPets` in tests/fixtures/pets.yaml names this function",
        note = "operation `listPets` of tests/fixtures/pets.yaml is handled by `async fn(Option<i32>, Option<String>, Option<String>) -> macaron::Result<Vec<Pet>>`",
        note = "the arguments are the body (if any), then the path, query, header and cookie parameters in spec order"
    )]
    trait ListPetsHandler<M> {
        type Future: ::std::future::Future<Output = Returns>;
        fn handle(self, args: Args) -> Self::Future;
    }
    impl<F, Fut> ListPetsHandler<(Fut,)> for F
    where
        F: Fn(
            ::std::option::Option<i32>,
            ::std::option::Option<::std::string::String>,
            ::std::option::Option<::std::string::String>,
        ) -> Fut,
        Fut: ::std::future::Future<Output = Returns>,
    {
        type Future = Fut;
        fn handle(self, (a0, a1, a2): Args) -> Fut {
            self(a0, a1, a2)
        }
    }
    /// Implemented by nothing: with a second candidate impl, the compiler reports the unmet `ListPetsHandler` (and its message) instead of a mismatch inside the first.
    trait NotAHandler {}
    impl<F: NotAHandler> ListPetsHandler<()> for F {
        type Future = ::std::future::Pending<Returns>;
        fn handle(self, _: Args) -> Self::Future {
            ::std::future::pending()
        }
    }
    fn call<F: ListPetsHandler<M>, M>(
        handler: F,
        args: Args,
    ) -> <F as ListPetsHandler<M>>::Future {
        handler.handle(args)
    }
    fn arguments(ctx: &::macaron::Context) -> ::macaron::Result<Args> {
        #[derive(::macaron::serde::Deserialize)]
        #[serde(crate = "::macaron::serde")]
        struct QueryParams {
            #[serde(rename = "limit", default)]
            limit: ::std::option::Option<i32>,
            #[serde(rename = "tag", default)]
            tag: ::std::option::Option<::std::string::String>,
        }
        let ::macaron::Query(query): ::macaron::Query<QueryParams> = ::macaron::FromContext::from_context(
            ctx,
        )?;
        #[derive(::macaron::serde::Deserialize)]
        #[serde(crate = "::macaron::serde")]
        struct HeadersParams {
            #[serde(rename = "X-Trace", default)]
            x_trace: ::std::option::Option<::std::string::String>,
        }
        let ::macaron::Headers(headers): ::macaron::Headers<HeadersParams> = ::macaron::FromContext::from_context(
            ctx,
        )?;
        Ok((query.limit, query.tag, headers.x_trace))
    }
    let args = arguments(ctx);
    let x_bind_server_of_listPets_in_pets_yaml = crate::api::list_pets;
    ::std::boxed::Box::pin(async move {
        let reply: Returns = call(x_bind_server_of_listPets_in_pets_yaml, args?).await;
        ::macaron::Reply::into_response(reply?)
    })
}
/// The success replies of `createPet`: one variant per status.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)]
pub enum CreatePetResponse {
    /// Status 201.
    Status201(Pet),
    /// Status 202.
    Status202(CreatePetResponse202),
}
impl ::macaron::Reply for CreatePetResponse {
    fn into_response(self) -> ::macaron::Result<::macaron::Response> {
        match self {
            Self::Status201(v) => {
                ::macaron::Reply::into_response(::macaron::WithStatus(201, v))
            }
            Self::Status202(v) => {
                ::macaron::Reply::into_response(::macaron::WithStatus(202, v))
            }
        }
    }
}
/// Operation `createPet`: POST /v1/pets in tests/fixtures/pets.yaml; calls `crate::api::create_pet`.
#[allow(non_snake_case)]
fn op_create_pet(ctx: &::macaron::Context) -> ::macaron::HandlerFuture {
    type Args = (NewPet,);
    type Returns = ::macaron::Result<CreatePetResponse>;
    #[diagnostic::on_unimplemented(
        message = "`crate::api::create_pet` does not fit operation `createPet` (POST /v1/pets) of tests/fixtures/pets.yaml",
        label = "`x-bind-server` of operation `createPet` in tests/fixtures/pets.yaml names this function",
        note = "operation `createPet` of tests/fixtures/pets.yaml is handled by `async fn(NewPet) -> macaron::Result<CreatePetResponse>`",
        note = "the arguments are the body (if any), then the path, query, header and cookie parameters in spec order"
    )]
    trait CreatePetHandler<M> {
        type Future: ::std::future::Future<Output = Returns>;
        fn handle(self, args: Args) -> Self::Future;
    }
    impl<F, Fut> CreatePetHandler<(Fut,)> for F
    where
        F: Fn(NewPet) -> Fut,
        Fut: ::std::future::Future<Output = Returns>,
    {
        type Future = Fut;
        fn handle(self, (a0,): Args) -> Fut {
            self(a0)
        }
    }
    /// Implemented by nothing: with a second candidate impl, the compiler reports the unmet `CreatePetHandler` (and its message) instead of a mismatch inside the first.
    trait NotAHandler {}
    impl<F: NotAHandler> CreatePetHandler<()> for F {
        type Future = ::std::future::Pending<Returns>;
        fn handle(self, _: Args) -> Self::Future {
            ::std::future::pending()
        }
    }
    fn call<F: CreatePetHandler<M>, M>(
        handler: F,
        args: Args,
    ) -> <F as CreatePetHandler<M>>::Future {
        handler.handle(args)
    }
    fn arguments(ctx: &::macaron::Context) -> ::macaron::Result<Args> {
        let ::macaron::Json(body): ::macaron::Json<NewPet> = ::macaron::FromContext::from_context(
            ctx,
        )?;
        Ok((body,))
    }
    let args = arguments(ctx);
    let x_bind_server_of_createPet_in_pets_yaml = crate::api::create_pet;
    ::std::boxed::Box::pin(async move {
        let reply: Returns = call(x_bind_server_of_createPet_in_pets_yaml, args?).await;
        ::macaron::Reply::into_response(reply?)
    })
}
/// Operation `deletePet`: DELETE /v1/pets/{petId} in tests/fixtures/pets.yaml; calls `crate::api::delete_pet`.
#[allow(non_snake_case)]
fn op_delete_pet(ctx: &::macaron::Context) -> ::macaron::HandlerFuture {
    type Args = (i64,);
    type Returns = ::macaron::Result<()>;
    #[diagnostic::on_unimplemented(
        message = "`crate::api::delete_pet` does not fit operation `deletePet` (DELETE /v1/pets/{{petId}}) of tests/fixtures/pets.yaml",
        label = "`x-bind-server` of operation `deletePet` in tests/fixtures/pets.yaml names this function",
        note = "operation `deletePet` of tests/fixtures/pets.yaml is handled by `async fn(i64) -> macaron::Result<()>`",
        note = "the arguments are the body (if any), then the path, query, header and cookie parameters in spec order"
    )]
    trait DeletePetHandler<M> {
        type Future: ::std::future::Future<Output = Returns>;
        fn handle(self, args: Args) -> Self::Future;
    }
    impl<F, Fut> DeletePetHandler<(Fut,)> for F
    where
        F: Fn(i64) -> Fut,
        Fut: ::std::future::Future<Output = Returns>,
    {
        type Future = Fut;
        fn handle(self, (a0,): Args) -> Fut {
            self(a0)
        }
    }
    /// Implemented by nothing: with a second candidate impl, the compiler reports the unmet `DeletePetHandler` (and its message) instead of a mismatch inside the first.
    trait NotAHandler {}
    impl<F: NotAHandler> DeletePetHandler<()> for F {
        type Future = ::std::future::Pending<Returns>;
        fn handle(self, _: Args) -> Self::Future {
            ::std::future::pending()
        }
    }
    fn call<F: DeletePetHandler<M>, M>(
        handler: F,
        args: Args,
    ) -> <F as DeletePetHandler<M>>::Future {
        handler.handle(args)
    }
    fn arguments(ctx: &::macaron::Context) -> ::macaron::Result<Args> {
        #[derive(::macaron::serde::Deserialize)]
        #[serde(crate = "::macaron::serde")]
        struct PathParams {
            #[serde(rename = "petId")]
            pet_id: i64,
        }
        let ::macaron::Path(path): ::macaron::Path<PathParams> = ::macaron::FromContext::from_context(
            ctx,
        )?;
        Ok((path.pet_id,))
    }
    let args = arguments(ctx);
    let x_bind_server_of_deletePet_in_pets_yaml = crate::api::delete_pet;
    ::std::boxed::Box::pin(async move {
        let reply: Returns = call(x_bind_server_of_deletePet_in_pets_yaml, args?).await;
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
    /// `listPets`: GET /v1/pets
    pub async fn list_pets(
        &self,
        limit: ::std::option::Option<i32>,
        tag: ::std::option::Option<::std::string::String>,
        x_trace: ::std::option::Option<::std::string::String>,
    ) -> ::macaron::Result<::std::vec::Vec<Pet>> {
        let mut __request = ::macaron::client::Request::new("GET", "/v1/pets");
        __request.param(&::macaron::client::Param::query("limit"), &limit)?;
        __request.param(&::macaron::client::Param::query("tag"), &tag)?;
        __request.param(&::macaron::client::Param::header("X-Trace"), &x_trace)?;
        self.inner.call(&__request).await
    }
    /// `createPet`: POST /v1/pets
    pub async fn create_pet(
        &self,
        body: NewPet,
    ) -> ::macaron::Result<CreatePetResponse> {
        let mut __request = ::macaron::client::Request::new("POST", "/v1/pets");
        __request.json(&body)?;
        let (__status, __bytes) = self.inner.send(&__request).await?;
        match __status {
            201 => {
                ::std::result::Result::Ok(
                    CreatePetResponse::Status201(::macaron::client::decode(&__bytes)?),
                )
            }
            202 => {
                ::std::result::Result::Ok(
                    CreatePetResponse::Status202(::macaron::client::decode(&__bytes)?),
                )
            }
            _ => {
                ::std::result::Result::Err(
                    ::macaron::client::remote_error(__status, &__bytes),
                )
            }
        }
    }
    /// `deletePet`: DELETE /v1/pets/{petId}
    pub async fn delete_pet(&self, pet_id: i64) -> ::macaron::Result<()> {
        let mut __request = ::macaron::client::Request::new(
            "DELETE",
            "/v1/pets/{petId}",
        );
        __request.param(&::macaron::client::Param::path("petId"), &pet_id)?;
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
        .bound_handler("listPets", op_list_pets)
        .bound_handler("createPet", op_create_pet)
        .bound_handler("deletePet", op_delete_pet)
        .guard("crate::guards::owner_only", crate::guards::owner_only)
}
