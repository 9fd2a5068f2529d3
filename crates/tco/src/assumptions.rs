//! The assumptions of the TCO model (`policies/tco.toml`): prices, facility, staff, the
//! cloud-side costs that are not on the bill, and the what-if options. Parsing is strict:
//! unknown keys, wrong types, negative or non-finite numbers and a currency that differs
//! from the top-level one are errors at the exact line and column.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Deserializer, Serialize};

use crate::error::TcoError;

/// The version of the assumptions file this build reads.
pub const ASSUMPTIONS_VERSION: u32 = 1;

/// Where a cost lands in the IDC-by-category view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    GpuCompute,
    CpuCompute,
    Storage,
    NetworkSecurity,
    Management,
    Facilities,
    Staff,
}

impl Category {
    pub const ALL: [Category; 7] = [
        Category::GpuCompute,
        Category::CpuCompute,
        Category::Storage,
        Category::NetworkSecurity,
        Category::Management,
        Category::Facilities,
        Category::Staff,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::GpuCompute => "gpu_compute",
            Category::CpuCompute => "cpu_compute",
            Category::Storage => "storage",
            Category::NetworkSecurity => "network_security",
            Category::Management => "management",
            Category::Facilities => "facilities",
            Category::Staff => "staff",
        }
    }
}

/// A finite number of 0 or more (money, kW, years, FTE).
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize)]
#[serde(transparent)]
pub struct NonNeg(pub f64);

impl<'de> Deserialize<'de> for NonNeg {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = f64::deserialize(d)?;
        if !v.is_finite() {
            return Err(serde::de::Error::custom(format!(
                "expected a finite number, found `{v}`"
            )));
        }
        if v < 0.0 {
            return Err(serde::de::Error::custom(format!(
                "expected a number of 0 or more, found `{v}`"
            )));
        }
        Ok(NonNeg(v))
    }
}

/// A finite number of more than 0 (years, days: they divide).
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize)]
#[serde(transparent)]
pub struct Positive(pub f64);

impl<'de> Deserialize<'de> for Positive {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = f64::deserialize(d)?;
        if !(v.is_finite() && v > 0.0) {
            return Err(serde::de::Error::custom(format!(
                "expected a finite number of more than 0, found `{v}`"
            )));
        }
        Ok(Positive(v))
    }
}

/// A share between 0 and 1 inclusive.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize)]
#[serde(transparent)]
pub struct Share(pub f64);

impl<'de> Deserialize<'de> for Share {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = f64::deserialize(d)?;
        if !(0.0..=1.0).contains(&v) {
            return Err(serde::de::Error::custom(format!(
                "expected a share between 0 and 1, found `{v}`"
            )));
        }
        Ok(Share(v))
    }
}

/// A currency field that may repeat the top-level one; it must then be the same.
type Currency = Option<toml::Spanned<String>>;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assumptions {
    /// The file this was read from, for the report's `inputs`.
    #[serde(skip)]
    pub source: crate::source::Source,
    pub version: u32,
    /// ISO 4217 code of every amount in this file and in the cost data.
    pub currency: toml::Spanned<String>,
    /// The gate: cloud TCO ÷ IDC TCO must be at or under this.
    pub limit: NonNeg,
    pub facility: Facility,
    pub staff: Staff,
    /// Keyed by asset class, as in the inventory's `asset_class` column.
    pub assets: BTreeMap<String, Asset>,
    #[serde(default)]
    pub licences: Vec<Licence>,
    #[serde(default)]
    pub lines: Vec<Line>,
    pub cloud: Cloud,
    pub what_if: WhatIf,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Facility {
    #[serde(default)]
    pub currency: Currency,
    /// Power usage effectiveness: facility power ÷ IT power.
    pub pue: NonNeg,
    pub tariff_per_kwh: NonNeg,
    /// Days in the modelled average month (power is drawn around the clock).
    pub days_per_month: Positive,
    /// Colocation price per rack unit per month (space, cooling share, cross-connects).
    pub colocation_per_unit_month: NonNeg,
    /// Yearly maintenance (support contracts, spares) as a share of the purchase price.
    pub maintenance_share_per_year: Share,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Staff {
    #[serde(default)]
    pub currency: Currency,
    /// People who run the IDC today.
    pub fte: NonNeg,
    /// Loaded yearly cost of one FTE (salary, social insurance, housing fund, overhead).
    pub cost_per_fte_year: NonNeg,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Asset {
    #[serde(default)]
    pub currency: Currency,
    pub category: Category,
    /// Purchase price of one unit.
    pub purchase: NonNeg,
    pub depreciation_years: Positive,
    /// Average draw of one unit in kW.
    pub power_kw: NonNeg,
    pub rack_units: NonNeg,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Licence {
    #[serde(default)]
    pub currency: Currency,
    pub name: String,
    pub per_year: NonNeg,
    pub category: Category,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Line {
    #[serde(default)]
    pub currency: Currency,
    pub name: String,
    pub per_month: NonNeg,
    pub category: Category,
}

/// Cloud costs that are not on the cloud bill but are part of the cloud TCO.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cloud {
    #[serde(default)]
    pub currency: Currency,
    /// FTE still needed after the migration, at `staff.cost_per_fte_year`.
    pub staff_fte: NonNeg,
    /// Dedicated lines, VPN, tools, ...
    #[serde(default)]
    pub extras: Vec<Line>,
}

/// What-if savings options, applied to the gated cost of each month.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct WhatIf {
    /// FOCUS ServiceCategory values that count as compute.
    pub compute_categories: Vec<String>,
    /// FOCUS ServiceCategory values that count as storage.
    pub storage_categories: Vec<String>,
    /// Share of compute spend (after spot) that is steady and could be committed.
    pub commitment_share: Share,
    /// Discount of a commitment (Savings Plan, RI) on that share.
    pub commitment_discount: Share,
    /// Cost-center tag values whose compute is GPU training, which tolerates spot.
    pub spot_cost_centers: Vec<String>,
    /// Share of training compute moved to spot.
    pub spot_share: Share,
    /// Discount of spot on that share.
    pub spot_discount: Share,
    /// Share of storage spend moved to a cold tier.
    pub cold_share: Share,
    /// Price of the cold tier ÷ price of the hot tier.
    pub cold_price_ratio: Share,
}

/// Overrides of what-if values (from the CLI); `None` keeps the assumptions' value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WhatIfOverrides {
    pub commitment_share: Option<f64>,
    pub commitment_discount: Option<f64>,
    pub spot_share: Option<f64>,
    pub spot_discount: Option<f64>,
    pub cold_share: Option<f64>,
    pub cold_price_ratio: Option<f64>,
}

impl WhatIf {
    /// These values with the overrides applied; an override outside 0..=1 is an error.
    pub fn with(&self, o: &WhatIfOverrides) -> Result<WhatIf, TcoError> {
        let pick = |name: &str, base: Share, v: Option<f64>| -> Result<Share, TcoError> {
            match v {
                None => Ok(base),
                Some(x) if (0.0..=1.0).contains(&x) => Ok(Share(x)),
                Some(x) => Err(TcoError::Usage(format!(
                    "what-if `{name}` must be between 0 and 1, not `{x}`"
                ))),
            }
        };
        Ok(WhatIf {
            compute_categories: self.compute_categories.clone(),
            storage_categories: self.storage_categories.clone(),
            commitment_share: pick(
                "commitment_share",
                self.commitment_share,
                o.commitment_share,
            )?,
            commitment_discount: pick(
                "commitment_discount",
                self.commitment_discount,
                o.commitment_discount,
            )?,
            spot_cost_centers: self.spot_cost_centers.clone(),
            spot_share: pick("spot_share", self.spot_share, o.spot_share)?,
            spot_discount: pick("spot_discount", self.spot_discount, o.spot_discount)?,
            cold_share: pick("cold_share", self.cold_share, o.cold_share)?,
            cold_price_ratio: pick(
                "cold_price_ratio",
                self.cold_price_ratio,
                o.cold_price_ratio,
            )?,
        })
    }
}

impl Assumptions {
    pub fn currency(&self) -> &str {
        self.currency.get_ref()
    }

    pub fn load(path: &Path) -> Result<Assumptions, TcoError> {
        let text = crate::error::read_input(path)?;
        Assumptions::parse(path, &text)
    }

    pub fn parse(path: &Path, text: &str) -> Result<Assumptions, TcoError> {
        let at = |span: Option<std::ops::Range<usize>>, message: String| {
            let (line, column) = line_column(text, span.map_or(0, |s| s.start));
            TcoError::Assumptions {
                path: path.to_path_buf(),
                line,
                column,
                message,
            }
        };
        let mut a: Assumptions =
            toml::from_str(text).map_err(|e| at(e.span(), e.message().trim().to_string()))?;
        if a.version != ASSUMPTIONS_VERSION {
            return Err(at(
                None,
                format!(
                    "unsupported `version` {}: this build reads version {ASSUMPTIONS_VERSION}",
                    a.version
                ),
            ));
        }
        let main = a.currency.get_ref();
        if main.len() != 3 || !main.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(at(
                Some(a.currency.span()),
                format!("`currency` must be an ISO 4217 code such as `CNY`, not `{main}`"),
            ));
        }
        let mut currencies: Vec<(&str, &Currency)> = vec![
            ("facility.currency", &a.facility.currency),
            ("staff.currency", &a.staff.currency),
            ("cloud.currency", &a.cloud.currency),
        ];
        currencies.extend(
            a.assets
                .values()
                .map(|x| ("assets.*.currency", &x.currency)),
        );
        currencies.extend(
            a.licences
                .iter()
                .map(|x| ("licences.currency", &x.currency)),
        );
        currencies.extend(a.lines.iter().map(|x| ("lines.currency", &x.currency)));
        currencies.extend(
            a.cloud
                .extras
                .iter()
                .map(|x| ("cloud.extras.currency", &x.currency)),
        );
        for (name, c) in currencies {
            if let Some(c) = c
                && c.get_ref() != main
            {
                return Err(at(
                    Some(c.span()),
                    format!(
                        "`{name}` is `{}` but `currency` is `{main}`: mixed currencies are not converted",
                        c.get_ref()
                    ),
                ));
            }
        }
        a.source = crate::source::Source::of_bytes(path, text.as_bytes());
        Ok(a)
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(start..).map_or(0, |s| s.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn line_column_counts_from_one() {
        assert_eq!(line_column("a = 1\nbb = 2\n", 0), (1, 1));
        assert_eq!(line_column("a = 1\nbb = 2\n", 6), (2, 1));
        assert_eq!(line_column("a = 1\nbb = 2\n", 11), (2, 6));
    }
}
