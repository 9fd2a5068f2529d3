//! A rule's `@detail` annotation is a template: `{name}` is replaced by a value of the
//! resource or of the config. The names are this fixed vocabulary, checked when the rule
//! pack is loaded, so that a typo is an error and not a `{typo}` in a report.

use audit_model::resource::{AccessKey, IamUser};
use audit_model::{Kind, Resource};
use jiff::Timestamp;

use crate::config::Config;
use crate::facts;

/// Declares the variables a template may use: one line each, so that the list of names
/// and the lookup of values cannot drift apart (the match in [`value`] is exhaustive).
macro_rules! vars {
    ($($variant:ident => $name:literal),+ $(,)?) => {
        /// A name a template may use.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Var {
            $($variant,)+
        }

        impl Var {
            /// Every variable, in the order of its declaration.
            pub const ALL: &'static [Var] = &[$(Var::$variant,)+];

            /// The name written in templates: `{name}`.
            pub fn name(self) -> &'static str {
                match self {
                    $(Var::$variant => $name,)+
                }
            }
        }
    };
}

vars! {
    Id => "id",
    Type => "type",
    Region => "region",
    Name => "name",
    Account => "account",
    DataClass => "data_class",
    MissingTags => "missing_tags",
    RetentionDays => "retention_days",
    MinLogRetentionDays => "min_log_retention_days",
    RegionsWithoutTrail => "regions_without_trail",
    OldKeys => "old_keys",
    IdleKeys => "idle_keys",
    OldKeyIds => "old_key_ids",
    IdleKeyIds => "idle_key_ids",
    MaxAccessKeyAgeDays => "max_access_key_age_days",
    MaxAccessKeyUnusedDays => "max_access_key_unused_days",
    AdminVia => "admin_via",
    PasswordMinLength => "password_min_length",
    MinPasswordLength => "min_password_length",
    PasswordRequiresAllClasses => "password_requires_all_classes",
    OpenAdminPorts => "open_admin_ports",
    OpenPlaintextPorts => "open_plaintext_ports",
    PublicAccessBlock => "public_access_block",
    SizeGib => "size_gib",
    VolumeType => "volume_type",
    Engine => "engine",
    BackupRetentionDays => "backup_retention_days",
    MinBackupRetentionDays => "min_backup_retention_days",
    AttachedVolumes => "attached_volumes",
    Env => "env",
    Nodes => "nodes",
    AutomaticFailover => "automatic_failover",
    CacheMultiAz => "cache_multi_az",
    CacheEncryptionOff => "cache_encryption_off",
    PublicSubnets => "public_subnets",
    PlaintextListenerPorts => "plaintext_listener_ports",
    WeakTlsListener => "weak_tls_listener",
    WeakestTls => "weakest_tls",
    MinTlsVersion => "min_tls_version",
    LbType => "lb_type",
    LifecycleRules => "lifecycle_rules",
    HardcodedSecrets => "hardcoded_secrets",
    Workloads => "workloads",
    PlaintextLegs => "plaintext_legs",
    PublicAccessCidrs => "public_access_cidrs",
    EntryPoint => "entry_point",
}

/// What a detail may need beyond the resource and the config.
pub struct DetailEnv<'a> {
    pub config: &'a Config,
    pub now: Timestamp,
    pub regions_without_trail: &'a [String],
    pub public_subnets: &'a std::collections::BTreeSet<String>,
    pub links: facts::PrivateLinks,
}

/// A parsed template: literal text and variable names, alternating.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq)]
enum Part {
    Text(String),
    Var(Var),
}

impl Template {
    /// Parses `text`; an unknown or unclosed `{name}` is an error naming it.
    pub fn parse(text: &str) -> Result<Template, String> {
        let mut parts = Vec::new();
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            if open > 0 {
                parts.push(Part::Text(rest[..open].to_string()));
            }
            let after = &rest[open + 1..];
            let close = after
                .find('}')
                .ok_or_else(|| format!("unclosed `{{` in detail template `{text}`"))?;
            let name = &after[..close];
            let var = Var::ALL
                .iter()
                .find(|v| v.name() == name)
                .ok_or_else(|| format!("unknown detail variable `{{{name}}}`"))?;
            parts.push(Part::Var(*var));
            rest = &after[close + 1..];
        }
        if !rest.is_empty() {
            parts.push(Part::Text(rest.to_string()));
        }
        Ok(Template { parts })
    }

    pub fn render(&self, resource: &Resource, env: &DetailEnv) -> String {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Text(t) => out.push_str(t),
                Part::Var(v) => out.push_str(&value(*v, resource, env)),
            }
        }
        out
    }
}

fn list<T: ToString>(items: impl IntoIterator<Item = T>) -> String {
    let joined: Vec<String> = items.into_iter().map(|i| i.to_string()).collect();
    if joined.is_empty() {
        "none".into()
    } else {
        joined.join(", ")
    }
}

/// Shown where a variable does not apply to the resource's type.
const NOT_APPLICABLE: &str = "n/a";

fn value(var: Var, resource: &Resource, env: &DetailEnv) -> String {
    let cfg = env.config;
    let na = || NOT_APPLICABLE.to_string();
    let exposure = |ports: &[u16]| match &resource.kind {
        Kind::SecurityGroup(g) => {
            let open = facts::world_exposure(g, &cfg.ports_of_interest()).ports;
            list(open.into_iter().filter(|p| ports.contains(p)))
        }
        _ => "none".into(),
    };
    let user = || match &resource.kind {
        Kind::IamUser(u) => Some(u),
        _ => None,
    };
    let password_policy = || match &resource.kind {
        Kind::Account(a) => Some(a.password_policy.as_ref()),
        _ => None,
    };
    match var {
        Var::Id => resource.id.clone(),
        Var::Type => resource.type_name().into(),
        Var::Region => resource.region.clone(),
        Var::Name => facts::display_name(resource).into(),
        Var::Account => account_of(&resource.id).into(),
        Var::DataClass => resource
            .tags
            .get("data-class")
            .cloned()
            .unwrap_or_else(|| "none".into()),
        Var::MissingTags => list(facts::missing_tags(resource, &cfg.mandatory_tags)),
        Var::RetentionDays => match &resource.kind {
            Kind::LogGroup(l) => l
                .retention_days
                .map_or_else(|| "never expires".into(), |d| d.to_string()),
            _ => na(),
        },
        Var::MinLogRetentionDays => cfg.min_log_retention_days.to_string(),
        Var::RegionsWithoutTrail => list(env.regions_without_trail),
        Var::OldKeys => user().map_or_else(na, |u| {
            list(
                old_keys(u, env)
                    .into_iter()
                    .map(|(k, age)| format!("key {} is {age} days old", k.id)),
            )
        }),
        Var::IdleKeys => user().map_or_else(na, |u| {
            list(
                idle_keys(u, env)
                    .into_iter()
                    .map(|(k, idle)| format!("key {} unused for {idle} days", k.id)),
            )
        }),
        Var::OldKeyIds => user().map_or_else(na, |u| {
            list(old_keys(u, env).into_iter().map(|(k, _)| &k.id))
        }),
        Var::IdleKeyIds => user().map_or_else(na, |u| {
            list(idle_keys(u, env).into_iter().map(|(k, _)| &k.id))
        }),
        Var::MaxAccessKeyAgeDays => cfg.max_access_key_age_days.to_string(),
        Var::MaxAccessKeyUnusedDays => cfg.max_access_key_unused_days.to_string(),
        Var::AdminVia => user().map_or_else(na, |u| list(facts::user_admin_sources(u))),
        Var::PasswordMinLength => {
            password_policy().map_or_else(na, |p| p.map_or(0, |p| p.min_length).to_string())
        }
        Var::MinPasswordLength => cfg.min_password_length.to_string(),
        Var::PasswordRequiresAllClasses => password_policy().map_or_else(na, |p| {
            if p.is_some_and(|p| p.requires_all_classes()) {
                "yes"
            } else {
                "no"
            }
            .into()
        }),
        Var::OpenAdminPorts => exposure(&cfg.admin_ports),
        Var::OpenPlaintextPorts => exposure(&cfg.plaintext_ports),
        Var::PublicAccessBlock => match &resource.kind {
            Kind::S3Bucket(b) => match &b.public_access_block {
                None => "no public access block configured".into(),
                Some(p) => {
                    let off = p.settings().into_iter().filter(|(_, on)| !on);
                    format!("public access block off: {}", list(off.map(|(n, _)| n)))
                }
            },
            _ => na(),
        },
        Var::SizeGib => match &resource.kind {
            Kind::EbsVolume(v) => v.size_gib.to_string(),
            _ => na(),
        },
        Var::VolumeType => match &resource.kind {
            Kind::EbsVolume(v) => v.volume_type.clone(),
            _ => na(),
        },
        Var::Engine => match &resource.kind {
            Kind::RdsInstance(d) => d.engine.clone(),
            Kind::CacheReplicationGroup(g) => g.engine.clone(),
            Kind::CacheCluster(c) => c.engine.clone(),
            _ => na(),
        },
        Var::BackupRetentionDays => match &resource.kind {
            Kind::RdsInstance(d) => d.backup_retention_days.to_string(),
            _ => na(),
        },
        Var::MinBackupRetentionDays => cfg.min_backup_retention_days.to_string(),
        Var::AttachedVolumes => match &resource.kind {
            Kind::Ec2Instance(i) => i.volume_ids.len().to_string(),
            _ => na(),
        },
        Var::Env => resource
            .tags
            .get("env")
            .cloned()
            .unwrap_or_else(|| "none".into()),
        Var::Nodes => match &resource.kind {
            Kind::CacheReplicationGroup(g) => g.member_clusters.to_string(),
            Kind::CacheCluster(c) => c.nodes.to_string(),
            _ => na(),
        },
        Var::AutomaticFailover => match &resource.kind {
            Kind::CacheReplicationGroup(g) if g.automatic_failover => "on".into(),
            Kind::CacheReplicationGroup(_) => "off".into(),
            Kind::CacheCluster(_) => "impossible outside a replication group".into(),
            _ => na(),
        },
        Var::CacheMultiAz => match &resource.kind {
            Kind::CacheReplicationGroup(g) if g.multi_az => "on".into(),
            Kind::CacheReplicationGroup(_) => "off".into(),
            Kind::CacheCluster(_) => "impossible outside a replication group".into(),
            _ => na(),
        },
        Var::CacheEncryptionOff => {
            let off = |transit: bool, at_rest: bool| {
                let names = [("in transit", transit), ("at rest", at_rest)];
                list(names.into_iter().filter(|(_, on)| !on).map(|(n, _)| n))
            };
            match &resource.kind {
                Kind::CacheReplicationGroup(g) => off(g.transit_encryption, g.at_rest_encryption),
                Kind::CacheCluster(c) => off(c.transit_encryption, c.at_rest_encryption),
                _ => na(),
            }
        }
        Var::PublicSubnets => list(facts::public_data_subnets(resource, env.public_subnets)),
        Var::PlaintextListenerPorts => match &resource.kind {
            Kind::LoadBalancer(l) => list(facts::plaintext_listener_ports(l)),
            _ => na(),
        },
        Var::WeakTlsListener => match &resource.kind {
            Kind::LoadBalancer(l) => facts::weakest_tls(l).map_or_else(na, |(_, listener)| {
                format!(
                    "port {} (policy {})",
                    listener.port,
                    listener.ssl_policy.as_deref().unwrap_or("none")
                )
            }),
            _ => na(),
        },
        Var::WeakestTls => match &resource.kind {
            Kind::LoadBalancer(l) => {
                facts::weakest_tls(l).map_or_else(na, |(rank, listener)| match rank {
                    0 if listener.ssl_protocols.is_empty() => "no known protocol list".into(),
                    0 => "SSLv3 or an unknown protocol".into(),
                    r => tls_name(r),
                })
            }
            _ => na(),
        },
        Var::MinTlsVersion => tls_name(cfg.min_tls_version.0),
        Var::LbType => match &resource.kind {
            Kind::LoadBalancer(l) => l.lb_type.clone(),
            _ => na(),
        },
        Var::HardcodedSecrets => list(
            facts::hardcoded_secrets(resource)
                .iter()
                .map(|m| format!("{} ({})", m.location, m.kind)),
        ),
        Var::Workloads => env.links.workloads.to_string(),
        Var::EntryPoint => match &resource.kind {
            Kind::LoadBalancer(l) => format!("{} load balancer", l.lb_type),
            Kind::CdnDistribution(_) => "CloudFront distribution".into(),
            _ => na(),
        },
        Var::PlaintextLegs => match &resource.kind {
            Kind::CdnDistribution(d) => list(d.plaintext_legs()),
            _ => na(),
        },
        Var::PublicAccessCidrs => match &resource.kind {
            Kind::EksCluster(c) => list(&c.public_access_cidrs),
            _ => na(),
        },
        Var::LifecycleRules => match &resource.kind {
            Kind::S3Bucket(b) => b.lifecycle_rules.to_string(),
            _ => na(),
        },
    }
}

/// 12 → `TLS 1.2`.
fn tls_name(rank: i64) -> String {
    format!("TLS {}.{}", rank / 10, rank % 10)
}

/// Active keys older than the config allows, with their age in days.
fn old_keys<'u>(u: &'u IamUser, env: &DetailEnv) -> Vec<(&'u AccessKey, i64)> {
    facts::active(&u.access_keys)
        .map(|k| (k, facts::days_between(k.created, env.now)))
        .filter(|(_, age)| *age > i64::from(env.config.max_access_key_age_days))
        .collect()
}

/// Active keys unused for longer than the config allows, with their idle days.
fn idle_keys<'u>(u: &'u IamUser, env: &DetailEnv) -> Vec<(&'u AccessKey, i64)> {
    facts::active(&u.access_keys)
        .map(|k| (k, facts::key_idle_days(k, env.now)))
        .filter(|(_, idle)| *idle > i64::from(env.config.max_access_key_unused_days))
        .collect()
}

/// The account id in an ARN (`arn:PARTITION:SERVICE:REGION:ACCOUNT:...`), else the id.
fn account_of(id: &str) -> &str {
    id.split(':').nth(4).filter(|a| !a.is_empty()).unwrap_or(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_refuse_unknown_and_unclosed_names() {
        assert!(Template::parse("plain text").is_ok());
        assert!(Template::parse("user `{name}` in {region}").is_ok());
        let err = Template::parse("{nmae} is wrong").unwrap_err();
        assert!(err.contains("unknown detail variable `{nmae}`"), "{err}");
        assert!(
            Template::parse("open {name")
                .unwrap_err()
                .contains("unclosed")
        );
    }

    #[test]
    fn account_is_read_from_the_arn() {
        assert_eq!(
            account_of("arn:aws-cn:iam::111122223333:root"),
            "111122223333"
        );
        assert_eq!(account_of("arn:aws:s3:::bucket"), "arn:aws:s3:::bucket");
    }
}
