//! `macaron deploy --dry-run`: the plan, and the Kubernetes objects of a
//! stage against golden files (`.ci/manifests` validates the same files
//! with kubernetes-validate --strict); no secret value anywhere; bad input
//! refused with nothing written.

use std::path::Path;

use crate::common::{assert_refused, macaron, macaron_with, repo_root, scratch, show};

const VERSION: &str = "260101-0000-1-abcdef";
const SECRET: (&str, &str) = ("SHOP_JWT_SECRET", "deploy-test-secret-value-0123456789abcdef");

/// A scaffolded service (postgres, tasks, jwt) with a deploy section.
fn service(label: &str) -> std::path::PathBuf {
    let work = scratch(label);
    let root = repo_root();
    let args = ["new", "shop", "--db", "postgres", "--tasks", "--macaron-path", root.to_str().expect("UTF-8")];
    let out = macaron(&work, &args);
    assert!(out.status.success(), "{}", show(&out));
    let dir = work.join("shop");
    let base = std::fs::read_to_string(dir.join("macaron.yaml")).expect("read");
    // The scaffold says deploy: {target: kubernetes, stages: [staging, live]}.
    let base = base.replace("  stages: [staging, live]\n", "  stages: [staging, live]\n  replicas: 1\n");
    std::fs::write(dir.join("macaron.yaml"), base).expect("write");
    let live = std::fs::read_to_string(dir.join("macaron.live.yaml")).expect("read");
    let live = live.replace("deploy:\n  replicas: 2\n", "");
    let overlay = "deploy:\n  replicas: 3\n  max_replicas: 12\n  cpu: 500m\n  memory: 384Mi\n  memory_limit: 768Mi\n  host: shop.example.com\n";
    std::fs::write(dir.join("macaron.live.yaml"), format!("{live}shutdown_delay: 5s\n{overlay}")).expect("write");
    dir
}

#[test]
fn the_kubernetes_objects_match_the_golden_files() {
    let dir = service("deploy-golden");
    let out = macaron_with(&dir, &["deploy", "--version", VERSION, "--dry-run"], &[SECRET]);
    assert!(out.status.success(), "{}", show(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("stage 1 of 2: staging on kubernetes"), "{stdout}");
    assert!(stdout.contains("stage 2 of 2: live on kubernetes"), "{stdout}");
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/deploy");
    for env in ["staging", "live"] {
        let text =
            std::fs::read_to_string(dir.join(format!(".macaron/deploy/{env}/kubernetes.yaml"))).expect("written");
        assert!(!text.contains(SECRET.1), "a secret value in the {env} manifests");
        expectorate::assert_contents(golden.join(format!("{env}.yaml")), &text);
    }
    assert!(!stdout.contains(SECRET.1));
    let _ = std::fs::remove_dir_all(dir.parent().expect("the scratch folder"));
}

#[test]
fn bad_input_is_refused_and_nothing_written() {
    let dir = service("deploy-refusals");
    let written = dir.join(".macaron/deploy");
    assert_refused(&macaron(&dir, &["deploy", "--target", "moon", "--dry-run"]), 2, "invalid value 'moon'");
    assert_refused(&macaron(&dir, &["deploy", "--dryrun"]), 2, "unexpected argument '--dryrun'");
    assert_refused(
        &macaron(&dir, &["deploy", "--dry-run"]),
        2,
        "not in git and no image built (macaron docker build): give --version",
    );
    let out = macaron_with(&dir, &["deploy", "--version", VERSION, "--yes"], &[SECRET]);
    assert_refused(&out, 2, "is not in a git repository: macaron deploy deploys a commit");
    let base = std::fs::read_to_string(dir.join("macaron.yaml")).expect("read");
    std::fs::write(dir.join("macaron.yaml"), base.replace("replicas: 1", "replica: 1")).expect("write");
    assert_refused(&macaron(&dir, &["deploy", "--version", VERSION, "--dry-run"]), 2, "unknown field `replica`");
    std::fs::write(dir.join("macaron.yaml"), base.replace("  stages: [staging, live]\n", "")).expect("write");
    assert_refused(&macaron(&dir, &["deploy", "--version", VERSION, "--dry-run"]), 2, "no stage: list them");
    assert!(!written.exists(), "something was written under {}", written.display());
    let _ = std::fs::remove_dir_all(dir.parent().expect("the scratch folder"));
}
