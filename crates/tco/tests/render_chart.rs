//! Renderers and the chart: hostile tag values stay inert, the SVG parses and shows the limit.

use audit_tco::{Options, chart, render};

use crate::common::*;

fn hostile_report() -> audit_tco::TcoReport {
    let case = Case::new();
    let rows = r#"2026-10-01T00:00:00Z,2026-11-01T00:00:00Z,CNY,100,100,Compute,EC2,"{""cost-center"":""=HYPERLINK(\""http://x\"")""}"
2026-10-01T00:00:00Z,2026-11-01T00:00:00Z,CNY,50,50,Compute,EC2,"{""cost-center"":""a|b\nc""}"
"#;
    let f = case.file("hostile.csv", &format!("{HEADER}\n{rows}"));
    case.run(&[f], &Options::default()).unwrap()
}

#[test]
fn csv_guards_formulas() {
    let r = hostile_report();
    assert_eq!(r.gated.top_cost_centers[0].name, "=HYPERLINK(\"http://x\")");
    let csv = render::months_csv(&r);
    let line = csv.lines().nth(1).unwrap();
    assert!(line.contains("\"'=HYPERLINK(\"\"http://x\"\")\""), "{line}");
    assert!(!line.contains(",=HYPERLINK"), "{line}");
    assert!(csv.starts_with("month,currency,idc,cloud,"));
}

#[test]
fn markdown_escapes_pipes_and_newlines() {
    let r = hostile_report();
    let md = render::markdown(&r);
    assert!(md.contains("| a\\|b\\u{a}c |"), "{md}");
    // Every table row has the same number of unescaped pipes as its header.
    for line in md
        .lines()
        .filter(|l| l.starts_with("| cost-center") || l.contains("a\\|b"))
    {
        let pipes = line.replace("\\|", "").matches('|').count();
        assert_eq!(pipes, 4, "{line}");
    }
    assert!(md.contains("**pass**") || md.contains("**FAIL**"));
}

#[test]
fn chart_is_svg_with_the_limit_line() {
    let case = Case::new();
    let f = case.file("costs.csv", &format!("{HEADER}\n{COSTS}"));
    let r = case.run(&[f], &Options::default()).unwrap();
    let svg = chart::svg(&r);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    let line = |id: &str| {
        let node = doc
            .descendants()
            .find(|n| n.attribute("id") == Some(id))
            .unwrap_or_else(|| panic!("no #{id}"));
        node.attribute("points")
            .unwrap()
            .split(' ')
            .map(|p| {
                let (x, y) = p.split_once(',').unwrap();
                (x.parse::<f64>().unwrap(), y.parse::<f64>().unwrap())
            })
            .collect::<Vec<_>>()
    };
    let idc = line("idc-line");
    let limit = line("limit-line");
    assert_eq!(limit.len(), r.months.len());
    // The plot's baseline is at y = 420 − 70 = 350; 70 % of the IDC is 70 % of its height.
    for (i, l) in idc.iter().zip(&limit) {
        let (hi, hl) = (350.0 - i.1, 350.0 - l.1);
        assert!((hl / hi - 0.7).abs() < 0.01, "{hl} / {hi}");
    }
    // One bar per month; the second month (0.6401) passes: not red.
    let bars: Vec<_> = doc
        .descendants()
        .filter(|n| {
            n.tag_name().name() == "rect"
                && n.parent().and_then(|p| p.attribute("id")) == Some("cloud-bars")
        })
        .collect();
    assert_eq!(bars.len(), 2);
    assert_eq!(bars[1].attribute("fill"), Some("#4c78a8"));
    assert!(svg.contains("70 %"));
}

#[test]
fn renderers_are_deterministic() {
    let case = Case::new();
    let f = case.file("costs.csv", &format!("{HEADER}\n{COSTS}"));
    let a = case.run(&[f.clone()], &Options::default()).unwrap();
    let b = case.run(&[f], &Options::default()).unwrap();
    assert_eq!(a.to_json(), b.to_json());
    assert_eq!(render::markdown(&a), render::markdown(&b));
    assert_eq!(render::months_csv(&a), render::months_csv(&b));
    assert_eq!(chart::svg(&a), chart::svg(&b));
}

#[test]
fn json_contract() {
    let case = Case::new();
    let f = case.file("costs.csv", &format!("{HEADER}\n{COSTS}"));
    let r = case.run(&[f], &Options::default()).unwrap();
    let v: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
    assert_eq!(v["tco_version"], 1);
    assert_eq!(v["currency"], "CNY");
    assert_eq!(v["limit"], 0.7);
    assert_eq!(v["period"], "latest");
    let g = &v["gated"];
    assert_eq!(g["from"], "2026-10");
    assert_eq!(g["to"], "2026-10");
    assert_eq!(g["idc"], 53120.0);
    assert_eq!(g["cloud"], 34000.0);
    assert_eq!(g["ratio"], 0.6401);
    assert_eq!(g["pass"], true);
    let m = &v["months"][1];
    for k in ["month", "idc", "cloud", "ratio", "pass"] {
        assert!(!m[k].is_null(), "months[].{k}");
    }
    let inputs = v["inputs"].as_array().unwrap();
    assert_eq!(inputs.len(), 3);
    for i in inputs {
        assert!(i["path"].is_string());
        assert_eq!(i["sha256"].as_str().unwrap().len(), 64);
    }
}
