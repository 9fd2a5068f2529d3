//! `audit report`: every format of the same judgement, written into a folder.

use crate::check::judge;
use crate::cli::{ReportArgs, ReportFormat};
use crate::exit::Exit;
use crate::{Failure, output};

/// The file each format is written to, inside `--out`.
pub fn file_name(format: ReportFormat) -> &'static str {
    match format {
        ReportFormat::Md => "audit-report.md",
        ReportFormat::Csv => "findings.csv",
        ReportFormat::Json => "report.json",
        ReportFormat::Sarif => "audit.sarif",
        ReportFormat::Junit => "junit.xml",
    }
}

/// Writes the reports, each atomically, then exits with the gate's verdict, as `check`.
pub fn run(args: &ReportArgs) -> Result<Exit, Failure> {
    let (exit, written) = write(args)?;
    output::print(&written)?;
    Ok(exit)
}

/// Judges and writes; returns the verdict and the list of files written.
pub fn write(args: &ReportArgs) -> Result<(Exit, String), Failure> {
    let judgement = judge(&args.snapshot, &args.pack, &args.gate, args.workers)?;
    let result = judgement.result(args.fail_on, args.allow_incomplete);
    let mut formats = args.format.clone();
    formats.sort();
    formats.dedup();
    let mut written = String::new();
    for format in formats {
        let text = match format {
            ReportFormat::Md => audit_report::markdown::render(&result),
            ReportFormat::Csv => audit_report::csv::findings(&result),
            ReportFormat::Json => audit_report::json::render(&result),
            ReportFormat::Sarif => audit_report::sarif::render(&result),
            ReportFormat::Junit => audit_report::junit::render(&result),
        };
        let path = args.out.join(file_name(format));
        output::write_atomic(&path, text.as_bytes())?;
        written.push_str(&format!("wrote {}\n", path.display()));
    }
    let exit = result.verdict().into();
    std::mem::forget(judgement);
    Ok((exit, written))
}
