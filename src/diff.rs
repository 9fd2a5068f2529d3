//! `audit diff OLD NEW`: what is new and what was fixed between two runs.

use std::collections::BTreeMap;

use audit_model::Finding;
use audit_model::gate::fingerprint;
use comfy_table::Table;
use comfy_table::presets::UTF8_FULL_CONDENSED;
use serde::Serialize;

use crate::check::findings_of;
use crate::cli::{CheckFormat, DiffArgs};
use crate::exit::Exit;
use crate::{Failure, output};

#[derive(Serialize)]
struct Diff<'a> {
    schema_version: u32,
    old: String,
    new: String,
    new_findings: Vec<&'a Finding>,
    fixed_findings: Vec<&'a Finding>,
    unchanged: usize,
}

/// Exit 1 when there are new findings, 0 otherwise.
pub fn run(args: &DiffArgs) -> Result<Exit, Failure> {
    let old = findings_of(&args.old, &args.pack)?;
    let new = findings_of(&args.new, &args.pack)?;
    let index = |list: &[Finding]| -> BTreeMap<String, usize> {
        list.iter()
            .enumerate()
            .map(|(i, f)| (fingerprint(f), i))
            .collect()
    };
    let (old_ix, new_ix) = (index(&old), index(&new));
    let mut added: Vec<&Finding> = new_ix
        .iter()
        .filter(|(fp, _)| !old_ix.contains_key(*fp))
        .map(|(_, i)| &new[*i])
        .collect();
    let mut fixed: Vec<&Finding> = old_ix
        .iter()
        .filter(|(fp, _)| !new_ix.contains_key(*fp))
        .map(|(_, i)| &old[*i])
        .collect();
    let order = |a: &&Finding, b: &&Finding| a.sort_key().cmp(&b.sort_key());
    added.sort_by(order);
    fixed.sort_by(order);
    let unchanged = new_ix.len() - added.len();
    let text = match args.format {
        CheckFormat::Json => output::pretty_json(&Diff {
            schema_version: 1,
            old: args.old.display().to_string(),
            new: args.new.display().to_string(),
            new_findings: added.clone(),
            fixed_findings: fixed.clone(),
            unchanged,
        }),
        CheckFormat::Table => {
            let mut table = Table::new();
            table
                .load_style(UTF8_FULL_CONDENSED)
                .set_header(vec!["change", "severity", "rule", "resource", "detail"]);
            for (change, list) in [("new", &added), ("fixed", &fixed)] {
                for f in list.iter() {
                    table.add_row(vec![
                        change.to_string(),
                        f.severity.to_string(),
                        f.rule_id.clone(),
                        audit_report::text::terminal_safe(&f.resource_id),
                        audit_report::text::terminal_safe(&f.detail),
                    ]);
                }
            }
            format!(
                "{table}\n{} new, {} fixed, {unchanged} unchanged\n",
                added.len(),
                fixed.len()
            )
        }
    };
    output::print(&text)?;
    Ok(if added.is_empty() {
        Exit::Clean
    } else {
        Exit::Findings
    })
}
