//! The terminal view of `audit check`: a verdict line, a summary per rule, the findings
//! and the gaps, as comfy-table tables.

use std::collections::BTreeMap;

use audit_model::Severity;
use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{ContentArrangement, Table};

use crate::text::terminal_safe;
use crate::{CheckResult, Verdict};

fn table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(header.to_vec());
    t
}

pub fn render(result: &CheckResult) -> String {
    let h = result.header;
    let mut out = format!(
        "snapshot `{}`: account {} ({}), {} resources in {} region(s), collected {}\n",
        terminal_safe(result.snapshot_file),
        terminal_safe(&h.account_id),
        h.partition,
        result.resources,
        h.regions.len(),
        h.collected_at,
    );

    if !result.findings.is_empty() {
        let mut per_rule: BTreeMap<&str, (Severity, usize)> = BTreeMap::new();
        for f in result.findings {
            per_rule.entry(&f.rule_id).or_insert((f.severity, 0)).1 += 1;
        }
        let mut rows: Vec<(&str, Severity, usize)> = per_rule
            .into_iter()
            .map(|(id, (s, n))| (id, s, n))
            .collect();
        rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let mut summary = table(&["rule", "severity", "findings", "title"]);
        for (id, severity, n) in rows {
            let title = result
                .rules
                .iter()
                .find(|r| r.id == id)
                .map_or("", |r| r.title.as_str());
            summary.add_row(vec![
                id.to_string(),
                severity.to_string(),
                n.to_string(),
                title.to_string(),
            ]);
        }
        out.push_str(&format!("\n{summary}\n"));

        let mut findings = table(&["severity", "rule", "resource", "region", "detail"]);
        for f in result.findings {
            findings.add_row(vec![
                f.severity.to_string(),
                f.rule_id.clone(),
                terminal_safe(&f.resource_id),
                terminal_safe(&f.region),
                terminal_safe(&f.detail),
            ]);
        }
        out.push_str(&format!("\n{findings}\n"));
    }

    if !result.gaps.is_empty() {
        let mut gaps = table(&["service", "region", "operation", "error", "message"]);
        for g in &result.gaps {
            gaps.add_row(vec![
                terminal_safe(&g.service),
                terminal_safe(&g.region),
                terminal_safe(&g.operation),
                terminal_safe(&g.error_code),
                terminal_safe(&g.message),
            ]);
        }
        out.push_str(&format!(
            "\ncoverage gaps: what the snapshot could not see\n{gaps}\n"
        ));
    }

    let counts: Vec<String> = Severity::ALL
        .iter()
        .rev()
        .map(|s| format!("{} {s}", result.count(*s)))
        .collect();
    let verdict = match result.verdict() {
        Verdict::Pass => format!("PASS: no finding at or above {}", result.fail_on),
        Verdict::Fail => format!(
            "FAIL: {} finding(s) at or above {}",
            result.failing(),
            result.fail_on
        ),
        Verdict::Incomplete => format!(
            "INCOMPLETE: {} coverage gap(s); an incomplete audit never passes (use --allow-incomplete to judge it anyway)",
            result.gaps.len()
        ),
    };
    out.push_str(&format!(
        "\n{} finding(s): {}\n{verdict}\n",
        result.findings.len(),
        counts.join(", ")
    ));
    out
}
