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
    /// The provider's error code (AccessDenied, Throttling, ...) or one of ours.
    pub error_code: GapCode,
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

macro_rules! gap_codes {
    ($($variant:ident => $doc:literal),+ $(,)?) => {
        /// Why a call left a gap: one of the codes the collectors give themselves, or the
        /// provider's own error code (AccessDenied, Throttling, ...), kept as it came.
        /// Written as a plain string; ordered by that string, so gaps sort as they read.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum GapCode {
            $(#[doc = $doc] $variant,)+
            /// The provider's error code.
            Provider(String),
        }

        impl GapCode {
            pub fn as_str(&self) -> &str {
                match self {
                    $(GapCode::$variant => stringify!($variant),)+
                    GapCode::Provider(code) => code,
                }
            }

            /// Our own code for `s`, else `s` as the provider's code.
            pub fn parse(s: &str) -> GapCode {
                match s {
                    $(stringify!($variant) => GapCode::$variant,)+
                    other => GapCode::Provider(other.to_string()),
                }
            }
        }
    };
}

gap_codes! {
    NotCollected => "The service was left out on purpose (`collect --services`).",
    Timeout => "The call timed out.",
    EndpointUnreachable => "The endpoint could not be reached (connection refused, DNS, TLS).",
    ConfigurationError => "The client was set up wrongly for the call.",
    DispatchFailure => "The request could not be sent, for another reason.",
    ResponseError => "The answer could not be read.",
    ConstructionFailure => "The request could not be built.",
    Unknown => "The error said nothing more.",
    NoAccountResource => "The snapshot has no `account` resource: account-wide rules cannot be judged.",
    RootUserUnknown => "The root user's MFA and keys could not be read.",
}

impl GapCode {
    /// The request never got an answer from the service: nothing was denied or missing.
    pub fn is_transport(&self) -> bool {
        matches!(
            self,
            GapCode::EndpointUnreachable | GapCode::Timeout | GapCode::DispatchFailure
        )
    }
}

impl From<&str> for GapCode {
    fn from(s: &str) -> GapCode {
        GapCode::parse(s)
    }
}

impl From<String> for GapCode {
    fn from(s: String) -> GapCode {
        GapCode::parse(&s)
    }
}

impl fmt::Display for GapCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for GapCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl Ord for GapCode {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl PartialOrd for GapCode {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Serialize for GapCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for GapCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<GapCode, D::Error> {
        String::deserialize(d).map(GapCode::from)
    }
}

impl JsonSchema for GapCode {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "String".into()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        String::json_schema(generator)
    }
    fn inline_schema() -> bool {
        true
    }
}

#[cfg(test)]
mod gap_code_tests {
    use super::*;

    #[test]
    fn our_codes_round_trip_and_provider_codes_are_kept() {
        for s in [
            "NotCollected",
            "Timeout",
            "EndpointUnreachable",
            "AccessDenied",
            "",
        ] {
            let code = GapCode::parse(s);
            assert_eq!(code.as_str(), s);
            assert_eq!(serde_json::to_string(&code).unwrap(), format!("\"{s}\""));
        }
        assert_eq!(GapCode::parse("Timeout"), GapCode::Timeout);
        assert_eq!(
            GapCode::parse("AccessDenied"),
            GapCode::Provider("AccessDenied".into())
        );
        assert!(GapCode::Timeout.is_transport());
        assert!(!GapCode::Provider("Timeout2".into()).is_transport());
        // Ordered as the strings are: gaps keep the order they always had.
        assert!(GapCode::parse("AccessDenied") < GapCode::NotCollected);
        assert!(GapCode::Timeout > GapCode::parse("Throttling"));
    }
}
