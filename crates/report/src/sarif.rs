//! SARIF 2.1.0 (OASIS Static Analysis Results Interchange Format) for code-scanning
//! services (GitHub code scanning, Azure DevOps, IDE viewers): one run, a rule per enabled
//! rule, a result per judged finding, gaps as tool execution notifications.
//!
//! Built from serde structs, so the key order is fixed whatever serde_json's features;
//! no clock, no absolute paths of its own: the same input renders the same bytes.

use std::collections::BTreeMap;

use audit_model::gate::{Judged, Status, WaiverState};
use audit_model::{Partition, Severity};
use serde::Serialize;

use crate::{CheckResult, RuleInfo, Verdict};

/// The schema URI written into `$schema`.
pub const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// The `partialFingerprints` key of audit's fingerprint (see `gate::fingerprint`).
pub const FINGERPRINT_KEY: &str = "auditFinding/v1";

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
struct Run<'a> {
    tool: Tool<'a>,
    invocations: [Invocation; 1],
    results: Vec<SarifResult<'a>>,
    properties: RunProperties<'a>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
struct Driver<'a> {
    name: &'static str,
    version: &'a str,
    rules: Vec<Rule<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule<'a> {
    id: &'a str,
    name: &'a str,
    short_description: Text,
    full_description: Text,
    help: Help<'a>,
    default_configuration: Configuration,
    properties: RuleProperties<'a>,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help<'a> {
    text: &'a str,
    markdown: &'a str,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties<'a> {
    /// Read by GitHub code scanning to rank security alerts (a number, as a string).
    #[serde(rename = "security-severity")]
    security_severity: &'static str,
    tags: Vec<&'a str>,
    control: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    level: &'static str,
    message: Text,
    locations: [Location<'a>; 1],
    partial_fingerprints: BTreeMap<&'static str, &'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<Suppression>,
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline_state: Option<&'static str>,
    properties: ResultProperties<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'a> {
    physical_location: PhysicalLocation<'a>,
    logical_locations: [LogicalLocation<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation<'a> {
    artifact_location: ArtifactLocation<'a>,
    region: Region,
}

#[derive(Serialize)]
struct ArtifactLocation<'a> {
    uri: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation<'a> {
    fully_qualified_name: &'a str,
    kind: &'static str,
}

#[derive(Serialize)]
struct Suppression {
    kind: &'static str,
    status: &'static str,
    justification: String,
}

#[derive(Serialize)]
struct ResultProperties<'a> {
    resource_type: &'a str,
    region: &'a str,
    status: Status,
    /// The finding's own severity: `level` folds critical and high together.
    severity: Severity,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_execution_notifications: Vec<Notification>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_configuration_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Text,
}

#[derive(Serialize)]
struct RunProperties<'a> {
    verdict: Verdict,
    fail_on: Severity,
    account_id: &'a str,
    partition: Partition,
    collected_at: String,
}

/// SARIF `level` of a severity.
pub fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "note",
    }
}

/// GitHub code scanning's `security-severity` of a severity: critical above 9.0, high
/// 7.0 to 8.9, medium 4.0 to 6.9, low below 4.0.
pub fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
    }
}

/// The snapshot file as a URI reference: `\` turned into `/`, and what RFC 3986 does not
/// allow in a path (spaces, `%`, `?`, `#`, non-ASCII, ...) percent-encoded, so that
/// validators and viewers accept any file name. A Windows drive path becomes a `file:`
/// URI; `:` elsewhere is encoded, lest `a:b.json` read as scheme `a`.
pub fn artifact_uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let bytes = path.as_bytes();
    let drive = bytes.len() >= 2
        && bytes[0].is_ascii_alphabetic()
        && bytes[1] == b':'
        && (bytes.len() == 2 || bytes[2] == b'/');
    let (mut out, rest) = if drive {
        (format!("file:///{}", &path[..2]), &path[2..])
    } else {
        (String::new(), path.as_str())
    };
    for b in rest.bytes() {
        let keep = b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=@/".contains(&b);
        if keep {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn rule<'a>(r: &'a RuleInfo) -> Rule<'a> {
    let mut tags = vec!["security"];
    if r.family != "security" {
        // The schema wants tags unique.
        tags.push(&r.family);
    }
    Rule {
        id: &r.id,
        name: &r.id,
        short_description: Text {
            text: r.title.clone(),
        },
        full_description: Text {
            text: format!("{} ({})", r.title, r.control),
        },
        help: Help {
            text: &r.remediation,
            markdown: r.doc.as_deref().unwrap_or(&r.remediation),
        },
        default_configuration: Configuration {
            level: level(r.severity),
        },
        properties: RuleProperties {
            security_severity: security_severity(r.severity),
            tags,
            control: &r.control,
        },
    }
}

fn suppression(result: &CheckResult, j: &Judged) -> Vec<Suppression> {
    if j.status != Status::Waived {
        return Vec::new();
    }
    let justification = match j.waiver.and_then(|i| result.gate.waivers.get(i)) {
        Some(w) => {
            let w = &w.waiver;
            format!(
                "{} (owner {}, ticket {}, until {})",
                w.reason, w.owner, w.ticket, w.expires
            )
        }
        None => "waived".to_string(),
    };
    vec![Suppression {
        kind: "external",
        status: "accepted",
        justification,
    }]
}

/// The SARIF log of `audit check --format sarif`: pretty-printed, with a trailing newline.
pub fn render(result: &CheckResult) -> String {
    let h = result.header;
    let mut index: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, r) in result.rules.iter().enumerate() {
        index.entry(r.id.as_str()).or_insert(i);
    }
    let uri = artifact_uri(result.snapshot_file);

    let results = result
        .gate
        .judged
        .iter()
        .map(|j| {
            let f = &j.finding;
            SarifResult {
                rule_id: &f.rule_id,
                rule_index: index.get(f.rule_id.as_str()).copied(),
                level: level(f.severity),
                message: Text {
                    text: f.detail.clone(),
                },
                locations: [Location {
                    physical_location: PhysicalLocation {
                        artifact_location: ArtifactLocation { uri: &uri },
                        region: Region { start_line: 1 },
                    },
                    logical_locations: [LogicalLocation {
                        fully_qualified_name: &f.resource_id,
                        kind: "resource",
                    }],
                }],
                partial_fingerprints: BTreeMap::from([(
                    FINGERPRINT_KEY,
                    j.finding.fingerprint.as_str(),
                )]),
                suppressions: suppression(result, j),
                baseline_state: result
                    .baseline
                    .map(|_| if j.in_baseline { "unchanged" } else { "new" }),
                properties: ResultProperties {
                    resource_type: &f.resource_type,
                    region: &f.region,
                    status: j.status,
                    severity: f.severity,
                },
            }
        })
        .collect();

    let gaps = result
        .gaps
        .iter()
        .map(|g| Notification {
            level: "error",
            message: Text {
                text: format!(
                    "{} {} in {}: {}: {}",
                    g.service, g.operation, g.region, g.error_code, g.message
                ),
            },
        })
        .collect();

    // Waivers are configuration: an expired one fails the gate, a stale one is dead weight.
    let waivers: Vec<Notification> = result
        .gate
        .waivers
        .iter()
        .filter_map(|w| {
            let v = &w.waiver;
            let (level, text) = match w.state {
                WaiverState::InForce => return None,
                WaiverState::Expired => (
                    "error",
                    format!(
                        "waiver {} for {} on {} expired on {} (owner {}, ticket {}); renew or remove it",
                        v.place, v.rule, v.resource, v.expires, v.owner, v.ticket
                    ),
                ),
                WaiverState::Stale => (
                    "warning",
                    format!(
                        "waiver {} for {} on {} matches no finding; remove it",
                        v.place, v.rule, v.resource
                    ),
                ),
            };
            Some(Notification {
                level,
                message: Text { text },
            })
        })
        .collect();
    // Rules the partition's APIs cannot judge: a configuration notification each, so that
    // a scan without their findings does not read as their pass.
    let mut configuration = waivers;
    configuration.extend(result.rules.iter().filter_map(|r| {
        let why = r.not_judged.as_deref()?;
        Some(Notification {
            level: "warning",
            message: Text {
                text: format!(
                    "rule {} was not judged on partition {}: {why}",
                    r.id, h.partition
                ),
            },
        })
    }));

    let log = Log {
        schema: SARIF_SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "audit",
                    version: result.tool_version,
                    rules: result.rules.iter().map(rule).collect(),
                },
            },
            invocations: [Invocation {
                execution_successful: true,
                tool_execution_notifications: gaps,
                tool_configuration_notifications: configuration,
            }],
            results,
            properties: RunProperties {
                verdict: result.verdict(),
                fail_on: result.fail_on,
                account_id: &h.account_id,
                partition: h.partition,
                collected_at: h.collected_at.to_string(),
            },
        }],
    };
    // Serializing plain data to a String cannot fail.
    // Compact: a SARIF log is for machines, and on 10^6 resources indentation alone made
    // it 40 % larger (hundreds of MB to write and upload).
    let mut out = serde_json::to_string(&log).unwrap_or_default();
    out.push('\n');
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use std::collections::BTreeSet;

    use audit_model::gate::{self, Gate, Waiver};
    use audit_model::{Gap, Header, Partition, Provider, Severity, Tool};
    use serde_json::Value;

    use super::*;
    use crate::testkit::{empty_result, finding};

    pub(crate) const HOSTILE: &str =
        "arn:aws-cn:ec2:cn-north-1:1:security-group/sg-<x>&\"y\"]]>'z'\u{1b}[31m\u{7}\u{fffe}";

    pub(crate) fn header() -> Header {
        Header {
            schema_version: 1,
            provider: Provider::Aws,
            partition: Partition::AwsCn,
            account_id: "123456789012".into(),
            regions: vec!["cn-north-1".into()],
            collected_at: "2026-11-20T08:00:00Z".parse().unwrap(),
            tool: Tool {
                name: "audit".into(),
                version: "0.1.0".into(),
            },
            gaps: vec![],
        }
    }

    fn waiver(rule: &str, resource: &str, expires: &str) -> Waiver {
        Waiver {
            rule: rule.into(),
            resource: resource.into(),
            reason: "bastion <legacy> & \"temporary\"".into(),
            owner: "team-net".into(),
            ticket: "NET-42".into(),
            expires: expires.parse().unwrap(),
            place: "waivers.toml:3".into(),
        }
    }

    fn rule_info(id: &str, severity: Severity, family: &str, doc: Option<&str>) -> RuleInfo {
        RuleInfo {
            id: id.into(),
            severity,
            title: format!("title of {id}"),
            family: family.into(),
            control: format!("CTL-{id}"),
            remediation: format!("fix {id}"),
            doc: doc.map(str::to_string),
            not_judged: None,
        }
    }

    /// Findings (sorted: critical first, then rule, then resource):
    /// 0 `AUD-NET-001` critical, the hostile id, open (its waiver expired);
    /// 1 `AUD-NET-001` critical, waived by an in-force waiver;
    /// 2 `AUD-S3-001` high, in the baseline;
    /// 3 `AUD-S3-001` high, open;
    /// 4 `AUD-TAG-001` low, open (below a `high` threshold).
    /// Waivers: in force, expired, stale. Rules: sorted by id, `AUD-IAM-001` has no findings.
    pub(crate) struct Fixture {
        pub header: Header,
        pub gate: Gate,
        pub gaps: Vec<Gap>,
        pub rules: Vec<RuleInfo>,
    }

    pub(crate) fn fixture() -> Fixture {
        let mut findings = vec![
            finding(
                "AUD-NET-001",
                Severity::Critical,
                "arn:aws-cn:ec2:cn-north-1:1:security-group/sg-bastion",
                "ingress 0.0.0.0/0 on port 22",
            ),
            finding(
                "AUD-NET-001",
                Severity::Critical,
                HOSTILE,
                "ingress 0.0.0.0/0 on port 3389 <rdp> & \"more\"\nsecond line\r\n",
            ),
            finding(
                "AUD-S3-001",
                Severity::High,
                "arn:aws-cn:s3:::logs",
                "bucket is public",
            ),
            finding(
                "AUD-S3-001",
                Severity::High,
                "arn:aws-cn:s3:::new-bucket",
                "bucket is public",
            ),
            finding(
                "AUD-TAG-001",
                Severity::Low,
                "arn:aws-cn:s3:::new-bucket",
                "missing tag owner",
            ),
        ];
        audit_model::sort_findings(&mut findings);
        let baseline: BTreeSet<String> = [findings[2].fingerprint.clone()].into();
        let gate = gate::apply(
            findings,
            vec![
                waiver("AUD-NET-001", "*sg-bastion", "2026-12-31"),
                waiver("AUD-NET-001", "*sg-<x>*", "2026-11-01"),
                waiver("AUD-S3-001", "arn:aws-cn:s3:::gone", "2027-01-01"),
            ],
            Some(&baseline),
            "2026-11-20".parse().unwrap(),
        );
        let gaps = vec![Gap {
            service: "ec2".into(),
            region: "cn-northwest-1".into(),
            operation: "DescribeSecurityGroups".into(),
            error_code: "AccessDenied".into(),
            message: "not authorized <to> & \u{1b}".into(),
        }];
        let rules = vec![
            rule_info("AUD-IAM-001", Severity::Medium, "iam", None),
            rule_info(
                "AUD-NET-001",
                Severity::Critical,
                "network",
                Some("# AUD-NET-001\n\nClose **22**.\n"),
            ),
            rule_info("AUD-S3-001", Severity::High, "security", None),
            rule_info("AUD-TAG-001", Severity::Low, "tagging", None),
        ];
        Fixture {
            header: header(),
            gate,
            gaps,
            rules,
        }
    }

    impl Fixture {
        pub(crate) fn result(&self, baseline: Option<&'static str>) -> CheckResult<'_> {
            CheckResult {
                snapshot_file: "snapshots\\prod 1\\snap#1%.json",
                header: &self.header,
                resources: 7,
                gate: &self.gate,
                gaps: self.gaps.iter().collect(),
                fail_on: Severity::High,
                allow_incomplete: false,
                baseline,
                rules: &self.rules,
                tool_version: "0.1.0",
                tco: None,
            }
        }
    }

    /// The vendored official schema (see schemas/README.md for its one fix).
    pub(crate) fn sarif_schema() -> Value {
        let dir = std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(
            || env!("CARGO_MANIFEST_DIR").into(),
            std::path::PathBuf::from,
        );
        let text = std::fs::read_to_string(dir.join("schemas/sarif-2.1.0-rtm.5.json")).unwrap();
        serde_json::from_str(&text).unwrap()
    }

    fn schema_errors(doc: &Value) -> Vec<String> {
        let schema = sarif_schema();
        let validator = jsonschema::validator_for(&schema).unwrap();
        validator
            .iter_errors(doc)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect()
    }

    #[test]
    fn fixture_is_what_the_tests_assume() {
        let fx = fixture();
        let statuses: Vec<Status> = fx.gate.judged.iter().map(|j| j.status).collect();
        assert_eq!(
            statuses,
            [
                Status::Open,
                Status::Waived,
                Status::Baselined,
                Status::Open,
                Status::Open
            ]
        );
        let states: Vec<WaiverState> = fx.gate.waivers.iter().map(|w| w.state).collect();
        assert_eq!(
            states,
            [
                WaiverState::InForce,
                WaiverState::Expired,
                WaiverState::Stale
            ]
        );
        assert_eq!(fx.gate.judged[0].finding.resource_id, HOSTILE);
        assert_eq!(fx.gate.judged[0].waiver, Some(1));
        assert_eq!(
            fx.gate.judged[2].finding.resource_id,
            "arn:aws-cn:s3:::logs"
        );
        assert!(fx.rules.windows(2).all(|w| w[0].id < w[1].id));
    }

    #[test]
    fn validates_against_the_official_schema() {
        let fx = fixture();
        for baseline in [None, Some("baseline.json")] {
            let out = render(&fx.result(baseline));
            let doc: Value = serde_json::from_str(&out).unwrap();
            let errors = schema_errors(&doc);
            assert!(errors.is_empty(), "{errors:#?}");
        }
        // The schema is really enforced: a wrong version and a bad level are caught.
        let mut doc: Value = serde_json::from_str(&render(&fx.result(None))).unwrap();
        doc["version"] = "2.0.0".into();
        doc["runs"][0]["results"][0]["level"] = "fatal".into();
        assert!(schema_errors(&doc).len() >= 2);
    }

    #[test]
    fn rules_and_results() {
        let fx = fixture();
        let out = render(&fx.result(None));
        assert!(out.ends_with("}\n"));
        let doc: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(doc["$schema"], SARIF_SCHEMA);
        assert_eq!(doc["version"], "2.1.0");
        let runs = doc["runs"].as_array().unwrap();
        assert_eq!(runs.len(), 1);
        let run = &runs[0];

        let driver = &run["tool"]["driver"];
        assert_eq!(driver["name"], "audit");
        assert_eq!(driver["version"], "0.1.0");
        let rules = driver["rules"].as_array().unwrap();
        let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
        assert_eq!(
            ids,
            ["AUD-IAM-001", "AUD-NET-001", "AUD-S3-001", "AUD-TAG-001"]
        );
        let net = &rules[1];
        assert_eq!(net["name"], "AUD-NET-001");
        assert_eq!(net["shortDescription"]["text"], "title of AUD-NET-001");
        assert_eq!(
            net["fullDescription"]["text"],
            "title of AUD-NET-001 (CTL-AUD-NET-001)"
        );
        assert_eq!(net["help"]["text"], "fix AUD-NET-001");
        assert_eq!(net["help"]["markdown"], "# AUD-NET-001\n\nClose **22**.\n");
        assert_eq!(rules[0]["help"]["markdown"], "fix AUD-IAM-001");
        let levels: Vec<&str> = rules
            .iter()
            .map(|r| r["defaultConfiguration"]["level"].as_str().unwrap())
            .collect();
        assert_eq!(levels, ["warning", "error", "error", "note"]);
        let sev: Vec<&str> = rules
            .iter()
            .map(|r| r["properties"]["security-severity"].as_str().unwrap())
            .collect();
        assert_eq!(sev, ["5.5", "9.5", "8.0", "3.0"]);
        assert_eq!(
            net["properties"]["tags"],
            serde_json::json!(["security", "network"])
        );
        // A family named `security` is not repeated (the schema wants unique tags).
        assert_eq!(
            rules[2]["properties"]["tags"],
            serde_json::json!(["security"])
        );
        assert_eq!(net["properties"]["control"], "CTL-AUD-NET-001");

        let results = run["results"].as_array().unwrap();
        assert_eq!(results.len(), fx.gate.judged.len());
        for (r, j) in results.iter().zip(&fx.gate.judged) {
            let i = r["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(rules[i]["id"], r["ruleId"]);
            assert_eq!(r["ruleId"], j.finding.rule_id.as_str());
            assert_eq!(r["message"]["text"], j.finding.detail.as_str());
            assert_eq!(
                r["partialFingerprints"][FINGERPRINT_KEY],
                j.finding.fingerprint.as_str()
            );
            let loc = &r["locations"][0];
            assert_eq!(
                loc["physicalLocation"]["artifactLocation"]["uri"],
                "snapshots/prod%201/snap%231%25.json"
            );
            assert_eq!(loc["physicalLocation"]["region"]["startLine"], 1);
            assert_eq!(
                loc["logicalLocations"][0]["fullyQualifiedName"],
                j.finding.resource_id.as_str()
            );
            assert_eq!(loc["logicalLocations"][0]["kind"], "resource");
            assert_eq!(r["properties"]["resource_type"], "security_group");
            assert_eq!(r["properties"]["region"], "cn-north-1");
            // No baseline given: no baselineState.
            assert!(r.get("baselineState").is_none());
        }
        let index: Vec<u64> = results
            .iter()
            .map(|r| r["ruleIndex"].as_u64().unwrap())
            .collect();
        assert_eq!(index, [1, 1, 2, 2, 3]);
        let levels: Vec<&str> = results
            .iter()
            .map(|r| r["level"].as_str().unwrap())
            .collect();
        assert_eq!(levels, ["error", "error", "error", "error", "note"]);
        let statuses: Vec<&str> = results
            .iter()
            .map(|r| r["properties"]["status"].as_str().unwrap())
            .collect();
        assert_eq!(statuses, ["open", "waived", "baselined", "open", "open"]);
        // The hostile id survives as data.
        assert_eq!(
            results[0]["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
            HOSTILE
        );

        // Only the waived finding is suppressed; the expired waiver suppresses nothing.
        let suppressed: Vec<bool> = results
            .iter()
            .map(|r| r.get("suppressions").is_some())
            .collect();
        assert_eq!(suppressed, [false, true, false, false, false]);
        assert_eq!(
            results[1]["suppressions"],
            serde_json::json!([{
                "kind": "external",
                "status": "accepted",
                "justification": "bastion <legacy> & \"temporary\" (owner team-net, ticket NET-42, until 2026-12-31)"
            }])
        );

        let inv = &run["invocations"];
        assert_eq!(inv.as_array().unwrap().len(), 1);
        assert_eq!(inv[0]["executionSuccessful"], true);
        assert_eq!(
            inv[0]["toolExecutionNotifications"],
            serde_json::json!([{
                "level": "error",
                "message": { "text": "ec2 DescribeSecurityGroups in cn-northwest-1: AccessDenied: not authorized <to> & \u{1b}" }
            }])
        );
        let config = inv[0]["toolConfigurationNotifications"].as_array().unwrap();
        let config_levels: Vec<&str> = config
            .iter()
            .map(|n| n["level"].as_str().unwrap())
            .collect();
        assert_eq!(config_levels, ["error", "warning"]);

        assert_eq!(
            run["properties"],
            serde_json::json!({
                "verdict": "incomplete",
                "fail_on": "high",
                "account_id": "123456789012",
                "partition": "aws-cn",
                "collected_at": "2026-11-20T08:00:00Z"
            })
        );
    }

    #[test]
    fn baseline_state_only_with_a_baseline() {
        let fx = fixture();
        let doc: Value = serde_json::from_str(&render(&fx.result(Some("base.json")))).unwrap();
        let states: Vec<&str> = doc["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["baselineState"].as_str().unwrap())
            .collect();
        assert_eq!(states, ["new", "new", "unchanged", "new", "new"]);
    }

    #[test]
    fn deterministic_and_ordered() {
        let fx = fixture();
        let a = render(&fx.result(Some("b.json")));
        let b = render(&fx.result(Some("b.json")));
        assert_eq!(a, b);
        // `$schema` and `version` lead, whatever serde_json's map order.
        assert!(a.starts_with(
            "{\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\",\"version\":\"2.1.0\","
        ));
        assert!(
            a.ends_with("}\n") && a.lines().count() == 1,
            "compact, one line"
        );
    }

    #[test]
    fn empty_result_is_valid_too() {
        let header = header();
        let gate = Gate::default();
        let result = empty_result(&header, &gate);
        let doc: Value = serde_json::from_str(&render(&result)).unwrap();
        assert!(schema_errors(&doc).is_empty());
        assert_eq!(doc["runs"][0]["results"], serde_json::json!([]));
        assert_eq!(doc["runs"][0]["properties"]["verdict"], "pass");
    }

    #[test]
    fn a_rule_not_judged_is_a_configuration_notification() {
        let mut fx = fixture();
        fx.header.partition = Partition::Bce;
        fx.rules[0].not_judged = Some("no flow-log API".into());
        let doc: Value = serde_json::from_str(&render(&fx.result(None))).unwrap();
        assert!(schema_errors(&doc).is_empty());
        let notes = &doc["runs"][0]["invocations"][0]["toolConfigurationNotifications"];
        let texts: Vec<&str> = notes
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|n| n["message"]["text"].as_str())
            .collect();
        let expected = format!(
            "rule {} was not judged on partition bce: no flow-log API",
            fx.rules[0].id
        );
        assert!(texts.contains(&expected.as_str()), "{texts:?}");
        // The other rules are judged: no notification for them.
        let mentioning = |id: &str| {
            texts
                .iter()
                .filter(|t| t.contains(&format!("rule {id} ")))
                .count()
        };
        assert_eq!(mentioning(&fx.rules[1].id), 0);
    }

    #[test]
    fn a_finding_of_an_unknown_rule_has_no_rule_index() {
        let header = header();
        let gate = gate::apply(
            vec![finding("AUD-GONE-001", Severity::Medium, "r", "d")],
            vec![],
            None,
            "2026-11-20".parse().unwrap(),
        );
        let rules = [rule_info("AUD-IAM-001", Severity::Medium, "iam", None)];
        let result = CheckResult {
            snapshot_file: "snap.json",
            header: &header,
            resources: 1,
            gate: &gate,
            gaps: vec![],
            fail_on: Severity::Low,
            allow_incomplete: false,
            baseline: None,
            rules: &rules,
            tool_version: "0.1.0",
            tco: None,
        };
        let doc: Value = serde_json::from_str(&render(&result)).unwrap();
        assert!(schema_errors(&doc).is_empty());
        let r = &doc["runs"][0]["results"][0];
        assert_eq!(r["ruleId"], "AUD-GONE-001");
        assert!(r.get("ruleIndex").is_none());
        assert_eq!(r["level"], "warning");
    }

    #[test]
    fn artifact_uris() {
        assert_eq!(artifact_uri("snap.json"), "snap.json");
        assert_eq!(artifact_uri("out\\snap.json"), "out/snap.json");
        assert_eq!(artifact_uri("/tmp/a b/snap.json"), "/tmp/a%20b/snap.json");
        assert_eq!(
            artifact_uri("C:\\work\\snap.json"),
            "file:///C:/work/snap.json"
        );
        assert_eq!(artifact_uri("a:b.json"), "a%3Ab.json");
        assert_eq!(artifact_uri("données.json"), "donn%C3%A9es.json");
    }
}
