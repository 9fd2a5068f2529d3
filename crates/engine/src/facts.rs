//! Facts derived from a resource where Cedar has no way to say them itself: it has no
//! quantifier over a set of records ("any ingress rule open to the world that covers
//! port 22"), no date arithmetic on our timestamps, no set difference. The Cedar entity
//! builder, the detail texts and the hand-written reference rules all use these, so that
//! they agree by construction.

use std::collections::BTreeSet;

use audit_model::resource::{
    AccessKey, IamUser, InlinePolicy, KeyStatus, Listener, LoadBalancer, SecurityGroup,
};
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
/// Baidu IAM's system administrator policy, as the Baidu collector names policies
/// (`bce:iam::system:policy/NAME`; the name is a GUESS, crates/baidu/NOTES.md).
pub const BCE_ADMIN_POLICY: &str = "bce:iam::system:policy/AdministratorAccess";

fn is_admin_managed_policy(arn: &str) -> bool {
    (arn.starts_with("arn:") && arn.ends_with(ADMIN_POLICY)) || arn == BCE_ADMIN_POLICY
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
        let from_world = rule.ipv4_ranges.iter().any(|r| is_world(r, false))
            || rule.ipv6_ranges.iter().any(|r| is_world(r, true));
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

/// A source range that is the whole internet: a /0 whatever its base address
/// (`1.2.3.4/0` is `0.0.0.0/0`), or a /1, half the address space (the
/// `0.0.0.0/1` + `128.0.0.0/1` way of writing the same thing).
pub fn is_world(range: &str, v6: bool) -> bool {
    audit_model::resource::Cidr::parse(range, v6).is_ok_and(|c| c.prefix_len <= 1)
}

/// The `data-class` tag as rules compare it: trimmed and lowercase, `""` when absent.
pub fn data_class(resource: &Resource) -> String {
    resource
        .tags
        .get("data-class")
        .map(|v| v.trim().to_lowercase())
        .unwrap_or_default()
}

/// The `env` tag as rules compare it: trimmed and lowercase, `""` when absent.
pub fn env(resource: &Resource) -> String {
    resource
        .tags
        .get("env")
        .map(|v| v.trim().to_lowercase())
        .unwrap_or_default()
}

/// The subnets a data store (database, cache) sits in; `None` for other types.
pub fn data_subnets(resource: &Resource) -> Option<&[String]> {
    match &resource.kind {
        Kind::RdsInstance(d) => Some(&d.subnet_ids),
        Kind::CacheReplicationGroup(g) => Some(&g.subnet_ids),
        Kind::CacheCluster(c) => Some(&c.subnet_ids),
        _ => None,
    }
}

/// Judged only once the whole snapshot has been read, because they depend on other
/// resources: the account (trail coverage) and the data stores (which subnets are public).
pub fn is_deferred(resource: &Resource) -> bool {
    matches!(resource.kind, Kind::Account(_)) || data_subnets(resource).is_some()
}

/// The data store's subnets that route to an internet gateway, sorted.
pub fn public_data_subnets<'a>(resource: &'a Resource, public: &BTreeSet<String>) -> Vec<&'a str> {
    let mut out: Vec<&str> = data_subnets(resource)
        .unwrap_or_default()
        .iter()
        .filter(|s| public.contains(*s))
        .map(String::as_str)
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Ports of a load balancer's plain HTTP listeners that do not redirect to HTTPS.
pub fn plaintext_listener_ports(lb: &LoadBalancer) -> Vec<u32> {
    let mut ports: Vec<u32> = lb
        .listeners
        .iter()
        .filter(|l| l.is_plaintext())
        .map(|l| l.port)
        .collect();
    ports.sort_unstable();
    ports.dedup();
    ports
}

/// The weakest protocol any HTTPS/TLS listener allows (see `Listener::weakest_tls`), and
/// that listener; `None` without such listeners.
pub fn weakest_tls(lb: &LoadBalancer) -> Option<(i64, &Listener)> {
    lb.listeners
        .iter()
        .filter(|l| l.is_tls())
        .map(|l| (l.weakest_tls(), l))
        .min_by_key(|(rank, l)| (*rank, l.port))
}

/// Credentials found in the resource's configuration (user data, a function's
/// environment), where and of what kind; empty for other types.
pub fn hardcoded_secrets(resource: &Resource) -> &[audit_model::resource::SecretMatch] {
    match &resource.kind {
        Kind::Ec2Instance(i) => &i.user_data_secrets,
        Kind::LambdaFunction(f) => &f.env_secrets,
        _ => &[],
    }
}

/// Accumulates, while the snapshot streams by, what rules about one resource need to know
/// about others: which covered regions a logging trail records (for the account) and
/// which subnets are public (for the data stores). Those are judged on it at the end.
#[derive(Debug, Default, Clone)]
pub struct EstateFacts {
    multi_region: bool,
    regions: BTreeSet<String>,
    /// Regions resources were found in: covered too, whatever the header says.
    seen: BTreeSet<String>,
    /// Ids of the subnets that route to an internet gateway.
    pub public_subnets: BTreeSet<String>,
    /// Workloads that need a private path to the IDC, and those paths that carry traffic.
    pub links: PrivateLinks,
}

/// What `transit-no-private-link` judges on the account.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PrivateLinks {
    /// Instances (not terminated), databases, caches, functions, load balancers and
    /// Kubernetes clusters.
    pub workloads: usize,
    /// VPN connections with a tunnel up, and available Direct Connect connections.
    pub up: usize,
}

/// Whether the resource is a workload, which the plans connect to the IDC privately.
pub fn is_workload(resource: &Resource) -> bool {
    match &resource.kind {
        Kind::Ec2Instance(i) => i.state != audit_model::resource::InstanceState::Terminated,
        Kind::RdsInstance(_)
        | Kind::CacheReplicationGroup(_)
        | Kind::CacheCluster(_)
        | Kind::LambdaFunction(_)
        | Kind::LoadBalancer(_)
        | Kind::EksCluster(_) => true,
        _ => false,
    }
}

impl EstateFacts {
    pub fn observe(&mut self, resource: &Resource) {
        if !resource.is_global() && !self.seen.contains(&resource.region) {
            self.seen.insert(resource.region.clone());
        }
        if let Kind::Trail(trail) = &resource.kind
            && trail.is_logging
        {
            self.multi_region |= trail.is_multi_region;
            self.regions.insert(resource.region.clone());
        }
        if let Kind::Subnet(n) = &resource.kind
            && n.routes_to_internet_gateway
        {
            self.public_subnets.insert(n.subnet_id.clone());
        }
        self.links.workloads += usize::from(is_workload(resource));
        self.links.up += usize::from(match &resource.kind {
            Kind::VpnConnection(v) => v.is_up(),
            Kind::DirectConnectConnection(d) => d.is_up(),
            _ => false,
        });
    }

    /// Regions no logging trail records, sorted: the covered regions of the header and
    /// every region a resource was found in (a header that leaves a region out does not
    /// hide it).
    pub fn uncovered(&self, covered: &[String]) -> Vec<String> {
        if self.multi_region {
            return Vec::new();
        }
        let all: BTreeSet<&String> = covered.iter().chain(&self.seen).collect();
        all.into_iter()
            .filter(|r| !self.regions.contains(*r))
            .cloned()
            .collect()
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
        Kind::Subnet(n) => &n.subnet_id,
        Kind::LoadBalancer(l) => &l.name,
        Kind::CacheReplicationGroup(g) => &g.group_id,
        Kind::CacheCluster(c) => &c.cluster_id,
        Kind::LambdaFunction(f) => &f.name,
        Kind::ManagedSecret(s) => &s.name,
        Kind::EksCluster(c) => &c.name,
        Kind::CdnDistribution(d) => &d.distribution_id,
        Kind::VpnConnection(v) => &v.vpn_connection_id,
        Kind::VpcPeering(p) => &p.peering_id,
        Kind::DirectConnectConnection(d) => &d.connection_id,
        Kind::Other(_) => &resource.id,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use audit_model::resource::IngressRule;

    fn rule(
        protocol: &str,
        from: Option<i32>,
        to: Option<i32>,
        v4: &[&str],
        v6: &[&str],
    ) -> IngressRule {
        IngressRule {
            protocol: protocol.into(),
            from_port: from,
            to_port: to,
            ipv4_ranges: v4.iter().map(|s| s.to_string()).collect(),
            ipv6_ranges: v6.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn group(ingress: Vec<IngressRule>) -> SecurityGroup {
        SecurityGroup {
            group_id: "sg-1".into(),
            name: "g".into(),
            vpc_id: None,
            ingress,
        }
    }

    const PORTS: &[u16] = &[21, 22, 80, 3306, 3389];

    #[test]
    fn world_exposure_counts_ranges_ipv6_and_all_traffic() {
        let g = group(vec![
            rule("tcp", Some(3000), Some(3400), &["0.0.0.0/0"], &[]),
            rule("tcp", Some(22), Some(22), &["10.0.0.0/8"], &[]),
            rule("udp", Some(80), Some(80), &[], &["::/0"]),
            rule("icmp", Some(-1), Some(-1), &["0.0.0.0/0"], &[]),
        ]);
        let e = world_exposure(&g, PORTS);
        assert_eq!(e.ports, vec![80, 3306, 3389]);
        assert!(!e.all_traffic);

        let all = world_exposure(
            &group(vec![rule("-1", None, None, &["0.0.0.0/0"], &[])]),
            PORTS,
        );
        assert!(all.all_traffic);
        assert_eq!(all.ports, PORTS.to_vec());

        let internal = world_exposure(
            &group(vec![rule("-1", None, None, &["10.0.0.0/8"], &[])]),
            PORTS,
        );
        assert_eq!(internal, WorldExposure::default());
    }

    #[test]
    fn admin_is_found_directly_inline_and_through_groups() {
        let doc = |action: serde_json::Value, resource: &str| serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}]});
        assert!(grants_full_admin(&doc("*".into(), "*")));
        assert!(grants_full_admin(&doc(
            serde_json::json!(["s3:*", "*"]),
            "*"
        )));
        assert!(!grants_full_admin(&doc("s3:*".into(), "*")));
        assert!(!grants_full_admin(&doc(
            "*".into(),
            "arn:aws-cn:s3:::bucket"
        )));
        let deny =
            serde_json::json!({"Statement": {"Effect": "Deny", "Action": "*", "Resource": "*"}});
        assert!(!grants_full_admin(&deny));

        assert!(
            admin_source(
                &["arn:aws-cn:iam::aws:policy/AdministratorAccess".into()],
                &[]
            )
            .is_some()
        );
        assert!(
            admin_source(&["arn:aws:iam::123:policy/AdministratorAccess".into()], &[]).is_none()
        );
    }

    #[test]
    fn key_ages_are_whole_days_and_never_negative() {
        let now: Timestamp = "2026-11-20T02:00:00Z".parse().unwrap();
        let t = |s: &str| s.parse::<Timestamp>().unwrap();
        assert_eq!(days_between(t("2026-08-22T02:00:00Z"), now), 90);
        assert_eq!(days_between(t("2026-08-22T02:00:01Z"), now), 89);
        assert_eq!(days_between(t("2027-01-01T00:00:00Z"), now), 0);
    }

    #[test]
    fn trail_coverage() {
        let regions: Vec<String> = vec!["cn-north-1".into(), "cn-northwest-1".into()];
        let trail = |region: &str, multi: bool, logging: bool| Resource {
            id: format!("trail-{region}-{multi}-{logging}"),
            region: region.into(),
            tags: Default::default(),
            kind: Kind::Trail(audit_model::resource::Trail {
                name: "t".into(),
                is_multi_region: multi,
                is_logging: logging,
                log_file_validation: true,
            }),
        };
        let mut c = EstateFacts::default();
        assert_eq!(c.uncovered(&regions), regions);
        c.observe(&trail("cn-north-1", true, false));
        assert_eq!(
            c.uncovered(&regions),
            regions,
            "a stopped trail covers nothing"
        );
        c.observe(&trail("cn-north-1", false, true));
        assert_eq!(c.uncovered(&regions), vec!["cn-northwest-1".to_string()]);
        c.observe(&trail("cn-northwest-1", true, true));
        assert!(c.uncovered(&regions).is_empty());
    }
}
