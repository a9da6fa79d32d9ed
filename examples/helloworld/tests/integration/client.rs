//! One service calling another through the generated typed client: the
//! same types both sides, and a remote error coming back as the same
//! `macaron::Error`.

use helloworld::apis::helloworld::{Client, Echo};
use macaron::test::TestServer;

#[tokio::test]
async fn the_generated_client_calls_the_service() {
    let server = TestServer::start(helloworld::start(macaron::Options::default()).unwrap()).await;
    let client = Client::new(server.url());
    assert_eq!(client.hello().await.unwrap().message, "hello world!");
    assert_eq!(client.hello_name("Ada".into()).await.unwrap().message, "hello Ada!");
    let echoed = client.echo(Echo { message: "hi".into(), count: Some(3) }).await.unwrap();
    assert_eq!((echoed.message.as_str(), echoed.count), ("hi", Some(3)));

    // Errors of the remote service arrive as macaron::Error, code and all.
    let teapot = client.teapot().await.unwrap_err();
    assert_eq!((teapot.status, teapot.code.as_ref()), (418, "I_AM_A_TEAPOT"));
    let invalid = client.echo(Echo { message: String::new(), count: Some(99) }).await.unwrap_err();
    assert_eq!((invalid.status, invalid.code.as_ref()), (400, "INVALID_PARAMETER"));
    let bad_name = client.hello_name("not a name!".into()).await.unwrap_err();
    assert_eq!(bad_name.status, 400);
    assert!(bad_name.error_description.contains("name"), "{}", bad_name.error_description);

    // A service that is not there is a 503 after retries.
    let nowhere = Client::with(
        macaron::client::HttpClient::new("http://127.0.0.1:9")
            .retries(1)
            .timeout(std::time::Duration::from_millis(300)),
    );
    assert_eq!(nowhere.hello().await.unwrap_err().status, 503);
}
