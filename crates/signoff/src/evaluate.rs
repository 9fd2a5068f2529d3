//! Each checklist item's state, from the judged findings, the TCO result and the
//! attestations. Pure: the same inputs give the same results, in checklist order.

use std::collections::BTreeSet;

use audit_model::Severity;
use audit_model::gate::{Judged, Status, WaiverReport, WaiverState};
use serde::{Deserialize, Serialize};

use crate::attest::{self, Stored};
use crate::checklist::{Check, Checklist, Item, Phase};
use crate::tco::{StaleInput, TcoResult};

/// How many open findings a reason names before it says "and N more".
const NAMED_IN_REASON: usize = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    Pass,
    /// Waiting for something not given yet: an attestation, a TCO result.
    Pending,
    Fail,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Pass => "pass",
            State::Pending => "pending",
            State::Fail => "fail",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Auto,
    Manual,
}

/// What the gate decided, as the items need it.
#[derive(Debug, Clone, Copy)]
pub struct GateFacts<'a> {
    /// Sorted findings with their status.
    pub judged: &'a [Judged],
    pub waivers: &'a [WaiverReport],
    /// Rule ids the config switched off.
    pub disabled_rules: &'a BTreeSet<String>,
    /// Rule ids not judged on the snapshot's partition (`@not_judged`).
    pub not_judged_rules: &'a BTreeSet<String>,
    /// Coverage gaps of the snapshot (and the engine's).
    pub gaps: usize,
    pub allow_incomplete: bool,
    pub fail_on: Severity,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FindingRef {
    pub rule_id: String,
    pub resource_id: String,
}

/// Counts of the bound rules' findings by what the gate made of them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FindingCounts {
    pub open: u64,
    pub waived: u64,
    pub baselined: u64,
    pub below_threshold: u64,
}

/// The TCO figures an item was judged on. Numbers are kept as the text of their shortest
/// exact form, so that a record reads back to the very same bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TcoEvidence {
    pub ratio: String,
    pub limit: String,
    pub pass: bool,
}

/// What an item's state rests on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Evidence {
    /// The rule ids the item is bound to (globs resolved).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub findings: Option<FindingCounts>,
    /// Every open finding that fails the item.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub open_findings: Vec<FindingRef>,
    /// Expired waivers of the bound rules (`file:line`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expired_waivers: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tco: Option<TcoEvidence>,
    /// The attestation that counts (the latest), by number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attestation: Option<u64>,
    /// Every attestation of the item, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemResult {
    pub id: String,
    pub phase: Phase,
    pub text: String,
    pub blocking: bool,
    pub kind: Kind,
    pub state: State,
    pub reason: String,
    pub evidence: Evidence,
}

/// Whether a sign-off may go ahead: every blocking item passes.
pub fn ready(results: &[ItemResult]) -> bool {
    results
        .iter()
        .all(|r| !r.blocking || r.state == State::Pass)
}

/// A ratio as text, e.g. 0.648 → `0.648`.
pub fn number(x: f64) -> String {
    format!("{x}")
}

fn percent(x: f64) -> String {
    let p = format!("{:.1}", x * 100.0);
    format!("{} %", p.strip_suffix(".0").unwrap_or(&p))
}

/// Judges every item. `stale` are the TCO's cost inputs that changed since it ran.
pub fn evaluate(
    checklist: &Checklist,
    gate: &GateFacts,
    tco: Option<(&TcoResult, &[StaleInput])>,
    attestations: &[Stored],
) -> Vec<ItemResult> {
    checklist
        .items
        .iter()
        .map(|item| match &item.check {
            Check::Manual => manual(item, attestations),
            Check::Auto(auto) => {
                let mut problems: Vec<(State, String)> = Vec::new();
                let mut fine: Vec<String> = Vec::new();
                let mut evidence = Evidence {
                    rules: auto.rules.clone(),
                    ..Evidence::default()
                };
                if !auto.rules.is_empty() {
                    rules_part(&auto.rules, gate, &mut evidence, &mut problems, &mut fine);
                }
                if auto.tco {
                    tco_part(auto.tco_limit, tco, &mut evidence, &mut problems, &mut fine);
                }
                let state = problems
                    .iter()
                    .map(|(s, _)| *s)
                    .max()
                    .unwrap_or(State::Pass);
                let reason = if problems.is_empty() {
                    fine.join("; ")
                } else {
                    problems
                        .into_iter()
                        .map(|(_, m)| m)
                        .collect::<Vec<_>>()
                        .join("; ")
                };
                result(item, Kind::Auto, state, reason, evidence)
            }
        })
        .collect()
}

fn result(item: &Item, kind: Kind, state: State, reason: String, evidence: Evidence) -> ItemResult {
    ItemResult {
        id: item.id.clone(),
        phase: item.phase,
        text: item.text.clone(),
        blocking: item.blocking,
        kind,
        state,
        reason,
        evidence,
    }
}

fn manual(item: &Item, attestations: &[Stored]) -> ItemResult {
    let history: Vec<u64> = attestations
        .iter()
        .filter(|s| s.attestation.item == item.id)
        .map(|s| s.attestation.seq)
        .collect();
    match attest::latest(attestations, &item.id) {
        None => result(
            item,
            Kind::Manual,
            State::Pending,
            "no attestation".into(),
            Evidence::default(),
        ),
        Some(s) => {
            let a = &s.attestation;
            result(
                item,
                Kind::Manual,
                State::Pass,
                format!("attested by {} at {}: {}", a.by, a.at, a.evidence),
                Evidence {
                    attestation: Some(a.seq),
                    history,
                    ..Evidence::default()
                },
            )
        }
    }
}

fn rules_part(
    rules: &[String],
    gate: &GateFacts,
    evidence: &mut Evidence,
    problems: &mut Vec<(State, String)>,
    fine: &mut Vec<String>,
) {
    let bound = |id: &str| rules.binary_search_by(|r| r.as_str().cmp(id)).is_ok();
    let disabled: Vec<&str> = rules
        .iter()
        .filter(|r| gate.disabled_rules.contains(*r))
        .map(String::as_str)
        .collect();
    if !disabled.is_empty() {
        problems.push((
            State::Fail,
            format!(
                "{} disabled by the config: the gate cannot prove the item",
                ticked(&disabled)
            ),
        ));
    }
    let not_judged: Vec<&str> = rules
        .iter()
        .filter(|r| gate.not_judged_rules.contains(*r))
        .map(String::as_str)
        .collect();
    if !not_judged.is_empty() {
        problems.push((
            State::Fail,
            format!(
                "{} not judged on this provider: the gate cannot prove the item (prove it with a manual item)",
                ticked(&not_judged)
            ),
        ));
    }
    if gate.gaps > 0 && !gate.allow_incomplete {
        problems.push((
            State::Fail,
            format!(
                "the snapshot has {} coverage gap(s): the rules did not see everything",
                gate.gaps
            ),
        ));
    }
    let mut counts = FindingCounts::default();
    for j in gate.judged.iter().filter(|j| bound(&j.finding.rule_id)) {
        match j.status {
            Status::Waived => counts.waived += 1,
            Status::Baselined => counts.baselined += 1,
            Status::Open if j.finding.severity < gate.fail_on => counts.below_threshold += 1,
            Status::Open => {
                counts.open += 1;
                evidence.open_findings.push(FindingRef {
                    rule_id: j.finding.rule_id.clone(),
                    resource_id: j.finding.resource_id.clone(),
                });
            }
        }
    }
    if counts.open > 0 {
        let named: Vec<String> = evidence
            .open_findings
            .iter()
            .take(NAMED_IN_REASON)
            .map(|f| format!("{} on {}", f.rule_id, f.resource_id))
            .collect();
        let more = evidence.open_findings.len().saturating_sub(NAMED_IN_REASON);
        let more = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        problems.push((
            State::Fail,
            format!(
                "{} open finding(s): {}{more}",
                counts.open,
                named.join(", ")
            ),
        ));
    }
    evidence.expired_waivers = gate
        .waivers
        .iter()
        .filter(|w| w.state == WaiverState::Expired && bound(&w.waiver.rule))
        .map(|w| w.waiver.place.clone())
        .collect();
    if !evidence.expired_waivers.is_empty() {
        problems.push((
            State::Fail,
            format!(
                "expired waiver(s) at {}: renew or fix",
                evidence.expired_waivers.join(", ")
            ),
        ));
    }
    let mut accepted = Vec::new();
    for (n, what) in [
        (counts.waived, "waived"),
        (counts.baselined, "baselined"),
        (counts.below_threshold, "below the threshold"),
    ] {
        if n > 0 {
            accepted.push(format!("{n} {what}"));
        }
    }
    let accepted = if accepted.is_empty() {
        String::new()
    } else {
        format!(" ({})", accepted.join(", "))
    };
    fine.push(format!(
        "no open finding of {} rule(s){accepted}",
        rules.len()
    ));
    evidence.findings = Some(counts);
}

fn tco_part(
    item_limit: Option<f64>,
    tco: Option<(&TcoResult, &[StaleInput])>,
    evidence: &mut Evidence,
    problems: &mut Vec<(State, String)>,
    fine: &mut Vec<String>,
) {
    let Some((t, stale)) = tco else {
        problems.push((State::Pending, "no TCO result given (`--tco`)".into()));
        return;
    };
    evidence.tco = Some(TcoEvidence {
        ratio: number(t.ratio),
        limit: number(t.limit),
        pass: t.pass,
    });
    for s in stale {
        let why = match &s.now {
            Ok(_) => "changed",
            Err(_) => "cannot be read",
        };
        problems.push((
            State::Fail,
            format!(
                "cost input `{}` {why} since the TCO was computed: run `audit tco` again",
                s.path
            ),
        ));
    }
    if !t.pass {
        problems.push((
            State::Fail,
            format!(
                "cloud TCO is {} of the IDC, over the limit of {}",
                percent(t.ratio),
                percent(t.limit)
            ),
        ));
    }
    if let Some(max) = item_limit
        && t.limit > max
    {
        problems.push((
            State::Fail,
            format!(
                "the TCO was gated at {}, the checklist requires at most {}",
                percent(t.limit),
                percent(max)
            ),
        ));
    }
    fine.push(format!(
        "cloud TCO is {} of the IDC (limit {})",
        percent(t.ratio),
        percent(t.limit)
    ));
}

fn ticked(ids: &[&str]) -> String {
    let quoted: Vec<String> = ids.iter().map(|id| format!("`{id}`")).collect();
    format!("rule {}", quoted.join(", "))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use audit_model::Finding;
    use audit_model::gate::{Waiver, apply, fingerprint};

    use super::*;
    use crate::attest::{ATTESTATION_VERSION, Attestation};

    const CHECKLIST: &str = r#"
[[item]]
id = "net"
phase = "constraint"
text = "security groups closed"
blocking = true
auto = { rules = ["network-*"] }

[[item]]
id = "tco"
phase = "constraint"
text = "TCO"
blocking = true
auto = { tco = true, tco_limit = 0.7 }

[[item]]
id = "dr"
phase = "after"
text = "DR drill"
blocking = false
manual = true
"#;

    fn checklist() -> Checklist {
        let rules = [
            "network-admin-port-open",
            "network-plaintext-port-open",
            "tags-mandatory-missing",
        ]
        .map(String::from);
        crate::checklist::parse(Path::new("c.toml"), CHECKLIST, &rules).unwrap()
    }

    fn finding(rule: &str, resource: &str, severity: Severity) -> Finding {
        Finding {
            rule_id: rule.into(),
            severity,
            resource_id: resource.into(),
            resource_type: "security_group".into(),
            region: "cn-north-1".into(),
            detail: "d".into(),
            fingerprint: fingerprint(rule, resource, ""),
        }
    }

    fn waiver(rule: &str, resource: &str, expires: &str) -> Waiver {
        Waiver {
            rule: rule.into(),
            resource: resource.into(),
            reason: "r".into(),
            owner: "o".into(),
            ticket: "T".into(),
            expires: expires.parse().unwrap(),
            place: "w.toml:3".into(),
        }
    }

    fn tco(ratio: f64, limit: f64, pass: bool) -> TcoResult {
        TcoResult {
            path: "t.json".into(),
            limit,
            ratio,
            pass,
            currency: None,
            period: None,
            from: None,
            to: None,
            inputs: vec![],
        }
    }

    fn stored(seq: u64, item: &str, by: &str) -> Stored {
        Stored {
            attestation: Attestation {
                attestation_version: ATTESTATION_VERSION,
                seq,
                item: item.into(),
                by: by.into(),
                evidence: "https://e".into(),
                note: String::new(),
                at: "2026-11-20T08:00:00Z".into(),
            },
            path: format!("{seq:06}.json").into(),
            sha256: String::new(),
        }
    }

    fn run(
        findings: Vec<Finding>,
        waivers: Vec<Waiver>,
        gaps: usize,
        tco: Option<(&TcoResult, &[StaleInput])>,
        attestations: &[Stored],
    ) -> Vec<ItemResult> {
        let gate = apply(findings, waivers, None, "2026-11-20".parse().unwrap());
        let disabled = BTreeSet::new();
        let facts = GateFacts {
            judged: &gate.judged,
            waivers: &gate.waivers,
            disabled_rules: &disabled,
            not_judged_rules: &disabled,
            gaps,
            allow_incomplete: false,
            fail_on: Severity::Low,
        };
        evaluate(&checklist(), &facts, tco, attestations)
    }

    fn states(results: &[ItemResult]) -> Vec<(&str, State)> {
        results.iter().map(|r| (r.id.as_str(), r.state)).collect()
    }

    #[test]
    fn nothing_given_nothing_passes_but_the_clean_rules() {
        let r = run(vec![], vec![], 0, None, &[]);
        assert_eq!(
            states(&r),
            [
                ("dr", State::Pending),
                ("net", State::Pass),
                ("tco", State::Pending)
            ]
        );
        assert_eq!(r[2].reason, "no TCO result given (`--tco`)");
        assert_eq!(r[1].reason, "no open finding of 2 rule(s)");
        assert!(!ready(&r));
    }

    #[test]
    fn open_findings_of_bound_rules_fail_and_are_named() {
        let findings = vec![
            finding("network-admin-port-open", "sg-1", Severity::Critical),
            finding("network-admin-port-open", "sg-2", Severity::Critical),
            finding("network-plaintext-port-open", "sg-3", Severity::High),
            finding("network-plaintext-port-open", "sg-4", Severity::High),
            finding("tags-mandatory-missing", "sg-5", Severity::Medium),
        ];
        let r = run(findings.clone(), vec![], 0, None, &[]);
        assert_eq!(r[1].state, State::Fail);
        assert_eq!(
            r[1].reason,
            "4 open finding(s): network-admin-port-open on sg-1, network-admin-port-open on sg-2, \
             network-plaintext-port-open on sg-3 and 1 more"
        );
        assert_eq!(
            r[1].evidence.open_findings.len(),
            4,
            "every one, not only those named"
        );
        // Waived, they pass; the unbound tag finding never counted.
        let waivers = vec![
            waiver("network-admin-port-open", "*", "2026-12-31"),
            waiver("network-plaintext-port-open", "*", "2026-12-31"),
        ];
        let r = run(findings.clone(), waivers, 0, None, &[]);
        assert_eq!(r[1].state, State::Pass, "{}", r[1].reason);
        assert_eq!(r[1].reason, "no open finding of 2 rule(s) (4 waived)");
        assert_eq!(r[1].evidence.findings.as_ref().unwrap().waived, 4);
        // An expired waiver fails the item even with nothing open for it.
        let r = run(
            vec![finding(
                "network-admin-port-open",
                "sg-1",
                Severity::Critical,
            )],
            vec![
                waiver("network-admin-port-open", "*", "2026-12-31"),
                waiver("network-plaintext-port-open", "sg-9", "2026-11-19"),
            ],
            0,
            None,
            &[],
        );
        assert_eq!(r[1].state, State::Fail);
        assert!(
            r[1].reason.contains("expired waiver(s) at w.toml:3"),
            "{}",
            r[1].reason
        );
    }

    #[test]
    fn gaps_and_disabled_rules_fail_closed() {
        let r = run(vec![], vec![], 2, None, &[]);
        assert_eq!(r[1].state, State::Fail);
        assert!(r[1].reason.contains("2 coverage gap(s)"));
        let gate = apply(vec![], vec![], None, "2026-11-20".parse().unwrap());
        let disabled: BTreeSet<String> = ["network-admin-port-open".to_string()].into();
        let facts = GateFacts {
            judged: &gate.judged,
            waivers: &gate.waivers,
            disabled_rules: &disabled,
            not_judged_rules: &BTreeSet::new(),
            gaps: 0,
            allow_incomplete: false,
            fail_on: Severity::Low,
        };
        let r = evaluate(&checklist(), &facts, None, &[]);
        assert_eq!(r[1].state, State::Fail);
        assert!(
            r[1].reason
                .starts_with("rule `network-admin-port-open` disabled by the config"),
            "{}",
            r[1].reason
        );
        // A rule the provider cannot judge proves nothing either.
        let none = BTreeSet::new();
        let facts = GateFacts {
            disabled_rules: &none,
            not_judged_rules: &disabled,
            ..facts
        };
        let r = evaluate(&checklist(), &facts, None, &[]);
        assert_eq!(r[1].state, State::Fail);
        assert!(
            r[1].reason
                .starts_with("rule `network-admin-port-open` not judged on this provider"),
            "{}",
            r[1].reason
        );
    }

    #[test]
    fn tco_passes_fails_or_is_stale() {
        let good = tco(0.648, 0.7, true);
        let r = run(vec![], vec![], 0, Some((&good, &[])), &[]);
        assert_eq!(r[2].state, State::Pass);
        assert_eq!(r[2].reason, "cloud TCO is 64.8 % of the IDC (limit 70 %)");
        assert_eq!(
            r[2].evidence.tco,
            Some(TcoEvidence {
                ratio: "0.648".into(),
                limit: "0.7".into(),
                pass: true
            })
        );
        let over = tco(0.82, 0.7, false);
        let r = run(vec![], vec![], 0, Some((&over, &[])), &[]);
        assert_eq!(r[2].state, State::Fail);
        assert_eq!(
            r[2].reason,
            "cloud TCO is 82 % of the IDC, over the limit of 70 %"
        );
        let loose = tco(0.8, 0.9, true);
        let r = run(vec![], vec![], 0, Some((&loose, &[])), &[]);
        assert_eq!(r[2].state, State::Fail);
        assert!(
            r[2].reason.contains("requires at most 70 %"),
            "{}",
            r[2].reason
        );
        let stale = [StaleInput {
            path: "idc.csv".into(),
            now: Ok("ab".into()),
        }];
        let r = run(vec![], vec![], 0, Some((&good, &stale)), &[]);
        assert_eq!(r[2].state, State::Fail);
        assert!(r[2].reason.starts_with("cost input `idc.csv` changed"));
    }

    #[test]
    fn the_latest_attestation_counts_and_the_history_is_kept() {
        let all = [
            stored(1, "dr", "li"),
            stored(2, "other", "x"),
            stored(3, "dr", "wang"),
        ];
        let good = tco(0.6, 0.7, true);
        let r = run(vec![], vec![], 0, Some((&good, &[])), &all);
        assert_eq!(r[0].state, State::Pass);
        assert!(
            r[0].reason
                .starts_with("attested by wang at 2026-11-20T08:00:00Z")
        );
        assert_eq!(r[0].evidence.attestation, Some(3));
        assert_eq!(r[0].evidence.history, [1, 3]);
        assert!(ready(&r));
        // A non-blocking item does not hold the sign-off back.
        let r = run(vec![], vec![], 0, Some((&good, &[])), &[]);
        assert_eq!(r[0].state, State::Pending);
        assert!(ready(&r));
    }
}
