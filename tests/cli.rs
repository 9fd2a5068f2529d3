//! The binary: exit codes, outputs, determinism, hostile strings.

use crate::common::*;

#[test]
fn clean_snapshot_exits_0() {
    let out = audit(&["check", "--snapshot", "fixtures/clean/aws-cn.json"]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("PASS"));
}

#[test]
fn fail_on_sets_the_threshold() {
    // The only finding here is a medium one.
    let path = "fixtures/rules/logs-trail-no-validation/fail.json";
    let json = |fail_on: &str| {
        let out = audit(&[
            "check",
            "--snapshot",
            path,
            "--fail-on",
            fail_on,
            "--format",
            "json",
            "--allow-incomplete",
        ]);
        (
            code(&out),
            serde_json::from_str::<serde_json::Value>(&stdout(&out)).unwrap(),
        )
    };
    let (c, doc) = json("medium");
    assert_eq!(c, 1);
    assert_eq!(doc["verdict"], "fail");
    let worst = doc["findings"][0]["severity"].as_str().unwrap().to_string();
    assert_eq!(worst, "medium", "{doc}");
    let (c, doc) = json("high");
    assert_eq!(c, 0, "{doc}");
    assert_eq!(doc["verdict"], "pass");
    assert!(doc["summary"]["findings"].as_u64().unwrap() > 0);
}

#[test]
fn gaps_fail_closed_unless_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let path = edited_fixture(&dir, "clean/aws-cn.json", "gappy.json", |doc| {
        doc["gaps"] = serde_json::json!([{
            "service": "ec2", "region": "cn-north-1", "operation": "DescribeSecurityGroups",
            "error_code": "UnauthorizedOperation", "message": "not authorized"
        }]);
    });
    let p = path.as_str();
    let out = audit(&["check", "--snapshot", p]);
    assert_eq!(code(&out), 4, "{}", stdout(&out));
    assert!(stdout(&out).contains("DescribeSecurityGroups"));
    assert!(stdout(&out).contains("INCOMPLETE"));
    let out = audit(&["check", "--snapshot", p, "--allow-incomplete"]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
}

#[test]
fn snapshot_without_an_account_is_incomplete() {
    let out = audit(&[
        "check",
        "--snapshot",
        "fixtures/rules/data-ebs-unencrypted/pass.json",
        "--format",
        "json",
    ]);
    assert_eq!(code(&out), 4);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(doc["gaps"][0]["error_code"], "NoAccountResource");
}

#[test]
fn usage_and_runtime_errors_exit_2() {
    let out = audit(&["check", "--snapshot", "fixtures/no-such-file.json"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("fixtures/no-such-file.json"));
    assert_eq!(code(&audit(&["check"])), 2);
    assert_eq!(
        code(&audit(&["check", "--snapshot", "x", "--fail-on", "severe"])),
        2
    );
    let out = audit(&["explain", "no-such-rule"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("no rule `no-such-rule`"));
}

#[test]
fn output_is_byte_identical_across_runs() {
    for format in ["table", "json"] {
        let args = [
            "check",
            "--snapshot",
            "fixtures/realistic/aws-cn.json",
            "--format",
            format,
        ];
        let first = audit(&args);
        let second = audit(&[&args[..], &["--workers", "1"]].concat());
        assert_eq!(
            first.stdout, second.stdout,
            "{format} output differs between runs"
        );
        assert!(!first.stdout.is_empty());
    }
}

#[test]
fn hostile_strings_cannot_break_the_table() {
    let dir = tempfile::tempdir().unwrap();
    let hostile = "evil\u{1b}[31mRED\u{1b}[0m\nsecond line | =cmd|' /C calc'!A0";
    let path = edited_fixture(
        &dir,
        "rules/tags-mandatory-missing/fail.json",
        "hostile.json",
        |doc| {
            doc["resources"][0]["id"] =
                serde_json::Value::String(format!("arn:aws-cn:s3:::fail-{hostile}"));
        },
    );
    let out = audit(&["check", "--snapshot", path.as_str(), "--allow-incomplete"]);
    let text = stdout(&out);
    assert_eq!(code(&out), 1, "{text}");
    assert!(!text.contains('\u{1b}'), "raw escape reached the terminal");
    assert!(text.contains("\\u{1b}[31mRED"), "{text}");
    // The finding row is one line: the newline is shown, not obeyed.
    assert!(
        text.lines()
            .any(|l| l.contains("fail-evil") && l.contains("second line")),
        "{text}"
    );
}

#[test]
fn rules_explain_and_validate() {
    let out = audit(&["rules"]);
    assert_eq!(code(&out), 0);
    let text = stdout(&out);
    assert!(text.contains("residency-regulated-data-abroad") && text.contains("critical"));
    assert!(
        text.lines()
            .any(|l| l.contains("tco-over-limit") && l.contains("critical")),
        "the built-in TCO rule is listed too: {text}"
    );
    let out = audit(&["explain", "tco-over-limit"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).contains("stale"), "{}", stdout(&out));

    let out = audit(&["explain", "network-admin-port-open"]);
    assert_eq!(code(&out), 0);
    let text = stdout(&out);
    assert!(text.contains("## Why is this bad?"), "{text}");
    assert!(
        text.contains("world_open_ports"),
        "the policy source is shown: {text}"
    );
    assert!(text.contains("policies/network.cedar:"), "{text}");

    let out = audit(&["policies", "validate"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let cedar_files = std::fs::read_dir(repo().join("policies"))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().extension() == Some("cedar".as_ref()))
        .count();
    assert!(
        stdout(&out).contains(&format!("rules in {cedar_files} files valid")),
        "{}",
        stdout(&out)
    );
    assert!(!stdout(&out).contains("warning"), "{}", stdout(&out));

    let out = audit(&["policies", "validate", "policies"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

#[test]
fn workers_must_be_between_1_and_256() {
    for n in ["0", "257", "20000"] {
        let out = audit(&[
            "check",
            "--snapshot",
            "fixtures/clean/aws-cn.json",
            "--workers",
            n,
        ]);
        assert_eq!(code(&out), 2, "--workers {n}: {}", stderr(&out));
    }
    let out = audit(&[
        "check",
        "--snapshot",
        "fixtures/clean/aws-cn.json",
        "--workers",
        "256",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

#[test]
fn a_failed_write_to_stdout_is_an_error() {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_audit"))
        .args([
            "check",
            "--snapshot",
            "fixtures/clean/aws-cn.json",
            "--format",
            "json",
        ])
        .current_dir(repo())
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("cannot write to standard output"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn an_aws_account_without_root_information_is_incomplete() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(fixture("clean/aws-cn.json"))
        .unwrap()
        .replace("aws-cn", "aws")
        .replace("cn-north-1", "us-east-1")
        .replace("cn-northwest-1", "us-west-2");
    let path = dir.path().join("aws.json");
    std::fs::write(&path, text).unwrap();
    let out = audit(&[
        "check",
        "--snapshot",
        path.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(code(&out), 4, "{}", stdout(&out));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(doc["gaps"][0]["error_code"], "RootUserUnknown");
}

#[test]
fn regions_left_out_of_the_header_still_need_a_trail() {
    let dir = tempfile::tempdir().unwrap();
    let path = edited_fixture(&dir, "clean/aws-cn.json", "no-regions.json", |doc| {
        doc["regions"] = serde_json::json!([]);
        // The only trail now covers its own region only.
        doc["resources"][1]["properties"]["is_multi_region"] = false.into();
    });
    let out = audit(&["check", "--snapshot", path.as_str(), "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let finding = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "logs-region-without-trail")
        .unwrap_or_else(|| panic!("no trail finding: {doc}"));
    assert!(
        finding["detail"]
            .as_str()
            .unwrap()
            .contains("cn-northwest-1"),
        "{finding}"
    );
}

#[test]
fn a_byte_order_mark_is_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(std::fs::read(fixture("clean/aws-cn.json")).unwrap());
    let path = dir.path().join("bom.json");
    std::fs::write(&path, bytes).unwrap();
    assert_eq!(
        code(&audit(&["check", "--snapshot", path.to_str().unwrap()])),
        0
    );
}

#[test]
fn bench_generate_never_replaces_what_is_not_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("a-folder");
    std::fs::create_dir(&target).unwrap();
    let out = audit(&[
        "bench",
        "generate",
        "--resources",
        "10",
        "--out",
        target.to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("a-folder") && stderr(&out).contains("not a regular file"),
        "{}",
        stderr(&out)
    );
    assert!(target.is_dir());
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(left.len(), 1, "temp files left behind: {left:?}");

    let file = dir.path().join("s.json");
    let out = audit(&[
        "bench",
        "generate",
        "--resources",
        "50",
        "--out",
        file.to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        code(&audit(&[
            "check",
            "--snapshot",
            file.to_str().unwrap(),
            "--format",
            "json"
        ])),
        1
    );
}
