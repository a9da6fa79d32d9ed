//! Every way a token can be wrong, with tokens minted here.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use macaron_auth::{AuthError, AuthFailure, Jwt};
use macaron_dev::keys::{RSA_PRIVATE, RSA_PUBLIC};
use serde_json::{json, Value};

const CONFIG: &str = "jwt_secret: test-secret\njwt_issuer: pets.example.com\njwt_audience: pets\n";

fn jwt(yaml: &str) -> Jwt {
    let config = macaron_config::Loader::new().vars(|_| None).load_str("macaron.yaml", yaml).unwrap();
    Jwt::from_config(&config).unwrap()
}

fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64
}

fn claims() -> Value {
    json!({"sub": "alice", "iss": "pets.example.com", "aud": "pets", "iat": now(), "exp": now() + 600})
}

fn mint(claims: &Value, secret: &str, alg: Algorithm) -> String {
    jsonwebtoken::encode(&Header::new(alg), claims, &EncodingKey::from_secret(secret.as_bytes())).unwrap()
}

fn with(changes: Value) -> Value {
    let mut c = claims();
    for (k, v) in changes.as_object().unwrap() {
        if v.is_null() {
            c.as_object_mut().unwrap().remove(k);
        } else {
            c[k] = v.clone();
        }
    }
    c
}

fn invalid(result: Result<macaron_auth::User, AuthError>) -> String {
    match result {
        Err(AuthError::Invalid(why)) => why,
        other => panic!("expected TOKEN_INVALID, got {other:?}"),
    }
}

#[test]
fn a_good_token_verifies() {
    let user = jwt(CONFIG).verify(&mint(&claims(), "test-secret", Algorithm::HS256)).unwrap();
    assert_eq!(user.id, "alice");
    assert_eq!(user.claims["aud"], "pets");
}

#[test]
fn expired() {
    let token = mint(&with(json!({"iat": now() - 7200, "exp": now() - 3600})), "test-secret", Algorithm::HS256);
    assert_eq!(jwt(CONFIG).verify(&token), Err(AuthError::Expired));
    assert_eq!(AuthError::Expired.kind(), AuthFailure::Expired);
    // Within the configured leeway it still passes.
    let token = mint(&with(json!({"exp": now() - 30})), "test-secret", Algorithm::HS256);
    assert!(jwt(&format!("{CONFIG}jwt_leeway: 2m\n")).verify(&token).is_ok());
    // An expired token with a bad signature is invalid, not expired.
    let token = mint(&with(json!({"exp": now() - 3600})), "other-secret", Algorithm::HS256);
    invalid(jwt(CONFIG).verify(&token));
}

#[test]
fn wrong_secret_issuer_audience() {
    let j = jwt(CONFIG);
    assert_eq!(invalid(j.verify(&mint(&claims(), "other-secret", Algorithm::HS256))), "bad signature");
    assert_eq!(
        invalid(j.verify(&mint(&with(json!({"iss": "evil.example.com"})), "test-secret", Algorithm::HS256))),
        "wrong issuer"
    );
    assert_eq!(
        invalid(j.verify(&mint(&with(json!({"aud": "other"})), "test-secret", Algorithm::HS256))),
        "wrong audience"
    );
    assert!(invalid(j.verify(&mint(&with(json!({"iss": null})), "test-secret", Algorithm::HS256))).contains("iss"));
    assert!(invalid(j.verify(&mint(&with(json!({"iss": ["pets.example.com"]})), "test-secret", Algorithm::HS256)))
        .contains("iss"));
    assert!(invalid(j.verify(&mint(&with(json!({"sub": null})), "test-secret", Algorithm::HS256))).contains("sub"));
}

#[test]
fn other_algorithms_and_none_are_refused() {
    let j = jwt(CONFIG);
    invalid(j.verify(&mint(&claims(), "test-secret", Algorithm::HS512)));
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let body = URL_SAFE_NO_PAD.encode(claims().to_string());
    invalid(j.verify(&format!("{header}.{body}.")));
    invalid(j.verify(&format!("{header}.{body}")));
    // A header naming another key or issuer changes nothing.
    let mut h = Header::new(Algorithm::HS256);
    h.kid = Some("attacker".into());
    let token = jsonwebtoken::encode(&h, &claims(), &EncodingKey::from_secret(b"test-secret")).unwrap();
    assert!(j.verify(&token).is_ok());
}

#[test]
fn future_iat_and_garbage() {
    let j = jwt(CONFIG);
    let token = mint(&with(json!({"iat": now() + 3600, "exp": now() + 7200})), "test-secret", Algorithm::HS256);
    assert!(invalid(j.verify(&token)).contains("future"));
    for garbage in ["", "a", "a.b", "a.b.c", "....", "eyJhbGciOiJIUzI1NiJ9.e30.x"] {
        invalid(j.verify(garbage));
    }
}

#[test]
fn minted_tokens_carry_the_standard_claims() {
    let j = jwt(CONFIG);
    let token = j.token("bob").lifetime(Duration::from_secs(60)).claim("scope", "read").sign().unwrap();
    let user = j.verify(&token).unwrap();
    let c = &user.claims;
    assert_eq!(
        (c["sub"].as_str(), c["iss"].as_str(), c["aud"].as_str()),
        (Some("bob"), Some("pets.example.com"), Some("pets"))
    );
    assert_eq!(c["exp"].as_i64().unwrap() - c["iat"].as_i64().unwrap(), 60);
    assert_eq!(c["scope"], "read");
    // Another issuer is refused by a service expecting its own.
    let foreign = j.token("bob").issuer("elsewhere").sign().unwrap();
    assert_eq!(invalid(j.verify(&foreign)), "wrong issuer");
}

const EC_PRIVATE: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg9SRCS19FEKwKIgL5
lSuMsX0gRYUrRYF01z5tSpD/eqGhRANCAARP69HSy3frrhubL3YJf1WFi2POJWso
NAFOzG+zzPx+E8Wjpj5LwXe+eL9kfpdneevSnASsStO43QywIaSsHCha
-----END PRIVATE KEY-----";
const EC_PUBLIC: &str = "-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAET+vR0st3664bmy92CX9VhYtjziVr
KDQBTsxvs8z8fhPFo6Y+S8F3vni/ZH6XZ3nr0pwErErTuN0MsCGkrBwoWg==
-----END PUBLIC KEY-----";

#[test]
fn es256_with_keys_from_config() {
    let indent = |pem: &str| pem.lines().map(|l| format!("  {l}\n")).collect::<String>();
    let yaml = format!(
        "jwt_algorithm: ES256\njwt_issuer: pets.example.com\njwt_public_key: |\n{}jwt_private_key: |\n{}",
        indent(EC_PUBLIC),
        indent(EC_PRIVATE)
    );
    let j = jwt(&yaml);
    let token = j.token("carol").sign().unwrap();
    assert_eq!(j.verify(&token).unwrap().id, "carol");
    // An HS256 token signed with the public key as secret (the classic swap) is refused.
    invalid(j.verify(&mint(&claims(), EC_PUBLIC, Algorithm::HS256)));
}

#[test]
fn no_secret_is_a_configuration_error() {
    let config = macaron_config::Loader::new().vars(|_| None).load_str("macaron.yaml", "name: x\n").unwrap();
    let err = Jwt::from_config(&config).unwrap_err();
    assert_eq!(err.kind(), AuthFailure::NotConfigured);
    assert!(err.to_string().contains("jwt_secret"));
}

#[test]
fn rs256_signs_and_verifies_with_keys_from_config() {
    let indent = |pem: &str| pem.lines().map(|l| format!("  {l}\n")).collect::<String>();
    let verify_only =
        format!("jwt_algorithm: RS256\njwt_issuer: pets.example.com\njwt_public_key: |\n{}", indent(RSA_PUBLIC));
    let both = format!("{verify_only}jwt_private_key: |\n{}", indent(RSA_PRIVATE));
    let signer = jwt(&both);
    let token = signer.token("dave").sign().unwrap();
    assert_eq!(signer.verify(&token).unwrap().id, "dave");
    // A service with only the public key verifies, and cannot sign.
    let verifier = jwt(&verify_only);
    assert_eq!(verifier.verify(&token).unwrap().id, "dave");
    assert_eq!(verifier.token("dave").sign().unwrap_err().kind(), AuthFailure::NotConfigured);
    // A token signed by jsonwebtoken directly with the same key verifies too.
    let mut c = claims();
    c.as_object_mut().unwrap().remove("aud");
    let direct = jsonwebtoken::encode(
        &Header::new(Algorithm::RS256),
        &c,
        &EncodingKey::from_rsa_pem(RSA_PRIVATE.as_bytes()).unwrap(),
    )
    .unwrap();
    assert_eq!(verifier.verify(&direct).unwrap().id, "alice");
    // The HS256 swap, with the public key as the secret, is refused.
    invalid(verifier.verify(&mint(&c, RSA_PUBLIC, Algorithm::HS256)));
    // A tampered signature is refused.
    let (message, signature) = token.rsplit_once('.').unwrap();
    let flipped = if signature.starts_with('A') { "B" } else { "A" };
    assert_eq!(invalid(verifier.verify(&format!("{message}.{flipped}{}", &signature[1..]))), "bad signature");
}

#[test]
fn nbf_is_checked() {
    let j = jwt(CONFIG);
    let later = mint(&with(json!({"nbf": now() + 3600})), "test-secret", Algorithm::HS256);
    assert!(invalid(j.verify(&later)).contains("nbf"));
    let reached = mint(&with(json!({"nbf": now() - 5})), "test-secret", Algorithm::HS256);
    assert!(j.verify(&reached).is_ok());
}

#[test]
fn an_oversized_token_is_refused_unread() {
    let j = jwt(CONFIG);
    let big = j.token("alice").claim("pad", "x".repeat(macaron_auth::MAX_TOKEN_BYTES)).sign().unwrap();
    assert!(invalid(j.verify(&big)).contains("longer than"));
    assert!(invalid(j.verify(&"A".repeat(macaron_auth::MAX_TOKEN_BYTES + 1))).contains("longer than"));
}

#[test]
fn a_leeway_beyond_five_minutes_is_a_configuration_error() {
    let config = macaron_config::Loader::new()
        .vars(|_| None)
        .load_str("macaron.yaml", &format!("{CONFIG}jwt_leeway: 1h\n"))
        .unwrap();
    let err = Jwt::from_config(&config).unwrap_err();
    assert_eq!(err.kind(), AuthFailure::NotConfigured);
    assert!(err.to_string().contains("jwt_leeway"), "{err}");
    assert!(Jwt::from_config(
        &macaron_config::Loader::new().vars(|_| None).load_str("m.yaml", &format!("{CONFIG}jwt_leeway: 5m\n")).unwrap()
    )
    .is_ok());
}
