//! The realistic fixture of the migrating company gives exactly its documented findings
//! (fixtures/realistic/README.md, *.expected.json).

use std::collections::BTreeSet;

use crate::common::*;

fn expected(name: &str) -> BTreeSet<(String, String)> {
    let text =
        std::fs::read_to_string(fixture(&format!("realistic/{name}.expected.json"))).unwrap();
    let list: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    list.iter()
        .map(|v| {
            (
                v["rule_id"].as_str().unwrap().to_string(),
                v["resource_id"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn check(name: &str) -> serde_json::Value {
    let path = format!("fixtures/realistic/{name}.json");
    let out = audit(&["check", "--snapshot", &path, "--format", "json"]);
    assert_eq!(code(&out), 1, "{name}: {}", stderr(&out));
    serde_json::from_str(&stdout(&out)).unwrap()
}

fn actual(doc: &serde_json::Value) -> BTreeSet<(String, String)> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_string(),
                f["resource_id"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn realistic_fixtures_give_exactly_their_documented_findings() {
    let (_, rules) = builtin();
    let mut fired = BTreeSet::new();
    for name in ["aws-cn", "aws-global"] {
        let doc = check(name);
        assert_eq!(doc["verdict"], "fail");
        let got = actual(&doc);
        let want = expected(name);
        let missing: Vec<_> = want.difference(&got).collect();
        let extra: Vec<_> = got.difference(&want).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{name}: missing {missing:#?}\nunexpected {extra:#?}"
        );
        assert_eq!(
            doc["findings"].as_array().unwrap().len(),
            want.len(),
            "{name}: duplicates"
        );
        fired.extend(got.into_iter().map(|(rule, _)| rule));
    }
    // Between them, the two accounts exercise every rule.
    let never: Vec<&str> = rules
        .rules
        .iter()
        .map(|r| r.id.as_str())
        .filter(|id| !fired.contains(*id))
        .collect();
    assert!(
        never.is_empty(),
        "rules that never fire on the realistic fixture: {never:?}"
    );
}

#[test]
fn china_partition_has_no_root_findings_and_global_keeps_regulated_data_abroad() {
    let cn = actual(&check("aws-cn"));
    assert!(cn.iter().all(|(rule, _)| !rule.starts_with("iam-root-")));
    let global = actual(&check("aws-global"));
    assert!(
        global
            .iter()
            .any(|(rule, _)| rule == "residency-regulated-data-abroad")
    );
}
