//! `signoff status` and `signoff attest`.

use audit_signoff::attest::NewAttestation;
use comfy_table::{ColumnConstraint, Width};
use serde::Serialize;

use super::*;
use crate::cli::{AttestArgs, CheckFormat, SignoffStatusArgs};

pub(super) fn status(args: &SignoffStatusArgs) -> Result<Exit, Failure> {
    let inputs = &args.inputs;
    let ev = evaluate_inputs(inputs)?;
    let ready = evaluate::ready(&ev.results);
    let text = match args.format {
        CheckFormat::Json => {
            #[derive(Serialize)]
            struct Doc<'a> {
                signoff_status_version: u32,
                checklist: String,
                snapshot: String,
                tco: Option<String>,
                ready: bool,
                items: &'a [ItemResult],
            }
            output::pretty_json(&Doc {
                signoff_status_version: STATUS_VERSION,
                checklist: inputs.checklist.display().to_string(),
                snapshot: ev.judgement.snapshot_file.clone(),
                tco: inputs.tco.as_ref().map(|p| p.display().to_string()),
                ready,
                items: &ev.results,
            })
        }
        CheckFormat::Table => {
            let h = &ev.judgement.header;
            let mut out = format!(
                "checklist `{}`: {} item(s); snapshot `{}`: account {} ({}), collected {}\n",
                terminal_safe(&inputs.checklist.display().to_string()),
                ev.checklist.items.len(),
                terminal_safe(&ev.judgement.snapshot_file),
                terminal_safe(&h.account_id),
                h.partition,
                h.collected_at,
            );
            let mut t = table(&["item", "phase", "blocking", "state", "reason"]);
            // Reasons name resources (long ARNs): wrapped, so that the table fits a screen.
            t.set_content_arrangement(ContentArrangement::Dynamic);
            if let Some(column) = t.column_mut(4) {
                column.set_constraint(ColumnConstraint::UpperBoundary(Width::Fixed(REASON_WIDTH)));
            }
            for r in &ev.results {
                t.add_row(vec![
                    r.id.clone(),
                    r.phase.as_str().to_string(),
                    yes_no(r.blocking).to_string(),
                    r.state.as_str().to_string(),
                    terminal_safe(&r.reason),
                ]);
            }
            let _ = writeln!(out, "\n{t}\n");
            if ready {
                out.push_str("READY: every blocking item passes; `audit signoff sign` may sign\n");
            } else {
                let _ = writeln!(
                    out,
                    "NOT READY: blocking items {}",
                    holding_back(&ev.results)
                );
            }
            out
        }
    };
    output::print(&text)?;
    Ok(ev.exit(inputs.judge.allow_incomplete))
}

/// `--at`, else `AUDIT_NOW`, else the clock; to the second.
pub(super) fn attest(args: &AttestArgs) -> Result<Exit, Failure> {
    let rules = args.pack.load()?.rules;
    let rule_ids: Vec<String> = rules.rules.iter().map(|r| r.id.clone()).collect();
    let checklist = audit_signoff::checklist::load(&args.checklist, &rule_ids)?;
    let new = NewAttestation {
        item: args.item.clone(),
        by: args.by.clone(),
        evidence: args.evidence.clone(),
        note: args.note.clone(),
        at: now(args.at)?,
    };
    attest::validate(&new, &checklist)?;
    let stored = attest::append(&args.dir, &new)?;
    let a = &stored.attestation;
    output::print(&format!(
        "attestation {} of `{}` by {} at {}: wrote {}\n",
        a.seq,
        a.item,
        terminal_safe(&a.by),
        a.at,
        stored.path.display()
    ))?;
    Ok(Exit::Clean)
}
