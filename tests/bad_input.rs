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
