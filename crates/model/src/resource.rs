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

    /// Whether the mandatory-tag rule applies: the account and IAM groups cannot carry
    /// tags, and an AWS-managed key's tags are not the customer's to set.
    pub fn is_taggable(&self) -> bool {
        match &self.kind {
            Kind::Account(_) | Kind::IamGroup(_) => false,
            Kind::KmsKey(k) => k.is_customer_managed(),
            _ => true,
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
    /// Created and managed by the customer (rotation and tags are theirs to set).
    pub fn is_customer_managed(&self) -> bool {
        self.manager.eq_ignore_ascii_case("CUSTOMER")
    }

    pub fn is_enabled(&self) -> bool {
        self.state == KeyState::Enabled
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

            /// Account-wide types (the account itself and IAM) have region `global`.
            pub fn is_global_type(&self) -> bool {
                matches!(self, Kind::Account(_) | Kind::IamUser(_) | Kind::IamGroup(_) | Kind::IamRole(_))
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
        let global_type = kind.is_global_type();
        if global_type != (region == GLOBAL_REGION) {
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
