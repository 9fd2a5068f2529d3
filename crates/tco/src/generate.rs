//! Synthetic FOCUS cost data: deterministic (seeded), the same rows as CSV or Parquet, any
//! number of rows. The spend follows one company's migration (retail and security-camera
//! video analytics on GPUs in aws-cn, CNY): a ramp-up over 12 months with a training peak,
//! so that the ratio passes in some months and nears or crosses the limit in others.
//!
//! The monthly totals do not depend on the number of rows (each row carries its bucket's
//! month spend ÷ the expected rows of that bucket, ±20 %), so a benchmark file of 10^7 rows
//! gives about the same ratios as the 10^5-row fixture.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use polars::prelude::*;

use crate::error::TcoError;

/// The columns written, in order.
pub const COLUMNS: [&str; 12] = [
    "ChargePeriodStart",
    "ChargePeriodEnd",
    "BillingCurrency",
    "BilledCost",
    "EffectiveCost",
    "ListCost",
    "ChargeCategory",
    "ServiceName",
    "ServiceCategory",
    "RegionId",
    "ResourceId",
    "Tags",
];

#[derive(Debug, Clone, PartialEq)]
pub struct GenerateOptions {
    pub rows: usize,
    pub seed: u64,
    /// The first month, `(year, month)`; 12 months follow from it.
    pub start: (i32, u32),
    pub currency: String,
    /// Scales every amount (1.0: the documented company).
    pub scale: f64,
}

impl Default for GenerateOptions {
    fn default() -> Self {
        GenerateOptions {
            rows: 100_000,
            seed: 2026,
            start: (2025, 12),
            currency: "CNY".into(),
            scale: 1.0,
        }
    }
}

/// Months in a generated file.
pub const MONTHS: usize = 12;

/// Share of the full-migration spend reached in each month: the ramp-up.
const RAMP: [f64; MONTHS] = [
    0.30, 0.38, 0.47, 0.56, 0.65, 0.74, 0.82, 0.88, 0.94, 0.98, 1.02, 1.05,
];

/// Extra factor on GPU training in each month: a new camera model is trained in month 10.
const TRAINING: [f64; MONTHS] = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.25, 1.0, 1.0];

/// One kind of spend: its full-migration monthly EffectiveCost (CNY), its weight in row
/// count, and how often its rows lack the cost-center tag.
struct Bucket {
    service: &'static str,
    category: &'static str,
    region: &'static str,
    cost_center: &'static str,
    resource: &'static str,
    monthly: f64,
    row_weight: f64,
    untagged: f64,
    /// ListCost ÷ EffectiveCost: the discount of commitments and the enterprise agreement.
    list_factor: f64,
    training: bool,
}

const EC2: &str = "Amazon Elastic Compute Cloud";
const NW: &str = "cn-northwest-1";
const N1: &str = "cn-north-1";

#[rustfmt::skip]
const BUCKETS: &[Bucket] = &[
    Bucket { service: EC2, category: "Compute", region: NW, cost_center: "cv-train", resource: "i-", monthly: 620_000.0, row_weight: 6.0, untagged: 0.02, list_factor: 1.35, training: true },
    Bucket { service: EC2, category: "Compute", region: N1, cost_center: "cv-retail", resource: "i-", monthly: 210_000.0, row_weight: 8.0, untagged: 0.04, list_factor: 1.30, training: false },
    Bucket { service: EC2, category: "Compute", region: N1, cost_center: "cv-security", resource: "i-", monthly: 160_000.0, row_weight: 7.0, untagged: 0.04, list_factor: 1.30, training: false },
    Bucket { service: EC2, category: "Compute", region: N1, cost_center: "platform", resource: "i-", monthly: 110_000.0, row_weight: 9.0, untagged: 0.10, list_factor: 1.25, training: false },
    Bucket { service: "Amazon SageMaker", category: "AI and Machine Learning", region: NW, cost_center: "cv-train", resource: "sm-", monthly: 45_000.0, row_weight: 3.0, untagged: 0.03, list_factor: 1.0, training: true },
    Bucket { service: "Amazon Elastic Kubernetes Service", category: "Compute", region: N1, cost_center: "platform", resource: "eks-", monthly: 5_000.0, row_weight: 1.0, untagged: 0.0, list_factor: 1.0, training: false },
    Bucket { service: "Amazon Simple Storage Service", category: "Storage", region: N1, cost_center: "cv-security", resource: "s3-", monthly: 80_000.0, row_weight: 12.0, untagged: 0.05, list_factor: 1.0, training: false },
    Bucket { service: "Amazon Simple Storage Service", category: "Storage", region: N1, cost_center: "cv-retail", resource: "s3-", monthly: 40_000.0, row_weight: 8.0, untagged: 0.05, list_factor: 1.0, training: false },
    Bucket { service: EC2, category: "Storage", region: N1, cost_center: "platform", resource: "vol-", monthly: 35_000.0, row_weight: 10.0, untagged: 0.15, list_factor: 1.0, training: false },
    Bucket { service: "Amazon FSx", category: "Storage", region: NW, cost_center: "cv-train", resource: "fs-", monthly: 40_000.0, row_weight: 2.0, untagged: 0.0, list_factor: 1.0, training: false },
    Bucket { service: "Amazon Relational Database Service", category: "Databases", region: N1, cost_center: "retail-bi", resource: "db-", monthly: 30_000.0, row_weight: 4.0, untagged: 0.05, list_factor: 1.2, training: false },
    Bucket { service: "AWS Direct Connect", category: "Networking", region: N1, cost_center: "platform", resource: "dxcon-", monthly: 25_000.0, row_weight: 2.0, untagged: 0.30, list_factor: 1.0, training: false },
    Bucket { service: "Amazon Virtual Private Cloud", category: "Networking", region: N1, cost_center: "platform", resource: "nat-", monthly: 12_000.0, row_weight: 5.0, untagged: 0.40, list_factor: 1.0, training: false },
    Bucket { service: "Elastic Load Balancing", category: "Networking", region: N1, cost_center: "cv-retail", resource: "elb-", monthly: 8_000.0, row_weight: 3.0, untagged: 0.20, list_factor: 1.0, training: false },
    Bucket { service: "AWS Data Transfer", category: "Networking", region: N1, cost_center: "", resource: "", monthly: 10_000.0, row_weight: 4.0, untagged: 1.0, list_factor: 1.0, training: false },
    Bucket { service: "AWS Key Management Service", category: "Security", region: N1, cost_center: "security", resource: "key-", monthly: 3_000.0, row_weight: 2.0, untagged: 0.10, list_factor: 1.0, training: false },
    Bucket { service: "AWS WAF", category: "Security", region: N1, cost_center: "security", resource: "waf-", monthly: 5_000.0, row_weight: 2.0, untagged: 0.10, list_factor: 1.0, training: false },
    Bucket { service: "Amazon CloudWatch", category: "Management and Governance", region: N1, cost_center: "platform", resource: "log-", monthly: 18_000.0, row_weight: 6.0, untagged: 0.25, list_factor: 1.0, training: false },
];

/// SplitMix64: tiny, fast and the same everywhere, so the files are the same everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// One generated row.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Days since 1970-01-01 of the charge day (periods are daily).
    pub day: i64,
    pub billed: f64,
    pub effective: f64,
    pub list: f64,
    pub charge_category: &'static str,
    pub service: &'static str,
    pub category: &'static str,
    pub region: &'static str,
    pub resource: String,
    pub tags: String,
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0 + 0.0
}

/// Days from 1970-01-01 to a civil date (proleptic Gregorian).
pub(crate) fn days_from_civil(y: i32, m: u32, d: u32) -> i64 {
    let y = i64::from(y) - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of days since 1970-01-01 (proleptic Gregorian).
pub(crate) fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn iso(day: i64) -> String {
    let (y, m, d) = civil_from_days(day);
    format!("{y:04}-{m:02}-{d:02}T00:00:00Z")
}

fn month_start(start: (i32, u32), i: usize) -> (i32, u32) {
    let idx = start.0 * 12 + start.1 as i32 - 1 + i as i32;
    (idx.div_euclid(12), (idx.rem_euclid(12) + 1) as u32)
}

fn days_in_month(y: i32, m: u32) -> i64 {
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    days_from_civil(ny, nm, 1) - days_from_civil(y, m, 1)
}

/// The rows, in order, as an iterator: nothing is held in memory.
pub fn rows(opts: &GenerateOptions) -> impl Iterator<Item = Row> + '_ {
    let ramp_total: f64 = RAMP.iter().sum();
    // Rows per month follow the ramp: more resources, more line items.
    let mut per_month = [0usize; MONTHS];
    let mut given = 0usize;
    for (i, r) in RAMP.iter().enumerate() {
        per_month[i] = if i + 1 == MONTHS {
            opts.rows - given.min(opts.rows)
        } else {
            ((opts.rows as f64) * r / ramp_total).floor() as usize
        };
        given += per_month[i];
    }
    let weight_total: f64 = BUCKETS.iter().map(|b| b.row_weight).sum();
    let mut rng = Rng(opts.seed);
    (0..MONTHS).flat_map(move |mi| {
        let n = per_month[mi];
        let (y, m) = month_start(opts.start, mi);
        let first_day = days_from_civil(y, m, 1);
        let days = days_in_month(y, m);
        // Rows are split between buckets by weight (not drawn at random), so that each
        // bucket's month total is its target within the ±20 % jitter averaged out.
        let mut counts: Vec<usize> = BUCKETS
            .iter()
            .map(|b| (n as f64 * b.row_weight / weight_total).floor() as usize)
            .collect();
        let mut left = n - counts.iter().sum::<usize>().min(n);
        for c in counts.iter_mut() {
            if left == 0 {
                break;
            }
            *c += 1;
            left -= 1;
        }
        let rows: Vec<Row> = BUCKETS
            .iter()
            .zip(counts)
            .flat_map(|(b, count)| std::iter::repeat_n((b, count), count))
            .map(|(b, count)| {
                let expected_rows = count.max(1) as f64;
                let mut month_spend = b.monthly * RAMP[mi] * opts.scale;
                if b.training {
                    month_spend *= TRAINING[mi];
                }
                let effective = round2(month_spend / expected_rows * (0.8 + 0.4 * rng.unit()));
                let day = first_day + (rng.next() % days as u64) as i64;
                let resource = if b.resource.is_empty() {
                    String::new()
                } else {
                    format!("{}{:012x}", b.resource, rng.next() % 4096)
                };
                let tagged = rng.unit() >= b.untagged;
                let tags = if tagged && !b.cost_center.is_empty() {
                    format!("{{\"cost-center\":\"{}\"}}", b.cost_center)
                } else if rng.unit() < 0.5 {
                    String::new()
                } else {
                    "{\"env\":\"prod\"}".to_string()
                };
                Row {
                    day,
                    billed: effective,
                    effective,
                    list: round2(effective * b.list_factor),
                    charge_category: "Usage",
                    service: b.service,
                    category: b.category,
                    region: b.region,
                    resource,
                    tags,
                }
            })
            .collect();
        rows.into_iter()
    })
}

/// What was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Written {
    pub rows: usize,
    pub bytes: u64,
}

fn write_err(path: &Path) -> impl Fn(std::io::Error) -> TcoError + '_ {
    move |source| TcoError::Write {
        path: path.to_path_buf(),
        source,
    }
}

/// Write the rows as FOCUS CSV.
pub fn write_csv(path: &Path, opts: &GenerateOptions) -> Result<Written, TcoError> {
    let err = write_err(path);
    let mut w = BufWriter::with_capacity(1 << 20, File::create(path).map_err(&err)?);
    writeln!(w, "{}", COLUMNS.join(",")).map_err(&err)?;
    let mut n = 0;
    for r in rows(opts) {
        writeln!(
            w,
            "{},{},{},{:.2},{:.2},{:.2},{},{},{},{},{},{}",
            iso(r.day),
            iso(r.day + 1),
            opts.currency,
            r.billed,
            r.effective,
            r.list,
            r.charge_category,
            audit_text::csv_quote(r.service),
            audit_text::csv_quote(r.category),
            r.region,
            r.resource,
            audit_text::csv_quote(&r.tags)
        )
        .map_err(&err)?;
        n += 1;
    }
    w.flush().map_err(&err)?;
    let bytes = std::fs::metadata(path).map_err(&err)?.len();
    Ok(Written { rows: n, bytes })
}

/// Rows per Parquet row group (and per DataFrame held in memory while writing).
const BATCH: usize = 262_144;

/// Write the rows as FOCUS Parquet: periods as UTC timestamps, costs as doubles, the rest
/// as text (Tags as a JSON string, as in the CSV).
pub fn write_parquet(path: &Path, opts: &GenerateOptions) -> Result<Written, TcoError> {
    let err = write_err(path);
    let file = File::create(path).map_err(&err)?;
    let perr = |source| TcoError::Polars {
        path: path.to_path_buf(),
        source,
    };
    let mut writer: Option<polars::io::parquet::write::BatchedWriter<File>> = None;
    let mut batch: Vec<Row> = Vec::with_capacity(BATCH);
    let mut n = 0;
    let mut file = Some(file);
    let mut flush = |batch: &mut Vec<Row>,
                     writer: &mut Option<polars::io::parquet::write::BatchedWriter<File>>|
     -> Result<(), TcoError> {
        let df = frame(batch, &opts.currency).map_err(perr)?;
        if writer.is_none()
            && let Some(f) = file.take()
        {
            *writer = Some(
                ParquetWriter::new(f)
                    .with_compression(ParquetCompression::Zstd(None))
                    .batched(df.schema())
                    .map_err(perr)?,
            );
        }
        if let Some(w) = writer.as_mut() {
            w.write_batch(&df).map_err(perr)?;
        }
        batch.clear();
        Ok(())
    };
    for r in rows(opts) {
        batch.push(r);
        n += 1;
        if batch.len() == BATCH {
            flush(&mut batch, &mut writer)?;
        }
    }
    if !batch.is_empty() || writer.is_none() {
        flush(&mut batch, &mut writer)?;
    }
    if let Some(w) = writer.as_mut() {
        w.finish().map_err(perr)?;
    }
    let bytes = std::fs::metadata(path).map_err(&err)?.len();
    Ok(Written { rows: n, bytes })
}

fn frame(rows: &[Row], currency: &str) -> PolarsResult<DataFrame> {
    const MICROS_PER_DAY: i64 = 86_400_000_000;
    let ts = |off: i64| -> PolarsResult<Column> {
        let v: Vec<i64> = rows
            .iter()
            .map(|r| (r.day + off) * MICROS_PER_DAY)
            .collect();
        Column::new("".into(), v).cast(&DataType::Datetime(
            TimeUnit::Microseconds,
            Some(TimeZone::UTC),
        ))
    };
    let text = |f: &dyn Fn(&Row) -> &str| -> Vec<String> {
        rows.iter().map(|r| f(r).to_string()).collect()
    };
    let opt_text = |f: &dyn Fn(&Row) -> &str| -> Vec<Option<String>> {
        rows.iter()
            .map(|r| Some(f(r).to_string()).filter(|s| !s.is_empty()))
            .collect()
    };
    let num = |f: &dyn Fn(&Row) -> f64| -> Vec<f64> { rows.iter().map(f).collect() };
    DataFrame::new(
        rows.len(),
        vec![
            ts(0)?.with_name(COLUMNS[0].into()),
            ts(1)?.with_name(COLUMNS[1].into()),
            Column::new(COLUMNS[2].into(), vec![currency.to_string(); rows.len()]),
            Column::new(COLUMNS[3].into(), num(&|r| r.billed)),
            Column::new(COLUMNS[4].into(), num(&|r| r.effective)),
            Column::new(COLUMNS[5].into(), num(&|r| r.list)),
            Column::new(COLUMNS[6].into(), text(&|r| r.charge_category)),
            Column::new(COLUMNS[7].into(), text(&|r| r.service)),
            Column::new(COLUMNS[8].into(), text(&|r| r.category)),
            Column::new(COLUMNS[9].into(), text(&|r| r.region)),
            Column::new(COLUMNS[10].into(), opt_text(&|r| r.resource.as_str())),
            Column::new(COLUMNS[11].into(), opt_text(&|r| r.tags.as_str())),
        ],
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn civil_dates_round_trip() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2026, 10, 1), 20_727);
        assert_eq!(civil_from_days(20_727), (2026, 10, 1));
        assert_eq!(iso(days_from_civil(2024, 2, 29)), "2024-02-29T00:00:00Z");
        assert_eq!(days_in_month(2026, 2), 28);
        assert_eq!(month_start((2025, 12), 1), (2026, 1));
    }

    #[test]
    fn rows_are_deterministic_and_counted() {
        let o = GenerateOptions {
            rows: 1000,
            ..Default::default()
        };
        let a: Vec<Row> = rows(&o).collect();
        let b: Vec<Row> = rows(&o).collect();
        assert_eq!(a.len(), 1000);
        assert_eq!(a, b);
    }
}
