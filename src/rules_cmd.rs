//! `audit rules`, `audit explain ID`, `audit policies validate [DIR]`.

use std::path::Path;

use comfy_table::Table;
use comfy_table::presets::UTF8_FULL_CONDENSED;

use crate::check::load_pack;
use crate::cli::PackArgs;
use crate::exit::Exit;
use crate::{Failure, output, tco};

pub fn list(args: &PackArgs) -> Result<Exit, Failure> {
    let (_, _, rules) = load_pack(args)?;
    let mut table = Table::new();
    table.load_style(UTF8_FULL_CONDENSED).set_header(vec![
        "rule",
        "severity",
        "family",
        "applies to",
        "title",
    ]);
    for rule in &rules.rules {
        let severity = if rule.enabled {
            rule.severity.to_string()
        } else {
            format!("{} (off)", rule.severity)
        };
        table.add_row(vec![
            rule.id.clone(),
            severity,
            rule.family.clone(),
            rule.resource_type.unwrap_or("any").to_string(),
            rule.title.clone(),
        ]);
    }
    // The one rule defined in Rust, not Cedar: listed so that every finding's rule can
    // be looked up.
    let tco = tco::gate_rule();
    table.add_row(vec![
        tco.id.clone(),
        tco.severity.to_string(),
        tco.family.clone(),
        "tco_result".to_string(),
        format!("{} (built in; with --tco)", tco.title),
    ]);
    output::print(&format!("{table}\n{} rules\n", rules.rules.len() + 1))?;
    Ok(Exit::Clean)
}

/// `audit explain tco-over-limit`: the built-in rule has no Cedar source to show.
fn explain_tco_gate() -> String {
    let rule = tco::gate_rule();
    format!(
        "# {}: {}\n\nSeverity {} (fixed: not waivable, not baselinable, not switched off by a \
         config). Control: {}.\n\n## What it checks\n\nWith `--tco FILE` (the `tco.json` of \
         `audit tco`), `check` and `report` add one finding when the result fails its gate \
         (cloud TCO over the limit of the IDC's, `policies/tco.toml` `[gate]`), or when a cost \
         input it was computed from has changed since (its SHA-256 no longer matches): a stale \
         verdict proves nothing.\n\n## Fix\n\n{}.\n\n## Where it is defined\n\nIn Rust \
         (`src/tco.rs`), not in a Cedar file: the verdict is Polars' arithmetic, the rule only \
         carries it into the findings.\n",
        rule.id, rule.title, rule.severity, rule.control, rule.remediation
    )
}

pub fn explain(id: &str, args: &PackArgs) -> Result<Exit, Failure> {
    let (_, _, rules) = load_pack(args)?;
    if id == tco::GATE_RULE {
        output::print(&explain_tco_gate())?;
        return Ok(Exit::Clean);
    }
    let Some(rule) = rules.rule(id) else {
        let near: Vec<&str> = rules
            .rules
            .iter()
            .map(|r| r.id.as_str())
            .filter(|r| r.contains(id) || id.contains(*r))
            .collect();
        let hint = if near.is_empty() {
            "; `audit rules` lists them".to_string()
        } else {
            format!("; did you mean {}?", near.join(", "))
        };
        return Err(Failure::usage(format!("error: no rule `{id}`{hint}")));
    };
    let mut text = String::new();
    if rule.severity != rule.default_severity || !rule.enabled {
        text.push_str(&format!(
            "In this config: severity {}{} (the documentation below gives the default).\n\n",
            rule.severity,
            if rule.enabled { "" } else { ", switched off" }
        ));
    }
    match &rule.doc {
        Some(doc) => text.push_str(doc.trim_end()),
        None => text.push_str(&format!(
            "# {}: {}\n\n{}",
            rule.id, rule.title, rule.remediation
        )),
    }
    text.push_str(&format!(
        "\n\n## Policy ({})\n\n```cedar\n{}\n```\n",
        rule.place,
        rule.source.trim_end()
    ));
    output::print(&text)?;
    Ok(Exit::Clean)
}

pub fn validate(dir: Option<&Path>, config: Option<&Path>) -> Result<Exit, Failure> {
    let args = PackArgs {
        policies: dir.map(Path::to_path_buf),
        config: config.map(Path::to_path_buf),
    };
    let (pack, _, rules) = load_pack(&args)?;
    let missing_docs: Vec<&str> = rules
        .rules
        .iter()
        .filter(|r| r.doc.is_none())
        .map(|r| r.id.as_str())
        .collect();
    let pack_name = match dir {
        Some(d) => format!("`{}`", d.display()),
        None => "the built-in rule pack".to_string(),
    };
    let mut text = format!(
        "{pack_name}: {} rules in {} files valid against {}\n",
        rules.rules.len(),
        pack.policies.len(),
        pack.schema.path.display()
    );
    if !missing_docs.is_empty() {
        text.push_str(&format!(
            "warning: no docs/ID.md for {}\n",
            missing_docs.join(", ")
        ));
    }
    output::print(&text)?;
    Ok(Exit::Clean)
}
