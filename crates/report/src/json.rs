//! Machine-readable result of `audit check`: versioned, sorted, no clock.

use audit_model::{Finding, Gap, Severity};
use serde::Serialize;

use crate::{CheckResult, Verdict};

/// Version of this JSON document's shape.
pub const CHECK_JSON_VERSION: u32 = 1;

#[derive(Serialize)]
struct Doc<'a> {
    schema_version: u32,
    tool: Tool,
    snapshot: Snap<'a>,
    fail_on: Severity,
    allow_incomplete: bool,
    verdict: Verdict,
    summary: Summary,
    gaps: &'a [&'a Gap],
    findings: &'a [Finding],
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
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
    gaps: usize,
}

pub fn render(result: &CheckResult, tool_version: &'static str) -> String {
    let h = result.header;
    let doc = Doc {
        schema_version: CHECK_JSON_VERSION,
        tool: Tool {
            name: "audit",
            version: tool_version,
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
        verdict: result.verdict(),
        summary: Summary {
            findings: result.findings.len(),
            failing: result.failing(),
            critical: result.count(Severity::Critical),
            high: result.count(Severity::High),
            medium: result.count(Severity::Medium),
            low: result.count(Severity::Low),
            gaps: result.gaps.len(),
        },
        gaps: &result.gaps,
        findings: result.findings,
    };
    // Serializing plain data to a String cannot fail.
    let mut out = serde_json::to_string_pretty(&doc).unwrap_or_default();
    out.push('\n');
    out
}
