//! The contract of `tco.json` between the crate that writes it (`audit-tco`) and the one
//! that reads it back (`audit-signoff`): its version and the fields a reader relies on.
//! The written document has more (months, categories, the what-if); a reader ignores
//! what it does not name here, so the document can grow without a new version, and a
//! field renamed on one side fails the contract test on the other.

use serde::{Deserialize, Serialize};

/// The version of the `tco.json` document.
pub const TCO_VERSION: u32 = 1;

/// A cost input the result was computed from, with the SHA-256 the TCO run saw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TcoInput {
    /// As given to `audit tco`; a relative path is relative to the folder it ran in.
    pub path: String,
    pub sha256: String,
}

/// The verdict on the gated months, as a reader needs it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct GatedVerdict {
    pub ratio: f64,
    pub pass: bool,
    /// First and last gated month (`YYYY-MM`).
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
}

/// What a reader of `tco.json` relies on.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct TcoSummary {
    pub tco_version: u32,
    pub limit: f64,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub period: Option<String>,
    pub gated: GatedVerdict,
    pub inputs: Vec<TcoInput>,
}
