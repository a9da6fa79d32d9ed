//! Loading real files: overlays per environment, secrets, overrides, errors.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use macaron_config::Loader;

struct Dir(PathBuf);

impl Dir {
    fn new(files: &[(&str, &str)]) -> Dir {
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let dir = std::env::temp_dir().join(format!("macaron-config-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for (name, text) in files {
            std::fs::write(dir.join(name), text).unwrap();
        }
        Dir(dir)
    }
    fn file(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + Send + Sync + 'static {
    let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    move |name| map.get(name).cloned()
}

const BASE: &str = "name: pets
env_secrets: [JWT_SECRET, SMTP_PASSWORD]
jwt_secret: JWT_SECRET
jwt_issuer: pets.example.com
jwt_audience: pets
smtp:
  host: mail.example.com
  password: SMTP_PASSWORD
feature_flags: [a, b]
";

#[test]
fn secrets_come_from_the_environment() {
    let dir = Dir::new(&[("macaron.yaml", BASE)]);
    let config = Loader::new()
        .path(dir.file("macaron.yaml"))
        .vars(vars(&[("JWT_SECRET", "jwt-s3cret"), ("SMTP_PASSWORD", "smtp-s3cret")]))
        .load()
        .unwrap();
    assert_eq!(config.jwt.secret.as_ref().unwrap().expose(), "jwt-s3cret");
    assert_eq!(config.get::<String>("smtp.password").unwrap(), "smtp-s3cret");
    assert_eq!(config.get::<Vec<String>>("feature_flags").unwrap(), ["a", "b"]);
    // Never printed.
    let debug = format!("{config:?}");
    assert!(!debug.contains("jwt-s3cret"), "{debug}");
    assert_eq!(config.redact("a smtp-s3cret b jwt-s3cret"), "a *** b ***");
}

#[test]
fn an_unset_secret_refuses_to_start_and_names_the_variable() {
    let dir = Dir::new(&[("macaron.yaml", BASE)]);
    let err = Loader::new().path(dir.file("macaron.yaml")).vars(vars(&[("JWT_SECRET", "x")])).load().unwrap_err();
    let text = err.to_string();
    assert!(text.contains("SMTP_PASSWORD is listed in env_secrets but is not set"), "{text}");
    assert!(text.starts_with(&format!("{}:2: key `env_secrets`", dir.file("macaron.yaml").display())), "{text}");
}

#[test]
fn the_environment_overlay_wins() {
    let dir = Dir::new(&[
        ("macaron.yaml", "name: pets\njwt_lifetime: 1h\nsmtp: {host: a, port: 25}\n"),
        ("macaron.prod.yaml", "jwt_lifetime: 10m\nsmtp: {host: b}\n"),
    ]);
    let config = Loader::new().path(dir.file("macaron.yaml")).env(Some("prod".into())).vars(vars(&[])).load().unwrap();
    assert_eq!(config.env, "prod");
    assert_eq!(config.jwt.lifetime, Duration::from_secs(600));
    assert_eq!(config.get::<String>("smtp.host").unwrap(), "b");
    assert_eq!(config.get::<u16>("smtp.port").unwrap(), 25);
    assert_eq!(config.files.len(), 2);
    // MACARON_ENV picks the overlay when --env is not given.
    let config = Loader::new().path(dir.file("macaron.yaml")).vars(vars(&[("MACARON_ENV", "prod")])).load().unwrap();
    assert_eq!(config.jwt.lifetime, Duration::from_secs(600));
    let config = Loader::new().path(dir.file("macaron.yaml")).vars(vars(&[])).load().unwrap();
    assert_eq!((config.env.as_str(), config.jwt.lifetime), ("dev", Duration::from_secs(3600)));
}

#[test]
fn environment_variables_override_urls_and_port() {
    let dir = Dir::new(&[("macaron.yaml", "database_url: sqlite://pets.db\nport: 8000\n")]);
    let config = Loader::new()
        .path(dir.file("macaron.yaml"))
        .vars(vars(&[("DATABASE_URL", "postgres://u:pg-pass@127.0.0.1/test"), ("PORT", "9000")]))
        .load()
        .unwrap();
    assert_eq!(config.database_url.as_ref().unwrap().expose(), "postgres://u:pg-pass@127.0.0.1/test");
    assert_eq!(config.port, Some(9000));
    assert_eq!(
        config.redact("connecting to postgres://u:pg-pass@127.0.0.1/test"),
        "connecting to postgres://u:***@127.0.0.1/test"
    );
    let err = Loader::new().path(dir.file("macaron.yaml")).vars(vars(&[("PORT", "eighty")])).load().unwrap_err();
    assert!(err.to_string().contains("PORT=\"eighty\" is not a port number"));
}

#[test]
fn wrong_types_name_the_key_file_and_line() {
    let dir = Dir::new(&[("macaron.yaml", "name: pets\njwt_lifetime: [1, 2]\n")]);
    let err = Loader::new().path(dir.file("macaron.yaml")).vars(vars(&[])).load().unwrap_err();
    assert_eq!(err.line, Some(2));
    assert_eq!(err.key.as_deref(), Some("jwt_lifetime"));
    assert!(err.to_string().contains("macaron.yaml:2: key `jwt_lifetime`: expected a duration"), "{err}");
    for (yaml, key) in [
        ("with_async: sometimes\n", "with_async"),
        ("cors_origins: {a: 1}\n", "cors_origins"),
        ("port: 70000\n", "port"),
        ("jwt_algorithm: none\n", "jwt_algorithm"),
        ("body_limit: 2 parsecs\n", "body_limit"),
        ("jwt_secret: [1]\n", "jwt_secret"),
    ] {
        let err = Loader::new().vars(vars(&[])).load_str("macaron.yaml", yaml).unwrap_err();
        assert_eq!(err.key.as_deref(), Some(key), "{yaml}");
        assert_eq!(err.line, Some(1), "{yaml}");
    }
    // A dynamic key read as the wrong type is an error too, naming the key.
    let config = Loader::new().vars(vars(&[])).load_str("macaron.yaml", "retries: many\n").unwrap();
    let err = config.get::<u32>("retries").unwrap_err();
    assert_eq!(err.key.as_deref(), Some("retries"));
    assert!(config.get::<u32>("absent").unwrap_err().to_string().contains("not set"));
    assert_eq!(config.get_opt::<u32>("absent").unwrap(), None);
}

#[test]
fn missing_files() {
    let err = Loader::new().path("/no/such/dir/macaron.yaml").vars(vars(&[])).load().unwrap_err();
    assert!(err.to_string().starts_with("/no/such/dir/macaron.yaml: cannot read"), "{err}");
    let err = Loader::new().vars(vars(&[])).load_str("macaron.yaml", "name: [\n").unwrap_err();
    assert!(err.to_string().starts_with("macaron.yaml:"), "{err}");
    assert!(err.message.starts_with("invalid YAML"));
}
