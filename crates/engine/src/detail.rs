//! A rule's `@detail` annotation is a template: `{name}` is replaced by a value of the
//! resource or of the config. The names are this fixed vocabulary, checked when the rule
//! pack is loaded, so that a typo is an error and not a `{typo}` in a report.

use audit_model::{Kind, Resource};
use jiff::Timestamp;

use crate::config::Config;
use crate::facts;

/// Every name a template may use.
pub const VARS: &[&str] = &[
    "id",
    "type",
    "region",
    "name",
    "account",
    "data_class",
    "missing_tags",
    "retention_days",
    "min_log_retention_days",
    "regions_without_trail",
    "old_keys",
    "idle_keys",
    "old_key_ids",
    "idle_key_ids",
    "max_access_key_age_days",
    "max_access_key_unused_days",
    "admin_via",
    "password_min_length",
    "min_password_length",
    "password_requires_all_classes",
    "open_admin_ports",
    "open_plaintext_ports",
    "public_access_block",
    "size_gib",
    "volume_type",
    "engine",
    "backup_retention_days",
    "min_backup_retention_days",
    "attached_volumes",
];

/// What a detail may need beyond the resource and the config.
pub struct DetailEnv<'a> {
    pub config: &'a Config,
    pub now: Timestamp,
    pub regions_without_trail: &'a [String],
}

/// A parsed template: literal text and variable names, alternating.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq)]
enum Part {
    Text(String),
    Var(&'static str),
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
            let var = VARS
                .iter()
                .find(|v| **v == name)
                .ok_or_else(|| format!("unknown detail variable `{{{name}}}`"))?;
            parts.push(Part::Var(var));
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
                Part::Var(v) => out.push_str(&value(v, resource, env)),
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

fn value(var: &str, resource: &Resource, env: &DetailEnv) -> String {
    let cfg = env.config;
    let exposure = |ports: &[u16]| match &resource.kind {
        Kind::SecurityGroup(g) => {
            let open = facts::world_exposure(g, &cfg.ports_of_interest()).ports;
            list(open.into_iter().filter(|p| ports.contains(p)))
        }
        _ => "none".into(),
    };
    match (var, &resource.kind) {
        ("id", _) => resource.id.clone(),
        ("type", _) => resource.type_name().into(),
        ("region", _) => resource.region.clone(),
        ("name", _) => facts::display_name(resource).into(),
        ("account", _) => account_of(&resource.id).into(),
        ("data_class", _) => resource
            .tags
            .get("data-class")
            .cloned()
            .unwrap_or_else(|| "none".into()),
        ("missing_tags", _) => list(facts::missing_tags(resource, &cfg.mandatory_tags)),
        ("retention_days", Kind::LogGroup(l)) => l
            .retention_days
            .map_or_else(|| "never expires".into(), |d| d.to_string()),
        ("min_log_retention_days", _) => cfg.min_log_retention_days.to_string(),
        ("regions_without_trail", _) => list(env.regions_without_trail),
        ("old_keys", Kind::IamUser(u)) => list(
            facts::active(&u.access_keys)
                .map(|k| (k, facts::days_between(k.created, env.now)))
                .filter(|(_, age)| *age > i64::from(cfg.max_access_key_age_days))
                .map(|(k, age)| format!("key {} is {age} days old", k.id)),
        ),
        ("idle_keys", Kind::IamUser(u)) => list(
            facts::active(&u.access_keys)
                .map(|k| (k, facts::key_idle_days(k, env.now)))
                .filter(|(_, idle)| *idle > i64::from(cfg.max_access_key_unused_days))
                .map(|(k, idle)| format!("key {} unused for {idle} days", k.id)),
        ),
        ("old_key_ids", Kind::IamUser(u)) => list(
            facts::active(&u.access_keys)
                .filter(|k| {
                    facts::days_between(k.created, env.now) > i64::from(cfg.max_access_key_age_days)
                })
                .map(|k| k.id.clone()),
        ),
        ("idle_key_ids", Kind::IamUser(u)) => list(
            facts::active(&u.access_keys)
                .filter(|k| {
                    facts::key_idle_days(k, env.now) > i64::from(cfg.max_access_key_unused_days)
                })
                .map(|k| k.id.clone()),
        ),
        ("max_access_key_age_days", _) => cfg.max_access_key_age_days.to_string(),
        ("max_access_key_unused_days", _) => cfg.max_access_key_unused_days.to_string(),
        ("admin_via", Kind::IamUser(u)) => list(facts::user_admin_sources(u)),
        ("password_min_length", Kind::Account(a)) => a
            .password_policy
            .as_ref()
            .map_or(0, |p| p.min_length)
            .to_string(),
        ("min_password_length", _) => cfg.min_password_length.to_string(),
        ("password_requires_all_classes", Kind::Account(a)) => {
            let all = a.password_policy.as_ref().is_some_and(|p| {
                p.require_symbols && p.require_numbers && p.require_uppercase && p.require_lowercase
            });
            if all { "yes" } else { "no" }.into()
        }
        ("open_admin_ports", _) => exposure(&cfg.admin_ports),
        ("open_plaintext_ports", _) => exposure(&cfg.plaintext_ports),
        ("public_access_block", Kind::S3Bucket(b)) => match &b.public_access_block {
            None => "no public access block configured".into(),
            Some(p) => {
                let off: Vec<&str> = [
                    ("BlockPublicAcls", p.block_public_acls),
                    ("IgnorePublicAcls", p.ignore_public_acls),
                    ("BlockPublicPolicy", p.block_public_policy),
                    ("RestrictPublicBuckets", p.restrict_public_buckets),
                ]
                .into_iter()
                .filter(|(_, on)| !on)
                .map(|(n, _)| n)
                .collect();
                format!("public access block off: {}", list(off))
            }
        },
        ("size_gib", Kind::EbsVolume(v)) => v.size_gib.to_string(),
        ("volume_type", Kind::EbsVolume(v)) => v.volume_type.clone(),
        ("engine", Kind::RdsInstance(d)) => d.engine.clone(),
        ("backup_retention_days", Kind::RdsInstance(d)) => d.backup_retention_days.to_string(),
        ("min_backup_retention_days", _) => cfg.min_backup_retention_days.to_string(),
        ("attached_volumes", Kind::Ec2Instance(i)) => i.volume_ids.len().to_string(),
        _ => "n/a".into(),
    }
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
