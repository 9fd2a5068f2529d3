//! `audit tco`: the cloud's TCO against the IDC baseline. The computation is in
//! `audit-tco` (Polars); this module reads the flags, writes the files and sets the exit
//! code: 1 when the gated period is over the limit, 3 when an input does not validate.

use std::path::{Path, PathBuf};

use audit_tco::{Options, TcoReport, WhatIfOverrides};

use crate::cli::{TcoArgs, TcoFormat};
use crate::exit::Exit;
use crate::{Failure, output};

/// The files `audit tco` writes into `--out`, in this order.
pub const FILES: [&str; 4] = ["tco.json", "tco.md", "tco-months.csv", "tco.svg"];

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
