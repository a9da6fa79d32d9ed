//! The `local` target: the release binary run on this host, supervised
//! (`macaron supervise` restarts it when it dies), from a release folder of
//! its own so that every deployed version stays runnable for a rollback.
//!
//! ```text
//! .macaron/run/<env>/
//!   releases/<version>/   the binary, apis/ and the configuration files
//!   data/                 MACARON_DATA_DIR (the embedded SQLite file)
//!   supervisor.pid        the supervisor of the version that runs
//!   service.log           what every version printed
//! ```
//!
//! The new version listens on the port beside the old one
//! (`MACARON_REUSE_PORT`); the old one gets SIGTERM only once the new one is
//! ready, so the port never stops answering.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

/// How many releases are kept (the running one and those before it).
const KEEP: usize = 5;
const MARKER: &str = "supervise";

/// The run folder of `env`.
pub fn run_dir(service_dir: &Path, env: &str) -> PathBuf {
    service_dir.join(".macaron/run").join(env)
}

/// Copies the binary and the files it reads into `releases/<version>/`.
pub fn prepare(run: &Path, version: &str, binary: &Path, source: &Path, config_files: &[String]) -> Result<(), String> {
    let release = run.join("releases").join(version);
    let _ = std::fs::remove_dir_all(&release);
    let mut files = crate::docker::context::tree(source, "apis")?;
    files.extend(config_files.iter().map(PathBuf::from));
    crate::docker::context::copy(source, &files, &release)?;
    let name = binary.file_name().ok_or("the binary has no name")?;
    std::fs::copy(binary, release.join(name)).map_err(|e| format!("cannot copy {}: {e}", binary.display()))?;
    prune(&run.join("releases"), version);
    Ok(())
}

/// Keeps the newest [`KEEP`] releases (and `keep`).
fn prune(releases: &Path, keep: &str) {
    let Ok(entries) = std::fs::read_dir(releases) else { return };
    let mut all: Vec<(std::time::SystemTime, PathBuf)> =
        entries.filter_map(|e| e.ok()).filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path()))).collect();
    all.sort();
    let extra = all.len().saturating_sub(KEEP);
    for (_, path) in all.into_iter().take(extra) {
        if !path.ends_with(keep) {
            let _ = std::fs::remove_dir_all(path);
        }
    }
}

/// What starts one version.
pub struct Launch<'a> {
    pub env: &'a str,
    pub version: &'a str,
    pub bin: &'a str,
    pub port: u16,
    pub url: &'a str,
    pub patience: Duration,
}

/// Starts `releases/<version>` under a supervisor, waits until that version
/// answers ready, then stops the one that ran before. A new version that
/// does not get ready is stopped, and the old one keeps running.
pub async fn deploy(run: &Path, launch: &Launch<'_>, out: &mut dyn Write) -> Result<(), String> {
    let release = run.join("releases").join(launch.version);
    let binary = release.join(launch.bin);
    if !binary.is_file() {
        return Err(format!("no release {} here ({} is missing)", launch.version, binary.display()));
    }
    let data = run.join("data");
    std::fs::create_dir_all(&data).map_err(|e| format!("cannot create {}: {e}", data.display()))?;
    let log_path = run.join("service.log");
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log_path)
        .map_err(|e| format!("cannot open {}: {e}", log_path.display()))?;
    let err = log.try_clone().map_err(|e| e.to_string())?;
    // This very executable, even if a rebuild replaced its file meanwhile.
    let exe = match Path::new("/proc/self/exe").exists() {
        true => PathBuf::from("/proc/self/exe"),
        false => std::env::current_exe().map_err(|e| format!("cannot find the macaron executable: {e}"))?,
    };
    let instance = uuid::Uuid::new_v4().simple().to_string();
    let mut command = Command::new(exe);
    command
        .arg(MARKER)
        .arg("--dir")
        .arg(&release)
        .arg("--")
        .arg(&binary)
        .args(["--env", launch.env, "--port", &launch.port.to_string()])
        .env_remove("PORT")
        .env("MACARON_REUSE_PORT", "1")
        .env("MACARON_VERSION", launch.version)
        .env("MACARON_INSTANCE", &instance)
        .env("MACARON_DATA_DIR", &data)
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(err);
    // Its own process group: a Ctrl-C in this terminal does not reach it.
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let mut child = command.spawn().map_err(|e| format!("cannot start the supervisor: {e}"))?;
    let pid = child.id() as i32;
    let _ =
        writeln!(out, "  started {} {} (supervisor pid {pid}, log {})", launch.bin, launch.version, log_path.display());
    let waited = super::probe::ready(launch.url, launch.version, Some(&instance), launch.patience, || {
        child.try_wait().ok().flatten().map(|s| format!("its supervisor exited ({s}); see {}", log_path.display()))
    })
    .await;
    if let Err(e) = waited {
        let _ = kill(Pid::from_raw(pid), Signal::SIGTERM);
        let _ = wait_gone(pid, Duration::from_secs(30)).await;
        let _ = child.try_wait();
        return Err(e);
    }
    let pid_file = run.join("supervisor.pid");
    if let Some(old) = read_pid(&pid_file).filter(|old| *old != pid && super::probe::alive(*old, MARKER)) {
        let _ = writeln!(out, "  {} is ready: stopping the version before it (supervisor pid {old})", launch.version);
        kill(Pid::from_raw(old), Signal::SIGTERM).map_err(|e| format!("cannot stop pid {old}: {e}"))?;
        wait_gone(old, Duration::from_secs(90)).await?;
    }
    std::fs::write(&pid_file, format!("{pid}\n")).map_err(|e| format!("cannot write {}: {e}", pid_file.display()))?;
    Ok(())
}

fn read_pid(path: &Path) -> Option<i32> {
    std::fs::read_to_string(path).ok()?.trim().parse().ok()
}

async fn wait_gone(pid: i32, patience: Duration) -> Result<(), String> {
    let deadline = Instant::now() + patience;
    while super::probe::alive(pid, MARKER) {
        if Instant::now() >= deadline {
            return Err(format!("pid {pid} did not stop within {}", humantime::format_duration(patience)));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(())
}
