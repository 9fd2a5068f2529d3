//! The flags of `audit tco`.

use super::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TcoFormat {
    Table,
    Json,
}

#[derive(Debug, Args)]
pub struct TcoArgs {
    /// The IDC inventory: a folder holding `inventory.csv`, or the CSV file itself.
    #[arg(long, value_name = "DIR", default_value = "fixtures/idc")]
    pub idc: PathBuf,
    /// The assumptions: prices, depreciation, power, colocation, staff, cloud-side costs,
    /// what-if options, currency and limit.
    #[arg(long, value_name = "FILE", default_value = "policies/tco.toml")]
    pub assumptions: PathBuf,
    /// Cloud costs: FOCUS exports (CSV or Parquet, by extension) or what `audit collect
    /// --costs` writes; repeat or comma-separate for several files.
    #[arg(long, value_name = "FILE", required = true, value_delimiter = ',')]
    pub costs: Vec<PathBuf>,
    /// The highest cloud ÷ IDC ratio that passes (default: the assumptions' `limit`).
    #[arg(long, value_name = "RATIO", value_parser = parse_ratio)]
    pub limit: Option<f64>,
    /// The months gated: latest, trailing-N, all, YYYY-MM or YYYY-MM..YYYY-MM.
    #[arg(long, value_name = "PERIOD", default_value = "latest", value_parser = parse_period)]
    pub period: audit_tco::Period,
    /// The cost column gated: EffectiveCost (amortised), BilledCost, ListCost, ContractedCost.
    #[arg(long, value_name = "COLUMN", default_value = "EffectiveCost", value_parser = parse_cost_column)]
    pub cost_column: audit_tco::CostColumn,
    /// The tag whose value names the cost-center.
    #[arg(long, value_name = "KEY", default_value = "cost-center")]
    pub cost_tag: String,
    /// What-if: share of steady compute under a commitment (savings plan, reserved), 0..1.
    #[arg(long, value_name = "SHARE")]
    pub commitment_share: Option<f64>,
    /// What-if: the commitment's discount, 0..1.
    #[arg(long, value_name = "SHARE")]
    pub commitment_discount: Option<f64>,
    /// What-if: share of GPU training on spot capacity, 0..1.
    #[arg(long, value_name = "SHARE")]
    pub spot_share: Option<f64>,
    /// What-if: the spot discount, 0..1.
    #[arg(long, value_name = "SHARE")]
    pub spot_discount: Option<f64>,
    /// What-if: share of storage moved to a cold tier, 0..1.
    #[arg(long, value_name = "SHARE")]
    pub cold_share: Option<f64>,
    /// What-if: the cold tier's price as a share of the hot one, 0..1.
    #[arg(long, value_name = "SHARE")]
    pub cold_price_ratio: Option<f64>,
    /// Folder for tco.json, tco.md, tco-months.csv and tco.svg (created when missing).
    #[arg(long, value_name = "DIR", default_value = "reports")]
    pub out: PathBuf,
    /// What to print on stdout: the summary (table) or the JSON result.
    #[arg(long, value_enum, default_value = "table")]
    pub format: TcoFormat,
}

fn parse_ratio(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(x) if x.is_finite() && x > 0.0 => Ok(x),
        _ => Err(format!("`{s}` is not a ratio above 0, such as 0.70")),
    }
}

fn parse_period(s: &str) -> Result<audit_tco::Period, String> {
    s.parse().map_err(|e: audit_tco::TcoError| e.to_string())
}

fn parse_cost_column(s: &str) -> Result<audit_tco::CostColumn, String> {
    s.parse().map_err(|e: audit_tco::TcoError| e.to_string())
}
