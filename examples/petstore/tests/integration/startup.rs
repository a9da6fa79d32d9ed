//! Starting and stopping the petstore as the contract says: refusing to
//! start without its secret, `--port` / `PORT`, `--env` / `MACARON_ENV`,
//! `--config`, and SIGTERM finishing in-flight requests then exiting 0.

use crate::common;

use std::process::Stdio;

use crate::common::{reply, Backend, Launch, Service};
use serde_json::json;

fn run_to_exit(mut cmd: std::process::Command) -> (Option<i32>, String) {
    let out = cmd.stdin(Stdio::null()).output().expect("run the petstore");
    (out.status.code(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

#[test]
fn refuses_to_start_without_its_jwt_secret() {
    let dir = common::scratch_dir("nosecret");
    for value in [None, Some("")] {
        let mut cmd = std::process::Command::new(common::binary());
        cmd.current_dir(&dir)
            .args(["--port", &common::free_port().to_string()])
            .env_remove("PETSTORE_JWT_SECRET")
            .env_remove("DATABASE_URL")
            .env_remove("REDIS_URL")
            .env("PETSTORE_ALICE_PASSWORD", "a")
            .env("PETSTORE_BOB_PASSWORD", "b");
        if let Some(v) = value {
            cmd.env("PETSTORE_JWT_SECRET", v);
        }
        let (code, output) = run_to_exit(cmd);
        assert!(code.is_some_and(|c| c != 0), "exit {code:?}: {output}");
        assert!(output.contains("PETSTORE_JWT_SECRET"), "the message does not name the variable: {output}");
        assert!(!output.contains("listening"), "{output}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn refuses_to_start_without_a_users_password() {
    let dir = common::scratch_dir("nopassword");
    let mut cmd = std::process::Command::new(common::binary());
    cmd.current_dir(&dir)
        .args(["--port", &common::free_port().to_string()])
        .env("PETSTORE_JWT_SECRET", common::JWT_SECRET)
        .env_remove("PETSTORE_ALICE_PASSWORD")
        .env("PETSTORE_BOB_PASSWORD", "b");
    let (code, output) = run_to_exit(cmd);
    assert!(code.is_some_and(|c| c != 0), "{output}");
    assert!(output.contains("PETSTORE_ALICE_PASSWORD"), "{output}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn port_from_the_environment_and_env_name_from_the_flag() {
    let launch = Launch { port_from_env: true, args: vec!["--env".into(), "staging".into()], ..Launch::default() };
    let s = Service::start_with(Backend::Sqlite, launch).await.unwrap();
    let (status, version) = reply(s.get("/version").send().await.unwrap()).await;
    assert_eq!((status, version["env"].as_str()), (200, Some("staging")));

    let launch = Launch { env: vec![("MACARON_ENV".into(), "qa".into())], ..Launch::default() };
    let s = Service::start_with(Backend::Sqlite, launch).await.unwrap();
    let (_, version) = reply(s.get("/version").send().await.unwrap()).await;
    assert_eq!(version["env"], "qa");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn config_from_a_path() {
    let launch = Launch { args: vec!["--config".into(), "conf/petstore.yaml".into()], ..Launch::default() };
    // The scratch directory has macaron.yaml; move it where --config says before starting.
    let dir = common::scratch_dir("config");
    std::fs::create_dir_all(dir.join("conf")).unwrap();
    std::fs::rename(dir.join("macaron.yaml"), dir.join("conf/petstore.yaml")).unwrap();
    let port = common::free_port();
    let mut cmd = std::process::Command::new(common::binary());
    cmd.current_dir(&dir)
        .args(["--port", &port.to_string()])
        .args(&launch.args)
        .env("PETSTORE_JWT_SECRET", common::JWT_SECRET)
        .env("PETSTORE_ALICE_PASSWORD", common::ALICE_PASSWORD)
        .env("PETSTORE_BOB_PASSWORD", common::BOB_PASSWORD)
        .env_remove("DATABASE_URL")
        .env_remove("REDIS_URL")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut child = cmd.spawn().unwrap();
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let deadline = std::time::Instant::now() + common::PATIENCE;
    let login = loop {
        let r = client
            .post(format!("http://127.0.0.1:{port}/v1/login"))
            .json(&json!({"username": "alice", "password": common::ALICE_PASSWORD}))
            .send()
            .await;
        if let Ok(r) = r {
            break reply(r).await;
        }
        assert!(std::time::Instant::now() < deadline, "the petstore did not start with --config");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(login.0, 200, "the users of conf/petstore.yaml: {}", login.1);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_finishes_in_flight_requests_and_exits_0() {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

    let mut s = Service::start(Backend::Sqlite).await.unwrap();
    let token = s.login("alice").await;
    // A request in flight when the signal arrives: its head and half its body sent.
    let body = json!({"name": "in flight"}).to_string();
    let (first, rest) = body.split_at(body.len() / 2);
    let head = format!(
        "POST /v1/pets HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{first}",
        body.len()
    );
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", s.port)).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.flush().await.unwrap();
    // Let the server read what was sent (ordering only, nothing is timed).
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    s.send_sigterm();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    // New connections are refused while the one in flight completes.
    assert!(tokio::net::TcpStream::connect(("127.0.0.1", s.port)).await.is_err(), "still accepting after SIGTERM");
    stream.write_all(rest.as_bytes()).await.unwrap();
    let mut answer = String::new();
    tokio::time::timeout(common::PATIENCE, stream.read_to_string(&mut answer)).await.unwrap().unwrap();
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
    assert!(answer.contains("\"name\":\"in flight\""), "{answer}");
    let status = tokio::task::spawn_blocking(move || s.wait_exit()).await.unwrap();
    assert_eq!(status.code(), Some(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn debug_and_no_debug() {
    let launch = |args: &[&str]| Launch {
        args: args.iter().map(|a| a.to_string()).collect(),
        unset: vec!["RUST_LOG".into()],
        ..Launch::default()
    };
    let s = Service::start_with(Backend::Sqlite, launch(&["--debug"])).await.unwrap();
    assert_eq!(s.get("/v1/pets").send().await.unwrap().status(), 200);
    assert!(s.logs().contains("DEBUG"), "--debug logs at debug level:\n{}", s.logs());
    let s = Service::start_with(Backend::Sqlite, launch(&["--debug", "--no-debug"])).await.unwrap();
    assert_eq!(s.get("/v1/pets").send().await.unwrap().status(), 200);
    let logs = s.logs();
    assert!(!logs.contains("DEBUG") && logs.contains("INFO"), "the last flag wins (info):\n{logs}");
}
