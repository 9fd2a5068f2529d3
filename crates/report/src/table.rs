//! The terminal view of `audit check`: a verdict line, a summary per rule, the findings
//! and the gaps, as comfy-table tables.

use std::collections::BTreeMap;

use audit_model::Severity;
use audit_model::gate::{Status, WaiverState};
use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{ContentArrangement, Table};

use crate::CheckResult;
use audit_text::terminal_safe;

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

    let judged = &result.gate.judged;
    if !judged.is_empty() {
        let mut per_rule: BTreeMap<&str, (Severity, usize)> = BTreeMap::new();
        for j in judged {
            let f = &j.finding;
            per_rule.entry(&f.rule_id).or_insert((f.severity, 0)).1 += 1;
        }
        let mut rows: Vec<(&str, Severity, usize)> = per_rule
            .into_iter()
            .map(|(id, (s, n))| (id, s, n))
            .collect();
        rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let mut summary = table(&["rule", "severity", "findings", "title"]);
        for (id, severity, n) in rows {
            let title = result.rule(id).map_or("", |r| r.title.as_str());
            summary.add_row(vec![
                id.to_string(),
                severity.to_string(),
                n.to_string(),
                title.to_string(),
            ]);
        }
        out.push_str(&format!("\n{summary}\n"));

        let mut findings = table(&["severity", "status", "rule", "resource", "region", "detail"]);
        for j in judged {
            let f = &j.finding;
            let status = match j.status {
                Status::Open if f.severity < result.fail_on => "below threshold",
                Status::Open => "open",
                Status::Waived => "waived",
                Status::Baselined => "baselined",
            };
            findings.add_row(vec![
                f.severity.to_string(),
                status.to_string(),
                f.rule_id.clone(),
                terminal_safe(&f.resource_id),
                terminal_safe(&f.region),
                terminal_safe(&f.detail),
            ]);
        }
        out.push_str(&format!("\n{findings}\n"));
    }

    if !result.gate.waivers.is_empty() {
        let mut waivers = table(&[
            "state", "rule", "resource", "expires", "owner", "ticket", "matched",
        ]);
        for w in &result.gate.waivers {
            let state = match w.state {
                WaiverState::InForce => "in force",
                WaiverState::Expired => "EXPIRED",
                WaiverState::Stale => "stale",
            };
            waivers.add_row(vec![
                state.to_string(),
                terminal_safe(&w.waiver.rule),
                terminal_safe(&w.waiver.resource),
                w.waiver.expires.to_string(),
                terminal_safe(&w.waiver.owner),
                terminal_safe(&w.waiver.ticket),
                w.matched.to_string(),
            ]);
        }
        out.push_str(&format!("\nwaivers\n{waivers}\n"));
    }

    if !result.gaps.is_empty() {
        let mut gaps = table(&["service", "region", "operation", "error", "message"]);
        for g in &result.gaps {
            gaps.add_row(vec![
                terminal_safe(&g.service),
                terminal_safe(&g.region),
                terminal_safe(&g.operation),
                terminal_safe(g.error_code.as_str()),
                terminal_safe(&g.message),
            ]);
        }
        out.push_str(&format!(
            "\ncoverage gaps: what the snapshot could not see\n{gaps}\n"
        ));
    }

    let unjudged: Vec<_> = result
        .rules
        .iter()
        .filter_map(|r| Some((&r.id, r.not_judged.as_deref()?)))
        .collect();
    if !unjudged.is_empty() {
        let mut t = table(&["rule", "why"]);
        for (id, why) in &unjudged {
            t.add_row(vec![terminal_safe(id), terminal_safe(why)]);
        }
        out.push_str(&format!(
            "\nnot judged on {}: {} rule(s) whose facts its APIs do not tell (neither passed nor failed)\n{t}\n",
            h.partition,
            unjudged.len()
        ));
    }

    out.push_str(&format!(
        "\n{}\n{}: {}\n",
        result.counts_line(),
        result.verdict().label(),
        result.verdict_reason()
    ));
    out
}
