//! Every rule: metadata, docs, and its two fixtures (fires on exactly the failing
//! resources, silent on the passing ones).

use std::collections::BTreeSet;

use crate::common::*;

#[test]
fn every_rule_fires_on_its_failing_fixture_and_only_there() {
    let (config, rules) = builtin();
    assert!(rules.rules.len() >= 30, "only {} rules", rules.rules.len());
    let mut problems = Vec::new();
    for rule in &rules.rules {
        for case in ["fail", "pass"] {
            let path = fixture(&format!("rules/{}/{case}.json", rule.id));
            if !path.exists() {
                problems.push(format!("{}: no fixture {}", rule.id, path.display()));
                continue;
            }
            let outcome = cedar(&path, &config, &rules);
            let fired: BTreeSet<String> = outcome
                .findings
                .iter()
                .filter(|f| f.rule_id == rule.id)
                .map(|f| f.resource_id.clone())
                .collect();
            let failing: BTreeSet<String> = outcome_ids(&path)
                .into_iter()
                .filter(|id| id.contains("fail-"))
                .collect();
            match case {
                "fail" if failing.is_empty() => problems.push(format!(
                    "{}: fail fixture names no `fail-` resource",
                    rule.id
                )),
                "fail" if fired != failing => problems.push(format!(
                    "{}: fired on {fired:?}, expected exactly {failing:?}",
                    rule.id
                )),
                "pass" if !fired.is_empty() => {
                    problems.push(format!("{}: fired on passing fixture: {fired:?}", rule.id))
                }
                _ => {}
            }
            // Every finding's detail is filled in: no template left unrendered.
            for f in outcome.findings.iter().filter(|f| f.rule_id == rule.id) {
                if f.detail.contains('{') || f.detail.contains("n/a") {
                    problems.push(format!("{}: detail not rendered: {}", rule.id, f.detail));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

fn outcome_ids(path: &std::path::Path) -> Vec<String> {
    audit_model::read_snapshot(path)
        .expect("fixture reads")
        .resources
        .into_iter()
        .map(|r| r.id)
        .collect()
}

#[test]
fn every_rule_has_metadata_and_a_doc_with_the_fixed_sections() {
    let (_, rules) = builtin();
    let mut ids = BTreeSet::new();
    for rule in &rules.rules {
        assert!(ids.insert(rule.id.clone()), "duplicate id {}", rule.id);
        for (name, value) in [
            ("title", &rule.title),
            ("control", &rule.control),
            ("remediation", &rule.remediation),
            ("detail", &rule.detail_source),
        ] {
            assert!(!value.trim().is_empty(), "{}: empty @{name}", rule.id);
        }
        let doc = rule
            .doc
            .as_deref()
            .unwrap_or_else(|| panic!("{}: no policies/docs/{}.md", rule.id, rule.id));
        for section in [
            "## What it does",
            "## Why is this bad?",
            "## Example",
            "## How to fix",
        ] {
            assert!(doc.contains(section), "{}: doc lacks `{section}`", rule.id);
        }
        assert!(
            doc.starts_with(&format!("# {}", rule.id)),
            "{}: doc title",
            rule.id
        );
    }
    // Each family of the design is covered.
    let families: BTreeSet<&str> = rules.rules.iter().map(|r| r.family.as_str()).collect();
    for family in [
        "residency",
        "logs",
        "tags",
        "network",
        "iam",
        "data",
        "cost",
    ] {
        assert!(families.contains(family), "no {family} rules");
    }
}

#[test]
fn config_parameters_reach_the_policies() {
    let pack = audit_engine::Pack::builtin().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("override.toml");
    std::fs::write(
        &cfg,
        "[logs]\nmin_retention_days = 30\n\n[rules]\ndisabled = [\"cost-volume-gp2\"]\n\n[rules.severity]\n\"logs-trail-not-logging\" = \"critical\"\n",
    )
    .unwrap();
    let (config, rules) = audit_engine::load(&pack, Some(&cfg)).unwrap();
    assert_eq!(config.min_log_retention_days, 30);

    // 179 days passes a 30-day minimum.
    let retention = cedar(
        &fixture("rules/logs-retention-too-short/fail.json"),
        &config,
        &rules,
    );
    assert!(
        !retention
            .findings
            .iter()
            .any(|f| f.rule_id == "logs-retention-too-short")
    );

    // A disabled rule is silent, and not in the policy set at all.
    let gp2 = cedar(&fixture("rules/cost-volume-gp2/fail.json"), &config, &rules);
    assert!(!gp2.findings.iter().any(|f| f.rule_id == "cost-volume-gp2"));
    assert!(!rules.rule("cost-volume-gp2").unwrap().enabled);

    // A severity override shows on the finding.
    let trail = cedar(
        &fixture("rules/logs-trail-not-logging/fail.json"),
        &config,
        &rules,
    );
    let f = trail
        .findings
        .iter()
        .find(|f| f.rule_id == "logs-trail-not-logging")
        .expect("still fires");
    assert_eq!(f.severity, audit_model::Severity::Critical);

    // Domestic regions come from the config too: declaring ap-east-1 domestic silences
    // the residency rule on the same fixture.
    std::fs::write(&cfg, "[residency]\ndomestic_regions = [\"ap-east-1\"]\n").unwrap();
    let (config, rules) = audit_engine::load(&pack, Some(&cfg)).unwrap();
    let abroad = cedar(
        &fixture("rules/residency-resource-abroad/fail.json"),
        &config,
        &rules,
    );
    assert!(
        !abroad
            .findings
            .iter()
            .any(|f| f.rule_id == "residency-resource-abroad")
    );
}

/// Entities are built from Cedar values directly, without Cedar's own checks; here
/// every entity of every fixture is checked against the schema, as Cedar would.
#[test]
fn every_built_entity_conforms_to_the_schema() {
    use audit_engine::entity::{DeriveEnv, EntityTypes, to_entity};
    let (config, rules) = builtin();
    let types = EntityTypes::new().unwrap();
    let ports = config.ports_of_interest();
    let uncovered = vec!["cn-northwest-1".to_string()];
    let public: std::collections::BTreeSet<String> = ["subnet-0public".to_string()].into();
    let mut files = vec![
        fixture("realistic/aws-cn.json"),
        fixture("realistic/aws-global.json"),
    ];
    for entry in std::fs::read_dir(fixture("rules")).unwrap().flatten() {
        files.push(entry.path().join("fail.json"));
    }
    let mut seen_types = BTreeSet::new();
    for file in files {
        let snapshot = audit_model::read_snapshot(&file).unwrap();
        let env = DeriveEnv {
            now: snapshot.header.collected_at,
            ports_of_interest: &ports,
            regions_without_trail: &uncovered,
            public_subnets: &public,
            links: Default::default(),
        };
        let entities: Vec<cedar_policy::Entity> = snapshot
            .resources
            .iter()
            .map(|r| {
                seen_types.insert(r.type_name());
                to_entity(r, types.get(r.type_name()).unwrap(), &env).into()
            })
            .collect();
        if let Err(e) = cedar_policy::Entities::from_entities(entities, Some(&rules.schema)) {
            panic!(
                "{}: an entity does not conform to the schema: {e}",
                file.display()
            );
        }
    }
    assert_eq!(
        seen_types.len(),
        audit_model::TYPE_NAMES.len(),
        "every type checked: {seen_types:?}"
    );
}

#[test]
fn readme_lists_every_rule() {
    let (_, rules) = builtin();
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let missing: Vec<&str> = rules
        .rules
        .iter()
        .map(|r| r.id.as_str())
        .filter(|id| !readme.contains(&format!("`{id}`")))
        .collect();
    assert!(missing.is_empty(), "README.md does not list {missing:?}");
}

#[test]
fn a_not_judged_annotation_names_a_partition_and_a_reason() {
    let (_, rules) = builtin();
    let on_bce: Vec<&str> = rules
        .rules
        .iter()
        .filter(|r| r.not_judged_on(audit_model::Partition::Bce).is_some())
        .map(|r| r.id.as_str())
        .collect();
    assert!(
        on_bce.contains(&"network-vpc-no-flow-logs")
            && on_bce.contains(&"iam-password-policy-weak"),
        "{on_bce:?}"
    );
    // `audit rules` shows the partition, `explain` the reason.
    let list = stdout(&audit(&["rules"]));
    assert!(
        list.lines()
            .any(|l| l.contains("network-vpc-no-flow-logs") && l.contains("bce")),
        "{list}"
    );
    let explain = stdout(&audit(&["explain", "network-vpc-no-flow-logs"]));
    assert!(explain.contains("Not judged on `bce`: "), "{explain}");

    // A partition that does not exist, or no reason, is refused with the place.
    for (annotation, says) in [
        ("@not_judged(\"mars: no API\")", "unknown partition `mars`"),
        ("@not_judged(\"bce:  \")", "say why"),
        ("@not_judged(\"no colon\")", "write `PARTITION: why"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let pack = dir.path();
        for entry in std::fs::read_dir(repo().join("policies"))
            .unwrap()
            .flatten()
        {
            if entry.path().is_file() {
                std::fs::copy(entry.path(), pack.join(entry.file_name())).unwrap();
            }
        }
        let file = pack.join("network.cedar");
        let text: Vec<String> = std::fs::read_to_string(&file)
            .unwrap()
            .lines()
            .map(|l| match l {
                l if l.starts_with("@not_judged(\"bce: Baidu's SDKs and Terraform") => {
                    annotation.to_string()
                }
                l => l.to_string(),
            })
            .collect();
        std::fs::write(&file, text.join("\n")).unwrap();
        let out = audit(&["policies", "validate", pack.to_str().unwrap()]);
        assert_eq!(code(&out), 3, "{annotation}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.contains("network.cedar:") && err.contains("`@not_judged`: ") && err.contains(says),
            "{annotation}: {err}"
        );
    }
}

#[test]
fn readme_baidu_section_names_every_rule_not_judged_on_bce() {
    let (_, rules) = builtin();
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let start = readme
        .find("**Rules on Baidu.**")
        .expect("README has a Baidu rules paragraph");
    let section = &readme[start..start + readme[start..].find("**Sub-accounts.**").unwrap()];
    let missing: Vec<&str> = rules
        .rules
        .iter()
        .filter(|r| r.not_judged_on(audit_model::Partition::Bce).is_some())
        .map(|r| r.id.as_str())
        .filter(|id| !section.contains(&format!("`{id}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "README's Baidu table does not name {missing:?}"
    );
}
