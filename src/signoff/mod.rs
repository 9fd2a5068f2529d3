//! `audit signoff`: the pre-cutover checklist. `status` shows each item, `attest` records
//! a person's word on a manual item, `sign` writes the sign-off record once every blocking
//! item passes, `verify` recomputes the record's hashes and checks its signatures. The
//! logic is in `audit-signoff`; this module reads the flags, prints and writes.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

use audit_engine::Pack;
use audit_model::gate::Status;
use audit_signoff::Checklist;
use audit_signoff::attest::{self, Stored};
use audit_signoff::evaluate::{self, GateFacts, ItemResult, State};
use audit_signoff::record::{
    self, FileState, GateInfo, HashedFile, Record, Role, Signature, SignatureState, SnapshotInfo,
    Statement, TcoInfo, ToolInfo,
};
use audit_signoff::tco::{StaleInput, TcoResult};
use audit_text::terminal_safe;
use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{ContentArrangement, Table};

use crate::cli::{SignArgs, SignoffCommand, SignoffInputs, VerifyArgs};
use crate::exit::Exit;
use crate::{Failure, output};
use audit_judge::Judgement;

/// Overrides the clock for attestations and signatures (RFC 3339), like `--at`.
pub const NOW_ENV: &str = "AUDIT_NOW";

/// The widest the reason column of the status table grows before it wraps.
const REASON_WIDTH: u16 = 72;

/// The status document's version (`signoff status --format json`).
const STATUS_VERSION: u32 = 1;

mod sign;
mod status;
mod verify;

use sign::sign;
use status::{attest, status};
use verify::verify;

pub fn run(command: &SignoffCommand) -> Result<Exit, Failure> {
    match command {
        SignoffCommand::Status(args) => status(args),
        SignoffCommand::Attest(args) => attest(args),
        SignoffCommand::Sign(args) => sign(args),
        SignoffCommand::Verify(args) => verify(args),
    }
}

/// Everything the checklist was judged on, and the results.
struct Evaluated {
    pack: Pack,
    checklist: Checklist,
    judgement: Judgement,
    tco: Option<TcoResult>,
    attestations: Vec<Stored>,
    results: Vec<ItemResult>,
}

impl Evaluated {
    fn incomplete(&self, allow_incomplete: bool) -> bool {
        !self.judgement.gaps.is_empty() && !allow_incomplete
    }

    fn exit(&self, allow_incomplete: bool) -> Exit {
        if evaluate::ready(&self.results) {
            Exit::Clean
        } else if self.incomplete(allow_incomplete) {
            Exit::Incomplete
        } else {
            Exit::Findings
        }
    }
}

/// Reads the checklist, the TCO result and the attestations (cheap, and each can be
/// refused), then judges the snapshot and every item.
fn evaluate_inputs(inputs: &SignoffInputs) -> Result<Evaluated, Failure> {
    let a = &inputs.judge;
    let loaded = a.pack.load()?;
    let rules = &loaded.rules;
    let rule_ids: Vec<String> = rules.rules.iter().map(|r| r.id.clone()).collect();
    let disabled: BTreeSet<String> = rules
        .rules
        .iter()
        .filter(|r| !r.enabled)
        .map(|r| r.id.clone())
        .collect();
    let checklist = audit_signoff::checklist::load(&inputs.checklist, &rule_ids)?;
    let tco = inputs
        .tco
        .as_deref()
        .map(audit_signoff::tco::load)
        .transpose()?;
    let stale: Vec<StaleInput> = tco
        .as_ref()
        .map(TcoResult::stale_inputs)
        .unwrap_or_default();
    let attestations = attest::load(&inputs.dir)?;
    let judgement = a.judge_with(&loaded, None)?;
    let not_judged: BTreeSet<String> = judgement
        .rules
        .iter()
        .filter(|r| r.not_judged.is_some())
        .map(|r| r.id.clone())
        .collect();
    let facts = GateFacts {
        judged: &judgement.gate.judged,
        waivers: &judgement.gate.waivers,
        disabled_rules: &disabled,
        not_judged_rules: &not_judged,
        gaps: judgement.gaps.len(),
        allow_incomplete: a.allow_incomplete,
        fail_on: a.fail_on,
    };
    let results = evaluate::evaluate(
        &checklist,
        &facts,
        tco.as_ref().map(|t| (t, stale.as_slice())),
        &attestations,
    );
    Ok(Evaluated {
        pack: loaded.pack,
        checklist,
        judgement,
        tco,
        attestations,
        results,
    })
}

fn table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(header.to_vec());
    t
}

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

/// "3 fail, 12 pending" over the blocking items that hold the sign-off back.
fn holding_back(results: &[ItemResult]) -> String {
    let count = |state| {
        results
            .iter()
            .filter(|r| r.blocking && r.state == state)
            .count()
    };
    let (fail, pending) = (count(State::Fail), count(State::Pending));
    let mut parts = Vec::new();
    if fail > 0 {
        parts.push(format!("{fail} fail"));
    }
    if pending > 0 {
        parts.push(format!("{pending} pending"));
    }
    parts.join(", ")
}

fn now(at: Option<jiff::Timestamp>) -> Result<jiff::Timestamp, Failure> {
    let t = match at {
        Some(t) => t,
        None => match std::env::var(NOW_ENV) {
            Ok(s) => s.parse().map_err(|e| {
                Failure::usage(format!("`{NOW_ENV}` is not an RFC 3339 time: `{s}`: {e}"))
            })?,
            Err(_) => jiff::Timestamp::now(),
        },
    };
    t.round(jiff::Unit::Second)
        .map_err(|e| Failure::usage(format!("bad time: {e}")))
}
