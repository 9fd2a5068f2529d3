//! `audit check`: judge a snapshot; the exit code is the verdict.

use audit_engine::{CedarJudge, Pack};
use audit_report::{CheckResult, RuleInfo};

use crate::cli::{CheckArgs, CheckFormat, PackArgs};
use crate::exit::Exit;
use crate::{Failure, output};

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
        })
        .collect()
}

pub fn workers(requested: Option<u16>) -> usize {
    requested.map_or_else(
        || std::thread::available_parallelism().map_or(2, |n| n.get()),
        usize::from,
    )
}

pub fn run(args: &CheckArgs) -> Result<Exit, Failure> {
    let (_pack, config, rules) = load_pack(&args.pack)?;
    let judge = CedarJudge::new(&rules, &config)?;
    let outcome = audit_engine::evaluate(
        &args.snapshot,
        &rules,
        &config,
        &judge,
        workers(args.workers),
    )?;
    let infos = rule_infos(&rules);
    let file = args.snapshot.display().to_string();
    let result = CheckResult {
        snapshot_file: &file,
        header: &outcome.header,
        resources: outcome.resources,
        findings: &outcome.findings,
        gaps: outcome.all_gaps().collect(),
        fail_on: args.fail_on,
        allow_incomplete: args.allow_incomplete,
        rules: &infos,
    };
    let text = match args.format {
        CheckFormat::Table => audit_report::table::render(&result),
        CheckFormat::Json => audit_report::json::render(&result, env!("CARGO_PKG_VERSION")),
    };
    output::print(&text)?;
    let exit = result.verdict().into();
    // The process ends here: freeing a million findings one by one would only delay it.
    std::mem::forget(outcome);
    Ok(exit)
}
