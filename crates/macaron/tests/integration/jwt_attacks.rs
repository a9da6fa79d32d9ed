//! The attacks on JWT authentication of docs/jwt.md's table, each sent over
//! HTTP to a running service, with the exact status and error code it gets.
//! `cargo test -p macaron --test integration jwt_attacks::` runs them.

use std::collections::HashSet;
use std::sync::{LazyLock, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey};
use macaron::auth::{AuthError, Jwt, User};
use macaron::test::TestServer;
use macaron::{Api, Context};
use macaron_dev::keys::{RSA_PRIVATE, RSA_PUBLIC};
use serde_json::{json, Value};

const SECRET: &str = "jwt-attacks-secret-0123456789";
const ISSUER: &str = "macaron.test";
const AUDIENCE: &str = "attacks";

const SPEC: &str = r##"
openapi: 3.0.3
info: {title: attacks, version: "1"}
security:
  - bearer: []
paths:
  /me:
    get:
      operationId: me
      responses:
        "200": {description: the caller}
        "401": {description: no valid token}
  /maybe:
    get:
      operationId: maybe
      security: [{}, {bearer: []}]
      responses:
        "200": {description: the caller, if any}
        "401": {description: a bad token}
  /account:
    get:
      operationId: account
      x-decorate-server: crate::auth::user_exists
      responses:
        "200": {description: the caller's account}
        "401": {description: no valid token, or no such user}
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer, bearerFormat: JWT}
"##;

/// The users the service knows: a user deleted from here keeps a token
/// that verifies, and the `user_exists` guard refuses it.
static USERS: LazyLock<Mutex<HashSet<String>>> =
    LazyLock::new(|| Mutex::new(["alice", "bob", "carol"].into_iter().map(String::from).collect()));

async fn me(user: User) -> macaron::Result<Value> {
    Ok(json!({"id": user.id}))
}

async fn maybe(user: Option<User>) -> macaron::Result<Value> {
    Ok(json!({"id": user.map(|u| u.id)}))
}

async fn account(user: User) -> macaron::Result<Value> {
    Ok(json!({"account": user.id}))
}

/// The guard a service puts on its operations (`x-decorate-server`) to
/// refuse a valid token whose user is gone: the same 401 `TOKEN_INVALID`
/// as any token that no longer grants access.
fn user_exists(ctx: &Context) -> macaron::Result<()> {
    let id = ctx.user().map(|u| u.id.clone()).unwrap_or_default();
    if USERS.lock().unwrap().contains(&id) {
        Ok(())
    } else {
        Err(AuthError::Invalid("no such user".into()).into())
    }
}

/// The HS256 service's configuration (`jwt_leeway: 30s`).
fn hs_yaml() -> String {
    format!(
        "name: attacks\nenv_secrets: [ATTACKS_JWT_SECRET]\njwt_secret: ATTACKS_JWT_SECRET\n\
         jwt_issuer: {ISSUER}\njwt_audience: {AUDIENCE}\njwt_leeway: 30s\n"
    )
}

/// The RS256 service's configuration: the public key to verify, the
/// private one (a secret) to sign.
fn rs_yaml() -> String {
    let indented: String = RSA_PUBLIC.lines().map(|l| format!("  {l}\n")).collect();
    format!(
        "name: attacks\njwt_algorithm: RS256\njwt_issuer: {ISSUER}\njwt_audience: {AUDIENCE}\n\
         jwt_public_key: |\n{indented}env_secrets: [ATTACKS_JWT_PRIVATE_KEY]\njwt_private_key: ATTACKS_JWT_PRIVATE_KEY\n"
    )
}

fn config(yaml: &str) -> macaron::Config {
    macaron::config::Loader::new()
        .vars(|name| match name {
            "ATTACKS_JWT_SECRET" => Some(SECRET.to_string()),
            "ATTACKS_JWT_PRIVATE_KEY" => Some(RSA_PRIVATE.to_string()),
            _ => None,
        })
        .load_str("macaron.yaml", yaml)
        .unwrap()
}

async fn start(yaml: &str) -> (TestServer, Jwt) {
    let config = config(yaml);
    let jwt = Jwt::from_config(&config).unwrap();
    let api = Api::builder()
        .config(config)
        .api_source("attacks.yaml", SPEC)
        .handler("me", me)
        .handler("maybe", maybe)
        .handler("account", account)
        .guard("crate::auth::user_exists", user_exists)
        .build()
        .unwrap();
    (TestServer::start(api).await, jwt)
}

fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Good claims for `sub`, then `changes` (a null removes a claim).
fn claims(sub: &str, changes: Value) -> Value {
    let mut c = json!({"sub": sub, "iss": ISSUER, "aud": AUDIENCE, "iat": now(), "exp": now() + 600});
    for (k, v) in changes.as_object().unwrap() {
        if v.is_null() {
            c.as_object_mut().unwrap().remove(k);
        } else {
            c[k] = v.clone();
        }
    }
    c
}

/// `header.claims`, both as given, unsigned.
fn unsigned(header: &Value, claims: &Value) -> String {
    format!("{}.{}", b64(header.to_string().as_bytes()), b64(claims.to_string().as_bytes()))
}

/// A token with exactly this header and these claims, signed with `key`.
fn forge(header: Value, claims: &Value, alg: Algorithm, key: &EncodingKey) -> String {
    let message = unsigned(&header, claims);
    let signature = jsonwebtoken::crypto::sign(message.as_bytes(), key, alg).unwrap();
    format!("{message}.{signature}")
}

fn hs256(claims: &Value, secret: &str) -> String {
    forge(json!({"alg": "HS256", "typ": "JWT"}), claims, Algorithm::HS256, &EncodingKey::from_secret(secret.as_bytes()))
}

/// Status and error code of `GET path` with this `Authorization` header.
async fn answer(s: &TestServer, path: &str, authorization: Option<&str>) -> (u16, String) {
    let mut call = s.call("GET", path);
    if let Some(a) = authorization {
        call = call.header("Authorization", a);
    }
    let r = call.send().await;
    let body = r.json();
    if r.status != 200 {
        // The framework's JSON error object, its status repeated.
        assert_eq!(body["status"], r.status, "{}", r.text());
    }
    (r.status, body["error"].as_str().unwrap_or("").to_string())
}

async fn with_token(s: &TestServer, path: &str, token: &str) -> (u16, String) {
    answer(s, path, Some(&format!("Bearer {token}"))).await
}

const OK: (u16, &str) = (200, "");

fn is(expected: (u16, &str)) -> (u16, String) {
    (expected.0, expected.1.to_string())
}

#[tokio::test]
async fn alg_none_is_refused() {
    let (s, _) = start(&hs_yaml()).await;
    let c = claims("alice", json!({}));
    for alg in ["none", "None", "NONE", "nOnE"] {
        let token = unsigned(&json!({"alg": alg, "typ": "JWT"}), &c);
        for t in [format!("{token}."), token.clone(), format!("{token}.AAAA")] {
            assert_eq!(with_token(&s, "/me", &t).await, is((401, "TOKEN_INVALID")), "alg {alg}: {t}");
        }
    }
    s.stop().await;
}

#[tokio::test]
async fn hs_rs_confusion_is_refused() {
    let (s, jwt) = start(&rs_yaml()).await;
    // RS256 itself works, end to end.
    let good = jwt.token("alice").sign().unwrap();
    assert_eq!(with_token(&s, "/me", &good).await, is(OK));
    let rsa_key = EncodingKey::from_rsa_pem(RSA_PRIVATE.as_bytes()).unwrap();
    let c = claims("root", json!({}));
    // The classic swap: HS256 with the (public) RSA key as the HMAC secret,
    // in its PEM text and in its DER bytes.
    for secret in [RSA_PUBLIC.as_bytes().to_vec(), rsa_der()] {
        for alg in [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512] {
            let header = json!({"alg": format!("{alg:?}"), "typ": "JWT"});
            let t = forge(header, &c, alg, &EncodingKey::from_secret(&secret));
            assert_eq!(with_token(&s, "/me", &t).await, is((401, "TOKEN_INVALID")), "{alg:?}");
        }
    }
    // Another RSA-family algorithm with the right key (RS384, PS256) is not the configured one.
    for alg in [Algorithm::RS384, Algorithm::PS256] {
        let t = forge(json!({"alg": format!("{alg:?}")}), &c, alg, &rsa_key);
        assert_eq!(with_token(&s, "/me", &t).await, is((401, "TOKEN_INVALID")), "{alg:?}");
    }
    s.stop().await;
    // And the other way round: an HS256 service refuses an RS256 token.
    let (s, _) = start(&hs_yaml()).await;
    let t = forge(json!({"alg": "RS256"}), &c, Algorithm::RS256, &rsa_key);
    assert_eq!(with_token(&s, "/me", &t).await, is((401, "TOKEN_INVALID")));
    s.stop().await;
}

/// The DER bytes of the public key (what a library that accepts "any key
/// bytes" as an HMAC secret would have used).
fn rsa_der() -> Vec<u8> {
    let body: String = RSA_PUBLIC.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD.decode(body).unwrap()
}

#[tokio::test]
async fn a_forged_kid_or_embedded_key_is_ignored() {
    let (s, _) = start(&hs_yaml()).await;
    let c = claims("root", json!({}));
    let attacker = EncodingKey::from_secret(b"attacker-secret");
    let empty = EncodingKey::from_secret(b"");
    let kids = ["../../../../../../dev/null", "/etc/passwd", "' OR '1'='1", "http://evil.example/key", ""];
    for kid in kids {
        for key in [&attacker, &empty] {
            let t = forge(json!({"alg": "HS256", "kid": kid}), &c, Algorithm::HS256, key);
            assert_eq!(with_token(&s, "/me", &t).await, is((401, "TOKEN_INVALID")), "kid {kid:?}");
        }
        // The kid is never used to find a key: with the service's own key,
        // whatever it says, the token is the service's.
        let t = forge(
            json!({"alg": "HS256", "kid": kid}),
            &c,
            Algorithm::HS256,
            &EncodingKey::from_secret(SECRET.as_bytes()),
        );
        assert_eq!(with_token(&s, "/me", &t).await, is(OK), "kid {kid:?}");
    }
    // A key sent in the header itself (jwk, jku, x5u) is not trusted either.
    let jwk = json!({"kty": "oct", "k": b64(b"attacker-secret")});
    for header in [
        json!({"alg": "HS256", "jwk": jwk}),
        json!({"alg": "HS256", "jku": "http://evil.example/jwks.json"}),
        json!({"alg": "HS256", "x5u": "http://evil.example/cert.pem"}),
    ] {
        let t = forge(header.clone(), &c, Algorithm::HS256, &attacker);
        assert_eq!(with_token(&s, "/me", &t).await, is((401, "TOKEN_INVALID")), "{header}");
    }
    s.stop().await;
}

#[tokio::test]
async fn unsigned_tampered_and_resigned_tokens_are_refused() {
    let (s, jwt) = start(&hs_yaml()).await;
    let good = jwt.token("alice").sign().unwrap();
    assert_eq!(with_token(&s, "/me", &good).await, is(OK));
    let (message, signature) = good.rsplit_once('.').unwrap();
    let (header, _) = message.split_once('.').unwrap();
    let root = b64(claims("root", json!({})).to_string().as_bytes());
    let other = jwt.token("bob").sign().unwrap();
    let other_signature = other.rsplit_once('.').unwrap().1;
    let cases = [
        (format!("{message}."), "no signature"),
        (message.to_string(), "no signature part"),
        (format!("{header}.{root}.{signature}"), "claims changed, signature kept"),
        (format!("{message}.{other_signature}"), "another token's signature"),
        (format!("{message}.{}", &signature[..signature.len() - 2]), "signature cut"),
        (format!("{message}.{signature}AA"), "signature lengthened"),
        (hs256(&claims("root", json!({})), "another-secret"), "re-signed with another key"),
        (format!("{good}.{signature}"), "four parts"),
    ];
    for (t, why) in cases {
        assert_eq!(with_token(&s, "/me", &t).await, is((401, "TOKEN_INVALID")), "{why}");
    }
    s.stop().await;
}

#[tokio::test]
async fn expired_beyond_the_leeway() {
    let (s, _) = start(&hs_yaml()).await;
    let expired = hs256(&claims("alice", json!({"iat": now() - 7200, "exp": now() - 3600})), SECRET);
    assert_eq!(with_token(&s, "/me", &expired).await, is((401, "TOKEN_EXPIRED")));
    // Just beyond the 30 s leeway: expired; within it: still accepted.
    let beyond = hs256(&claims("alice", json!({"exp": now() - 40})), SECRET);
    assert_eq!(with_token(&s, "/me", &beyond).await, is((401, "TOKEN_EXPIRED")));
    let within = hs256(&claims("alice", json!({"exp": now() - 10})), SECRET);
    assert_eq!(with_token(&s, "/me", &within).await, is(OK));
    // An expired token with a bad signature says nothing about its expiry.
    let forged = hs256(&claims("alice", json!({"exp": now() - 3600})), "another-secret");
    assert_eq!(with_token(&s, "/me", &forged).await, is((401, "TOKEN_INVALID")));
    // No `exp`, or one that is not a number: never valid.
    for exp in [Value::Null, json!("tomorrow"), json!(1e300)] {
        let t = hs256(&claims("alice", json!({"exp": exp})), SECRET);
        assert_eq!(with_token(&s, "/me", &t).await, is((401, "TOKEN_INVALID")), "exp {exp}");
    }
    s.stop().await;
}

#[tokio::test]
async fn not_yet_valid_is_refused() {
    let (s, _) = start(&hs_yaml()).await;
    for changes in [
        json!({"nbf": now() + 3600}),
        json!({"nbf": now() + 40}),
        json!({"iat": now() + 3600, "exp": now() + 7200}),
        json!({"iat": now() + 40}),
    ] {
        let t = hs256(&claims("alice", changes.clone()), SECRET);
        assert_eq!(with_token(&s, "/me", &t).await, is((401, "TOKEN_INVALID")), "{changes}");
    }
    // Within the leeway, or already reached: accepted.
    for changes in [json!({"nbf": now() + 10}), json!({"nbf": now() - 10}), json!({"iat": now() + 10})] {
        let t = hs256(&claims("alice", changes.clone()), SECRET);
        assert_eq!(with_token(&s, "/me", &t).await, is(OK), "{changes}");
    }
    s.stop().await;
}

#[tokio::test]
async fn wrong_issuer_or_audience_is_refused() {
    let (s, jwt) = start(&hs_yaml()).await;
    for changes in [
        json!({"iss": "evil.example"}),
        json!({"iss": null}),
        json!({"iss": "macaron.test.evil.example"}),
        json!({"iss": ["macaron.test"]}),
        json!({"aud": "other"}),
        json!({"aud": null}),
        json!({"aud": ["other", "another"]}),
        json!({"aud": []}),
    ] {
        let t = hs256(&claims("alice", changes.clone()), SECRET);
        assert_eq!(with_token(&s, "/me", &t).await, is((401, "TOKEN_INVALID")), "{changes}");
    }
    // Minted by this service for another issuer or audience.
    for t in
        [jwt.token("alice").issuer("elsewhere").sign().unwrap(), jwt.token("alice").audience("other").sign().unwrap()]
    {
        assert_eq!(with_token(&s, "/me", &t).await, is((401, "TOKEN_INVALID")));
    }
    // An audience list naming this service is this service's (RFC 7519 4.1.3).
    let t = hs256(&claims("alice", json!({"aud": ["other", AUDIENCE]})), SECRET);
    assert_eq!(with_token(&s, "/me", &t).await, is(OK));
    s.stop().await;
}

#[tokio::test]
async fn a_token_in_the_query_string_is_not_read() {
    let (s, jwt) = start(&hs_yaml()).await;
    let good = jwt.token("alice").sign().unwrap();
    for name in ["token", "access_token", "jwt", "authorization", "Authorization"] {
        for value in [good.clone(), format!("Bearer%20{good}")] {
            let path = format!("/me?{name}={value}");
            assert_eq!(answer(&s, &path, None).await, is((401, "AUTHORIZATION_HEADER_MISSING")), "{path}");
            // Where the token is optional, the caller stays anonymous.
            let r = s.call("GET", &format!("/maybe?{name}={value}")).send().await;
            assert_eq!((r.status, r.json()), (200, json!({"id": null})), "{path}");
        }
    }
    s.stop().await;
}

#[tokio::test]
async fn an_oversized_token_is_refused_unread() {
    let (s, jwt) = start(&hs_yaml()).await;
    // A token just under the cap, correctly signed, passes.
    let padding = |n: usize| "x".repeat(n);
    let fits = jwt.token("alice").claim("pad", padding(5_000)).sign().unwrap();
    assert!(fits.len() <= macaron::auth::MAX_TOKEN_BYTES, "{}", fits.len());
    assert_eq!(with_token(&s, "/me", &fits).await, is(OK));
    // Over the cap (8 KiB): refused before it is decoded, signed or not.
    let big = jwt.token("alice").claim("pad", padding(7_000)).sign().unwrap();
    assert!(big.len() > macaron::auth::MAX_TOKEN_BYTES, "{}", big.len());
    assert_eq!(with_token(&s, "/me", &big).await, is((401, "TOKEN_INVALID")));
    let junk = format!("{}.{}.{}", "A".repeat(4000), "B".repeat(4000), "C".repeat(4000));
    assert_eq!(with_token(&s, "/me", &junk).await, is((401, "TOKEN_INVALID")));
    // In a cookie too.
    let r = s.call("GET", "/me").header("Cookie", &format!("token=Bearer%20{big}")).send().await;
    assert_eq!((r.status, r.json()["error"].as_str()), (401, Some("TOKEN_INVALID")));
    // Beyond the head limit (32 KiB by default) the protocol layer refuses
    // the request (431, JSON), and the service goes on answering.
    let huge = format!("Bearer {}", "A".repeat(64 * 1024));
    let r = s.call("GET", "/me").header("Authorization", &huge).unchecked().send().await;
    assert_eq!(r.status, 431, "{}", r.text());
    assert_eq!(with_token(&s, "/me", &jwt.token("alice").sign().unwrap()).await, is(OK));
    s.stop().await;
}

#[tokio::test]
async fn a_token_for_a_deleted_user_is_refused_by_the_guard() {
    let (s, jwt) = start(&hs_yaml()).await;
    let carol = jwt.token("carol").sign().unwrap();
    let r = s.call("GET", "/account").token(&carol).send().await;
    assert_eq!((r.status, r.json()), (200, json!({"account": "carol"})));
    USERS.lock().unwrap().remove("carol");
    // The token still verifies (the framework cannot know users)...
    assert_eq!(with_token(&s, "/me", &carol).await, is(OK));
    // ...and the operations with the guard refuse it.
    assert_eq!(with_token(&s, "/account", &carol).await, is((401, "TOKEN_INVALID")));
    // A user who never existed, with a token signed by the service, likewise.
    let ghost = jwt.token("ghost").sign().unwrap();
    assert_eq!(with_token(&s, "/account", &ghost).await, is((401, "TOKEN_INVALID")));
    s.stop().await;
}
