//! The one rule defined in Rust, not in Cedar: the TCO gate. `audit tco` computes the
//! verdict (Polars' arithmetic); this rule only carries it into the findings of `check`
//! and `report`, and the rule catalogue lists it beside the Cedar rules.

use audit_signoff::tco::{StaleInput, TcoResult};

/// The rule the TCO result is judged by in `check` and `report`. It lives here, not in a
/// Cedar file: the verdict is Polars' arithmetic, and the rule only carries it into the
/// findings. Critical, so that every `--fail-on` fails on it, as the design's exit code 1
/// says ("or TCO over its limit").
pub const GATE_RULE: &str = "tco-over-limit";

pub fn rule() -> audit_report::RuleInfo {
    audit_report::RuleInfo {
        id: GATE_RULE.into(),
        severity: audit_model::Severity::Critical,
        title: "Cloud TCO over its limit of the IDC's".into(),
        family: "tco".into(),
        control: "internal: migration business case (cloud TCO at most 70 % of the IDC)".into(),
        remediation: "Cut the cloud bill (commitments, spot, storage tiering: see the what-if \
                      of `audit tco`) or revisit the IDC baseline; then run `audit tco` again"
            .into(),
        doc: None,
        not_judged: None,
    }
}

/// The gated months: `2026-10`, or `2026-08..2026-10`.
fn period(tco: &TcoResult) -> Option<String> {
    match (&tco.from, &tco.to) {
        (Some(from), Some(to)) if from == to => Some(from.clone()),
        (Some(from), Some(to)) => Some(format!("{from}..{to}")),
        _ => None,
    }
}

/// What the reports show of a TCO result.
pub fn summary(tco: &TcoResult, stale: &[StaleInput]) -> audit_report::TcoSummary {
    audit_report::TcoSummary {
        file: tco.path.display().to_string(),
        ratio: tco.ratio,
        limit: tco.limit,
        pass: tco.pass,
        period: period(tco).or_else(|| tco.period.clone()),
        currency: tco.currency.clone(),
        stale_inputs: stale.len(),
    }
}

/// The finding of a TCO result, if it fails: over its limit, or computed from cost files
/// that changed since (a stale verdict proves nothing).
pub fn finding(tco: &TcoResult, stale: &[StaleInput]) -> Option<audit_model::Finding> {
    let period = period(tco).map(|p| format!(" in {p}")).unwrap_or_default();
    let (detail, key) = if let Some(first) = stale.first() {
        (
            format!(
                "the TCO result `{}` is stale: `{}` changed since it was computed ({} input(s) in all); run `audit tco` again",
                tco.path.display(),
                first.path,
                stale.len()
            ),
            "stale",
        )
    } else if !tco.pass {
        (
            format!(
                "cloud TCO is {:.1} % of the IDC's{period}, over the limit of {:.1} %",
                tco.ratio * 100.0,
                tco.limit * 100.0
            ),
            "over",
        )
    } else {
        return None;
    };
    let resource_id = "tco".to_string();
    Some(audit_model::Finding {
        fingerprint: audit_model::gate::fingerprint(GATE_RULE, &resource_id, key),
        rule_id: GATE_RULE.into(),
        severity: audit_model::Severity::Critical,
        resource_id,
        resource_type: "tco_result".into(),
        region: "global".into(),
        detail,
    })
}

/// What `audit explain tco-over-limit` prints: the built-in rule has no Cedar source.
pub fn doc() -> String {
    let rule = rule();
    format!(
        "# {}: {}\n\nSeverity {} (fixed: not waivable, not baselinable, not switched off by a \
         config). Control: {}.\n\n## What it checks\n\nWith `--tco FILE` (the `tco.json` of \
         `audit tco`), `check` and `report` add one finding when the result fails its gate \
         (cloud TCO over the limit of the IDC's, `policies/tco.toml` `[gate]`), or when a cost \
         input it was computed from has changed since (its SHA-256 no longer matches): a stale \
         verdict proves nothing.\n\n## Fix\n\n{}.\n\n## Where it is defined\n\nIn Rust \
         (`crates/judge/src/tco_gate.rs`), not in a Cedar file: the verdict is Polars' \
         arithmetic, the rule only carries it into the findings.\n",
        rule.id, rule.title, rule.severity, rule.control, rule.remediation
    )
}

/// A rule built into the binary rather than written in Cedar, for `rules` and `explain`.
pub struct BuiltinRule {
    pub info: audit_report::RuleInfo,
    /// The resource type of its findings.
    pub applies_to: &'static str,
    /// When it is judged.
    pub when: &'static str,
    pub doc: String,
}

/// Every built-in rule.
pub fn builtin_rules() -> Vec<BuiltinRule> {
    vec![BuiltinRule {
        info: rule(),
        applies_to: "tco_result",
        when: "with --tco",
        doc: doc(),
    }]
}
