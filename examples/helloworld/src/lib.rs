//! PyMacaron's hello world on Macaron: the spec is `apis/helloworld.yaml`,
//! the handlers are the plain async functions below, bound by hand with
//! `.handler(...)` (code generation will bind them from the spec later).

use std::path::PathBuf;
use std::time::Duration;

use macaron::{Created, Json, Path};
use serde::{Deserialize, Serialize};

macaron::errors! {
    /// The teapot endpoint's declared error.
    pub IAmATeapot = (418, "I_AM_A_TEAPOT"),
}

/// A greeting.
#[derive(Debug, Serialize, Deserialize)]
pub struct Message {
    /// The text.
    pub message: String,
}

/// The echo endpoint's body.
#[derive(Debug, Serialize, Deserialize)]
pub struct Echo {
    /// Anything, not empty.
    pub message: String,
    /// 1 to 10, if given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<i32>,
}

/// `helloName`'s path.
#[derive(Debug, Deserialize)]
pub struct NamePath {
    /// Who to greet.
    pub name: String,
}

/// `GET /v1/hello`
pub async fn hello() -> macaron::Result<Message> {
    Ok(Message { message: "hello world!".into() })
}

/// `GET /v1/hello/{name}`
pub async fn hello_name(Path(p): Path<NamePath>) -> macaron::Result<Message> {
    Ok(Message { message: format!("hello {}!", p.name) })
}

/// `POST /v1/echo`
pub async fn echo(Json(body): Json<Echo>) -> macaron::Result<Created<Echo>> {
    Ok(Created(body))
}

/// `GET /v1/teapot`
pub async fn teapot() -> macaron::Result<Message> {
    Err(IAmATeapot::new("this server is a teapot"))
}

/// `GET /v1/crash`
pub async fn crash() -> macaron::Result<Message> {
    panic!("crash requested")
}

/// `GET /v1/slow`
pub async fn slow() -> macaron::Result<Message> {
    tokio::time::sleep(Duration::from_secs(1)).await;
    Ok(Message { message: "slept".into() })
}

/// The spec: `apis/helloworld.yaml` under the current folder if there is
/// one, else the one beside this crate's sources.
pub fn spec_path() -> PathBuf {
    let here = PathBuf::from("apis/helloworld.yaml");
    if here.is_file() {
        here
    } else {
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/apis/helloworld.yaml"))
    }
}

/// Builds the service.
pub fn start(opts: macaron::Options) -> macaron::Result<macaron::Api> {
    macaron::Api::builder()
        .options(opts)
        .name("helloworld")
        .version(env!("CARGO_PKG_VERSION"))
        .api(spec_path())
        .handler("hello", hello)
        .handler("helloName", hello_name)
        .handler("echo", echo)
        .handler("teapot", teapot)
        .handler("crash", crash)
        .handler("slow", slow)
        .build()
}
