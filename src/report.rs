//! `audit report`: every format of the same judgement, written into a folder.

use std::path::Path;

use audit_report::CheckResult;

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
    let written = write_reports(&result, &args.format, &args.out)?;
    let exit = result.verdict().into();
    std::mem::forget(judgement);
    Ok((exit, written))
}

/// Renders and writes each format into `out`, one thread a format: rendering is CPU
/// and writing is I/O, and on a large snapshot each is seconds. Returns the files.
pub fn write_reports(
    result: &CheckResult,
    formats: &[ReportFormat],
    out: &Path,
) -> Result<String, Failure> {
    let mut formats = formats.to_vec();
    formats.sort();
    formats.dedup();
    let outcomes: Vec<Result<String, Failure>> = std::thread::scope(|scope| {
        let handles: Vec<_> = formats
            .iter()
            .map(|&format| {
                let path = out.join(file_name(format));
                scope.spawn(move || {
                    let text = match format {
                        ReportFormat::Md => audit_report::markdown::render(result),
                        ReportFormat::Csv => audit_report::csv::findings(result),
                        ReportFormat::Json => audit_report::json::render(result),
                        ReportFormat::Sarif => audit_report::sarif::render(result),
                        ReportFormat::Junit => audit_report::junit::render(result),
                    };
                    output::write_atomic(&path, text.as_bytes())
                        .map(|()| format!("wrote {}\n", path.display()))
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(Failure::usage("error: a report thread panicked")))
            })
            .collect()
    });
    let mut written = String::new();
    for outcome in outcomes {
        written.push_str(&outcome?);
    }
    Ok(written)
}
