//! `macaron deploy`, run for real: a service scaffolded by `macaron new`
//! taken from a commit through staging on this host (`local`) to live in a
//! container (`container`), the petstore through staging in a container to
//! live on this host, a staging
//! whose tests fail (back to the version before, live untouched), a
//! rollback (`/version` says so); Kubernetes and Cloud Run through
//! stand-in `kubectl` / `gcloud` programs that record their exact
//! commands; and the refusals.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use crate::common::{assert_refused, engine_ready, free_port, macaron_with, repo_root, scratch, show};

const SECRET: (&str, &str) = ("SHOP_JWT_SECRET", "pipeline-secret-of-the-shop-0123456789abcdef");

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .output()
        .expect("git");
    assert!(out.status.success(), "{}", show(&out));
}

fn commit(dir: &Path, message: &str) {
    git(dir, &["add", "--all"]);
    git(dir, &["commit", "--quiet", "-m", message]);
}

/// `GET URL/version`'s version, or why not.
fn version_at(port: u16) -> String {
    let mut stream = match std::net::TcpStream::connect(("127.0.0.1", port)) {
        Ok(stream) => stream,
        Err(e) => return format!("nothing answers: {e}"),
    };
    use std::io::{Read, Write};
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let _ = stream.write_all(b"GET /version HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    let mut reply = String::new();
    let _ = stream.read_to_string(&mut reply);
    let body = reply.split("\r\n\r\n").nth(1).unwrap_or_default();
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v["version"].as_str().map(str::to_string))
        .unwrap_or(reply)
}

/// The version a run deployed, from its last line (`... VERSION is live on ...`) or a stage's.
fn deployed_version(out: &Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout.lines().find(|l| l.contains(" (commit ")).expect("the checkout line");
    line.split_whitespace().next().expect("a version").to_string()
}

/// Stops what a `local` deploy left running (the supervisors of each stage).
struct Supervisors(PathBuf, Vec<&'static str>);

impl Drop for Supervisors {
    fn drop(&mut self) {
        for env in &self.1 {
            let file = self.0.join(".macaron/run").join(env).join("supervisor.pid");
            if let Some(pid) = std::fs::read_to_string(file).ok().and_then(|t| t.trim().parse::<i32>().ok()) {
                let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), nix::sys::signal::Signal::SIGTERM);
            }
        }
    }
}

#[test]
fn a_scaffolded_service_goes_from_a_commit_through_staging_here_to_live_in_a_container() {
    let _heavy = common::heavy();
    if !engine_ready() {
        return;
    }
    let work = scratch("pipeline-local");
    let root = repo_root();
    let out = common::macaron(
        &work,
        &["new", "shop", "--db", "sqlite", "--tasks", "--auth", "jwt", "--macaron-path", root.to_str().expect("UTF-8")],
    );
    assert!(out.status.success(), "{}", show(&out));
    let dir = work.join("shop");
    let (staging, live) = (free_port(), free_port());
    let _running = Supervisors(dir.clone(), vec!["staging"]);
    let _containers = Containers("shop");
    // staging on this host, live in a container: the binary is built here
    // and packaged on the local base image (no registry answers here).
    let config = std::fs::read_to_string(dir.join("macaron.yaml")).expect("read");
    let config = config.replace("target: kubernetes", "target: local\n  build: host");
    std::fs::write(dir.join("macaron.yaml"), format!("{config}docker_base: {}\n", common::BASE)).expect("write");
    let overlay = std::fs::read_to_string(dir.join("macaron.live.yaml")).expect("read");
    std::fs::write(dir.join("macaron.live.yaml"), format!("{overlay}  target: container\n")).expect("write");
    for (env, port) in [("staging", staging), ("live", live)] {
        let file = dir.join(format!("macaron.{env}.yaml"));
        let text = std::fs::read_to_string(&file).expect("read");
        let text = text
            .lines()
            .map(|l| {
                if l.starts_with("url:") {
                    format!("url: http://127.0.0.1:{port}\nport: {port}")
                } else {
                    l.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        std::fs::write(&file, text + "\n").expect("write");
    }
    git(&dir, &["init", "--quiet"]);
    commit(&dir, "first");

    // A typo in a flag deploys nothing.
    let out = macaron_with(&dir, &["deploy", "--yes", "--no-unit-test"], &[SECRET]);
    assert_refused(&out, 2, "--no-unit-test");
    // live asks for a confirmation; without a terminal, --yes.
    let out = macaron_with(&dir, &["deploy"], &[SECRET]);
    assert_refused(&out, 2, "deploying to live needs a confirmation: run in a terminal, or pass --yes");
    // A missing secret, a dirty tree: refused before anything runs.
    let out = macaron_with(&dir, &["deploy", "--yes"], &[]);
    assert_refused(&out, 2, "the secret SHOP_JWT_SECRET (env_secrets of staging) is not set in this environment");
    std::fs::write(dir.join("notes.txt"), "work in progress\n").expect("write");
    let out = macaron_with(&dir, &["deploy", "--yes"], &[SECRET]);
    assert_refused(&out, 2, "uncommitted changes (1 files: notes.txt)");
    std::fs::remove_file(dir.join("notes.txt")).expect("rm");
    assert!(!dir.join(".macaron/run").exists(), "nothing was deployed");

    // The whole pipeline: staging, then live.
    let out = macaron_with(&dir, &["deploy", "--yes"], &[SECRET]);
    assert!(out.status.success(), "{}", show(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    for step in [
        "step 1 of 11: clean checkout of",
        "step 2 of 11: unit tests (cargo test)",
        "step 4 of 11: acceptance tests against shop:",
        "step 5 of 11: push: skipped (no deploy.registry)",
        "step 6 of 11: deploy",
        "to staging (local)",
        "to live (container)",
        "step 7 of 11: readiness of",
        "step 8 of 11: acceptance tests of staging",
        "step 11 of 11: acceptance tests of live",
        "test the_background_task_processes_new_items ... ok",
    ] {
        assert!(stdout.contains(step), "{step}\n{}", show(&out));
    }
    let first = deployed_version(&out);
    assert_eq!(version_at(staging), first);
    assert_eq!(version_at(live), first);
    assert!(!String::from_utf8_lossy(&out.stdout).contains(SECRET.1), "the secret is in the output");

    // A second commit, to staging alone.
    std::fs::write(dir.join("CHANGELOG.md"), "second\n").expect("write");
    commit(&dir, "second");
    let out = macaron_with(&dir, &["deploy", "--env", "staging", "--no-unit-tests"], &[SECRET]);
    assert!(out.status.success(), "{}", show(&out));
    let second = deployed_version(&out);
    assert_ne!(first, second);
    assert_eq!(version_at(staging), second);
    assert_eq!(version_at(live), first);

    // A third whose tests fail on staging: staging returns to the second, live keeps the first.
    let tests = std::fs::read_to_string(dir.join("tests/acceptance.rs")).expect("read");
    let failing = format!(
        "{tests}\n#[test]\nfn staging_is_broken() {{\n    let url = std::env::var(\"MACARON_TEST_URL\").unwrap_or_default();\n    \
         assert!(!url.ends_with(\":{staging}\"), \"broken on staging\");\n}}\n"
    );
    std::fs::write(dir.join("tests/acceptance.rs"), failing).expect("write");
    commit(&dir, "third");
    let out = macaron_with(&dir, &["deploy", "--yes", "--no-unit-tests"], &[SECRET]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("step 8 of 11: acceptance tests of staging failed"), "{}", show(&out));
    assert!(stderr.contains(&format!("staging is back on {second}")), "{}", show(&out));
    assert_eq!(version_at(staging), second);
    assert_eq!(version_at(live), first);
    assert!(!String::from_utf8_lossy(&out.stdout).contains("step 9 of 11"), "live was not touched");

    // A rollback of staging to the first version.
    let out = macaron_with(&dir, &["deploy", "--env", "staging", "--rollback", &first], &[SECRET]);
    assert!(out.status.success(), "{}", show(&out));
    assert_eq!(version_at(staging), first);
    let out = macaron_with(&dir, &["deploy", "--env", "staging", "--rollback", "000000-0000-0-000000"], &[SECRET]);
    assert_refused(&out, 2, "no release 000000-0000-0-000000 of staging here");
    drop(_running);
    drop(_containers);
    let _ = std::fs::remove_dir_all(&work);
}

/// The petstore's secrets, as its operators would export them.
const PETSTORE_SECRETS: [(&str, &str); 3] = [
    ("PETSTORE_JWT_SECRET", "pipeline-jwt-secret-0123456789abcdefghijklmnop"),
    ("PETSTORE_ALICE_PASSWORD", "alice-pipeline-password-4711"),
    ("PETSTORE_BOB_PASSWORD", "bob-pipeline-password-0815"),
];

/// The petstore's files in a repository of their own, with a stage
/// overlay; nothing is compiled (the runs below build nothing).
fn petstore_repo(label: &str, staging: &str) -> PathBuf {
    let dir = scratch(label).join("petstore");
    let from = repo_root().join("examples/petstore");
    let sources = std::fs::read_dir(from.join("src"))
        .expect("src/")
        .map(|e| format!("src/{}", e.expect("entry").file_name().to_string_lossy()));
    for file in ["macaron.yaml", "build.rs", "apis/petstore.yaml"].into_iter().map(str::to_string).chain(sources) {
        let to = dir.join(&file);
        std::fs::create_dir_all(to.parent().expect("a parent")).expect("mkdir");
        std::fs::copy(from.join(&file), &to).expect("copy");
    }
    let manifest = "[package]\nname = \"petstore\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[[bin]]\nname = \"petstore\"\npath = \"src/main.rs\"\n\n[workspace]\n";
    std::fs::write(dir.join("Cargo.toml"), manifest).expect("write");
    std::fs::write(dir.join("macaron.staging.yaml"), staging).expect("write");
    git(&dir, &["init", "--quiet"]);
    commit(&dir, "first");
    dir
}

/// A stand-in for a program that cannot run here, on a PATH of its own.
fn stand_in(dir: &Path, name: &str, script: &str) -> String {
    let bin = dir.parent().expect("scratch").join("bin");
    std::fs::create_dir_all(&bin).expect("mkdir");
    std::fs::write(bin.join(name), script).expect("write the stand-in");
    std::fs::set_permissions(bin.join(name), std::os::unix::fs::PermissionsExt::from_mode(0o755)).expect("chmod");
    format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default())
}

fn no_secret_in(texts: &[String]) {
    for (name, value) in PETSTORE_SECRETS {
        for text in texts {
            assert!(!text.contains(value), "the value of {name} is in:\n{text}");
        }
    }
}

#[test]
fn kubernetes_applies_waits_for_the_rollout_and_undoes_a_failed_one() {
    let _heavy = common::heavy();
    let staging = "url: https://petstore.staging.example.com\ndeploy:\n  target: kubernetes\n  context: kind-ci\n  ready_timeout: 90s\n";
    let dir = petstore_repo("pipeline-kubernetes", staging);
    let log = dir.parent().expect("scratch").join("kubectl.log");
    let script = "#!/bin/sh\necho \"kubectl $*\" >> \"$KUBECTL_LOG\"\ncase \"$*\" in\n  \
        *\"rollout status\"*) if [ -n \"$FAIL_ROLLOUT\" ]; then echo 'error: timed out waiting for the condition' >&2; exit 1; fi ;;\n  \
        *\" apply \"*) if [ -n \"$FAIL_APPLY\" ]; then echo 'Error from server (Forbidden): deployments.apps is forbidden' >&2; exit 1; fi ;;\nesac\nexit 0\n";
    let path = stand_in(&dir, "kubectl", script);
    let args = [
        "deploy",
        "--env",
        "staging",
        "--version",
        "1.0.0",
        "--no-unit-tests",
        "--no-build",
        "--no-acceptance",
        "--no-push",
    ];
    let mut vars = vec![("PATH", path.as_str()), ("KUBECTL_LOG", log.to_str().expect("UTF-8"))];
    vars.extend(PETSTORE_SECRETS);
    let manifest = dir.join(".macaron/deploy/staging/kubernetes.yaml");
    let apply = format!("kubectl --context kind-ci apply --filename {}", manifest.display());
    let status = |d: &str| {
        format!("kubectl --context kind-ci rollout status deployment/{d} --namespace petstore-staging --timeout 90s")
    };
    let undo = |d: &str| format!("kubectl --context kind-ci rollout undo deployment/{d} --namespace petstore-staging");

    let out = macaron_with(&dir, &args, &vars);
    assert!(out.status.success(), "{}", show(&out));
    let commands = std::fs::read_to_string(&log).expect("the log");
    assert_eq!(commands.lines().collect::<Vec<_>>(), [apply.clone(), status("petstore"), status("petstore-worker")]);
    let yaml = std::fs::read_to_string(&manifest).expect("the manifest");
    assert!(yaml.contains("image: petstore:1.0.0"), "{yaml}");
    no_secret_in(&[
        commands,
        yaml,
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    ]);

    // A rollout that never finishes: undone, and the step named.
    std::fs::remove_file(&log).expect("rm");
    let mut failing = vars.clone();
    failing.push(("FAIL_ROLLOUT", "1"));
    let out = macaron_with(&dir, &args, &failing);
    assert_refused(&out, 1, "step 7 of 8: readiness of 1.0.0 in staging failed");
    assert!(String::from_utf8_lossy(&out.stderr).contains("rolled back (kubectl rollout undo)"), "{}", show(&out));
    let commands = std::fs::read_to_string(&log).expect("the log");
    assert_eq!(
        commands.lines().collect::<Vec<_>>(),
        [apply.clone(), status("petstore"), undo("petstore"), undo("petstore-worker")]
    );

    // An apply the cluster refuses: the deploy step fails, nothing recorded.
    std::fs::remove_file(&log).expect("rm");
    let _ = std::fs::remove_file(dir.join(".macaron/deploy/staging/state.json"));
    let mut refused = vars.clone();
    refused.push(("FAIL_APPLY", "1"));
    let out = macaron_with(&dir, &args, &refused);
    assert_refused(&out, 1, "step 6 of 8: deploy 1.0.0 to staging (kubernetes) failed");
    assert!(String::from_utf8_lossy(&out.stderr).contains("Error from server (Forbidden)"), "{}", show(&out));
    assert_eq!(std::fs::read_to_string(&log).expect("the log").lines().collect::<Vec<_>>(), [apply]);
    assert!(!dir.join(".macaron/deploy/staging/state.json").exists(), "a refused apply deployed nothing");
    let _ = std::fs::remove_dir_all(dir.parent().expect("scratch"));
}

#[test]
fn cloud_run_tests_a_candidate_before_it_takes_the_traffic() {
    let _heavy = common::heavy();
    let staging = "url: https://petstore.staging.example.com\ndeploy:\n  target: cloud-run\n  region: europe-west1\n  project: acme-staging\n  replicas: 1\n  max_replicas: 4\n";
    let dir = petstore_repo("pipeline-cloud-run", staging);
    let scratch_dir = dir.parent().expect("scratch").to_path_buf();
    let (log, state, next) =
        (scratch_dir.join("gcloud.log"), scratch_dir.join("state.json"), scratch_dir.join("next.json"));
    let script = "#!/bin/sh\necho \"gcloud $*\" >> \"$GCLOUD_LOG\"\ncase \"$*\" in\n  \
        *\"services describe\"*) if [ -f \"$GCLOUD_STATE\" ]; then cat \"$GCLOUD_STATE\"; else echo 'ERROR: (gcloud.run.services.describe) Cannot find service [petstore-staging]: it could not be found.' >&2; exit 1; fi ;;\n  \
        *\"services replace\"*) cp \"$GCLOUD_NEXT\" \"$GCLOUD_STATE\" ;;\nesac\nexit 0\n";
    let path = stand_in(&dir, "gcloud", script);
    let mut vars = vec![
        ("PATH", path.as_str()),
        ("GCLOUD_LOG", log.to_str().expect("UTF-8")),
        ("GCLOUD_STATE", state.to_str().expect("UTF-8")),
        ("GCLOUD_NEXT", next.to_str().expect("UTF-8")),
    ];
    vars.extend(PETSTORE_SECRETS);
    let described = |revision: &str, traffic: serde_json::Value| {
        serde_json::json!({"status": {
            "url": "https://petstore-staging-abc123-ew.a.run.app",
            "latestReadyRevisionName": revision,
            "conditions": [{"type": "Ready", "status": "True"}],
            "traffic": traffic,
        }})
        .to_string()
    };
    let flags = "--region europe-west1 --project acme-staging --quiet";
    let file = dir.join(".macaron/deploy/staging/cloud-run.yaml");
    let args = |v: &'static str| {
        ["deploy", "--env", "staging", "--version", v, "--no-unit-tests", "--no-build", "--no-acceptance", "--no-push"]
    };

    // The first deploy: the new service takes the traffic at once.
    let first = described(
        "petstore-staging-1-0-0",
        serde_json::json!([{"revisionName": "petstore-staging-1-0-0", "percent": 100}]),
    );
    std::fs::write(&next, first).expect("write");
    let out = macaron_with(&dir, &args("1.0.0"), &vars);
    assert!(out.status.success(), "{}", show(&out));
    let describe = format!("gcloud run services describe petstore-staging --format json {flags}");
    let replace = format!("gcloud run services replace {} {flags}", file.display());
    let promote = format!("gcloud run services update-traffic petstore-staging --to-latest {flags}");
    let commands = std::fs::read_to_string(&log).expect("the log");
    assert_eq!(
        commands.lines().collect::<Vec<_>>(),
        [describe.clone(), replace.clone(), describe.clone(), describe.clone(), promote.clone()]
    );

    // The second: 1.0.0 keeps the traffic while 2.0.0 is the tagged candidate.
    std::fs::remove_file(&log).expect("rm");
    let second = described(
        "petstore-staging-2-0-0",
        serde_json::json!([
            {"revisionName": "petstore-staging-1-0-0", "percent": 100},
            {"revisionName": "petstore-staging-2-0-0", "percent": 0, "tag": "candidate", "url": "https://candidate---petstore-staging-abc123-ew.a.run.app"},
        ]),
    );
    std::fs::write(&next, second).expect("write");
    let out = macaron_with(&dir, &args("2.0.0"), &vars);
    assert!(out.status.success(), "{}", show(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("is ready at https://candidate---petstore-staging"),
        "{}",
        show(&out)
    );
    let yaml = std::fs::read_to_string(&file).expect("the service");
    expectorate::assert_contents(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/deploy/cloud-run.yaml"),
        &yaml,
    );
    let commands = std::fs::read_to_string(&log).expect("the log");
    assert_eq!(commands.lines().collect::<Vec<_>>(), [describe.clone(), replace, describe.clone(), describe, promote]);
    no_secret_in(&[
        commands,
        yaml,
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    ]);

    // A rollback moves the traffic back to the revision of 1.0.0.
    std::fs::remove_file(&log).expect("rm");
    let out = macaron_with(&dir, &["deploy", "--env", "staging", "--rollback", "1.0.0", "--no-acceptance"], &vars);
    assert!(out.status.success(), "{}", show(&out));
    let commands = std::fs::read_to_string(&log).expect("the log");
    assert_eq!(
        commands.lines().collect::<Vec<_>>(),
        [format!(
            "gcloud run services update-traffic petstore-staging --to-revisions petstore-staging-1-0-0=100 {flags}"
        )]
    );
    // A stage without its region is refused before anything runs.
    std::fs::write(dir.join("macaron.staging.yaml"), "deploy:\n  target: cloud-run\n  project: acme\n").expect("write");
    let out = macaron_with(&dir, &args("3.0.0"), &vars);
    assert_refused(&out, 2, "deploy.region is not set for staging: the cloud-run target needs it");
    let _ = std::fs::remove_dir_all(&scratch_dir);
}

#[test]
fn bad_input_deploys_nothing() {
    let _heavy = common::heavy();
    let dir = petstore_repo("pipeline-refusals", "deploy:\n  target: kubernetes\n");
    let out = common::macaron(&dir, &["deploy", "--env", "staging", "--target", "heroku"]);
    assert_refused(&out, 2, "invalid value 'heroku' for '--target <TARGET>'");
    let out = common::macaron(&dir, &["deploy"]);
    assert_refused(
        &out,
        2,
        "no stage: list them in the configuration (deploy: {stages: [staging, live]}) or give --env",
    );
    let out = common::macaron(&dir, &["deploy", "--rollback", "1"]);
    assert_refused(&out, 2, "--rollback needs the stage it returns: --env NAME");
    let out = common::macaron(
        &dir,
        &["deploy", "--env", "staging", "--commit", "no-such-commit", "--no-build", "--no-acceptance"],
    );
    assert_refused(&out, 2, "--commit no-such-commit: no such commit");
    std::fs::write(dir.join("macaron.staging.yaml"), "deploy:\n  target: local\n").expect("write");
    let out = common::macaron(&dir, &["deploy", "--env", "staging"]);
    assert_refused(&out, 2, "no port for staging: the local and container targets listen on `port`");
    std::fs::write(dir.join("macaron.staging.yaml"), "deploy:\n  target: local\n  replica: 3\n").expect("write");
    let out = common::macaron(&dir, &["deploy", "--env", "staging"]);
    assert_refused(&out, 2, "unknown field `replica`");
    let _ = std::fs::remove_dir_all(dir.parent().expect("scratch"));
}

#[test]
fn the_petstore_goes_through_staging_in_a_container_to_live_here() {
    let _heavy = common::heavy();
    if !engine_ready() {
        return;
    }
    let _turn = common::petstore_images();
    let work = scratch("pipeline-container");
    let clone = work.join("macaron");
    git(&work, &["clone", "--quiet", repo_root().to_str().expect("UTF-8"), "macaron"]);
    let dir = clone.join("examples/petstore");
    let (staging, live) = (free_port(), free_port());
    let config = std::fs::read_to_string(dir.join("macaron.yaml")).expect("read");
    // The binary is built here and packaged on the local base image (no registry answers here).
    let deploy = format!(
        "docker_base: {}\ndeploy:\n  target: container\n  stages: [staging, live]\n  build: host\n  profile: dev\n",
        common::BASE
    );
    std::fs::write(dir.join("macaron.yaml"), format!("{config}{deploy}")).expect("write");
    // staging in a container, live on this host.
    for (env, port, target) in [("staging", staging, "container"), ("live", live, "local")] {
        let overlay = format!("port: {port}\nurl: http://127.0.0.1:{port}\ndeploy:\n  target: {target}\n");
        std::fs::write(dir.join(format!("macaron.{env}.yaml")), overlay).expect("write");
    }
    commit(&clone, "the petstore's stages");
    let cleanup = Containers("petstore");
    let running = Supervisors(dir.clone(), vec!["live"]);
    // The petstore builds where the workspace's tests built it (its dependencies are there).
    let target = std::env::current_exe().expect("the test").ancestors().nth(3).expect("target/").to_path_buf();
    let mut vars = vec![("CARGO_TARGET_DIR", target.to_str().expect("UTF-8"))];
    vars.extend(PETSTORE_SECRETS);

    // A registry that refuses the push: the step is named, nothing runs.
    std::fs::write(dir.join("macaron.yaml"), format!("{config}{deploy}  registry: 127.0.0.1:9/acme\n")).expect("write");
    let out = macaron_with(&dir, &["deploy", "--yes", "--commit", "HEAD", "--no-unit-tests"], &vars);
    assert_refused(&out, 1, "step 5 of 11: push 127.0.0.1:9/acme/petstore:");
    assert!(String::from_utf8_lossy(&out.stderr).contains("the registry refused the push"), "{}", show(&out));
    assert!(container_names("petstore-staging").is_empty(), "nothing deployed");
    let pushed = format!("127.0.0.1:9/acme/petstore:{}", deployed_version(&out));
    let tag = Command::new("podman").args(["image", "exists", &pushed]).status().expect("podman");
    assert!(!tag.success(), "the tag {pushed} for the refused push is gone");
    git(&clone, &["checkout", "--quiet", "examples/petstore/macaron.yaml"]);

    // The pipeline: the image of the same commit is reused.
    let out = macaron_with(&dir, &["deploy", "--yes"], &vars);
    assert!(out.status.success(), "{}", show(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("exists: reused"), "{}", show(&out));
    assert!(stdout.contains("step 4 of 11: acceptance tests against petstore:"), "{}", show(&out));
    assert!(stdout.contains("test alice_logs_in_and_keeps_a_pet ... ok"), "{}", show(&out));
    let version = deployed_version(&out);
    assert_eq!(version_at(staging), version);
    assert_eq!(version_at(live), version);
    assert!(stdout.contains("to staging (container)") && stdout.contains("to live (local)"), "{}", show(&out));
    assert_eq!(container_names("petstore-staging").len(), 1);
    let all = format!("{}{}", stdout, String::from_utf8_lossy(&out.stderr));
    no_secret_in(&[all]);

    // Deployed again (the same version): the new container replaces the old one.
    let out = macaron_with(&dir, &["deploy", "--env", "staging", "--no-unit-tests", "--no-acceptance"], &vars);
    assert!(out.status.success(), "{}", show(&out));
    assert_eq!(container_names("petstore-staging").len(), 1, "the old container is gone");
    assert_eq!(version_at(staging), version);
    let out = macaron_with(&dir, &["deploy", "--env", "staging", "--rollback", "000000-0000-0-000000"], &vars);
    assert_refused(&out, 2, "no image petstore:000000-0000-0-000000 here");
    drop(cleanup);
    drop(running);
    let _ = std::fs::remove_dir_all(&work);
}

fn container_names(label: &str) -> Vec<String> {
    let out = Command::new("podman")
        .args(["ps", "--all", "--filter", &format!("label=macaron.deploy={label}"), "--format", "{{.Names}}"])
        .output()
        .expect("podman");
    String::from_utf8_lossy(&out.stdout).lines().map(str::to_string).collect()
}

/// Removes a service's deployed containers, volumes and images, passed or failed.
struct Containers(&'static str);

impl Drop for Containers {
    fn drop(&mut self) {
        for env in ["staging", "live"] {
            for name in container_names(&format!("{}-{env}", self.0)) {
                let _ = Command::new("podman").args(["rm", "--force", &name]).output();
            }
            let _ = Command::new("podman").args(["volume", "rm", &format!("{}-{env}-data", self.0)]).output();
        }
        let filter = format!("reference={}", self.0);
        let listed = Command::new("podman")
            .args(["images", "--filter", &filter, "--format", "{{.Repository}}:{{.Tag}}"])
            .output();
        for image in listed.map(|o| String::from_utf8_lossy(&o.stdout).into_owned()).unwrap_or_default().lines() {
            let _ = Command::new("podman").args(["rmi", image]).output();
        }
    }
}
