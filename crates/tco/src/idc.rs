//! The IDC baseline: the monthly cost of running the current estate, from the inventory
//! (counts) and the assumptions (prices). The formulas are in the crate README.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use crate::assumptions::{Assumptions, Category};
use crate::error::TcoError;
use crate::inventory::IdcInventory;

/// Hours in a day; power is drawn around the clock.
const HOURS_PER_DAY: f64 = 24.0;

/// The monthly cost of one asset class, unrounded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssetCost {
    pub asset_class: String,
    pub category: Category,
    pub count: u64,
    pub depreciation: f64,
    pub maintenance: f64,
    pub power: f64,
    pub colocation: f64,
}

/// The IDC's cost of an average month, unrounded.
#[derive(Debug, Clone, PartialEq)]
pub struct IdcMonthly {
    pub total: f64,
    pub by_category: BTreeMap<Category, f64>,
    /// depreciation, maintenance, power, colocation, licences, lines, staff.
    pub by_component: BTreeMap<&'static str, f64>,
    pub assets: Vec<AssetCost>,
}

/// The monthly IDC TCO. Depreciation and maintenance land in the asset's category; power
/// and colocation in `facilities` (they are what the building costs); licences and lines
/// in their own category; staff in `staff`.
pub fn monthly(
    a: &Assumptions,
    inventory: &IdcInventory,
    inventory_path: &Path,
) -> Result<IdcMonthly, TcoError> {
    let f = &a.facility;
    let mut by_category: BTreeMap<Category, f64> =
        Category::ALL.iter().map(|c| (*c, 0.0)).collect();
    let mut by_component: BTreeMap<&'static str, f64> = [
        "depreciation",
        "maintenance",
        "power",
        "colocation",
        "licences",
        "lines",
        "staff",
    ]
    .iter()
    .map(|k| (*k, 0.0))
    .collect();
    let mut add = |category: Category, component: &'static str, v: f64| {
        *by_category.entry(category).or_insert(0.0) += v;
        *by_component.entry(component).or_insert(0.0) += v;
    };

    let mut assets = Vec::new();
    for (i, row) in inventory.rows.iter().enumerate() {
        let Some(asset) = a.assets.get(&row.asset_class) else {
            return Err(TcoError::Inventory {
                path: inventory_path.to_path_buf(),
                column: Some("asset_class".into()),
                row: Some(i as u64 + 1),
                message: format!(
                    "asset class `{}` has no `[assets.{}]` in the assumptions",
                    row.asset_class, row.asset_class
                ),
            });
        };
        let n = row.count as f64;
        let depreciation = asset.purchase.0 * n / (asset.depreciation_years.0 * 12.0);
        let maintenance = f.maintenance_share_per_year.0 * asset.purchase.0 * n / 12.0;
        let power = asset.power_kw.0
            * n
            * HOURS_PER_DAY
            * f.days_per_month.0
            * f.pue.0
            * f.tariff_per_kwh.0;
        let colocation = asset.rack_units.0 * n * f.colocation_per_unit_month.0;
        add(asset.category, "depreciation", depreciation);
        add(asset.category, "maintenance", maintenance);
        add(Category::Facilities, "power", power);
        add(Category::Facilities, "colocation", colocation);
        assets.push(AssetCost {
            asset_class: row.asset_class.clone(),
            category: asset.category,
            count: row.count,
            depreciation,
            maintenance,
            power,
            colocation,
        });
    }
    for class in a.assets.keys() {
        if !inventory.rows.iter().any(|r| &r.asset_class == class) {
            return Err(TcoError::Inventory {
                path: inventory_path.to_path_buf(),
                column: Some("asset_class".into()),
                row: None,
                message: format!(
                    "asset class `{class}` is priced in the assumptions but has no row here"
                ),
            });
        }
    }
    for l in &a.licences {
        add(l.category, "licences", l.per_year.0 / 12.0);
    }
    for l in &a.lines {
        add(l.category, "lines", l.per_month.0);
    }
    add(
        Category::Staff,
        "staff",
        a.staff.fte.0 * a.staff.cost_per_fte_year.0 / 12.0,
    );
    let total = by_category.values().sum();
    Ok(IdcMonthly {
        total,
        by_category,
        by_component,
        assets,
    })
}

/// Cloud-side costs that are not on the bill, per month: the extras and the remaining staff.
pub fn cloud_extras(a: &Assumptions) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    for e in &a.cloud.extras {
        *out.entry(e.name.clone()).or_insert(0.0) += e.per_month.0;
    }
    let staff = a.cloud.staff_fte.0 * a.staff.cost_per_fte_year.0 / 12.0;
    if staff > 0.0 {
        *out.entry("staff".to_string()).or_insert(0.0) += staff;
    }
    out
}
