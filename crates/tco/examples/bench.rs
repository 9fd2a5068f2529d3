//! Generate synthetic FOCUS files and time the TCO over them.
//!
//!     bench gen ROWS OUT.csv|OUT.parquet [SEED]
//!     bench read FILE...      (with policies/tco.toml and fixtures/idc/inventory.csv)
//!     bench render json|md|csv|svg PERIOD FILE...   (prints the report)
//!
//! Run from the repository root or give AUDIT_ROOT. Prints one line per step.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use audit_tco::generate::{self, GenerateOptions};
use audit_tco::{Options, run};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = PathBuf::from(std::env::var("AUDIT_ROOT").unwrap_or_else(|_| ".".into()));
    let result = match args.first().map(String::as_str) {
        Some("gen") if args.len() >= 3 => generate_file(&args[1], Path::new(&args[2]), args.get(3)),
        Some("read") if args.len() >= 2 => read(&root, &args[1..]),
        Some("render") if args.len() >= 4 => render(&root, &args[1], &args[2], &args[3..]),
        _ => Err(
            "usage: bench gen ROWS OUT.csv|OUT.parquet [SEED] | bench read FILE... | bench render json|md|csv|svg PERIOD FILE..."
                .into(),
        ),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench: {e}");
            ExitCode::from(2)
        }
    }
}

fn generate_file(rows: &str, out: &Path, seed: Option<&String>) -> Result<(), String> {
    let mut o = GenerateOptions {
        rows: rows.parse().map_err(|_| format!("bad ROWS `{rows}`"))?,
        ..GenerateOptions::default()
    };
    if let Some(s) = seed {
        o.seed = s.parse().map_err(|_| format!("bad SEED `{s}`"))?;
    }
    let t = Instant::now();
    let written = if out.extension().is_some_and(|e| e == "parquet") {
        generate::write_parquet(out, &o)
    } else {
        generate::write_csv(out, &o)
    }
    .map_err(|e| e.to_string())?;
    println!(
        "generated {} rows, {} bytes, to {} in {:.2} s",
        written.rows,
        written.bytes,
        out.display(),
        t.elapsed().as_secs_f64()
    );
    Ok(())
}

fn read(root: &Path, files: &[String]) -> Result<(), String> {
    let files: Vec<PathBuf> = files.iter().map(PathBuf::from).collect();
    let t = Instant::now();
    let r = run(
        &root.join("policies/tco.toml"),
        &root.join("fixtures/idc/inventory.csv"),
        &files,
        &Options::default(),
    )
    .map_err(|e| e.to_string())?;
    let rows: u64 = r.months.iter().map(|m| m.rows).sum();
    println!(
        "read {rows} rows in {:.2} s: gated {}..{} ratio {} pass {}",
        t.elapsed().as_secs_f64(),
        r.gated.from,
        r.gated.to,
        r.gated.ratio,
        r.gated.pass
    );
    Ok(())
}

fn render(root: &Path, format: &str, period: &str, files: &[String]) -> Result<(), String> {
    let files: Vec<PathBuf> = files.iter().map(PathBuf::from).collect();
    let options = Options {
        period: period
            .parse()
            .map_err(|e: audit_tco::TcoError| e.to_string())?,
        ..Options::default()
    };
    let r = run(
        &root.join("policies/tco.toml"),
        &root.join("fixtures/idc/inventory.csv"),
        &files,
        &options,
    )
    .map_err(|e| e.to_string())?;
    let out = match format {
        "json" => r.to_json(),
        "md" => audit_tco::render::markdown(&r),
        "csv" => audit_tco::render::months_csv(&r),
        "svg" => audit_tco::chart::svg(&r),
        _ => return Err(format!("unknown format `{format}`")),
    };
    print!("{out}");
    Ok(())
}
