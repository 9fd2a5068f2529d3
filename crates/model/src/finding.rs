//! Findings: what the engine says about a resource.

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 4] = [
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        Severity::ALL
            .into_iter()
            .find(|sev| sev.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                format!(
                    "unknown severity {} (expected low, medium, high or critical)",
                    audit_text::quote(s)
                )
            })
    }
}

/// Version of the findings document (`check --format json`, `report.json`), which is
/// also what `--baseline` and `diff` read.
pub const FINDINGS_DOC_VERSION: u32 = 1;

/// One rule broken by one resource. (Read back from findings files, whose findings
/// also carry their status: other fields are ignored.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Finding {
    pub rule_id: String,
    pub severity: Severity,
    pub resource_id: String,
    pub resource_type: String,
    pub region: String,
    /// Why this resource breaks the rule, with the values that matter.
    pub detail: String,
    /// Stable identity across runs (see [`crate::gate::fingerprint`]): not the detail,
    /// whose numbers move every day (a key's age), but rule, resource and the rule's
    /// `@fingerprint` key (e.g. the open ports).
    pub fingerprint: String,
}

impl Finding {
    /// The order of every listing: most severe first, then by rule, then by resource.
    pub fn sort_key(&self) -> (std::cmp::Reverse<Severity>, &str, &str) {
        (
            std::cmp::Reverse(self.severity),
            &self.rule_id,
            &self.resource_id,
        )
    }
}

fn order(a: &Finding, b: &Finding) -> std::cmp::Ordering {
    a.sort_key()
        .cmp(&b.sort_key())
        .then_with(|| a.detail.cmp(&b.detail))
}

/// Sorts findings into the one order every output uses. The order is total (a rule
/// breaks a resource once), so an unstable sort is still deterministic.
pub fn sort_findings(findings: &mut [Finding]) {
    findings.sort_unstable_by(order);
}

/// Merges runs that are each sorted by [`sort_findings`] into one sorted list.
pub fn merge_sorted(runs: Vec<Vec<Finding>>) -> Vec<Finding> {
    let mut runs = runs;
    while runs.len() > 1 {
        let mut next = Vec::with_capacity(runs.len().div_ceil(2));
        let mut it = runs.into_iter();
        while let Some(a) = it.next() {
            match it.next() {
                Some(b) => next.push(merge_two(a, b)),
                None => next.push(a),
            }
        }
        runs = next;
    }
    runs.pop().unwrap_or_default()
}

fn merge_two(a: Vec<Finding>, b: Vec<Finding>) -> Vec<Finding> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let mut a = a.into_iter().peekable();
    let mut b = b.into_iter().peekable();
    loop {
        let take_a = match (a.peek(), b.peek()) {
            (Some(x), Some(y)) => order(x, y).is_le(),
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => return out,
        };
        out.extend(if take_a { a.next() } else { b.next() });
    }
}
