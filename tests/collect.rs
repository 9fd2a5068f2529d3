//! `audit collect` and `audit merge` against the real AWS SDK and a real AWS API emulator
//! (moto in server mode on 127.0.0.1), seeded with the migrating company's account.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::{Value, json};

use crate::common::{code, repo, stderr, stdout};
use crate::moto::{audit_cmd, moto, run, start_script};

const CN: (&str, &[&str]) = ("aws-cn", &["cn-north-1", "cn-northwest-1"]);
const GLOBAL: (&str, &[&str]) = ("aws", &["us-east-1", "ap-southeast-1"]);

fn collect(
    endpoint: &str,
    partition: (&str, &[&str]),
    out: &Path,
    extra: &[&str],
) -> std::process::Output {
    let mut cmd = audit_cmd();
    cmd.args([
        "collect",
        "--endpoint-url",
        endpoint,
        "--partition",
        partition.0,
    ]);
    for r in partition.1 {
        cmd.args(["--region", r]);
    }
    cmd.arg("--out").arg(out).args(extra);
    let output = run(&mut cmd);
    // The collector never writes what its own reader refuses: whatever it wrote, `check`
    // reads (exit 0 or 1, or 4 for an incomplete snapshot), never exit 3. A run that
    // failed wrote nothing (what is there is an earlier file, left as it was).
    if code(&output) == 0 && out.exists() {
        assert_readable(out);
    }
    output
}

fn assert_readable(snapshot: &Path) {
    let checked = crate::common::audit(&[
        "check",
        "--snapshot",
        snapshot.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_ne!(
        code(&checked),
        3,
        "`check` refuses the snapshot `collect` wrote ({}): {}",
        snapshot.display(),
        stderr(&checked)
    );
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The seeded resources of one partition, by snapshot id.
fn seeded(partition: &str) -> BTreeMap<String, &'static Value> {
    moto().manifest["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["partition"] == partition)
        .map(|r| (r["id"].as_str().unwrap().to_string(), r))
        .collect()
}

/// Collected once per partition and shared by the tests that only read it.
fn snapshot_of(partition: (&str, &'static [&'static str])) -> &'static Path {
    use std::sync::OnceLock;
    static CN_SNAP: OnceLock<tempfile::TempDir> = OnceLock::new();
    static GL_SNAP: OnceLock<tempfile::TempDir> = OnceLock::new();
    let cell = if partition.0 == "aws-cn" {
        &CN_SNAP
    } else {
        &GL_SNAP
    };
    cell.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let out = collect(
            &moto().url,
            partition,
            &dir.path().join("snapshot.json"),
            &[],
        );
        assert_eq!(code(&out), 0, "collect {}: {}", partition.0, stderr(&out));
        dir
    })
    .path()
}

fn snapshot_path(partition: (&str, &'static [&'static str])) -> std::path::PathBuf {
    snapshot_of(partition).join("snapshot.json")
}

/// Checks the properties the manifest gives for a resource against the snapshot's.
fn assert_properties(label: &str, want: &Value, got: &Value) {
    for (key, value) in want.as_object().unwrap() {
        match key.as_str() {
            "mfa" => assert_eq!(
                !got["mfa_devices"].as_array().unwrap().is_empty(),
                value.as_bool().unwrap(),
                "{label}: mfa"
            ),
            "keys" => assert_eq!(
                got["access_keys"].as_array().unwrap().len() as u64,
                value.as_u64().unwrap(),
                "{label}: access keys"
            ),
            "inline" => {
                let names: Vec<&str> = got["inline_policies"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| p["name"].as_str().unwrap())
                    .collect();
                let want: Vec<&str> = value
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_str().unwrap())
                    .collect();
                assert_eq!(names, want, "{label}: inline policies");
            }
            "ingress" => {
                let got: Vec<Value> = got["ingress"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| {
                        json!({"protocol": r["protocol"], "from_port": r["from_port"], "to_port": r["to_port"],
                               "ipv4_ranges": r["ipv4_ranges"], "ipv6_ranges": r["ipv6_ranges"]})
                    })
                    .collect();
                assert_eq!(&Value::Array(got), value, "{label}: ingress");
            }
            "listeners" => {
                let got: Vec<Value> = got["listeners"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|l| json!({"port": l["port"], "protocol": l["protocol"]}))
                    .collect();
                assert_eq!(&Value::Array(got), value, "{label}: listeners");
            }
            "retention_days" if value.is_null() => {
                assert!(
                    got.get("retention_days").is_none_or(Value::is_null),
                    "{label}: retention"
                )
            }
            _ => assert_eq!(&got[key], value, "{label}: `{key}`"),
        }
    }
}

#[test]
fn collect_reads_every_seeded_resource_in_both_partitions() {
    let account = moto().manifest["account_id"].as_str().unwrap();
    for partition in [CN, GLOBAL] {
        let path = snapshot_path(partition);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            !text.contains("testing-secret"),
            "a secret reached the snapshot"
        );
        let snap: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(snap["schema_version"], 1);
        assert_eq!(snap["partition"], partition.0);
        assert_eq!(snap["account_id"], account);
        let mut regions: Vec<&str> = partition.1.to_vec();
        regions.sort();
        assert_eq!(snap["regions"], json!(regions));
        assert_eq!(snap["gaps"], json!([]), "{}: no call may fail", partition.0);

        let got: BTreeMap<&str, &Value> = snap["resources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["id"].as_str().unwrap(), r))
            .collect();
        let want = seeded(partition.0);
        for (id, w) in &want {
            let label = w["label"].as_str().unwrap();
            let g = got
                .get(id.as_str())
                .unwrap_or_else(|| panic!("{}: `{label}` ({id}) was not collected", partition.0));
            assert_eq!(g["type"], w["type"], "{label}: type");
            assert_eq!(g["region"], w["region"], "{label}: region");
            if !w["tags"].is_null() {
                assert_eq!(g["tags"], w["tags"], "{label}: tags");
            }
            assert_properties(label, &w["properties"], &g["properties"]);
            let prefix = format!("arn:{}:", partition.0);
            // moto 5.2.5 names ElastiCache resources and Direct Connect connections
            // `arn:aws:` in every partition.
            assert!(
                id.starts_with(&prefix)
                    || id.starts_with("arn:aws:elasticache:")
                    || id.starts_with("arn:aws:directconnect:"),
                "{label}: {id} is not an {} ARN",
                partition.0
            );
        }
        let unknown: Vec<&&str> = got.keys().filter(|id| !want.contains_key(**id)).collect();
        assert!(
            unknown.is_empty(),
            "{}: collected but never seeded: {unknown:?}",
            partition.0
        );
    }
}

#[test]
fn no_planted_credential_reaches_a_snapshot_a_log_or_a_report() {
    let planted: Vec<&str> = moto().manifest["planted_secrets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(planted.len() >= 8, "seed.py planted too few: {planted:?}");
    for partition in [CN, GLOBAL] {
        let dir = tempfile::tempdir().unwrap();
        let snapshot = dir.path().join("snapshot.json");
        let collected = collect(&moto().url, partition, &snapshot, &[]);
        assert_eq!(code(&collected), 0, "{}", stderr(&collected));
        let reports = dir.path().join("reports");
        let reported = crate::common::audit(&[
            "report",
            "--snapshot",
            snapshot.to_str().unwrap(),
            "--out",
            reports.to_str().unwrap(),
        ]);
        assert_eq!(code(&reported), 1, "{}", stderr(&reported));
        let mut texts = vec![
            (
                "snapshot".to_string(),
                std::fs::read_to_string(&snapshot).unwrap(),
            ),
            (
                "collect output".into(),
                stdout(&collected) + &stderr(&collected),
            ),
            (
                "report output".into(),
                stdout(&reported) + &stderr(&reported),
            ),
        ];
        for entry in std::fs::read_dir(&reports).unwrap() {
            let path = entry.unwrap().path();
            texts.push((
                path.display().to_string(),
                std::fs::read_to_string(&path).unwrap(),
            ));
        }
        assert!(texts.len() >= 8, "the report wrote too few files");
        // The seeded secrets' places are in the snapshot: the scan ran.
        assert!(
            texts[0].1.contains("aws-access-key-id"),
            "no credential was found"
        );
        for (name, text) in &texts {
            for secret in &planted {
                assert!(
                    !text.contains(secret),
                    "{}: {name} holds a planted secret",
                    partition.0
                );
            }
        }
    }
}

/// The expected findings of expected-findings.txt, as (rule, label) pairs.
fn expected_findings(partition: (&str, &[&str])) -> BTreeSet<(String, String)> {
    let text = std::fs::read_to_string(repo().join("tests/moto/expected-findings.txt")).unwrap();
    let p = if partition.0 == "aws-cn" { "cn" } else { "gl" };
    let seeded = seeded(partition.0);
    let mut section = "";
    let mut out = BTreeSet::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line.starts_with('[') {
            section = line;
            continue;
        }
        if section == "[aws]" && partition.0 != "aws" {
            continue;
        }
        let (rule, label) = line.split_once(' ').unwrap();
        match label {
            "*regional" | "*regulated" => {
                for r in seeded.values() {
                    let class = r["tags"]["data-class"].as_str().unwrap_or("");
                    if r["region"] != "global"
                        && (label == "*regional" || ["personal", "camera-video"].contains(&class))
                    {
                        out.insert((rule.to_string(), r["label"].as_str().unwrap().to_string()));
                    }
                }
            }
            _ => {
                for region in partition.1 {
                    let l = label
                        .replace("{p}", p)
                        .replace("{S}", &format!("{region}-0"))
                        .replace("{R}", region);
                    out.insert((rule.to_string(), l));
                }
            }
        }
    }
    out
}

#[test]
fn check_on_the_collected_snapshot_gives_exactly_the_expected_findings() {
    for partition in [CN, GLOBAL] {
        let path = snapshot_path(partition);
        let out = crate::common::audit(&[
            "check",
            "--snapshot",
            path.to_str().unwrap(),
            "--format",
            "json",
        ]);
        assert_eq!(code(&out), 1, "{}: {}", partition.0, stderr(&out));
        let doc: Value = serde_json::from_str(&stdout(&out)).unwrap();
        let labels: BTreeMap<String, String> = seeded(partition.0)
            .into_iter()
            .map(|(id, r)| (id, r["label"].as_str().unwrap().to_string()))
            .collect();
        let got: BTreeSet<(String, String)> = doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                let id = f["resource_id"].as_str().unwrap();
                let label = labels
                    .get(id)
                    .cloned()
                    .unwrap_or_else(|| format!("<unseeded {id}>"));
                (f["rule_id"].as_str().unwrap().to_string(), label)
            })
            .collect();
        let want = expected_findings(partition);
        let missing: Vec<_> = want.difference(&got).collect();
        let extra: Vec<_> = got.difference(&want).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{}: findings differ from tests/moto/expected-findings.txt\nmissing: {missing:#?}\nunexpected: {extra:#?}",
            partition.0
        );
    }
}

fn proxy(rules: &[&str]) -> String {
    let mut args = vec![moto().url.as_str()];
    args.extend_from_slice(rules);
    format!("http://127.0.0.1:{}", start_script("fault_proxy.py", &args))
}

fn counts(proxy: &str) -> BTreeMap<String, u64> {
    let out = std::process::Command::new(crate::moto::python())
        .args([
            "-c",
            "import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1] + '/_proxy/counts').read().decode())",
            proxy,
        ])
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn throttling_is_retried_and_persistent_failures_become_gaps_that_fail_the_gate() {
    moto();
    let endpoint = proxy(&[
        "DescribeVolumes=throttle:2",
        "ListUsers=500:1",
        "DescribeDBInstances=deny",
        "DescribeLogGroups=throttle",
        "GetBucketEncryption=500",
    ]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("snapshot.json");
    let out = collect(&endpoint, CN, &path, &["--max-attempts", "3"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).contains("gap(s)"), "{}", stderr(&out));
    let snap = read_json(&path);
    let gaps: BTreeSet<(String, String, String, String)> = snap["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            let s = |k: &str| g[k].as_str().unwrap().to_string();
            (s("service"), s("region"), s("operation"), s("error_code"))
        })
        .collect();
    let buckets: Vec<&Value> = seeded("aws-cn")
        .into_values()
        .filter(|r| r["type"] == "s3_bucket")
        .collect();
    let mut want = BTreeSet::new();
    for region in CN.1 {
        let r = region.to_string();
        want.insert((
            "rds".into(),
            r.clone(),
            "DescribeDBInstances".into(),
            "AccessDenied".into(),
        ));
        want.insert((
            "logs".into(),
            r.clone(),
            "DescribeLogGroups".into(),
            "ThrottlingException".into(),
        ));
    }
    for b in &buckets {
        want.insert((
            "s3".into(),
            b["region"].as_str().unwrap().into(),
            "GetBucketEncryption".into(),
            "HTTP500".into(),
        ));
    }
    assert_eq!(
        gaps, want,
        "every persistent failure, and only those, is a gap"
    );

    // Retries happened: the throttled and failed calls were made again.
    let counts = counts(&endpoint);
    assert_eq!(
        counts["DescribeVolumes"],
        2 + 2,
        "two throttled attempts retried"
    );
    assert_eq!(counts["ListUsers"], 1 + 1, "one HTTP 500 retried");
    assert_eq!(
        counts["DescribeLogGroups"],
        3 * 2,
        "three attempts in each region"
    );
    assert_eq!(counts["GetBucketEncryption"], 3 * buckets.len() as u64);
    assert_eq!(
        counts["DescribeDBInstances"], 2,
        "access denied is not retried"
    );
    // What was retried into success is all there.
    let volumes = snap["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["type"] == "ebs_volume")
        .count();
    assert_eq!(
        volumes,
        seeded("aws-cn")
            .values()
            .filter(|r| r["type"] == "ebs_volume")
            .count()
    );
    assert!(
        snap["resources"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["type"] == "iam_user")
    );

    // The gate fails closed on it, unless told otherwise.
    let p = path.to_str().unwrap();
    let out = crate::common::audit(&["check", "--snapshot", p]);
    assert_eq!(code(&out), 4, "{}", stdout(&out));
    let out = crate::common::audit(&["check", "--snapshot", p, "--allow-incomplete"]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
}

fn assert_refused(out: &std::process::Output, path: &Path, needle: &str) {
    assert_eq!(
        code(out),
        2,
        "stdout: {}\nstderr: {}",
        stdout(out),
        stderr(out)
    );
    assert!(
        stderr(out).contains(needle),
        "expected `{needle}` in: {}",
        stderr(out)
    );
    assert!(!path.exists(), "no snapshot may be left behind");
    let leftovers: Vec<_> = std::fs::read_dir(path.parent().unwrap()).unwrap().collect();
    assert!(leftovers.is_empty(), "no temp file either: {leftovers:?}");
}

#[test]
fn bad_endpoints_regions_partitions_and_credentials_are_errors_without_a_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("snapshot.json");
    // Nothing listens on port 1 of the loopback address.
    let out = collect("http://127.0.0.1:1", CN, &path, &["--max-attempts", "1"]);
    assert_refused(&out, &path, "cannot reach AWS at `http://127.0.0.1:1`");
    // https:// goes through TLS even though plain http:// endpoints skip it: moto speaks
    // plain HTTP, so the handshake fails, and says so.
    let https = moto().url.replace("http://", "https://");
    let out = collect(&https, CN, &path, &["--max-attempts", "1"]);
    assert_refused(&out, &path, "TLS handshake failed");
    let out = collect("not a url", CN, &path, &[]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(!path.exists());

    let out = collect(&moto().url, ("aws-cn", &["cn-north-3"]), &path, &[]);
    assert_refused(&out, &path, "unknown region `cn-north-3`");
    let out = collect(&moto().url, ("aws-cn", &["us-east-1"]), &path, &[]);
    assert_refused(
        &out,
        &path,
        "region `us-east-1` is not in partition `aws-cn`",
    );
    let out = collect(&moto().url, ("aws-mars", &["cn-north-1"]), &path, &[]);
    assert_refused(&out, &path, "unknown partition `aws-mars`");

    let mut cmd = audit_cmd();
    cmd.env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY");
    cmd.args([
        "collect",
        "--endpoint-url",
        &moto().url,
        "--region",
        "cn-north-1",
        "--out",
    ])
    .arg(&path);
    let out = run(&mut cmd);
    assert_refused(&out, &path, "no AWS credentials");

    // An existing snapshot is never replaced by a failed run.
    std::fs::write(&path, "previous").unwrap();
    let out = collect("http://127.0.0.1:1", CN, &path, &["--max-attempts", "1"]);
    assert_eq!(code(&out), 2);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "previous");
}

#[test]
fn shards_by_service_merge_into_the_whole_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("iam-s3.json");
    let b = dir.path().join("regional.json");
    let out = collect(&moto().url, CN, &a, &["--services", "iam,s3"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // A shard that left services out is incomplete on its own.
    let out = crate::common::audit(&["check", "--snapshot", a.to_str().unwrap()]);
    assert_eq!(code(&out), 4, "{}", stdout(&out));
    let out = collect(
        &moto().url,
        CN,
        &b,
        &[
            "--services",
            "ec2,logs,rds,cloudtrail,kms,elbv2,elasticache,lambda,secretsmanager,eks,cloudfront,directconnect,tagging",
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));

    let merged = dir.path().join("merged.json");
    let out = crate::common::audit(&[
        "merge",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "--out",
        merged.to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let m = read_json(&merged);
    assert_eq!(
        m["gaps"],
        json!([]),
        "each NotCollected gap was filled by the other shard"
    );
    let ids = |v: &Value| -> BTreeSet<String> {
        v["resources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids(&m), ids(&read_json(&snapshot_path(CN))));
    let out = crate::common::audit(&["check", "--snapshot", merged.to_str().unwrap()]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));

    // Shards of another account, or of another format version, are refused (exit 3).
    let mut other = read_json(&a);
    other["account_id"] = json!("999999999999");
    let c = dir.path().join("other.json");
    std::fs::write(&c, other.to_string()).unwrap();
    let out = crate::common::audit(&[
        "merge",
        a.to_str().unwrap(),
        c.to_str().unwrap(),
        "--out",
        "/nonexistent/x.json",
    ]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("account 999999999999"),
        "{}",
        stderr(&out)
    );
    let mut v2 = read_json(&a);
    v2["schema_version"] = json!(2);
    std::fs::write(&c, v2.to_string()).unwrap();
    let out = crate::common::audit(&[
        "merge",
        a.to_str().unwrap(),
        c.to_str().unwrap(),
        "--out",
        "/nonexistent/x.json",
    ]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(stderr(&out).contains("other.json"), "{}", stderr(&out));
}

#[test]
fn one_snapshot_per_assumed_role() {
    let dir = tempfile::tempdir().unwrap();
    let template = dir.path().join("{account}.json");
    let mut cmd = audit_cmd();
    cmd.args([
        "collect",
        "--endpoint-url",
        &moto().url,
        "--region",
        "cn-north-1",
        "--services",
        "iam",
    ])
    .args([
        "--role-arn",
        "arn:aws-cn:iam::111111111111:role/audit-reader",
    ])
    .args([
        "--role-arn",
        "arn:aws-cn:iam::222222222222:role/audit-reader",
    ])
    .arg("--out")
    .arg(&template);
    let out = run(&mut cmd);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    for account in ["111111111111", "222222222222"] {
        let snap = read_json(&dir.path().join(format!("{account}.json")));
        assert_eq!(snap["account_id"], account);
        assert_eq!(snap["partition"], "aws-cn");
    }
    // Without `{account}` two accounts would overwrite one file: refused.
    let mut cmd = audit_cmd();
    cmd.args([
        "collect",
        "--endpoint-url",
        &moto().url,
        "--region",
        "cn-north-1",
    ])
    .args([
        "--role-arn",
        "arn:aws-cn:iam::111111111111:role/a",
        "--role-arn",
        "arn:aws-cn:iam::222222222222:role/a",
    ])
    .arg("--out")
    .arg(dir.path().join("one.json"));
    let out = run(&mut cmd);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("{account}"), "{}", stderr(&out));
}

#[test]
fn cost_explorer_costs_are_written_as_focus_columns() {
    // moto 5.2.5 queues preset GetCostAndUsage answers in the `aws` partition's backend
    // only (moto_api's set_ce_cost_usage writes to the "global" one), so an aws-cn endpoint
    // answers empty: the test asks the global partition.
    let m = moto();
    let month = |start: &str, end: &str, groups: Value| json!({"TimePeriod": {"Start": start, "End": end}, "Total": {}, "Groups": groups, "Estimated": false});
    let group = |service: &str, tag: &str, billed: &str, amortized: &str| {
        json!({"Keys": [service, format!("cost-center${tag}")],
               "Metrics": {"UnblendedCost": {"Amount": billed, "Unit": "CNY"},
                           "AmortizedCost": {"Amount": amortized, "Unit": "CNY"}}})
    };
    let preset = json!({"results": [{
        "ResultsByTime": [
            month("2026-09-01", "2026-10-01", json!([
                group("Amazon Elastic Compute Cloud - Compute", "cc-4100", "1000.5", "900.25"),
                group("Amazon Simple Storage Service", "", "20", "20"),
            ])),
            month("2026-10-01", "2026-11-01", json!([
                group("Amazon Elastic Compute Cloud - Compute", "cc-4100", "1100", "950"),
            ])),
        ],
        "DimensionValueAttributes": [],
    }]});
    let post = std::process::Command::new(crate::moto::python())
        .args([
            "-c",
            "import sys, urllib.request; urllib.request.urlopen(urllib.request.Request(sys.argv[1] + '/moto-api/static/ce/cost-and-usage-results', data=sys.argv[2].encode(), method='POST'))",
            &m.url,
            &preset.to_string(),
        ])
        .output()
        .unwrap();
    assert!(
        post.status.success(),
        "{}",
        String::from_utf8_lossy(&post.stderr)
    );
    let dir = tempfile::tempdir().unwrap();
    let costs = dir.path().join("costs.csv");
    let out = collect(
        &m.url,
        GLOBAL,
        &dir.path().join("snapshot.json"),
        &[
            "--services",
            "iam",
            "--costs",
            costs.to_str().unwrap(),
            "--costs-end",
            "2026-11",
            "--costs-months",
            "2",
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let csv = std::fs::read_to_string(&costs).unwrap();
    assert_eq!(
        csv,
        "ChargePeriodStart,ChargePeriodEnd,BilledCost,EffectiveCost,BillingCurrency,ServiceName,ServiceCategory,Tags\n\
         2026-09-01T00:00:00Z,2026-10-01T00:00:00Z,1000.5,900.25,CNY,Amazon Elastic Compute Cloud - Compute,Compute,\"{\"\"cost-center\"\":\"\"cc-4100\"\"}\"\n\
         2026-09-01T00:00:00Z,2026-10-01T00:00:00Z,20,20,CNY,Amazon Simple Storage Service,Storage,{}\n\
         2026-10-01T00:00:00Z,2026-11-01T00:00:00Z,1100,950,CNY,Amazon Elastic Compute Cloud - Compute,Compute,\"{\"\"cost-center\"\":\"\"cc-4100\"\"}\"\n"
    );
    // And `audit tco` reads it: 2026-10 EffectiveCost 950 + the assumptions' cloud-side
    // costs of 169,500 a month = 170,450 against the IDC's 2,451,912.91.
    let out = crate::common::audit(&[
        "tco",
        "--costs",
        costs.to_str().unwrap(),
        "--out",
        dir.path().join("tco").to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["gated"]["from"], "2026-10");
    assert_eq!(doc["gated"]["cloud"], 170_450.0);
    assert_eq!(doc["gated"]["ratio"], 0.0695);
    assert_eq!(doc["months"][0]["cloud_bill"], 920.25);
}

/// An endpoint that accepts connections and never answers: each attempt ends after
/// `--timeout`, so the run ends after about attempts × timeout (plus backoff), not after
/// the default 5 × 60 s, with an error and no snapshot.
#[test]
fn a_hung_endpoint_costs_attempts_times_timeout() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for conn in listener.incoming().flatten() {
            held.push(conn);
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("snapshot.json");
    let started = std::time::Instant::now();
    let out = collect(&url, CN, &path, &["--timeout", "1", "--max-attempts", "2"]);
    let took = started.elapsed();
    assert_refused(&out, &path, &format!("cannot reach AWS at `{url}`"));
    assert!(
        took >= std::time::Duration::from_secs(2),
        "two attempts of 1 s took only {took:?}"
    );
    assert!(
        took < std::time::Duration::from_secs(30),
        "the timeout was not applied: {took:?}"
    );
    let out = collect(&url, CN, &path, &["--timeout", "0"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
}
