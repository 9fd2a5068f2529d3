//! The cutover checklist (`policies/cutover-checklist.toml`): what must hold before the
//! cutover window opens. Each item is either automated (bound to rule ids and/or the TCO
//! gate, proven by the findings) or manual (attested by a person with a link to proof).
//!
//! The file is read strictly: unknown keys, unknown rule ids, globs that match no rule,
//! duplicate ids and automated items bound to nothing are errors at file, line and column.
//! A checklist that silently checks nothing would let a sign-off prove nothing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use audit_model::gate::glob_match;
use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::error::{Place, SignoffError};

/// When in the migration plan an item belongs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    /// Readiness of the landing zone, the tooling and the team.
    Before,
    /// The cutover steps (as rehearsed).
    During,
    /// What is checked once the workload runs in the cloud.
    After,
    /// Hard constraints that hold throughout.
    Constraint,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Before => "before",
            Phase::During => "during",
            Phase::After => "after",
            Phase::Constraint => "constraint",
        }
    }
}

/// How an item is proven.
#[derive(Debug, Clone, PartialEq)]
pub enum Check {
    /// By the gate: no open finding of the rules, and/or the TCO result passes.
    Auto(Auto),
    /// By a person's attestation.
    Manual,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Auto {
    /// The rule ids and globs as written.
    pub patterns: Vec<String>,
    /// Every rule id the patterns name, sorted and unique.
    pub rules: Vec<String>,
    /// Bound to the TCO gate.
    pub tco: bool,
    /// The highest TCO limit this item accepts: a TCO result gated at a looser limit fails.
    pub tco_limit: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub id: String,
    pub phase: Phase,
    pub text: String,
    pub blocking: bool,
    pub check: Check,
    /// `file:line:column` of the item's id, for messages.
    pub place: String,
}

impl Item {
    pub fn is_manual(&self) -> bool {
        matches!(self.check, Check::Manual)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Checklist {
    pub path: PathBuf,
    /// Sorted by phase, then id.
    pub items: Vec<Item>,
}

impl Checklist {
    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.id == id)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    item: Vec<Spanned<RawItem>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItem {
    id: Spanned<String>,
    phase: Phase,
    text: Spanned<String>,
    blocking: bool,
    auto: Option<Spanned<RawAuto>>,
    manual: Option<Spanned<bool>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAuto {
    #[serde(default)]
    rules: Vec<Spanned<String>>,
    #[serde(default)]
    tco: bool,
    tco_limit: Option<Spanned<f64>>,
}

/// Reads and validates a checklist; `rule_ids` are every rule of the pack (enabled or not).
pub fn load(path: &Path, rule_ids: &[String]) -> Result<Checklist, SignoffError> {
    let text = crate::error::read_input(path, "checklist")?;
    parse(path, &text, rule_ids)
}

pub fn parse(path: &Path, text: &str, rule_ids: &[String]) -> Result<Checklist, SignoffError> {
    let at = |span: std::ops::Range<usize>| Place::at_offset(path, text, span.start);
    let invalid = |place: Place, message: String| SignoffError::input("checklist", place, message);
    let file: File = toml::from_str(text)
        .map_err(|e| invalid(at(e.span().unwrap_or(0..0)), e.message().to_string()))?;
    if file.item.is_empty() {
        return Err(invalid(
            Place::at(path, 1, 1),
            "the checklist has no `[[item]]`: a sign-off on nothing would prove nothing".into(),
        ));
    }
    let mut seen: BTreeMap<String, Place> = BTreeMap::new();
    let mut items = Vec::new();
    for entry in file.item {
        let item_place = at(entry.span());
        let raw = entry.into_inner();
        let id = raw.id.get_ref();
        let id_place = at(raw.id.span());
        if !is_item_id(id) {
            return Err(invalid(
                id_place,
                format!(
                    "item id `{id}`: use lowercase letters, digits and `-`, starting with a letter"
                ),
            ));
        }
        if let Some(first) = seen.get(id) {
            return Err(invalid(
                id_place,
                format!("duplicate item id `{id}` (first at {first})"),
            ));
        }
        seen.insert(id.clone(), id_place.clone());
        if raw.text.get_ref().trim().is_empty() {
            return Err(invalid(
                at(raw.text.span()),
                format!("item `{id}` needs a non-blank `text`"),
            ));
        }
        let check = match (raw.auto, raw.manual) {
            (Some(_), Some(manual)) => {
                return Err(invalid(
                    at(manual.span()),
                    format!("item `{id}` is either `auto` or `manual`, not both"),
                ));
            }
            (None, None) => {
                return Err(invalid(
                    item_place,
                    format!(
                        "item `{id}` needs `auto = {{ rules = [...] }}` or `auto = {{ tco = true }}` \
                         (proven by the gate) or `manual = true` (attested by a person)"
                    ),
                ));
            }
            (None, Some(manual)) => {
                if !*manual.get_ref() {
                    return Err(invalid(
                        at(manual.span()),
                        format!(
                            "item `{id}`: `manual = false` binds it to nothing; use `auto` instead"
                        ),
                    ));
                }
                Check::Manual
            }
            (Some(auto), None) => {
                let auto_place = at(auto.span());
                let auto = auto.into_inner();
                if auto.rules.is_empty() && !auto.tco {
                    return Err(invalid(
                        auto_place,
                        format!(
                            "item `{id}` is automated but bound to nothing: give `rules` or `tco = true`"
                        ),
                    ));
                }
                let mut rules = Vec::new();
                let mut patterns = Vec::new();
                for pattern in &auto.rules {
                    let p = pattern.get_ref();
                    let matched: Vec<&String> = if p.contains(['*', '?']) {
                        rule_ids.iter().filter(|r| glob_match(p, r)).collect()
                    } else {
                        rule_ids.iter().filter(|r| *r == p).collect()
                    };
                    if matched.is_empty() {
                        let message = if p.contains(['*', '?']) {
                            format!("`{p}` in item `{id}` matches no rule")
                        } else {
                            format!("unknown rule id `{p}` in item `{id}`")
                        };
                        return Err(invalid(at(pattern.span()), message));
                    }
                    patterns.push(p.clone());
                    rules.extend(matched.into_iter().cloned());
                }
                rules.sort();
                rules.dedup();
                let tco_limit = match auto.tco_limit {
                    None => None,
                    Some(limit) => {
                        let value = *limit.get_ref();
                        if !auto.tco {
                            return Err(invalid(
                                at(limit.span()),
                                format!("item `{id}`: `tco_limit` needs `tco = true`"),
                            ));
                        }
                        if !(value > 0.0 && value.is_finite()) {
                            return Err(invalid(
                                at(limit.span()),
                                format!(
                                    "item `{id}`: `tco_limit` must be a ratio above 0, such as 0.7"
                                ),
                            ));
                        }
                        Some(value)
                    }
                };
                Check::Auto(Auto {
                    patterns,
                    rules,
                    tco: auto.tco,
                    tco_limit,
                })
            }
        };
        items.push(Item {
            id: id.clone(),
            phase: raw.phase,
            text: raw.text.get_ref().trim().to_string(),
            blocking: raw.blocking,
            check,
            place: id_place.to_string(),
        });
    }
    items.sort_by(|a, b| a.phase.cmp(&b.phase).then_with(|| a.id.cmp(&b.id)));
    Ok(Checklist {
        path: path.to_path_buf(),
        items,
    })
}

fn is_item_id(id: &str) -> bool {
    id.starts_with(|c: char| c.is_ascii_lowercase())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> Vec<String> {
        [
            "network-admin-port-open",
            "network-all-traffic-open",
            "residency-regulated-data-abroad",
            "residency-resource-abroad",
        ]
        .map(String::from)
        .to_vec()
    }

    fn parse_str(text: &str) -> Result<Checklist, SignoffError> {
        parse(Path::new("c.toml"), text, &rules())
    }

    fn error(text: &str) -> String {
        parse_str(text).unwrap_err().to_string()
    }

    const GOOD: &str = r#"
[[item]]
id = "residency"
phase = "constraint"
text = "data stays in mainland regions"
blocking = true
auto = { rules = ["residency-*"] }

[[item]]
id = "team-trained"
phase = "before"
text = "team trained"
blocking = false
manual = true

[[item]]
id = "tco"
phase = "constraint"
text = "TCO at most 70 %"
blocking = true
auto = { tco = true, tco_limit = 0.7, rules = ["network-admin-port-open", "network-*"] }
"#;

    #[test]
    fn a_good_checklist_resolves_globs_and_sorts_items() {
        let c = parse_str(GOOD).unwrap();
        let ids: Vec<&str> = c.items.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(ids, ["team-trained", "residency", "tco"]);
        let Check::Auto(auto) = &c.items[1].check else {
            panic!("auto")
        };
        assert_eq!(
            auto.rules,
            [
                "residency-regulated-data-abroad",
                "residency-resource-abroad"
            ]
        );
        let Check::Auto(tco) = &c.items[2].check else {
            panic!("auto")
        };
        assert!(tco.tco);
        assert_eq!(tco.tco_limit, Some(0.7));
        assert_eq!(
            tco.rules,
            ["network-admin-port-open", "network-all-traffic-open"],
            "deduplicated"
        );
        assert!(c.items[0].is_manual());
        assert_eq!(c.items[1].place, "c.toml:3:6");
    }

    #[test]
    fn errors_name_the_place() {
        let item = |body: &str| {
            format!(
                "[[item]]\nid = \"x\"\nphase = \"before\"\ntext = \"t\"\nblocking = true\n{body}\n"
            )
        };
        let cases = [
            (
                item("manual = true\nowner = \"me\""),
                "c.toml:7:1",
                "unknown field `owner`",
            ),
            (
                item("auto = { rules = [\"iam-nope\"] }"),
                "c.toml:6:19",
                "unknown rule id `iam-nope` in item `x`",
            ),
            (
                item("auto = { rules = [\"iam-*\"] }"),
                "c.toml:6:19",
                "`iam-*` in item `x` matches no rule",
            ),
            (
                item("auto = { rules = [] }"),
                "c.toml:6:8",
                "bound to nothing",
            ),
            (
                item("auto = { tco = false }"),
                "c.toml:6:8",
                "bound to nothing",
            ),
            (
                item("auto = { rules = [\"residency-*\"], tco_limit = 0.7 }"),
                "c.toml:6:47",
                "`tco_limit` needs `tco = true`",
            ),
            (
                item("auto = { tco = true, tco_limit = 0.0 }"),
                "c.toml:6:34",
                "above 0",
            ),
            (
                item("auto = { tco = true, rule = [] }"),
                "c.toml:6:22",
                "unknown field `rule`",
            ),
            (item("manual = false"), "c.toml:6:10", "`manual = false`"),
            (
                item("manual = true\nauto = { tco = true }"),
                "c.toml:6:10",
                "not both",
            ),
            (item(""), "c.toml:1:1", "needs `auto"),
            (
                item("manual = true").replace("\"before\"", "\"soon\""),
                "c.toml:3:9",
                "unknown variant `soon`",
            ),
            (
                item("manual = true").replace("text = \"t\"", "text = \"  \""),
                "c.toml:4:8",
                "non-blank `text`",
            ),
            (
                item("manual = true").replace("id = \"x\"", "id = \"X y\""),
                "c.toml:2:6",
                "item id `X y`",
            ),
            (
                item("manual = true").replace("blocking = true\n", ""),
                "c.toml:1:1",
                "missing field `blocking`",
            ),
            ("# nothing\n".to_string(), "c.toml:1:1", "no `[[item]]`"),
            (
                format!("{}{}", item("manual = true"), item("manual = true")),
                "c.toml:8:6",
                "duplicate item id `x` (first at c.toml:2:6)",
            ),
        ];
        for (text, place, message) in cases {
            let err = error(&text);
            assert!(
                err.starts_with(&format!("invalid checklist {place}: ")) && err.contains(message),
                "want {place} {message}, got: {err}\n{text}"
            );
        }
    }

    #[test]
    fn the_repository_checklist_is_valid() {
        // Every rule id of the built-in pack, read from the policies themselves.
        let dir = std::env::var_os("CARGO_MANIFEST_DIR")
            .map_or_else(
                || env!("CARGO_MANIFEST_DIR").into(),
                std::path::PathBuf::from,
            )
            .join("../../policies");
        let mut ids = Vec::new();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "cedar") {
                let text = std::fs::read_to_string(&path).unwrap();
                for line in text.lines() {
                    if let Some(rest) = line.trim().strip_prefix("@id(\"") {
                        ids.push(rest.trim_end_matches("\")").to_string());
                    }
                }
            }
        }
        assert!(ids.len() >= 30, "{} rules", ids.len());
        let c = load(&dir.join("cutover-checklist.toml"), &ids).unwrap();
        // Every rule is bound by at least one item: the gate proves all it can.
        for id in &ids {
            assert!(
                c.items
                    .iter()
                    .any(|i| matches!(&i.check, Check::Auto(a) if a.rules.contains(id))),
                "no checklist item binds rule `{id}`"
            );
        }
        assert!(
            c.items
                .iter()
                .any(|i| matches!(&i.check, Check::Auto(a) if a.tco && a.tco_limit == Some(0.7)))
        );
    }
}
