//! `macaron docker` and `macaron test --image`, for real: the petstore's
//! image built with `--prebuilt` on the local base image
//! (`.ci/containers` makes it), run with its secrets from the environment,
//! tested from outside, stopped with SIGTERM; the Dockerfiles against
//! golden files; and every refusal.
//!
//! Without a container engine or the base image these tests print why
//! and skip, except under CI=true, where they fail.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::common::{assert_refused, engine_ready, petstore_images, repo_root, scratch, show, Images, BASE};

/// The petstore's secrets, as its operators would export them.
const SECRETS: [(&str, &str); 3] = [
    ("PETSTORE_JWT_SECRET", "image-test-secret-0123456789abcdefghijklmnop"),
    ("PETSTORE_ALICE_PASSWORD", "alice-image-password-4711"),
    ("PETSTORE_BOB_PASSWORD", "bob-image-password-0815"),
];

/// The workspace's own target folder (the one running these tests).
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test's executable");
    exe.ancestors().nth(3).expect("target/<profile>/deps/<test>").to_path_buf()
}

/// `macaron ARGS` in `dir`, building into the workspace's target folder.
fn macaron(dir: &Path, args: &[&str], vars: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_macaron"));
    command.current_dir(dir).args(args).env("CARGO_TARGET_DIR", target_dir());
    for (name, value) in vars {
        command.env(name, value);
    }
    command.output().expect("run macaron")
}

fn podman(args: &[&str]) -> Output {
    Command::new("podman").args(args).output().expect("run podman")
}

/// The petstore's binary: the one `cargo test --workspace` built (asking
/// for it with the workspace's features rebuilds nothing; `cargo build -p
/// petstore` would resolve other features and compile again).
fn petstore_binary() -> PathBuf {
    let out = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .current_dir(repo_root())
        .args(["test", "--workspace", "--no-run", "--message-format=json-render-diagnostics"])
        .env("CARGO_TARGET_DIR", target_dir())
        .output()
        .expect("run cargo");
    assert!(out.status.success(), "{}", show(&out));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|m| m["target"]["name"] == "petstore" && m["profile"]["test"] == false)
        .filter(|m| m["target"]["kind"].as_array().is_some_and(|k| k.iter().any(|k| k == "bin")))
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
        .expect("cargo names the petstore's executable")
}

fn inspect(image: &str, format: &str) -> String {
    let out = podman(&["image", "inspect", "--format", format, image]);
    assert!(out.status.success(), "{}", show(&out));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn the_petstore_image_runs_as_a_user_and_passes_its_acceptance_tests() {
    let _heavy = common::heavy();
    if !engine_ready() {
        return;
    }
    let _turn = petstore_images();
    let petstore = repo_root().join("examples/petstore");
    let binary = petstore_binary();
    let out = macaron(
        &petstore,
        &["docker", "build", "--prebuilt", binary.to_str().expect("UTF-8"), "--base", BASE, "--allow-dirty"],
        &[],
    );
    assert!(out.status.success(), "{}", show(&out));
    let record: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(petstore.join(".macaron/last_image.json")).expect("the build's record"),
    )
    .expect("JSON");
    let (image, version) = (record["image"].as_str().expect("image"), record["version"].as_str().expect("version"));
    let _images = Images(vec![image.to_string()]);
    assert_eq!(image, format!("petstore:{version}"));
    assert!(record["digest"].as_str().is_some_and(|d| d.starts_with("sha256:")), "{record}");
    let shape = version.trim_end_matches("-dirty").split('-').map(str::len).collect::<Vec<_>>();
    assert_eq!(shape[..2], [6, 4], "YYMMDD-HHMM-COUNT-SHA6: {version}");
    assert_eq!(shape[3], 6, "YYMMDD-HHMM-COUNT-SHA6: {version}");

    // What the image says about itself.
    assert_eq!(inspect(image, "{{.Config.User}}"), "10001:10001");
    assert_eq!(inspect(image, "{{json .Config.Entrypoint}}"), r#"["/app/petstore"]"#);
    assert_eq!(inspect(image, "{{index .Config.Labels \"org.opencontainers.image.version\"}}"), version);
    let revision = inspect(image, "{{index .Config.Labels \"org.opencontainers.image.revision\"}}");
    assert_eq!(revision.len(), 40, "{revision}");
    assert!(inspect(image, "{{json .Config.ExposedPorts}}").contains("8080/tcp"));
    assert!(inspect(image, "{{json .Config.Healthcheck}}").contains(r#""/app/petstore","healthcheck""#));
    assert!(inspect(image, "{{json .Config.Env}}").contains(&format!("MACARON_VERSION={version}")));

    // Run it, test it from outside, stop it: `macaron test --image`.
    let out = macaron(&petstore, &["test", "--image", image], &SECRETS);
    assert!(out.status.success(), "{}", show(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("test alice_logs_in_and_keeps_a_pet ... ok"), "{stdout}");
    assert!(stdout.contains("3 passed, 0 failed"), "{stdout}");

    // No secret in the image: not in its configuration, not in its history.
    let mut seen = inspect(image, "{{json .}}");
    seen.push_str(&String::from_utf8_lossy(&podman(&["history", "--no-trunc", image]).stdout));
    for (name, value) in SECRETS {
        assert!(!seen.contains(value), "the value of {name} is in the image");
    }
    // The container is gone.
    let left = podman(&["ps", "--all", "--format", "{{.Names}}"]);
    assert!(!String::from_utf8_lossy(&left.stdout).contains("macaron-test-"), "{}", show(&left));
}

#[test]
fn a_container_that_never_gets_ready_or_a_missing_base_is_an_error() {
    let _heavy = common::heavy();
    if !engine_ready() {
        return;
    }
    let _turn = petstore_images();
    let dir = service_copy("deaf");
    // A template of the service's own: inside, the service listens on
    // 9999, so the published 8080 never answers.
    let template = "FROM {{ base }}\nWORKDIR /app\n# macaron: Dockerfile.extra\nCOPY {{ bin }} /app/{{ bin }}\n\
        COPY macaron.yaml /app/macaron.yaml\nENV MACARON_DATA_DIR=/tmp\nUSER 10001:10001\nENTRYPOINT [\"/app/{{ bin }}\"]\nCMD [\"--port\", \"9999\"]\n";
    std::fs::write(dir.join("deaf.j2"), template).expect("write the template");
    let binary = petstore_binary();
    let args = [
        "docker",
        "build",
        "--prebuilt",
        binary.to_str().expect("UTF-8"),
        "--base",
        BASE,
        "--version",
        "1.0.0",
        "--template",
        "deaf.j2",
    ];
    let _images = Images(vec!["petstore:1.0.0".to_string()]);
    let out = macaron(&dir, &args, &[]);
    assert!(out.status.success(), "{}", show(&out));
    // The petstore's folder: its acceptance tests and its configuration.
    let petstore = repo_root().join("examples/petstore");
    let out = macaron(&petstore, &["test", "--image", "petstore:1.0.0", "--ready-timeout", "3s"], &SECRETS);
    assert_refused(&out, 1, "the container was not ready within 3s");

    let out = macaron(&petstore, &["test", "--image", "petstore:1.0.0"], &[]);
    assert_refused(&out, 2, "the secret PETSTORE_JWT_SECRET (env_secrets of the configuration) is not set");

    let mut args = args.to_vec();
    args[5] = "localhost/macaron-no-such-base:1";
    let out = macaron(&dir, &args, &[]);
    assert_refused(&out, 2, "the base image localhost/macaron-no-such-base:1 is not here and cannot be pulled");
    let _ = std::fs::remove_dir_all(dir.parent().expect("the scratch folder"));
}

/// A copy of the petstore's files (not its git) in a scratch folder.
fn service_copy(label: &str) -> PathBuf {
    let dir = scratch(label).join("petstore");
    let from = repo_root().join("examples/petstore");
    for file in ["Cargo.toml", "macaron.yaml", "build.rs", "src/main.rs", "src/lib.rs", "apis/petstore.yaml"] {
        let to = dir.join(file);
        std::fs::create_dir_all(to.parent().expect("a parent")).expect("mkdir");
        std::fs::copy(from.join(file), &to).expect("copy");
    }
    // A package of its own, outside the workspace: `macaron docker` reads
    // its name and binary; the binary is the petstore's, prebuilt.
    let manifest = "[package]\nname = \"petstore\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[[bin]]\nname = \"petstore\"\npath = \"src/main.rs\"\n\n[workspace]\n";
    std::fs::write(dir.join("Cargo.toml"), manifest).expect("write");
    dir
}

#[test]
fn refusals_each_name_their_reason() {
    let _heavy = common::heavy();
    let dir = service_copy("refusals");
    // Not in git, no --version.
    let out = macaron(&dir, &["docker", "dockerfile"], &[]);
    assert_refused(&out, 2, "is not in a git repository with a commit: the version comes from git; give --version V");
    // A template without the marker.
    std::fs::write(dir.join("mine.j2"), "FROM {{ base }}\nENTRYPOINT [\"/app/{{ bin }}\"]\n").expect("write");
    let out = macaron(&dir, &["docker", "dockerfile", "--version", "1", "--template", "mine.j2"], &[]);
    assert_refused(&out, 2, "mine.j2: no line '# macaron: Dockerfile.extra'");
    // A Dockerfile.extra that starts a stage.
    std::fs::write(dir.join("Dockerfile.extra"), "FROM alpine\n").expect("write");
    let out = macaron(&dir, &["docker", "dockerfile", "--version", "1"], &[]);
    assert_refused(&out, 2, "Dockerfile.extra:1: FROM would start a new stage");
    std::fs::remove_file(dir.join("Dockerfile.extra")).expect("rm");
    // docker_base in the configuration replaces the runtime base; --base wins over it.
    let config = std::fs::read_to_string(dir.join("macaron.yaml")).expect("read");
    std::fs::write(dir.join("macaron.yaml"), format!("{config}docker_base: localhost/house-base:3\n")).expect("write");
    let out = macaron(&dir, &["docker", "dockerfile", "--version", "1"], &[]);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("\nFROM localhost/house-base:3 AS runtime\n"),
        "{}",
        show(&out)
    );
    let out = macaron(&dir, &["docker", "dockerfile", "--version", "1", "--base", "debian:trixie-slim"], &[]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("\nFROM debian:trixie-slim AS runtime\n"), "{}", show(&out));
    std::fs::write(dir.join("macaron.yaml"), config).expect("write");
    // A bad version, a missing binary.
    let out = macaron(&dir, &["docker", "dockerfile", "--version", "a b"], &[]);
    assert_refused(&out, 2, "--version a b: a version is an image tag");
    let out = macaron(&dir, &["docker", "build", "--version", "1", "--prebuilt", "nowhere/petstore"], &[]);
    assert_refused(&out, 2, "--prebuilt nowhere/petstore:");
    // A dirty tree.
    let git = |args: &[&str]| {
        let out = Command::new("git").current_dir(&dir).args(args).output().expect("git");
        assert!(out.status.success(), "{}", show(&out));
    };
    git(&["init", "--quiet"]);
    git(&["add", "."]);
    git(&["-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "--quiet", "-m", "first"]);
    std::fs::write(dir.join("macaron.yaml"), "name: petstore\n").expect("write");
    let out = macaron(&dir, &["docker", "build"], &[]);
    assert_refused(
        &out,
        2,
        "uncommitted changes (1 files: macaron.yaml): commit them, or build anyway with --allow-dirty",
    );
    git(&["checkout", "--quiet", "macaron.yaml"]);
    // No engine: a PATH with git and nothing else.
    let bin = dir.parent().expect("scratch").join("bin");
    std::fs::create_dir_all(&bin).expect("mkdir");
    let real_git = which("git");
    std::os::unix::fs::symlink(real_git, bin.join("git")).expect("symlink git");
    let out =
        macaron(&dir, &["docker", "build", "--prebuilt", "Cargo.toml"], &[("PATH", bin.to_str().expect("UTF-8"))]);
    assert_refused(&out, 2, "no container engine: no Docker daemon answers `docker info` and podman is not installed");
    let out = macaron(
        &dir,
        &["docker", "build", "--engine", "docker", "--prebuilt", "Cargo.toml"],
        &[("PATH", bin.to_str().expect("UTF-8"))],
    );
    assert_refused(&out, 2, "--engine docker: no Docker daemon answers `docker info`");
    let _ = std::fs::remove_dir_all(dir.parent().expect("the scratch folder"));
}

fn which(program: &str) -> PathBuf {
    std::env::var_os("PATH")
        .and_then(|p| std::env::split_paths(&p).map(|d| d.join(program)).find(|p| p.is_file()))
        .unwrap_or_else(|| panic!("{program} is not on PATH"))
}

/// The Dockerfiles of a scaffolded service, full and prebuilt, against
/// golden files (`EXPECTORATE=overwrite` rewrites them); `.ci/hadolint`
/// lints the same files.
#[test]
fn the_dockerfiles_match_the_golden_files() {
    let _heavy = common::heavy();
    let work = scratch("dockerfile");
    let root = repo_root();
    let out =
        common::macaron(&work, &["new", "shop", "--db", "sqlite", "--macaron-path", root.to_str().expect("UTF-8")]);
    assert!(out.status.success(), "{}", show(&out));
    let dir = work.join("shop");
    std::fs::write(dir.join("Dockerfile.extra"), "# what the image needs at run time\nRUN mkdir -p /app/cache\n")
        .expect("write");
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/docker");
    let fixed = [("SOURCE_DATE_EPOCH", "1767225600")];
    for (file, extra) in [("Dockerfile", &[][..]), ("Dockerfile.prebuilt", &["--prebuilt", "Cargo.toml"][..])] {
        let mut args = vec!["docker", "dockerfile", "--version", "260101-0000-1-abcdef"];
        args.extend_from_slice(extra);
        let out = macaron(&dir, &args, &fixed);
        assert!(out.status.success(), "{}", show(&out));
        let text = String::from_utf8_lossy(&out.stdout).replace(env!("CARGO_PKG_VERSION"), "VERSION");
        expectorate::assert_contents(golden.join(file), &text);
    }
    let _ = std::fs::remove_dir_all(&work);
}

/// With a Docker daemon (here a stand-in `docker` that records its
/// arguments: no registry can exist on this machine), the build uses
/// docker, and `--push --registry` tags and pushes every tag there; no
/// secret of the environment reaches a command line.
#[test]
fn docker_builds_and_pushes_to_the_registry() {
    let _heavy = common::heavy();
    let dir = service_copy("push");
    let bin = dir.parent().expect("scratch").join("bin");
    std::fs::create_dir_all(&bin).expect("mkdir");
    let log = dir.parent().expect("scratch").join("docker.log");
    let fake = "#!/bin/sh\necho \"$*\" >> \"$DOCKER_LOG\"\ncase \"$1\" in\n  info) echo 27.3.1 ;;\n  image) echo sha256:feedface ;;\nesac\nexit 0\n";
    std::fs::write(bin.join("docker"), fake).expect("write the stand-in");
    std::fs::set_permissions(bin.join("docker"), std::os::unix::fs::PermissionsExt::from_mode(0o755)).expect("chmod");
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let vars = [("PATH", path.as_str()), ("DOCKER_LOG", log.to_str().expect("UTF-8")), SECRETS[0]];
    let args = [
        "docker",
        "build",
        "--prebuilt",
        "Cargo.toml",
        "--version",
        "2.0.0",
        "--base",
        "debian:bookworm-slim",
        "--tag",
        "stable",
        "--push",
        "--registry",
        "registry.example.com/acme",
    ];
    let out = macaron(&dir, &args, &vars);
    assert!(out.status.success(), "{}", show(&out));
    let work = dir.join(".macaron/docker");
    let expected = format!(
        "info --format {{{{.ServerVersion}}}}\n\
         image inspect --format {{{{.Id}}}} debian:bookworm-slim\n\
         build --file {dockerfile} --tag petstore:2.0.0 --tag petstore:latest --tag petstore:stable {context}\n\
         image inspect --format {{{{.Id}}}} petstore:2.0.0\n\
         tag petstore:2.0.0 registry.example.com/acme/petstore:2.0.0\n\
         push registry.example.com/acme/petstore:2.0.0\n\
         tag petstore:latest registry.example.com/acme/petstore:latest\n\
         push registry.example.com/acme/petstore:latest\n\
         tag petstore:stable registry.example.com/acme/petstore:stable\n\
         push registry.example.com/acme/petstore:stable\n",
        dockerfile = work.join("Dockerfile").display(),
        context = work.join("context").display(),
    );
    assert_eq!(std::fs::read_to_string(&log).expect("the stand-in's log"), expected);
    let record = std::fs::read_to_string(dir.join(".macaron/last_image.json")).expect("the record");
    assert!(record.contains("\"registry.example.com/acme/petstore:stable\""), "{record}");
    assert!(!std::fs::read_to_string(work.join("Dockerfile")).unwrap().contains(SECRETS[0].1));

    // A full build cannot reach a path dependency outside the workspace.
    let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).expect("read");
    let crates = repo_root().join("crates/macaron-spec");
    let manifest = manifest.replace(
        "[workspace]",
        &format!("[dependencies]\nmacaron-spec = {{ path = \"{}\" }}\n\n[workspace]", crates.display()),
    );
    std::fs::write(dir.join("Cargo.toml"), manifest).expect("write");
    let out = macaron(&dir, &["docker", "build", "--version", "2.0.0"], &vars);
    assert_refused(&out, 2, "the dependency macaron-spec is at");
    let _ = std::fs::remove_dir_all(dir.parent().expect("the scratch folder"));
}
