//! Waivers and baselines: reading them, with errors that name the file and the place.

use std::collections::BTreeSet;
use std::path::Path;

use audit_model::gate::Waiver;
use audit_model::{FINDINGS_DOC_VERSION, Finding, Gap, Partition};
use serde::Deserialize;
use toml::Spanned;

use crate::error::{EngineError, SourcePlace};
use crate::rules::RuleSet;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    waiver: Vec<Spanned<Entry>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    rule: Spanned<String>,
    resource: Spanned<String>,
    reason: Spanned<String>,
    owner: Spanned<String>,
    ticket: Spanned<String>,
    expires: Spanned<toml::value::Datetime>,
}

/// Reads a waivers file (`[[waiver]]` tables); every rule id must exist in `rules`.
pub fn load_waivers(path: &Path, rules: &RuleSet) -> Result<Vec<Waiver>, EngineError> {
    let text = crate::error::read_input(path, "waivers")?;
    parse_waivers(path, &text, rules)
}

pub fn parse_waivers(path: &Path, text: &str, rules: &RuleSet) -> Result<Vec<Waiver>, EngineError> {
    let at = |span: std::ops::Range<usize>| SourcePlace::at_offset(path, text, span.start);
    let invalid = |place: SourcePlace, message: String| EngineError::Input {
        what: "waivers",
        place,
        message,
    };
    let file: File = toml::from_str(text)
        .map_err(|e| invalid(at(e.span().unwrap_or(0..0)), e.message().to_string()))?;
    let mut out = Vec::new();
    for entry in file.waiver {
        let place = at(entry.span());
        let e = entry.into_inner();
        if rules.rule(e.rule.get_ref()).is_none() {
            return Err(invalid(
                at(e.rule.span()),
                format!(
                    "unknown rule id {} in a waiver",
                    audit_text::quote(e.rule.get_ref())
                ),
            ));
        }
        for (name, field) in [
            ("resource", &e.resource),
            ("reason", &e.reason),
            ("owner", &e.owner),
            ("ticket", &e.ticket),
        ] {
            if field.get_ref().trim().is_empty() {
                return Err(invalid(
                    at(field.span()),
                    format!("a waiver needs a non-blank `{name}`"),
                ));
            }
        }
        let d = e.expires.get_ref();
        let expires = match (d.date, d.time) {
            (Some(date), None) => {
                jiff::civil::Date::new(date.year as i16, date.month as i8, date.day as i8).ok()
            }
            _ => None,
        }
        .ok_or_else(|| {
            invalid(
                at(e.expires.span()),
                "`expires` must be a date such as 2026-12-31 (the last day the waiver holds)"
                    .into(),
            )
        })?;
        out.push(Waiver {
            rule: e.rule.into_inner(),
            resource: e.resource.into_inner(),
            reason: e.reason.into_inner(),
            owner: e.owner.into_inner(),
            ticket: e.ticket.into_inner(),
            expires,
            place: place.to_string(),
        });
    }
    Ok(out)
}

/// A findings file: the JSON of `audit check --format json` or `report.json`.
#[derive(Deserialize)]
struct FindingsFile {
    schema_version: u32,
    snapshot: FileSnapshot,
    findings: Vec<Finding>,
    gaps: Vec<Gap>,
}

#[derive(Deserialize)]
struct FileSnapshot {
    account_id: String,
    partition: Partition,
}

/// What a findings file says: whose findings, which, and what was not seen.
#[derive(Debug, Clone)]
pub struct FindingsDoc {
    pub account_id: String,
    pub partition: Partition,
    pub findings: Vec<Finding>,
    pub gaps: Vec<Gap>,
}

/// Reads the findings of a previous run (`audit check --format json`, `report.json`).
pub fn load_findings_file(path: &Path) -> Result<FindingsDoc, EngineError> {
    let bytes = std::fs::read(path).map_err(|source| EngineError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let invalid = |line: usize, column: usize, message: String| EngineError::Input {
        what: "findings file",
        place: SourcePlace {
            file: path.to_path_buf(),
            line: Some(line),
            column: Some(column),
        },
        message,
    };
    let file: FindingsFile = audit_model::json_doc::parse(&bytes).map_err(|e| {
        invalid(
            e.line,
            e.column,
            format!(
                "expected what `audit check --format json` writes: {}",
                e.message
            ),
        )
    })?;
    if file.schema_version != FINDINGS_DOC_VERSION {
        return Err(invalid(
            1,
            1,
            format!(
                "unsupported schema_version {}: this build of audit reads version {FINDINGS_DOC_VERSION}",
                file.schema_version
            ),
        ));
    }
    Ok(FindingsDoc {
        account_id: file.snapshot.account_id,
        partition: file.snapshot.partition,
        findings: file.findings,
        gaps: file.gaps,
    })
}

/// Reads a baseline and returns its fingerprints; it must be of the same account and
/// partition as the snapshot it is compared with.
pub fn load_baseline(
    path: &Path,
    account_id: &str,
    partition: Partition,
) -> Result<BTreeSet<String>, EngineError> {
    let doc = load_findings_file(path)?;
    if doc.account_id != account_id || doc.partition != partition {
        return Err(EngineError::Input {
            what: "baseline",
            place: SourcePlace::file_only(path),
            message: format!(
                "it is of account {} ({}), the snapshot of account {account_id} ({partition})",
                doc.account_id, doc.partition
            ),
        });
    }
    Ok(doc.findings.into_iter().map(|f| f.fingerprint).collect())
}
