//! Resource → Cedar entity. Each entity carries only the attributes the schema declares
//! for its type, derived as in `facts`; its non-blank tags become Cedar tags.
//!
//! Entities are built from Cedar values directly (cedar-policy-core's constructors), not
//! from restricted expressions that Cedar would evaluate back into the same values: on
//! 10^6 resources that evaluation was a fifth of the engine's time. A test checks every
//! built entity against the schema, which is what the expression route would have done.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::str::FromStr;

use audit_model::{Kind, Resource, TYPE_NAMES};
use cedar_policy::{EntityTypeName, EntityUid};
use cedar_policy_core::ast::{self, Literal, PartialValue, Value};
use jiff::Timestamp;
use smol_str::SmolStr;

use crate::error::EngineError;
use crate::facts;

pub const NAMESPACE: &str = "Audit";

/// The Cedar entity type of each snapshot resource type.
pub fn cedar_type(type_name: &str) -> &'static str {
    match type_name {
        "account" => "Account",
        "iam_user" => "IamUser",
        "iam_group" => "IamGroup",
        "iam_role" => "IamRole",
        "security_group" => "SecurityGroup",
        "vpc" => "Vpc",
        "ec2_instance" => "Ec2Instance",
        "ebs_volume" => "EbsVolume",
        "ebs_snapshot" => "EbsSnapshot",
        "s3_bucket" => "S3Bucket",
        "rds_instance" => "RdsInstance",
        "log_group" => "LogGroup",
        "cloudtrail_trail" => "Trail",
        "kms_key" => "KmsKey",
        "subnet" => "Subnet",
        "load_balancer" => "LoadBalancer",
        "cache_replication_group" => "CacheReplicationGroup",
        "cache_cluster" => "CacheCluster",
        "lambda_function" => "LambdaFunction",
        "secret" => "ManagedSecret",
        "eks_cluster" => "EksCluster",
        "cdn_distribution" => "CdnDistribution",
        "vpn_connection" => "VpnConnection",
        "vpc_peering" => "VpcPeering",
        "dx_connection" => "DirectConnectConnection",
        _ => "Other",
    }
}

/// Parsed entity type names, one per snapshot resource type.
pub struct EntityTypes {
    by_snapshot_type: HashMap<&'static str, EntityTypeName>,
}

impl EntityTypes {
    pub fn new() -> Result<Self, EngineError> {
        let mut by_snapshot_type = HashMap::new();
        for t in TYPE_NAMES {
            let name = format!("{NAMESPACE}::{}", cedar_type(t));
            let parsed = EntityTypeName::from_str(&name)
                .map_err(|e| EngineError::Evaluation(format!("entity type `{name}`: {e}")))?;
            by_snapshot_type.insert(*t, parsed);
        }
        Ok(EntityTypes { by_snapshot_type })
    }

    pub fn get(&self, type_name: &str) -> Option<&EntityTypeName> {
        self.by_snapshot_type.get(type_name)
    }
}

/// What deriving an entity needs besides the resource.
pub struct DeriveEnv<'a> {
    pub now: Timestamp,
    pub ports_of_interest: &'a [u16],
    /// Only read for the account, which is judged last.
    pub regions_without_trail: &'a [String],
    /// Subnets that route to an internet gateway; only read for the data stores, which
    /// are judged last.
    pub public_subnets: &'a BTreeSet<String>,
    /// Only read for the account.
    pub links: facts::PrivateLinks,
}

struct Attrs(Vec<(SmolStr, PartialValue)>);

impl Attrs {
    fn with_capacity(n: usize) -> Self {
        Attrs(Vec::with_capacity(n))
    }
    fn push(&mut self, key: &'static str, value: Value) {
        self.0.push((SmolStr::new_static(key), value.into()));
    }
    fn bool(&mut self, key: &'static str, v: bool) {
        self.push(key, Value::from(v));
    }
    fn long(&mut self, key: &'static str, v: i64) {
        self.push(key, Value::from(v));
    }
    fn string(&mut self, key: &'static str, v: &str) {
        self.push(key, Value::from(v));
    }
    fn strings<'s>(&mut self, key: &'static str, items: impl IntoIterator<Item = &'s str>) {
        self.push(
            key,
            Value::set_of_lits(items.into_iter().map(Literal::from), None),
        );
    }
    fn longs(&mut self, key: &'static str, items: impl IntoIterator<Item = i64>) {
        self.push(
            key,
            Value::set_of_lits(items.into_iter().map(Literal::from), None),
        );
    }
}

/// Builds the entity of `resource` under the entity type `type_name`.
pub fn to_entity(resource: &Resource, type_name: &EntityTypeName, env: &DeriveEnv) -> ast::Entity {
    let uid = ast::EntityUID::from_components(
        AsRef::<ast::EntityType>::as_ref(type_name).clone(),
        ast::Eid::new(resource.id.as_str()),
        None,
    );
    let mut a = Attrs::with_capacity(8);
    a.string("snapshot_type", resource.type_name());
    a.string("region", &resource.region);
    a.string("data_class", &facts::data_class(resource));
    a.strings("tag_keys", facts::nonblank_tags(resource).map(|(k, _)| k));
    // The data stores (databases, caches): production or not, and whether they sit in a
    // public subnet.
    if facts::data_subnets(resource).is_some() {
        a.string("env", &facts::env(resource));
        a.bool(
            "in_public_subnet",
            !facts::public_data_subnets(resource, env.public_subnets).is_empty(),
        );
    }
    match &resource.kind {
        Kind::Account(acct) => {
            let policy = acct.password_policy.as_ref();
            a.bool("has_password_policy", policy.is_some());
            a.long(
                "password_min_length",
                policy.map_or(0, |p| i64::from(p.min_length)),
            );
            a.bool(
                "password_requires_all_classes",
                policy.is_some_and(|p| p.requires_all_classes()),
            );
            if let Some(root) = &acct.root {
                a.bool("root_mfa_enabled", root.mfa_enabled);
                a.bool("root_access_keys_present", root.access_keys_present);
            }
            a.strings(
                "regions_without_trail",
                env.regions_without_trail.iter().map(String::as_str),
            );
            a.long(
                "workloads",
                i64::try_from(env.links.workloads).unwrap_or(i64::MAX),
            );
            a.long(
                "private_links_up",
                i64::try_from(env.links.up).unwrap_or(i64::MAX),
            );
        }
        Kind::IamUser(user) => {
            a.bool("console_access", user.console_access);
            a.bool("mfa_enabled", !user.mfa_devices.is_empty());
            a.bool("is_admin", facts::user_is_admin(user));
            if let Some(age) = facts::oldest_active_key_age(&user.access_keys, env.now) {
                a.long("oldest_active_key_age_days", age);
            }
            if let Some(idle) = facts::longest_active_key_idle(&user.access_keys, env.now) {
                a.long("longest_active_key_idle_days", idle);
            }
        }
        Kind::IamGroup(g) => {
            a.bool(
                "is_admin",
                facts::admin_source(&g.attached_policies, &g.inline_policies).is_some(),
            );
        }
        Kind::IamRole(r) => {
            a.bool(
                "is_admin",
                facts::admin_source(&r.attached_policies, &r.inline_policies).is_some(),
            );
        }
        Kind::SecurityGroup(g) => {
            let exposure = facts::world_exposure(g, env.ports_of_interest);
            a.longs(
                "world_open_ports",
                exposure.ports.iter().map(|p| i64::from(*p)),
            );
            a.bool("world_open_all_traffic", exposure.all_traffic);
        }
        Kind::Vpc(v) => {
            a.bool("is_default", v.is_default);
            a.bool("flow_logs", !v.flow_log_ids.is_empty());
        }
        Kind::Ec2Instance(i) => {
            a.string("state", i.state.as_str());
            a.long(
                "attached_volumes",
                i64::try_from(i.volume_ids.len()).unwrap_or(i64::MAX),
            );
            a.long(
                "hardcoded_secrets",
                i64::try_from(i.user_data_secrets.len()).unwrap_or(i64::MAX),
            );
        }
        Kind::EbsVolume(v) => {
            a.string("volume_type", &v.volume_type);
            a.bool("encrypted", v.encrypted);
            a.bool("attached", !v.attached_instance_ids.is_empty());
        }
        Kind::EbsSnapshot(s) => a.bool("encrypted", s.encrypted),
        Kind::S3Bucket(b) => {
            a.bool(
                "public_access_blocked",
                b.public_access_block
                    .as_ref()
                    .is_some_and(|p| p.blocks_all()),
            );
            a.bool("default_encryption", b.encryption.is_some());
            a.bool("lifecycle_tiered", b.is_tiered());
        }
        Kind::RdsInstance(d) => {
            a.bool("storage_encrypted", d.storage_encrypted);
            a.bool("publicly_accessible", d.publicly_accessible);
            a.bool("multi_az", d.multi_az);
            a.long("backup_retention_days", i64::from(d.backup_retention_days));
            a.bool("deletion_protection", d.deletion_protection);
        }
        Kind::LogGroup(l) => {
            if let Some(days) = l.retention_days {
                a.long("retention_days", i64::from(days));
            }
        }
        Kind::Trail(t) => {
            a.bool("is_multi_region", t.is_multi_region);
            a.bool("is_logging", t.is_logging);
            a.bool("log_file_validation", t.log_file_validation);
        }
        Kind::KmsKey(k) => {
            a.bool("customer_managed", k.is_customer_managed());
            a.bool("enabled", k.is_enabled());
            a.bool("rotation_enabled", k.rotation_enabled);
        }
        Kind::Subnet(n) => a.bool("public", n.routes_to_internet_gateway),
        Kind::LoadBalancer(l) => {
            a.string("lb_type", &l.lb_type);
            a.bool("internet_facing", l.is_internet_facing());
            a.longs(
                "plaintext_listener_ports",
                facts::plaintext_listener_ports(l)
                    .into_iter()
                    .map(i64::from),
            );
            if let Some((rank, _)) = facts::weakest_tls(l) {
                a.long("weakest_tls", rank);
            }
            a.bool("has_web_acl", l.web_acl.is_some());
        }
        Kind::CacheReplicationGroup(g) => {
            a.bool("automatic_failover", g.automatic_failover);
            a.bool("multi_az", g.multi_az);
            a.long("nodes", i64::from(g.member_clusters));
            a.bool("transit_encryption", g.transit_encryption);
            a.bool("at_rest_encryption", g.at_rest_encryption);
        }
        Kind::CacheCluster(c) => {
            // A cluster outside any replication group has no replica to fail over to.
            a.bool("automatic_failover", false);
            a.bool("multi_az", false);
            a.long("nodes", i64::from(c.nodes));
            a.bool("transit_encryption", c.transit_encryption);
            a.bool("at_rest_encryption", c.at_rest_encryption);
        }
        Kind::LambdaFunction(f) => a.long(
            "hardcoded_secrets",
            i64::try_from(f.env_secrets.len()).unwrap_or(i64::MAX),
        ),
        Kind::ManagedSecret(s) => a.bool("rotation_enabled", s.rotation_enabled),
        Kind::EksCluster(c) => {
            a.bool("endpoint_public_access", c.endpoint_public_access);
            a.bool("endpoint_open_to_world", c.is_open_to_world());
            a.bool("endpoint_private_access", c.endpoint_private_access);
            a.bool("secrets_encrypted", c.secrets_encrypted);
        }
        Kind::CdnDistribution(d) => {
            a.bool("enabled", d.enabled);
            a.long(
                "plaintext_legs",
                i64::try_from(d.plaintext_legs().len()).unwrap_or(i64::MAX),
            );
            a.bool("has_web_acl", d.web_acl_id.is_some());
        }
        Kind::VpnConnection(v) => a.bool("up", v.is_up()),
        Kind::VpcPeering(p) => {
            a.string("status", &p.status);
            a.bool("cross_account", p.is_cross_account());
            a.bool("cross_region", p.is_cross_region());
        }
        Kind::DirectConnectConnection(d) => a.bool("up", d.is_up()),
        Kind::Other(o) => a.string("resource_type", &o.resource_type),
    }
    let tags = facts::nonblank_tags(resource)
        .map(|(k, v)| (SmolStr::new(k), PartialValue::from(Value::from(v))));
    // No parents: the entity graph has no edges, so its transitive closure is itself.
    ast::Entity::new_with_attr_partial_value(uid, a.0, HashSet::new(), HashSet::new(), tags)
}

/// The façade's uid of a core entity.
pub fn uid_of(entity: &ast::Entity) -> EntityUid {
    EntityUid::from(entity.uid().clone())
}
