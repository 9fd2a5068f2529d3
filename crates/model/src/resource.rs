//! Resources of a snapshot: the common envelope (`id`, `type`, `region`, `tags`) and one
//! typed `properties` record per resource type.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use jiff::Timestamp;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

pub use crate::credentials::SecretMatch;

/// Snapshot types that cannot carry tags: the account and IAM groups.
pub const UNTAGGABLE_TYPES: &[&str] = &["account", "iam_group"];

/// Region value of resources that are not regional (IAM, the account itself).
pub const GLOBAL_REGION: &str = "global";

/// One cloud resource as the collectors saw it.
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    /// ARN, or the provider's unique id where there is no ARN.
    pub id: String,
    /// Region name, or `global`.
    pub region: String,
    /// Tags as key → value; keys are unique.
    pub tags: BTreeMap<String, String>,
    /// Type-specific properties; the variant is the resource's `type`.
    pub kind: Kind,
}

impl Resource {
    pub fn type_name(&self) -> &'static str {
        self.kind.type_name()
    }

    /// Whether the mandatory-tag rule applies: the types of [`UNTAGGABLE_TYPES`] cannot
    /// carry tags, and an AWS-managed key's tags are not the customer's to set.
    pub fn is_taggable(&self) -> bool {
        match &self.kind {
            Kind::KmsKey(k) => k.is_customer_managed(),
            _ => !UNTAGGABLE_TYPES.contains(&self.type_name()),
        }
    }

    pub fn is_global(&self) -> bool {
        self.region == GLOBAL_REGION
    }
}

/// IAM policy attached inline to a user, group or role; the document is kept as read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InlinePolicy {
    pub name: String,
    /// The IAM policy document (JSON), URL-decoded.
    pub document: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MfaDevice {
    pub serial: String,
    #[schemars(with = "String")]
    pub enabled: Timestamp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum KeyStatus {
    Active,
    Inactive,
}

/// An access key's metadata; the secret is never collected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AccessKey {
    pub id: String,
    pub status: KeyStatus,
    #[schemars(with = "String")]
    pub created: Timestamp,
    /// Absent when the key was never used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub last_used: Option<Timestamp>,
}

/// A group the user belongs to, with the group's own policies, so that a user can be
/// judged without looking up other resources.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupMembership {
    pub name: String,
    pub attached_policies: Vec<String>,
    pub inline_policies: Vec<InlinePolicy>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IamUser {
    pub name: String,
    #[schemars(with = "String")]
    pub created: Timestamp,
    /// A login profile exists: the user can sign in to the console.
    pub console_access: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub password_last_used: Option<Timestamp>,
    pub mfa_devices: Vec<MfaDevice>,
    pub access_keys: Vec<AccessKey>,
    /// ARNs of managed policies attached to the user.
    pub attached_policies: Vec<String>,
    pub inline_policies: Vec<InlinePolicy>,
    pub groups: Vec<GroupMembership>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IamGroup {
    pub name: String,
    pub attached_policies: Vec<String>,
    pub inline_policies: Vec<InlinePolicy>,
    /// User names.
    pub members: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IamRole {
    pub name: String,
    pub attached_policies: Vec<String>,
    pub inline_policies: Vec<InlinePolicy>,
    pub assume_role_policy: serde_json::Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub last_used: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordPolicy {
    pub min_length: u32,
    pub require_symbols: bool,
    pub require_numbers: bool,
    pub require_uppercase: bool,
    pub require_lowercase: bool,
    /// Absent: passwords never expire.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_age_days: Option<u32>,
    /// Absent: reuse is not prevented.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reuse_prevention: Option<u32>,
}

impl PasswordPolicy {
    /// Symbols, numbers, upper and lower case are all required.
    pub fn requires_all_classes(&self) -> bool {
        self.require_symbols
            && self.require_numbers
            && self.require_uppercase
            && self.require_lowercase
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RootUser {
    pub mfa_enabled: bool,
    pub access_keys_present: bool,
}

/// Account-wide settings: the password policy and the root user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Account {
    /// `null`: the account has no password policy.
    pub password_policy: Option<PasswordPolicy>,
    /// `null` where the partition has no root user (aws-cn).
    pub root: Option<RootUser>,
}

/// One ingress permission; `protocol` "-1" means all traffic (ports are then ignored).
/// Source ranges must be valid CIDRs and a port range must not run backwards: a rule the
/// engine cannot read is refused, never judged as closed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, try_from = "RawIngressRule")]
pub struct IngressRule {
    pub protocol: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_port: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_port: Option<i32>,
    pub ipv4_ranges: Vec<String>,
    pub ipv6_ranges: Vec<String>,
}

/// The ingress rule as written; checked into an [`IngressRule`].
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawIngressRule {
    protocol: String,
    #[serde(default)]
    from_port: Option<i32>,
    #[serde(default)]
    to_port: Option<i32>,
    ipv4_ranges: Vec<String>,
    ipv6_ranges: Vec<String>,
}

impl TryFrom<RawIngressRule> for IngressRule {
    type Error = String;

    fn try_from(raw: RawIngressRule) -> Result<Self, String> {
        for range in &raw.ipv4_ranges {
            Cidr::parse(range, false)?;
        }
        for range in &raw.ipv6_ranges {
            Cidr::parse(range, true)?;
        }
        if let (Some(from), Some(to)) = (raw.from_port, raw.to_port) {
            let portless = matches!(raw.protocol.as_str(), "-1" | "icmp" | "icmpv6" | "1" | "58");
            if !portless && from > to {
                return Err(format!(
                    "port range runs backwards: from_port {from} > to_port {to}"
                ));
            }
        }
        Ok(IngressRule {
            protocol: raw.protocol,
            from_port: raw.from_port,
            to_port: raw.to_port,
            ipv4_ranges: raw.ipv4_ranges,
            ipv6_ranges: raw.ipv6_ranges,
        })
    }
}

/// A CIDR block, checked when read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    pub prefix_len: u8,
}

impl Cidr {
    /// Parses `a.b.c.d/n` (or an IPv6 block when `v6`).
    pub fn parse(text: &str, v6: bool) -> Result<Cidr, String> {
        let bad = || {
            format!(
                "{} is not an IPv{} CIDR block",
                audit_text::quote(text),
                if v6 { 6 } else { 4 }
            )
        };
        let (addr, len) = text.split_once('/').ok_or_else(bad)?;
        let prefix_len: u8 = len.parse().map_err(|_| bad())?;
        let ok = if v6 {
            addr.parse::<std::net::Ipv6Addr>().is_ok() && prefix_len <= 128
        } else {
            addr.parse::<std::net::Ipv4Addr>().is_ok() && prefix_len <= 32
        };
        if ok {
            Ok(Cidr { prefix_len })
        } else {
            Err(bad())
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SecurityGroup {
    pub group_id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc_id: Option<String>,
    pub ingress: Vec<IngressRule>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Vpc {
    pub vpc_id: String,
    pub is_default: bool,
    pub cidr: String,
    /// Ids of active flow logs on the VPC.
    pub flow_log_ids: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Ec2Instance {
    pub instance_id: String,
    pub instance_type: String,
    pub state: InstanceState,
    pub volume_ids: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_ip: Option<String>,
    /// Credentials found in the instance's user data (where and what kind, never the
    /// value); absent or empty: none found.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub user_data_secrets: Vec<SecretMatch>,
}

/// The lifecycle state of an instance, as EC2 names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum InstanceState {
    Pending,
    Running,
    Stopping,
    Stopped,
    ShuttingDown,
    Terminated,
    /// The provider gave a state audit does not know; the collector records a gap.
    Unknown,
}

impl InstanceState {
    pub fn as_str(self) -> &'static str {
        match self {
            InstanceState::Pending => "pending",
            InstanceState::Running => "running",
            InstanceState::Stopping => "stopping",
            InstanceState::Stopped => "stopped",
            InstanceState::ShuttingDown => "shutting-down",
            InstanceState::Terminated => "terminated",
            InstanceState::Unknown => "unknown",
        }
    }

    /// EC2's name of the state; `None` for a name EC2 does not use.
    pub fn parse(s: &str) -> Option<InstanceState> {
        [
            InstanceState::Pending,
            InstanceState::Running,
            InstanceState::Stopping,
            InstanceState::Stopped,
            InstanceState::ShuttingDown,
            InstanceState::Terminated,
        ]
        .into_iter()
        .find(|st| st.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EbsVolume {
    pub volume_id: String,
    /// gp2, gp3, io1, io2, st1, sc1, standard.
    pub volume_type: String,
    pub size_gib: u64,
    pub encrypted: bool,
    /// available, in-use, ...
    pub state: String,
    pub attached_instance_ids: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EbsSnapshot {
    pub snapshot_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_id: Option<String>,
    pub size_gib: u64,
    pub encrypted: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PublicAccessBlock {
    pub block_public_acls: bool,
    pub ignore_public_acls: bool,
    pub block_public_policy: bool,
    pub restrict_public_buckets: bool,
}

impl PublicAccessBlock {
    /// The four settings by their AWS names, each with whether it is on.
    pub fn settings(&self) -> [(&'static str, bool); 4] {
        [
            ("BlockPublicAcls", self.block_public_acls),
            ("IgnorePublicAcls", self.ignore_public_acls),
            ("BlockPublicPolicy", self.block_public_policy),
            ("RestrictPublicBuckets", self.restrict_public_buckets),
        ]
    }

    /// Every setting is on: nothing of the bucket can be made public.
    pub fn blocks_all(&self) -> bool {
        self.settings().iter().all(|(_, on)| *on)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct S3Bucket {
    pub name: String,
    /// Default encryption algorithm (AES256, aws:kms, aws:kms:dsse); `null`: none configured.
    pub encryption: Option<String>,
    /// `null`: no public access block configured on the bucket.
    pub public_access_block: Option<PublicAccessBlock>,
    /// Number of enabled lifecycle rules.
    pub lifecycle_rules: u32,
    /// Storage classes that enabled lifecycle rules move objects to (current or older
    /// versions), sorted and unique; empty: no rule tiers data to a colder class.
    #[serde(default)]
    pub lifecycle_transitions: Vec<String>,
    /// An enabled lifecycle rule expires (deletes) objects.
    #[serde(default)]
    pub lifecycle_expiration: bool,
}

impl S3Bucket {
    /// Some enabled rule moves data to a colder class or deletes it: storage is tiered.
    pub fn is_tiered(&self) -> bool {
        !self.lifecycle_transitions.is_empty() || self.lifecycle_expiration
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RdsInstance {
    pub identifier: String,
    pub engine: String,
    pub instance_class: String,
    pub storage_encrypted: bool,
    pub publicly_accessible: bool,
    pub multi_az: bool,
    pub backup_retention_days: u32,
    /// The instance cannot be deleted until protection is turned off.
    #[serde(default)]
    pub deletion_protection: bool,
    /// Subnets of the instance's DB subnet group.
    #[serde(default)]
    pub subnet_ids: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LogGroup {
    pub name: String,
    /// Absent or `null`: events never expire.
    #[serde(default)]
    pub retention_days: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stored_bytes: Option<u64>,
}

/// A CloudTrail trail; the resource's region is its home region.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Trail {
    pub name: String,
    pub is_multi_region: bool,
    pub is_logging: bool,
    pub log_file_validation: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KmsKey {
    pub key_id: String,
    /// CUSTOMER or AWS.
    pub manager: String,
    pub state: KeyState,
    pub rotation_enabled: bool,
    /// Aliases that point at the key (`alias/...`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
}

/// A KMS key's state, as KMS names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum KeyState {
    Creating,
    Enabled,
    Disabled,
    PendingDeletion,
    PendingImport,
    PendingReplicaDeletion,
    Unavailable,
    Updating,
    /// The provider gave a state audit does not know; the collector records a gap.
    Unknown,
}

impl KeyState {
    const KNOWN: [(KeyState, &'static str); 8] = [
        (KeyState::Creating, "Creating"),
        (KeyState::Enabled, "Enabled"),
        (KeyState::Disabled, "Disabled"),
        (KeyState::PendingDeletion, "PendingDeletion"),
        (KeyState::PendingImport, "PendingImport"),
        (KeyState::PendingReplicaDeletion, "PendingReplicaDeletion"),
        (KeyState::Unavailable, "Unavailable"),
        (KeyState::Updating, "Updating"),
    ];

    /// KMS's name of the state; `None` for a name KMS does not use.
    pub fn parse(s: &str) -> Option<KeyState> {
        Self::KNOWN.iter().find(|(_, n)| *n == s).map(|(k, _)| *k)
    }
}

impl KmsKey {
    /// Created and managed by the customer (rotation and tags are theirs to set). A key
    /// with an alias under `alias/aws/` is AWS-managed whatever its manager field says:
    /// customers cannot create such aliases (emulators report these keys as CUSTOMER).
    pub fn is_customer_managed(&self) -> bool {
        self.manager.eq_ignore_ascii_case("CUSTOMER")
            && !self.aliases.iter().any(|a| a.starts_with("alias/aws/"))
    }

    pub fn is_enabled(&self) -> bool {
        self.state == KeyState::Enabled
    }
}

/// A VPC subnet, with what its route table does with traffic for the internet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Subnet {
    pub subnet_id: String,
    pub vpc_id: String,
    pub cidr: String,
    pub availability_zone: String,
    /// The subnet's route table (its own, or the VPC's main one) sends 0.0.0.0/0 or ::/0
    /// to an internet gateway: the subnet is public.
    pub routes_to_internet_gateway: bool,
}

/// One action of a listener's default rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListenerAction {
    /// forward, redirect, fixed-response, authenticate-oidc, authenticate-cognito.
    pub action_type: String,
    /// For a redirect: the protocol it sends clients to (HTTP, HTTPS, or `#{protocol}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_protocol: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Listener {
    pub port: u32,
    /// HTTP, HTTPS, TCP, TLS, UDP, TCP_UDP, GENEVE.
    pub protocol: String,
    /// The security policy of an HTTPS or TLS listener.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssl_policy: Option<String>,
    /// Protocol versions the security policy allows (`TLSv1`, `TLSv1.1`, `TLSv1.2`,
    /// `TLSv1.3`, `SSLv3`), as the load balancer service describes the policy.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ssl_protocols: Vec<String>,
    pub default_actions: Vec<ListenerAction>,
}

impl Listener {
    /// A plain HTTP listener that does not send every client to HTTPS.
    pub fn is_plaintext(&self) -> bool {
        self.protocol.eq_ignore_ascii_case("HTTP")
            && !self.default_actions.iter().any(|a| {
                a.action_type == "redirect"
                    && a.redirect_protocol
                        .as_deref()
                        .is_some_and(|p| p.eq_ignore_ascii_case("HTTPS"))
            })
    }

    /// The listener terminates TLS.
    pub fn is_tls(&self) -> bool {
        ["HTTPS", "TLS"]
            .iter()
            .any(|p| self.protocol.eq_ignore_ascii_case(p))
    }

    /// The oldest protocol the security policy allows, as 10 × the TLS version (TLS 1.0
    /// is 10, TLS 1.2 is 12); SSLv3, an unknown name or no protocol list at all is 0:
    /// what cannot be read is judged weak.
    pub fn weakest_tls(&self) -> i64 {
        self.ssl_protocols
            .iter()
            .map(|p| tls_rank(p))
            .min()
            .unwrap_or(0)
    }
}

/// `TLSv1.2` → 12; SSLv3 and unknown names → 0.
pub fn tls_rank(name: &str) -> i64 {
    match name {
        "TLSv1" | "TLSv1.0" => 10,
        "TLSv1.1" => 11,
        "TLSv1.2" => 12,
        "TLSv1.3" => 13,
        _ => 0,
    }
}

/// An Elastic Load Balancing (v2) load balancer: application, network or gateway.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LoadBalancer {
    pub name: String,
    /// application, network or gateway.
    pub lb_type: String,
    /// internet-facing or internal.
    pub scheme: String,
    pub listeners: Vec<Listener>,
    /// ARN of the AWS WAF web ACL associated with it; `null`: none.
    pub web_acl: Option<String>,
}

impl LoadBalancer {
    pub fn is_internet_facing(&self) -> bool {
        self.scheme == "internet-facing"
    }
}

/// An ElastiCache replication group (Redis or Valkey with replicas, cluster mode or not).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CacheReplicationGroup {
    pub group_id: String,
    pub engine: String,
    /// Automatic failover is enabled (not disabled, nor still being enabled).
    pub automatic_failover: bool,
    pub multi_az: bool,
    /// Member cache clusters (nodes) of the group.
    pub member_clusters: u32,
    pub transit_encryption: bool,
    pub at_rest_encryption: bool,
    /// Subnets of the members' cache subnet groups.
    pub subnet_ids: Vec<String>,
}

/// An ElastiCache cluster that belongs to no replication group (Memcached, or a single
/// Redis node); members of a group are judged with their group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CacheCluster {
    pub cluster_id: String,
    pub engine: String,
    pub node_type: String,
    pub nodes: u32,
    pub transit_encryption: bool,
    pub at_rest_encryption: bool,
    /// Subnets of its cache subnet group.
    pub subnet_ids: Vec<String>,
}

/// A Lambda function; its environment is scanned for credentials while collecting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LambdaFunction {
    pub name: String,
    /// `null` for a container image function.
    pub runtime: Option<String>,
    /// Credentials found in its environment variables (the variable and the kind of
    /// match, never the value).
    pub env_secrets: Vec<SecretMatch>,
}

/// A secret of AWS Secrets Manager; its value is never read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ManagedSecret {
    pub name: String,
    pub rotation_enabled: bool,
}

/// An EKS cluster's API endpoint and secrets encryption.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EksCluster {
    pub name: String,
    /// The Kubernetes API answers on a public endpoint.
    pub endpoint_public_access: bool,
    /// Source ranges allowed to the public endpoint (EKS's default: `0.0.0.0/0`).
    pub public_access_cidrs: Vec<String>,
    /// The API answers inside the VPC too.
    pub endpoint_private_access: bool,
    /// Kubernetes secrets are envelope-encrypted with a KMS key.
    pub secrets_encrypted: bool,
}

impl EksCluster {
    /// Open to the whole internet: public, from `0.0.0.0/0` or `::/0`, or with no source
    /// range listed (EKS's default is `0.0.0.0/0`; an answer without the list is judged as
    /// the default, not as closed).
    pub fn is_open_to_world(&self) -> bool {
        self.endpoint_public_access
            && (self.public_access_cidrs.is_empty()
                || self
                    .public_access_cidrs
                    .iter()
                    .any(|c| c == "0.0.0.0/0" || c == "::/0"))
    }
}

/// One side of a VPC peering connection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PeeringSide {
    pub vpc_id: String,
    pub owner_id: String,
    pub region: String,
    pub cidr: Option<String>,
}

/// A VPC peering connection: which VPCs of which accounts and regions it joins.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VpcPeering {
    pub peering_id: String,
    /// `pending-acceptance`, `active`, `rejected`, `failed`, `expired`, ...
    pub status: String,
    pub requester: PeeringSide,
    pub accepter: PeeringSide,
}

impl VpcPeering {
    pub fn is_cross_account(&self) -> bool {
        self.requester.owner_id != self.accepter.owner_id
    }
    pub fn is_cross_region(&self) -> bool {
        self.requester.region != self.accepter.region
    }
}

/// A CloudFront distribution (global): how viewers and origins are spoken to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CdnDistribution {
    pub distribution_id: String,
    pub domain_name: String,
    pub enabled: bool,
    /// Viewer protocol policy of each cache behaviour, the default one first:
    /// `allow-all`, `redirect-to-https` or `https-only`.
    pub viewer_protocol_policies: Vec<String>,
    /// Origin protocol policy of each custom origin (`http-only`, `match-viewer`,
    /// `https-only`); S3 origins have none.
    pub custom_origin_policies: Vec<String>,
    /// The viewer certificate's minimum protocol (`TLSv1.2_2021`, `TLSv1`, ...).
    pub minimum_tls: Option<String>,
    /// The associated web ACL (a WAFv2 ARN or a classic WAF id); `null`: none.
    pub web_acl_id: Option<String>,
}

impl CdnDistribution {
    /// Viewers may speak plain HTTP, or a custom origin is reached over it.
    pub fn plaintext_legs(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self
            .viewer_protocol_policies
            .iter()
            .any(|p| p == "allow-all")
        {
            out.push("viewers: allow-all".to_string());
        }
        for p in &self.custom_origin_policies {
            if p == "http-only" || p == "match-viewer" {
                out.push(format!("origin: {p}"));
            }
        }
        out.dedup();
        out
    }
}

/// A site-to-site VPN connection and its tunnels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VpnConnection {
    pub vpn_connection_id: String,
    /// `pending`, `available`, `deleting` or `deleted`.
    pub state: String,
    /// Tunnels the VPN reports (`VgwTelemetry`), and those whose status is `UP`.
    pub tunnels: u32,
    pub tunnels_up: u32,
}

impl VpnConnection {
    /// Carries traffic: available, with at least one tunnel up.
    pub fn is_up(&self) -> bool {
        self.state == "available" && self.tunnels_up > 0
    }
}

/// A Direct Connect connection (a dedicated line).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DirectConnectConnection {
    pub connection_id: String,
    pub name: String,
    /// `available`, `ordering`, `down`, `deleted`, ...
    pub state: String,
    pub location: Option<String>,
}

impl DirectConnectConnection {
    pub fn is_up(&self) -> bool {
        self.state == "available"
    }
}

/// Anything else the tagging API reports (EKS, ElastiCache, SQS, Lambda, load balancers...).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OtherResource {
    /// Service and type, e.g. `elasticache:cluster`.
    pub resource_type: String,
}

macro_rules! kinds {
    ($($variant:ident($props:ty) => $name:literal),+ $(,)?) => {
        /// The resource's type and its typed properties.
        #[derive(Debug, Clone, PartialEq)]
        pub enum Kind {
            $($variant($props),)+
        }

        /// Every resource type name, in schema order.
        pub const TYPE_NAMES: &[&str] = &[$($name),+];

        impl Kind {
            pub fn type_name(&self) -> &'static str {
                match self {
                    $(Kind::$variant(_) => $name,)+
                }
            }

            /// Account-wide types (the account itself, IAM, CloudFront) have region `global`.
            pub fn is_global_type(&self) -> bool {
                matches!(
                    self,
                    Kind::Account(_)
                        | Kind::IamUser(_)
                        | Kind::IamGroup(_)
                        | Kind::IamRole(_)
                        | Kind::CdnDistribution(_)
                )
            }

            fn deserialize_properties<'de, D: Deserializer<'de>>(
                type_name: &str,
                deserializer: D,
            ) -> Result<Self, D::Error> {
                match type_name {
                    $($name => <$props>::deserialize(deserializer).map(Kind::$variant),)+
                    other => Err(de::Error::unknown_variant(other, TYPE_NAMES)),
                }
            }

            fn serialize_properties<M: SerializeMap>(&self, map: &mut M) -> Result<(), M::Error> {
                match self {
                    $(Kind::$variant(p) => map.serialize_entry("properties", p),)+
                }
            }

            fn schemas(generator: &mut SchemaGenerator) -> Vec<Schema> {
                vec![$(envelope_schema($name, generator.subschema_for::<$props>()),)+]
            }
        }
    };
}

kinds! {
    Account(Account) => "account",
    IamUser(IamUser) => "iam_user",
    IamGroup(IamGroup) => "iam_group",
    IamRole(IamRole) => "iam_role",
    SecurityGroup(SecurityGroup) => "security_group",
    Vpc(Vpc) => "vpc",
    Ec2Instance(Ec2Instance) => "ec2_instance",
    EbsVolume(EbsVolume) => "ebs_volume",
    EbsSnapshot(EbsSnapshot) => "ebs_snapshot",
    S3Bucket(S3Bucket) => "s3_bucket",
    RdsInstance(RdsInstance) => "rds_instance",
    LogGroup(LogGroup) => "log_group",
    Trail(Trail) => "cloudtrail_trail",
    KmsKey(KmsKey) => "kms_key",
    Subnet(Subnet) => "subnet",
    LoadBalancer(LoadBalancer) => "load_balancer",
    CacheReplicationGroup(CacheReplicationGroup) => "cache_replication_group",
    CacheCluster(CacheCluster) => "cache_cluster",
    LambdaFunction(LambdaFunction) => "lambda_function",
    ManagedSecret(ManagedSecret) => "secret",
    EksCluster(EksCluster) => "eks_cluster",
    CdnDistribution(CdnDistribution) => "cdn_distribution",
    VpnConnection(VpnConnection) => "vpn_connection",
    VpcPeering(VpcPeering) => "vpc_peering",
    DirectConnectConnection(DirectConnectConnection) => "dx_connection",
    Other(OtherResource) => "other",
}

fn envelope_schema(type_name: &str, properties: Schema) -> Schema {
    json_schema!({
        "type": "object",
        "additionalProperties": false,
        "required": ["id", "type", "region", "tags", "properties"],
        "properties": {
            "id": { "type": "string", "minLength": 1 },
            "type": { "const": type_name },
            "region": { "type": "string", "minLength": 1 },
            "tags": { "type": "object", "additionalProperties": { "type": "string" } },
            "properties": properties,
        }
    })
}

impl JsonSchema for Resource {
    fn schema_name() -> Cow<'static, str> {
        "Resource".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        json_schema!({ "oneOf": Kind::schemas(generator) })
    }
}

impl Serialize for Resource {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(5))?;
        map.serialize_entry("id", &self.id)?;
        map.serialize_entry("type", self.type_name())?;
        map.serialize_entry("region", &self.region)?;
        map.serialize_entry("tags", &self.tags)?;
        self.kind.serialize_properties(&mut map)?;
        map.end()
    }
}

/// Reads the envelope field by field so that `properties` is parsed straight into its
/// typed record when `type` comes first (the order audit writes); otherwise it is
/// buffered once.
impl<'de> Deserialize<'de> for Resource {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(ResourceVisitor)
    }
}

struct ResourceVisitor;

/// The envelope's keys; any other key is refused by the derived identifier visitor.
#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "lowercase")]
enum Field {
    Id,
    Type,
    Region,
    Tags,
    Properties,
}

impl<'de> Visitor<'de> for ResourceVisitor {
    type Value = Resource;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a resource object with id, type, region, tags and properties")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Resource, A::Error> {
        let mut id: Option<String> = None;
        let mut type_name: Option<String> = None;
        let mut region: Option<String> = None;
        let mut tags: Option<BTreeMap<String, String>> = None;
        let mut kind: Option<Kind> = None;
        let mut buffered: Option<serde_json::Value> = None;
        while let Some(key) = map.next_key::<Field>()? {
            match key {
                Field::Id => set_once(&mut id, "id", map.next_value()?)?,
                Field::Type => {
                    let TypeName(t) = map.next_value()?;
                    set_once(&mut type_name, "type", t.to_string())?
                }
                Field::Region => set_once(&mut region, "region", map.next_value()?)?,
                Field::Tags => {
                    let UniqueTags(t) = map.next_value()?;
                    set_once(&mut tags, "tags", t)?
                }
                Field::Properties => {
                    if kind.is_some() || buffered.is_some() {
                        return Err(de::Error::duplicate_field("properties"));
                    }
                    match &type_name {
                        Some(t) => kind = Some(map.next_value_seed(PropertiesSeed(t))?),
                        None => buffered = Some(map.next_value()?),
                    }
                }
            }
        }
        let id = id.ok_or_else(|| de::Error::missing_field("id"))?;
        let type_name = type_name.ok_or_else(|| de::Error::missing_field("type"))?;
        let region = region.ok_or_else(|| de::Error::missing_field("region"))?;
        let tags = tags.ok_or_else(|| de::Error::missing_field("tags"))?;
        let kind = match (kind, buffered) {
            (Some(kind), _) => kind,
            (None, Some(value)) => {
                Kind::deserialize_properties(&type_name, value).map_err(de::Error::custom)?
            }
            (None, None) => return Err(de::Error::missing_field("properties")),
        };
        if id.is_empty() {
            return Err(de::Error::invalid_length(0, &"a non-empty id"));
        }
        if region.is_empty() {
            return Err(de::Error::invalid_length(0, &"a non-empty region"));
        }
        // A regional resource claiming `global` would escape every residency rule.
        // A resource the tagging API reports with an ARN that names no region (a
        // CloudFront distribution, a Route 53 zone) is global too.
        let global_type = kind.is_global_type();
        let may_be_global = global_type || matches!(kind, Kind::Other(_));
        if global_type && region != GLOBAL_REGION || !may_be_global && region == GLOBAL_REGION {
            return Err(de::Error::custom(if global_type {
                format!(
                    "a `{}` is global: its region must be `global`, not {}",
                    kind.type_name(),
                    audit_text::quote(&region)
                )
            } else {
                format!(
                    "a `{}` lives in a region: `global` is not allowed",
                    kind.type_name()
                )
            }));
        }
        Ok(Resource {
            id,
            region,
            tags,
            kind,
        })
    }
}

fn set_once<T, E: de::Error>(slot: &mut Option<T>, name: &'static str, value: T) -> Result<(), E> {
    if slot.is_some() {
        return Err(E::duplicate_field(name));
    }
    *slot = Some(value);
    Ok(())
}

/// Tags as a map whose keys must be unique: with a repeated key, which value would count?
struct UniqueTags(BTreeMap<String, String>);

impl<'de> Deserialize<'de> for UniqueTags {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TagsVisitor;
        impl<'de> Visitor<'de> for TagsVisitor {
            type Value = UniqueTags;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object of tag key to string value")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<UniqueTags, A::Error> {
                let mut tags = BTreeMap::new();
                while let Some((key, value)) = map.next_entry::<String, String>()? {
                    if tags.contains_key(&key) {
                        return Err(de::Error::custom(format_args!(
                            "duplicate tag key {}",
                            audit_text::quote(&key)
                        )));
                    }
                    tags.insert(key, value);
                }
                Ok(UniqueTags(tags))
            }
        }
        deserializer.deserialize_map(TagsVisitor)
    }
}

/// A resource type name, refused at the `type` key itself when unknown.
struct TypeName(&'static str);

impl<'de> Deserialize<'de> for TypeName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        TYPE_NAMES
            .iter()
            .find(|t| **t == name)
            .map(|t| TypeName(t))
            .ok_or_else(|| de::Error::unknown_variant(&name, TYPE_NAMES))
    }
}

struct PropertiesSeed<'a>(&'a str);

impl<'de> de::DeserializeSeed<'de> for PropertiesSeed<'_> {
    type Value = Kind;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Kind, D::Error> {
        Kind::deserialize_properties(self.0, deserializer)
    }
}
