//! Facts derived from a resource where Cedar has no way to say them itself: it has no
//! quantifier over a set of records ("any ingress rule open to the world that covers
//! port 22"), no date arithmetic on our timestamps, no set difference. The Cedar entity
//! builder, the detail texts and the hand-written reference rules all use these, so that
//! they agree by construction.

use std::collections::BTreeSet;

use audit_model::resource::{AccessKey, InlinePolicy, IamUser, KeyStatus, SecurityGroup};
use audit_model::{Kind, Resource};
use jiff::Timestamp;

/// Tag keys whose value is not blank: a blank value counts as a missing tag.
pub fn nonblank_tags(resource: &Resource) -> impl Iterator<Item = (&str, &str)> {
    resource
        .tags
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| (k.as_str(), v.as_str()))
}

/// Mandatory keys the resource lacks (or has blank), in the configured order.
pub fn missing_tags<'a>(resource: &Resource, mandatory: &'a [String]) -> Vec<&'a str> {
    mandatory
        .iter()
        .filter(|key| resource.tags.get(*key).is_none_or(|v| v.trim().is_empty()))
        .map(String::as_str)
        .collect()
}

/// Whole days from `then` to `now`; never negative (clock skew).
pub fn days_between(then: Timestamp, now: Timestamp) -> i64 {
    (now.as_second() - then.as_second()).max(0) / 86_400
}

/// Age in days of the oldest active key.
pub fn oldest_active_key_age(keys: &[AccessKey], now: Timestamp) -> Option<i64> {
    active(keys).map(|k| days_between(k.created, now)).max()
}

/// Days since the least recently used active key was used (or created, if never used).
pub fn longest_active_key_idle(keys: &[AccessKey], now: Timestamp) -> Option<i64> {
    active(keys).map(|k| key_idle_days(k, now)).max()
}

pub fn key_idle_days(key: &AccessKey, now: Timestamp) -> i64 {
    days_between(key.last_used.unwrap_or(key.created), now)
}

pub fn active(keys: &[AccessKey]) -> impl Iterator<Item = &AccessKey> {
    keys.iter().filter(|k| k.status == KeyStatus::Active)
}

const ADMIN_POLICY: &str = ":iam::aws:policy/AdministratorAccess";

fn is_admin_managed_policy(arn: &str) -> bool {
    arn.starts_with("arn:") && arn.ends_with(ADMIN_POLICY)
}

/// An `Allow` statement of `*` actions on `*` resources (conditions are not weighed: an
/// administrator behind a condition is still an administrator).
pub fn grants_full_admin(document: &serde_json::Value) -> bool {
    let statements: Vec<&serde_json::Value> = match document.get("Statement") {
        Some(serde_json::Value::Array(list)) => list.iter().collect(),
        Some(one @ serde_json::Value::Object(_)) => vec![one],
        _ => return false,
    };
    let has_star = |v: Option<&serde_json::Value>| match v {
        Some(serde_json::Value::String(s)) => s == "*",
        Some(serde_json::Value::Array(list)) => list.iter().any(|x| x.as_str() == Some("*")),
        _ => false,
    };
    statements.iter().any(|st| {
        st.get("Effect").and_then(|e| e.as_str()) == Some("Allow")
            && has_star(st.get("Action"))
            && has_star(st.get("Resource"))
    })
}

/// How a set of policies grants admin, if it does.
pub fn admin_source(attached: &[String], inline: &[InlinePolicy]) -> Option<String> {
    if let Some(arn) = attached.iter().find(|a| is_admin_managed_policy(a)) {
        return Some(format!("attached policy `{arn}`"));
    }
    inline
        .iter()
        .find(|p| grants_full_admin(&p.document))
        .map(|p| format!("inline policy `{}` (Allow * on *)", p.name))
}

/// Every way the user is an administrator: directly, or through one of its groups.
pub fn user_admin_sources(user: &IamUser) -> Vec<String> {
    let mut sources: Vec<String> = admin_source(&user.attached_policies, &user.inline_policies)
        .into_iter()
        .collect();
    for group in &user.groups {
        if let Some(how) = admin_source(&group.attached_policies, &group.inline_policies) {
            sources.push(format!("group `{}`: {how}", group.name));
        }
    }
    sources
}

pub fn user_is_admin(user: &IamUser) -> bool {
    admin_source(&user.attached_policies, &user.inline_policies).is_some()
        || user
            .groups
            .iter()
            .any(|g| admin_source(&g.attached_policies, &g.inline_policies).is_some())
}

/// What the world (0.0.0.0/0 or ::/0) can reach through a security group.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct WorldExposure {
    /// Ports of interest that are open, sorted.
    pub ports: Vec<u16>,
    /// A rule allows every protocol.
    pub all_traffic: bool,
}

pub fn world_exposure(group: &SecurityGroup, ports_of_interest: &[u16]) -> WorldExposure {
    let mut open = BTreeSet::new();
    let mut all_traffic = false;
    for rule in &group.ingress {
        let from_world = rule.ipv4_ranges.iter().any(|r| r == "0.0.0.0/0")
            || rule.ipv6_ranges.iter().any(|r| r == "::/0");
        if !from_world {
            continue;
        }
        let (lo, hi) = match rule.protocol.to_ascii_lowercase().as_str() {
            "-1" | "all" => {
                all_traffic = true;
                (0, 65_535)
            }
            "tcp" | "udp" | "6" | "17" => (
                rule.from_port.unwrap_or(0).max(0),
                rule.to_port.unwrap_or(65_535).min(65_535),
            ),
            _ => continue,
        };
        open.extend(
            ports_of_interest
                .iter()
                .filter(|p| (lo..=hi).contains(&i32::from(**p))),
        );
    }
    WorldExposure {
        ports: open.into_iter().collect(),
        all_traffic,
    }
}

/// Accumulates, while the snapshot streams by, which covered regions a logging trail
/// records; the account is judged on it at the end.
#[derive(Debug, Default, Clone)]
pub struct TrailCoverage {
    multi_region: bool,
    regions: BTreeSet<String>,
}

impl TrailCoverage {
    pub fn observe(&mut self, resource: &Resource) {
        if let Kind::Trail(trail) = &resource.kind {
            if trail.is_logging {
                self.multi_region |= trail.is_multi_region;
                self.regions.insert(resource.region.clone());
            }
        }
    }

    pub fn merge(&mut self, other: TrailCoverage) {
        self.multi_region |= other.multi_region;
        self.regions.extend(other.regions);
    }

    /// Covered regions no logging trail records, sorted.
    pub fn uncovered(&self, covered: &[String]) -> Vec<String> {
        if self.multi_region {
            return Vec::new();
        }
        let mut out: Vec<String> = covered
            .iter()
            .filter(|r| !self.regions.contains(*r))
            .cloned()
            .collect();
        out.sort();
        out.dedup();
        out
    }
}

/// The short name people know the resource by.
pub fn display_name(resource: &Resource) -> &str {
    match &resource.kind {
        Kind::Account(_) => &resource.id,
        Kind::IamUser(u) => &u.name,
        Kind::IamGroup(g) => &g.name,
        Kind::IamRole(r) => &r.name,
        Kind::SecurityGroup(g) => &g.group_id,
        Kind::Vpc(v) => &v.vpc_id,
        Kind::Ec2Instance(i) => &i.instance_id,
        Kind::EbsVolume(v) => &v.volume_id,
        Kind::EbsSnapshot(s) => &s.snapshot_id,
        Kind::S3Bucket(b) => &b.name,
        Kind::RdsInstance(d) => &d.identifier,
        Kind::LogGroup(l) => &l.name,
        Kind::Trail(t) => &t.name,
        Kind::KmsKey(k) => &k.key_id,
        Kind::Other(_) => &resource.id,
    }
}
