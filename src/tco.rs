//! `audit tco`: the cloud's TCO against the IDC baseline. The computation is in
//! `audit-tco` (Polars); this module reads the flags, writes the files and sets the exit
//! code: 1 when the gated period is over the limit, 3 when an input does not validate.

use std::path::{Path, PathBuf};

use audit_tco::{Options, TcoError, TcoReport, WhatIfOverrides};

use crate::cli::{TcoArgs, TcoFormat};
use crate::exit::Exit;
use crate::{Failure, output};

/// The files `audit tco` writes into `--out`, in this order.
pub const FILES: [&str; 4] = ["tco.json", "tco.md", "tco-months.csv", "tco.svg"];

impl From<TcoError> for Failure {
    fn from(e: TcoError) -> Self {
        let exit = match e.kind() {
            audit_tco::ErrorKind::InvalidInput => Exit::Invalid,
            audit_tco::ErrorKind::Runtime => Exit::Error,
        };
        Failure {
            exit,
            message: format!("error: {e}"),
        }
    }
}

/// `--idc` names a folder holding `inventory.csv`, or the file itself.
fn inventory_file(idc: &Path) -> PathBuf {
    if idc.is_dir() {
        idc.join("inventory.csv")
    } else {
        idc.to_path_buf()
    }
}

pub fn compute(args: &TcoArgs) -> Result<TcoReport, Failure> {
    let options = Options {
        limit: args.limit,
        period: args.period.clone(),
        what_if: WhatIfOverrides {
            commitment_share: args.commitment_share,
            commitment_discount: args.commitment_discount,
            spot_share: args.spot_share,
            spot_discount: args.spot_discount,
            cold_share: args.cold_share,
            cold_price_ratio: args.cold_price_ratio,
        },
        cost_column: args.cost_column,
        tag_key: args.cost_tag.clone(),
        ..Options::default()
    };
    Ok(audit_tco::run(
        &args.assumptions,
        &inventory_file(&args.idc),
        &args.costs,
        &options,
    )?)
}

pub fn run(args: &TcoArgs) -> Result<Exit, Failure> {
    let report = compute(args)?;
    let json = report.to_json();
    // The Markdown file sits next to its chart; stdout gets the summary without it.
    let summary = audit_tco::render::markdown(&report);
    let md = format!("![Monthly IDC and cloud TCO](tco.svg)\n\n{summary}");
    let documents = [
        json.as_str(),
        md.as_str(),
        &audit_tco::render::months_csv(&report),
        &audit_tco::chart::svg(&report),
    ];
    let mut written = String::new();
    for (name, text) in FILES.iter().zip(documents) {
        let path = args.out.join(name);
        output::write_atomic(&path, text.as_bytes())?;
        written.push_str(&format!("wrote {}\n", path.display()));
    }
    match args.format {
        TcoFormat::Json => output::print(&json)?,
        TcoFormat::Table => output::print(&format!("{summary}\n{written}"))?,
    }
    Ok(if report.gated.pass {
        Exit::Clean
    } else {
        Exit::Findings
    })
}

/// The rule the TCO result is judged by in `check` and `report`. It lives here, not in a
/// Cedar file: the verdict is Polars' arithmetic, and the rule only carries it into the
/// findings. Critical, so that every `--fail-on` fails on it, as the design's exit code 1
/// says ("or TCO over its limit").
pub const GATE_RULE: &str = "tco-over-limit";

pub fn gate_rule() -> audit_report::RuleInfo {
    audit_report::RuleInfo {
        id: GATE_RULE.into(),
        severity: audit_model::Severity::Critical,
        title: "Cloud TCO over its limit of the IDC's".into(),
        family: "tco".into(),
        control: "internal: migration business case (cloud TCO at most 70 % of the IDC)".into(),
        remediation: "Cut the cloud bill (commitments, spot, storage tiering: see the what-if \
                      of `audit tco`) or revisit the IDC baseline; then run `audit tco` again"
            .into(),
        doc: None,
    }
}

/// The gated months: `2026-10`, or `2026-08..2026-10`.
fn period(tco: &audit_signoff::tco::TcoResult) -> Option<String> {
    match (&tco.from, &tco.to) {
        (Some(from), Some(to)) if from == to => Some(from.clone()),
        (Some(from), Some(to)) => Some(format!("{from}..{to}")),
        _ => None,
    }
}

/// What the reports show of a TCO result.
pub fn summary(
    tco: &audit_signoff::tco::TcoResult,
    stale: &[audit_signoff::tco::StaleInput],
) -> audit_report::TcoSummary {
    audit_report::TcoSummary {
        file: tco.path.display().to_string(),
        ratio: tco.ratio,
        limit: tco.limit,
        pass: tco.pass,
        period: period(tco).or_else(|| tco.period.clone()),
        currency: tco.currency.clone(),
        stale_inputs: stale.len(),
    }
}

/// The finding of a TCO result, if it fails: over its limit, or computed from cost files
/// that changed since (a stale verdict proves nothing).
pub fn gate_finding(
    tco: &audit_signoff::tco::TcoResult,
    stale: &[audit_signoff::tco::StaleInput],
) -> Option<audit_model::Finding> {
    let period = period(tco).map(|p| format!(" in {p}")).unwrap_or_default();
    let (detail, key) = if let Some(first) = stale.first() {
        (
            format!(
                "the TCO result `{}` is stale: `{}` changed since it was computed ({} input(s) in all); run `audit tco` again",
                tco.path.display(),
                first.path,
                stale.len()
            ),
            "stale",
        )
    } else if !tco.pass {
        (
            format!(
                "cloud TCO is {:.1} % of the IDC's{period}, over the limit of {:.1} %",
                tco.ratio * 100.0,
                tco.limit * 100.0
            ),
            "over",
        )
    } else {
        return None;
    };
    let resource_id = "tco".to_string();
    Some(audit_model::Finding {
        fingerprint: audit_model::gate::fingerprint(GATE_RULE, &resource_id, key),
        rule_id: GATE_RULE.into(),
        severity: audit_model::Severity::Critical,
        resource_id,
        resource_type: "tco_result".into(),
        region: "global".into(),
        detail,
    })
}
