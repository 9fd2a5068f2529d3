//! `audit check`: judge a snapshot; the exit code is the verdict. The judging itself
//! (snapshot → findings → gate) is shared with `report` and `diff`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use audit_engine::waivers::FindingsDoc;
use audit_engine::{CedarJudge, Pack};
use audit_model::gate::{Gate, Judged, Status};
use audit_model::{Gap, Header};
use audit_report::{CheckResult, RuleInfo};

use crate::cli::{CheckArgs, CheckFormat, GateArgs, PackArgs};
use crate::exit::Exit;
use crate::{Failure, output};

/// The waivers file used when none is named.
pub const DEFAULT_WAIVERS: &str = "policies/waivers.toml";

/// The pack, config and rules named by the flags.
pub fn load_pack(
    args: &PackArgs,
) -> Result<(Pack, audit_engine::Config, audit_engine::RuleSet), Failure> {
    let pack = match &args.policies {
        Some(dir) => Pack::from_dir(dir)?,
        None => Pack::builtin()?,
    };
    let (config, rules) = audit_engine::load(&pack, args.config.as_deref())?;
    Ok((pack, config, rules))
}

pub fn rule_infos(rules: &audit_engine::RuleSet) -> Vec<RuleInfo> {
    rules
        .enabled()
        .map(|r| RuleInfo {
            id: r.id.clone(),
            severity: r.severity,
            title: r.title.clone(),
            family: r.family.clone(),
            control: r.control.clone(),
            remediation: r.remediation.clone(),
            doc: r.doc.clone(),
        })
        .collect()
}

pub fn workers(requested: Option<u16>) -> usize {
    requested.map_or_else(
        || std::thread::available_parallelism().map_or(2, |n| n.get()),
        usize::from,
    )
}

/// A judged snapshot: everything a renderer needs but the threshold.
pub struct Judgement {
    pub snapshot_file: String,
    pub header: Header,
    pub resources: usize,
    pub gaps: Vec<Gap>,
    pub gate: Gate,
    pub rules: Vec<RuleInfo>,
    pub baseline: Option<String>,
    pub tco: Option<audit_report::TcoSummary>,
}

impl Judgement {
    pub fn result(
        &self,
        fail_on: audit_model::Severity,
        allow_incomplete: bool,
    ) -> CheckResult<'_> {
        CheckResult {
            snapshot_file: &self.snapshot_file,
            header: &self.header,
            resources: self.resources,
            gate: &self.gate,
            gaps: self.gaps.iter().collect(),
            fail_on,
            allow_incomplete,
            baseline: self.baseline.as_deref(),
            rules: &self.rules,
            tool_version: env!("CARGO_PKG_VERSION"),
            tco: self.tco.as_ref(),
        }
    }
}

/// The waivers file the gate reads: `--waivers`, else the default file when it exists.
/// One that exists but is not a file is an error when read, not silently no waivers.
pub fn waivers_file(gate: &GateArgs) -> Option<PathBuf> {
    gate.waivers.clone().or_else(|| {
        let default = PathBuf::from(DEFAULT_WAIVERS);
        default.exists().then_some(default)
    })
}

/// Judges the snapshot at `path`: findings from the rules, then waivers (as of the
/// snapshot's day, never the clock) and the baseline.
pub fn judge(
    path: &Path,
    pack: &PackArgs,
    gate: &GateArgs,
    workers_requested: Option<u16>,
) -> Result<Judgement, Failure> {
    judge_with_tco(path, pack, gate, workers_requested, None)
}

/// [`judge`], and with `tco` a TCO result whose verdict joins the findings (before
/// waivers and the baseline, which apply to it as to any finding).
pub fn judge_with_tco(
    path: &Path,
    pack: &PackArgs,
    gate: &GateArgs,
    workers_requested: Option<u16>,
    tco: Option<&Path>,
) -> Result<Judgement, Failure> {
    let (_pack, config, rules) = load_pack(pack)?;
    let tco = tco.map(audit_signoff::tco::load).transpose()?;
    let waivers = match &waivers_file(gate) {
        Some(f) => audit_engine::waivers::load_waivers(f, &rules)?,
        None => Vec::new(),
    };
    let judge = CedarJudge::new(&rules, &config)?;
    let outcome =
        audit_engine::evaluate(path, &rules, &config, &judge, workers(workers_requested))?;
    let header = &outcome.header;
    let baseline: Option<BTreeSet<String>> = gate
        .baseline
        .as_deref()
        .map(|b| audit_engine::waivers::load_baseline(b, &header.account_id, header.partition))
        .transpose()?;
    let today = outcome
        .header
        .collected_at
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date();
    let gaps: Vec<Gap> = outcome.all_gaps().cloned().collect();
    let mut gate_result =
        audit_model::gate::apply(outcome.findings, waivers, baseline.as_ref(), today);
    let mut infos = rule_infos(&rules);
    let mut tco_summary = None;
    if let Some(tco) = &tco {
        // Hashed once: the finding and the reports must agree on staleness.
        let stale = tco.stale_inputs();
        tco_summary = Some(crate::tco::summary(tco, &stale));
        // The cost gate is a decision, not debt: no waiver or baseline hides it.
        gate_result
            .judged
            .extend(crate::tco::gate_finding(tco, &stale).map(|finding| Judged {
                finding,
                status: Status::Open,
                waiver: None,
                in_baseline: false,
            }));
        gate_result
            .judged
            .sort_by(|a, b| a.finding.sort_key().cmp(&b.finding.sort_key()));
        infos.push(crate::tco::gate_rule());
    }
    Ok(Judgement {
        snapshot_file: path.display().to_string(),
        header: outcome.header,
        resources: outcome.resources,
        gaps,
        gate: gate_result,
        rules: infos,
        baseline: gate.baseline.as_ref().map(|p| p.display().to_string()),
        tco: tco_summary,
    })
}

impl crate::cli::JudgeArgs {
    /// The judgement `check` and `report` share: these arguments, and a TCO result if any.
    pub fn judge(&self, tco: &crate::cli::TcoGateArgs) -> Result<Judgement, Failure> {
        judge_with_tco(
            &self.snapshot,
            &self.pack,
            &self.gate,
            self.workers,
            tco.tco.as_deref(),
        )
    }
}

pub fn run(args: &CheckArgs) -> Result<Exit, Failure> {
    let a = &args.judge;
    let judgement = a.judge(&args.tco)?;
    let result = judgement.result(a.fail_on, a.allow_incomplete);
    let text = match args.format {
        CheckFormat::Table => audit_report::table::render(&result),
        CheckFormat::Json => audit_report::json::render(&result),
    };
    output::print(&text)?;
    let exit = result.verdict().into();
    // The process ends here: freeing a million findings one by one would only delay it.
    std::mem::forget(judgement);
    Ok(exit)
}

/// The findings of `path`, whether it is a findings file (what `check --format json`
/// and `report` write, with `"verdict"` near the top, which no snapshot has) or a
/// snapshot, which is judged now.
pub fn findings_of(path: &Path, pack: &PackArgs) -> Result<FindingsDoc, Failure> {
    use std::io::Read;
    let mut head = Vec::with_capacity(65_536);
    std::fs::File::open(path)
        .and_then(|f| f.take(65_536).read_to_end(&mut head))
        .map_err(|e| Failure::usage(format!("error: cannot read `{}`: {e}", path.display())))?;
    if String::from_utf8_lossy(&head).contains("\"verdict\"") {
        return Ok(audit_engine::waivers::load_findings_file(path)?);
    }
    let no_gate = GateArgs {
        waivers: None,
        baseline: None,
    };
    let j = judge(path, pack, &no_gate, None)?;
    Ok(FindingsDoc {
        account_id: j.header.account_id,
        partition: j.header.partition,
        findings: j.gate.judged.into_iter().map(|j| j.finding).collect(),
        gaps: j.gaps,
    })
}
