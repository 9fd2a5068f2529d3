//! `audit rules`, `audit explain ID`, `audit policies validate [DIR]`.

use std::path::Path;

use comfy_table::Table;
use comfy_table::presets::UTF8_FULL_CONDENSED;

use crate::cli::PackArgs;
use crate::exit::Exit;
use crate::{Failure, output};

pub fn list(args: &PackArgs) -> Result<Exit, Failure> {
    let rules = args.load()?.rules;
    let mut table = Table::new();
    table.load_style(UTF8_FULL_CONDENSED).set_header(vec![
        "rule",
        "severity",
        "family",
        "applies to",
        "not judged on",
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
            rule.not_judged
                .as_ref()
                .map_or_else(|| "-".to_string(), |(p, _)| p.to_string()),
            rule.title.clone(),
        ]);
    }
    // Rules defined in Rust, not Cedar: listed so that every finding's rule can be
    // looked up.
    let builtin = audit_judge::tco_gate::builtin_rules();
    for b in &builtin {
        table.add_row(vec![
            b.info.id.clone(),
            b.info.severity.to_string(),
            b.info.family.clone(),
            b.applies_to.to_string(),
            "-".to_string(),
            format!("{} (built in; {})", b.info.title, b.when),
        ]);
    }
    output::print(&format!(
        "{table}\n{} rules; `not judged on` names the partition whose APIs cannot tell a rule's facts (`audit explain ID` says why)\n",
        rules.rules.len() + builtin.len()
    ))?;
    Ok(Exit::Clean)
}

pub fn explain(id: &str, args: &PackArgs) -> Result<Exit, Failure> {
    let rules = args.load()?.rules;
    if let Some(b) = audit_judge::tco_gate::builtin_rules()
        .into_iter()
        .find(|b| b.info.id == id)
    {
        output::print(&b.doc)?;
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
        return Err(Failure::usage(format!("no rule `{id}`{hint}")));
    };
    let mut text = String::new();
    if rule.severity != rule.default_severity || !rule.enabled {
        text.push_str(&format!(
            "In this config: severity {}{} (the documentation below gives the default).\n\n",
            rule.severity,
            if rule.enabled { "" } else { ", switched off" }
        ));
    }
    if let Some((partition, why)) = &rule.not_judged {
        text.push_str(&format!(
            "Not judged on `{partition}`: {why}. On that partition the rule is listed as not judged, never as passed.\n\n"
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
    let audit_judge::LoadedPack { pack, rules, .. } = args.load()?;
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
