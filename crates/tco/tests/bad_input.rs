//! Every kind of bad input is an error that names the file and the place.

use audit_tco::{Assumptions, IdcInventory, Options, Period, TcoError};

use crate::common::*;

fn one_row(case: &Case, name: &str, header: &str, row: &str) -> std::path::PathBuf {
    case.file(name, &format!("{header}\n{row}\n"))
}

#[test]
fn missing_required_column() {
    let case = Case::new();
    let f = one_row(
        &case,
        "nocur.csv",
        "ChargePeriodStart,EffectiveCost,ServiceCategory",
        "2026-10-01,1,Compute",
    );
    let e = case.run(&[f.clone()], &Options::default()).unwrap_err();
    assert!(matches!(e, TcoError::MissingColumn { .. }), "{e}");
    assert_names(&e, &f, "BillingCurrency");

    // The gated cost column is required; BilledCost alone does not do for EffectiveCost.
    let f = one_row(
        &case,
        "nocost.csv",
        "ChargePeriodStart,BillingCurrency,BilledCost,ServiceCategory",
        "2026-10-01,CNY,1,Compute",
    );
    let e = case.run(&[f.clone()], &Options::default()).unwrap_err();
    assert_names(&e, &f, "EffectiveCost");
}

#[test]
fn cost_that_is_not_a_number() {
    let case = Case::new();
    let f = case.file(
        "text.csv",
        &format!("{HEADER}\n{COSTS}2026-10-05T00:00:00Z,,CNY,12,twelve,Compute,EC2,\n"),
    );
    let e = case.run(&[f.clone()], &Options::default()).unwrap_err();
    assert_names(&e, &f, "EffectiveCost");
    let msg = e.to_string();
    assert!(msg.contains("row 8"), "{msg}");
    assert!(msg.contains("`twelve`"), "{msg}");
}

#[test]
fn nan_and_infinite_costs() {
    let case = Case::new();
    for (i, bad) in ["NaN", "inf"].iter().enumerate() {
        let f = case.file(
            &format!("nan{i}.csv"),
            &format!("{HEADER}\n{COSTS}2026-10-05T00:00:00Z,,CNY,{bad},1,Compute,EC2,\n"),
        );
        let e = case.run(&[f.clone()], &Options::default()).unwrap_err();
        // BilledCost is checked too, though EffectiveCost is gated.
        assert_names(&e, &f, "BilledCost");
        assert!(e.to_string().contains("row 8"), "{e}");
        assert!(e.to_string().contains("NaN or infinite"), "{e}");
    }
}

#[test]
fn empty_cost() {
    let case = Case::new();
    let f = case.file(
        "empty.csv",
        &format!("{HEADER}\n2026-10-05T00:00:00Z,,CNY,1,,Compute,EC2,\n"),
    );
    let e = case.run(&[f.clone()], &Options::default()).unwrap_err();
    assert_names(&e, &f, "EffectiveCost");
    assert!(e.to_string().contains("empty cost"), "{e}");
}

#[test]
fn negative_cost_without_credit() {
    let case = Case::new();
    let f = case.file(
        "neg.csv",
        &format!("{HEADER}\n{COSTS}2026-10-05T00:00:00Z,,CNY,-5,-5,Compute,EC2,\n"),
    );
    let e = case.run(&[f.clone()], &Options::default()).unwrap_err();
    assert_names(&e, &f, "BilledCost");
    assert!(e.to_string().contains("row 8"), "{e}");
    assert!(e.to_string().contains("negative"), "{e}");

    // With ChargeCategory, a negative Usage row is still an error.
    let f = case.file(
        "neg2.csv",
        "ChargePeriodStart,BillingCurrency,EffectiveCost,ServiceCategory,ChargeCategory\n\
         2026-10-01,CNY,5,Compute,Usage\n2026-10-02,CNY,-5,Compute,Usage\n",
    );
    let e = case.run(&[f.clone()], &Options::default()).unwrap_err();
    assert_names(&e, &f, "EffectiveCost");
    assert!(e.to_string().contains("row 2"), "{e}");
}

#[test]
fn mixed_currencies() {
    let case = Case::new();
    let f = case.file(
        "mixed.csv",
        &format!("{HEADER}\n{COSTS}2026-10-05T00:00:00Z,,USD,1,1,Compute,EC2,\n"),
    );
    let e = case.run(&[f.clone()], &Options::default()).unwrap_err();
    assert!(matches!(e, TcoError::Currency { .. }), "{e}");
    assert_names(&e, &f, "BillingCurrency");
    let msg = e.to_string();
    assert!(
        msg.contains("`USD`") && msg.contains("row 8") && msg.contains("CNY, USD"),
        "{msg}"
    );

    // One currency, but not the assumptions' one.
    let f = one_row(
        &case,
        "usd.csv",
        HEADER,
        "2026-10-05T00:00:00Z,,USD,1,1,Compute,EC2,",
    );
    let e = case.run(&[f.clone()], &Options::default()).unwrap_err();
    assert_names(&e, &f, "BillingCurrency");
}

#[test]
fn empty_period() {
    let case = Case::new();
    let f = case.file("header.csv", &format!("{HEADER}\n"));
    let e = case.run(&[f.clone()], &Options::default()).unwrap_err();
    assert!(matches!(e, TcoError::EmptyPeriod { .. }), "{e}");
    assert!(e.to_string().contains(&f.display().to_string()), "{e}");
    assert_eq!(e.exit_code(), 3);

    let costs = case.file("costs.csv", &format!("{HEADER}\n{COSTS}"));
    for period in [Period::Trailing(3), "2026-01..2026-02".parse().unwrap()] {
        let o = Options {
            period,
            ..Options::default()
        };
        let e = case.run(&[costs.clone()], &o).unwrap_err();
        assert!(matches!(e, TcoError::EmptyPeriod { .. }), "{e}");
    }
}

#[test]
fn bad_period_start_and_tags() {
    let case = Case::new();
    let f = case.file(
        "date.csv",
        &format!("{HEADER}\n{COSTS}10/05/2026,,CNY,1,1,Compute,EC2,\n"),
    );
    let e = case.run(&[f.clone()], &Options::default()).unwrap_err();
    assert_names(&e, &f, "ChargePeriodStart");
    assert!(e.to_string().contains("row 8"), "{e}");

    let f = case.file(
        "tags.csv",
        &format!("{HEADER}\n{COSTS}2026-10-05T00:00:00Z,,CNY,1,1,Compute,EC2,cost-center=x\n"),
    );
    let e = case.run(&[f.clone()], &Options::default()).unwrap_err();
    assert_names(&e, &f, "Tags");
    assert!(e.to_string().contains("row 8"), "{e}");
}

#[test]
fn ambiguous_and_unsupported_files() {
    let case = Case::new();
    let f = one_row(
        &case,
        "twice.csv",
        "ChargePeriodStart,BillingCurrency,EffectiveCost,effective_cost,ServiceCategory",
        "2026-10-01,CNY,1,1,Compute",
    );
    let e = case.run(&[f.clone()], &Options::default()).unwrap_err();
    assert!(matches!(e, TcoError::AmbiguousColumn { .. }), "{e}");
    assert_names(&e, &f, "effective_cost");

    let f = case.file("costs.json", "{}");
    let e = case.run(&[f.clone()], &Options::default()).unwrap_err();
    assert!(matches!(e, TcoError::UnsupportedFile { .. }), "{e}");

    let missing = case.dir.path().join("absent.csv");
    let e = case.run(&[missing], &Options::default()).unwrap_err();
    assert_eq!(e.exit_code(), 2);
}

#[test]
fn parquet_cost_of_the_wrong_type() {
    use polars::prelude::*;
    let case = Case::new();
    let p = case.dir.path().join("text.parquet");
    let mut df = polars::df!(
        "ChargePeriodStart" => ["2026-10-01"],
        "BillingCurrency" => ["CNY"],
        "EffectiveCost" => ["12.5"],
        "ServiceCategory" => ["Compute"],
    )
    .unwrap();
    ParquetWriter::new(std::fs::File::create(&p).unwrap())
        .finish(&mut df)
        .unwrap();
    let e = case.run(&[p.clone()], &Options::default()).unwrap_err();
    assert_names(&e, &p, "EffectiveCost");
    assert!(e.to_string().contains("a number"), "{e}");

    // A negative cost in Parquet names its row as well.
    let p = case.dir.path().join("neg.parquet");
    let mut df = polars::df!(
        "ChargePeriodStart" => ["2026-10-01", "2026-10-02"],
        "BillingCurrency" => ["CNY", "CNY"],
        "EffectiveCost" => [1.0, -2.0],
        "ServiceCategory" => ["Compute", "Compute"],
    )
    .unwrap();
    ParquetWriter::new(std::fs::File::create(&p).unwrap())
        .finish(&mut df)
        .unwrap();
    let e = case.run(&[p.clone()], &Options::default()).unwrap_err();
    assert_names(&e, &p, "EffectiveCost");
    assert!(e.to_string().contains("row 2"), "{e}");
}

fn assumptions_error(text: &str) -> String {
    let e = Assumptions::parse(std::path::Path::new("policies/tco.toml"), text).unwrap_err();
    assert_eq!(e.exit_code(), 3);
    e.to_string()
}

/// `ASSUMPTIONS` with `from` replaced by `to`; `from` must occur.
fn edit(from: &str, to: &str) -> String {
    assert!(ASSUMPTIONS.contains(from));
    ASSUMPTIONS.replacen(from, to, 1)
}

/// The 1-based line of the first occurrence of `needle` in `text`.
fn line_of(text: &str, needle: &str) -> usize {
    text[..text.find(needle).unwrap()].matches('\n').count() + 1
}

#[test]
fn assumptions_are_strict_and_located() {
    // Unknown key.
    let t = edit("pue = 1.5", "pue = 1.5\npeu = 1.4");
    let m = assumptions_error(&t);
    assert!(
        m.starts_with(&format!("policies/tco.toml:{}:", line_of(&t, "peu"))),
        "{m}"
    );
    assert!(m.contains("peu"), "{m}");

    // Wrong type.
    let t = edit("tariff_per_kwh = 1.0", "tariff_per_kwh = \"cheap\"");
    let m = assumptions_error(&t);
    assert!(
        m.starts_with(&format!("policies/tco.toml:{}:", line_of(&t, "cheap"))),
        "{m}"
    );

    // Negative and non-finite numbers.
    let t = edit("purchase = 600000", "purchase = -600000");
    let m = assumptions_error(&t);
    assert!(
        m.starts_with(&format!("policies/tco.toml:{}:", line_of(&t, "-600000"))),
        "{m}"
    );
    assert!(m.contains("0 or more"), "{m}");
    let t = edit("power_kw = 2", "power_kw = nan");
    let m = assumptions_error(&t);
    assert!(
        m.starts_with(&format!("policies/tco.toml:{}:", line_of(&t, "= nan"))),
        "{m}"
    );
    let t = edit("depreciation_years = 5", "depreciation_years = 0");
    assert!(assumptions_error(&t).contains("more than 0"));
    let t = edit("spot_share = 0.5", "spot_share = 1.5");
    assert!(assumptions_error(&t).contains("between 0 and 1"));

    // A currency that differs anywhere, located at its value, with line and column.
    let t = edit("[staff]\n", "[staff]\ncurrency = \"USD\"\n");
    let m = assumptions_error(&t);
    let line = line_of(&t, "\"USD\"");
    assert!(
        m.starts_with(&format!("policies/tco.toml:{line}:12:")),
        "{m}"
    );
    assert!(m.contains("mixed currencies"), "{m}");
    let t = edit(
        "category = \"gpu_compute\"",
        "category = \"gpu_compute\"\ncurrency = \"EUR\"",
    );
    assert!(assumptions_error(&t).contains("EUR"));

    // Unknown category.
    let t = edit("category = \"management\"", "category = \"marketing\"");
    let m = assumptions_error(&t);
    assert!(
        m.starts_with(&format!("policies/tco.toml:{}:", line_of(&t, "marketing"))),
        "{m}"
    );
}

fn inventory_error(text: &str) -> String {
    let p = std::path::Path::new("fixtures/idc/inventory.csv");
    let e = IdcInventory::parse(p, text.as_bytes()).unwrap_err();
    assert_eq!(e.exit_code(), 3);
    let m = e.to_string();
    assert!(m.starts_with("fixtures/idc/inventory.csv: "), "{m}");
    m
}

#[test]
fn inventory_is_strict_and_located() {
    let m = inventory_error("asset_class,count,description,price\ngpu,2,x,1\n");
    assert!(m.contains("column `price`"), "{m}");
    let m = inventory_error("asset_class,description\ngpu,x\n");
    assert!(m.contains("column `count`") && m.contains("missing"), "{m}");
    let m = inventory_error("asset_class,count,description\ngpu,2,x\ncpu,two,y\n");
    assert!(
        m.contains("column `count`, row 2") && m.contains("`two`"),
        "{m}"
    );
    let m = inventory_error("asset_class,count,description\ngpu,-1,x\n");
    assert!(m.contains("column `count`, row 1"), "{m}");
    let m = inventory_error("asset_class,count,description\ngpu,1,x\ngpu,1,y\n");
    assert!(m.contains("row 2") && m.contains("twice"), "{m}");

    // An asset class that the assumptions do not price.
    let case = Case::with(
        ASSUMPTIONS,
        "asset_class,count,description\ngpu,2,x\ntpu,1,y\n",
    );
    let costs = case.file("c.csv", &format!("{HEADER}\n{COSTS}"));
    let e = case.run(&[costs], &Options::default()).unwrap_err();
    assert_names(&e, &case.inventory, "asset_class");
    assert!(e.to_string().contains("row 2"), "{e}");
}

#[test]
fn bad_options_are_usage_errors() {
    let case = Case::new();
    let costs = case.file("costs.csv", &format!("{HEADER}\n{COSTS}"));
    for o in [
        Options {
            period: Period::Trailing(0),
            ..Options::default()
        },
        Options {
            limit: Some(f64::NAN),
            ..Options::default()
        },
        Options {
            what_if: audit_tco::WhatIfOverrides {
                spot_share: Some(1.5),
                ..Default::default()
            },
            ..Options::default()
        },
    ] {
        let e = case.run(&[costs.clone()], &o).unwrap_err();
        assert!(matches!(e, TcoError::Usage(_)), "{e}");
        assert_eq!(e.exit_code(), 2);
    }
    assert!(case.run(&[], &Options::default()).is_err());
    for bad in [
        "trailing-0",
        "trailing-x",
        "2026-13",
        "2026-10..2026-09",
        "last",
    ] {
        assert!(bad.parse::<Period>().is_err(), "{bad}");
    }
    assert_eq!("trailing-3".parse::<Period>().unwrap(), Period::Trailing(3));
    assert_eq!(
        "effective_cost".parse::<audit_tco::CostColumn>().unwrap(),
        audit_tco::CostColumn::EffectiveCost
    );
    assert!("Cost".parse::<audit_tco::CostColumn>().is_err());
}

#[test]
fn cost_too_large_to_sum_exactly() {
    let case = Case::new();
    let f = case.file(
        "huge.csv",
        &format!("{HEADER}\n{COSTS}2026-10-05T00:00:00Z,,CNY,1,1e13,Compute,EC2,\n"),
    );
    let e = case.run(&[f.clone()], &Options::default()).unwrap_err();
    assert_names(&e, &f, "EffectiveCost");
    assert!(e.to_string().contains("too large"), "{e}");
}
