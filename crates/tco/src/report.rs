//! The TCO result: per month IDC TCO, cloud TCO (bill + cloud-side extras), ratio and
//! verdict, the gated period, and the what-if projection. Its JSON is a contract (see the
//! crate README); money is rounded to 2 decimals and ratios and shares to 4, and maps are
//! sorted, so that the same input gives the same bytes.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::assumptions::{Assumptions, WhatIf, WhatIfOverrides};
use crate::error::TcoError;
use crate::focus::{self, CostColumn, CostGroup, ReadOptions};
use crate::idc;
use crate::inventory::IdcInventory;
use crate::source::Source;

/// The version of the JSON document, and the type of its `inputs`: their one home is
/// the contract in `audit-model`, which the sign-off reads back.
pub use audit_model::tco_result::{TCO_VERSION, TcoInput as Input};

/// Which months the gate looks at.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Period {
    /// The last month in the cost data.
    #[default]
    Latest,
    /// The last N months of the data, summed; every one must have cost rows.
    Trailing(u32),
    /// Every month from the first to the last in the data.
    All,
    /// `YYYY-MM..YYYY-MM`, both inclusive.
    Range { from: String, to: String },
}

impl Period {
    pub fn label(&self) -> String {
        match self {
            Period::Latest => "latest".into(),
            Period::Trailing(n) => format!("trailing-{n}"),
            Period::All => "all".into(),
            Period::Range { from, to } => format!("{from}..{to}"),
        }
    }
}

impl std::str::FromStr for Period {
    type Err = TcoError;
    /// `latest`, `all`, `trailing-N` (N ≥ 1), `YYYY-MM` or `YYYY-MM..YYYY-MM`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || {
            TcoError::Usage(format!(
                "unknown period `{s}`: expected latest, all, trailing-N, YYYY-MM or YYYY-MM..YYYY-MM"
            ))
        };
        match s {
            "latest" => return Ok(Period::Latest),
            "all" => return Ok(Period::All),
            _ => {}
        }
        if let Some(n) = s.strip_prefix("trailing-") {
            return match n.parse::<u32>() {
                Ok(n) if n >= 1 => Ok(Period::Trailing(n)),
                _ => Err(bad()),
            };
        }
        let (from, to) = s.split_once("..").unwrap_or((s, s));
        if !(focus::is_year_month(from) && focus::is_year_month(to)) || from > to {
            return Err(bad());
        }
        Ok(Period::Range {
            from: from.into(),
            to: to.into(),
        })
    }
}

/// What the caller (the CLI) may choose.
#[derive(Debug, Clone)]
pub struct Options {
    /// Overrides the assumptions' `limit`.
    pub limit: Option<f64>,
    pub period: Period,
    pub what_if: WhatIfOverrides,
    /// The cost column that is gated; EffectiveCost (amortised) by default.
    pub cost_column: CostColumn,
    /// The tag whose value is the cost-center.
    pub tag_key: String,
    /// How many cost-centers to list (per month and for the gated period).
    pub top: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            limit: None,
            period: Period::Latest,
            what_if: WhatIfOverrides::default(),
            cost_column: CostColumn::EffectiveCost,
            tag_key: "cost-center".into(),
            top: 10,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TcoReport {
    pub tco_version: u32,
    pub currency: String,
    pub limit: f64,
    pub period: String,
    /// The last day the cost data covers (the latest period end, inclusive).
    pub covered_until: String,
    pub gated: Gated,
    pub months: Vec<Month>,
    /// The cost column gated and the tag key used for cost-centers.
    pub cost_column: &'static str,
    pub tag_key: String,
    pub idc: IdcSummary,
    /// Monthly cloud costs that are not on the bill, by name.
    pub cloud_extras: BTreeMap<String, f64>,
    pub what_if: WhatIf,
    pub inputs: Vec<Input>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Gated {
    pub from: String,
    pub to: String,
    pub months: u32,
    /// Why these months: only months that have ended in the data are gated.
    pub basis: String,
    pub idc: f64,
    pub cloud: f64,
    pub ratio: f64,
    pub pass: bool,
    pub cloud_bill: f64,
    pub cloud_extras: f64,
    /// Share of the bill without a cost-center tag.
    pub untagged_share: f64,
    pub by_category: BTreeMap<String, f64>,
    pub top_cost_centers: Vec<CostCenter>,
    pub projected: Projection,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Month {
    pub month: String,
    /// Whether the month has ended in the data (a later period end exists); only complete
    /// months are gated.
    pub complete: bool,
    pub idc: f64,
    pub cloud: f64,
    pub ratio: f64,
    pub pass: bool,
    pub cloud_bill: f64,
    pub cloud_extras: f64,
    pub rows: u64,
    pub untagged_share: f64,
    /// The bill by FOCUS ServiceCategory.
    pub by_category: BTreeMap<String, f64>,
    pub top_cost_centers: Vec<CostCenter>,
    pub projected: Projection,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CostCenter {
    pub name: String,
    pub cost: f64,
    /// Share of the bill.
    pub share: f64,
}

/// The cloud TCO if the what-if options were taken.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Projection {
    pub cloud: f64,
    pub ratio: f64,
    pub pass: bool,
    pub commitment_saving: f64,
    pub spot_saving: f64,
    pub tiering_saving: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IdcSummary {
    /// The IDC TCO of one month.
    pub monthly: f64,
    pub by_category: BTreeMap<String, f64>,
    pub by_component: BTreeMap<String, f64>,
    pub assets: Vec<AssetRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssetRow {
    pub asset_class: String,
    pub category: String,
    pub count: u64,
    pub depreciation: f64,
    pub maintenance: f64,
    pub power: f64,
    pub colocation: f64,
}

/// Money to 2 decimals; `-0.0` becomes `0.0` so that the bytes do not depend on it.
pub fn money(x: f64) -> f64 {
    (x * 100.0).round() / 100.0 + 0.0
}

/// Ratios and shares to 4 decimals.
pub fn ratio4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0 + 0.0
}

fn round_map(m: &BTreeMap<String, f64>) -> BTreeMap<String, f64> {
    m.iter().map(|(k, v)| (k.clone(), money(*v))).collect()
}

/// Load the assumptions, the inventory and the cost files, and compute the report.
pub fn run(
    assumptions: &Path,
    inventory: &Path,
    cost_files: &[PathBuf],
    options: &Options,
) -> Result<TcoReport, TcoError> {
    let a = Assumptions::load(assumptions)?;
    let inv = IdcInventory::load(inventory)?;
    compute(&a, &inv, cost_files, options)
}

/// Unrounded sums of one month (or one period).
#[derive(Debug, Clone, Default)]
struct Sums {
    bill: f64,
    rows: u64,
    untagged: f64,
    by_category: BTreeMap<String, f64>,
    by_cost_center: BTreeMap<String, f64>,
    compute: f64,
    training: f64,
    storage: f64,
}

impl Sums {
    fn add(&mut self, g: &CostGroup, w: &WhatIf) {
        self.bill += g.cost;
        self.rows += g.rows;
        *self.by_category.entry(g.category.clone()).or_insert(0.0) += g.cost;
        match &g.cost_center {
            Some(cc) => *self.by_cost_center.entry(cc.clone()).or_insert(0.0) += g.cost,
            None => self.untagged += g.cost,
        }
        if w.compute_categories.contains(&g.category) {
            self.compute += g.cost;
            if g.cost_center
                .as_ref()
                .is_some_and(|cc| w.spot_cost_centers.contains(cc))
            {
                self.training += g.cost;
            }
        }
        if w.storage_categories.contains(&g.category) {
            self.storage += g.cost;
        }
    }

    fn merge(&mut self, o: &Sums) {
        self.bill += o.bill;
        self.rows += o.rows;
        self.untagged += o.untagged;
        for (k, v) in &o.by_category {
            *self.by_category.entry(k.clone()).or_insert(0.0) += v;
        }
        for (k, v) in &o.by_cost_center {
            *self.by_cost_center.entry(k.clone()).or_insert(0.0) += v;
        }
        self.compute += o.compute;
        self.training += o.training;
        self.storage += o.storage;
    }

    fn share(&self, x: f64) -> f64 {
        if self.bill == 0.0 {
            0.0
        } else {
            ratio4(x / self.bill)
        }
    }

    fn top(&self, n: usize) -> Vec<CostCenter> {
        let mut v: Vec<(&String, &f64)> = self.by_cost_center.iter().collect();
        // Largest first; ties by name, so that the order is stable.
        v.sort_by(|a, b| b.1.total_cmp(a.1).then_with(|| a.0.cmp(b.0)));
        v.into_iter()
            .take(n)
            .map(|(name, cost)| CostCenter {
                name: name.clone(),
                cost: money(*cost),
                share: self.share(*cost),
            })
            .collect()
    }

    /// What-if: spot on the training share of compute, a commitment on the steady share of
    /// the rest of compute, a cold tier for a share of storage.
    fn project(&self, cloud: f64, idc: f64, w: &WhatIf, limit: f64) -> Projection {
        let spot = self.training * w.spot_share.0 * w.spot_discount.0;
        let commitment = (self.compute - self.training * w.spot_share.0)
            * w.commitment_share.0
            * w.commitment_discount.0;
        let tiering = self.storage * w.cold_share.0 * (1.0 - w.cold_price_ratio.0);
        let projected = cloud - spot - commitment - tiering;
        let ratio = ratio4(projected / idc);
        Projection {
            cloud: money(projected),
            ratio,
            pass: ratio <= limit,
            commitment_saving: money(commitment),
            spot_saving: money(spot),
            tiering_saving: money(tiering),
        }
    }
}

fn month_index(m: &str) -> i64 {
    let y: i64 = m.get(..4).and_then(|s| s.parse().ok()).unwrap_or(0);
    let mo: i64 = m.get(5..7).and_then(|s| s.parse().ok()).unwrap_or(1);
    y * 12 + mo - 1
}

fn month_name(i: i64) -> String {
    format!("{:04}-{:02}", i.div_euclid(12), i.rem_euclid(12) + 1)
}

fn date_name(days: i64) -> String {
    let (y, m, d) = crate::generate::civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Compute the TCO report. `cost_files` are parts of one data set: their months add up.
pub fn compute(
    assumptions: &Assumptions,
    inventory: &IdcInventory,
    cost_files: &[PathBuf],
    options: &Options,
) -> Result<TcoReport, TcoError> {
    let limit = match options.limit {
        Some(l) if !(l.is_finite() && l >= 0.0) => {
            return Err(TcoError::Usage(format!(
                "limit must be a ratio of 0 or more, not `{l}`"
            )));
        }
        Some(l) => l,
        None => assumptions.limit.0,
    };
    if cost_files.is_empty() {
        return Err(TcoError::Usage("no cost file given".into()));
    }
    let what_if = assumptions.what_if.with(&options.what_if)?;
    let idc = idc::monthly(assumptions, inventory, &inventory.source.path)?;
    if idc.total <= 0.0 {
        return Err(TcoError::Assumptions {
            path: assumptions.source.path.clone(),
            line: 1,
            column: 1,
            message: "the IDC TCO is 0: the ratio cannot be computed".into(),
        });
    }
    let extras = idc::cloud_extras(assumptions);
    let extras_total: f64 = extras.values().sum();

    let read = ReadOptions {
        cost_column: options.cost_column,
        tag_key: options.tag_key.clone(),
        currency: assumptions.currency().to_string(),
    };
    let mut inputs = vec![inventory.source.input(), assumptions.source.input()];
    let mut by_month: BTreeMap<String, Sums> = BTreeMap::new();
    let mut covered = i64::MIN;
    for path in cost_files {
        let groups = focus::read(path, &read)?;
        for g in &groups {
            covered = covered.max(i64::from(g.covered_until));
            by_month
                .entry(g.month.clone())
                .or_default()
                .add(g, &what_if);
        }
        inputs.push(Source::of_file(path)?.input());
    }
    let (Some(first), Some(last)) = (by_month.keys().next(), by_month.keys().next_back()) else {
        return Err(TcoError::EmptyPeriod {
            message: format!(
                "no cost rows in {}: the gate needs at least one month of cloud costs",
                focus::display(cost_files)
            ),
        });
    };
    // The first day the data does not cover; every month before the one it falls in has
    // ended in the data. A month that has barely started is not a month of cost: gating
    // it would judge a few days' bill against a whole month of IDC cost.
    let (cy, cm, _) = crate::generate::civil_from_days(covered);
    let complete_to = cy * 12 + i64::from(cm) - 1 - 1;
    let covered_until = date_name(covered - 1);
    let open = month_index(last) > complete_to;
    let open_note = if open {
        format!(
            "; {} has not ended in the data and is shown, not gated",
            month_name(month_index(last))
        )
    } else {
        String::new()
    };
    if complete_to < month_index(first) {
        return Err(TcoError::EmptyPeriod {
            message: format!(
                "no complete month of cost data in {}: it covers {first} only until {covered_until}, and a month that has not ended is not gated",
                focus::display(cost_files)
            ),
        });
    }
    let (from, to, basis) = match &options.period {
        Period::Latest => (
            complete_to,
            complete_to,
            format!("the latest complete month (the data covers until {covered_until}{open_note})"),
        ),
        Period::Trailing(n) => (
            complete_to - i64::from(*n) + 1,
            complete_to,
            format!(
                "the {n} latest complete months (the data covers until {covered_until}{open_note})"
            ),
        ),
        Period::All => (
            month_index(first),
            complete_to,
            format!("every complete month (the data covers until {covered_until}{open_note})"),
        ),
        Period::Range { from, to } => {
            if month_index(to) > complete_to {
                return Err(TcoError::EmptyPeriod {
                    message: format!(
                        "period `{}` includes {}, which has not ended in the cost data (it covers until {covered_until}): only complete months are gated",
                        options.period.label(),
                        month_name(complete_to + 1)
                    ),
                });
            }
            (
                month_index(from),
                month_index(to),
                format!("the months asked for (the data covers until {covered_until})"),
            )
        }
    };
    if from > to {
        return Err(TcoError::Usage(format!(
            "period `{}` is empty: it must cover at least one month",
            options.period.label()
        )));
    }
    let missing: BTreeSet<String> = (from..=to)
        .map(month_name)
        .filter(|m| !by_month.contains_key(m))
        .collect();
    if !missing.is_empty() {
        let missing: Vec<String> = missing.into_iter().collect();
        return Err(TcoError::EmptyPeriod {
            message: format!(
                "period `{}` ({}..{}) has no cost rows for {} in {}: an empty month would pass the gate for nothing",
                options.period.label(),
                month_name(from),
                month_name(to),
                missing.join(", "),
                focus::display(cost_files)
            ),
        });
    }

    let months: Vec<Month> = by_month
        .iter()
        .map(|(m, s)| {
            let cloud = s.bill + extras_total;
            let ratio = ratio4(cloud / idc.total);
            Month {
                month: m.clone(),
                complete: month_index(m) <= complete_to,
                idc: money(idc.total),
                cloud: money(cloud),
                ratio,
                pass: ratio <= limit,
                cloud_bill: money(s.bill),
                cloud_extras: money(extras_total),
                rows: s.rows,
                untagged_share: s.share(s.untagged),
                by_category: round_map(&s.by_category),
                top_cost_centers: s.top(options.top),
                projected: s.project(cloud, idc.total, &what_if, limit),
            }
        })
        .collect();

    let mut period = Sums::default();
    for i in from..=to {
        if let Some(s) = by_month.get(&month_name(i)) {
            period.merge(s);
        }
    }
    let n = (to - from + 1) as f64;
    let (p_idc, p_extras) = (idc.total * n, extras_total * n);
    let p_cloud = period.bill + p_extras;
    let p_ratio = ratio4(p_cloud / p_idc);
    let gated = Gated {
        from: month_name(from),
        to: month_name(to),
        months: (to - from + 1) as u32,
        basis,
        idc: money(p_idc),
        cloud: money(p_cloud),
        ratio: p_ratio,
        pass: p_ratio <= limit,
        cloud_bill: money(period.bill),
        cloud_extras: money(p_extras),
        untagged_share: period.share(period.untagged),
        by_category: round_map(&period.by_category),
        top_cost_centers: period.top(options.top),
        projected: period.project(p_cloud, p_idc, &what_if, limit),
    };

    Ok(TcoReport {
        tco_version: TCO_VERSION,
        currency: assumptions.currency().to_string(),
        limit,
        period: options.period.label(),
        covered_until,
        gated,
        months,
        cost_column: options.cost_column.name(),
        tag_key: options.tag_key.clone(),
        idc: IdcSummary {
            monthly: money(idc.total),
            by_category: idc
                .by_category
                .iter()
                .map(|(k, v)| (k.as_str().to_string(), money(*v)))
                .collect(),
            by_component: idc
                .by_component
                .iter()
                .map(|(k, v)| ((*k).to_string(), money(*v)))
                .collect(),
            assets: idc
                .assets
                .iter()
                .map(|x| AssetRow {
                    asset_class: x.asset_class.clone(),
                    category: x.category.as_str().to_string(),
                    count: x.count,
                    depreciation: money(x.depreciation),
                    maintenance: money(x.maintenance),
                    power: money(x.power),
                    colocation: money(x.colocation),
                })
                .collect(),
        },
        cloud_extras: round_map(&extras),
        what_if,
        inputs,
    })
}

impl TcoReport {
    /// The JSON document, pretty-printed, with a final newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }
}
