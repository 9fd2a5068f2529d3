//! Renderers: each a function of the same [`CheckResult`]; none prints.

pub mod csv;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod sarif;
pub mod signoff;
pub mod table;

use audit_model::gate::{Gate, Status};
use audit_model::{Gap, Header, Severity};
use serde::Serialize;

/// The gate's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// No finding at or above the threshold, evaluation complete.
    Pass,
    /// Findings at or above the threshold.
    Fail,
    /// Coverage gaps, and gaps are not allowed.
    Incomplete,
}

impl Verdict {
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Pass => "PASS",
            Verdict::Fail => "FAIL",
            Verdict::Incomplete => "INCOMPLETE",
        }
    }
}

/// Rule metadata a renderer may show.
#[derive(Debug, Clone, Serialize)]
pub struct RuleInfo {
    pub id: String,
    /// In force (after config overrides).
    pub severity: Severity,
    pub title: String,
    pub family: String,
    pub control: String,
    pub remediation: String,
    /// The rule's Markdown documentation (`policies/docs/ID.md`), if the pack has it.
    #[serde(skip)]
    pub doc: Option<String>,
    /// Why the rule cannot be judged on the snapshot's partition (`@not_judged`): it was
    /// not applied, and the reports say so.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_judged: Option<String>,
}

/// The TCO result a judgement was given (`--tco`), shown by the reports whether it passes
/// or not; a failing or stale one is also a `tco-over-limit` finding.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TcoSummary {
    /// The `tco.json` read.
    pub file: String,
    /// Cloud TCO over the IDC's, for the gated period.
    pub ratio: f64,
    pub limit: f64,
    pub pass: bool,
    /// The gated period, as `audit tco` names it (`2026-10`, `2026-08..2026-10`).
    pub period: Option<String>,
    pub currency: Option<String>,
    /// Cost inputs whose files changed since the result was computed.
    pub stale_inputs: usize,
}

/// Everything `audit check` and `audit report` know after judging a snapshot.
#[derive(Debug, Clone)]
pub struct CheckResult<'a> {
    pub snapshot_file: &'a str,
    pub header: &'a Header,
    pub resources: usize,
    /// Findings (sorted) with their status, and the waivers with their state.
    pub gate: &'a Gate,
    /// The snapshot's gaps, then the engine's.
    pub gaps: Vec<&'a Gap>,
    pub fail_on: Severity,
    pub allow_incomplete: bool,
    /// The baseline file the findings were compared with, if any.
    pub baseline: Option<&'a str>,
    /// Every enabled rule, sorted by id.
    pub rules: &'a [RuleInfo],
    pub tool_version: &'a str,
    /// With `--tco`.
    pub tco: Option<&'a TcoSummary>,
}

impl CheckResult<'_> {
    /// Open findings at or above the threshold.
    pub fn failing(&self) -> usize {
        self.gate.failing(self.fail_on)
    }

    /// Incomplete outranks failing: an audit with gaps proves nothing either way. An
    /// expired waiver fails the gate even when its findings are gone.
    pub fn verdict(&self) -> Verdict {
        if !self.gaps.is_empty() && !self.allow_incomplete {
            Verdict::Incomplete
        } else if self.failing() > 0 || self.gate.expired_waivers() > 0 {
            Verdict::Fail
        } else {
            Verdict::Pass
        }
    }

    /// Findings of a severity, whatever their status.
    pub fn count(&self, severity: Severity) -> usize {
        self.gate
            .judged
            .iter()
            .filter(|j| j.finding.severity == severity)
            .count()
    }

    /// Why the verdict is what it is, in the words every format shows.
    pub fn verdict_reason(&self) -> String {
        match self.verdict() {
            Verdict::Pass => format!("no open finding at or above {}", self.fail_on),
            Verdict::Fail => {
                let mut why = Vec::new();
                if self.failing() > 0 {
                    why.push(format!(
                        "{} open finding(s) at or above {}",
                        self.failing(),
                        self.fail_on
                    ));
                }
                let expired = self.gate.expired_waivers();
                if expired > 0 {
                    why.push(format!("{expired} expired waiver(s); renew or remove them"));
                }
                why.join("; ")
            }
            Verdict::Incomplete => format!(
                "{} coverage gap(s); an incomplete audit never passes (use --allow-incomplete to judge it anyway)",
                self.gaps.len()
            ),
        }
    }

    /// `39 finding(s): 3 critical, 11 high, 19 medium, 6 low (1 waived)`.
    pub fn counts_line(&self) -> String {
        let by_severity: Vec<String> = Severity::ALL
            .iter()
            .rev()
            .map(|s| format!("{} {s}", self.count(*s)))
            .collect();
        let accepted: Vec<String> = [
            (Status::Waived, "waived"),
            (Status::Baselined, "in the baseline"),
        ]
        .into_iter()
        .map(|(status, name)| (self.gate.count(status), name))
        .filter(|(n, _)| *n > 0)
        .map(|(n, name)| format!("{n} {name}"))
        .collect();
        let accepted = if accepted.is_empty() {
            String::new()
        } else {
            format!(" ({})", accepted.join(", "))
        };
        format!(
            "{} finding(s): {}{accepted}",
            self.gate.judged.len(),
            by_severity.join(", ")
        )
    }

    pub fn rule(&self, id: &str) -> Option<&RuleInfo> {
        self.rules
            .binary_search_by(|r| r.id.as_str().cmp(id))
            .ok()
            .map(|i| &self.rules[i])
    }
}

/// Builders shared by the renderers' tests.
#[cfg(test)]
pub(crate) mod testkit {
    use audit_model::gate::Gate;
    use audit_model::{Finding, Header, Severity};

    use crate::CheckResult;

    /// A finding on a security group in cn-north-1, fingerprinted as the engine would.
    pub fn finding(rule: &str, severity: Severity, resource: &str, detail: &str) -> Finding {
        Finding {
            rule_id: rule.into(),
            severity,
            resource_id: resource.into(),
            resource_type: "security_group".into(),
            region: "cn-north-1".into(),
            detail: detail.into(),
            fingerprint: audit_model::gate::fingerprint(rule, resource, ""),
        }
    }

    /// A result with no rules, no gaps and the given findings.
    pub fn empty_result<'a>(header: &'a Header, gate: &'a Gate) -> CheckResult<'a> {
        CheckResult {
            snapshot_file: "snap.json",
            header,
            resources: 0,
            gate,
            gaps: vec![],
            fail_on: Severity::Low,
            allow_incomplete: false,
            baseline: None,
            rules: &[],
            tool_version: "0.1.0",
            tco: None,
        }
    }
}
