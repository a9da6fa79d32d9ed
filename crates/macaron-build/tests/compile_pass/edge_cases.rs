//! The golden code of `tests/fixtures/edge_cases.yaml` compiles against
//! the runtime, with handlers of the signatures it asks for.
#![allow(dead_code)]

trait Parent {}

mod guards {
    pub fn a(_: &macaron::Context) -> macaron::Result<()> {
        Ok(())
    }

    pub fn b(_: &macaron::Context) -> macaron::Result<()> {
        Ok(())
    }
}

mod api {
    use crate::edge_cases::{ManyResponse, SendFormBody, SendFormF, UploadFileKind};
    use macaron::chrono::{DateTime, FixedOffset};
    use macaron::{Multipart, Response, Result};

    pub async fn upload(
        _: Multipart,
        _: macaron::uuid::Uuid,
        _: String,
        _: Option<UploadFileKind>,
        _: Option<String>,
        _: i32,
    ) -> Result<Response> {
        unimplemented!("never called: the test compiles")
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn send_form(
        _: SendFormBody,
        _: Option<Vec<String>>,
        _: Option<Option<String>>,
        _: DateTime<FixedOffset>,
        _: Option<SendFormF>,
        _: Option<bool>,
        _: f64,
        _: Option<String>,
    ) -> Result<String> {
        unimplemented!("never called: the test compiles")
    }

    pub async fn many(_: i64) -> Result<ManyResponse> {
        unimplemented!("never called: the test compiles")
    }

    pub async fn nothing(_: i64) -> Result<Response> {
        unimplemented!("never called: the test compiles")
    }

    pub async fn raw_only() -> Result<Response> {
        unimplemented!("never called: the test compiles")
    }

    pub async fn type_() -> Result<()> {
        unimplemented!("never called: the test compiles")
    }
}

mod edge_cases {
    include!("../golden/edge_cases.rs");

    /// `x-bind-server: handler` names a function beside the generated code.
    pub async fn handler(_: Option<Vec<Thing>>, _: i64) -> macaron::Result<Thing> {
        unimplemented!("never called: the test compiles")
    }
}

fn main() {
    let _ = edge_cases::bind;
    let _ = edge_cases::Client::new("http://127.0.0.1:1");
}
