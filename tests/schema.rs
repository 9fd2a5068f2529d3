//! The checked-in JSON Schema is the one the code generates, and every good fixture
//! validates against it.

use crate::common::*;

#[test]
fn checked_in_schema_matches_the_code() {
    let out = audit(&["schema"]);
    assert_eq!(code(&out), 0);
    let checked_in = std::fs::read_to_string(repo().join("docs/snapshot.schema.json")).unwrap();
    assert!(
        stdout(&out) == checked_in,
        "docs/snapshot.schema.json is stale: run `audit schema > docs/snapshot.schema.json`"
    );
}

#[test]
fn fixtures_validate_against_the_schema_and_bad_ones_do_not() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("docs/snapshot.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let mut good = vec![
        fixture("realistic/aws-cn.json"),
        fixture("realistic/aws-global.json"),
        fixture("clean/aws-cn.json"),
    ];
    for entry in std::fs::read_dir(fixture("rules")).unwrap().flatten() {
        good.push(entry.path().join("fail.json"));
        good.push(entry.path().join("pass.json"));
    }
    for path in &good {
        let doc: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{}: {errors:?}", path.display());
    }
    for bad in [
        "snapshot-wrong-type.json",
        "snapshot-unknown-version.json",
        "snapshot-missing-field.json",
        "snapshot-unknown-type.json",
    ] {
        let doc: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(fixture(&format!("bad/{bad}"))).unwrap())
                .unwrap();
        assert!(!validator.is_valid(&doc), "{bad} should not validate");
    }
}
