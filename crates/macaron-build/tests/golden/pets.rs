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
    Copy,
    PartialEq,
    Eq,
    Hash,
    ::macaron::serde::Serialize,
    ::macaron::serde::Deserialize
)]
#[serde(crate = "::macaron::serde")]
pub enum PetKind {
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
pub struct Pet {
    pub name: ::std::string::String,
    #[serde(default, skip_serializing_if = "::std::option::Option::is_none")]
    pub kind: ::std::option::Option<PetKind>,
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
    #[serde(default, skip_serializing_if = "::std::option::Option::is_none")]
    pub seen_at: ::std::option::Option<
        ::macaron::chrono::DateTime<::macaron::chrono::FixedOffset>,
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
async fn op_list_pets(
    ctx: ::macaron::Context,
) -> ::macaron::Result<::macaron::Response> {
    #[derive(::macaron::serde::Deserialize)]
    #[serde(crate = "::macaron::serde")]
    struct QueryParams {
        #[serde(rename = "limit", default)]
        limit: ::std::option::Option<i32>,
        #[serde(rename = "tag", default)]
        tag: ::std::option::Option<::std::string::String>,
    }
    let ::macaron::Query(query): ::macaron::Query<QueryParams> = ::macaron::FromContext::from_context(
        &ctx,
    )?;
    #[derive(::macaron::serde::Deserialize)]
    #[serde(crate = "::macaron::serde")]
    struct HeadersParams {
        #[serde(rename = "X-Trace", default)]
        x_trace: ::std::option::Option<::std::string::String>,
    }
    let ::macaron::Headers(headers): ::macaron::Headers<HeadersParams> = ::macaron::FromContext::from_context(
        &ctx,
    )?;
    let reply: ::macaron::Result<::std::vec::Vec<Pet>> = crate::api::list_pets(
            query.limit,
            query.tag,
            headers.x_trace,
        )
        .await;
    #[allow(clippy::let_unit_value, unused_variables)]
    let reply = reply?;
    ::macaron::Reply::into_response(reply)
}
/// The success replies of `createPet`: one variant per status.
#[derive(Debug)]
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
async fn op_create_pet(
    ctx: ::macaron::Context,
) -> ::macaron::Result<::macaron::Response> {
    let ::macaron::Json(body): ::macaron::Json<NewPet> = ::macaron::FromContext::from_context(
        &ctx,
    )?;
    let reply: ::macaron::Result<CreatePetResponse> = crate::api::create_pet(body).await;
    #[allow(clippy::let_unit_value, unused_variables)]
    let reply = reply?;
    ::macaron::Reply::into_response(reply)
}
/// Operation `deletePet`: DELETE /v1/pets/{petId} in tests/fixtures/pets.yaml; calls `crate::api::delete_pet`.
#[allow(non_snake_case)]
async fn op_delete_pet(
    ctx: ::macaron::Context,
) -> ::macaron::Result<::macaron::Response> {
    #[derive(::macaron::serde::Deserialize)]
    #[serde(crate = "::macaron::serde")]
    struct PathParams {
        #[serde(rename = "petId", default)]
        pet_id: i64,
    }
    let ::macaron::Path(path): ::macaron::Path<PathParams> = ::macaron::FromContext::from_context(
        &ctx,
    )?;
    let reply: ::macaron::Result<()> = crate::api::delete_pet(path.pet_id).await;
    #[allow(clippy::let_unit_value, unused_variables)]
    let reply = reply?;
    ::macaron::Reply::into_response(::macaron::Response::empty(204))
}
/// A typed client of this API: one method per operation, the same types as the service.
#[derive(Debug, Clone)]
pub struct Client {
    inner: ::macaron::client::HttpClient,
}
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
    /// `listPets`: GET /v1/pets
    #[allow(clippy::too_many_arguments)]
    pub async fn list_pets(
        &self,
        limit: ::std::option::Option<i32>,
        tag: ::std::option::Option<::std::string::String>,
        x_trace: ::std::option::Option<::std::string::String>,
    ) -> ::macaron::Result<::std::vec::Vec<Pet>> {
        let __path = format!("/v1/pets");
        #[allow(unused_mut)]
        let mut __query: ::macaron::client::Pairs = ::std::vec::Vec::new();
        #[allow(unused_mut)]
        let mut __headers: ::macaron::client::Pairs = ::std::vec::Vec::new();
        ::macaron::client::push_param(&mut __query, "limit", &limit, true);
        ::macaron::client::push_param(&mut __query, "tag", &tag, true);
        ::macaron::client::push_param(&mut __headers, "X-Trace", &x_trace, false);
        self.inner
            .call("GET", &__path, __query, __headers, ::std::option::Option::None)
            .await
    }
    /// `createPet`: POST /v1/pets
    #[allow(clippy::too_many_arguments)]
    pub async fn create_pet(
        &self,
        body: NewPet,
    ) -> ::macaron::Result<CreatePetResponse> {
        let __path = format!("/v1/pets");
        #[allow(unused_mut)]
        let mut __query: ::macaron::client::Pairs = ::std::vec::Vec::new();
        #[allow(unused_mut)]
        let mut __headers: ::macaron::client::Pairs = ::std::vec::Vec::new();
        let (__status, __bytes) = self
            .inner
            .send(
                "POST",
                &__path,
                __query,
                __headers,
                ::std::option::Option::Some(::macaron::client::body(&body)?),
            )
            .await?;
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
    #[allow(clippy::too_many_arguments)]
    pub async fn delete_pet(&self, pet_id: i64) -> ::macaron::Result<()> {
        let __path = format!("/v1/pets/{}", ::macaron::client::path_param(& pet_id));
        #[allow(unused_mut)]
        let mut __query: ::macaron::client::Pairs = ::std::vec::Vec::new();
        #[allow(unused_mut)]
        let mut __headers: ::macaron::client::Pairs = ::std::vec::Vec::new();
        let (__status, __bytes) = self
            .inner
            .send("DELETE", &__path, __query, __headers, ::std::option::Option::None)
            .await?;
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
        .handler("listPets", op_list_pets)
        .handler("createPet", op_create_pet)
        .handler("deletePet", op_delete_pet)
        .guard("crate::guards::owner_only", crate::guards::owner_only)
}
