//! `macaron tasks` on a service's embedded queue: depth, failed tasks, requeue.

use std::process::Command;
use std::time::Duration;

use macaron_tasks::{Envelope, Queue, RetryPolicy, TaskContext};

fn macaron(dir: &std::path::Path, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_macaron"))
        .current_dir(dir)
        .args(args)
        .env_remove("REDIS_URL")
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

#[tokio::test]
async fn shows_depth_and_failed_tasks_and_requeues() {
    let dir = std::env::temp_dir().join(format!("macaron-cli-tasks-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("macaron.yaml"), "name: clitest\n").unwrap();
    let db = macaron_db::Db::connect(&format!("sqlite://{}", dir.join("clitest.db").display())).await.unwrap();
    let queue = Queue::sql(&db);
    let task = |name: &str| Envelope::new(name, serde_json::json!([1]), TaskContext::default(), RetryPolicy::new(1));
    let broken = task("app::broken");
    queue.push(&broken, Duration::ZERO).await.unwrap();
    let claimed = queue.claim("w", Duration::from_secs(30)).await.unwrap().unwrap();
    queue.fail(&claimed, "w", "it broke").await.unwrap();
    queue.push(&task("app::later"), Duration::from_secs(3600)).await.unwrap();
    queue.push(&task("app::now"), Duration::ZERO).await.unwrap();

    let (ok, out, err) = macaron(&dir, &["tasks"]);
    assert!(ok, "{err}");
    assert!(out.starts_with("clitest tasks (sql): 1 queued, 1 delayed, 0 running, 1 failed\n"), "{out}");
    assert!(out.contains(&format!("failed {} app::broken at ", broken.id)) && out.contains(": it broke"), "{out}");

    let (ok, out, err) = macaron(&dir, &["tasks", "--requeue", &broken.id]);
    assert!(ok, "{err}");
    assert_eq!(out, format!("requeued {}\n", broken.id));
    let (_, out, _) = macaron(&dir, &["tasks"]);
    assert!(out.starts_with("clitest tasks (sql): 2 queued, 1 delayed, 0 running, 0 failed\n"), "{out}");

    let (ok, _, err) = macaron(&dir, &["tasks", "--requeue", "nope"]);
    assert!(!ok);
    assert_eq!(err, "macaron tasks: no failed task with id nope\n");
    let _ = std::fs::remove_dir_all(&dir);
}
