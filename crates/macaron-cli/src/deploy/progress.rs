//! The pipeline's steps as they run: `step n of N: what`, a spinner with
//! the elapsed time while a step runs (on a terminal only), and the time it
//! took. What the step's commands print goes above the spinner.

use std::io::{self, Write};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// The steps of one run of the pipeline.
pub struct Steps {
    total: usize,
    done: usize,
    started: Instant,
}

/// A step that failed: which one, and why.
#[derive(Debug)]
pub struct StepFailed(pub String);

impl Steps {
    /// `total` steps to come.
    pub fn new(total: usize) -> Steps {
        Steps { total, done: 0, started: Instant::now() }
    }

    /// How many steps ran.
    pub fn done(&self) -> usize {
        self.done
    }

    /// The time since the first step.
    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// Runs one step: its title, a spinner while `work` runs, then `done in
    /// 1.2s` or the step's failure (naming the step).
    pub fn run<T>(
        &mut self,
        title: &str,
        out: &mut dyn Write,
        work: impl FnOnce(&mut dyn Write) -> Result<T, String>,
    ) -> Result<T, StepFailed> {
        self.done += 1;
        let name = format!("step {} of {}: {title}", self.done, self.total);
        let _ = writeln!(out, "{name}");
        let _ = out.flush();
        let spinner = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template("  {spinner} {msg} {elapsed}") {
            spinner.set_style(style);
        }
        spinner.set_message(title.to_string());
        spinner.enable_steady_tick(Duration::from_millis(120));
        let started = Instant::now();
        let result = {
            let mut above = Above { spinner: &spinner, out: &mut *out };
            work(&mut above)
        };
        spinner.finish_and_clear();
        let took = short(started.elapsed());
        match result {
            Ok(value) => {
                let _ = writeln!(out, "  done in {took}");
                Ok(value)
            }
            Err(e) => Err(StepFailed(format!("{name} failed after {took}: {e}"))),
        }
    }

    /// A step that does nothing this time (a `--no-...` flag, nothing to push).
    pub fn skip(&mut self, title: &str, why: &str, out: &mut dyn Write) {
        self.done += 1;
        let _ = writeln!(out, "step {} of {}: {title}: skipped ({why})", self.done, self.total);
    }
}

/// `0.4s`, `12.3s`, `3m 05s`.
pub fn short(d: Duration) -> String {
    let secs = d.as_secs_f64();
    if secs < 60.0 {
        format!("{secs:.1}s")
    } else {
        format!("{}m {:02}s", d.as_secs() / 60, d.as_secs() % 60)
    }
}

/// A writer whose lines go above the spinner.
struct Above<'a> {
    spinner: &'a ProgressBar,
    out: &'a mut dyn Write,
}

impl Write for Above<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let out = &mut self.out;
        self.spinner.suspend(|| out.write(buf))
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_numbered_and_failures_name_theirs() {
        let mut steps = Steps::new(3);
        let mut out = Vec::new();
        assert_eq!(
            steps.run("first", &mut out, |out| writeln!(out, "  inside").map_err(|e| e.to_string())).ok(),
            Some(())
        );
        steps.skip("second", "--no-second", &mut out);
        let failed = steps.run("third", &mut out, |_| Err::<(), _>("it broke".to_string())).expect_err("fails");
        assert!(failed.0.starts_with("step 3 of 3: third failed after "), "{}", failed.0);
        assert!(failed.0.ends_with(": it broke"), "{}", failed.0);
        let text = String::from_utf8(out).expect("UTF-8");
        assert!(text.starts_with("step 1 of 3: first\n  inside\n  done in "), "{text}");
        assert!(text.contains("step 2 of 3: second: skipped (--no-second)\n"), "{text}");
        assert_eq!(short(Duration::from_millis(1234)), "1.2s");
        assert_eq!(short(Duration::from_secs(185)), "3m 05s");
    }
}
