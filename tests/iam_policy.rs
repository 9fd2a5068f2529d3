//! docs/iam-policy.json, the read-only policy the README gives for `audit collect`, allows
//! exactly the AWS calls the collector's source makes: none missing (a call would fail
//! with AccessDenied and become a gap), none more (least privilege).

use std::collections::BTreeSet;

use crate::common::repo;

/// The IAM service prefix of each collector module's client.
fn service_of(module: &str) -> &'static str {
    match module {
        "cloudfront" => "cloudfront",
        "cloudtrail" => "cloudtrail",
        "costs" => "ce",
        "directconnect" => "directconnect",
        "ec2" => "ec2",
        "eks" => "eks",
        "elasticache" => "elasticache",
        "elbv2" => "elasticloadbalancing",
        "iam" => "iam",
        "kms" => "kms",
        "lib" => "sts",
        "lambda" => "lambda",
        "secretsmanager" => "secretsmanager",
        "logs" => "logs",
        "rds" => "rds",
        "s3" => "s3",
        "tagging" => "tag",
        other => panic!("collector module `{other}` has no IAM service prefix here"),
    }
}

/// Calls whose IAM action is not the operation's name under the module's prefix.
fn action_of(module: &str, call: &str) -> String {
    let irregular = match (module, call) {
        ("s3", "get_bucket_lifecycle_configuration") => Some("s3:GetLifecycleConfiguration"),
        ("s3", "get_bucket_encryption") => Some("s3:GetEncryptionConfiguration"),
        ("s3", "get_public_access_block") => Some("s3:GetBucketPublicAccessBlock"),
        ("s3", "list_buckets") => Some("s3:ListAllMyBuckets"),
        ("elbv2", "get_web_acl_for_resource") => Some("wafv2:GetWebACLForResource"),
        ("elbv2", "describe_ssl_policies") => Some("elasticloadbalancing:DescribeSSLPolicies"),
        ("rds", "describe_db_instances") => Some("rds:DescribeDBInstances"),
        ("rds", "describe_db_clusters") => Some("rds:DescribeDBClusters"),
        ("iam", "list_mfa_devices") => Some("iam:ListMFADevices"),
        _ => None,
    };
    if let Some(a) = irregular {
        return a.to_string();
    }
    let pascal: String = call
        .split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect();
    format!("{}:{pascal}", service_of(module))
}

/// `.get_x()`, `.list_x()`, `.describe_x()` calls in a source text: the SDK operations.
fn sdk_calls(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for prefix in [".get_", ".list_", ".describe_"] {
        for (at, _) in text.match_indices(prefix) {
            let rest = &text[at + 1..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
                .collect();
            if rest[name.len()..].starts_with("()") {
                out.insert(name);
            }
        }
    }
    out
}

#[test]
fn the_readme_policy_allows_exactly_what_the_collector_calls() {
    let mut called = BTreeSet::new();
    let dir = repo().join("crates/aws/src");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let module = path.file_stem().unwrap().to_str().unwrap().to_string();
        let text = std::fs::read_to_string(&path).unwrap();
        let calls = sdk_calls(&text);
        if calls.is_empty() {
            continue;
        }
        for call in calls {
            called.insert(action_of(&module, &call));
        }
    }
    assert!(
        called.contains("elasticloadbalancing:DescribeListeners") && called.len() > 40,
        "the scan found too few calls: {called:?}"
    );
    let doc: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("docs/iam-policy.json")).unwrap(),
    )
    .unwrap();
    let statements = doc["Statement"].as_array().unwrap();
    assert_eq!(statements.len(), 1);
    assert_eq!(statements[0]["Effect"], "Allow");
    let allowed: BTreeSet<String> = statements[0]["Action"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_string())
        .collect();
    let missing: Vec<_> = called.difference(&allowed).collect();
    let extra: Vec<_> = allowed.difference(&called).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "docs/iam-policy.json: missing {missing:?}, not called {extra:?}"
    );
    assert!(
        allowed.iter().all(|a| {
            let op = a.split(':').nth(1).unwrap();
            ["Get", "List", "Describe"]
                .iter()
                .any(|p| op.starts_with(p))
        }),
        "the policy must stay read-only"
    );
}
