//! Generated clients end to end.
//!
//! - `apis/styles.yaml` declares one operation per parameter location,
//!   `style`, `explode` and shape (scalar, array, object) that OpenAPI
//!   allows; each handler below returns the value it received, so a
//!   generated client calling it gets back what it sent
//!   (`tests/integration/styles.rs`).
//! - `apis/clients/mirror.yaml` is a vendor's document for part of the same
//!   service: `build.rs` makes it `apis::clients::mirror`, a client-only
//!   module (types and `Client`, no bindings), which the tests call, and
//!   which [`relay`] calls forwarding the caller's token and request id.

macaron::include_apis!();

pub use apis::styles::{Color, Odd};

/// Any operation whose parameter is a string: the string received.
pub async fn echo_scalar(color: String) -> macaron::Result<String> {
    Ok(color)
}

/// Any operation whose parameter is an array: the array received.
pub async fn echo_array(colors: Vec<String>) -> macaron::Result<Vec<String>> {
    Ok(colors)
}

/// Any operation whose parameter is an object: the object received.
pub async fn echo_object(color: Color) -> macaron::Result<Color> {
    Ok(color)
}

/// `GET /odd/{id}`: the same name in the path, the query and a header,
/// and names that are not Rust's.
pub async fn odd(
    path_id: String,
    query_id: String,
    tags: Option<Vec<String>>,
    a_b: Option<i64>,
    kind: Option<bool>,
    header_id: String,
) -> macaron::Result<Odd> {
    Ok(Odd { path_id, query_id, header_id, tags, a_b, type_: kind })
}

/// `GET /relay/{name}`: asks the mirror at `MIRROR_URL` (default: this
/// service on port 8080) for `;color=NAME` through its client-only module,
/// sending the caller's token and request id along when `forward` is true.
pub async fn relay(name: String, forward: Option<bool>) -> macaron::Result<Vec<String>> {
    let url = std::env::var("MIRROR_URL").unwrap_or_else(|_| "http://127.0.0.1:8080".into());
    let forward = forward.unwrap_or(false);
    let http = macaron::client::HttpClient::new(url).forward_auth(forward).forward_request_id(forward);
    apis::clients::mirror::Client::with(http).type_(vec![name]).await
}

/// Builds the service.
pub fn start(opts: macaron::Options) -> macaron::Result<macaron::Api> {
    macaron::Api::builder().options(opts).name("clients").version(macaron::build_version!()).apis(apis::all()).build()
}
