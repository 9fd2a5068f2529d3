//! Renderers: each a function of the same [`CheckResult`]; none prints.

pub mod csv;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod sarif;
pub mod table;
pub mod text;

use audit_model::gate::Gate;
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

    pub fn rule(&self, id: &str) -> Option<&RuleInfo> {
        self.rules
            .binary_search_by(|r| r.id.as_str().cmp(id))
            .ok()
            .map(|i| &self.rules[i])
    }
}
