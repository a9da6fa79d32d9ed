//! Every parameter style, round-tripped: the generated client of
//! `apis/styles.yaml` calls the service, each handler returns what it
//! received, and that is what was sent, for text that needs encoding
//! (spaces, `,`, `&`, `=`, `/`, `?`, `#`, `;`, `.`, `|`, `[`, `]`, `+`,
//! `%`, quotes and text beyond ASCII).
//!
//! A style cannot carry its own delimiter inside an item where it has no
//! escape for it (a space in a `spaceDelimited` item, `|` in a
//! `pipeDelimited` one, `,` in a header's items): the client refuses such
//! a value, and those items are left out of the values here.

use clients::apis::styles::Client;
use clients::Color;
use macaron::test::TestServer;

/// Text that needs encoding in every location.
const TEXT: &str = "a b,c&d=e/f?g#h;i.j|k[l]m+n%o 漢字 é🍪 \"q\" ~*'";

fn without(text: &str, chars: &str) -> String {
    text.chars().filter(|c| !chars.contains(*c)).collect()
}

/// Three items: the text, a phrase, a number, without `chars`.
fn array(chars: &str) -> Vec<String> {
    [TEXT, "second item", "3"].iter().map(|t| without(t, chars)).collect()
}

/// An object: the text, a word, an empty string, without `chars`.
fn object(chars: &str) -> Color {
    Color { r: Some(without(TEXT, chars)), g: Some("green".into()), b: Some(String::new()) }
}

/// Calls each method with the value; records a failure for every reply
/// that is not the value sent.
macro_rules! round_trip {
    ($client:expr, $failures:expr, $value:expr, [$($method:ident),* $(,)?]) => {
        $(
            let sent = $value;
            match $client.$method(sent.clone()).await {
                Ok(back) if back == sent => {}
                Ok(back) => $failures.push(format!("{}: sent {sent:?}, received {back:?}", stringify!($method))),
                Err(e) => $failures.push(format!("{}: sent {sent:?}: {e}", stringify!($method))),
            }
        )*
    };
}

#[tokio::test]
async fn every_style_and_explode_carries_the_value_sent() {
    let server = TestServer::start(clients::start(macaron::Options::default()).unwrap()).await;
    let client = Client::new(server.url());
    let mut failures: Vec<String> = Vec::new();

    round_trip!(
        client,
        failures,
        TEXT.to_string(),
        [
            query_form_true_scalar,
            query_form_false_scalar,
            path_simple_true_scalar,
            path_simple_false_scalar,
            path_label_true_scalar,
            path_label_false_scalar,
            path_matrix_true_scalar,
            path_matrix_false_scalar,
            header_simple_true_scalar,
            header_simple_false_scalar,
            cookie_form_true_scalar,
            cookie_form_false_scalar,
        ]
    );

    round_trip!(
        client,
        failures,
        array(""),
        [
            query_form_true_array,
            query_form_false_array,
            path_simple_true_array,
            path_simple_false_array,
            path_label_true_array,
            path_label_false_array,
            path_matrix_true_array,
            path_matrix_false_array,
            cookie_form_true_array,
            cookie_form_false_array,
            // Exploded, the delimited styles are repeated pairs: an item may hold the delimiter.
            query_space_delimited_true_array,
            query_pipe_delimited_true_array,
        ]
    );
    round_trip!(client, failures, array(" "), [query_space_delimited_false_array]);
    round_trip!(client, failures, array("|"), [query_pipe_delimited_false_array]);
    round_trip!(client, failures, array(","), [header_simple_true_array, header_simple_false_array]);

    round_trip!(
        client,
        failures,
        object(""),
        [
            query_form_true_object,
            query_form_false_object,
            query_deep_object_true_object,
            path_simple_true_object,
            path_simple_false_object,
            path_label_true_object,
            path_label_false_object,
            path_matrix_true_object,
            path_matrix_false_object,
            cookie_form_true_object,
            cookie_form_false_object,
        ]
    );
    round_trip!(client, failures, object(" "), [query_space_delimited_false_object]);
    round_trip!(client, failures, object("|"), [query_pipe_delimited_false_object]);
    round_trip!(client, failures, object(","), [header_simple_true_object, header_simple_false_object]);

    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

#[tokio::test]
async fn values_a_style_cannot_carry_are_refused_before_sending() {
    // Nothing listens there: a refused value is never sent.
    let client = Client::new("http://127.0.0.1:9");
    let err = client.header_simple_false_array(vec!["a,b".into()]).await.unwrap_err();
    assert_eq!((err.status, err.code.as_ref()), (400, "INVALID_PARAMETER"));
    assert!(err.error_description.starts_with("header parameter `X-Color`: the item \"a,b\" contains ','"), "{err}");
    let err = client.query_pipe_delimited_false_array(vec!["a|b".into()]).await.unwrap_err();
    assert!(err.error_description.starts_with("query parameter `color`"), "{err}");
    let err = client.header_simple_false_scalar("two\nlines".into()).await.unwrap_err();
    assert_eq!(err.status, 400, "{err}");
}

#[tokio::test]
async fn odd_names_and_one_name_in_three_locations() {
    let server = TestServer::start(clients::start(macaron::Options::default()).unwrap()).await;
    let client = Client::new(server.url());
    let odd = client
        .get_odd_thing_v2(
            "in the path".into(),
            "in the query".into(),
            Some(vec!["x y".into(), "z".into()]),
            Some(-4),
            Some(true),
            "in a header".into(),
        )
        .await
        .unwrap();
    assert_eq!(
        (odd.path_id.as_str(), odd.query_id.as_str(), odd.header_id.as_str()),
        ("in the path", "in the query", "in a header")
    );
    assert_eq!((odd.tags, odd.a_b, odd.type_), (Some(vec!["x y".to_string(), "z".to_string()]), Some(-4), Some(true)));
}
