//! The sign-off record for people (`signoff-*.md`, written beside the JSON record): who
//! signed, on what, each item, the attestations and the files. Every value from the
//! inputs goes through [`cell`]: names, reasons and paths are attacker-controlled.

use std::fmt::Write;
use std::path::Path;

use audit_signoff::record::Record;
use audit_text::markdown_cell as cell;

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

/// The record for people: who signed, on what, each item, the attestations, the files.
/// Every value from the inputs goes through [`cell`].
pub fn markdown(record: &Record, json_path: &Path) -> String {
    let s = &record.statement;
    let mut out = String::from("# Pre-cutover sign-off\n\n");
    let _ = writeln!(
        out,
        "Statement SHA-256 `{}`, made with {} {}. Verify with \
         `audit signoff verify {}` (add `--allowed-signers FILE` to check the SSH signatures).\n",
        record.statement_sha256,
        cell(&s.tool.name),
        cell(&s.tool.version),
        cell(&json_path.display().to_string()),
    );
    out.push_str("## Signatures\n\n| signed by | role | at | SSH signature |\n|---|---|---|---|\n");
    for sig in &record.signatures {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            cell(&sig.by),
            cell(&sig.role),
            cell(&sig.at),
            if sig.ssh_signature.is_some() {
                "yes"
            } else {
                "no"
            }
        );
    }
    let snap = &s.snapshot;
    let _ = write!(
        out,
        "\n## Inputs\n\n- Snapshot {}: account {} ({}), collected {}, {} resources, {} coverage gap(s)\n\
         - Gate: fail on {}{}; {} finding(s): {} open, {} waived, {} baselined; {} expired waiver(s)\n\
         - Checklist {}\n",
        cell(&snap.path),
        cell(&snap.account_id),
        cell(&snap.partition),
        cell(&snap.collected_at),
        snap.resources,
        snap.gaps,
        cell(&s.gate.fail_on),
        if s.gate.allow_incomplete {
            ", incomplete snapshots allowed"
        } else {
            ""
        },
        s.gate.findings,
        s.gate.open,
        s.gate.waived,
        s.gate.baselined,
        s.gate.expired_waivers,
        cell(&s.checklist),
    );
    match &s.tco {
        Some(t) => {
            let _ = writeln!(
                out,
                "- TCO {}: ratio {} against a limit of {} ({}){}{}",
                cell(&t.path),
                cell(&t.ratio),
                cell(&t.limit),
                if t.pass { "pass" } else { "fail" },
                t.currency
                    .as_deref()
                    .map(|c| format!(", {}", cell(c)))
                    .unwrap_or_default(),
                t.period
                    .as_deref()
                    .map(|p| format!(", period {}", cell(p)))
                    .unwrap_or_default(),
            );
        }
        None => out.push_str("- TCO: none given\n"),
    }
    out.push_str(
        "\n## Items\n\n| item | phase | blocking | state | reason |\n|---|---|---|---|---|\n",
    );
    for r in &s.items {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            cell(&r.id),
            r.phase.as_str(),
            yes_no(r.blocking),
            r.state.as_str(),
            cell(&r.reason)
        );
    }
    out.push_str("\n## Attestations\n\n");
    if s.attestations.is_empty() {
        out.push_str("None.\n");
    } else {
        out.push_str("| # | item | by | at | evidence | note |\n|---|---|---|---|---|---|\n");
        for a in &s.attestations {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                a.seq,
                cell(&a.item),
                cell(&a.by),
                cell(&a.at),
                cell(&a.evidence),
                cell(&a.note)
            );
        }
    }
    out.push_str("\n## Files\n\n| role | file | SHA-256 |\n|---|---|---|\n");
    for f in &s.files {
        let _ = writeln!(
            out,
            "| {} | {}{} | `{}` |",
            f.role.as_str(),
            cell(&f.path),
            if f.builtin { " (built in)" } else { "" },
            f.sha256
        );
    }
    out
}
