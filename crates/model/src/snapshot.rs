//! The snapshot: a versioned, self-describing JSON document of one account's resources.

use std::fmt;

use jiff::Timestamp;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::resource::Resource;

/// The snapshot format this build reads and writes.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    Aws,
    Baidu,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
pub enum Partition {
    #[serde(rename = "aws")]
    Aws,
    #[serde(rename = "aws-cn")]
    AwsCn,
    #[serde(rename = "aws-us-gov")]
    AwsUsGov,
    /// Baidu AI Cloud.
    #[serde(rename = "bce")]
    Bce,
}

impl Partition {
    pub fn as_str(self) -> &'static str {
        match self {
            Partition::Aws => "aws",
            Partition::AwsCn => "aws-cn",
            Partition::AwsUsGov => "aws-us-gov",
            Partition::Bce => "bce",
        }
    }

    /// Whether accounts of this partition have a root user that can sign in
    /// (the China partition's accounts are treated as having none).
    pub fn has_root_user(self) -> bool {
        matches!(self, Partition::Aws | Partition::AwsUsGov)
    }
}

impl fmt::Display for Partition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

/// An API call that failed during collection: what the snapshot does not know.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Gap {
    pub service: String,
    /// Region name, or `global`.
    pub region: String,
    pub operation: String,
    /// The provider's error code (AccessDenied, Throttling, ...) or a transport error kind.
    pub error_code: String,
    pub message: String,
}

/// Everything in a snapshot but its resources.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Header {
    pub schema_version: u32,
    pub provider: Provider,
    pub partition: Partition,
    pub account_id: String,
    /// Regions the collection covered.
    pub regions: Vec<String>,
    #[schemars(with = "String")]
    pub collected_at: Timestamp,
    pub tool: Tool,
    pub gaps: Vec<Gap>,
}

/// A whole snapshot in memory. Large snapshots are better read with
/// [`crate::read::stream_snapshot`], which never holds them whole.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Snapshot {
    #[serde(flatten)]
    pub header: Header,
    pub resources: Vec<Resource>,
}
