//! `audit tco` through the binary, and the TCO result as a finding of `check`.
//! The computation's own cases (hand-computed, every bad input) are in crates/tco/tests.

use std::path::Path;

use serde_json::Value;

use crate::common::{audit, code, stderr, stdout};

/// What `audit tco` writes into `--out`.
const FILES: [&str; 4] = ["tco.json", "tco.md", "tco-months.csv", "tco.svg"];

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn tco(out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["tco", "--out", s(out)];
    args.extend_from_slice(extra);
    audit(&args)
}

fn result(out: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(out.join("tco.json")).unwrap()).unwrap()
}

/// The documented results of fixtures/costs/README.md, from the CSV and the Parquet file.
#[test]
fn the_realistic_bill_gives_its_documented_results_and_all_four_files() {
    let dir = tempfile::tempdir().unwrap();
    let mut gated = Vec::new();
    for file in [
        "fixtures/costs/focus-2026.csv",
        "fixtures/costs/focus-2026.parquet",
    ] {
        let out = dir.path().join(Path::new(file).extension().unwrap());
        let run = tco(&out, &["--costs", file]);
        assert_eq!(code(&run), 0, "{file}: {}", stderr(&run));
        for name in FILES {
            assert!(out.join(name).is_file(), "{file}: {name} written");
        }
        assert!(stdout(&run).contains("wrote "), "{}", stdout(&run));
        let doc = result(&out);
        assert_eq!(doc["currency"], "CNY");
        assert_eq!(doc["gated"]["from"], "2026-11");
        assert_eq!(doc["gated"]["ratio"], 0.6919);
        assert_eq!(doc["gated"]["idc"], 2_451_912.91);
        assert_eq!(doc["gated"]["pass"], true);
        assert_eq!(doc["months"].as_array().unwrap().len(), 12);
        let inputs: Vec<&str> = doc["inputs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["path"].as_str().unwrap())
            .collect();
        assert!(inputs.contains(&file), "{inputs:?}");
        assert!(inputs.contains(&"policies/tco.toml"), "{inputs:?}");
        let svg = std::fs::read_to_string(out.join("tco.svg")).unwrap();
        roxmltree::Document::parse(&svg).expect("the chart is well-formed XML");
        let md = std::fs::read_to_string(out.join("tco.md")).unwrap();
        assert!(
            md.starts_with("![Monthly IDC and cloud TCO](tco.svg)"),
            "{md}"
        );
        gated.push(doc["gated"].clone());
    }
    assert_eq!(gated[0], gated[1], "CSV and Parquet agree");
}

#[test]
fn a_month_over_the_limit_exits_1_and_trailing_periods_sum() {
    let dir = tempfile::tempdir().unwrap();
    let costs = ["--costs", "fixtures/costs/focus-2026.csv"];
    let over = tco(dir.path(), &[&costs[..], &["--period", "2026-09"]].concat());
    assert_eq!(code(&over), 1, "{}", stderr(&over));
    let doc = result(dir.path());
    assert_eq!(doc["gated"]["ratio"], 0.7172);
    assert_eq!(doc["gated"]["pass"], false);
    let trailing = tco(
        dir.path(),
        &[&costs[..], &["--period", "trailing-3"]].concat(),
    );
    assert_eq!(code(&trailing), 0, "{}", stderr(&trailing));
    let doc = result(dir.path());
    assert_eq!(
        (doc["gated"]["from"].as_str(), doc["gated"]["to"].as_str()),
        (Some("2026-09"), Some("2026-11"))
    );
    assert_eq!(doc["gated"]["ratio"], 0.6946);
    // A stricter limit turns the latest month's pass (0.6919) into a failure.
    let strict = tco(dir.path(), &[&costs[..], &["--limit", "0.65"]].concat());
    assert_eq!(code(&strict), 1, "{}", stderr(&strict));
}

#[test]
fn the_same_input_gives_the_same_bytes() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    for dir in [&a, &b] {
        let run = tco(
            dir.path(),
            &["--costs", "fixtures/costs/focus-2026.parquet"],
        );
        assert_eq!(code(&run), 0, "{}", stderr(&run));
    }
    for name in FILES {
        assert_eq!(
            std::fs::read(a.path().join(name)).unwrap(),
            std::fs::read(b.path().join(name)).unwrap(),
            "{name}"
        );
    }
}

#[test]
fn bad_cost_files_exit_3_naming_file_and_column_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let header = "ChargePeriodStart,ChargePeriodEnd,BilledCost,EffectiveCost,BillingCurrency,ServiceCategory,Tags";
    let cases = [
        (
            "missing.csv",
            "ChargePeriodStart,ChargePeriodEnd,BilledCost,BillingCurrency,ServiceCategory,Tags\n2026-10-01,2026-11-01,1,CNY,Compute,{}\n".to_string(),
            "EffectiveCost",
        ),
        (
            "type.csv",
            format!("{header}\n2026-10-01,2026-11-01,1,lots,CNY,Compute,{{}}\n"),
            "EffectiveCost",
        ),
        (
            "currency.csv",
            format!(
                "{header}\n2026-10-01,2026-11-01,1,1,CNY,Compute,{{}}\n2026-10-01,2026-11-01,1,1,USD,Compute,{{}}\n"
            ),
            "BillingCurrency",
        ),
        (
            "negative.csv",
            format!("{header}\n2026-10-01,2026-11-01,-5,-5,CNY,Compute,{{}}\n"),
            "Cost",
        ),
        (
            "nan.csv",
            format!("{header}\n2026-10-01,2026-11-01,NaN,NaN,CNY,Compute,{{}}\n"),
            "Cost",
        ),
    ];
    for (name, text, column) in cases {
        let file = dir.path().join(name);
        std::fs::write(&file, text).unwrap();
        let out = dir.path().join(format!("out-{name}"));
        let run = tco(&out, &["--costs", s(&file)]);
        let err = stderr(&run);
        assert_eq!(code(&run), 3, "{name}: {err}");
        assert!(err.contains(name) && err.contains(column), "{name}: {err}");
        assert!(!out.exists(), "{name}: nothing written");
    }
    // A period with no cost rows proves nothing.
    let run = tco(
        &dir.path().join("out-empty"),
        &[
            "--costs",
            "fixtures/costs/focus-2026.csv",
            "--period",
            "2030-01",
        ],
    );
    assert_eq!(code(&run), 3, "{}", stderr(&run));
    assert!(stderr(&run).contains("2030-01"), "{}", stderr(&run));
    // Bad flags are usage errors.
    let run = tco(
        dir.path(),
        &[
            "--costs",
            "fixtures/costs/focus-2026.csv",
            "--period",
            "soon",
        ],
    );
    assert_eq!(code(&run), 2, "{}", stderr(&run));
    let run = tco(dir.path(), &["--costs", s(&dir.path().join("absent.csv"))]);
    assert_eq!(code(&run), 2, "{}", stderr(&run));
}

/// `check --tco`: a failing or stale TCO result is a critical finding that no threshold
/// lets through; a passing one adds nothing.
#[test]
fn check_gates_on_the_tco_result() {
    let dir = tempfile::tempdir().unwrap();
    let costs = dir.path().join("costs.csv");
    std::fs::copy("fixtures/costs/focus-2026.csv", &costs).unwrap();
    let check = |tco_json: &Path| {
        audit(&[
            "check",
            "--snapshot",
            "fixtures/clean/aws-cn.json",
            "--fail-on",
            "critical",
            "--format",
            "json",
            "--tco",
            s(tco_json),
        ])
    };
    let pass_dir = dir.path().join("pass");
    assert_eq!(code(&tco(&pass_dir, &["--costs", s(&costs)])), 0);
    let run = check(&pass_dir.join("tco.json"));
    assert_eq!(code(&run), 0, "{}{}", stdout(&run), stderr(&run));
    assert!(!stdout(&run).contains("tco-over-limit"));

    let over_dir = dir.path().join("over");
    let over = tco(&over_dir, &["--costs", s(&costs), "--period", "2026-09"]);
    assert_eq!(code(&over), 1);
    let run = check(&over_dir.join("tco.json"));
    assert_eq!(code(&run), 1, "{}", stderr(&run));
    let doc: Value = serde_json::from_str(&stdout(&run)).unwrap();
    let text = doc.to_string();
    assert!(
        text.contains("tco-over-limit") && text.contains("71.7 %"),
        "{text}"
    );

    // `report --tco` shows the verdict, passing or not, in the Markdown and the JSON.
    let report = |tco_json: &Path, out: &Path| {
        let run = audit(&[
            "report",
            "--snapshot",
            "fixtures/clean/aws-cn.json",
            "--fail-on",
            "critical",
            "--format",
            "md,json",
            "--out",
            s(out),
            "--tco",
            s(tco_json),
        ]);
        let md = std::fs::read_to_string(out.join("audit-report.md")).unwrap();
        let json: Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap())
                .unwrap();
        (code(&run), md, json)
    };
    let (rc, md, json) = report(&pass_dir.join("tco.json"), &dir.path().join("r-pass"));
    assert_eq!(rc, 0, "{md}");
    let section = md
        .split("## Total cost of ownership")
        .nth(1)
        .expect("a TCO section");
    assert!(
        section.contains("| cloud TCO / IDC TCO | 69.2 % |")
            && section.contains("| limit | 70.0 % |")
            && section.contains("| verdict | pass |"),
        "{section}"
    );
    assert_eq!(json["tco"]["pass"], true, "{json}");
    let (rc, md, json) = report(&over_dir.join("tco.json"), &dir.path().join("r-over"));
    assert_eq!(rc, 1);
    assert!(
        md.contains("| cloud TCO / IDC TCO | 71.7 % |")
            && md.contains("| period | 2026-09 |")
            && md.contains("**OVER THE LIMIT**"),
        "{md}"
    );
    assert_eq!(json["tco"]["pass"], false, "{json}");

    // Costs edited after `audit tco` ran: the passing verdict is stale and fails.
    std::fs::write(&costs, "edited").unwrap();
    let run = check(&pass_dir.join("tco.json"));
    assert_eq!(code(&run), 1, "{}", stderr(&run));
    assert!(stdout(&run).contains("stale"), "{}", stdout(&run));
    let (rc, md, json) = report(&pass_dir.join("tco.json"), &dir.path().join("r-stale"));
    assert_eq!(rc, 1);
    assert!(md.contains("**STALE**: 1 cost input(s) changed"), "{md}");
    assert_eq!(json["tco"]["stale_inputs"], 1, "{json}");
}
