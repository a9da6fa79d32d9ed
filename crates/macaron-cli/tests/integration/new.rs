//! `macaron new`: the tree it writes (pinned by golden files), its style,
//! and every bad input refused with nothing written. Building and testing
//! the services it writes is in `scaffold.rs`.

use crate::common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::common::{assert_refused, macaron, scratch, show};

/// The option set pinned by golden files (`tests/golden/new/`).
const GOLDEN: &[&str] = &["new", "shop", "--path", "shop", "--db", "sqlite", "--tasks", "--auth", "jwt"];

fn files(dir: &Path) -> BTreeSet<PathBuf> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeSet<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("read a folder") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                out.insert(path.strip_prefix(root).expect("inside").to_path_buf());
            }
        }
    }
    let mut out = BTreeSet::new();
    walk(dir, dir, &mut out);
    out
}

/// The dev-only JWT secret is random per service: the golden file holds a
/// placeholder.
fn normalise(text: &str) -> String {
    text.lines()
        .map(|line| match line.strip_prefix("jwt_secret: dev-only-") {
            Some(secret) => {
                assert_eq!(secret.len(), 64, "256 random bits, as hex: {line}");
                "jwt_secret: dev-only-<64 random hex digits>".to_string()
            }
            None => line.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
        + if text.ends_with('\n') { "\n" } else { "" }
}

#[test]
fn the_tree_matches_the_golden_files() {
    let work = scratch("golden");
    let out = macaron(&work, GOLDEN);
    assert!(out.status.success(), "{}", show(&out));
    let service = work.join("shop");
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/new");
    let written = files(&service);
    for file in &written {
        let text = std::fs::read_to_string(service.join(file)).expect("a text file");
        if std::env::var_os("EXPECTORATE").is_some() {
            // EXPECTORATE=overwrite rewrites the golden files: their folders first.
            std::fs::create_dir_all(golden.join(file).parent().expect("a parent")).expect("mkdir");
        }
        expectorate::assert_contents(golden.join(file), &normalise(&text));
    }
    assert_eq!(written, files(&golden), "the scaffolded files and the golden files differ");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("cargo run -- --port 8080") && stdout.contains("macaron test --local"), "{stdout}");
    let _ = std::fs::remove_dir_all(&work);
}

#[test]
fn dev_secrets_differ_between_services() {
    let work = scratch("secrets");
    for name in ["one", "two"] {
        assert!(macaron(&work, &["new", name]).status.success());
    }
    let secret = |name: &str| {
        let text = std::fs::read_to_string(work.join(name).join("macaron.yaml")).expect("macaron.yaml");
        text.lines().find(|l| l.starts_with("jwt_secret: ")).expect("a dev secret").to_string()
    };
    assert_ne!(secret("one"), secret("two"));
    let _ = std::fs::remove_dir_all(&work);
}

#[test]
fn every_option_set_is_formatted_in_the_house_style() {
    let work = scratch("style");
    let longest = "abcdefghij-abcdefghij-abcdefghij-abcdefghij-abcdefghij-abcdefghi";
    let sets: &[&[&str]] = &[
        &["new", "a", "--db", "none", "--auth", "none"],
        &["new", "b", "--db", "none", "--tasks"],
        &["new", "c", "--db", "sqlite", "--tasks", "--auth", "none"],
        &["new", "d", "--db", "postgres"],
        &["new", longest, "--db", "postgres", "--tasks", "--auth", "jwt"],
    ];
    for args in sets {
        let out = macaron(&work, args);
        assert!(out.status.success(), "{args:?}: {}", show(&out));
        let dir = work.join(args[1]);
        let mut rustfmt = std::process::Command::new("rustfmt");
        rustfmt.current_dir(&dir).args(["--edition", "2021", "--check"]);
        for file in files(&dir) {
            if file.extension().is_some_and(|e| e == "rs") {
                rustfmt.arg(&file);
            }
        }
        let out = rustfmt.output().expect("run rustfmt");
        assert!(out.status.success(), "{args:?} is not rustfmt-clean:\n{}", show(&out));
    }
    let _ = std::fs::remove_dir_all(&work);
}

#[test]
fn options_change_what_is_written() {
    let work = scratch("options");
    assert!(macaron(&work, &["new", "plain", "--db", "none", "--auth", "none"]).status.success());
    let plain = work.join("plain");
    let listed = files(&plain);
    assert!(listed.contains(Path::new("src/store.rs")) && !listed.contains(Path::new("src/tasks.rs")), "{listed:?}");
    let spec = std::fs::read_to_string(plain.join("apis/plain.yaml")).expect("the spec");
    assert!(spec.starts_with("openapi: 3.1.0\n"), "{spec}");
    assert!(!spec.contains("x-persist") && !spec.contains("security"), "{spec}");
    assert!(std::fs::read_to_string(plain.join(".env.example")).expect(".env.example").contains("(none yet"));
    // Only what it uses: no database, no JWT library.
    let cargo_toml = std::fs::read_to_string(plain.join("Cargo.toml")).expect("Cargo.toml");
    assert!(cargo_toml.contains("default-features = false, features = [\"swagger-ui\"] }"), "{cargo_toml}");
    assert!(cargo_toml.contains("default-features = false, features = [\"swagger-ui\", \"test\"] }"), "{cargo_toml}");
    // Tasks without a database keep their queue in the embedded SQLite file.
    assert!(macaron(&work, &["new", "queued", "--db", "none", "--tasks", "--auth", "none"]).status.success());
    let cargo_toml = std::fs::read_to_string(work.join("queued/Cargo.toml")).expect("Cargo.toml");
    assert!(cargo_toml.contains("features = [\"sqlite\", \"swagger-ui\"] }"), "{cargo_toml}");
    // The smallest: no feature at all.
    let args = ["new", "bare", "--db", "none", "--auth", "none", "--api-reference", "plain"];
    assert!(macaron(&work, &args).status.success());
    let cargo_toml = std::fs::read_to_string(work.join("bare/Cargo.toml")).expect("Cargo.toml");
    assert!(cargo_toml.contains("default-features = false, features = [] }"), "{cargo_toml}");
    // The full JSON Schema validator only when asked for.
    assert!(macaron(&work, &["new", "strict", "--db", "none", "--auth", "none", "--json-schema"]).status.success());
    let cargo_toml = std::fs::read_to_string(work.join("strict/Cargo.toml")).expect("Cargo.toml");
    assert!(cargo_toml.contains("features = [\"swagger-ui\", \"json-schema\"] }"), "{cargo_toml}");

    assert!(macaron(&work, &["new", "pg", "--db", "postgres", "--tasks"]).status.success());
    let pg = work.join("pg");
    let env_example = std::fs::read_to_string(pg.join(".env.example")).expect(".env.example");
    assert!(env_example.contains("\nPG_JWT_SECRET=\n") && env_example.contains("\nDATABASE_URL=\n"), "{env_example}");
    for overlay in ["macaron.staging.yaml", "macaron.live.yaml"] {
        let text = std::fs::read_to_string(pg.join(overlay)).expect("an overlay");
        assert!(text.contains("  - PG_JWT_SECRET\n  - DATABASE_URL\n"), "{overlay}: {text}");
        assert!(text.contains("url: https://pg."), "{overlay}: {text}");
    }
    let cargo_toml = std::fs::read_to_string(pg.join("Cargo.toml")).expect("Cargo.toml");
    let version = env!("CARGO_PKG_VERSION");
    assert!(
        cargo_toml.contains(&format!(
            "macaron = {{ version = \"{version}\", default-features = false, features = [\"postgres\", \"jwt\", \"swagger-ui\"] }}"
        )),
        "{cargo_toml}"
    );
    assert!(!pg.join("Cargo.lock").exists(), "a registry dependency comes without a lock file");

    let git = "https://example.com/macaron.git";
    assert!(macaron(&work, &["new", "fromgit", "--macaron-git", git]).status.success());
    let cargo_toml = std::fs::read_to_string(work.join("fromgit/Cargo.toml")).expect("Cargo.toml");
    assert!(cargo_toml.contains(&format!("macaron-build = {{ git = \"{git}\" }}")), "{cargo_toml}");

    let root = common::repo_root();
    assert!(macaron(&work, &["new", "local", "--macaron-path", root.to_str().expect("utf-8")]).status.success());
    let cargo_toml = std::fs::read_to_string(work.join("local/Cargo.toml")).expect("Cargo.toml");
    let path = root.join("crates/macaron");
    assert!(cargo_toml.contains(&format!("path = \"{}\"", path.display())), "{cargo_toml}");
    assert!(work.join("local/Cargo.lock").exists(), "--macaron-path copies the checkout's Cargo.lock");
    let _ = std::fs::remove_dir_all(&work);
}

#[test]
fn a_non_empty_folder_is_refused_and_kept() {
    let work = scratch("nonempty");
    std::fs::create_dir_all(work.join("taken")).expect("mkdir");
    std::fs::write(work.join("taken/notes.txt"), "keep me").expect("write");
    let out = macaron(&work, &["new", "shop", "--path", "taken"]);
    assert_refused(&out, 2, "is not empty");
    assert_eq!(files(&work.join("taken")), BTreeSet::from([PathBuf::from("notes.txt")]));
    assert_eq!(std::fs::read_to_string(work.join("taken/notes.txt")).expect("read"), "keep me");

    std::fs::write(work.join("shop"), "a file").expect("write");
    assert_refused(&macaron(&work, &["new", "shop"]), 2, "is a file");
    assert_eq!(std::fs::read_to_string(work.join("shop")).expect("read"), "a file");

    // An empty folder is fine.
    std::fs::create_dir_all(work.join("empty")).expect("mkdir");
    assert!(macaron(&work, &["new", "shop", "--path", "empty"]).status.success());
    assert!(work.join("empty/apis/shop.yaml").exists());
    let _ = std::fs::remove_dir_all(&work);
}

#[test]
fn bad_command_lines_exit_non_zero_with_one_line_and_write_nothing() {
    let work = scratch("badargs");
    for (args, code, needle) in [
        (&["new", "Shop"][..], 2, "must start with a lowercase letter"),
        (&["new", "my shop"][..], 2, "' ' is not allowed"),
        (&["new", "../escape"][..], 2, "not a valid service name"),
        (&["new", "self"][..], 2, "reserved word"),
        (&["new", "shop", "--frobnicate"][..], 2, "--frobnicate"),
        (&["new", "shop", "--db", "mysql"][..], 2, "mysql"),
        (&["new", "shop", "--auth", "basic"][..], 2, "basic"),
        (&["new", "shop", "--api-reference", "redoc"][..], 2, "redoc"),
        (&["new", "shop", "--macaron-path", "/no/such/checkout"][..], 2, "--macaron-path /no/such/checkout"),
        (&["new", "shop", "--macaron-path", "/tmp"][..], 2, "no crates/macaron/Cargo.toml there"),
        (&["new", "shop", "--macaron-path", ".", "--macaron-git", "https://x"][..], 2, "cannot be used with"),
        (&["new", "shop", "--macaron-git", "not a url"][..], 2, "is not a repository URL"),
        (&["new"][..], 2, "NAME"),
    ] {
        let out = macaron(&work, args);
        assert_refused(&out, code, needle);
        assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"), "{args:?}: {}", show(&out));
        assert_eq!(files(&work), BTreeSet::new(), "{args:?} wrote something");
    }
    let out = macaron(&work, &["new", "Shop"]);
    assert_eq!(String::from_utf8_lossy(&out.stderr).lines().count(), 1, "{}", show(&out));
    let _ = std::fs::remove_dir_all(&work);
}
