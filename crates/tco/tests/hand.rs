//! Small cases whose numbers are worked out by hand in the comments.

use audit_tco::{CostColumn, Options, Period};

use crate::common::*;

// IDC month of `ASSUMPTIONS` with 2 GPU servers:
//   depreciation 600000 × 2 / (5 × 12)        = 20000
//   maintenance  0.12 × 600000 × 2 / 12        = 12000
//   power        2 kW × 2 × 24 × 30 × 1.5 × 1  =  4320
//   colocation   4 U × 2 × 100                 =   800
//   licences     12000 / 12                    =  1000
//   lines                                      =  5000
//   staff        1 × 120000 / 12               = 10000
//   total                                      = 53120
// Cloud extras: dx 1000 + staff 0.5 × 120000 / 12 = 5000 → 6000.
const IDC: f64 = 53120.0;

fn costs(case: &Case) -> std::path::PathBuf {
    case.file("costs.csv", &format!("{HEADER}\n{COSTS}"))
}

#[test]
fn latest_month_by_hand() {
    let case = Case::new();
    let r = case.run(&[costs(&case)], &Options::default()).unwrap();
    assert_eq!(r.idc.monthly, IDC);
    assert_eq!(r.idc.by_category["gpu_compute"], 32000.0);
    assert_eq!(r.idc.by_category["facilities"], 5120.0);
    assert_eq!(r.idc.by_category["management"], 1000.0);
    assert_eq!(r.idc.by_category["network_security"], 5000.0);
    assert_eq!(r.idc.by_category["staff"], 10000.0);
    assert_eq!(r.idc.by_component["power"], 4320.0);
    assert_eq!(r.cloud_extras["dx"], 1000.0);
    assert_eq!(r.cloud_extras["staff"], 5000.0);

    // 2026-09 EffectiveCost: 9000 + 3000 = 12000; + 6000 extras = 18000; 18000 / 53120 = 0.33886
    let sep = &r.months[0];
    assert_eq!(sep.month, "2026-09");
    assert_eq!(sep.cloud_bill, 12000.0);
    assert_eq!(sep.cloud, 18000.0);
    assert_eq!(sep.ratio, 0.3389);
    // 2026-10: 18000 + 4000 + 5000 + 1000 = 28000; + 6000 = 34000; 34000 / 53120 = 0.64006
    let oct = &r.months[1];
    assert_eq!(oct.cloud_bill, 28000.0);
    assert_eq!(oct.cloud, 34000.0);
    assert_eq!(oct.ratio, 0.6401);
    assert!(oct.pass);
    assert_eq!(oct.rows, 5, "four rows and the free last day");
    // untagged: the S3 row without tags (5000) and the VPC row without cost-center (1000):
    // 6000 / 28000 = 0.21429
    assert_eq!(oct.untagged_share, 0.2143);
    assert_eq!(oct.by_category["Compute"], 22000.0);
    assert_eq!(oct.by_category["Storage"], 5000.0);
    assert_eq!(oct.by_category["Networking"], 1000.0);
    // top: train 18000 (18000 / 28000 = 0.64286), then web 4000 (0.14286)
    assert_eq!(oct.top_cost_centers[0].name, "train");
    assert_eq!(oct.top_cost_centers[0].cost, 18000.0);
    assert_eq!(oct.top_cost_centers[0].share, 0.6429);
    assert_eq!(oct.top_cost_centers[1].name, "web");
    assert_eq!(oct.top_cost_centers[1].share, 0.1429);

    assert_eq!(r.period, "latest");
    assert_eq!(
        (r.gated.from.as_str(), r.gated.to.as_str()),
        ("2026-10", "2026-10")
    );
    assert_eq!(r.gated.idc, IDC);
    assert_eq!(r.gated.cloud, 34000.0);
    assert_eq!(r.gated.ratio, 0.6401);
    assert!(r.gated.pass);
}

#[test]
fn what_if_by_hand() {
    let case = Case::new();
    let r = case.run(&[costs(&case)], &Options::default()).unwrap();
    // 2026-10: compute 22000, of it training (cost-center `train`) 18000; storage 5000.
    //   spot        18000 × 0.5 × 0.6             = 5400
    //   commitment  (22000 − 18000 × 0.5) × 0.5 × 0.2 = 1300
    //   tiering     5000 × 0.5 × (1 − 0.2)         = 2000
    //   projected   34000 − 8700 = 25300; 25300 / 53120 = 0.47628
    let p = &r.gated.projected;
    assert_eq!(p.spot_saving, 5400.0);
    assert_eq!(p.commitment_saving, 1300.0);
    assert_eq!(p.tiering_saving, 2000.0);
    assert_eq!(p.cloud, 25300.0);
    assert_eq!(p.ratio, 0.4763);
    assert!(p.pass);

    // Overrides: no spot, commitment on everything at 50 %:
    //   commitment 22000 × 1 × 0.5 = 11000; tiering 2000; projected 34000 − 13000 = 21000
    let o = Options {
        what_if: audit_tco::WhatIfOverrides {
            spot_share: Some(0.0),
            commitment_share: Some(1.0),
            commitment_discount: Some(0.5),
            ..Default::default()
        },
        ..Options::default()
    };
    let r = case.run(&[costs(&case)], &o).unwrap();
    assert_eq!(r.gated.projected.spot_saving, 0.0);
    assert_eq!(r.gated.projected.commitment_saving, 11000.0);
    assert_eq!(r.gated.projected.cloud, 21000.0);
}

#[test]
fn billed_cost_can_be_gated() {
    let case = Case::new();
    let o = Options {
        cost_column: CostColumn::BilledCost,
        ..Options::default()
    };
    let r = case.run(&[costs(&case)], &o).unwrap();
    // 2026-10 BilledCost: 20000 + 4000 + 5000 + 1000 = 30000; + 6000 = 36000 → 0.67771
    assert_eq!(r.cost_column, "BilledCost");
    assert_eq!(r.gated.cloud, 36000.0);
    assert_eq!(r.gated.ratio, 0.6777);
}

#[test]
fn trailing_and_all_periods_sum_months() {
    let case = Case::new();
    let o = Options {
        period: Period::Trailing(2),
        ..Options::default()
    };
    let r = case.run(&[costs(&case)], &o).unwrap();
    // IDC 2 × 53120 = 106240; cloud 12000 + 28000 + 2 × 6000 = 52000; 52000 / 106240 = 0.48946
    assert_eq!(r.period, "trailing-2");
    assert_eq!(
        (r.gated.from.as_str(), r.gated.to.as_str()),
        ("2026-09", "2026-10")
    );
    assert_eq!(r.gated.months, 2);
    assert_eq!(r.gated.idc, 106240.0);
    assert_eq!(r.gated.cloud, 52000.0);
    assert_eq!(r.gated.ratio, 0.4895);

    let all = case
        .run(
            &[costs(&case)],
            &Options {
                period: Period::All,
                ..Options::default()
            },
        )
        .unwrap();
    // The same months and sums; only the reason given differs.
    assert_eq!(
        all.gated.basis,
        "every complete month (the data covers until 2026-10-31)"
    );
    assert_eq!(
        r.gated.basis,
        "the 2 latest complete months (the data covers until 2026-10-31)"
    );
    let mut same = all.gated.clone();
    same.basis = r.gated.basis.clone();
    assert_eq!(same, r.gated);

    let range: Period = "2026-09".parse().unwrap();
    let r = case
        .run(
            &[costs(&case)],
            &Options {
                period: range,
                ..Options::default()
            },
        )
        .unwrap();
    assert_eq!(r.gated.cloud, 18000.0);
}

#[test]
fn the_limit_decides_and_can_be_overridden() {
    let case = Case::new();
    let o = Options {
        limit: Some(0.64),
        ..Options::default()
    };
    // 0.6401 > 0.64: over the limit.
    let r = case.run(&[costs(&case)], &o).unwrap();
    assert_eq!(r.limit, 0.64);
    assert!(!r.gated.pass);
    assert!(!r.months[1].pass);
    assert!(r.months[0].pass);
    // At the limit passes: `at or under`.
    let o = Options {
        limit: Some(0.6401),
        ..Options::default()
    };
    assert!(case.run(&[costs(&case)], &o).unwrap().gated.pass);
}

#[test]
fn files_add_up_and_credits_may_be_negative() {
    let case = Case::new();
    let a = case.file("a.csv", &format!("{HEADER}\n{COSTS}"));
    let b = case.file(
        "b.csv",
        "ChargePeriodStart,BillingCurrency,EffectiveCost,ServiceCategory,ChargeCategory\n\
         2026-10-20,CNY,2000,Compute,Usage\n\
         2026-10-31,CNY,-500,Compute,Credit\n",
    );
    let r = case
        .run(&[a.clone(), b.clone()], &Options::default())
        .unwrap();
    // 28000 + 2000 − 500 = 29500; + 6000 = 35500
    assert_eq!(r.gated.cloud_bill, 29500.0);
    assert_eq!(r.gated.cloud, 35500.0);
    // untagged now 6000 + 1500 = 7500 of 29500 = 0.25424
    assert_eq!(r.gated.untagged_share, 0.2542);
    assert_eq!(r.inputs.len(), 4);
    assert_eq!(r.inputs[2].path, a.display().to_string());
    assert_eq!(r.inputs[3].path, b.display().to_string());
}

#[test]
fn inputs_are_hashed() {
    let case = Case::new();
    let c = costs(&case);
    let r = case.run(&[c.clone()], &Options::default()).unwrap();
    let paths: Vec<&str> = r.inputs.iter().map(|i| i.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            case.inventory.display().to_string(),
            case.assumptions.display().to_string(),
            c.display().to_string()
        ]
    );
    // SHA-256 of the empty string would be e3b0…; of the inventory text, computed by
    // `sha256sum` on the same bytes:
    for i in &r.inputs {
        assert_eq!(i.sha256.len(), 64);
        assert!(
            i.sha256
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        );
    }
    let known = case.file("abc.csv", "abc");
    let s = audit_tco::source::Source::of_file(&known).unwrap();
    assert_eq!(
        s.sha256,
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
}

#[test]
fn focus_1_3_and_loose_names_are_read() {
    let case = Case::new();
    // FOCUS 1.3 deprecates ProviderName for ServiceProviderName (not read here, ignored);
    // snake_case names as some exporters write them; BillingPeriodStart when there is no
    // ChargePeriodStart.
    let f = case.file(
        "focus13.csv",
        "BillingPeriodStart,service_provider_name,billing_currency,effective_cost,service_category,tags\n\
         2026-10-01T00:00:00Z,AWS,CNY,28000,Compute,\"{\"\"cost-center\"\":\"\"train\"\"}\"\n",
    );
    let r = case.run(&[f], &Options::default()).unwrap();
    assert_eq!(r.gated.cloud, 34000.0);
    assert_eq!(r.gated.top_cost_centers[0].name, "train");
    assert_eq!(r.gated.untagged_share, 0.0);
}

#[test]
fn cost_explorer_collector_file_is_read() {
    // The columns that crates/aws/src/costs.rs writes, with its date format.
    let case = Case::new();
    let f = case.file(
        "ce.csv",
        "ChargePeriodStart,ChargePeriodEnd,BilledCost,EffectiveCost,BillingCurrency,ServiceName,ServiceCategory,Tags\n\
         2026-10-01,2026-11-01,100.5,90.25,CNY,Amazon Elastic Compute Cloud - Compute,Compute,\"{\"\"cost-center\"\":\"\"cv-train\"\"}\"\n\
         2026-10-01,2026-11-01,10,9.75,CNY,Amazon Simple Storage Service,Storage,\n",
    );
    let r = case.run(&[f], &Options::default()).unwrap();
    // 90.25 + 9.75 = 100; + 6000 = 6100
    assert_eq!(r.gated.cloud_bill, 100.0);
    assert_eq!(r.gated.cloud, 6100.0);
    assert_eq!(r.gated.untagged_share, 0.0975);
}

#[test]
fn parquet_and_csv_agree_on_a_small_file() {
    use polars::prelude::*;
    let case = Case::new();
    let csv = costs(&case);
    let pq = case.dir.path().join("costs.parquet");
    let mut df = CsvReadOptions::default()
        .with_has_header(true)
        .try_into_reader_with_file_path(Some(csv.clone()))
        .unwrap()
        .finish()
        .unwrap();
    ParquetWriter::new(std::fs::File::create(&pq).unwrap())
        .finish(&mut df)
        .unwrap();
    let a = case.run(&[csv], &Options::default()).unwrap();
    let b = case.run(&[pq], &Options::default()).unwrap();
    assert_eq!(a.months, b.months);
    assert_eq!(a.gated, b.gated);
}

#[test]
fn parquet_dates_and_timestamps_give_months() {
    use polars::prelude::*;
    let case = Case::new();
    // 20727 = days from 1970-01-01 to 2026-10-01; 20726 = 2026-09-30.
    let days = Column::new("ChargePeriodStart".into(), [20726i32, 20727])
        .cast(&DataType::Date)
        .unwrap();
    let micros = Column::new(
        "ChargePeriodStart".into(),
        [20726i64 * 86_400_000_000, 20727 * 86_400_000_000],
    )
    .cast(&DataType::Datetime(
        TimeUnit::Microseconds,
        Some(TimeZone::UTC),
    ))
    .unwrap();
    for (i, start) in [days, micros].into_iter().enumerate() {
        let mut df = DataFrame::new(
            2,
            vec![
                start,
                Column::new("BillingCurrency".into(), ["CNY", "CNY"]),
                Column::new("EffectiveCost".into(), [100.0, 250.0]),
                Column::new("ServiceCategory".into(), ["Compute", "Compute"]),
            ],
        )
        .unwrap();
        let p = case.dir.path().join(format!("d{i}.parquet"));
        ParquetWriter::new(std::fs::File::create(&p).unwrap())
            .finish(&mut df)
            .unwrap();
        let r = case
            .run(
                &[p],
                &Options {
                    period: Period::All,
                    ..Options::default()
                },
            )
            .unwrap();
        let months: Vec<(&str, f64)> = r
            .months
            .iter()
            .map(|m| (m.month.as_str(), m.cloud_bill))
            .collect();
        assert_eq!(months, [("2026-09", 100.0), ("2026-10", 250.0)]);
    }
}
