//! `audit report`: every format of the same judgement, written into a folder.

use std::path::Path;

use audit_report::CheckResult;

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
    let a = &args.judge;
    let judgement = a.judge(&args.tco)?;
    let result = judgement.result(a.fail_on, a.allow_incomplete);
    let written = write_reports(&result, &args.format, &args.out)?;
    let exit = result.verdict().into();
    std::mem::forget(judgement);
    Ok((exit, written))
}

/// Renders and writes each format into `out`, on as many threads as there are cores,
/// largest documents first; each document is dropped once written, so that at most one
/// a thread is in memory (on 10^6 resources they are hundreds of MB each). Returns the
/// files written, in format order.
pub fn write_reports(
    result: &CheckResult,
    formats: &[ReportFormat],
    out: &Path,
) -> Result<String, Failure> {
    let mut formats = formats.to_vec();
    formats.sort();
    formats.dedup();
    // Largest first (measured at 10^6 resources), so that the last one is short.
    let size_rank = |f: &ReportFormat| match f {
        ReportFormat::Sarif => 0,
        ReportFormat::Junit => 1,
        ReportFormat::Csv => 2,
        ReportFormat::Json => 3,
        ReportFormat::Md => 4,
    };
    let mut queue = formats.clone();
    queue.sort_by_key(size_rank);
    let queue = std::sync::Mutex::new(queue.into_iter());
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let done: Vec<Vec<(ReportFormat, Result<String, Failure>)>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads.min(formats.len()))
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let next = queue.lock().ok().and_then(|mut q| q.next());
                        let Some(format) = next else { return mine };
                        let path = out.join(file_name(format));
                        let text = match format {
                            ReportFormat::Md => audit_report::markdown::render(result),
                            ReportFormat::Csv => audit_report::csv::findings(result),
                            ReportFormat::Json => audit_report::json::render(result),
                            ReportFormat::Sarif => audit_report::sarif::render(result),
                            ReportFormat::Junit => audit_report::junit::render(result),
                        };
                        let written = output::write_atomic(&path, text.as_bytes())
                            .map(|()| format!("wrote {}\n", path.display()));
                        mine.push((format, written));
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    vec![(
                        ReportFormat::Md,
                        Err(Failure::usage("a report thread panicked")),
                    )]
                })
            })
            .collect()
    });
    let mut outcomes: Vec<(ReportFormat, Result<String, Failure>)> =
        done.into_iter().flatten().collect();
    outcomes.sort_by_key(|(format, _)| *format);
    let outcomes = outcomes.into_iter().map(|(_, r)| r);
    let mut written = String::new();
    for outcome in outcomes {
        written.push_str(&outcome?);
    }
    Ok(written)
}
