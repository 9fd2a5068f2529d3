//! Bad input exits 3 with a message that names the file and the place; nothing panics.

use crate::common::*;

fn refused(args: &[&str], must_contain: &[&str]) {
    let out = audit(args);
    let err = stderr(&out);
    assert_eq!(code(&out), 3, "{args:?} exit; stderr: {err}");
    assert!(!err.contains("panicked"), "{args:?} panicked: {err}");
    assert!(
        stdout(&out).is_empty(),
        "{args:?} printed a result: {}",
        stdout(&out)
    );
    for needle in must_contain {
        assert!(
            err.contains(needle),
            "{args:?}: stderr lacks `{needle}`:\n{err}"
        );
    }
}

fn snapshot(name: &str, must_contain: &[&str]) {
    let path = format!("fixtures/bad/{name}");
    let mut needles = vec![path.as_str(), "line "];
    needles.extend_from_slice(must_contain);
    refused(&["check", "--snapshot", &path], &needles);
}

#[test]
fn truncated_snapshot() {
    snapshot("snapshot-truncated.json", &["EOF"]);
}

#[test]
fn wrong_type_names_the_json_path() {
    snapshot(
        "snapshot-wrong-type.json",
        &["resources[", "encrypted", "invalid type"],
    );
}

#[test]
fn unknown_schema_version() {
    snapshot(
        "snapshot-unknown-version.json",
        &["unsupported schema_version 2", "schema_version"],
    );
}

#[test]
fn missing_field() {
    snapshot(
        "snapshot-missing-field.json",
        &["missing field `storage_encrypted`", "resources["],
    );
}

#[test]
fn unknown_resource_type() {
    snapshot("snapshot-unknown-type.json", &["s3_bucket_v2", "].type`"]);
}

#[test]
fn repeated_header_key() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(fixture("clean/aws-cn.json")).unwrap();
    let path = dir.path().join("twice.json");
    std::fs::write(
        &path,
        text.replacen(
            "\"account_id\"",
            "\"account_id\": \"999\", \"account_id\"",
            1,
        ),
    )
    .unwrap();
    let p = path.to_str().unwrap();
    refused(
        &["check", "--snapshot", p],
        &[p, "line 5", "duplicate field `account_id`"],
    );
}

#[test]
fn duplicate_resource_id() {
    snapshot("snapshot-duplicate-id.json", &["duplicate resource id"]);
}

#[test]
fn not_json() {
    snapshot("snapshot-not-json.txt", &["expected value"]);
}

#[test]
fn policy_with_a_syntax_error() {
    refused(
        &[
            "check",
            "--snapshot",
            "fixtures/clean/aws-cn.json",
            "--policies",
            "fixtures/bad/policy-syntax",
        ],
        &["fixtures/bad/policy-syntax/broken.cedar:"],
    );
    refused(
        &["policies", "validate", "fixtures/bad/policy-syntax"],
        &["broken.cedar:"],
    );
}

#[test]
fn policy_with_a_misspelled_attribute() {
    refused(
        &[
            "policies",
            "validate",
            "fixtures/bad/policy-misspelled-attribute",
        ],
        &["typo.cedar:", "retention_dayz"],
    );
}

#[test]
fn policy_without_a_severity() {
    refused(
        &[
            "policies",
            "validate",
            "fixtures/bad/policy-missing-annotation",
        ],
        &["@severity"],
    );
}

#[test]
fn config_errors_name_file_line_and_column() {
    refused(
        &[
            "check",
            "--snapshot",
            "fixtures/clean/aws-cn.json",
            "--config",
            "fixtures/bad/config-unknown-key.toml",
        ],
        &[
            "fixtures/bad/config-unknown-key.toml:2:",
            "min_retention_dayz",
        ],
    );
    refused(
        &[
            "check",
            "--snapshot",
            "fixtures/clean/aws-cn.json",
            "--config",
            "fixtures/bad/config-wrong-type.toml",
        ],
        &["fixtures/bad/config-wrong-type.toml:2:", "invalid type"],
    );
    refused(
        &[
            "check",
            "--snapshot",
            "fixtures/clean/aws-cn.json",
            "--config",
            "fixtures/bad/config-unknown-rule.toml",
        ],
        &[
            "fixtures/bad/config-unknown-rule.toml:2:",
            "unknown rule id `no-such-rule`",
        ],
    );
}

/// A named edit of a fixture and what the refusal must say.
type Case = (
    &'static str,
    Box<dyn FnOnce(&mut serde_json::Value)>,
    &'static [&'static str],
);

#[test]
fn inconsistent_resources_are_refused_at_their_place() {
    let dir = tempfile::tempdir().unwrap();
    let sg = serde_json::json!({
        "id": "arn:aws-cn:ec2:cn-north-1:111122223333:security-group/sg-1", "type": "security_group",
        "region": "cn-north-1", "tags": {},
        "properties": {"group_id": "sg-1", "name": "web", "ingress": [
            {"protocol": "tcp", "from_port": 22, "to_port": 22, "ipv4_ranges": ["0.0.0.0/0"], "ipv6_ranges": []}
        ]}
    });
    let cases: Vec<Case> = vec![
        (
            "global-bucket.json",
            Box::new(|d| d["resources"][2]["region"] = "global".into()),
            &["resources[2]", "a `s3_bucket` lives in a region"],
        ),
        (
            "regional-account.json",
            Box::new(|d| d["resources"][0]["region"] = "cn-north-1".into()),
            &["resources[0]", "must be `global`"],
        ),
        (
            "reversed-ports.json",
            Box::new({
                let mut sg = sg.clone();
                move |d| {
                    sg["properties"]["ingress"][0]["from_port"] = 65535.into();
                    sg["properties"]["ingress"][0]["to_port"] = 0.into();
                    d["resources"].as_array_mut().unwrap().push(sg);
                }
            }),
            &["resources[4].properties.ingress[0]", "runs backwards"],
        ),
        (
            "bad-cidr.json",
            Box::new({
                let mut sg = sg.clone();
                move |d| {
                    sg["properties"]["ingress"][0]["ipv4_ranges"][0] = "not-a-cidr".into();
                    d["resources"].as_array_mut().unwrap().push(sg);
                }
            }),
            &[
                "resources[4].properties.ingress[0]",
                "`not-a-cidr` is not an IPv4 CIDR block",
            ],
        ),
    ];
    for (name, edit, needles) in cases {
        let path = edited_fixture(&dir, "clean/aws-cn.json", name, edit);
        let mut all = vec![path.as_str()];
        all.extend_from_slice(needles);
        refused(&["check", "--snapshot", &path], &all);
    }
    // Duplicate tag keys cannot be made with serde_json: write the text by hand.
    let text = std::fs::read_to_string(fixture("clean/aws-cn.json"))
        .unwrap()
        .replacen(
            "\"data-class\": \"camera-video\"",
            "\"data-class\": \"camera-video\", \"data-class\": \"internal\"",
            1,
        );
    let path = dir.path().join("dup-tag.json");
    std::fs::write(&path, text).unwrap();
    let p = path.to_str().unwrap();
    refused(
        &["check", "--snapshot", p],
        &[p, "duplicate tag key `data-class`", "resources[2].tags"],
    );
}

#[test]
fn a_gate_without_rules_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (_, rules) = builtin();
    let ids: Vec<String> = rules.rules.iter().map(|r| format!("{:?}", r.id)).collect();
    let cfg = dir.path().join("all-off.toml");
    std::fs::write(&cfg, format!("[rules]\ndisabled = [{}]\n", ids.join(", "))).unwrap();
    let c = cfg.to_str().unwrap();
    refused(
        &[
            "check",
            "--snapshot",
            "fixtures/clean/aws-cn.json",
            "--config",
            c,
        ],
        &[c, "every rule is disabled"],
    );

    let pack = dir.path().join("empty-pack");
    std::fs::create_dir(&pack).unwrap();
    for f in ["schema.cedarschema", "audit.toml"] {
        std::fs::copy(repo().join("policies").join(f), pack.join(f)).unwrap();
    }
    refused(
        &["policies", "validate", pack.to_str().unwrap()],
        &["the rule pack has no rules"],
    );
}

#[test]
fn validation_errors_name_the_rule_not_cedars_policy_number() {
    refused(
        &[
            "policies",
            "validate",
            "fixtures/bad/policy-misspelled-attribute",
        ],
        &["typo.cedar:10:8", "for policy `", "retention_dayz"],
    );
    let out = audit(&[
        "policies",
        "validate",
        "fixtures/bad/policy-misspelled-attribute",
    ]);
    assert!(!stderr(&out).contains("policy0"), "{}", stderr(&out));
}
