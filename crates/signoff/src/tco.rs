//! The TCO result: the `tco.json` that `audit tco` writes. Only what the sign-off
//! needs is read; other fields are ignored, so that the TCO document can grow.

use std::path::{Path, PathBuf};

use crate::error::{Place, SignoffError};
use crate::hash::{is_sha256_hex, sha256_file};

use audit_model::tco_result::TcoSummary;
/// The document's version and the types read: their one home is the contract in
/// `audit-model`, which `audit tco` writes.
pub use audit_model::tco_result::{TCO_VERSION, TcoInput};

#[derive(Debug, Clone, PartialEq)]
pub struct TcoResult {
    pub path: PathBuf,
    pub limit: f64,
    pub ratio: f64,
    pub pass: bool,
    pub currency: Option<String>,
    pub period: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub inputs: Vec<TcoInput>,
}

/// A cost input whose file no longer has the hash the TCO was computed on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaleInput {
    pub path: String,
    /// The file's hash now, or why it could not be read.
    pub now: Result<String, String>,
}

impl TcoResult {
    /// Cost inputs that changed (or vanished) since `audit tco` ran: the result is stale.
    pub fn stale_inputs(&self) -> Vec<StaleInput> {
        self.inputs
            .iter()
            .filter_map(|input| match sha256_file(Path::new(&input.path)) {
                Ok(now) if now == input.sha256 => None,
                Ok(now) => Some(StaleInput {
                    path: input.path.clone(),
                    now: Ok(now),
                }),
                Err(e) => Some(StaleInput {
                    path: input.path.clone(),
                    now: Err(e.to_string()),
                }),
            })
            .collect()
    }
}

pub fn load(path: &Path) -> Result<TcoResult, SignoffError> {
    let bytes = std::fs::read(path).map_err(|source| SignoffError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse(path, &bytes)
}

pub fn parse(path: &Path, bytes: &[u8]) -> Result<TcoResult, SignoffError> {
    let invalid = |place: Place, message: String| SignoffError::input("TCO result", place, message);
    let raw: TcoSummary = audit_model::json_doc::parse(bytes).map_err(|e| {
        invalid(
            Place::at(path, e.line, e.column),
            format!(
                "expected the `tco.json` that `audit tco` writes: {}",
                e.message
            ),
        )
    })?;
    let whole = Place::file_only(path);
    if raw.tco_version != TCO_VERSION {
        return Err(invalid(
            whole,
            format!(
                "unsupported tco_version {}: this build of audit reads version {TCO_VERSION}",
                raw.tco_version
            ),
        ));
    }
    for (name, value) in [("limit", raw.limit), ("gated.ratio", raw.gated.ratio)] {
        if !(value.is_finite() && value >= 0.0) {
            return Err(invalid(
                whole,
                format!("`{name}` must be a ratio of 0 or more, not {value}"),
            ));
        }
    }
    // `pass` is the TCO tool's verdict; a pass over the limit means the document is wrong.
    if raw.gated.pass && raw.gated.ratio > raw.limit {
        return Err(invalid(
            whole,
            format!(
                "`gated.pass` is true but `gated.ratio` {} is over `limit` {}",
                raw.gated.ratio, raw.limit
            ),
        ));
    }
    if raw.inputs.is_empty() {
        return Err(invalid(
            whole,
            "`inputs` is empty: the cost inputs cannot be proven".into(),
        ));
    }
    let mut inputs = raw.inputs;
    for (i, input) in inputs.iter().enumerate() {
        if input.path.trim().is_empty() || !is_sha256_hex(&input.sha256) {
            return Err(invalid(
                whole,
                format!("`inputs[{i}]` needs a path and a sha256 of 64 lowercase hex digits"),
            ));
        }
    }
    inputs.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(TcoResult {
        path: path.to_path_buf(),
        limit: raw.limit,
        ratio: raw.gated.ratio,
        pass: raw.gated.pass,
        currency: raw.currency,
        period: raw.period,
        from: raw.gated.from,
        to: raw.gated.to,
        inputs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ZERO: &str = "0000000000000000000000000000000000000000000000000000000000000000";

    fn doc(version: u32, ratio: f64, pass: bool) -> String {
        format!(
            r#"{{ "tco_version": {version}, "currency": "CNY", "limit": 0.7, "period": "latest",
  "gated": {{ "from": "2026-10", "to": "2026-10", "idc": 1234.5, "cloud": 800.0, "ratio": {ratio}, "pass": {pass} }},
  "months": [], "future_field": {{ "x": 1 }},
  "inputs": [ {{ "path": "b.csv", "sha256": "{ZERO}" }}, {{ "path": "a.csv", "sha256": "{ZERO}" }} ] }}"#
        )
    }

    #[test]
    fn reads_what_it_needs_and_ignores_the_rest() {
        let t = parse(Path::new("t.json"), doc(1, 0.648, true).as_bytes()).unwrap();
        assert!(t.pass);
        assert_eq!((t.ratio, t.limit), (0.648, 0.7));
        assert_eq!(t.currency.as_deref(), Some("CNY"));
        assert_eq!(t.from.as_deref(), Some("2026-10"));
        let paths: Vec<&str> = t.inputs.iter().map(|i| i.path.as_str()).collect();
        assert_eq!(paths, ["a.csv", "b.csv"], "sorted");
    }

    #[test]
    fn refuses_what_it_cannot_trust() {
        let err = |text: &str| {
            parse(Path::new("t.json"), text.as_bytes())
                .unwrap_err()
                .to_string()
        };
        assert!(err(&doc(2, 0.6, true)).contains("unsupported tco_version 2"));
        assert!(err(&doc(1, 0.8, true)).contains("over `limit`"));
        let no_pass = doc(1, 0.6, true).replace(", \"pass\": true", "");
        let e = err(&no_pass);
        assert!(
            e.starts_with("invalid TCO result t.json:2:") && e.contains("missing field `pass`"),
            "{e}"
        );
        assert!(err(&doc(1, 0.6, true).replace(ZERO, "abc")).contains("inputs[0]"));
        let e = err("{ \"tco_version\": 1, \"limit\": \"0.7\" }");
        assert!(e.contains("t.json:1:") && e.contains("at `limit`"), "{e}");
        // A failing TCO is a valid document: it is the item that fails.
        assert!(
            !parse(Path::new("t.json"), doc(1, 0.8, false).as_bytes())
                .unwrap()
                .pass
        );
    }
}
