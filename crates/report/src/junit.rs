//! JUnit XML for CI test reports (GitLab, Jenkins, Azure Pipelines): a test suite per
//! enabled rule and a test case per judged finding, so a failing gate shows up as failing
//! tests; coverage gaps as errors and expired waivers as failures in suites of their own.
//!
//! Every string is escaped for XML 1.0, and characters XML 1.0 cannot carry at all are
//! shown as `\u{..}`. No clock, no timings: the same input renders the same bytes.

use std::collections::BTreeMap;

use audit_model::gate::{Judged, Status, WaiverState};

use crate::CheckResult;

/// What became of one test case.
enum Outcome {
    /// Passed, with an optional note.
    Pass(Option<String>),
    Failure {
        kind: String,
        message: String,
        body: String,
    },
    Error {
        kind: String,
        message: String,
        body: String,
    },
    Skipped(String),
}

struct Case {
    classname: String,
    name: String,
    outcome: Outcome,
}

struct Suite {
    name: String,
    cases: Vec<Case>,
}

#[derive(Default, Clone, Copy)]
struct Counts {
    tests: usize,
    failures: usize,
    errors: usize,
    skipped: usize,
}

impl Counts {
    fn of(cases: &[Case]) -> Counts {
        let mut c = Counts {
            tests: cases.len(),
            ..Counts::default()
        };
        for case in cases {
            match case.outcome {
                Outcome::Pass(_) => {}
                Outcome::Failure { .. } => c.failures += 1,
                Outcome::Error { .. } => c.errors += 1,
                Outcome::Skipped(_) => c.skipped += 1,
            }
        }
        c
    }

    fn add(self, o: Counts) -> Counts {
        Counts {
            tests: self.tests + o.tests,
            failures: self.failures + o.failures,
            errors: self.errors + o.errors,
            skipped: self.skipped + o.skipped,
        }
    }

    fn attributes(self) -> String {
        format!(
            "tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\"",
            self.tests, self.failures, self.errors, self.skipped
        )
    }
}

/// Whether XML 1.0 can carry `c` at all (its `Char` production); lone surrogates cannot
/// occur in a Rust string.
fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
}

/// Escapes `s` for an attribute value (`attribute`) or element content. Markup characters
/// become entities; in attributes TAB, LF and CR become character references, which a
/// parser keeps (it would normalize them to spaces otherwise), and in content CR does
/// (it would turn CR LF into LF). Characters XML 1.0 forbids, and the other C0/C1 control
/// characters (DEL, ESC sequences for whoever prints the report), become a visible
/// `\u{..}`.
fn escape(s: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#13;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\t' if attribute => out.push_str("&#9;"),
            '\n' | '\t' => out.push(c),
            c if !xml_char(c) || c.is_control() => {
                out.extend(c.escape_unicode());
            }
            c => out.push(c),
        }
    }
    out
}

fn attr(s: &str) -> String {
    escape(s, true)
}

fn text(s: &str) -> String {
    escape(s, false)
}

fn finding_case(result: &CheckResult, family: &str, j: &Judged) -> Case {
    let f = &j.finding;
    let remediation = result
        .rule(&f.rule_id)
        .map_or("", |r| r.remediation.as_str());
    let waiver = j.waiver.and_then(|i| result.gate.waivers.get(i));
    let outcome = match j.status {
        Status::Open if f.severity >= result.fail_on => {
            let mut body = format!(
                "{}\nresource: {}\nregion: {}\nremediation: {}",
                f.detail, f.resource_id, f.region, remediation
            );
            if let Some(w) = waiver.filter(|w| w.state == WaiverState::Expired) {
                body.push_str(&format!(
                    "\nwaiver: expired on {} ({})",
                    w.waiver.expires, w.waiver.place
                ));
            }
            Outcome::Failure {
                kind: f.severity.to_string(),
                message: f.detail.clone(),
                body,
            }
        }
        Status::Open => Outcome::Pass(Some(format!(
            "open {} finding, below the fail-on threshold {}: {}\nresource: {}\nregion: {}\nremediation: {}",
            f.severity, result.fail_on, f.detail, f.resource_id, f.region, remediation
        ))),
        Status::Waived => Outcome::Skipped(match waiver {
            Some(w) => format!(
                "waived until {}: {} ({})",
                w.waiver.expires, w.waiver.reason, w.waiver.ticket
            ),
            None => "waived".to_string(),
        }),
        Status::Baselined => Outcome::Skipped("in the baseline".to_string()),
    };
    Case {
        classname: format!("audit.{family}.{}", f.rule_id),
        name: f.resource_id.clone(),
        outcome,
    }
}

fn suites(result: &CheckResult) -> Vec<Suite> {
    let mut by_rule: BTreeMap<&str, Vec<&Judged>> = BTreeMap::new();
    for j in &result.gate.judged {
        by_rule.entry(&j.finding.rule_id).or_default().push(j);
    }

    let mut suites = Vec::new();
    for r in result.rules {
        let judged = by_rule.remove(r.id.as_str()).unwrap_or_default();
        let mut cases: Vec<Case> = judged
            .iter()
            .map(|j| finding_case(result, &r.family, j))
            .collect();
        if let (true, Some(why)) = (cases.is_empty(), &r.not_judged) {
            // Not applied on this partition: skipped with the reason, never a pass.
            cases.push(Case {
                classname: format!("audit.{}.{}", r.family, r.id),
                name: "not judged on this provider".to_string(),
                outcome: Outcome::Skipped(format!("not judged: {why}")),
            });
        } else if cases.is_empty() {
            cases.push(Case {
                classname: format!("audit.{}.{}", r.family, r.id),
                name: "no findings".to_string(),
                outcome: Outcome::Pass(None),
            });
        }
        suites.push(Suite {
            name: r.id.clone(),
            cases,
        });
    }
    // Findings of a rule not in the list (none, when the caller passes every enabled
    // rule) still show, rather than vanish from the report.
    for (id, judged) in by_rule {
        suites.push(Suite {
            name: id.to_string(),
            cases: judged
                .iter()
                .map(|j| finding_case(result, "unknown", j))
                .collect(),
        });
    }

    // Gaps are always shown: as errors, or as skipped when --allow-incomplete accepted
    // them, so that a test report never looks complete when the snapshot was not.
    if !result.gaps.is_empty() {
        let cases = result
            .gaps
            .iter()
            .map(|g| {
                let what = format!("{} {} in {}", g.service, g.operation, g.region);
                if result.allow_incomplete {
                    return Case {
                        classname: "audit.coverage".to_string(),
                        outcome: Outcome::Skipped(format!(
                            "coverage gap accepted by --allow-incomplete: {}: {}",
                            g.error_code, g.message
                        )),
                        name: what,
                    };
                }
                Case {
                    classname: "audit.coverage".to_string(),
                    outcome: Outcome::Error {
                        kind: g.error_code.to_string(),
                        message: format!("{}: {}", g.error_code, g.message),
                        body: format!(
                            "{what}: {}: {}\nthe snapshot could not see this; an incomplete audit never passes (use --allow-incomplete to judge it anyway)",
                            g.error_code, g.message
                        ),
                    },
                    name: what,
                }
            })
            .collect();
        suites.push(Suite {
            name: "coverage".to_string(),
            cases,
        });
    }

    let expired: Vec<Case> = result
        .gate
        .waivers
        .iter()
        .filter(|w| w.state == WaiverState::Expired)
        .map(|w| {
            let v = &w.waiver;
            Case {
                classname: "audit.waivers".to_string(),
                name: format!("{} {}", v.rule, v.resource),
                outcome: Outcome::Failure {
                    kind: "expired-waiver".to_string(),
                    message: format!(
                        "expired on {}: {} (owner {}, ticket {})",
                        v.expires, v.reason, v.owner, v.ticket
                    ),
                    body: format!(
                        "the waiver at {} for {} on {} expired on {} and fails the gate; renew or remove it\nmatched findings: {}",
                        v.place, v.rule, v.resource, v.expires, w.matched
                    ),
                },
            }
        })
        .collect();
    if !expired.is_empty() {
        suites.push(Suite {
            name: "waivers".to_string(),
            cases: expired,
        });
    }
    suites
}

fn write_case(out: &mut String, case: &Case) {
    out.push_str(&format!(
        "    <testcase classname=\"{}\" name=\"{}\"",
        attr(&case.classname),
        attr(&case.name)
    ));
    let child = match &case.outcome {
        Outcome::Pass(None) => None,
        Outcome::Pass(Some(note)) => Some(format!("<system-out>{}</system-out>", text(note))),
        Outcome::Failure {
            kind,
            message,
            body,
        } => Some(format!(
            "<failure type=\"{}\" message=\"{}\">{}</failure>",
            attr(kind),
            attr(message),
            text(body)
        )),
        Outcome::Error {
            kind,
            message,
            body,
        } => Some(format!(
            "<error type=\"{}\" message=\"{}\">{}</error>",
            attr(kind),
            attr(message),
            text(body)
        )),
        Outcome::Skipped(message) => Some(format!("<skipped message=\"{}\"/>", attr(message))),
    };
    match child {
        None => out.push_str("/>\n"),
        Some(child) => out.push_str(&format!(">\n      {child}\n    </testcase>\n")),
    }
}

/// The JUnit XML report of `audit check --format junit`, with a trailing newline.
pub fn render(result: &CheckResult) -> String {
    let suites = suites(result);
    let counts: Vec<Counts> = suites.iter().map(|s| Counts::of(&s.cases)).collect();
    let total = counts.iter().fold(Counts::default(), |a, c| a.add(*c));

    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"audit\" {}>\n",
        total.attributes()
    ));
    for (suite, counts) in suites.iter().zip(counts) {
        out.push_str(&format!(
            "  <testsuite name=\"{}\" {}>\n",
            attr(&suite.name),
            counts.attributes()
        ));
        for case in &suite.cases {
            write_case(&mut out, case);
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

#[cfg(test)]
mod tests {
    use audit_model::gate::Gate;
    use audit_model::{Gap, Severity};

    use super::*;
    use crate::sarif::tests::{HOSTILE, fixture, header};
    use crate::testkit::empty_result;

    fn num(node: roxmltree::Node, name: &str) -> usize {
        node.attribute(name).unwrap().parse().unwrap()
    }

    fn count(node: roxmltree::Node, tag: &str) -> usize {
        node.descendants().filter(|n| n.has_tag_name(tag)).count()
    }

    /// The counts attributes of `<testsuites>` and of every `<testsuite>` are what the
    /// document holds.
    fn assert_counts_consistent(doc: &roxmltree::Document) {
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "testsuites");
        let mut nodes = vec![root];
        nodes.extend(root.children().filter(|n| n.has_tag_name("testsuite")));
        for node in nodes {
            assert_eq!(num(node, "tests"), count(node, "testcase"));
            assert_eq!(num(node, "failures"), count(node, "failure"));
            assert_eq!(num(node, "errors"), count(node, "error"));
            assert_eq!(num(node, "skipped"), count(node, "skipped"));
        }
    }

    #[test]
    fn parses_back_with_consistent_counts() {
        let fx = fixture();
        let out = render(&fx.result(Some("base.json")));
        assert!(out.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites "));
        assert!(out.ends_with("</testsuites>\n"));
        let doc = roxmltree::Document::parse(&out).unwrap();
        assert_counts_consistent(&doc);
        let root = doc.root_element();
        assert_eq!(root.attribute("name"), Some("audit"));
        // 1 (no findings) + 2 + 2 + 1 findings + 1 gap + 1 expired waiver.
        assert_eq!(num(root, "tests"), 8);
        // The hostile open critical, the new bucket, the expired waiver.
        assert_eq!(num(root, "failures"), 3);
        assert_eq!(num(root, "errors"), 1);
        // Waived and baselined.
        assert_eq!(num(root, "skipped"), 2);

        let suites: Vec<&str> = root
            .children()
            .filter(|n| n.is_element())
            .map(|n| n.attribute("name").unwrap())
            .collect();
        assert_eq!(
            suites,
            [
                "AUD-IAM-001",
                "AUD-NET-001",
                "AUD-S3-001",
                "AUD-TAG-001",
                "coverage",
                "waivers"
            ]
        );
    }

    fn cases<'a, 'i>(doc: &'a roxmltree::Document<'i>) -> Vec<roxmltree::Node<'a, 'i>> {
        doc.descendants()
            .filter(|n| n.has_tag_name("testcase"))
            .collect()
    }

    #[test]
    fn cases_say_what_the_gate_decided() {
        let fx = fixture();
        let out = render(&fx.result(None));
        let doc = roxmltree::Document::parse(&out).unwrap();
        let cases = cases(&doc);
        let names: Vec<(&str, &str)> = cases
            .iter()
            .map(|c| {
                (
                    c.attribute("classname").unwrap(),
                    c.attribute("name").unwrap(),
                )
            })
            .collect();
        let hostile_shown = HOSTILE
            .replace('\u{1b}', "\\u{1b}")
            .replace('\u{7}', "\\u{7}")
            .replace('\u{fffe}', "\\u{fffe}");
        assert_eq!(
            names,
            [
                ("audit.iam.AUD-IAM-001", "no findings"),
                ("audit.network.AUD-NET-001", hostile_shown.as_str()),
                (
                    "audit.network.AUD-NET-001",
                    "arn:aws-cn:ec2:cn-north-1:1:security-group/sg-bastion"
                ),
                ("audit.security.AUD-S3-001", "arn:aws-cn:s3:::logs"),
                ("audit.security.AUD-S3-001", "arn:aws-cn:s3:::new-bucket"),
                ("audit.tagging.AUD-TAG-001", "arn:aws-cn:s3:::new-bucket"),
                (
                    "audit.coverage",
                    "ec2 DescribeSecurityGroups in cn-northwest-1"
                ),
                ("audit.waivers", "AUD-NET-001 *sg-<x>*"),
            ]
        );
        // The hostile id's markup characters survive the round trip.
        assert!(hostile_shown.contains("sg-<x>&\"y\"]]>'z'\\u{1b}[31m"));

        // No findings: passes, no children.
        assert!(cases[0].first_element_child().is_none());

        // Open at or above the threshold: a failure; the detail keeps its line breaks.
        let failure = cases[1].first_element_child().unwrap();
        assert!(failure.has_tag_name("failure"));
        assert_eq!(failure.attribute("type"), Some("critical"));
        let detail = "ingress 0.0.0.0/0 on port 3389 <rdp> & \"more\"\nsecond line\r\n";
        assert_eq!(failure.attribute("message"), Some(detail));
        assert_eq!(
            failure.text(),
            Some(
                format!(
                    "{detail}\nresource: {hostile_shown}\nregion: cn-north-1\nremediation: fix AUD-NET-001\nwaiver: expired on 2026-11-01 (waivers.toml:3)"
                )
                .as_str()
            )
        );

        // Waived: skipped with the waiver's terms.
        let skipped = cases[2].first_element_child().unwrap();
        assert!(skipped.has_tag_name("skipped"));
        assert_eq!(
            skipped.attribute("message"),
            Some("waived until 2026-12-31: bastion <legacy> & \"temporary\" (NET-42)")
        );

        // Baselined: skipped.
        let skipped = cases[3].first_element_child().unwrap();
        assert!(skipped.has_tag_name("skipped"));
        assert_eq!(skipped.attribute("message"), Some("in the baseline"));

        let failure = cases[4].first_element_child().unwrap();
        assert_eq!(failure.attribute("type"), Some("high"));
        assert_eq!(
            failure.text(),
            Some(
                "bucket is public\nresource: arn:aws-cn:s3:::new-bucket\nregion: cn-north-1\nremediation: fix AUD-S3-001"
            )
        );

        // Open below the threshold: passes, says so.
        let note = cases[5].first_element_child().unwrap();
        assert!(note.has_tag_name("system-out"));
        assert!(note.text().unwrap().starts_with(
            "open low finding, below the fail-on threshold high: missing tag owner\n"
        ));

        // The gap: an error, its control character made visible.
        let error = cases[6].first_element_child().unwrap();
        assert!(error.has_tag_name("error"));
        assert_eq!(error.attribute("type"), Some("AccessDenied"));
        assert_eq!(
            error.attribute("message"),
            Some("AccessDenied: not authorized <to> & \\u{1b}")
        );

        // The expired waiver: a failure.
        let failure = cases[7].first_element_child().unwrap();
        assert!(failure.has_tag_name("failure"));
        assert_eq!(failure.attribute("type"), Some("expired-waiver"));
        assert!(
            failure
                .attribute("message")
                .unwrap()
                .starts_with("expired on 2026-11-01: ")
        );
    }

    #[test]
    fn renders_are_byte_identical() {
        let fx = fixture();
        assert_eq!(render(&fx.result(None)), render(&fx.result(None)));
        let fx2 = fixture();
        assert_eq!(render(&fx.result(None)), render(&fx2.result(None)));
    }

    #[test]
    fn gaps_allowed_are_skipped_not_hidden() {
        let fx = fixture();
        let mut result = fx.result(None);
        result.allow_incomplete = true;
        let out = render(&result);
        let doc = roxmltree::Document::parse(&out).unwrap();
        assert_counts_consistent(&doc);
        let coverage = doc
            .descendants()
            .find(|n| n.attribute("name") == Some("coverage"))
            .expect("the coverage suite stays");
        assert_eq!(num(coverage, "skipped"), 1);
        assert_eq!(num(doc.root_element(), "errors"), 0);
        // The expired waiver still fails.
        assert!(
            doc.descendants()
                .any(|n| n.attribute("name") == Some("waivers"))
        );
    }

    #[test]
    fn no_rules_no_findings_is_an_empty_valid_report() {
        let header = header();
        let gate = Gate::default();
        let result = empty_result(&header, &gate);
        let out = render(&result);
        assert_eq!(
            out,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"audit\" tests=\"0\" failures=\"0\" errors=\"0\" skipped=\"0\">\n</testsuites>\n"
        );
        roxmltree::Document::parse(&out).unwrap();
    }

    #[test]
    fn every_character_yields_well_formed_xml() {
        // Every C0/C1 control, DEL, the markup characters, the non-characters XML 1.0
        // forbids, and a character above the BMP, in every place a string lands.
        let mut nasty: String = (0u32..0xa0).filter_map(char::from_u32).collect();
        nasty.push_str("\u{fffe}\u{ffff}\u{fffd}\u{10ffff}😀]]>");
        let header = header();
        let gap = Gap {
            service: nasty.clone(),
            region: nasty.clone(),
            operation: nasty.clone(),
            error_code: nasty.as_str().into(),
            message: nasty.clone(),
        };
        let gate = audit_model::gate::apply(
            vec![audit_model::Finding {
                rule_id: nasty.clone(),
                severity: Severity::High,
                resource_id: nasty.clone(),
                resource_type: nasty.clone(),
                region: nasty.clone(),
                detail: nasty.clone(),
                fingerprint: audit_model::gate::fingerprint(&nasty, &nasty, ""),
            }],
            vec![],
            None,
            "2026-11-20".parse().unwrap(),
        );
        let result = CheckResult {
            snapshot_file: "snap.json",
            header: &header,
            resources: 1,
            gate: &gate,
            gaps: vec![&gap],
            fail_on: Severity::Low,
            allow_incomplete: false,
            baseline: None,
            rules: &[],
            tool_version: "0.1.0",
            tco: None,
        };
        let out = render(&result);
        let doc = roxmltree::Document::parse(&out).unwrap();
        assert_counts_consistent(&doc);
        let expected: String = nasty
            .chars()
            .map(|c| {
                if matches!(c, '\t' | '\n' | '\r')
                    || !(c.is_control() || c == '\u{fffe}' || c == '\u{ffff}')
                {
                    c.to_string()
                } else {
                    c.escape_unicode().to_string()
                }
            })
            .collect();
        let case = doc
            .descendants()
            .find(|n| n.has_tag_name("testcase"))
            .unwrap();
        // TAB, LF and CR survive attribute normalization; the rest shows as `\u{..}`.
        assert_eq!(case.attribute("name"), Some(expected.as_str()));
        assert_eq!(
            case.attribute("classname"),
            Some(format!("audit.unknown.{expected}").as_str())
        );
        let failure = case.first_element_child().unwrap();
        assert_eq!(failure.attribute("message"), Some(expected.as_str()));
        assert!(failure.text().unwrap().starts_with(&expected));
    }

    #[test]
    fn escaping() {
        assert_eq!(
            attr("<a href=\"x\">&'\t\n\r"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos;&#9;&#10;&#13;"
        );
        assert_eq!(text("a\tb\nc\r\nd]]>"), "a\tb\nc&#13;\nd]]&gt;");
        assert_eq!(
            text("\u{0}\u{1b}[31m\u{7f}\u{85}\u{fffe}\u{ffff}"),
            "\\u{0}\\u{1b}[31m\\u{7f}\\u{85}\\u{fffe}\\u{ffff}"
        );
        assert_eq!(text("é😀\u{fffd}"), "é😀\u{fffd}");
    }
}
