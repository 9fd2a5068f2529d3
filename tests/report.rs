//! `audit report`, waivers, baselines and `audit diff`, through the binary.

use crate::common::*;

const FORMATS: [&str; 5] = [
    "audit-report.md",
    "findings.csv",
    "report.json",
    "audit.sarif",
    "junit.xml",
];

fn report(snapshot: &str, out: &std::path::Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "report",
        "--snapshot",
        snapshot,
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    audit(&args)
}

/// Every format of the realistic fixture equals its checked-in expected file. After a
/// deliberate change, regenerate them with `UPDATE_EXPECTED=1 cargo test`.
#[test]
fn every_format_matches_its_expected_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = report(
        "fixtures/realistic/aws-cn.json",
        dir.path(),
        &["--waivers", "fixtures/realistic/waivers.toml"],
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let expected_dir = fixture("realistic/expected");
    let update = std::env::var_os("UPDATE_EXPECTED").is_some();
    for name in FORMATS {
        let got = std::fs::read_to_string(dir.path().join(name)).unwrap();
        let path = expected_dir.join(name);
        if update {
            std::fs::create_dir_all(&expected_dir).unwrap();
            std::fs::write(&path, &got).unwrap();
        }
        let want = std::fs::read_to_string(&path)
            .unwrap_or_else(|_| panic!("{} missing: run with UPDATE_EXPECTED=1", path.display()));
        assert!(got == want, "{name} differs from {}", path.display());
    }
}

#[test]
fn two_runs_give_identical_bytes() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    report(
        "fixtures/realistic/aws-global.json",
        a.path(),
        &["--workers", "1"],
    );
    report(
        "fixtures/realistic/aws-global.json",
        b.path(),
        &["--workers", "4"],
    );
    for name in FORMATS {
        let x = std::fs::read(a.path().join(name)).unwrap();
        let y = std::fs::read(b.path().join(name)).unwrap();
        assert!(!x.is_empty() && x == y, "{name} differs between runs");
    }
}

#[test]
fn sarif_validates_against_the_official_schema_and_junit_parses() {
    let dir = tempfile::tempdir().unwrap();
    report("fixtures/realistic/aws-global.json", dir.path(), &[]);
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("crates/report/schemas/sarif-2.1.0-rtm.5.json"))
            .unwrap(),
    )
    .unwrap();
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("audit.sarif")).unwrap())
            .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("report.json")).unwrap())
            .unwrap();
    assert_eq!(results.len(), json["findings"].as_array().unwrap().len());

    let xml = std::fs::read_to_string(dir.path().join("junit.xml")).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let failures = doc
        .descendants()
        .filter(|n| n.has_tag_name("failure"))
        .count();
    assert_eq!(
        failures,
        json["summary"]["failing"].as_u64().unwrap() as usize
    );
}

#[test]
fn hostile_strings_are_neutralised_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let out = report("fixtures/hostile/aws-cn.json", dir.path(), &[]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let csv = std::fs::read_to_string(dir.path().join("findings.csv")).unwrap();
    for line in csv.split("\r\n").filter(|l| !l.is_empty()) {
        // A cell can start a record only after a comma or at the line start; none of them
        // may begin with a formula character unless quoted-and-prefixed.
        for cell in line.split(',') {
            let cell = cell.trim_start_matches('"');
            assert!(
                !cell.starts_with(['=', '+', '@', '\t', '\r']),
                "formula-like cell `{cell}` in: {line}"
            );
        }
    }
    // Hostile text at the start of a cell (an id, a region) is defused; the same text in
    // the middle of a cell is harmless and left alone.
    assert!(
        csv.contains("\"'=HYPERLINK(\"\"http://evil.example/x"),
        "{csv}"
    );
    assert!(csv.contains(",'-2+3+cmd|' /C calc'!A0,"), "{csv}");
    let md = std::fs::read_to_string(dir.path().join("audit-report.md")).unwrap();
    assert!(
        !md.contains("<script>") && !md.contains("<img"),
        "raw HTML in the Markdown"
    );
    assert!(
        !md.contains("\n| injected | row |"),
        "a hostile line break split a table row"
    );
    assert!(!md.contains('\u{1b}'), "raw escape in the Markdown");
    let xml = std::fs::read_to_string(dir.path().join("junit.xml")).unwrap();
    roxmltree::Document::parse(&xml).expect("junit.xml still parses");
    let sarif = std::fs::read_to_string(dir.path().join("audit.sarif")).unwrap();
    serde_json::from_str::<serde_json::Value>(&sarif).expect("SARIF still parses");
}

fn write_waivers(dir: &std::path::Path, body: &str) -> String {
    let path = dir.join("waivers.toml");
    std::fs::write(&path, body).unwrap();
    path.to_str().unwrap().to_string()
}

const SG: &str = "arn:aws-cn:ec2:cn-north-1:111122223333:security-group/sg-fail-0a1b2c3d4e5f60718";

#[test]
fn waivers_hold_until_their_last_day_then_fail_the_gate() {
    // The snapshot was collected on 2026-11-20: that day is "today", whatever the clock says.
    let snapshot = "fixtures/rules/network-admin-port-open/fail.json";
    let dir = tempfile::tempdir().unwrap();
    let waiver = |expires: &str| {
        format!(
            "[[waiver]]\nrule = \"network-admin-port-open\"\nresource = \"arn:aws-cn:ec2:*:security-group/sg-fail-*\"\nreason = \"bastion until the VPN lands\"\nowner = \"secops\"\nticket = \"SEC-1\"\nexpires = {expires}\n"
        )
    };
    let json = |w: &str| {
        let out = audit(&[
            "check",
            "--snapshot",
            snapshot,
            "--waivers",
            w,
            "--allow-incomplete",
            "--format",
            "json",
        ]);
        (
            code(&out),
            serde_json::from_str::<serde_json::Value>(&stdout(&out)).unwrap(),
        )
    };
    let finding = |doc: &serde_json::Value| {
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["resource_id"] == SG)
            .cloned()
            .unwrap()
    };

    let (c, doc) = json(&write_waivers(dir.path(), &waiver("2026-11-20")));
    assert_eq!(finding(&doc)["status"], "waived");
    assert_eq!(doc["waivers"][0]["state"], "in-force");
    assert_eq!(c, 0, "only the waived finding, and it is waived: {doc}");

    let (c, doc) = json(&write_waivers(dir.path(), &waiver("2026-11-19")));
    assert_eq!(finding(&doc)["status"], "open");
    assert_eq!(doc["waivers"][0]["state"], "expired");
    assert_eq!(c, 1);

    // A waiver that matches nothing is stale; stale alone does not fail.
    let stale = waiver("2027-01-01").replace("sg-fail-*", "sg-gone");
    let (_, doc) = json(&write_waivers(dir.path(), &stale));
    assert_eq!(doc["waivers"][0]["state"], "stale");
    assert_eq!(finding(&doc)["status"], "open");

    // The table shows the waiver and its state.
    let out = audit(&[
        "check",
        "--snapshot",
        snapshot,
        "--waivers",
        &write_waivers(dir.path(), &waiver("2026-11-19")),
        "--allow-incomplete",
    ]);
    assert!(
        stdout(&out).contains("EXPIRED") && stdout(&out).contains("SEC-1"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn bad_waivers_are_refused_with_their_line() {
    let dir = tempfile::tempdir().unwrap();
    for (body, needle) in [
        (
            "[[waiver]]\nrule = \"no-such-rule\"\nresource = \"*\"\nreason = \"r\"\nowner = \"o\"\nticket = \"t\"\nexpires = 2026-12-31\n",
            ":2:8: unknown rule id `no-such-rule`",
        ),
        (
            "[[waiver]]\nrule = \"cost-volume-gp2\"\nresource = \"*\"\nreason = \" \"\nowner = \"o\"\nticket = \"t\"\nexpires = 2026-12-31\n",
            ":4:10: a waiver needs a non-blank `reason`",
        ),
        (
            "[[waiver]]\nrule = \"cost-volume-gp2\"\nresource = \"*\"\nreason = \"r\"\nowner = \"o\"\nticket = \"t\"\nexpires = 2026-12-31T10:00:00Z\n",
            ":7:11: `expires` must be a date",
        ),
        (
            "[[waiver]]\nrule = \"cost-volume-gp2\"\nresource = \"*\"\nreason = \"r\"\nowner = \"o\"\nticket = \"t\"\nexpires = 2026-12-31\nextra = 1\n",
            ":8:1: unknown field `extra`",
        ),
    ] {
        let w = write_waivers(dir.path(), body);
        let out = audit(&[
            "check",
            "--snapshot",
            "fixtures/clean/aws-cn.json",
            "--waivers",
            &w,
        ]);
        assert_eq!(code(&out), 3, "{body}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(&format!("{w}{needle}")),
            "{body}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn a_baseline_fails_only_new_findings_and_diff_names_them() {
    let dir = tempfile::tempdir().unwrap();
    let old = "fixtures/realistic/aws-cn.json";
    let base = dir.path().join("baseline.json");
    let out = audit(&["check", "--snapshot", old, "--format", "json"]);
    std::fs::write(&base, &out.stdout).unwrap();
    let b = base.to_str().unwrap();

    // The same snapshot against its own baseline: nothing new, the gate passes.
    let out = audit(&[
        "check",
        "--snapshot",
        old,
        "--baseline",
        b,
        "--format",
        "json",
    ]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(doc["summary"]["open"], 0);
    assert!(doc["summary"]["baselined"].as_u64().unwrap() > 30);

    // One new bad resource: exactly its findings are open.
    let new_path = edited_fixture(&dir, "realistic/aws-cn.json", "new.json", |snap| {
        snap["resources"].as_array_mut().unwrap().push(serde_json::json!({
        "id": "arn:aws-cn:ec2:cn-north-1:210987654321:volume/vol-new", "type": "ebs_volume",
        "region": "cn-north-1", "tags": {"owner": "a", "cost-center": "b", "env": "c", "data-class": "internal"},
        "properties": {"volume_id": "vol-new", "volume_type": "gp3", "size_gib": 10, "encrypted": false,
                       "state": "in-use", "attached_instance_ids": ["i-1"]}
    }));
    });
    let n = new_path.as_str();
    let out = audit(&[
        "check",
        "--snapshot",
        n,
        "--baseline",
        b,
        "--format",
        "json",
    ]);
    assert_eq!(code(&out), 1);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let open: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "open")
        .map(|f| f["rule_id"].as_str().unwrap())
        .collect();
    assert_eq!(open, ["data-ebs-unencrypted"]);

    // diff: snapshot against snapshot, and findings file against snapshot.
    for old_arg in [old, b] {
        let out = audit(&["diff", old_arg, n, "--format", "json"]);
        assert_eq!(code(&out), 1, "{}", stderr(&out));
        let d: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
        assert_eq!(d["new_findings"].as_array().unwrap().len(), 1, "{d}");
        assert_eq!(
            d["new_findings"][0]["resource_id"],
            "arn:aws-cn:ec2:cn-north-1:210987654321:volume/vol-new"
        );
        assert_eq!(d["fixed_findings"].as_array().unwrap().len(), 0);
    }
    let out = audit(&["diff", n, old]);
    assert_eq!(code(&out), 0, "nothing new going back");
    assert!(stdout(&out).contains("0 new, 1 fixed"), "{}", stdout(&out));
}

/// A day passing (key ages tick) or a partial fix must not make a baselined finding new;
/// a newly opened admin port on a baselined security group must.
#[test]
fn baselines_survive_a_day_and_partial_fixes_but_not_new_exposure() {
    let dir = tempfile::tempdir().unwrap();
    let old = "fixtures/realistic/aws-cn.json";
    let base = dir.path().join("baseline.json");
    std::fs::write(
        &base,
        audit(&["check", "--snapshot", old, "--format", "json"]).stdout,
    )
    .unwrap();
    let b = base.to_str().unwrap();
    let next = edited_fixture(&dir, "realistic/aws-cn.json", "next.json", |snap| {
        snap["collected_at"] = "2026-11-21T02:00:00Z".into();
        let resources = snap["resources"].as_array_mut().unwrap();
        // A partial fix: one of four missing tags added.
        let untagged = resources
            .iter_mut()
            .find(|r| r["type"] == "vpc" && r["tags"].as_object().unwrap().is_empty())
            .expect("an untagged vpc in the fixture");
        untagged["tags"]["owner"] = "netops".into();
        // New exposure on a security group already baselined for port 22.
        let sg = resources
            .iter_mut()
            .find(|r| {
                r["id"]
                    == "arn:aws-cn:ec2:cn-north-1:210987654321:security-group/sg-0a11b22c33d44e501"
            })
            .unwrap();
        sg["properties"]["ingress"].as_array_mut().unwrap().push(serde_json::json!(
        {"protocol": "tcp", "from_port": 3389, "to_port": 3389, "ipv4_ranges": ["0.0.0.0/0"], "ipv6_ranges": []}
    ));
    });
    let out = audit(&[
        "check",
        "--snapshot",
        next.as_str(),
        "--baseline",
        b,
        "--format",
        "json",
    ]);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let open: Vec<(String, String)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "open")
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().into(),
                f["detail"].as_str().unwrap().into(),
            )
        })
        .collect();
    // What is genuinely new a day later: the exposure, and a key that crossed 90 days.
    let rules: Vec<&str> = open.iter().map(|(r, _)| r.as_str()).collect();
    assert!(rules.contains(&"network-admin-port-open"), "{open:?}");
    assert!(
        !rules.contains(&"tags-mandatory-missing"),
        "a partial fix became new: {open:?}"
    );
    assert!(
        open.iter()
            .all(|(r, d)| r != "iam-access-key-too-old" || d.contains("91 days")),
        "an old key became new only because it aged a day: {open:?}"
    );
}

#[test]
fn baselines_and_diffs_refuse_other_accounts_versions_and_hidden_gaps() {
    let dir = tempfile::tempdir().unwrap();
    let global = dir.path().join("global.json");
    std::fs::write(
        &global,
        audit(&[
            "check",
            "--snapshot",
            "fixtures/realistic/aws-global.json",
            "--format",
            "json",
        ])
        .stdout,
    )
    .unwrap();
    let g = global.to_str().unwrap();
    let out = audit(&[
        "check",
        "--snapshot",
        "fixtures/realistic/aws-cn.json",
        "--baseline",
        g,
    ]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("invalid baseline") && stderr(&out).contains("123456789012"),
        "{}",
        stderr(&out)
    );
    let out = audit(&["diff", g, "fixtures/realistic/aws-cn.json"]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));

    let future = dir.path().join("future.json");
    let text = std::fs::read_to_string(&global).unwrap().replacen(
        "\"schema_version\": 1",
        "\"schema_version\": 99",
        1,
    );
    std::fs::write(&future, text).unwrap();
    let out = audit(&[
        "check",
        "--snapshot",
        "fixtures/realistic/aws-global.json",
        "--baseline",
        future.to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 3);
    assert!(
        stderr(&out).contains("unsupported schema_version 99"),
        "{}",
        stderr(&out)
    );

    // A side with a gap: its missing findings must not read as fixed.
    let gappy = edited_fixture(&dir, "realistic/aws-cn.json", "gappy.json", |snap| {
        snap["resources"]
            .as_array_mut()
            .unwrap()
            .retain(|r| r["type"] != "security_group");
        snap["gaps"] = serde_json::json!([{"service": "ec2", "region": "cn-north-1",
        "operation": "DescribeSecurityGroups", "error_code": "AccessDenied", "message": "denied"}]);
    });
    let p = gappy.as_str();
    let out = audit(&["diff", "fixtures/realistic/aws-cn.json", p]);
    assert_eq!(code(&out), 4, "{}", stdout(&out));
    assert!(
        stdout(&out).contains("coverage gap in new: ec2 DescribeSecurityGroups"),
        "{}",
        stdout(&out)
    );
    let out = audit(&[
        "diff",
        "fixtures/realistic/aws-cn.json",
        p,
        "--allow-incomplete",
    ]);
    assert_eq!(code(&out), 0);
}

#[test]
fn sarif_says_unchanged_for_a_known_finding_a_waiver_now_covers() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("baseline.json");
    std::fs::write(
        &base,
        audit(&[
            "check",
            "--snapshot",
            "fixtures/realistic/aws-cn.json",
            "--format",
            "json",
        ])
        .stdout,
    )
    .unwrap();
    report(
        "fixtures/realistic/aws-cn.json",
        dir.path(),
        &[
            "--waivers",
            "fixtures/realistic/waivers.toml",
            "--baseline",
            base.to_str().unwrap(),
            "--format",
            "sarif",
        ],
    );
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("audit.sarif")).unwrap())
            .unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let waived = results
        .iter()
        .find(|r| r.get("suppressions").is_some())
        .expect("a waived result");
    assert_eq!(waived["baselineState"], "unchanged");
    assert!(results.iter().all(|r| r["baselineState"] == "unchanged"));
}
