//! Machine-readable result of `audit check`: versioned, sorted, no clock.

use audit_model::gate::{Judged, Status, WaiverReport, WaiverState};
use audit_model::{Gap, Severity};
use serde::Serialize;

use crate::{CheckResult, Verdict};

/// Version of this JSON document's shape.
pub const CHECK_JSON_VERSION: u32 = audit_model::FINDINGS_DOC_VERSION;

#[derive(Serialize)]
struct Doc<'a> {
    schema_version: u32,
    tool: Tool<'a>,
    snapshot: Snap<'a>,
    fail_on: Severity,
    allow_incomplete: bool,
    baseline: Option<&'a str>,
    verdict: Verdict,
    summary: Summary,
    /// Only with `--tco`, so that documents without it keep their shape.
    #[serde(skip_serializing_if = "Option::is_none")]
    tco: Option<&'a crate::TcoSummary>,
    gaps: &'a [&'a Gap],
    /// Rules not applied because the partition's APIs cannot tell their facts; only when
    /// there are any, so that documents without them keep their shape.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    not_judged: Vec<NotJudged<'a>>,
    waivers: &'a [WaiverReport],
    findings: &'a [Judged],
}

#[derive(Serialize)]
struct NotJudged<'a> {
    rule_id: &'a str,
    reason: &'a str,
}

#[derive(Serialize)]
struct Tool<'a> {
    name: &'static str,
    version: &'a str,
}

#[derive(Serialize)]
struct Snap<'a> {
    file: &'a str,
    provider: audit_model::Provider,
    partition: audit_model::Partition,
    account_id: &'a str,
    regions: &'a [String],
    collected_at: String,
    resources: usize,
}

#[derive(Serialize)]
struct Summary {
    findings: usize,
    failing: usize,
    critical: usize,
    high: usize,
    medium: usize,
    low: usize,
    open: usize,
    waived: usize,
    baselined: usize,
    expired_waivers: usize,
    stale_waivers: usize,
    gaps: usize,
}

/// The JSON document of `audit check --format json` and `report.json`: versioned, the
/// same content as the other formats.
pub fn render(result: &CheckResult) -> String {
    let h = result.header;
    let doc = Doc {
        schema_version: CHECK_JSON_VERSION,
        tool: Tool {
            name: "audit",
            version: result.tool_version,
        },
        snapshot: Snap {
            file: result.snapshot_file,
            provider: h.provider,
            partition: h.partition,
            account_id: &h.account_id,
            regions: &h.regions,
            collected_at: h.collected_at.to_string(),
            resources: result.resources,
        },
        fail_on: result.fail_on,
        allow_incomplete: result.allow_incomplete,
        baseline: result.baseline,
        verdict: result.verdict(),
        tco: result.tco,
        summary: Summary {
            findings: result.gate.judged.len(),
            failing: result.failing(),
            critical: result.count(Severity::Critical),
            high: result.count(Severity::High),
            medium: result.count(Severity::Medium),
            low: result.count(Severity::Low),
            open: result.gate.count(Status::Open),
            waived: result.gate.count(Status::Waived),
            baselined: result.gate.count(Status::Baselined),
            expired_waivers: result.gate.expired_waivers(),
            stale_waivers: result
                .gate
                .waivers
                .iter()
                .filter(|w| w.state == WaiverState::Stale)
                .count(),
            gaps: result.gaps.len(),
        },
        gaps: &result.gaps,
        not_judged: result
            .rules
            .iter()
            .filter_map(|r| {
                Some(NotJudged {
                    rule_id: &r.id,
                    reason: r.not_judged.as_deref()?,
                })
            })
            .collect(),
        waivers: &result.gate.waivers,
        findings: &result.gate.judged,
    };
    // Serializing plain data to a String cannot fail.
    let mut out = serde_json::to_string_pretty(&doc).unwrap_or_default();
    out.push('\n');
    out
}
