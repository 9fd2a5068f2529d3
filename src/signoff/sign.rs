//! `signoff sign`: the record's statement, its hashed inputs, the lock and the write.

use super::*;

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

pub(super) fn sign(args: &SignArgs) -> Result<Exit, Failure> {
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
