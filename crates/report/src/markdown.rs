//! The Markdown report (`report.md`): for human reviewers, in a pull request, a wiki or an
//! audit file. The verdict comes first, then a summary, the findings per rule, the coverage
//! gaps, the waivers and the rules with the clauses they serve.
//!
//! Every value that comes from the snapshot, the config, the policy pack or the waivers is
//! attacker-controlled: each goes through [`cell`], so none can add a table row, a heading,
//! a link, an image or HTML. The report has no clock: the same input gives the same bytes.

use std::cmp::Reverse;
use std::collections::BTreeMap;

use audit_model::Severity;
use audit_model::gate::{Judged, Status, WaiverReport, WaiverState};

use crate::{CheckResult, Verdict};

pub use audit_text::markdown_cell as cell;

/// A GitHub-flavoured Markdown table. Cells must already be escaped with [`cell`] (or be
/// text of this module). `numeric` columns are right-aligned.
fn table(out: &mut String, header: &[&str], numeric: &[bool], rows: &[Vec<String>]) {
    out.push('|');
    for h in header {
        out.push(' ');
        out.push_str(h);
        out.push_str(" |");
    }
    out.push_str("\n|");
    for i in 0..header.len() {
        out.push_str(if numeric.get(i).copied().unwrap_or(false) {
            " ---: |"
        } else {
            " --- |"
        });
    }
    out.push('\n');
    for row in rows {
        debug_assert_eq!(row.len(), header.len(), "a row of the wrong width");
        out.push('|');
        for c in row {
            out.push(' ');
            out.push_str(c);
            out.push_str(" |");
        }
        out.push('\n');
    }
}

fn waiver_state(state: WaiverState) -> &'static str {
    match state {
        WaiverState::InForce => "in force",
        WaiverState::Expired => "EXPIRED",
        WaiverState::Stale => "stale",
    }
}

/// The TCO verdict the gate was given, passing or not (a failing one is also a finding).
fn tco_section(out: &mut String, tco: &crate::TcoSummary) {
    out.push_str("\n## Total cost of ownership\n\n");
    let verdict = if tco.stale_inputs > 0 {
        format!(
            "**STALE**: {} cost input(s) changed since it was computed",
            tco.stale_inputs
        )
    } else if tco.pass {
        "pass".to_string()
    } else {
        "**OVER THE LIMIT**".to_string()
    };
    let mut rows = vec![
        vec!["result".to_string(), cell(&tco.file)],
        vec![
            "cloud TCO / IDC TCO".to_string(),
            format!("{:.1} %", tco.ratio * 100.0),
        ],
        vec!["limit".to_string(), format!("{:.1} %", tco.limit * 100.0)],
    ];
    if let Some(period) = &tco.period {
        rows.push(vec!["period".to_string(), cell(period)]);
    }
    if let Some(currency) = &tco.currency {
        rows.push(vec!["currency".to_string(), cell(currency)]);
    }
    rows.push(vec!["verdict".to_string(), verdict]);
    table(out, &["measure", "value"], &[false, false], &rows);
}

/// The one bold verdict line.
fn verdict_line(result: &CheckResult) -> String {
    format!(
        "**Verdict: {}**: {}",
        result.verdict().label(),
        result.verdict_reason()
    )
}

/// Counts of findings by status: all, open, waived, baselined.
#[derive(Default, Clone, Copy)]
struct Counts {
    all: usize,
    open: usize,
    waived: usize,
    baselined: usize,
}

impl Counts {
    fn add(&mut self, status: Status) {
        self.all += 1;
        match status {
            Status::Open => self.open += 1,
            Status::Waived => self.waived += 1,
            Status::Baselined => self.baselined += 1,
        }
    }

    fn cells(self) -> [String; 4] {
        [self.all, self.open, self.waived, self.baselined].map(|n| n.to_string())
    }
}

/// How the gate treated one finding, for its row.
fn status_word(result: &CheckResult, j: &Judged) -> String {
    let waiver: Option<&WaiverReport> = j.waiver.and_then(|i| result.gate.waivers.get(i));
    let mut word = match j.status {
        Status::Open if j.finding.severity < result.fail_on => "below threshold".to_string(),
        Status::Open => "open".to_string(),
        Status::Waived => match waiver {
            Some(w) => format!("waived ({})", cell(&w.waiver.ticket)),
            None => "waived".to_string(),
        },
        Status::Baselined => "baselined".to_string(),
    };
    if j.status != Status::Waived
        && let Some(w) = waiver
        && w.state == WaiverState::Expired
    {
        word.push_str(&format!(
            "; waiver {} EXPIRED {}",
            cell(&w.waiver.ticket),
            w.waiver.expires
        ));
    }
    word
}

/// The Markdown report of a check: see the module documentation. Ends with one newline.
pub fn render(result: &CheckResult) -> String {
    let h = result.header;
    let mut out = String::new();

    // Title block.
    out.push_str(&format!(
        "# Compliance report: account {} ({})\n\n",
        cell(&h.account_id),
        h.partition
    ));
    out.push_str(&format!(
        "- Snapshot file: {}\n",
        cell(result.snapshot_file)
    ));
    out.push_str(&format!(
        "- Collected at: {}\n",
        cell(&h.collected_at.to_string())
    ));
    let regions: Vec<String> = h.regions.iter().map(|r| cell(r)).collect();
    out.push_str(&format!(
        "- Resources: {} in {} region(s){}{}\n",
        result.resources,
        regions.len(),
        if regions.is_empty() { "" } else { ": " },
        regions.join(", ")
    ));
    out.push_str(&format!(
        "- Threshold: fail on {} and above{}\n",
        result.fail_on,
        if result.allow_incomplete {
            "; coverage gaps allowed (`--allow-incomplete`)"
        } else {
            ""
        }
    ));
    if let Some(b) = result.baseline {
        out.push_str(&format!("- Baseline: {}\n", cell(b)));
    }
    out.push_str(&format!("- Tool: audit {}\n", cell(result.tool_version)));

    // Verdict first.
    out.push('\n');
    out.push_str(&verdict_line(result));
    out.push_str("\n\n");

    let judged = &result.gate.judged;
    out.push_str(&format!("{}.", result.counts_line()));
    if result.verdict() == Verdict::Incomplete && result.failing() > 0 {
        out.push_str(&format!(
            " Judged anyway, {} open finding(s) are at or above {}.",
            result.failing(),
            result.fail_on
        ));
    }
    if result.allow_incomplete && !result.gaps.is_empty() {
        out.push_str(&format!(
            " {} coverage gap(s) allowed: the audit did not see everything.",
            result.gaps.len()
        ));
    }
    out.push('\n');

    if let Some(tco) = result.tco {
        tco_section(&mut out, tco);
    }

    // Summary.
    out.push_str("\n## Summary\n\n### By severity\n\n");
    let mut per_severity: BTreeMap<Reverse<Severity>, Counts> = Severity::ALL
        .iter()
        .map(|s| (Reverse(*s), Counts::default()))
        .collect();
    let mut total = Counts::default();
    for j in judged {
        per_severity
            .entry(Reverse(j.finding.severity))
            .or_default()
            .add(j.status);
        total.add(j.status);
    }
    let mut rows: Vec<Vec<String>> = per_severity
        .into_iter()
        .map(|(Reverse(s), c)| {
            let mut row = vec![s.to_string()];
            row.extend(c.cells());
            row
        })
        .collect();
    let mut total_row = vec!["total".to_string()];
    total_row.extend(total.cells());
    rows.push(total_row);
    table(
        &mut out,
        &["severity", "findings", "open", "waived", "baselined"],
        &[false, true, true, true, true],
        &rows,
    );

    out.push_str("\n### By rule family\n\n");
    // Every family of the enabled rules, even without findings; findings of a rule the
    // result does not describe count under `unknown`.
    let mut per_family: BTreeMap<&str, (usize, Counts)> = BTreeMap::new();
    for r in result.rules {
        per_family.entry(&r.family).or_default().0 += 1;
    }
    for j in judged {
        let family = result
            .rule(&j.finding.rule_id)
            .map_or("unknown", |r| r.family.as_str());
        per_family.entry(family).or_default().1.add(j.status);
    }
    if per_family.is_empty() {
        out.push_str("No rule is enabled and there is no finding.\n");
    } else {
        let rows: Vec<Vec<String>> = per_family
            .into_iter()
            .map(|(family, (rules, c))| {
                let mut row = vec![cell(family), rules.to_string()];
                row.extend(c.cells());
                row
            })
            .collect();
        table(
            &mut out,
            &["family", "rules", "findings", "open", "waived", "baselined"],
            &[false, true, true, true, true, true],
            &rows,
        );
    }

    // Findings, grouped by rule: most severe rule first, then by id.
    out.push_str("\n## Findings\n\n");
    if judged.is_empty() {
        out.push_str("No findings.\n");
    } else {
        let mut groups: BTreeMap<&str, Vec<&Judged>> = BTreeMap::new();
        for j in judged {
            groups.entry(&j.finding.rule_id).or_default().push(j);
        }
        let mut groups: Vec<(Severity, &str, Vec<&Judged>)> = groups
            .into_iter()
            .map(|(id, js)| {
                let severity = js
                    .iter()
                    .map(|j| j.finding.severity)
                    .max()
                    .unwrap_or(Severity::Low);
                (severity, id, js)
            })
            .collect();
        groups.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
        for (i, (severity, id, js)) in groups.iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            let rule = result.rule(id);
            match rule {
                Some(r) => out.push_str(&format!("### {}: {}\n\n", cell(id), cell(&r.title))),
                None => out.push_str(&format!("### {}\n\n", cell(id))),
            }
            let control = rule.map_or(String::new(), |r| {
                format!(" · Control: {}", cell(&r.control))
            });
            out.push_str(&format!(
                "Severity: {severity}{control} · Findings: {}\n\n",
                js.len()
            ));
            if let Some(r) = rule
                && !r.remediation.is_empty()
            {
                out.push_str(&format!("**Remediation:** {}\n\n", cell(&r.remediation)));
            }
            let rows: Vec<Vec<String>> = js
                .iter()
                .map(|j| {
                    vec![
                        cell(&j.finding.resource_id),
                        cell(&j.finding.region),
                        status_word(result, j),
                        cell(&j.finding.detail),
                    ]
                })
                .collect();
            table(
                &mut out,
                &["resource", "region", "status", "detail"],
                &[],
                &rows,
            );
        }
    }

    // Coverage gaps.
    out.push_str("\n## Coverage gaps\n\n");
    if result.gaps.is_empty() {
        out.push_str("None: neither the collection nor the evaluation reported a gap.\n");
    } else {
        out.push_str(
            "What the snapshot or the engine could not see: a resource there may break a rule \
             without a finding.\n\n",
        );
        let rows: Vec<Vec<String>> = result
            .gaps
            .iter()
            .map(|g| {
                vec![
                    cell(&g.service),
                    cell(&g.region),
                    cell(&g.operation),
                    cell(g.error_code.as_str()),
                    cell(&g.message),
                ]
            })
            .collect();
        table(
            &mut out,
            &["service", "region", "operation", "error", "message"],
            &[],
            &rows,
        );
    }

    // Waivers.
    out.push_str("\n## Waivers\n\n");
    if result.gate.waivers.is_empty() {
        out.push_str("None.\n");
    } else {
        let rows: Vec<Vec<String>> = result
            .gate
            .waivers
            .iter()
            .map(|w| {
                vec![
                    waiver_state(w.state).to_string(),
                    cell(&w.waiver.rule),
                    cell(&w.waiver.resource),
                    w.waiver.expires.to_string(),
                    cell(&w.waiver.owner),
                    cell(&w.waiver.ticket),
                    cell(&w.waiver.reason),
                    w.matched.to_string(),
                ]
            })
            .collect();
        table(
            &mut out,
            &[
                "state", "rule", "resource", "expires", "owner", "ticket", "reason", "matched",
            ],
            &[false, false, false, false, false, false, false, true],
            &rows,
        );
    }

    // Rules this provider's APIs cannot judge: listed, never counted as passed.
    let unjudged: Vec<Vec<String>> = result
        .rules
        .iter()
        .filter_map(|r| {
            let why = r.not_judged.as_deref()?;
            Some(vec![cell(&r.id), cell(&r.control), cell(why)])
        })
        .collect();
    if !unjudged.is_empty() {
        out.push_str(&format!(
            "\n## Not judged on this provider ({})\n\n{} rule(s) were not applied: the `{}` \
             partition's APIs do not tell their facts. Neither passed nor failed; prove these \
             controls another way.\n\n",
            result.header.partition,
            unjudged.len(),
            result.header.partition
        ));
        table(&mut out, &["id", "control", "why"], &[], &unjudged);
    }

    // Rules.
    out.push_str("\n## Rules and the clauses they serve\n\n");
    if result.rules.is_empty() {
        out.push_str("None: no rule is enabled.\n");
    } else {
        let rows: Vec<Vec<String>> = result
            .rules
            .iter()
            .map(|r| {
                vec![
                    cell(&r.id),
                    cell(&r.family),
                    r.severity.to_string(),
                    cell(&r.control),
                ]
            })
            .collect();
        table(
            &mut out,
            &["id", "family", "severity", "control"],
            &[],
            &rows,
        );
    }
    out
}

/// A small check result with every status, waiver state, a gap and hostile values, for the
/// tests of this crate's renderers.
#[cfg(test)]
pub(crate) mod fixture {
    use audit_model::gate::{Gate, Waiver, apply};
    use audit_model::{Gap, Header, Partition, Provider, Severity, Tool, sort_findings};

    use crate::testkit::finding;
    use crate::{CheckResult, RuleInfo};

    /// A resource id that tries to end its cell, add a row and run a script.
    pub const HOSTILE: &str = "evil|<script>alert(1)</script>\n| injected | row |`code`";
    /// A detail that a spreadsheet would run as a formula.
    pub const FORMULA: &str = "=HYPERLINK(\"http://x\")";
    /// A detail with every character CSV must quote.
    pub const AWKWARD: &str = "ports 22, 3389 \"any\"\r\nsecond line\nthird";

    pub struct Fixture {
        pub header: Header,
        pub gate: Gate,
        pub gaps: Vec<Gap>,
        pub rules: Vec<RuleInfo>,
    }

    impl Fixture {
        /// Fails on high; gaps not allowed.
        pub fn result(&self) -> CheckResult<'_> {
            CheckResult {
                snapshot_file: "snap|shot\n# .json",
                header: &self.header,
                resources: 7,
                gate: &self.gate,
                gaps: self.gaps.iter().collect(),
                fail_on: Severity::High,
                allow_incomplete: false,
                baseline: Some("baseline.json"),
                rules: &self.rules,
                tool_version: "0.1.0",
                tco: None,
            }
        }
    }

    fn rule(id: &str, severity: Severity, family: &str) -> RuleInfo {
        RuleInfo {
            id: id.into(),
            severity,
            title: format!("Title of {id}"),
            family: family.into(),
            control: format!("MLPS 8.1.{}", id.len()),
            remediation: format!("Fix {id}: see [docs](http://x) <b>now</b>"),
            doc: None,
            not_judged: None,
        }
    }

    pub fn fixture() -> Fixture {
        let mut findings = vec![
            // Open, critical: fails.
            finding("NET-001", Severity::Critical, HOSTILE, "0.0.0.0/0 on 22"),
            // Waived by a waiver in force.
            finding(
                "NET-001",
                Severity::Critical,
                "arn:aws-cn:ec2:cn-north-1:1:sg-bastion",
                "0.0.0.0/0 on 22",
            ),
            // Open, high, its waiver expired: fails.
            finding(
                "NET-002",
                Severity::High,
                "arn:aws-cn:ec2:cn-north-1:1:sg-2",
                AWKWARD,
            ),
            // Baselined.
            finding(
                "LOG-001",
                Severity::Medium,
                "arn:aws-cn:cloudtrail:cn-north-1:1:trail/t",
                FORMULA,
            ),
            // Open but below the threshold.
            finding(
                "TAG-001",
                Severity::Low,
                "arn:aws-cn:s3:::bucket",
                "-1+2 @owner",
            ),
        ];
        sort_findings(&mut findings);
        let baseline = [findings[3].fingerprint.clone()].into_iter().collect();
        let waiver = |rule: &str, resource: &str, expires: &str, ticket: &str| Waiver {
            rule: rule.into(),
            resource: resource.into(),
            reason: "accepted | for now\n<img src=x onerror=alert(1)>".into(),
            owner: "@team-net".into(),
            ticket: ticket.into(),
            expires: expires.parse().unwrap(),
            place: "waivers.toml:1".into(),
        };
        let gate = apply(
            findings,
            vec![
                waiver("NET-001", "*sg-bastion", "2026-12-31", "SEC-1"),
                waiver("NET-002", "*", "2026-11-19", "SEC-2"),
                waiver("NET-009", "*", "2027-01-01", "SEC-3"),
            ],
            Some(&baseline),
            "2026-11-20".parse().unwrap(),
        );
        let header = Header {
            schema_version: audit_model::SCHEMA_VERSION,
            provider: Provider::Aws,
            partition: Partition::AwsCn,
            account_id: "123456789012\n# pwned".into(),
            regions: vec!["cn-north-1".into(), "cn-northwest-1".into()],
            collected_at: "2026-11-20T08:00:00Z".parse().unwrap(),
            tool: Tool {
                name: "audit".into(),
                version: "0.1.0".into(),
            },
            gaps: vec![],
        };
        let gaps = vec![Gap {
            service: "rds".into(),
            region: "cn-northwest-1".into(),
            operation: "DescribeDBInstances".into(),
            error_code: "AccessDenied".into(),
            message: "denied | by policy\r\n| x | y | z | w | v |".into(),
        }];
        let mut rules = vec![
            rule("TAG-001", Severity::Low, "tagging"),
            rule("NET-002", Severity::High, "network"),
            rule("NET-001", Severity::Critical, "network"),
            rule("LOG-001", Severity::Medium, "logging"),
            rule("IAM-001", Severity::High, "identity"),
        ];
        rules.sort_by(|a, b| a.id.cmp(&b.id));
        Fixture {
            header,
            gate,
            gaps,
            rules,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fixture::{AWKWARD, FORMULA, HOSTILE, fixture};
    use super::*;
    use audit_model::gate::Gate;

    /// `|` that end a cell for GitHub: those not right after a backslash.
    fn unescaped_pipes(line: &str) -> usize {
        let mut n = 0;
        let mut prev = None;
        for c in line.chars() {
            if c == '|' && prev != Some('\\') {
                n += 1;
            }
            prev = Some(c);
        }
        n
    }

    /// The tables of a document: runs of lines that start with `|`.
    fn tables(doc: &str) -> Vec<Vec<&str>> {
        let mut out: Vec<Vec<&str>> = Vec::new();
        let mut in_table = false;
        for line in doc.lines() {
            if line.starts_with('|') {
                if !in_table {
                    out.push(Vec::new());
                }
                in_table = true;
                if let Some(t) = out.last_mut() {
                    t.push(line);
                }
            } else {
                in_table = false;
            }
        }
        out
    }

    /// Undoes [`cell`], to show it loses nothing and is unambiguous.
    fn unescape(s: &str) -> String {
        let mut out = String::new();
        let mut rest = s;
        while let Some(c) = rest.chars().next() {
            if let Some(r) = rest.strip_prefix("&amp;") {
                out.push('&');
                rest = r;
            } else if let Some(r) = rest.strip_prefix("&lt;") {
                out.push('<');
                rest = r;
            } else if let Some(r) = rest.strip_prefix("&gt;") {
                out.push('>');
                rest = r;
            } else if let Some(r) = rest.strip_prefix("&#58;") {
                out.push(':');
                rest = r;
            } else if let Some(r) = rest.strip_prefix("&#46;") {
                out.push('.');
                rest = r;
            } else if let Some(r) = rest.strip_prefix("<!-- -->") {
                // The empty comment that keeps `a@b.c` from becoming a mail link.
                rest = r;
            } else if let Some(r) = rest.strip_prefix("\\u{") {
                let end = r.find('}').unwrap();
                out.push(char::from_u32(u32::from_str_radix(&r[..end], 16).unwrap()).unwrap());
                rest = &r[end + 1..];
            } else if let Some(r) = rest.strip_prefix('\\') {
                let e = r.chars().next().unwrap();
                assert!("\\|`*_[]#~".contains(e), "stray escape \\{e}");
                out.push(e);
                rest = &r[e.len_utf8()..];
            } else {
                assert!(!"|`*_[]#~<>".contains(c), "unescaped {c:?} in {s:?}");
                out.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
        out
    }

    #[test]
    fn cell_escapes_markdown_html_and_line_breaks() {
        assert_eq!(cell("plain text-1.2"), "plain text-1.2");
        assert_eq!(
            cell(r"a\b|c`d*e_f[g]h#i~j"),
            r"a\\b\|c\`d\*e\_f\[g\]h\#i\~j"
        );
        assert_eq!(
            cell("<a href='x'>&</a>"),
            "&lt;a href='x'&gt;&amp;&lt;/a&gt;"
        );
        assert_eq!(
            cell("a\r\nb\tc\u{1b}[31m"),
            r"a\u{d}\u{a}b\u{9}c\u{1b}\[31m"
        );
        assert_eq!(cell("x\u{202e}y\u{2028}z"), r"x\u{202e}y\u{2028}z");
        assert_eq!(cell(""), "");
    }

    #[test]
    fn cell_is_reversible_and_leaves_nothing_active() {
        let mut samples: Vec<String> = vec![
            HOSTILE.into(),
            r"\u{a} literal, \\| and \|".into(),
            "&lt; already an entity &#124;".into(),
            "日本語 ünïcödé 🙂".into(),
        ];
        samples.push((0u8..128).map(char::from).collect());
        for s in &samples {
            let c = cell(s);
            assert!(
                !c.chars()
                    .any(|c| c.is_control() || audit_text::is_deceptive(c)),
                "{c:?}"
            );
            // No HTML but the empty comment before an `@` (it stops a mail autolink).
            let bare = c.replace("<!-- -->", "");
            assert!(!bare.contains('<') && !bare.contains('>'), "{c:?}");
            // Every `|` is escaped by an odd run of backslashes, whatever the parser.
            let bytes = c.as_bytes();
            for (i, b) in bytes.iter().enumerate() {
                if *b == b'|' {
                    let run = bytes[..i].iter().rev().take_while(|b| **b == b'\\').count();
                    assert_eq!(run % 2, 1, "unescaped | in {c:?}");
                }
            }
            assert_eq!(&unescape(&c), s);
        }
    }

    #[test]
    fn verdict_is_the_first_line_after_the_title_block() {
        let fx = fixture();
        let mut result = fx.result();
        let first_after_title = |doc: &str| -> String {
            let mut lines = doc.lines();
            assert!(
                lines
                    .next()
                    .unwrap()
                    .starts_with("# Compliance report: account ")
            );
            lines
                .find(|l| !l.is_empty() && !l.starts_with("- "))
                .unwrap()
                .to_string()
        };

        // Gaps not allowed: incomplete, whatever the findings.
        assert_eq!(
            first_after_title(&render(&result)),
            "**Verdict: INCOMPLETE**: 1 coverage gap(s); an incomplete audit never passes (use --allow-incomplete to judge it anyway)"
        );

        // Gaps allowed: the critical open one and the high one whose waiver expired fail,
        // and so does the expired waiver.
        result.allow_incomplete = true;
        assert_eq!(
            first_after_title(&render(&result)),
            "**Verdict: FAIL**: 2 open finding(s) at or above high; \
             1 expired waiver(s); renew or remove them"
        );

        // Only the expired waiver fails.
        let expired_only = Gate {
            judged: vec![],
            waivers: fx.gate.waivers.clone(),
        };
        result.gate = &expired_only;
        assert_eq!(
            first_after_title(&render(&result)),
            "**Verdict: FAIL**: 1 expired waiver(s); renew or remove them"
        );

        let empty = Gate::default();
        result.gate = &empty;
        result.gaps.clear();
        result.fail_on = Severity::Low;
        assert_eq!(
            first_after_title(&render(&result)),
            "**Verdict: PASS**: no open finding at or above low"
        );
    }

    #[test]
    fn title_block_shows_the_snapshot_and_the_tool() {
        let fx = fixture();
        let md = render(&fx.result());
        assert!(
            md.starts_with("# Compliance report: account 123456789012\\u{a}\\# pwned (aws-cn)\n\n")
        );
        assert!(md.contains("- Snapshot file: snap\\|shot\\u{a}\\# .json\n"));
        assert!(md.contains("- Collected at: 2026-11-20T08:00:00Z\n"));
        assert!(md.contains("- Resources: 7 in 2 region(s): cn-north-1, cn-northwest-1\n"));
        assert!(md.contains("- Baseline: baseline.json\n"));
        assert!(md.contains("- Tool: audit 0.1.0\n"));
    }

    #[test]
    fn every_table_row_has_the_width_of_its_header() {
        let fx = fixture();
        let md = render(&fx.result());
        let tables = tables(&md);
        // Severity, family, 4 rules' findings, gaps, waivers, rules.
        assert_eq!(tables.len(), 9, "{md}");
        for t in &tables {
            assert!(t.len() >= 2, "{t:?}");
            let width = unescaped_pipes(t[0]);
            assert!(t[1].starts_with("| ---"), "{t:?}");
            for row in t {
                assert_eq!(unescaped_pipes(row), width, "{row:?} in {t:?}");
                assert!(row.ends_with(" |"), "{row:?}");
            }
        }
        // Nothing hostile is left active anywhere.
        assert!(!md.contains("<script>") && !md.contains("<img"));
        assert!(!md.contains("[docs]("));
        assert!(
            !md.lines()
                .any(|l| l.starts_with("| injected") || l.starts_with("| x |"))
        );
        assert!(
            !md.lines()
                .any(|l| l.starts_with("# pwned") || l.starts_with("# .json"))
        );
        // Every line that is not prose of this module is a table row or a heading.
        assert_eq!(md.lines().filter(|l| l.starts_with("# ")).count(), 1);
    }

    #[test]
    fn the_hostile_resource_is_one_escaped_cell_of_one_row() {
        let fx = fixture();
        let md = render(&fx.result());
        let t = tables(&md);
        let net1 = t
            .iter()
            .find(|t| t.iter().any(|r| r.contains("evil")))
            .unwrap();
        // Header, separator, the waived one (`arn:` sorts first) and the hostile one.
        assert_eq!(net1.len(), 4, "{net1:?}");
        assert!(net1[2].contains("waived (SEC-1)"), "{net1:?}");
        assert_eq!(
            net1[3],
            "| evil\\|&lt;script&gt;alert(1)&lt;/script&gt;\\u{a}\\| injected \\| row \\|\\`code\\` \
             | cn-north-1 | open | 0.0.0.0/0 on 22 |"
        );
    }

    #[test]
    fn findings_are_grouped_by_rule_most_severe_first() {
        let fx = fixture();
        let md = render(&fx.result());
        let headings: Vec<&str> = md.lines().filter(|l| l.starts_with("### ")).collect();
        assert_eq!(
            headings,
            [
                "### By severity",
                "### By rule family",
                "### NET-001: Title of NET-001",
                "### NET-002: Title of NET-002",
                "### LOG-001: Title of LOG-001",
                "### TAG-001: Title of TAG-001",
            ]
        );
        assert!(md.contains("Severity: critical · Control: MLPS 8.1.7 · Findings: 2\n"));
        assert!(md.contains(
            "**Remediation:** Fix NET-001: see \\[docs\\](http&#58;//x) &lt;b&gt;now&lt;/b&gt;\n"
        ));
        // Each status word.
        assert!(md.contains(" | cn-north-1 | waived (SEC-1) | "));
        assert!(md.contains(" | cn-north-1 | open; waiver SEC-2 EXPIRED 2026-11-19 | "));
        assert!(md.contains(" | cn-north-1 | baselined | "));
        assert!(md.contains(" | cn-north-1 | below threshold | "));
        assert!(md.contains(&cell(AWKWARD)));
        assert!(md.contains(&cell(FORMULA)));
    }

    #[test]
    fn summary_counts_by_severity_and_family() {
        let fx = fixture();
        let md = render(&fx.result());
        for row in [
            "| critical | 2 | 1 | 1 | 0 |",
            "| high | 1 | 1 | 0 | 0 |",
            "| medium | 1 | 0 | 0 | 1 |",
            "| low | 1 | 1 | 0 | 0 |",
            "| total | 5 | 3 | 1 | 1 |",
            "| identity | 1 | 0 | 0 | 0 | 0 |",
            "| logging | 1 | 1 | 0 | 0 | 1 |",
            "| network | 2 | 3 | 2 | 1 | 0 |",
            "| tagging | 1 | 1 | 1 | 0 | 0 |",
        ] {
            assert!(md.lines().any(|l| l == row), "no {row:?} in\n{md}");
        }
        assert!(md.contains(
            "5 finding(s): 2 critical, 1 high, 1 medium, 1 low (1 waived, 1 in the baseline)."
        ));
    }

    #[test]
    fn gaps_waivers_and_rules() {
        let fx = fixture();
        let md = render(&fx.result());
        assert!(md.contains(
            "| rds | cn-northwest-1 | DescribeDBInstances | AccessDenied | \
             denied \\| by policy\\u{d}\\u{a}\\| x \\| y \\| z \\| w \\| v \\| |\n"
        ));
        let reason = "accepted \\| for now\\u{a}&lt;img src=x onerror=alert(1)&gt;";
        for row in [
            format!(
                "| in force | NET-001 | \\*sg-bastion | 2026-12-31 | <!-- -->@team-net | SEC-1 | {reason} | 1 |"
            ),
            format!(
                "| EXPIRED | NET-002 | \\* | 2026-11-19 | <!-- -->@team-net | SEC-2 | {reason} | 1 |"
            ),
            format!(
                "| stale | NET-009 | \\* | 2027-01-01 | <!-- -->@team-net | SEC-3 | {reason} | 0 |"
            ),
        ] {
            assert!(md.lines().any(|l| l == row), "no {row:?} in\n{md}");
        }
        let rules_section = md
            .split("## Rules and the clauses they serve\n")
            .nth(1)
            .unwrap();
        let ids: Vec<&str> = rules_section
            .lines()
            .skip(3)
            .filter_map(|l| l.split(" | ").next())
            .collect();
        assert_eq!(
            ids,
            [
                "| IAM-001",
                "| LOG-001",
                "| NET-001",
                "| NET-002",
                "| TAG-001"
            ]
        );
        assert!(rules_section.contains("| IAM-001 | identity | high | MLPS 8.1.7 |\n"));
    }

    #[test]
    fn empty_sections_say_so() {
        let fx = fixture();
        let mut result = fx.result();
        let empty = Gate::default();
        result.gate = &empty;
        result.gaps.clear();
        result.rules = &[];
        let md = render(&result);
        assert!(md.contains("## Findings\n\nNo findings.\n"));
        assert!(md.contains("## Coverage gaps\n\nNone: "));
        assert!(md.contains("## Waivers\n\nNone.\n"));
        assert!(md.contains("## Rules and the clauses they serve\n\nNone: no rule is enabled.\n"));
        assert!(tables(&md).len() == 1, "only the severity table:\n{md}");
    }

    #[test]
    fn deterministic_with_one_trailing_newline() {
        let fx = fixture();
        let a = render(&fx.result());
        let b = render(&fixture().result());
        assert_eq!(a, b);
        assert!(a.ends_with(" |\n") && !a.ends_with("\n\n"));
        assert!(!a.contains("\n\n\n"));
        assert!(!a.contains('\r'));
    }
}
