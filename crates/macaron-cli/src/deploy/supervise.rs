//! `macaron supervise` (hidden): what keeps a `local` deployment running.
//! It runs the service, restarts it when it dies (waiting longer after each
//! quick death, up to 30 s), and on SIGTERM or SIGINT passes the signal on
//! and exits with the service's status once it stopped.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Args;
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use tokio::signal::unix::{signal, SignalKind};

/// Arguments of `macaron supervise`.
#[derive(Args, Debug)]
pub struct SuperviseArgs {
    /// The folder the service runs in.
    #[arg(long, value_name = "DIR")]
    dir: PathBuf,
    /// The program and its arguments.
    #[arg(last = true, required = true)]
    command: Vec<String>,
}

/// Runs the service until SIGTERM / SIGINT.
pub fn run(args: SuperviseArgs) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("macaron supervise: {e}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(supervise(args)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("macaron supervise: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn supervise(args: SuperviseArgs) -> Result<ExitCode, String> {
    let mut term = signal(SignalKind::terminate()).map_err(|e| e.to_string())?;
    let mut int = signal(SignalKind::interrupt()).map_err(|e| e.to_string())?;
    let (program, rest) = args.command.split_first().ok_or("no command")?;
    let mut pause = Duration::from_secs(1);
    loop {
        let started = Instant::now();
        let mut child = tokio::process::Command::new(program)
            .args(rest)
            .current_dir(&args.dir)
            .spawn()
            .map_err(|e| format!("cannot start {program}: {e}"))?;
        let pid = child.id().and_then(|id| i32::try_from(id).ok()).map(Pid::from_raw);
        let status = tokio::select! {
            status = child.wait() => status.map_err(|e| e.to_string())?,
            _ = term.recv() => return stop(&mut child, pid, Signal::SIGTERM).await,
            _ = int.recv() => return stop(&mut child, pid, Signal::SIGINT).await,
        };
        if started.elapsed() > Duration::from_secs(60) {
            pause = Duration::from_secs(1);
        }
        eprintln!(
            "macaron supervise: the service exited ({status}); starting it again in {}",
            humantime::format_duration(pause)
        );
        tokio::select! {
            _ = tokio::time::sleep(pause) => {}
            _ = term.recv() => return Ok(ExitCode::SUCCESS),
            _ = int.recv() => return Ok(ExitCode::SUCCESS),
        }
        pause = (pause * 2).min(Duration::from_secs(30));
    }
}

async fn stop(child: &mut tokio::process::Child, pid: Option<Pid>, signal: Signal) -> Result<ExitCode, String> {
    if let Some(pid) = pid {
        let _ = kill(pid, signal);
    }
    let status = child.wait().await.map_err(|e| e.to_string())?;
    Ok(ExitCode::from(status.code().and_then(|c| u8::try_from(c).ok()).unwrap_or(1)))
}
