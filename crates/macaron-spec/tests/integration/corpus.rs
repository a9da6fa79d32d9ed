//! Every document of the public corpus loads, with the manifest's number of
//! operations; 3.0 documents agree with `openapiv3`, an independent parser.

use std::collections::BTreeSet;

#[test]
fn every_corpus_document_loads_with_the_manifest_operation_count() {
    let Some(corpus) = macaron_dev::corpus() else { return };
    let mut checked = 0;
    let mut total = 0;
    let mut failures = Vec::new();
    for document in corpus.documents() {
        let (file, expected) = (&document.file, document.operations);
        match macaron_spec::load(corpus.path(file)) {
            Ok(api) if api.operations.len() == expected => {}
            Ok(api) => failures.push(format!("{file}: {} operations, manifest says {expected}", api.operations.len())),
            Err(e) => failures.push(format!("{file}: {e}")),
        }
        checked += 1;
        total += expected;
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(checked, 42);
    assert_eq!(total, 3508);
}

#[test]
fn openapi_30_documents_agree_with_openapiv3() {
    let Some(corpus) = macaron_dev::corpus() else { return };
    let mut compared = 0;
    for entry in std::fs::read_dir(corpus.dir()).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let Ok(api) = macaron_spec::load(&path) else { continue };
        if api.version != macaron_spec::SpecVersion::OpenApi30 {
            continue;
        }
        let parsed: Result<openapiv3::OpenAPI, String> = if text.trim_start().starts_with('{') {
            serde_json::from_str(&text).map_err(|e| e.to_string())
        } else {
            serde_yaml::from_str(&text).map_err(|e| e.to_string())
        };
        let Ok(oracle) = parsed else {
            eprintln!("openapiv3 cannot parse {}; not compared", path.display());
            continue;
        };
        let theirs: BTreeSet<(String, String)> = oracle
            .operations()
            .map(|(path, method, op)| {
                (format!("{} {path}", method.to_uppercase()), op.operation_id.clone().unwrap_or_default())
            })
            .collect();
        let ours: BTreeSet<(String, String)> = api
            .operations
            .iter()
            .map(|op| {
                let id = if op.id_derived { String::new() } else { op.id.clone() };
                (format!("{} {}", op.method, op.path), id)
            })
            .collect();
        assert_eq!(ours, theirs, "{}", path.display());
        compared += 1;
    }
    assert!(compared >= 20, "only {compared} documents compared");
}

#[test]
fn stripe_keeps_its_nullable_and_form_encodings() {
    let Some(corpus) = macaron_dev::corpus() else { return };
    let api = macaron_spec::load(corpus.path("stripe-spec3.yaml")).unwrap();
    let nullable_types = api.schemas.values().filter(|s| s.to_string().contains(r#""type":["string","null"]"#)).count();
    assert!(nullable_types > 100, "{nullable_types}");
    let op = api.operations.iter().find(|op| {
        op.request_body
            .as_ref()
            .is_some_and(|b| b.content.get("application/x-www-form-urlencoded").is_some_and(|m| !m.encoding.is_empty()))
    });
    assert!(op.is_some(), "a form body with encoding");
}

#[test]
fn mixed_segments_dots_trailing_slashes_and_queries_in_paths() {
    let Some(corpus) = macaron_dev::corpus() else { return };
    let dir = corpus.dir();
    let twilio = macaron_spec::load(dir.join("twilio-api-v2010.yaml")).unwrap();
    assert!(twilio.operations.iter().any(|op| op.path.as_str().ends_with("/{Sid}.json")));
    let xkcd = macaron_spec::load(dir.join("apisguru-xkcd.yaml")).unwrap();
    assert!(xkcd.operations.iter().any(|op| op.path.as_str() == "/{comicId}/info.0.json"));
    let k8s = macaron_spec::load(dir.join("kubernetes-v1.7-swagger.json")).unwrap();
    assert!(k8s
        .operations
        .iter()
        .any(|op| op.path.as_str().ends_with('/') && op.path.segments().last().unwrap().is_empty()));
    let openai = macaron_spec::load(dir.join("openai-openapi.yaml")).unwrap();
    assert!(openai.operations.iter().any(|op| op.path.query().is_some()));
    assert!(!openai.webhooks.is_empty());
    let hooks = macaron_spec::load(dir.join("oai-webhook-example.yaml")).unwrap();
    assert_eq!((hooks.operations.len(), hooks.webhooks.len()), (0, 1));
}
