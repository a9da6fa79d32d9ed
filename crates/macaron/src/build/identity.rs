//! Who the service is: its name and version, as `/version`, crash reports
//! and logs give them.
//!
//! The name is the builder's, else the configuration's `name`, else the
//! executable's. The version is `MACARON_VERSION` when set, else the
//! builder's (usually [`crate::build_version!`]) with the git revision
//! appended, unless the version already names its commit (an image's,
//! `YYMMDD-HHMM-COUNT-SHA6`). The revision comes from
//! `MACARON_GIT_REVISION`, else `git rev-parse` in the working directory,
//! run once, at startup.

/// The executable's name.
pub(super) fn default_name() -> String {
    std::env::current_exe()
        .ok()
        .and_then(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "macaron".into())
}

pub(super) fn service_version(given: Option<String>) -> String {
    if let Ok(v) = std::env::var("MACARON_VERSION") {
        if !v.is_empty() {
            return v;
        }
    }
    let base = given.unwrap_or_else(|| "0.0.0".into());
    if names_commit(&base) {
        // An image's version (`YYMMDD-HHMM-COUNT-SHA6`) already says which commit.
        return base;
    }
    match git_revision() {
        Some(rev) => format!("{base}+{rev}"),
        None => base,
    }
}

/// The commit a version names: what follows `+` (`1.2.0+abc1234`), or
/// the last part of an image's version (`YYMMDD-HHMM-COUNT-SHA6`), else
/// `unknown`.
pub(super) fn revision(version: &str) -> &str {
    match version.split_once('+') {
        Some((_, rev)) => rev,
        None if names_commit(version) => version.trim_end_matches("-dirty").rsplit('-').next().unwrap_or("unknown"),
        None => "unknown",
    }
}

/// True for a version of the form `YYMMDD-HHMM-<commit count>-<sha6>`
/// (optionally `-dirty`), as `macaron docker build` makes them.
fn names_commit(version: &str) -> bool {
    let parts: Vec<&str> = version.trim_end_matches("-dirty").split('-').collect();
    let digits = |s: &str, n: Option<usize>| {
        !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && n.is_none_or(|n| s.len() == n)
    };
    matches!(parts.as_slice(), [date, time, count, sha]
        if digits(date, Some(6)) && digits(time, Some(4)) && digits(count, None)
            && sha.len() == 6 && sha.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn git_revision() -> Option<String> {
    if let Ok(rev) = std::env::var("MACARON_GIT_REVISION") {
        return Some(rev).filter(|r| !r.is_empty());
    }
    let out = std::process::Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    let rev = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (out.status.success() && !rev.is_empty()).then_some(rev)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_versions_name_their_commit() {
        assert!(names_commit("200415-0819-953-b3548e"));
        assert!(names_commit("200415-0819-953-b3548e-dirty"));
        assert!(!names_commit("0.1.0"));
        assert!(!names_commit("200415-0819-953-b3548"));
        assert!(!names_commit("2004-0819-953-b3548e"));
    }

    #[test]
    fn the_revision_is_read_from_the_version() {
        assert_eq!(revision("1.2.0+abc1234"), "abc1234");
        assert_eq!(revision("261204-0204-91-b445b1"), "b445b1");
        assert_eq!(revision("261204-0204-91-b445b1-dirty"), "b445b1");
        assert_eq!(revision("1.2.0"), "unknown");
    }
}
