//! Writing output for the user.

use std::io::Write;

use crate::Failure;

/// Prints to stdout. A closed pipe (`audit rules | head`) is not an error; any other
/// failure (a full disk behind a redirect) is, or CI would keep an empty report.
pub fn print(text: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Failure::usage(format!(
            "cannot write to standard output: {e}"
        ))),
        _ => Ok(()),
    }
}

pub fn pretty_json(value: &impl serde::Serialize) -> String {
    let mut s = serde_json::to_string_pretty(value).unwrap_or_default();
    s.push('\n');
    s
}

/// Writes `bytes` to `path` so that a reader sees the old file or the whole new one,
/// never a part: a temp file in the same folder, synced, then renamed over.
pub fn write_atomic(path: &std::path::Path, bytes: &[u8]) -> Result<(), Failure> {
    let fail = |e: &dyn std::fmt::Display| {
        Failure::usage(format!("cannot write `{}`: {e}", path.display()))
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => std::path::Path::new("."),
    };
    if dir.exists() && !dir.is_dir() {
        return Err(fail(&format_args!("`{}` is not a folder", dir.display())));
    }
    std::fs::create_dir_all(dir).map_err(|e| fail(&e))?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| fail(&e))?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| fail(&e))?;
    // Temp files are private (0600); a report is for others to read, like any new file.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))
            .map_err(|e| fail(&e))?;
    }
    tmp.persist(path).map_err(|e| fail(&e.error))?;
    Ok(())
}
