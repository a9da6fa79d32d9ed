//! Running the acceptance tests: `cargo test --test acceptance...` in the
//! service's folder, told the target through the environment; libtest's
//! lines are passed through as they come and counted.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use super::Failure;

/// What the run counted.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    /// Tests that passed.
    pub passed: usize,
    /// Tests that failed.
    pub failed: usize,
    /// Tests ignored or filtered out.
    pub ignored: usize,
    /// Whether cargo itself succeeded (a build error is a failure too).
    pub cargo_ok: bool,
}

impl Summary {
    /// Every test passed, and at least one ran.
    pub fn ok(&self) -> bool {
        self.cargo_ok && self.failed == 0 && self.passed > 0
    }

    /// Adds one `test result: ok. 3 passed; 1 failed; 0 ignored; ...` line.
    fn add(&mut self, line: &str) {
        let Some(counts) = line.strip_prefix("test result: ") else { return };
        for part in counts.split(';') {
            let mut words = part.split_whitespace().skip_while(|w| w.ends_with('.'));
            let (Some(n), Some(what)) = (words.next(), words.next()) else { continue };
            let Ok(n) = n.parse::<usize>() else { continue };
            match what {
                "passed" => self.passed += n,
                "failed" => self.failed += n,
                "ignored" => self.ignored += n,
                _ => {}
            }
        }
    }
}

/// The acceptance test targets of the service in `dir`: the stems of
/// `tests/acceptance*.rs`, sorted.
pub fn acceptance_targets(dir: &Path) -> Result<Vec<String>, String> {
    let tests = dir.join("tests");
    let entries = std::fs::read_dir(&tests).map_err(|e| {
        format!(
            "{}: {e} (no acceptance tests: write tests/acceptance.rs, or run in a service's folder)",
            tests.display()
        )
    })?;
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter_map(|n| n.strip_suffix(".rs").map(str::to_string))
        .filter(|n| n.starts_with("acceptance"))
        .collect();
    names.sort();
    if names.is_empty() {
        return Err(format!("no acceptance tests in {} (tests/acceptance*.rs)", tests.display()));
    }
    Ok(names)
}

/// Runs the targets against `url`. The token goes through the environment
/// only.
pub fn run(
    dir: &Path,
    tests: &[String],
    url: &str,
    token: Option<&str>,
    insecure: bool,
    filter: Option<&str>,
    out: &mut impl Write,
) -> Result<Summary, Failure> {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command.current_dir(dir).arg("test");
    for test in tests {
        command.args(["--test", test]);
    }
    command.arg("--");
    if let Some(filter) = filter {
        command.arg(filter);
    }
    command.env("MACARON_TEST_URL", url).env("MACARON_TEST_INSECURE", if insecure { "1" } else { "0" });
    if let Some(token) = token {
        command.env("MACARON_TEST_TOKEN", token);
    }
    // libtest prints one line per test (`test name ... ok`) and a summary per binary.
    command.stdout(Stdio::piped());
    let mut child = command.spawn().map_err(|e| Failure::Run(format!("cannot run cargo test: {e}")))?;
    let mut summary = Summary::default();
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = writeln!(out, "{line}");
            summary.add(line.trim());
        }
    }
    let status = child.wait().map_err(|e| Failure::Run(format!("cargo test: {e}")))?;
    summary.cargo_ok = status.success();
    if !status.success() && summary.failed == 0 {
        return Err(Failure::Run(format!("cargo test failed ({status}) before any test ran: see its output above")));
    }
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn result_lines_are_counted() {
        let mut s = Summary::default();
        s.add("test result: ok. 3 passed; 0 failed; 1 ignored; 0 measured; 2 filtered out; finished in 0.52s");
        s.add("test result: FAILED. 1 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out; finished in 1.0s");
        s.add("test items ... ok");
        assert_eq!((s.passed, s.failed, s.ignored), (4, 2, 1));
        s.cargo_ok = true;
        assert!(!s.ok());
        assert!(!Summary { cargo_ok: true, ..Summary::default() }.ok(), "no test ran");
        assert!(Summary { passed: 1, cargo_ok: true, ..Summary::default() }.ok());
    }
}
