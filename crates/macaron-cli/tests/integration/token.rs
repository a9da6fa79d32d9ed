//! `macaron token` signs with the service's configuration and refuses to
//! run without its secret.

use std::process::Command;

#[test]
fn prints_a_token_the_service_accepts() {
    let dir = std::env::temp_dir().join(format!("macaron-token-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let yaml = "name: pets\nenv_secrets: [PETS_SECRET]\njwt_secret: PETS_SECRET\njwt_issuer: pets.example.com\njwt_audience: pets\n";
    std::fs::write(dir.join("macaron.yaml"), yaml).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_macaron"))
        .args(["token", "--user", "alice", "--lifetime", "5m"])
        .current_dir(&dir)
        .env("PETS_SECRET", "cli-secret")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let token = String::from_utf8(out.stdout).unwrap().trim().to_string();
    let config = macaron_config::Loader::new()
        .vars(|n| (n == "PETS_SECRET").then(|| "cli-secret".to_string()))
        .load_str("macaron.yaml", yaml)
        .unwrap();
    let user = macaron_auth::Jwt::from_config(&config).unwrap().verify(&token).unwrap();
    assert_eq!(user.id, "alice");
    assert_eq!(user.claims["exp"].as_u64().unwrap() - user.claims["iat"].as_u64().unwrap(), 300);

    // Without the secret in the environment: a clear refusal naming the variable.
    let out = Command::new(env!("CARGO_BIN_EXE_macaron"))
        .args(["token", "--user", "alice"])
        .current_dir(&dir)
        .env_remove("PETS_SECRET")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("PETS_SECRET is listed in env_secrets but is not set"), "{stderr}");
    std::fs::remove_dir_all(&dir).unwrap();
}
