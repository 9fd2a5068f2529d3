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

/// The temp file of `write_atomic` for `name`: `.NAME.audit-tmp-PID-RANDOM`, so that a
/// later run can tell its own leftovers (a run killed before the rename) from anything
/// else in the folder, and a live run's from a dead one's.
fn temp_prefix(name: &str) -> String {
    format!(".{name}.audit-tmp-")
}

/// Removes the temp files that runs killed while writing `name` left in `dir`: only
/// files named by [`temp_prefix`], and only those of a process that no longer runs.
fn remove_stale_temps(dir: &std::path::Path, name: &str) {
    let prefix = temp_prefix(name);
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(rest) = file_name.to_str().and_then(|n| n.strip_prefix(&prefix)) else {
            continue;
        };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        if pid != std::process::id() && !process_runs(pid) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Whether process `pid` runs. Where that cannot be told (no `/proc`), it is taken to
/// run, so that a live run's temp file is never removed.
fn process_runs(pid: u32) -> bool {
    let proc = std::path::Path::new("/proc");
    !proc.is_dir() || proc.join(pid.to_string()).exists()
}

/// Writes `bytes` to `path` so that a reader sees the old file or the whole new one,
/// never a part: a temp file in the same folder, synced, then renamed over. Temp files
/// that killed runs left for the same path are removed first.
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
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    remove_stale_temps(dir, &name);
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!("{}{}-", temp_prefix(&name), std::process::id()))
        .tempfile_in(dir)
        .map_err(|e| fail(&e))?;
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
