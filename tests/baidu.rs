//! `audit collect --provider baidu` end to end: the binary against the local BCE server
//! (tests/bce/server.py, seeded by seed.py), then `audit check` on what it wrote.

use std::collections::BTreeSet;
use std::process::Command;

use crate::common::*;
use crate::moto::start_script;

const ACCOUNT: &str = "6b3a2c1d9e8f4a7b8c9d0e1f2a3b4c5d";

fn collect(port: u16, out: &std::path::Path, extra: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_audit"))
        .args(["collect", "--provider", "baidu", "--region", "bj,su,hkg"])
        .args(["--endpoint-url", &format!("http://127.0.0.1:{port}")])
        .arg("--out")
        .arg(out)
        .args(extra)
        .current_dir(repo())
        .env("HOME", out.parent().unwrap())
        .env("BAIDUCLOUD_ACCESS_KEY", "AKAUDITREADER0000000000000000001")
        .env("BAIDUCLOUD_SECRET_KEY", "SKauditreader00000000000000000001")
        .output()
        .unwrap()
}

#[test]
fn collect_then_check_gives_the_seeded_findings() {
    let port = start_script("../bce/server.py", &[]);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bce-{account}.json");
    let run = collect(port, &out, &[]);
    assert_eq!(code(&run), 0, "{}", stderr(&run));
    let err = stderr(&run);
    assert!(
        err.contains(&format!(
            "resources of account {ACCOUNT} (bce, 3 region(s): bj hkg su)"
        )) && err.contains("0 gap(s)"),
        "{err}"
    );
    let snapshot = dir.path().join(format!("bce-{ACCOUNT}.json"));
    let text = std::fs::read_to_string(&snapshot).unwrap();
    assert!(
        !text.contains("SKauditreader"),
        "the secret is in the snapshot"
    );
    assert!(!err.contains("SKauditreader"), "the secret is in the log");

    // Baidu has no password-policy, root-user or trail API: those rules are listed as not
    // judged, so the missing account resource is no gap, and the gate gives its verdict.
    let check = audit(&[
        "check",
        "--snapshot",
        snapshot.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(code(&check), 1, "{}", stderr(&check));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&check)).unwrap();
    let found: BTreeSet<(String, String)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let id = f["resource_id"].as_str().unwrap();
            let short = id.rsplit_once(':').map_or(id, |(_, s)| s);
            (
                f["rule_id"].as_str().unwrap().to_string(),
                short.to_string(),
            )
        })
        .collect();
    let not_judged: BTreeSet<&str> = doc["not_judged"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["rule_id"].as_str().unwrap())
        .collect();
    for rule in [
        "iam-password-policy-weak",
        "iam-root-no-mfa",
        "logs-region-without-trail",
        "network-vpc-no-flow-logs",
        "data-rds-unencrypted",
    ] {
        assert!(
            not_judged.contains(rule),
            "{rule} not listed: {not_judged:?}"
        );
    }
    assert_eq!(doc["summary"]["gaps"], 0, "{doc}");
    // A rule not judged here gives no finding, even where its facts default to failing
    // (no RDS instance says it is encrypted: Baidu has no such field).
    for (rule, res) in &found {
        assert!(
            !not_judged.contains(rule.as_str()),
            "{rule} on {res}, not judged on bce"
        );
    }
    // The table and the Markdown report say so too.
    let table = audit(&["check", "--snapshot", snapshot.to_str().unwrap()]);
    assert!(
        stdout(&table).contains("not judged on bce:"),
        "{}",
        stdout(&table)
    );
    let reports = dir.path().join("reports");
    let report = audit(&[
        "report",
        "--snapshot",
        snapshot.to_str().unwrap(),
        "--out",
        reports.to_str().unwrap(),
    ]);
    assert_eq!(code(&report), 1, "{}", stderr(&report));
    let md = std::fs::read_to_string(reports.join("audit-report.md")).unwrap();
    assert!(md.contains("## Not judged on this provider (bce)"), "{md}");
    assert!(md.contains("| network-vpc-no-flow-logs |"), "{md}");
    let sarif = std::fs::read_to_string(reports.join("audit.sarif")).unwrap();
    assert!(
        sarif.contains("rule network-vpc-no-flow-logs was not judged on partition bce: "),
        "{sarif}"
    );
    let has = |rule: &str, res: &str| found.contains(&(rule.to_string(), res.to_string()));
    // Each seeded violation is found...
    for (rule, res) in [
        ("residency-regulated-data-abroad", "bucket/camera-video-hkg"),
        (
            "data-s3-public-access-not-blocked",
            "bucket/camera-video-hkg",
        ),
        ("logs-retention-too-short", "logstore/default/app-logs-90d"),
        ("tags-mandatory-missing", "instance/i-bjweb001"),
        ("tags-mandatory-missing", "bucket/ml-datasets-su"),
        ("iam-console-user-no-mfa", "user/alice"),
        ("iam-access-key-too-old", "user/alice"),
        ("network-admin-port-open", "security-group/g-bj-ssh-open"),
        ("data-ebs-unencrypted", "volume/v-bj-data-plain"),
        ("data-rds-public", "instance/rdsmbj0002"),
        ("data-rds-backup-too-short", "instance/rdsmbj0002"),
        ("data-kms-rotation-off", "key/kms-bj-db-norotate"),
        // AdministratorAccess attached directly, and through the `sre` group.
        ("iam-user-admin", "user/alice"),
        ("iam-user-admin", "user/bob"),
        // Tags from the tag service: an untagged CCE cluster and CFS file system.
        ("tags-mandatory-missing", "cluster/cce-su-train01"),
        ("tags-mandatory-missing", "file-system/cfs-su-scratch01"),
        // An untagged application load balancer.
        ("tags-mandatory-missing", "load-balancer/lb-su-infer01"),
    ] {
        assert!(has(rule, res), "{rule} on {res} missing from {found:#?}");
    }
    // ...and its compliant twin is not.
    for (rule, res) in [
        ("residency-regulated-data-abroad", "bucket/camera-video-bj"),
        (
            "data-s3-public-access-not-blocked",
            "bucket/camera-video-bj",
        ),
        (
            "logs-retention-too-short",
            "logstore/default/audit-logs-365d",
        ),
        ("tags-mandatory-missing", "instance/i-bjgpu002"),
        ("iam-console-user-no-mfa", "user/bob"),
        ("iam-console-user-no-mfa", "user/ci-deployer"),
        ("network-admin-port-open", "security-group/g-bj-private"),
        ("data-ebs-unencrypted", "volume/v-bj-data-enc"),
        ("data-rds-public", "instance/rdsmbj0001"),
        ("data-kms-rotation-off", "key/kms-bj-video-rotated"),
        ("iam-user-admin", "user/ci-deployer"),
        ("tags-mandatory-missing", "cluster/cce-bj-web01"),
        ("tags-mandatory-missing", "file-system/cfs-bj-shared01"),
        ("tags-mandatory-missing", "load-balancer/lb-bj-api01"),
        ("tags-mandatory-missing", "load-balancer/lb-bj-web01"),
        // Baidu's KMS keys cannot carry tags.
        ("tags-mandatory-missing", "key/kms-bj-db-norotate"),
    ] {
        assert!(!has(rule, res), "{rule} on {res}, a compliant resource");
    }
}

#[test]
fn baidu_usage_errors_are_clear() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s.json");
    // Plain http anywhere but the loopback address is refused before any call.
    let run = Command::new(env!("CARGO_BIN_EXE_audit"))
        .args(["collect", "--provider", "baidu", "--region", "bj"])
        .args(["--endpoint-url", "http://10.1.2.3:80", "--out"])
        .arg(&out)
        .env("BAIDUCLOUD_ACCESS_KEY", "AK")
        .env("BAIDUCLOUD_SECRET_KEY", "SK")
        .output()
        .unwrap();
    assert_eq!(code(&run), 2, "{}", stderr(&run));
    assert!(
        stderr(&run).contains("only to the loopback address"),
        "{}",
        stderr(&run)
    );
    // No credentials anywhere: named, with where to put them.
    let run = Command::new(env!("CARGO_BIN_EXE_audit"))
        .args(["collect", "--provider", "baidu", "--region", "bj", "--out"])
        .arg(&out)
        .env("HOME", dir.path())
        .env_remove("BAIDUCLOUD_ACCESS_KEY")
        .env_remove("BAIDUCLOUD_SECRET_KEY")
        .env_remove("BAIDUCLOUD_CREDENTIALS_FILE")
        .output()
        .unwrap();
    assert_eq!(code(&run), 2);
    assert!(
        stderr(&run).contains("no Baidu credentials"),
        "{}",
        stderr(&run)
    );
    let run = Command::new(env!("CARGO_BIN_EXE_audit"))
        .args([
            "collect",
            "--provider",
            "baidu",
            "--region",
            "cn-north-1",
            "--out",
        ])
        .arg(&out)
        .env("BAIDUCLOUD_ACCESS_KEY", "AK")
        .env("BAIDUCLOUD_SECRET_KEY", "SK")
        .output()
        .unwrap();
    assert_eq!(code(&run), 2);
    assert!(
        stderr(&run).contains("unknown Baidu region `cn-north-1`"),
        "{}",
        stderr(&run)
    );
    assert!(!out.exists(), "nothing is written on a usage error");
}

/// POSTs `body` to the server's admin path (plain HTTP on the loopback address).
fn admin(port: u16, path: &str, body: &str) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        s,
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut reply = String::new();
    s.read_to_string(&mut reply).unwrap();
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
}

#[test]
fn a_failing_baidu_call_is_a_gap_and_the_gate_exits_4() {
    let port = start_script("../bce/server.py", &[]);
    for (op, fault) in [
        ("rds:ListInstances", "AccessDenied"),
        ("kms:ListKeys", "500"),
        ("iam:ListUsers", "drop"),
    ] {
        admin(
            port,
            "/__admin/faults",
            &format!(r#"{{"operation": "{op}", "fault": "{fault}"}}"#),
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bce.json");
    let run = collect(port, &out, &["--max-attempts", "2"]);
    assert_eq!(code(&run), 0, "{}", stderr(&run));
    let err = stderr(&run);
    assert!(
        err.contains("gap: rds bj ListInstances: AccessDenied"),
        "{err}"
    );
    assert!(err.contains("gap: kms bj ListKeys: InternalError"), "{err}");
    assert!(err.contains("gap: iam global ListUsers: "), "{err}");
    assert!(err.contains("`audit check` fails it (exit 4)"), "{err}");
    let check = audit(&["check", "--snapshot", out.to_str().unwrap()]);
    assert_eq!(code(&check), 4, "{}", stdout(&check));
    assert!(stdout(&check).contains("INCOMPLETE"), "{}", stdout(&check));
}

#[test]
fn the_baidu_bill_becomes_focus_rows_that_audit_tco_reads() {
    let port = start_script("../bce/server.py", &[]);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bce.json");
    let costs = dir.path().join("costs-{account}.csv");
    let run = collect(
        port,
        &out,
        &[
            "--costs",
            costs.to_str().unwrap(),
            "--costs-end",
            "2026-11",
            "--costs-months",
            "2",
        ],
    );
    assert_eq!(code(&run), 0, "{}", stderr(&run));
    assert!(
        stderr(&run).contains("wrote 6 cost rows"),
        "{}",
        stderr(&run)
    );
    let csv = std::fs::read_to_string(dir.path().join(format!("costs-{ACCOUNT}.csv"))).unwrap();
    // seed.py's bills, both product types, summed per month, service and cost center.
    assert_eq!(
        csv,
        "ChargePeriodStart,ChargePeriodEnd,BilledCost,EffectiveCost,BillingCurrency,ServiceName,ServiceCategory,Tags\n\
         2026-09-01T00:00:00Z,2026-10-01T00:00:00Z,52000.5,52000.5,CNY,BCC,Compute,\"{\"\"cost-center\"\":\"\"cc-4120\"\"}\"\n\
         2026-09-01T00:00:00Z,2026-10-01T00:00:00Z,300,300,CNY,BOS,Storage,{}\n\
         2026-09-01T00:00:00Z,2026-10-01T00:00:00Z,1200.25,1200.25,CNY,BOS,Storage,\"{\"\"cost-center\"\":\"\"cc-4120\"\"}\"\n\
         2026-10-01T00:00:00Z,2026-11-01T00:00:00Z,999.5,999.5,CNY,BCC,Compute,{}\n\
         2026-10-01T00:00:00Z,2026-11-01T00:00:00Z,52000.5,52000.5,CNY,BCC,Compute,\"{\"\"cost-center\"\":\"\"cc-4120\"\"}\"\n\
         2026-10-01T00:00:00Z,2026-11-01T00:00:00Z,4000,4000,CNY,RDS,Databases,\"{\"\"cost-center\"\":\"\"cc-4300\"\"}\"\n"
    );
    // `audit tco` gates it: 2026-10's 57,000 of bill + the assumptions' cloud-side costs of
    // 169,500 a month = 226,500 against the IDC's 2,451,912.91.
    let tco = audit(&[
        "tco",
        "--costs",
        dir.path()
            .join(format!("costs-{ACCOUNT}.csv"))
            .to_str()
            .unwrap(),
        "--out",
        dir.path().join("tco").to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(code(&tco), 0, "{}", stderr(&tco));
    let doc: serde_json::Value = serde_json::from_slice(&tco.stdout).unwrap();
    assert_eq!(doc["gated"]["from"], "2026-10");
    assert_eq!(doc["gated"]["cloud"], 226_500.0);
    let ratio = doc["gated"]["ratio"].as_f64().unwrap();
    assert!((ratio - 226_500.0 / 2_451_912.91).abs() < 1e-4, "{ratio}");

    // A bill that cannot be read fails the run and writes neither file.
    admin(
        port,
        "/__admin/faults",
        r#"{"operation": "billing:ResourceMonthBill", "fault": "AccessDenied"}"#,
    );
    let out2 = dir.path().join("again.json");
    let costs2 = dir.path().join("again.csv");
    let run = collect(
        port,
        &out2,
        &[
            "--costs",
            costs2.to_str().unwrap(),
            "--costs-end",
            "2026-11",
        ],
    );
    assert_eq!(code(&run), 2, "{}", stderr(&run));
    assert!(
        stderr(&run).contains("billing: ResourceMonthBill for "),
        "{}",
        stderr(&run)
    );
    assert!(stderr(&run).contains("AccessDenied"), "{}", stderr(&run));
    assert!(
        !out2.exists() && !costs2.exists(),
        "nothing is written when the bill fails"
    );
}
