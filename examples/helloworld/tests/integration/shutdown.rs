//! SIGTERM with requests in flight: every request completes and the
//! process exits 0. Runs the real `helloworld` binary.

#![cfg(unix)]

use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_finishes_in_flight_requests_and_exits_0() {
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_helloworld"))
        .args(["--port", &port.to_string()])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .expect("start helloworld");
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::builder().no_proxy().build().unwrap();

    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if client.get(format!("{base}/ping")).send().await.is_ok_and(|r| r.status() == 200) {
            break;
        }
        assert!(Instant::now() < deadline, "helloworld did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let slow: Vec<_> = (0..4)
        .map(|_| {
            let (client, url) = (client.clone(), format!("{base}/v1/slow"));
            tokio::spawn(async move {
                let r = client.get(url).send().await.expect("in-flight request completes");
                (r.status().as_u16(), r.text().await.unwrap_or_default())
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let killed = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(killed.success());

    for task in slow {
        let (status, body) = task.await.unwrap();
        assert_eq!(status, 200, "{body}");
        assert!(body.contains("slept"), "{body}");
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "helloworld did not exit after SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(0));
    // Nothing listens any more.
    assert!(client.get(format!("{base}/ping")).send().await.is_err());
}

/// `helloworld healthcheck`: 0 while the service answers, 1 when nothing does.
fn healthcheck(port: u16) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_helloworld"))
        .args(["healthcheck", "--port", &port.to_string()])
        .output()
        .expect("run helloworld healthcheck")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_turns_503_at_sigterm_and_healthcheck_follows_the_process() {
    let port = free_port();
    let config = std::env::temp_dir().join(format!("helloworld-drain-{}.yaml", std::process::id()));
    std::fs::write(&config, "shutdown_delay: 2s\n").unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_helloworld"))
        .args(["--port", &port.to_string(), "--config", config.to_str().unwrap()])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .expect("start helloworld");
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::builder().no_proxy().pool_max_idle_per_host(0).build().unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !client.get(format!("{base}/health/ready")).send().await.is_ok_and(|r| r.status() == 200) {
        assert!(Instant::now() < deadline, "helloworld did not get ready");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let ok = healthcheck(port);
    assert_eq!(ok.status.code(), Some(0), "{}", String::from_utf8_lossy(&ok.stderr));

    let sent = Instant::now();
    assert!(Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap().success());
    // During shutdown_delay: still serving, but no longer ready.
    let ready = loop {
        let reply = client.get(format!("{base}/health/ready")).send().await.expect("still accepting");
        if reply.status() == 503 {
            break reply.json::<serde_json::Value>().await.unwrap();
        }
        assert!(sent.elapsed() < Duration::from_secs(1), "ready did not turn 503 at SIGTERM");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(ready, serde_json::json!({"status": "stopping", "checks": {}}));
    assert_eq!(client.get(format!("{base}/health/live")).send().await.unwrap().status(), 200);
    assert_eq!(client.get(format!("{base}/v1/hello")).send().await.unwrap().status(), 200);

    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(sent.elapsed() < Duration::from_secs(30), "helloworld did not exit after SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(0));
    assert!(sent.elapsed() >= Duration::from_secs(2), "the listener closed before shutdown_delay");
    let down = healthcheck(port);
    assert_eq!(down.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&down.stderr);
    assert!(stderr.starts_with(&format!("healthcheck: http://127.0.0.1:{port}/health/live: ")), "{stderr}");

    let bad = Command::new(env!("CARGO_BIN_EXE_helloworld")).arg("healthcheck").env("PORT", "eighty").output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("PORT=eighty is not a port number"));
    let _ = std::fs::remove_file(&config);
}
