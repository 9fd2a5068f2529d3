//! What the gate makes of findings: waivers (known debt with an owner and an expiry
//! date), baselines (only new findings fail) and stable fingerprints.

use std::collections::BTreeSet;

use jiff::civil::Date;
use serde::Serialize;

use crate::finding::{Finding, Severity};

/// An accepted finding: a rule on resources matching a glob, until a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Waiver {
    pub rule: String,
    /// An ARN, or a glob over ARNs: `*` any run of characters, `?` one character.
    pub resource: String,
    pub reason: String,
    pub owner: String,
    pub ticket: String,
    /// The last day the waiver holds.
    #[serde(serialize_with = "date_string")]
    pub expires: Date,
    /// `file:line` of the waiver's entry, for messages.
    pub place: String,
}

fn date_string<S: serde::Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&d.to_string())
}

impl Waiver {
    pub fn matches(&self, finding: &Finding) -> bool {
        self.rule == finding.rule_id && glob_match(&self.resource, &finding.resource_id)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum WaiverState {
    /// Holds today and matches at least one finding.
    InForce,
    /// Past its date: fails the gate, and waives nothing.
    Expired,
    /// Holds today but matches no finding: the debt is gone, delete the waiver.
    Stale,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WaiverReport {
    #[serde(flatten)]
    pub waiver: Waiver,
    pub state: WaiverState,
    /// Findings it matched (waived, unless it expired).
    pub matched: usize,
}

/// What the gate decided about one finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Counts against the gate (at or above the threshold).
    Open,
    /// Accepted by a waiver in force.
    Waived,
    /// Already in the baseline: not new.
    Baselined,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Judged {
    #[serde(flatten)]
    pub finding: Finding,
    pub status: Status,
    /// Index into the gate's waivers of the waiver that counts: the first in force that
    /// matches, else the first expired one that matches.
    #[serde(skip)]
    pub waiver: Option<usize>,
    /// Whether the baseline holds this finding (also when a waiver decides its status).
    #[serde(skip)]
    pub in_baseline: bool,
}

/// Findings with their status, and every waiver with its state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Gate {
    /// In the order of the findings given (sorted, as every output is).
    pub judged: Vec<Judged>,
    pub waivers: Vec<WaiverReport>,
}

impl Gate {
    /// Open findings at or above `fail_on`.
    pub fn failing(&self, fail_on: Severity) -> usize {
        self.judged
            .iter()
            .filter(|j| j.status == Status::Open && j.finding.severity >= fail_on)
            .count()
    }

    pub fn expired_waivers(&self) -> usize {
        self.waivers
            .iter()
            .filter(|w| w.state == WaiverState::Expired)
            .count()
    }

    pub fn count(&self, status: Status) -> usize {
        self.judged.iter().filter(|j| j.status == status).count()
    }
}

/// Applies waivers (as of `today`) and a baseline (fingerprints) to sorted findings.
/// Waivers in force decide first, whatever their order in the file; an expired waiver
/// never waives. A waiver's `matched` counts every finding its rule and glob match.
pub fn apply(
    findings: Vec<Finding>,
    waivers: Vec<Waiver>,
    baseline: Option<&BTreeSet<String>>,
    today: Date,
) -> Gate {
    let mut matched = vec![0usize; waivers.len()];
    let in_force = |w: &Waiver| w.expires >= today;
    let judged = findings
        .into_iter()
        .map(|finding| {
            for (i, w) in waivers.iter().enumerate() {
                if w.matches(&finding) {
                    matched[i] += 1;
                }
            }
            let live = waivers
                .iter()
                .position(|w| in_force(w) && w.matches(&finding));
            let waiver = live.or_else(|| waivers.iter().position(|w| w.matches(&finding)));
            let in_baseline = baseline.is_some_and(|b| b.contains(&finding.fingerprint));
            let status = if live.is_some() {
                Status::Waived
            } else if in_baseline {
                Status::Baselined
            } else {
                Status::Open
            };
            Judged {
                finding,
                status,
                waiver,
                in_baseline,
            }
        })
        .collect();
    let waivers = waivers
        .into_iter()
        .zip(matched)
        .map(|(waiver, matched)| WaiverReport {
            state: if !in_force(&waiver) {
                WaiverState::Expired
            } else if matched == 0 {
                WaiverState::Stale
            } else {
                WaiverState::InForce
            },
            waiver,
            matched,
        })
        .collect();
    Gate { judged, waivers }
}

/// A finding's stable identity across runs: FNV-1a 64 of the rule id, the resource id
/// and the rule's fingerprint key (its `@fingerprint` template rendered; empty for most
/// rules, since a rule breaks a resource at most once), as 16 hex digits. Not the detail:
/// its numbers move from one day to the next while nothing changed. Stable across
/// platforms and versions of this tool.
pub fn fingerprint(rule_id: &str, resource_id: &str, key: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in [rule_id, resource_id, key] {
        for b in part.bytes().chain([0u8]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

/// `*` matches any run of characters (also none), `?` exactly one; all else literally.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(rule: &str, resource: &str) -> Finding {
        Finding {
            rule_id: rule.into(),
            severity: Severity::High,
            resource_id: resource.into(),
            resource_type: "security_group".into(),
            region: "cn-north-1".into(),
            detail: "open".into(),
            fingerprint: fingerprint(rule, resource, ""),
        }
    }

    fn waiver(rule: &str, resource: &str, expires: &str) -> Waiver {
        Waiver {
            rule: rule.into(),
            resource: resource.into(),
            reason: "r".into(),
            owner: "o".into(),
            ticket: "T-1".into(),
            expires: expires.parse().unwrap(),
            place: "w.toml:1".into(),
        }
    }

    #[test]
    fn globs() {
        assert!(glob_match(
            "arn:aws-cn:ec2:*:sg-bastion*",
            "arn:aws-cn:ec2:cn-north-1:sg-bastion-1"
        ));
        assert!(glob_match("*", ""));
        assert!(glob_match("a?c", "abc"));
        assert!(!glob_match("a?c", "ac"));
        assert!(!glob_match("arn:*:sg-1", "arn:x:sg-12"));
        assert!(glob_match("*sg-1*", "arn:x:sg-12"));
    }

    #[test]
    fn an_expired_waiver_never_hides_one_in_force_whatever_the_order() {
        let today: Date = "2026-11-20".parse().unwrap();
        for order in [[0, 1], [1, 0]] {
            let both = [
                waiver("r1", "a", "2026-11-01"),
                waiver("r1", "*", "2026-12-31"),
            ];
            let waivers = order.iter().map(|i| both[*i].clone()).collect();
            let gate = apply(vec![finding("r1", "a")], waivers, None, today);
            assert_eq!(gate.judged[0].status, Status::Waived, "order {order:?}");
            assert!(
                gate.waivers.iter().all(|w| w.matched == 1),
                "order {order:?}"
            );
        }
    }

    #[test]
    fn waivers_expire_and_go_stale() {
        let today: Date = "2026-11-20".parse().unwrap();
        let findings = vec![finding("r1", "a"), finding("r1", "b"), finding("r2", "c")];
        let gate = apply(
            findings,
            vec![
                waiver("r1", "a", "2026-11-20"),
                waiver("r1", "*", "2026-12-31"),
                waiver("r2", "c", "2026-11-19"),
                waiver("r3", "*", "2027-01-01"),
            ],
            None,
            today,
        );
        let statuses: Vec<Status> = gate.judged.iter().map(|j| j.status).collect();
        // The last day still holds; the expired waiver waives nothing.
        assert_eq!(statuses, [Status::Waived, Status::Waived, Status::Open]);
        let states: Vec<(WaiverState, usize)> =
            gate.waivers.iter().map(|w| (w.state, w.matched)).collect();
        assert_eq!(
            states,
            [
                // `matched` counts every finding a waiver covers, whichever decides.
                (WaiverState::InForce, 1),
                (WaiverState::InForce, 2),
                (WaiverState::Expired, 1),
                (WaiverState::Stale, 0)
            ]
        );
        assert_eq!(gate.failing(Severity::Low), 1);
        assert_eq!(gate.expired_waivers(), 1);
    }

    #[test]
    fn baseline_marks_known_findings_and_fingerprints_are_stable() {
        let known = finding("r1", "a");
        let fp = known.fingerprint.clone();
        assert_eq!(fp.len(), 16);
        assert_eq!(fp, fingerprint("r1", "a", ""));
        assert_ne!(fp, fingerprint("r1", "b", ""));
        assert_ne!(fp, fingerprint("r1", "a", "22"), "the key counts");
        // The parts are separated: ("r1a", "") is not ("r1", "a").
        assert_ne!(fingerprint("r1a", "", ""), fingerprint("r1", "a", ""));
        let baseline: BTreeSet<String> = [fp].into();
        let gate = apply(
            vec![known, finding("r1", "b")],
            vec![],
            Some(&baseline),
            "2026-11-20".parse().unwrap(),
        );
        let statuses: Vec<Status> = gate.judged.iter().map(|j| j.status).collect();
        assert_eq!(statuses, [Status::Baselined, Status::Open]);
    }
}
