//! The judging pipeline that `check`, `report`, `diff`, `signoff` and `bench` share, as a
//! function of values already loaded: the rule pack (loaded and validated once), the
//! snapshot file, the waivers and baseline files, and a TCO result. No flags, no printing.

pub mod tco_gate;

use std::collections::BTreeSet;
use std::path::Path;

use audit_engine::waivers::FindingsDoc;
use audit_engine::{CedarJudge, Config, EngineError, Pack, RuleSet};
use audit_model::gate::{Gate, Judged, Status};
use audit_model::{Gap, Header, Partition, Severity};
use audit_report::{CheckResult, RuleInfo, TcoSummary};
use audit_signoff::tco::TcoResult;

/// A rule pack with its config, validated: load it once per run.
pub struct LoadedPack {
    pub pack: Pack,
    pub config: Config,
    pub rules: RuleSet,
}

impl LoadedPack {
    /// The pack in `policies` (else the built-in one) with `config` over its defaults.
    pub fn load(policies: Option<&Path>, config: Option<&Path>) -> Result<Self, EngineError> {
        let pack = match policies {
            Some(dir) => Pack::from_dir(dir)?,
            None => Pack::builtin()?,
        };
        let (config, rules) = audit_engine::load(&pack, config)?;
        Ok(LoadedPack {
            pack,
            config,
            rules,
        })
    }

    /// The enabled rules as the reports describe them, for a snapshot of `partition`.
    pub fn rule_infos(&self, partition: Partition) -> Vec<RuleInfo> {
        self.rules
            .enabled()
            .map(|r| RuleInfo {
                not_judged: r.not_judged_on(partition).map(str::to_string),
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
}

/// The files the gate reads besides the rules and the snapshot.
#[derive(Debug, Clone, Copy, Default)]
pub struct GateFiles<'a> {
    pub waivers: Option<&'a Path>,
    pub baseline: Option<&'a Path>,
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
    pub tco: Option<TcoSummary>,
}

impl Judgement {
    pub fn result(&self, fail_on: Severity, allow_incomplete: bool) -> CheckResult<'_> {
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

/// Judges the snapshot at `path`: findings from the rules, then waivers (as of the
/// snapshot's day, never the clock) and the baseline. With `tco`, the TCO result's
/// verdict joins the findings; no waiver or baseline hides it.
pub fn judge(
    path: &Path,
    pack: &LoadedPack,
    files: GateFiles<'_>,
    workers: usize,
    tco: Option<&TcoResult>,
) -> Result<Judgement, EngineError> {
    let rules = &pack.rules;
    let waivers = match files.waivers {
        Some(f) => audit_engine::waivers::load_waivers(f, rules)?,
        None => Vec::new(),
    };
    let judge = CedarJudge::new(rules, &pack.config)?;
    let outcome = audit_engine::evaluate(path, rules, &pack.config, &judge, workers)?;
    let header = &outcome.header;
    let baseline: Option<BTreeSet<String>> = files
        .baseline
        .map(|b| audit_engine::waivers::load_baseline(b, &header.account_id, header.partition))
        .transpose()?;
    let today = header.collected_at.to_zoned(jiff::tz::TimeZone::UTC).date();
    let gaps: Vec<Gap> = outcome.all_gaps().cloned().collect();
    let mut gate = audit_model::gate::apply(outcome.findings, waivers, baseline.as_ref(), today);
    let mut infos = pack.rule_infos(header.partition);
    let mut tco_summary = None;
    if let Some(tco) = tco {
        // Hashed once: the finding and the reports must agree on staleness.
        let stale = tco.stale_inputs();
        tco_summary = Some(tco_gate::summary(tco, &stale));
        gate.judged
            .extend(tco_gate::finding(tco, &stale).map(|finding| Judged {
                finding,
                status: Status::Open,
                waiver: None,
                in_baseline: false,
            }));
        gate.judged
            .sort_by(|a, b| a.finding.sort_key().cmp(&b.finding.sort_key()));
        infos.push(tco_gate::rule());
    }
    Ok(Judgement {
        snapshot_file: path.display().to_string(),
        header: outcome.header,
        resources: outcome.resources,
        gaps,
        gate,
        rules: infos,
        baseline: files.baseline.map(|p| p.display().to_string()),
        tco: tco_summary,
    })
}

/// The findings of `path`, whether it is a findings file (what `check --format json`
/// and `report` write, with `"verdict"` near the top, which no snapshot has) or a
/// snapshot, which is judged now (no waivers, no baseline).
pub fn findings_of(path: &Path, pack: &LoadedPack) -> Result<FindingsDoc, EngineError> {
    use std::io::Read;
    let mut head = Vec::with_capacity(65_536);
    std::fs::File::open(path)
        .and_then(|f| f.take(65_536).read_to_end(&mut head))
        .map_err(|source| EngineError::Io {
            path: path.to_path_buf(),
            source,
        })?;
    if String::from_utf8_lossy(&head).contains("\"verdict\"") {
        return audit_engine::waivers::load_findings_file(path);
    }
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let j = judge(path, pack, GateFiles::default(), workers, None)?;
    Ok(FindingsDoc {
        account_id: j.header.account_id,
        partition: j.header.partition,
        findings: j.gate.judged.into_iter().map(|j| j.finding).collect(),
        gaps: j.gaps,
    })
}
