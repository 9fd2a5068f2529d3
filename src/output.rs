//! Writing output for the user.

use std::io::Write;

use crate::Failure;

/// Prints to stdout. A closed pipe (`audit rules | head`) is not an error; any other
/// failure (a full disk behind a redirect) is, or CI would keep an empty report.
pub fn print(text: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Failure::usage(format!(
            "error: cannot write to standard output: {e}"
        ))),
        _ => Ok(()),
    }
}

pub fn pretty_json(value: &impl serde::Serialize) -> String {
    let mut s = serde_json::to_string_pretty(value).unwrap_or_default();
    s.push('\n');
    s
}
