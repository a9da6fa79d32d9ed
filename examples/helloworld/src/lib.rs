//! PyMacaron's hello world on Macaron: the spec is `apis/helloworld.yaml`;
//! `build.rs` generates its API objects (`Message`, `Echo`) and binds each
//! operation to the plain async function its `x-bind-server` names below.

use std::time::Duration;

macaron::include_apis!();

pub use apis::helloworld::{Echo, Message};

macaron::errors! {
    /// The teapot endpoint's declared error.
    pub IAmATeapot = (418, "I_AM_A_TEAPOT"),
}

/// `GET /v1/hello`
pub async fn hello() -> macaron::Result<Message> {
    Ok(Message { message: "hello world!".into() })
}

/// `GET /v1/hello/{name}`: the path parameter arrives validated and typed.
pub async fn hello_name(name: String) -> macaron::Result<Message> {
    Ok(Message { message: format!("hello {name}!") })
}

/// `POST /v1/echo` (the spec says 201: the generated binding sends it as 201).
pub async fn echo(body: Echo) -> macaron::Result<Echo> {
    Ok(body)
}

/// `GET /v1/teapot`: it only ever fails, so it returns a raw response type.
pub async fn teapot() -> macaron::Result<macaron::Response> {
    Err(IAmATeapot::new("this server is a teapot"))
}

/// `GET /v1/crash`
pub async fn crash() -> macaron::Result<()> {
    panic!("crash requested")
}

/// `GET /v1/slow`
pub async fn slow() -> macaron::Result<Message> {
    tokio::time::sleep(Duration::from_secs(1)).await;
    Ok(Message { message: "slept".into() })
}

/// `POST /v1/hello/{name}/later`: schedules [`greet`] (202).
pub async fn hello_later(name: String) -> macaron::Result<Message> {
    greet_async(name.clone()).schedule().await?;
    Ok(Message { message: format!("hello {name}, later") })
}

/// The background task of `helloLater`: greets in the log.
#[macaron::task]
pub async fn greet(name: String) -> macaron::Result<()> {
    macaron::monitor("greeting", "write", async { tracing::info!(%name, "hello {name}!") }).await;
    Ok(())
}

/// `POST /v1/relay/{name}`: asks the helloworld at `RELAY_URL` (default:
/// this one, on port 8080) to greet `name` later, through the generated
/// client, timed as `macaron_monitor_duration_seconds{kind="helloworld",name="hello_later"}`.
pub async fn relay(name: String) -> macaron::Result<Message> {
    let url = std::env::var("RELAY_URL").unwrap_or_else(|_| "http://127.0.0.1:8080".into());
    let other = apis::helloworld::Client::new(url);
    macaron::monitor("helloworld", "hello_later", other.hello_later(name)).await
}

/// Builds the service: the generated APIs, every handler bound by the spec.
pub fn start(opts: macaron::Options) -> macaron::Result<macaron::Api> {
    macaron::Api::builder()
        .options(opts)
        .name("helloworld")
        .version(macaron::build_version!())
        .apis(apis::all())
        .build()
}
