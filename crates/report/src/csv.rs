//! The findings as CSV (`findings.csv`), for spreadsheets and ticket imports: one row per
//! finding, in the order of every output, with a stable, documented set of columns.
//!
//! RFC 4180: CRLF after every record (the header too, the last record too), a field is
//! quoted when it holds `,`, `"`, CR or LF, and a quote inside a quoted field is doubled.
//! Every value may be attacker-controlled, so a field that a spreadsheet would read as a
//! formula (OWASP "CSV injection": first character `=`, `+`, `-`, `@`, TAB or CR) gets a
//! leading `'` and is shown as text. No clock: the same input gives the same bytes.

use audit_model::gate::Status;

use crate::CheckResult;

/// The columns of [`findings`], in order: the header row. Stable: a column is never
/// renamed, removed or moved; new columns are only ever appended.
///
/// - `severity`: `critical`, `high`, `medium` or `low`, in force (after config overrides).
/// - `status`: what the gate made of the finding: `open` (counts against the gate when its
///   severity is at or above `--fail-on`), `waived` (accepted by a waiver in force) or
///   `baselined` (already in the baseline: not new). The same words as `report.json`.
/// - `rule_id`: the rule's id, e.g. `NET-001`.
/// - `title`: the rule's title.
/// - `family`: the rule's family (network, logging, ...).
/// - `control`: the clause of the control framework the rule serves.
/// - `resource_id`: the resource's ARN or provider id.
/// - `resource_type`: the snapshot's resource type, e.g. `security_group`.
/// - `region`: the resource's region, or `global`.
/// - `detail`: why the resource breaks the rule, with the values that matter.
/// - `remediation`: how to fix it, from the rule.
/// - `fingerprint`: the finding's stable identity across runs (16 hex digits), the key of
///   the baseline.
/// - `waiver_owner`, `waiver_ticket`, `waiver_expires` (`YYYY-MM-DD`, the last day it
///   holds): the waiver that matched the finding, in force or expired (an expired waiver
///   waives nothing: the status stays `open` or `baselined`); empty when none matched.
///
/// `title`, `family`, `control` and `remediation` are empty for a rule the check does not
/// describe. A field starting with `=`, `+`, `-`, `@`, TAB or CR starts with an added `'`.
pub const COLUMNS: &[&str] = &[
    "severity",
    "status",
    "rule_id",
    "title",
    "family",
    "resource_id",
    "resource_type",
    "region",
    "detail",
    "control",
    "remediation",
    "fingerprint",
    "waiver_owner",
    "waiver_ticket",
    "waiver_expires",
];

pub use audit_text::csv_field as field;

fn record<'a>(out: &mut String, fields: impl IntoIterator<Item = &'a str>) {
    for (i, f) in fields.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&field(f));
    }
    out.push_str("\r\n");
}

/// The findings of a check as CSV: the header row ([`COLUMNS`]), then one row per judged
/// finding in the gate's order.
pub fn findings(result: &CheckResult) -> String {
    let mut out = String::new();
    record(&mut out, COLUMNS.iter().copied());
    for j in &result.gate.judged {
        let f = &j.finding;
        let rule = result.rule(&f.rule_id);
        let rule_field = |get: fn(&crate::RuleInfo) -> &str| rule.map_or("", get);
        let status = match j.status {
            Status::Open => "open",
            Status::Waived => "waived",
            Status::Baselined => "baselined",
        };
        let waiver = j
            .waiver
            .and_then(|i| result.gate.waivers.get(i))
            .map(|w| &w.waiver);
        let expires = waiver.map(|w| w.expires.to_string()).unwrap_or_default();
        record(
            &mut out,
            [
                f.severity.as_str(),
                status,
                &f.rule_id,
                rule_field(|r| &r.title),
                rule_field(|r| &r.family),
                &f.resource_id,
                &f.resource_type,
                &f.region,
                &f.detail,
                rule_field(|r| &r.control),
                rule_field(|r| &r.remediation),
                &j.finding.fingerprint,
                waiver.map_or("", |w| &w.owner),
                waiver.map_or("", |w| &w.ticket),
                &expires,
            ],
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::fixture::{AWKWARD, FORMULA, HOSTILE, fixture};

    /// A strict RFC 4180 reader: records end with CRLF, a quote only opens a field or is
    /// doubled inside a quoted one, and no CR or LF stands outside quotes.
    fn parse(text: &str) -> Vec<Vec<String>> {
        let mut records = Vec::new();
        let mut chars = text.chars().peekable();
        while chars.peek().is_some() {
            let mut record = Vec::new();
            loop {
                let mut field = String::new();
                if chars.peek() == Some(&'"') {
                    chars.next();
                    loop {
                        match chars.next() {
                            Some('"') if chars.peek() == Some(&'"') => {
                                chars.next();
                                field.push('"');
                            }
                            Some('"') => break,
                            Some(c) => field.push(c),
                            None => panic!("unterminated quoted field"),
                        }
                    }
                } else {
                    while let Some(&c) = chars.peek() {
                        if c == ',' || c == '\r' {
                            break;
                        }
                        assert!(c != '"' && c != '\n', "{c:?} in an unquoted field");
                        field.push(c);
                        chars.next();
                    }
                }
                record.push(field);
                match chars.next() {
                    Some(',') => {}
                    Some('\r') => {
                        assert_eq!(chars.next(), Some('\n'), "CR without LF");
                        break;
                    }
                    other => panic!("{other:?} after a field: the last record lacks its CRLF"),
                }
            }
            records.push(record);
        }
        records
    }

    fn column(name: &str) -> usize {
        COLUMNS.iter().position(|c| *c == name).unwrap()
    }

    #[test]
    fn fields_are_quoted_and_defused() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field(""), "");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("a\nb"), "\"a\nb\"");
        assert_eq!(field("a\rb"), "\"a\rb\"");
        assert_eq!(field("=1+2"), "'=1+2");
        assert_eq!(field("+1"), "'+1");
        assert_eq!(field("-1"), "'-1");
        assert_eq!(field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(field("\tx"), "'\tx");
        assert_eq!(field("\rx"), "\"'\rx\"");
        assert_eq!(field(FORMULA), "\"'=HYPERLINK(\"\"http://x\"\")\"");
        // Only the first character counts.
        assert_eq!(field("a=b-c"), "a=b-c");
    }

    #[test]
    fn header_then_one_row_per_finding() {
        let fx = fixture();
        let result = fx.result();
        let csv = findings(&result);
        assert!(csv.starts_with(&format!("{}\r\n", COLUMNS.join(","))));
        let records = parse(&csv);
        assert_eq!(records.len(), result.gate.judged.len() + 1);
        assert_eq!(records[0], COLUMNS);
        for r in &records {
            assert_eq!(r.len(), COLUMNS.len(), "{r:?}");
        }
        // In the gate's order, with their fingerprints.
        for (r, j) in records[1..].iter().zip(&result.gate.judged) {
            assert_eq!(r[column("fingerprint")], j.finding.fingerprint);
            assert_eq!(r[column("rule_id")], j.finding.rule_id);
            assert_eq!(r[column("severity")], j.finding.severity.as_str());
        }
    }

    #[test]
    fn formula_detail_is_defused_and_quoted() {
        let fx = fixture();
        let csv = findings(&fx.result());
        assert!(csv.contains(",\"'=HYPERLINK(\"\"http://x\"\")\","), "{csv}");
        let records = parse(&csv);
        let row = records
            .iter()
            .find(|r| r[column("rule_id")] == "LOG-001")
            .unwrap();
        assert_eq!(row[column("detail")], format!("'{FORMULA}"));
        assert_eq!(row[column("status")], "baselined");
        // `-1+2 @owner` starts with `-`; the waiver owner `@team-net` with `@`.
        let tag = records
            .iter()
            .find(|r| r[column("rule_id")] == "TAG-001")
            .unwrap();
        assert_eq!(tag[column("detail")], "'-1+2 @owner");
        let waived = records
            .iter()
            .find(|r| r[column("status")] == "waived")
            .unwrap();
        assert_eq!(waived[column("waiver_owner")], "'@team-net");
        // No field of any row is left for a spreadsheet to evaluate.
        for r in &records[1..] {
            for f in r {
                assert!(!f.starts_with(['=', '+', '-', '@', '\t', '\r']), "{f:?}");
            }
        }
    }

    #[test]
    fn awkward_values_round_trip() {
        let fx = fixture();
        let records = parse(&findings(&fx.result()));
        let details: Vec<&str> = records[1..]
            .iter()
            .map(|r| r[column("detail")].as_str())
            .collect();
        assert!(details.contains(&AWKWARD), "{details:?}");
        let ids: Vec<&str> = records[1..]
            .iter()
            .map(|r| r[column("resource_id")].as_str())
            .collect();
        assert!(ids.contains(&HOSTILE), "{ids:?}");
        let remediation = &records[1][column("remediation")];
        assert_eq!(remediation, "Fix NET-001: see [docs](http://x) <b>now</b>");
    }

    #[test]
    fn waiver_columns_only_when_a_waiver_matched() {
        let fx = fixture();
        let records = parse(&findings(&fx.result()));
        let waiver_cols = |r: &Vec<String>| {
            (
                r[column("waiver_owner")].clone(),
                r[column("waiver_ticket")].clone(),
                r[column("waiver_expires")].clone(),
            )
        };
        let by_status_rule = |status: &str, rule: &str| {
            records
                .iter()
                .find(|r| r[column("status")] == status && r[column("rule_id")] == rule)
                .unwrap()
        };
        assert_eq!(
            waiver_cols(by_status_rule("waived", "NET-001")),
            ("'@team-net".into(), "SEC-1".into(), "2026-12-31".into())
        );
        // The expired waiver matched but waives nothing: still open, still shown.
        assert_eq!(
            waiver_cols(by_status_rule("open", "NET-002")),
            ("'@team-net".into(), "SEC-2".into(), "2026-11-19".into())
        );
        for (status, rule) in [
            ("open", "NET-001"),
            ("baselined", "LOG-001"),
            ("open", "TAG-001"),
        ] {
            assert_eq!(
                waiver_cols(by_status_rule(status, rule)),
                (String::new(), String::new(), String::new())
            );
        }
    }

    #[test]
    fn rule_columns_come_from_the_rule() {
        let fx = fixture();
        let records = parse(&findings(&fx.result()));
        let row = records
            .iter()
            .find(|r| r[column("rule_id")] == "NET-002")
            .unwrap();
        assert_eq!(row[column("title")], "Title of NET-002");
        assert_eq!(row[column("family")], "network");
        assert_eq!(row[column("control")], "MLPS 8.1.7");
        assert_eq!(row[column("resource_type")], "security_group");
        assert_eq!(row[column("region")], "cn-north-1");
    }

    #[test]
    fn deterministic_crlf_and_header_only_when_empty() {
        let fx = fixture();
        let a = findings(&fx.result());
        assert_eq!(a, findings(&fixture().result()));
        assert!(a.ends_with("\r\n"));
        let empty = audit_model::gate::Gate::default();
        let mut result = fx.result();
        result.gate = &empty;
        assert_eq!(findings(&result), format!("{}\r\n", COLUMNS.join(",")));
    }
}
