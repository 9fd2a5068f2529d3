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
        let taggable = r.is_taggable()
            && cfg.tagged_types.iter().any(|t| t == r.type_name())
            && !(partition == Partition::Bce && matches!(r.kind, Kind::KmsKey(_)));
        if taggable && !facts::missing_tags(r, &cfg.mandatory_tags).is_empty() {
            ids.push("tags-mandatory-missing");
        }
        let min = |v: u32| i64::from(v);
        let production = cfg.production_env_values.contains(&facts::env(r));
        match &r.kind {
            Kind::Account(a) => {
                if !env.regions_without_trail.is_empty() {
                    ids.push("logs-region-without-trail");
                }
                if env.links.workloads > 0 && env.links.up == 0 {
                    ids.push("transit-no-private-link");
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
                if !b.is_tiered() {
                    ids.push("cost-s3-no-lifecycle");
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
                if production && !d.multi_az {
                    ids.push("availability-rds-single-az");
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
            Kind::LoadBalancer(l) => {
                if l.is_internet_facing() && !facts::plaintext_listener_ports(l).is_empty() {
                    ids.push("transit-lb-plaintext-listener");
                }
                if facts::weakest_tls(l).is_some_and(|(rank, _)| rank < cfg.min_tls_version.0) {
                    ids.push("transit-lb-weak-tls");
                }
                if l.is_internet_facing() && l.lb_type == "application" && l.web_acl.is_none() {
                    ids.push("waf-entry-point-unprotected");
                }
            }
            Kind::CacheReplicationGroup(g) => {
                if production && (!g.automatic_failover || !g.multi_az || g.member_clusters < 2) {
                    ids.push("availability-cache-no-failover");
                }
                if !(g.transit_encryption && g.at_rest_encryption) {
                    ids.push("data-cache-unencrypted");
                }
            }
            Kind::CacheCluster(c) => {
                // Outside a replication group there is no replica to fail over to.
                if production {
                    ids.push("availability-cache-no-failover");
                }
                if !(c.transit_encryption && c.at_rest_encryption) {
                    ids.push("data-cache-unencrypted");
                }
            }
            Kind::ManagedSecret(s) => {
                if !s.rotation_enabled {
                    ids.push("secrets-no-rotation");
                }
            }
            Kind::EksCluster(c) => {
                if c.is_open_to_world() {
                    ids.push("network-eks-endpoint-public");
                }
            }
            Kind::CdnDistribution(d) => {
                if d.enabled && !d.plaintext_legs().is_empty() {
                    ids.push("transit-cdn-plaintext");
                }
                if d.enabled && d.web_acl_id.is_none() {
                    ids.push("waf-entry-point-unprotected");
                }
            }
            Kind::LambdaFunction(_)
            | Kind::VpnConnection(_)
            | Kind::VpcPeering(_)
            | Kind::DirectConnectConnection(_)
            | Kind::IamGroup(_)
            | Kind::IamRole(_)
            | Kind::EbsSnapshot(_)
            | Kind::Subnet(_)
            | Kind::Other(_) => {}
        }
        if !facts::hardcoded_secrets(r).is_empty() {
            ids.push("secrets-hardcoded");
        }
        if !facts::public_data_subnets(r, env.public_subnets).is_empty() {
            ids.push("network-data-subnet-public");
        }
        ids
    }
}
