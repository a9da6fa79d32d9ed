//! JWT authentication through real HTTP: every error code, the token in a
//! header or a cookie, `security: []` opt-out, global security, optional
//! tokens, guards, `/auth/version`, and the caller reaching handler code.

use std::time::{SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use macaron::auth::User;
use macaron::test::TestServer;
use macaron::{Api, Context};
use serde_json::{json, Value};

const SECRET: &str = "auth-test-secret-0123";

fn config() -> macaron::Config {
    macaron::config::Loader::new()
        .vars(|name| (name == "TEST_JWT_SECRET").then(|| SECRET.to_string()))
        .load_str(
            "macaron.yaml",
            "name: secure\nenv_secrets: [TEST_JWT_SECRET]\njwt_secret: TEST_JWT_SECRET\njwt_issuer: macaron.test\njwt_audience: secure\n",
        )
        .unwrap()
}

async fn me(user: User) -> macaron::Result<Value> {
    // The same caller from the task-local accessor, as deeper code sees it.
    let deep = macaron::auth::current_user().map(|u| u.id);
    Ok(json!({"id": user.id, "deep": deep, "claims": user.claims}))
}

async fn public() -> macaron::Result<Value> {
    Ok(json!({"open": true}))
}

async fn maybe(user: Option<User>) -> macaron::Result<Value> {
    Ok(json!({"id": user.map(|u| u.id)}))
}

async fn admin() -> macaron::Result<Value> {
    Ok(json!({"done": true}))
}

fn admin_only(ctx: &Context) -> macaron::Result<()> {
    match ctx.user().and_then(|u| u.claims.get("role")).and_then(Value::as_str) {
        Some("admin") => Ok(()),
        _ => Err(macaron::Error::new(403, "NOT_ADMIN", "admins only")),
    }
}

fn builder() -> macaron::ApiBuilder {
    Api::builder()
        .config(config())
        .api(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/apis/secure.yaml"))
        .handler("me", me)
        .handler("public", public)
        .handler("maybe", maybe)
        .handler("admin", admin)
        .guard("crate::guards::admin_only", admin_only)
}

async fn start() -> TestServer {
    TestServer::start(builder().build().unwrap()).await
}

fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64
}

fn mint(claims: Value, secret: &str) -> String {
    jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &EncodingKey::from_secret(secret.as_bytes())).unwrap()
}

fn claims(sub: &str) -> Value {
    json!({"sub": sub, "iss": "macaron.test", "aud": "secure", "iat": now(), "exp": now() + 600})
}

fn good(sub: &str) -> String {
    mint(claims(sub), SECRET)
}

async fn error_code(s: &TestServer, path: &str, auth: Option<&str>, cookie: Option<&str>) -> (u16, String) {
    let mut call = s.call("GET", path);
    if let Some(a) = auth {
        call = call.header("Authorization", a);
    }
    if let Some(c) = cookie {
        call = call.header("Cookie", c);
    }
    let r = call.send().await;
    (r.status, r.json()["error"].as_str().unwrap_or("").to_string())
}

#[tokio::test]
async fn a_valid_token_reaches_the_handler_and_deeper_code() {
    let s = start().await;
    let r = s.call("GET", "/me").token(&good("alice")).send().await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["id"], "alice");
    assert_eq!(r.json()["deep"], "alice");
    assert_eq!(r.json()["claims"]["aud"], "secure");
    // The same token in a `token` cookie, URL-encoded.
    let cookie = format!("other=1; token=Bearer%20{}", good("bob"));
    let r = s.call("GET", "/me").header("Cookie", &cookie).send().await;
    assert_eq!(r.json()["id"], "bob", "{}", r.text());
}

#[tokio::test]
async fn every_way_a_token_is_wrong_has_its_code() {
    let s = start().await;
    let missing = "AUTHORIZATION_HEADER_MISSING";
    let invalid = "TOKEN_INVALID";
    assert_eq!(error_code(&s, "/me", None, None).await, (401, missing.into()));
    let expired = mint(
        json!({"sub": "a", "iss": "macaron.test", "aud": "secure", "iat": now() - 7200, "exp": now() - 3600}),
        SECRET,
    );
    assert_eq!(error_code(&s, "/me", Some(&format!("Bearer {expired}")), None).await, (401, "TOKEN_EXPIRED".into()));
    let mut cases: Vec<(String, &str)> = vec![
        (format!("Bearer {}", mint(claims("a"), "another-secret")), "wrong secret"),
        (
            format!(
                "Bearer {}",
                mint(json!({"sub": "a", "iss": "evil", "aud": "secure", "iat": now(), "exp": now() + 60}), SECRET)
            ),
            "wrong issuer",
        ),
        (
            format!(
                "Bearer {}",
                mint(
                    json!({"sub": "a", "iss": "macaron.test", "aud": "other", "iat": now(), "exp": now() + 60}),
                    SECRET
                )
            ),
            "wrong audience",
        ),
        (
            format!(
                "Bearer {}",
                mint(
                    json!({"sub": "a", "iss": "macaron.test", "aud": "secure", "iat": now() + 3600, "exp": now() + 7200}),
                    SECRET
                )
            ),
            "future iat",
        ),
        ("Basic dXNlcjpwYXNz".into(), "basic"),
        ("Bearer".into(), "no token"),
        ("Bearer a b".into(), "two tokens"),
        ("Bearer not.a.jwt".into(), "garbage"),
    ];
    let none_header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let none_body = URL_SAFE_NO_PAD.encode(claims("a").to_string());
    cases.push((format!("Bearer {none_header}.{none_body}."), "alg none"));
    let hs512 = jsonwebtoken::encode(
        &Header::new(Algorithm::HS512),
        &claims("a"),
        &EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .unwrap();
    cases.push((format!("Bearer {hs512}"), "other algorithm"));
    for (header, why) in &cases {
        assert_eq!(error_code(&s, "/me", Some(header), None).await, (401, invalid.into()), "{why}");
    }
    // A cookie without the Bearer prefix is malformed too.
    assert_eq!(error_code(&s, "/me", None, Some(&format!("token={}", good("a")))).await, (401, invalid.into()));
}

#[tokio::test]
async fn opt_out_optional_and_guards() {
    let s = start().await;
    // security: [] opts out of the global requirement.
    assert_eq!(s.call("GET", "/public").send().await.status, 200);
    // An optional token: anonymous is fine, a bad token is not.
    assert_eq!(s.call("GET", "/maybe").send().await.json()["id"], Value::Null);
    assert_eq!(s.call("GET", "/maybe").token(&good("carol")).send().await.json()["id"], "carol");
    assert_eq!(s.call("GET", "/maybe").token("bad").send().await.status, 401);
    // The guard refuses a user without the role, accepts one with it.
    let plain = s.call("POST", "/admin?n=1").token(&good("dave")).send().await;
    assert_eq!((plain.status, plain.json()["error"].as_str()), (403, Some("NOT_ADMIN")));
    let mut admin_claims = claims("erin");
    admin_claims["role"] = json!("admin");
    let admin = s.call("POST", "/admin?n=1").token(&mint(admin_claims, SECRET)).send().await;
    assert_eq!(admin.status, 200, "{}", admin.text());
    // Authentication comes before validation: no token, no parameter check.
    assert_eq!(s.call("POST", "/admin?n=x").send().await.status, 401);
}

#[tokio::test]
async fn auth_version_needs_a_token() {
    let s = start().await;
    assert_eq!(error_code(&s, "/auth/version", None, None).await, (401, "AUTHORIZATION_HEADER_MISSING".into()));
    let r = s.call("GET", "/auth/version").token(&good("alice")).send().await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["name"], "secure");
    assert_eq!(r.json()["apis"], json!(["secure"]));
    let open = s.call("GET", "/version").send().await;
    assert_eq!(open.status, 200);
    assert!(!open.text().contains(SECRET));
}

#[tokio::test]
async fn startup_refuses_missing_jwt_config_and_unknown_guards() {
    let empty = macaron::config::Loader::new().vars(|_| None).load_str("macaron.yaml", "name: x\n").unwrap();
    let err = Api::builder()
        .config(empty)
        .api(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/apis/secure.yaml"))
        .handler("me", me)
        .handler("public", public)
        .handler("maybe", maybe)
        .handler("admin", admin)
        .build()
        .unwrap_err();
    let text = err.error_description;
    assert!(text.contains("operation 'me'") && text.contains("no JWT is configured"), "{text}");
    assert!(text.contains("names the guard 'crate::guards::admin_only'"), "{text}");
}

#[tokio::test]
async fn configured_secrets_are_redacted_from_crash_reports() {
    let reports = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let sink = reports.clone();
    async fn leak() -> macaron::Result<Value> {
        Err(std::io::Error::other(format!("connection failed with password {SECRET}")).into())
    }
    let api = builder()
        .handler("public", leak)
        .error_reporter(move |title, message| sink.lock().unwrap().push(format!("{title}\n{message}")))
        .build();
    // `public` is bound twice: refused.
    assert!(api.is_err());
    let api = Api::builder()
        .config(config())
        .api(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/apis/secure.yaml"))
        .handler("me", me)
        .handler("public", leak)
        .handler("maybe", maybe)
        .handler("admin", admin)
        .guard("crate::guards::admin_only", admin_only)
        .error_reporter({
            let sink = reports.clone();
            move |title, message| sink.lock().unwrap().push(format!("{title}\n{message}"))
        })
        .build()
        .unwrap();
    let s = TestServer::start(api).await;
    let r = s.call("GET", "/public").send().await;
    assert_eq!(r.status, 500);
    assert!(!r.text().contains(SECRET), "the reply leaks: {}", r.text());
    for _ in 0..100 {
        if !reports.lock().unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let all = reports.lock().unwrap().join("\n");
    assert!(all.contains("FATAL BACKEND ERROR"), "{all}");
    assert!(!all.contains(SECRET), "the report leaks the secret: {all}");
}
