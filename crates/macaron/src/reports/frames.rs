//! A backtrace as a crash report shows it: the service's own frames
//! first, each `function at file:line`, and the frames of the standard
//! library, the async runtime, actix and Macaron folded into a count.
//!
//! A panic's backtrace is ~100 frames of which one or two are the
//! service's; read in that order, the report answers "where" at once.

use serde_json::{json, Value};

/// Prefixes of the functions that are not the service's code.
const RUNTIME: [&str; 22] = [
    "std::",
    "core::",
    "alloc::",
    "__rust",
    "rust_begin_unwind",
    "rust_panic",
    "tokio::",
    "actix",
    "macaron::",
    "macaron_",
    "futures",
    "tracing::",
    "tracing_",
    "hyper::",
    "h2::",
    "tower",
    "backtrace::",
    "start_thread",
    "clone",
    "__libc",
    "_start",
    "main",
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
pub(crate) fn is_service(frame: &Frame) -> bool {
    // `<T as core::future::Future>::poll` and the like: the impl's type decides.
    let name = frame.function.trim_start_matches('<');
    !RUNTIME.iter().any(|p| name.starts_with(p)) && frame.at.as_deref().is_none_or(|at| !at.contains("/rustc/"))
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
             at ./crates/macaron/src/reports/panic.rs:31:32
   2: std::panicking::begin_panic_handler
   3: helloworld::crash::{{closure}}
             at ./examples/helloworld/src/lib.rs:38:5
   4: <core::pin::Pin<P> as core::future::future::Future>::poll
             at /rustc/59807616e1fa/library/core/src/future/future.rs:133:9
   5: pets::api::shared::{{closure}}
   6: tokio::runtime::task::raw::poll
             at /root/.cargo/registry/src/tokio-1.0/src/runtime/task/raw.rs:255:5
   7: main
";

    #[test]
    fn the_service_frames_come_first_and_the_rest_is_counted() {
        let frames = parse(PANIC);
        assert_eq!(frames.len(), 8);
        assert_eq!(frames[3].at.as_deref(), Some("./examples/helloworld/src/lib.rs:38:5"));
        let block = for_report(PANIC);
        assert_eq!(
            block,
            json!({
                "frames": ["helloworld::crash::{{closure}} at ./examples/helloworld/src/lib.rs:38:5", "pets::api::shared::{{closure}}"],
                "folded": 6,
            })
        );
    }

    #[test]
    fn a_disabled_backtrace_says_so() {
        assert_eq!(for_report("disabled backtrace")["note"], "disabled backtrace");
    }
}
