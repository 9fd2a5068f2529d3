//! The same rules as the Cedar policies, written by hand in plain Rust. Two uses: the
//! benchmark's yardstick (what the Cedar engine costs over the cheapest possible
//! judge), and a differential test (both must give the same findings). A rule added
//! to the pack without a twin here is caught by that test.

use audit_model::resource::InstanceState;
use audit_model::{Kind, Partition, Resource};

use crate::config::Config;
use crate::entity::DeriveEnv;
use crate::error::EngineError;
use crate::evaluate::Judge;
use crate::facts;
use crate::rules::RuleSet;

pub struct ReferenceJudge<'a> {
    rules: &'a RuleSet,
    config: &'a Config,
}

impl<'a> ReferenceJudge<'a> {
    pub fn new(rules: &'a RuleSet, config: &'a Config) -> Self {
        ReferenceJudge { rules, config }
    }
}

impl Judge for ReferenceJudge<'_> {
    fn judge(
        &self,
        resources: &[Resource],
        partition: Partition,
        env: &DeriveEnv,
        broken: &mut dyn FnMut(usize, &str),
    ) -> Result<(), EngineError> {
        for (i, r) in resources.iter().enumerate() {
            for id in self.broken(r, partition, env) {
                if self.rules.rule(id).is_some_and(|rule| rule.enabled) {
                    broken(i, id);
                }
            }
        }
        Ok(())
    }
}

impl ReferenceJudge<'_> {
    /// The ids of the rules `r` breaks, enabled or not.
    fn broken(&self, r: &Resource, partition: Partition, env: &DeriveEnv) -> Vec<&'static str> {
        let cfg = self.config;
        let mut ids: Vec<&'static str> = Vec::new();
        let domestic = cfg.domestic_regions.contains(&r.region);

        if !r.is_global() && cfg.regulated_data_classes.contains(&facts::data_class(r)) && !domestic
        {
            ids.push("residency-regulated-data-abroad");
        }
        if !r.is_global() && !domestic {
            ids.push("residency-resource-abroad");
        }
        // Baidu's KMS keys cannot carry tags (its KMS API has no tag field or call).
        let taggable =
            r.is_taggable() && !(partition == Partition::Bce && matches!(r.kind, Kind::KmsKey(_)));
        if taggable && !facts::missing_tags(r, &cfg.mandatory_tags).is_empty() {
            ids.push("tags-mandatory-missing");
        }
        let min = |v: u32| i64::from(v);
        match &r.kind {
            Kind::Account(a) => {
                if !env.regions_without_trail.is_empty() {
                    ids.push("logs-region-without-trail");
                }
                match &a.password_policy {
                    None => ids.push("iam-password-policy-missing"),
                    Some(p) => {
                        if p.min_length < cfg.min_password_length || !p.requires_all_classes() {
                            ids.push("iam-password-policy-weak");
                        }
                    }
                }
                if let (true, Some(root)) = (partition.has_root_user(), &a.root) {
                    if root.access_keys_present {
                        ids.push("iam-root-access-keys");
                    }
                    if !root.mfa_enabled {
                        ids.push("iam-root-no-mfa");
                    }
                }
            }
            Kind::IamUser(u) => {
                if u.console_access && u.mfa_devices.is_empty() {
                    ids.push("iam-console-user-no-mfa");
                }
                if facts::oldest_active_key_age(&u.access_keys, env.now)
                    .is_some_and(|age| age > min(cfg.max_access_key_age_days))
                {
                    ids.push("iam-access-key-too-old");
                }
                if facts::longest_active_key_idle(&u.access_keys, env.now)
                    .is_some_and(|idle| idle > min(cfg.max_access_key_unused_days))
                {
                    ids.push("iam-access-key-unused");
                }
                if facts::user_is_admin(u) {
                    ids.push("iam-user-admin");
                }
            }
            Kind::SecurityGroup(g) => {
                let exposure = facts::world_exposure(g, env.ports_of_interest);
                if exposure.ports.iter().any(|p| cfg.admin_ports.contains(p)) {
                    ids.push("network-admin-port-open");
                }
                if exposure
                    .ports
                    .iter()
                    .any(|p| cfg.plaintext_ports.contains(p))
                {
                    ids.push("network-plaintext-port-open");
                }
                if exposure.all_traffic {
                    ids.push("network-all-traffic-open");
                }
            }
            Kind::Vpc(v) => {
                if !v.is_default && v.flow_log_ids.is_empty() {
                    ids.push("network-vpc-no-flow-logs");
                }
            }
            Kind::Ec2Instance(i) => {
                if i.state == InstanceState::Stopped && !i.volume_ids.is_empty() {
                    ids.push("cost-instance-stopped-with-volumes");
                }
            }
            Kind::EbsVolume(v) => {
                if !v.encrypted {
                    ids.push("data-ebs-unencrypted");
                }
                if v.attached_instance_ids.is_empty() {
                    ids.push("cost-volume-unattached");
                }
                if v.volume_type == "gp2" {
                    ids.push("cost-volume-gp2");
                }
            }
            Kind::S3Bucket(b) => {
                if !b
                    .public_access_block
                    .as_ref()
                    .is_some_and(|p| p.blocks_all())
                {
                    ids.push("data-s3-public-access-not-blocked");
                }
            }
            Kind::RdsInstance(d) => {
                if !d.storage_encrypted {
                    ids.push("data-rds-unencrypted");
                }
                if d.publicly_accessible {
                    ids.push("data-rds-public");
                }
                if d.backup_retention_days < cfg.min_backup_retention_days {
                    ids.push("data-rds-backup-too-short");
                }
            }
            Kind::LogGroup(l) => match l.retention_days {
                Some(days) if days < cfg.min_log_retention_days => {
                    ids.push("logs-retention-too-short")
                }
                Some(_) => {}
                None => ids.push("cost-log-group-never-expires"),
            },
            Kind::Trail(t) => {
                if !t.is_logging {
                    ids.push("logs-trail-not-logging");
                }
                if !t.is_multi_region {
                    ids.push("logs-trail-single-region");
                }
                if !t.log_file_validation {
                    ids.push("logs-trail-no-validation");
                }
            }
            Kind::KmsKey(k) => {
                if k.is_customer_managed() && k.is_enabled() && !k.rotation_enabled {
                    ids.push("data-kms-rotation-off");
                }
            }
            Kind::IamGroup(_) | Kind::IamRole(_) | Kind::EbsSnapshot(_) | Kind::Other(_) => {}
        }
        ids
    }
}
