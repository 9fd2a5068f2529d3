//! `signoff verify`: the record's hashes recomputed and its signatures checked.

use super::*;

pub(super) fn verify(args: &VerifyArgs) -> Result<Exit, Failure> {
    let record = Record::load(&args.record)?;
    let builtin_pack = Pack::builtin()?;
    let builtin_files: Vec<(String, Vec<u8>)> = std::iter::once(&builtin_pack.schema)
        .chain(&builtin_pack.policies)
        .chain(std::iter::once(&builtin_pack.defaults))
        .map(|f| (f.path.display().to_string(), f.text.as_bytes().to_vec()))
        .collect();
    let builtin = |path: &str| {
        builtin_files
            .iter()
            .find(|(p, _)| p == path)
            .map(|(_, bytes)| bytes.clone())
    };
    let v = record::verify(&record, &builtin, args.allowed_signers.as_deref())?;
    let mut out = format!(
        "record `{}`\n",
        terminal_safe(&args.record.display().to_string())
    );
    let mut problems = 0usize;
    if v.statement_intact {
        let _ = writeln!(out, "statement: intact (sha256 {})", v.statement_sha256);
    } else {
        problems += 1;
        let _ = writeln!(
            out,
            "statement: EDITED: the record states sha256 {}, its content hashes to {}",
            terminal_safe(&record.statement_sha256),
            v.statement_sha256
        );
    }
    let mut same = 0usize;
    for f in &v.files {
        let name = format!(
            "{} `{}`{}",
            f.file.role.as_str(),
            terminal_safe(&f.file.path),
            if f.file.builtin { " (built in)" } else { "" }
        );
        match &f.state {
            FileState::Same => same += 1,
            FileState::Changed { now } => {
                problems += 1;
                let _ = writeln!(
                    out,
                    "CHANGED {name}: signed {}, now {now}",
                    terminal_safe(&f.file.sha256)
                );
            }
            FileState::Unreadable { error } => {
                problems += 1;
                let _ = writeln!(out, "MISSING {name}: {}", terminal_safe(error));
            }
        }
    }
    let _ = writeln!(out, "files: {same} of {} unchanged", v.files.len());
    for (sig, state) in &v.signatures {
        let who = format!(
            "{} ({}) at {}",
            terminal_safe(&sig.by),
            terminal_safe(&sig.role),
            terminal_safe(&sig.at)
        );
        match state {
            SignatureState::Valid => {
                let _ = writeln!(out, "signature of {who}: valid");
            }
            SignatureState::NotChecked => {
                let _ = writeln!(
                    out,
                    "signature of {who}: not checked (no --allowed-signers){}",
                    if sig.ssh_signature.is_some() {
                        ""
                    } else {
                        "; not signed with SSH"
                    }
                );
            }
            SignatureState::Unsigned => {
                problems += 1;
                let _ = writeln!(out, "signature of {who}: MISSING: not signed with SSH");
            }
            SignatureState::Invalid(e) => {
                problems += 1;
                let _ = writeln!(out, "signature of {who}: INVALID: {}", terminal_safe(e));
            }
        }
    }
    if v.ok() {
        out.push_str("VERIFIED\n");
    } else {
        let _ = writeln!(out, "FAILED: {problems} problem(s)");
    }
    output::print(&out)?;
    Ok(if v.ok() { Exit::Clean } else { Exit::Findings })
}
