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
use audit_signoff::attest::{self, NewAttestation, Stored};
use audit_signoff::evaluate::{self, GateFacts, ItemResult, State};
use audit_signoff::record::{
    self, FileState, GateInfo, HashedFile, Record, Role, Signature, SignatureState, SnapshotInfo,
    Statement, TcoInfo, ToolInfo,
};
use audit_signoff::tco::{StaleInput, TcoResult};
use audit_text::terminal_safe;
use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{ColumnConstraint, ContentArrangement, Table, Width};
use serde::Serialize;

use crate::cli::{
    AttestArgs, CheckFormat, SignArgs, SignoffCommand, SignoffInputs, SignoffStatusArgs, VerifyArgs,
};
use crate::exit::Exit;
use crate::{Failure, output};
use audit_judge::Judgement;

/// Overrides the clock for attestations and signatures (RFC 3339), like `--at`.
pub const NOW_ENV: &str = "AUDIT_NOW";

/// The widest the reason column of the status table grows before it wraps.
const REASON_WIDTH: u16 = 72;

/// The status document's version (`signoff status --format json`).
const STATUS_VERSION: u32 = 1;

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
    let facts = GateFacts {
        judged: &judgement.gate.judged,
        waivers: &judgement.gate.waivers,
        disabled_rules: &disabled,
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

fn status(args: &SignoffStatusArgs) -> Result<Exit, Failure> {
    let inputs = &args.inputs;
    let ev = evaluate_inputs(inputs)?;
    let ready = evaluate::ready(&ev.results);
    let text = match args.format {
        CheckFormat::Json => {
            #[derive(Serialize)]
            struct Doc<'a> {
                signoff_status_version: u32,
                checklist: String,
                snapshot: String,
                tco: Option<String>,
                ready: bool,
                items: &'a [ItemResult],
            }
            output::pretty_json(&Doc {
                signoff_status_version: STATUS_VERSION,
                checklist: inputs.checklist.display().to_string(),
                snapshot: ev.judgement.snapshot_file.clone(),
                tco: inputs.tco.as_ref().map(|p| p.display().to_string()),
                ready,
                items: &ev.results,
            })
        }
        CheckFormat::Table => {
            let h = &ev.judgement.header;
            let mut out = format!(
                "checklist `{}`: {} item(s); snapshot `{}`: account {} ({}), collected {}\n",
                terminal_safe(&inputs.checklist.display().to_string()),
                ev.checklist.items.len(),
                terminal_safe(&ev.judgement.snapshot_file),
                terminal_safe(&h.account_id),
                h.partition,
                h.collected_at,
            );
            let mut t = table(&["item", "phase", "blocking", "state", "reason"]);
            // Reasons name resources (long ARNs): wrapped, so that the table fits a screen.
            t.set_content_arrangement(ContentArrangement::Dynamic);
            if let Some(column) = t.column_mut(4) {
                column.set_constraint(ColumnConstraint::UpperBoundary(Width::Fixed(REASON_WIDTH)));
            }
            for r in &ev.results {
                t.add_row(vec![
                    r.id.clone(),
                    r.phase.as_str().to_string(),
                    yes_no(r.blocking).to_string(),
                    r.state.as_str().to_string(),
                    terminal_safe(&r.reason),
                ]);
            }
            let _ = writeln!(out, "\n{t}\n");
            if ready {
                out.push_str("READY: every blocking item passes; `audit signoff sign` may sign\n");
            } else {
                let _ = writeln!(
                    out,
                    "NOT READY: blocking items {}",
                    holding_back(&ev.results)
                );
            }
            out
        }
    };
    output::print(&text)?;
    Ok(ev.exit(inputs.judge.allow_incomplete))
}

/// `--at`, else `AUDIT_NOW`, else the clock; to the second.
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

fn attest(args: &AttestArgs) -> Result<Exit, Failure> {
    let rules = args.pack.load()?.rules;
    let rule_ids: Vec<String> = rules.rules.iter().map(|r| r.id.clone()).collect();
    let checklist = audit_signoff::checklist::load(&args.checklist, &rule_ids)?;
    let new = NewAttestation {
        item: args.item.clone(),
        by: args.by.clone(),
        evidence: args.evidence.clone(),
        note: args.note.clone(),
        at: now(args.at)?,
    };
    attest::validate(&new, &checklist)?;
    let stored = attest::append(&args.dir, &new)?;
    let a = &stored.attestation;
    output::print(&format!(
        "attestation {} of `{}` by {} at {}: wrote {}\n",
        a.seq,
        a.item,
        terminal_safe(&a.by),
        a.at,
        stored.path.display()
    ))?;
    Ok(Exit::Clean)
}

/// Every input of the sign-off with its SHA-256, sorted by role and path.
fn input_files(inputs: &SignoffInputs, ev: &Evaluated) -> Result<Vec<HashedFile>, Failure> {
    let a = &inputs.judge;
    let mut files = vec![
        HashedFile::of(Role::Snapshot, &a.snapshot)?,
        HashedFile::of(Role::Checklist, &inputs.checklist)?,
    ];
    let pack = &ev.pack;
    for file in std::iter::once(&pack.schema)
        .chain(&pack.policies)
        .chain(std::iter::once(&pack.defaults))
    {
        files.push(match a.pack.policies {
            None => HashedFile::builtin(
                Role::Policy,
                &file.path.display().to_string(),
                file.text.as_bytes(),
            ),
            Some(_) => HashedFile::of(Role::Policy, &file.path)?,
        });
    }
    if let Some(config) = &a.pack.config {
        files.push(HashedFile::of(Role::Config, config)?);
    }
    if let Some(waivers) = a.gate.waivers_file() {
        files.push(HashedFile::of(Role::Waivers, &waivers)?);
    }
    if let Some(baseline) = &a.gate.baseline {
        files.push(HashedFile::of(Role::Baseline, baseline)?);
    }
    if let Some(tco) = &ev.tco {
        files.push(HashedFile::of(Role::Tco, &tco.path)?);
        for input in &tco.inputs {
            files.push(HashedFile::of(Role::CostInput, Path::new(&input.path))?);
        }
    }
    for s in &ev.attestations {
        files.push(HashedFile {
            role: Role::Attestation,
            path: s.path.display().to_string(),
            sha256: s.sha256.clone(),
            builtin: false,
        });
    }
    files.sort_by(|x, y| (x.role, &x.path).cmp(&(y.role, &y.path)));
    files.dedup();
    Ok(files)
}

fn statement(inputs: &SignoffInputs, ev: &Evaluated) -> Result<Statement, Failure> {
    let a = &inputs.judge;
    let j = &ev.judgement;
    let count = |s: Status| j.gate.count(s) as u64;
    Ok(Statement {
        tool: ToolInfo {
            name: "audit".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        checklist: inputs.checklist.display().to_string(),
        snapshot: SnapshotInfo {
            path: j.snapshot_file.clone(),
            account_id: j.header.account_id.clone(),
            partition: j.header.partition.to_string(),
            collected_at: j.header.collected_at.to_string(),
            resources: j.resources as u64,
            gaps: j.gaps.len() as u64,
        },
        gate: GateInfo {
            fail_on: a.fail_on.to_string(),
            allow_incomplete: a.allow_incomplete,
            findings: j.gate.judged.len() as u64,
            open: count(Status::Open),
            waived: count(Status::Waived),
            baselined: count(Status::Baselined),
            expired_waivers: j.gate.expired_waivers() as u64,
        },
        tco: ev.tco.as_ref().map(|t| TcoInfo {
            path: t.path.display().to_string(),
            currency: t.currency.clone(),
            period: t.period.clone(),
            from: t.from.clone(),
            to: t.to.clone(),
            ratio: evaluate::number(t.ratio),
            limit: evaluate::number(t.limit),
            pass: t.pass,
        }),
        files: input_files(inputs, ev)?,
        items: ev.results.clone(),
        attestations: ev
            .attestations
            .iter()
            .map(|s| s.attestation.clone())
            .collect(),
    })
}

fn one_line(flag: &str, value: &str) -> Result<(), Failure> {
    if value.trim().is_empty() || value.chars().any(char::is_control) {
        return Err(Failure::usage(format!(
            "`{flag}` must be one non-blank line"
        )));
    }
    Ok(())
}

fn sign(args: &SignArgs) -> Result<Exit, Failure> {
    one_line("--by", &args.by)?;
    one_line("--role", &args.role)?;
    let at = now(args.at)?;
    let inputs = &args.inputs;
    let snapshot_before = HashedFile::of(Role::Snapshot, &inputs.judge.snapshot)?;
    let ev = evaluate_inputs(inputs)?;
    if !evaluate::ready(&ev.results) {
        let mut message = format!(
            "refusing to sign: blocking items {}\n",
            holding_back(&ev.results)
        );
        for r in ev
            .results
            .iter()
            .filter(|r| r.blocking && r.state != State::Pass)
        {
            let _ = writeln!(
                message,
                "  {} ({}): {}",
                r.id,
                r.state.as_str(),
                terminal_safe(&r.reason)
            );
        }
        eprint!("{message}");
        return Ok(ev.exit(inputs.judge.allow_incomplete));
    }
    let statement = statement(inputs, &ev)?;
    let snapshot_now = statement.files.iter().find(|f| f.role == Role::Snapshot);
    if snapshot_now.map(|f| &f.sha256) != Some(&snapshot_before.sha256) {
        return Err(Failure::usage(format!(
            "the snapshot `{}` changed while it was judged; sign again",
            inputs.judge.snapshot.display()
        )));
    }
    let digest = statement.digest()?;
    let json_path = Record::path_in(&inputs.dir, &digest);
    let _lock = record::SignLock::acquire(&inputs.dir)?;
    let mut record = if json_path.exists() {
        let existing = Record::load(&json_path)?;
        if existing.statement_sha256 != digest || existing.statement.digest()? != digest {
            return Err(Failure::invalid(format!(
                "`{}` is not the record of these inputs (it was edited, or its name collides): verify it",
                json_path.display()
            )));
        }
        existing
    } else {
        Record {
            record_version: record::RECORD_VERSION,
            statement_sha256: digest.clone(),
            statement,
            signatures: Vec::new(),
        }
    };
    if record.signatures.iter().any(|s| s.by == args.by.trim()) {
        return Err(Failure::usage(format!(
            "{} has already signed `{}`",
            terminal_safe(&args.by),
            json_path.display()
        )));
    }
    let mut signature = Signature {
        by: args.by.trim().to_string(),
        role: args.role.trim().to_string(),
        at: at.to_string(),
        ssh_signature: None,
    };
    if let Some(key) = &args.ssh_key {
        let message = record::signed_message(&digest, &signature);
        signature.ssh_signature = Some(record::ssh_sign(key, &message)?);
    }
    record.signatures.push(signature);
    output::write_atomic(&json_path, output::pretty_json(&record).as_bytes())?;
    let md_path = json_path.with_extension("md");
    output::write_atomic(
        &md_path,
        audit_report::signoff::markdown(&record, &json_path).as_bytes(),
    )?;

    let passing = ev.results.iter().filter(|r| r.state == State::Pass).count();
    let mut out = format!(
        "signed by {} ({}) at {}{}: {passing} of {} item(s) pass\n",
        terminal_safe(&args.by),
        terminal_safe(&args.role),
        at,
        if args.ssh_key.is_some() {
            " with an SSH signature"
        } else {
            ""
        },
        ev.results.len(),
    );
    for r in ev.results.iter().filter(|r| r.state != State::Pass) {
        let _ = writeln!(
            out,
            "  non-blocking {} ({}): {}",
            r.id,
            r.state.as_str(),
            terminal_safe(&r.reason)
        );
    }
    let _ = writeln!(
        out,
        "wrote {} and {} ({} signature(s))",
        json_path.display(),
        md_path.display(),
        record.signatures.len()
    );
    output::print(&out)?;
    Ok(Exit::Clean)
}

fn verify(args: &VerifyArgs) -> Result<Exit, Failure> {
    let record = Record::load(&args.record)?;
    let builtin_pack = Pack::builtin()?;
    let builtin_files: Vec<(String, Vec<u8>)> = std::iter::once(&builtin_pack.schema)
        .chain(&builtin_pack.policies)
        .chain(std::iter::once(&builtin_pack.defaults))
        .map(|f| (f.path.display().to_string(), f.text.as_bytes().to_vec()))
        .collect();
    let builtin = |path: &str| {
        builtin_files
            .iter()
            .find(|(p, _)| p == path)
            .map(|(_, bytes)| bytes.clone())
    };
    let v = record::verify(&record, &builtin, args.allowed_signers.as_deref())?;
    let mut out = format!(
        "record `{}`\n",
        terminal_safe(&args.record.display().to_string())
    );
    let mut problems = 0usize;
    if v.statement_intact {
        let _ = writeln!(out, "statement: intact (sha256 {})", v.statement_sha256);
    } else {
        problems += 1;
        let _ = writeln!(
            out,
            "statement: EDITED: the record states sha256 {}, its content hashes to {}",
            terminal_safe(&record.statement_sha256),
            v.statement_sha256
        );
    }
    let mut same = 0usize;
    for f in &v.files {
        let name = format!(
            "{} `{}`{}",
            f.file.role.as_str(),
            terminal_safe(&f.file.path),
            if f.file.builtin { " (built in)" } else { "" }
        );
        match &f.state {
            FileState::Same => same += 1,
            FileState::Changed { now } => {
                problems += 1;
                let _ = writeln!(
                    out,
                    "CHANGED {name}: signed {}, now {now}",
                    terminal_safe(&f.file.sha256)
                );
            }
            FileState::Unreadable { error } => {
                problems += 1;
                let _ = writeln!(out, "MISSING {name}: {}", terminal_safe(error));
            }
        }
    }
    let _ = writeln!(out, "files: {same} of {} unchanged", v.files.len());
    for (sig, state) in &v.signatures {
        let who = format!(
            "{} ({}) at {}",
            terminal_safe(&sig.by),
            terminal_safe(&sig.role),
            terminal_safe(&sig.at)
        );
        match state {
            SignatureState::Valid => {
                let _ = writeln!(out, "signature of {who}: valid");
            }
            SignatureState::NotChecked => {
                let _ = writeln!(
                    out,
                    "signature of {who}: not checked (no --allowed-signers){}",
                    if sig.ssh_signature.is_some() {
                        ""
                    } else {
                        "; not signed with SSH"
                    }
                );
            }
            SignatureState::Unsigned => {
                problems += 1;
                let _ = writeln!(out, "signature of {who}: MISSING: not signed with SSH");
            }
            SignatureState::Invalid(e) => {
                problems += 1;
                let _ = writeln!(out, "signature of {who}: INVALID: {}", terminal_safe(e));
            }
        }
    }
    if v.ok() {
        out.push_str("VERIFIED\n");
    } else {
        let _ = writeln!(out, "FAILED: {problems} problem(s)");
    }
    output::print(&out)?;
    Ok(if v.ok() { Exit::Clean } else { Exit::Findings })
}
