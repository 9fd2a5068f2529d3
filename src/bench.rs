//! `audit bench`: synthetic snapshots, and the engine measured end to end (file →
//! findings) next to the hand-written reference. Each measurement runs in a child
//! process so that its peak memory is its own.

use std::io::BufWriter;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use audit_engine::{CedarJudge, ReferenceJudge};
use serde::{Deserialize, Serialize};

use crate::check::workers;
use crate::cli::{BenchArgs, BenchCommand, Engine, ReportFormat};

const ALL_FORMATS: [ReportFormat; 5] = [
    ReportFormat::Md,
    ReportFormat::Csv,
    ReportFormat::Json,
    ReportFormat::Sarif,
    ReportFormat::Junit,
];
use crate::exit::Exit;
use crate::{Failure, output};

pub fn run(args: &BenchArgs) -> Result<Exit, Failure> {
    match &args.command {
        Some(BenchCommand::Generate {
            resources,
            out,
            seed,
        }) => {
            generate(*resources, out, *seed)?;
            Ok(Exit::Clean)
        }
        Some(BenchCommand::Report { snapshot, out }) => {
            // Two phases, timed apart: judging (what `bench run` measures) and rendering
            // and writing the five formats.
            let start = Instant::now();
            let pack = audit_judge::LoadedPack::load(None, None)?;
            let judgement = audit_judge::judge(
                snapshot,
                &pack,
                audit_judge::GateFiles::default(),
                workers(None),
                None,
            )?;
            let judged_ms = start.elapsed().as_millis();
            let result = judgement.result(audit_model::Severity::Low, true);
            crate::report::write_reports(&result, &ALL_FORMATS, out)?;
            let m = Measurement {
                engine: "report (5 formats)".into(),
                resources: judgement.resources,
                findings: judgement.gate.judged.len(),
                wall_ms: start.elapsed().as_millis(),
                peak_rss_mib: peak_rss_mib(),
                digest: 0,
            };
            output::print(&format!(
                "{}\n",
                serde_json::to_string(&serde_json::json!({
                    "measurement": m,
                    "judge_ms": judged_ms,
                    "render_and_write_ms": m.wall_ms - judged_ms,
                }))
                .unwrap_or_default()
            ))?;
            std::mem::forget(judgement);
            Ok(Exit::Clean)
        }
        Some(BenchCommand::Run {
            snapshot,
            engine,
            workers,
        }) => {
            let m = measure(snapshot, *engine, *workers)?;
            output::print(&format!(
                "{}\n",
                serde_json::to_string(&m).unwrap_or_default()
            ))?;
            Ok(Exit::Clean)
        }
        None => orchestrate(args),
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Measurement {
    engine: String,
    resources: usize,
    findings: usize,
    wall_ms: u128,
    peak_rss_mib: f64,
    /// Order-independent digest of the findings, to compare engines.
    digest: u64,
}

fn measure(
    snapshot: &Path,
    engine: Engine,
    requested: Option<u16>,
) -> Result<Measurement, Failure> {
    let start = Instant::now();
    let audit_judge::LoadedPack { config, rules, .. } = audit_judge::LoadedPack::load(None, None)?;
    let n = workers(requested);
    let outcome = match engine {
        Engine::Cedar => {
            let judge = CedarJudge::new(&rules, &config)?;
            audit_engine::evaluate(snapshot, &rules, &config, &judge, n)?
        }
        Engine::Reference => {
            let judge = ReferenceJudge::new(&rules, &config);
            audit_engine::evaluate(snapshot, &rules, &config, &judge, n)?
        }
    };
    let wall_ms = start.elapsed().as_millis();
    let findings = outcome.findings;
    let digest = findings.iter().fold(0u64, |acc, f| {
        acc.wrapping_add(fnv(&[&f.rule_id, &f.resource_id, &f.detail]))
    });
    let count = findings.len();
    // As in `check`: the process ends next; do not pay for freeing the findings.
    std::mem::forget(findings);
    Ok(Measurement {
        engine: format!("{engine:?}").to_lowercase(),
        resources: outcome.resources,
        findings: count,
        wall_ms,
        peak_rss_mib: peak_rss_mib(),
        digest,
    })
}

fn fnv(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.bytes().chain([0xff]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// The process's peak resident set (VmHWM), on Linux; 0 elsewhere.
fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn orchestrate(args: &BenchArgs) -> Result<Exit, Failure> {
    let exe = std::env::current_exe().map_err(|e| Failure::usage(format!("{e}")))?;
    let mut report = String::from(
        "| resources | snapshot MiB | engine | wall s | peak RSS MiB | findings | × reference |\n|---:|---:|---|---:|---:|---:|---:|\n",
    );
    let mut mismatch = false;
    for &size in &args.sizes {
        let path = args.dir.join(format!("synthetic-{size}.json"));
        if !path.exists() {
            eprintln!("generating {}", path.display());
            generate(size, &path, 1)?;
        }
        let mib = std::fs::metadata(&path).map_or(0.0, |m| m.len() as f64 / 1_048_576.0);
        let mut best: Vec<Measurement> = Vec::new();
        for engine in ["reference", "cedar", "report"] {
            let mut runs = Vec::new();
            for _ in 0..args.runs.max(1) {
                runs.push(child(&exe, &path, engine)?);
            }
            runs.sort_by_key(|m| m.wall_ms);
            best.extend(runs.into_iter().next());
        }
        let reference_ms = best.first().map_or(1, |m| m.wall_ms.max(1));
        if best[..2.min(best.len())]
            .windows(2)
            .any(|w| w[0].digest != w[1].digest)
        {
            mismatch = true;
        }
        if let (Some(cedar), Some(report)) = (best.get(1).cloned(), best.get_mut(2)) {
            report.resources = cedar.resources;
            report.findings = cedar.findings;
        }
        for m in &best {
            report.push_str(&format!(
                "| {} | {:.0} | {} | {:.2} | {:.0} | {} | {} |\n",
                m.resources,
                mib,
                m.engine,
                m.wall_ms as f64 / 1000.0,
                m.peak_rss_mib,
                m.findings,
                // The report run judges and renders: a ratio to the judge alone means nothing.
                if m.engine.starts_with("report") {
                    "-".to_string()
                } else {
                    format!("{:.1}", m.wall_ms as f64 / reference_ms as f64)
                }
            ));
        }
    }
    output::print(&report)?;
    if mismatch {
        return Err(Failure::usage(
            "the Cedar engine and the reference gave different findings",
        ));
    }
    Ok(Exit::Clean)
}

/// Runs one measurement in a child process; its wall time is taken from outside, so it
/// counts everything a user waits for: start, pack loading, reading, judging, exit.
fn child(exe: &Path, snapshot: &Path, engine: &str) -> Result<Measurement, Failure> {
    let start = Instant::now();
    let mut command = Command::new(exe);
    if engine == "report" {
        let out = snapshot.with_extension("reports");
        command.args(["bench", "report", "--out"]).arg(out);
    } else {
        command.args(["bench", "run", "--engine", engine]);
    }
    let out = command
        .arg("--snapshot")
        .arg(snapshot)
        .output()
        .map_err(|e| Failure::usage(format!("cannot run {}: {e}", exe.display())))?;
    if !out.status.success() {
        return Err(Failure::usage(format!(
            "bench run failed: {}",
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    let value: serde_json::Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| Failure::usage(format!("bench run printed no measurement: {e}")))?;
    // `bench report` wraps its measurement with the time of each phase.
    let render_ms = value.get("render_and_write_ms").and_then(|v| v.as_u64());
    let mut m: Measurement =
        serde_json::from_value(value.get("measurement").cloned().unwrap_or(value))
            .map_err(|e| Failure::usage(format!("bench run printed no measurement: {e}")))?;
    if let Some(ms) = render_ms {
        m.engine = format!(
            "report: judge, then 5 formats in {:.2} s",
            ms as f64 / 1000.0
        );
    }
    m.wall_ms = start.elapsed().as_millis();
    Ok(m)
}

/// SplitMix64: deterministic, no dependency.
/// Writes a synthetic aws-cn snapshot of `n` resources into `out`, atomically.
pub fn generate(n: usize, out: &Path, seed: u64) -> Result<(), Failure> {
    let fail = |e: &dyn std::fmt::Display| {
        Failure::usage(format!("cannot write `{}`: {e}", out.display()))
    };
    // Only ever replace a regular file: renaming over a device or a folder would be wrong.
    if let Ok(meta) = std::fs::symlink_metadata(out)
        && !meta.is_file()
    {
        return Err(fail(&"it exists and is not a regular file"));
    }
    let dir = match out.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).map_err(|e| fail(&e))?;
    // Dropped (and so deleted) on any error below; renamed over `out` at the end.
    let tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| fail(&e))?;
    let mut w = BufWriter::with_capacity(1 << 20, tmp.as_file());
    audit_engine::synthetic::write_snapshot(&mut w, n, seed).map_err(|e| fail(&e))?;
    drop(w);
    tmp.as_file().sync_all().map_err(|e| fail(&e))?;
    tmp.persist(out).map_err(|e| fail(&e.error))?;
    Ok(())
}
