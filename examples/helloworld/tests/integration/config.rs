//! The configuration as `letsgo` reads it, through the real binary: a
//! missing env secret refuses to start and names the variable; a wrong type
//! names the key, file and line; the environment's overlay applies.

use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn dir(files: &[(&str, &str)]) -> std::path::PathBuf {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("helloworld-config-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
    dir
}

fn run_to_exit(dir: &std::path::Path, args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_helloworld"))
        .args(args)
        .current_dir(dir)
        .env_remove("HELLO_JWT_SECRET")
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn an_unset_env_secret_refuses_to_start() {
    let d = dir(&[("macaron.yaml", "name: hello\nenv_secrets: [HELLO_JWT_SECRET]\njwt_secret: HELLO_JWT_SECRET\n")]);
    let (code, stderr) = run_to_exit(&d, &["--port", "0"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("HELLO_JWT_SECRET is listed in env_secrets but is not set"), "{stderr}");
}

#[test]
fn a_wrong_type_names_key_file_and_line() {
    let d = dir(&[("svc.yaml", "name: hello\nbody_limit: lots\n")]);
    let (code, stderr) = run_to_exit(&d, &["--config", "svc.yaml", "--port", "0"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("svc.yaml:2: key `body_limit`"), "{stderr}");
    let (code, stderr) = run_to_exit(&d, &["--config", "missing.yaml"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("missing.yaml: cannot read"), "{stderr}");
}

#[tokio::test]
async fn the_overlay_of_the_environment_applies() {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let d = dir(&[
        ("macaron.yaml", "name: hello-base\n"),
        ("macaron.staging.yaml", &format!("name: hello-staging\nport: {port}\n")),
    ]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_helloworld"))
        .args(["--env", "staging"])
        .current_dir(&d)
        .env_remove("PORT")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let version = loop {
        if let Ok(r) = client.get(format!("http://127.0.0.1:{port}/version")).send().await {
            break r.json::<serde_json::Value>().await.unwrap();
        }
        assert!(Instant::now() < deadline, "helloworld did not start on the configured port");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let _ = child.kill();
    let _ = child.wait();
    // It answered on the port only the overlay names, in that environment.
    assert_eq!(version["env"], "staging");
    assert_eq!(version["name"], "helloworld", "the builder's own name wins over the file's");
}
