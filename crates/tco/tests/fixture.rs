//! The realistic fixture (fixtures/costs/focus-2026.*) and its documented results.

use audit_tco::generate::{self, GenerateOptions};
use audit_tco::{Options, Period, TcoReport, run};

use crate::common::repo;

fn fixture(name: &str, options: &Options) -> TcoReport {
    run(
        &repo("policies/tco.toml"),
        &repo("fixtures/idc/inventory.csv"),
        &[repo(&format!("fixtures/costs/{name}"))],
        options,
    )
    .unwrap()
}

/// The report without its inputs, which differ between CSV and Parquet by design.
fn without_inputs(mut r: TcoReport) -> TcoReport {
    r.inputs.clear();
    r
}

#[test]
fn idc_baseline_matches_the_hand_computation() {
    let r = fixture("focus-2026.csv", &Options::default());
    // From policies/tco.toml and fixtures/idc/inventory.csv, by hand (see fixtures/costs/README.md):
    //   depreciation 1,317,250.00; maintenance 79,035,000 × 0.04 / 12 = 263,450.00;
    //   power 290.8 kW × 24 × 30.4 × 1.5 × 0.82 = 260,966.25; colocation 631 U × 180 = 113,580.00;
    //   licences 980,000 / 12 = 81,666.67; lines 65,000.00; staff 10 × 420,000 / 12 = 350,000.00
    //   total 2,451,912.91
    assert_eq!(r.idc.by_component["depreciation"], 1_317_250.0);
    assert_eq!(r.idc.by_component["maintenance"], 263_450.0);
    assert_eq!(r.idc.by_component["power"], 260_966.25);
    assert_eq!(r.idc.by_component["colocation"], 113_580.0);
    assert_eq!(r.idc.by_component["licences"], 81_666.67);
    assert_eq!(r.idc.by_component["staff"], 350_000.0);
    assert_eq!(r.idc.monthly, 2_451_912.91);
    // Cloud extras: 30,000 + 2,000 + 15,000 + 3.5 × 420,000 / 12 = 169,500.
    assert_eq!(r.cloud_extras.values().sum::<f64>(), 169_500.0);
}

#[test]
fn csv_and_parquet_give_identical_results() {
    for period in [Period::Latest, Period::Trailing(3), Period::All] {
        let o = Options {
            period,
            ..Options::default()
        };
        let a = without_inputs(fixture("focus-2026.csv", &o));
        let b = without_inputs(fixture("focus-2026.parquet", &o));
        assert_eq!(a.to_json(), b.to_json());
    }
}

/// The results documented in fixtures/costs/README.md.
#[test]
fn documented_results() {
    let r = fixture("focus-2026.csv", &Options::default());
    let got: Vec<(String, f64, bool)> = r
        .months
        .iter()
        .map(|m| (m.month.clone(), m.ratio, m.pass))
        .collect();
    let want: Vec<(String, f64, bool)> = DOCUMENTED
        .iter()
        .map(|(m, r, p)| ((*m).to_string(), *r, *p))
        .collect();
    assert_eq!(got, want);
    assert_eq!(r.gated.from, "2026-11");
    assert_eq!(r.gated.ratio, LATEST.0);
    assert_eq!(r.gated.pass, LATEST.1);
    let t = fixture(
        "focus-2026.parquet",
        &Options {
            period: Period::Trailing(3),
            ..Options::default()
        },
    );
    assert_eq!(
        (t.gated.from.as_str(), t.gated.to.as_str()),
        ("2026-09", "2026-11")
    );
    assert_eq!(t.gated.ratio, TRAILING_3.0);
    assert_eq!(t.gated.pass, TRAILING_3.1);
    let rows: u64 = r.months.iter().map(|m| m.rows).sum();
    assert_eq!(rows, 60_000);
}

const DOCUMENTED: [(&str, f64, bool); 12] = [
    ("2025-12", 0.2464, true),
    ("2026-01", 0.2939, true),
    ("2026-02", 0.3486, true),
    ("2026-03", 0.4015, true),
    ("2026-04", 0.4567, true),
    ("2026-05", 0.5096, true),
    ("2026-06", 0.5576, true),
    ("2026-07", 0.5902, true),
    ("2026-08", 0.6266, true),
    ("2026-09", 0.7172, false),
    ("2026-10", 0.6747, true),
    ("2026-11", 0.6919, true),
];
const LATEST: (f64, bool) = (0.6919, true);
const TRAILING_3: (f64, bool) = (0.6946, true);

#[test]
fn generator_is_deterministic_and_formats_agree() {
    let dir = tempfile::tempdir().unwrap();
    let o = GenerateOptions {
        rows: 5000,
        ..GenerateOptions::default()
    };
    let (a, b) = (dir.path().join("a.csv"), dir.path().join("b.csv"));
    let (pa, pb) = (dir.path().join("a.parquet"), dir.path().join("b.parquet"));
    assert_eq!(generate::write_csv(&a, &o).unwrap().rows, 5000);
    generate::write_csv(&b, &o).unwrap();
    generate::write_parquet(&pa, &o).unwrap();
    generate::write_parquet(&pb, &o).unwrap();
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    assert_eq!(std::fs::read(&pa).unwrap(), std::fs::read(&pb).unwrap());
    let read = |p: &std::path::Path| {
        without_inputs(
            run(
                &repo("policies/tco.toml"),
                &repo("fixtures/idc/inventory.csv"),
                &[p.to_path_buf()],
                &Options {
                    period: Period::All,
                    ..Options::default()
                },
            )
            .unwrap(),
        )
    };
    assert_eq!(read(&a).to_json(), read(&pa).to_json());
    // Another seed, other rows.
    let c = dir.path().join("c.csv");
    generate::write_csv(&c, &GenerateOptions { seed: 7, ..o }).unwrap();
    assert_ne!(std::fs::read(&a).unwrap(), std::fs::read(&c).unwrap());
}

#[test]
fn two_runs_give_the_same_bytes() {
    let a = fixture("focus-2026.parquet", &Options::default()).to_json();
    let b = fixture("focus-2026.parquet", &Options::default()).to_json();
    assert_eq!(a, b);
}
