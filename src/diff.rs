//! `audit diff OLD NEW`: what is new and what was fixed between two runs of one account.

use std::collections::BTreeMap;

use audit_model::{Finding, Gap};
use comfy_table::Table;
use comfy_table::presets::UTF8_FULL_CONDENSED;
use serde::Serialize;

use crate::cli::{CheckFormat, DiffArgs};
use crate::exit::Exit;
use crate::{Failure, output};
use audit_text::terminal_safe;

#[derive(Serialize)]
struct Diff<'a> {
    schema_version: u32,
    old: String,
    new: String,
    new_findings: Vec<&'a Finding>,
    fixed_findings: Vec<&'a Finding>,
    unchanged: usize,
    /// Coverage gaps of either side, as `old` or `new` and the gap.
    gaps: Vec<(&'a str, &'a Gap)>,
}

/// Exit 1 when there are new findings, 0 otherwise; 3 when the runs are of different
/// accounts; 4 when a side has coverage gaps (what it could not see would look fixed),
/// unless `--allow-incomplete`.
pub fn run(args: &DiffArgs) -> Result<Exit, Failure> {
    let pack = args.pack.load()?;
    let old_doc = audit_judge::findings_of(&args.old, &pack)?;
    let new_doc = audit_judge::findings_of(&args.new, &pack)?;
    if (&old_doc.account_id, old_doc.partition) != (&new_doc.account_id, new_doc.partition) {
        return Err(Failure::invalid(format!(
            "`{}` is of account {} ({}), `{}` of account {} ({}): a diff compares two runs of one account",
            args.old.display(),
            old_doc.account_id,
            old_doc.partition,
            args.new.display(),
            new_doc.account_id,
            new_doc.partition
        )));
    }
    let gaps: Vec<(&str, &Gap)> = old_doc
        .gaps
        .iter()
        .map(|g| ("old", g))
        .chain(new_doc.gaps.iter().map(|g| ("new", g)))
        .collect();
    let index = |list: &[Finding]| -> BTreeMap<String, usize> {
        list.iter()
            .enumerate()
            .map(|(i, f)| (f.fingerprint.clone(), i))
            .collect()
    };
    let (old, new) = (&old_doc.findings, &new_doc.findings);
    let (old_ix, new_ix) = (index(old), index(new));
    let pick = |from: &BTreeMap<String, usize>, not_in: &BTreeMap<String, usize>, list| {
        let list: &Vec<Finding> = list;
        let mut out: Vec<&Finding> = from
            .iter()
            .filter(|(fp, _)| !not_in.contains_key(*fp))
            .map(|(_, i)| &list[*i])
            .collect();
        out.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        out
    };
    let added = pick(&new_ix, &old_ix, new);
    let fixed = pick(&old_ix, &new_ix, old);
    let unchanged = new_ix.len() - added.len();
    let text = match args.format {
        CheckFormat::Json => output::pretty_json(&Diff {
            schema_version: 1,
            old: args.old.display().to_string(),
            new: args.new.display().to_string(),
            new_findings: added.clone(),
            fixed_findings: fixed.clone(),
            unchanged,
            gaps: gaps.clone(),
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
                        terminal_safe(&f.resource_id),
                        terminal_safe(&f.detail),
                    ]);
                }
            }
            let mut text = format!(
                "{table}\n{} new, {} fixed, {unchanged} unchanged\n",
                added.len(),
                fixed.len()
            );
            for (side, g) in &gaps {
                text.push_str(&format!(
                    "coverage gap in {side}: {} {} in {}: {}: {}\n",
                    terminal_safe(&g.service),
                    terminal_safe(&g.operation),
                    terminal_safe(&g.region),
                    terminal_safe(g.error_code.as_str()),
                    terminal_safe(&g.message)
                ));
            }
            text
        }
    };
    output::print(&text)?;
    Ok(if !gaps.is_empty() && !args.allow_incomplete {
        Exit::Incomplete
    } else if added.is_empty() {
        Exit::Clean
    } else {
        Exit::Findings
    })
}
