//! Renderers: each a function of the same [`CheckResult`]; none prints.

pub mod json;
pub mod table;
pub mod text;

use audit_model::{Finding, Gap, Header, Severity};
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
    pub severity: Severity,
    pub title: String,
    pub family: String,
    pub control: String,
    pub remediation: String,
}

/// Everything `audit check` knows after judging a snapshot.
#[derive(Debug, Clone)]
pub struct CheckResult<'a> {
    pub snapshot_file: &'a str,
    pub header: &'a Header,
    pub resources: usize,
    pub findings: &'a [Finding],
    /// The snapshot's gaps, then the engine's.
    pub gaps: Vec<&'a Gap>,
    pub fail_on: Severity,
    pub allow_incomplete: bool,
    /// Every enabled rule, sorted by id.
    pub rules: &'a [RuleInfo],
}

impl CheckResult<'_> {
    pub fn failing(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity >= self.fail_on)
            .count()
    }

    /// Incomplete outranks failing: an audit with gaps proves nothing either way.
    pub fn verdict(&self) -> Verdict {
        if !self.gaps.is_empty() && !self.allow_incomplete {
            Verdict::Incomplete
        } else if self.failing() > 0 {
            Verdict::Fail
        } else {
            Verdict::Pass
        }
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }
}
