//! Waivers and baselines: reading them, with errors that name the file and the place.

use std::collections::BTreeSet;
use std::path::Path;

use audit_model::Finding;
use audit_model::gate::{Waiver, fingerprint};
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
    let text = std::fs::read_to_string(path).map_err(|source| EngineError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    parse_waivers(path, &text, rules)
}

pub fn parse_waivers(path: &Path, text: &str, rules: &RuleSet) -> Result<Vec<Waiver>, EngineError> {
    let at = |span: std::ops::Range<usize>| SourcePlace::at_offset(path, text, span.start);
    let invalid = |place: SourcePlace, message: String| EngineError::Config { place, message };
    let file: File = toml::from_str(text)
        .map_err(|e| invalid(at(e.span().unwrap_or(0..0)), e.message().to_string()))?;
    let mut out = Vec::new();
    for entry in file.waiver {
        let place = at(entry.span());
        let e = entry.into_inner();
        if rules.rule(e.rule.get_ref()).is_none() {
            return Err(invalid(
                at(e.rule.span()),
                format!("unknown rule id `{}` in a waiver", e.rule.get_ref()),
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
    findings: Vec<BaselineFinding>,
}

/// A finding as a findings file holds it; other fields (status, fingerprint) are ignored
/// and the fingerprint is computed again.
#[derive(Deserialize)]
struct BaselineFinding {
    rule_id: String,
    severity: audit_model::Severity,
    resource_id: String,
    resource_type: String,
    region: String,
    detail: String,
}

/// Reads the findings of a previous run and returns their fingerprints.
pub fn load_baseline(path: &Path) -> Result<BTreeSet<String>, EngineError> {
    Ok(load_findings_file(path)?.iter().map(fingerprint).collect())
}

/// Reads the findings of a previous run (`audit check --format json`, `report.json`).
pub fn load_findings_file(path: &Path) -> Result<Vec<Finding>, EngineError> {
    let bytes = std::fs::read(path).map_err(|source| EngineError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut de = serde_json::Deserializer::from_slice(&bytes);
    let file: FindingsFile = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let inner = e.inner();
        EngineError::Config {
            place: SourcePlace {
                file: path.to_path_buf(),
                line: Some(inner.line()),
                column: Some(inner.column()),
            },
            message: format!(
                "not a findings file (from `audit check --format json`): at `{}`: {inner}",
                e.path()
            ),
        }
    })?;
    Ok(file
        .findings
        .into_iter()
        .map(|f| Finding {
            rule_id: f.rule_id,
            severity: f.severity,
            resource_id: f.resource_id,
            resource_type: f.resource_type,
            region: f.region,
            detail: f.detail,
        })
        .collect())
}
