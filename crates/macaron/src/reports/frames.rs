//! A backtrace as a crash report shows it: the service's own frames
//! first, each `function at file:line`, and the frames of the standard
//! library, the async runtime, actix and Macaron folded into a count.
//!
//! A panic's backtrace is ~100 frames of which one or two are the
//! service's; read in that order, the report answers "where" at once.

use serde_json::{json, Value};

/// The crates whose functions are not the service's code (for a frame
/// without a file).
const RUNTIME: [&str; 12] = [
    "std::",
    "core::",
    "alloc::",
    "tokio::",
    "actix",
    "macaron::",
    "macaron_",
    "futures",
    "tracing",
    "hyper::",
    "h2::",
    "tower",
];

/// One frame: the function, and where when the binary knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Frame {
    pub function: String,
    pub at: Option<String>,
}

/// The frames of a backtrace as `std::backtrace::Backtrace` prints it
/// (`  3: path::to::function` then `at file:line:col` on the next line).
pub(crate) fn parse(text: &str) -> Vec<Frame> {
    let mut frames: Vec<Frame> = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if let Some(at) = line.strip_prefix("at ") {
            if let Some(last) = frames.last_mut() {
                last.at.get_or_insert_with(|| at.to_string());
            }
        } else if let Some((number, function)) = line.split_once(": ") {
            if number.bytes().all(|b| b.is_ascii_digit()) && !number.is_empty() {
                frames.push(Frame { function: function.to_string(), at: None });
            }
        }
    }
    frames
}

/// True for a frame of the service's own code.
///
/// A frame is the runtime's when its file is the standard library's
/// (`/rustc/...`), a dependency's (`~/.cargo/registry`, `~/.cargo/git`),
/// Macaron's own source (`crates/macaron*/src` of this build), the glue
/// `macaron-build` generates (`.../out/macaron_apis.rs`), or not Rust at
/// all (the C library's `start_thread`, `clone3`); without a file, unless
/// its function is a path outside those crates (a short name such as
/// `{closure#0}`, or a C symbol such as `main`, is folded).
pub(crate) fn is_service(frame: &Frame) -> bool {
    match &frame.at {
        Some(at) => {
            let file = at.rsplitn(3, ':').last().unwrap_or(at);
            file.ends_with(".rs") && !runtime_file(&absolute(file))
        }
        None => {
            // `<T as core::future::Future>::poll` and the like: the impl's type decides.
            let name = frame.function.trim_start_matches('<');
            name.contains("::") && !RUNTIME.iter().any(|p| name.starts_with(p))
        }
    }
}

/// A frame's file as an absolute path: the standard library prints those
/// under the working directory as `./...`.
fn absolute(file: &str) -> String {
    match file.strip_prefix("./") {
        Some(rest) => match std::env::current_dir() {
            Ok(dir) => format!("{}/{rest}", dir.display()),
            Err(_) => file.to_string(),
        },
        None => file.to_string(),
    }
}

fn runtime_file(file: &str) -> bool {
    if file.contains("/rustc/") || file.contains("/.cargo/registry/") || file.contains("/.cargo/git/") {
        return true;
    }
    if file.contains("/out/macaron_") {
        return true;
    }
    // This crate's folder when it was built, and its siblings (macaron-tasks, macaron-db...).
    let here = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let Some(crates) = here.parent().and_then(|p| p.to_str()) else { return false };
    let Some(rest) = file.strip_prefix(crates).and_then(|r| r.strip_prefix('/')) else {
        // Relative to the workspace (a build's own paths): `crates/macaron/src/...`.
        return file.starts_with("crates/macaron") && file.contains("/src/");
    };
    rest.starts_with("macaron") && rest.split('/').nth(1) == Some("src")
}

/// The report's `backtrace` block: the service's frames in order, then how
/// many others were folded.
pub(crate) fn for_report(text: &str) -> Value {
    let frames = parse(text);
    if frames.is_empty() {
        return json!({ "frames": [], "folded": 0, "note": text.lines().next().unwrap_or("") });
    }
    let own: Vec<String> = frames
        .iter()
        .filter(|f| is_service(f))
        .map(|f| match &f.at {
            Some(at) => format!("{} at {at}", f.function),
            None => f.function.clone(),
        })
        .collect();
    json!({ "frames": own, "folded": frames.len() - own.len() })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PANIC: &str = "   0: std::backtrace::Backtrace::force_capture
             at /rustc/59807616e1fa/library/std/src/backtrace.rs:312:13
   1: macaron::reports::panic::install_panic_hook::{{closure}}::{{closure}}
             at crates/macaron/src/reports/panic.rs:31:32
   2: std::panicking::begin_panic_handler
   3: helloworld::crash::{{closure}}
             at ./examples/helloworld/src/lib.rs:38:5
   4: <core::pin::Pin<P> as core::future::future::Future>::poll
             at /rustc/59807616e1fa/library/core/src/future/future.rs:133:9
   5: pets::api::shared::{{closure}}
   6: {async_block#4}
             at crates/macaron/src/http/dispatch.rs:269:84
   7: tokio::runtime::task::raw::poll
             at /root/.cargo/registry/src/tokio-1.0/src/runtime/task/raw.rs:255:5
   8: main
  11: start_thread
             at ./nptl/pthread_create.c:442:8
   9: {closure#0}
             at /home/me/.cargo/git/checkouts/x/src/lib.rs:1:1
  10: helloworld::apis::helloworld::op_crash::{{closure}}
             at /t/debug/build/helloworld-1/out/macaron_apis.rs:298:21
";

    #[test]
    fn the_service_frames_come_first_and_the_rest_is_counted() {
        let frames = parse(PANIC);
        assert_eq!(frames.len(), 12);
        assert_eq!(frames[3].at.as_deref(), Some("./examples/helloworld/src/lib.rs:38:5"));
        let block = for_report(PANIC);
        assert_eq!(
            block,
            json!({
                "frames": ["helloworld::crash::{{closure}} at ./examples/helloworld/src/lib.rs:38:5", "pets::api::shared::{{closure}}"],
                "folded": 10,
            })
        );
    }

    #[test]
    fn macaron_sources_are_the_runtime_and_its_tests_are_not() {
        let frame = |at: &str| Frame { function: "{closure#0}".into(), at: Some(at.into()) };
        let here = env!("CARGO_MANIFEST_DIR");
        assert!(!is_service(&frame(&format!("{here}/src/reports/panic.rs:30:41"))));
        let crates = std::path::Path::new(here).parent().unwrap().display().to_string();
        assert!(!is_service(&frame(&format!("{crates}/macaron-tasks/src/worker.rs:3:1"))));
        assert!(is_service(&frame(&format!("{here}/tests/integration/common.rs:63:5"))));
        assert!(is_service(&frame("/srv/shop/src/api.rs:10:5")));
        assert!(!is_service(&Frame { function: "{async_block#1}".into(), at: None }));
    }

    #[test]
    fn a_disabled_backtrace_says_so() {
        assert_eq!(for_report("disabled backtrace")["note"], "disabled backtrace");
    }
}
