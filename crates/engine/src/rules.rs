//! Loading a rule pack: parse each `.cedar` file, validate it strictly against the
//! schema, read each policy's annotations as rule metadata, apply the config (rules off,
//! severities), and slice the policies by the resource type they can apply to.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::str::FromStr;

use audit_model::{Partition, Severity, TYPE_NAMES};
use cedar_policy::{
    Effect, Policy, PolicyId, PolicySet, ResourceConstraint, Schema, ValidationMode, Validator,
};
use miette::{Diagnostic, NamedSource};

use crate::config::Config;
use crate::detail::Template;
use crate::entity::{NAMESPACE, cedar_type};
use crate::error::{EngineError, SourcePlace};
use crate::pack::{Pack, SourceFile};

/// Annotations every rule must carry.
pub const REQUIRED_ANNOTATIONS: &[&str] = &[
    "id",
    "severity",
    "title",
    "control",
    "detail",
    "remediation",
];

#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    /// The rule file's stem: residency, logs, tags, network, iam, data, cost, ...
    pub family: String,
    /// In force: the annotation's, or the config's override.
    pub severity: Severity,
    pub default_severity: Severity,
    pub title: String,
    pub control: String,
    pub remediation: String,
    pub detail: Template,
    pub detail_source: String,
    /// `@fingerprint`: what, besides rule and resource, makes a finding a different one
    /// (e.g. the open ports); empty when absent.
    pub fingerprint_key: Template,
    /// `docs/ID.md`, if the pack has it.
    pub doc: Option<String>,
    pub place: SourcePlace,
    /// Cedar source of the policy.
    pub source: String,
    /// The snapshot resource type the policy's scope names, or `None` for every type.
    pub resource_type: Option<&'static str>,
    pub enabled: bool,
    /// `@not_judged("PARTITION: why")`: the partition whose APIs cannot tell this rule's
    /// facts, and why. On it the rule is listed as not judged, never as passed.
    pub not_judged: Option<(Partition, String)>,
}

impl Rule {
    /// Why this rule cannot be judged on `partition`, if it cannot.
    pub fn not_judged_on(&self, partition: Partition) -> Option<&str> {
        match &self.not_judged {
            Some((p, why)) if *p == partition => Some(why.as_str()),
            _ => None,
        }
    }
}

pub struct RuleSet {
    /// Sorted by id.
    pub rules: Vec<Rule>,
    pub schema: Schema,
    /// For each snapshot resource type, the enabled rules that can apply to it.
    ///
    /// No blanket `permit` is added: a resource is compliant exactly when no `forbid`
    /// matches, and Cedar's reasons for a Deny are exactly the satisfied forbids, with or
    /// without a permit beside them. Leaving it out saves one policy per request.
    pub by_type: HashMap<&'static str, PolicySet>,
    pub files: Vec<PathBuf>,
}

impl RuleSet {
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules
            .binary_search_by(|r| r.id.as_str().cmp(id))
            .ok()
            .map(|i| &self.rules[i])
    }

    pub fn enabled(&self) -> impl Iterator<Item = &Rule> {
        self.rules.iter().filter(|r| r.enabled)
    }
}

/// Loads and validates the pack's rules, and applies `config` to them.
pub fn load(pack: &Pack, config: &Config) -> Result<RuleSet, EngineError> {
    let schema = parse_schema(&pack.schema)?;
    let validator = Validator::new(schema.clone());
    let mut rules: BTreeMap<String, (Rule, Policy)> = BTreeMap::new();
    for file in &pack.policies {
        for (rule, policy) in load_file(file, &validator, pack)? {
            if let Some((first, _)) = rules.get(&rule.id) {
                return Err(policy_error(
                    rule.place.clone(),
                    format!("duplicate rule id `{}` (first at {})", rule.id, first.place),
                ));
            }
            rules.insert(rule.id.clone(), (rule, policy));
        }
    }
    if rules.is_empty() {
        return Err(policy_error(
            SourcePlace::file_only(&pack.root),
            "the rule pack has no rules: a gate with nothing to check would pass everything".into(),
        ));
    }
    for named in &config.disabled_rules {
        match rules.get_mut(&named.id) {
            Some((rule, _)) => rule.enabled = false,
            None => return Err(unknown_rule(named)),
        }
    }
    for (named, severity) in &config.severity_overrides {
        match rules.get_mut(&named.id) {
            Some((rule, _)) => rule.severity = *severity,
            None => return Err(unknown_rule(named)),
        }
    }

    if !rules.values().any(|(rule, _)| rule.enabled) {
        let place = config
            .disabled_rules
            .first()
            .map_or_else(|| SourcePlace::file_only(&pack.root), |n| n.place.clone());
        return Err(EngineError::Config {
            place,
            message: "every rule is disabled: a gate with nothing to check would pass everything"
                .into(),
        });
    }
    let mut by_type = HashMap::new();
    for type_name in TYPE_NAMES {
        let mut set = PolicySet::new();
        for (rule, policy) in rules.values() {
            if rule.enabled && rule.resource_type.is_none_or(|t| t == *type_name) {
                add(&mut set, policy.clone())?;
            }
        }
        by_type.insert(*type_name, set);
    }
    Ok(RuleSet {
        rules: rules.into_values().map(|(rule, _)| rule).collect(),
        schema,
        by_type,
        files: pack.policies.iter().map(|f| f.path.clone()).collect(),
    })
}

fn add(set: &mut PolicySet, policy: Policy) -> Result<(), EngineError> {
    set.add(policy)
        .map_err(|e| EngineError::Evaluation(format!("cannot assemble the policy set: {e}")))
}

fn unknown_rule(named: &crate::config::Named) -> EngineError {
    EngineError::Config {
        place: named.place.clone(),
        message: format!("unknown rule id {}", audit_text::quote(&named.id)),
    }
}

fn policy_error(place: SourcePlace, message: String) -> EngineError {
    EngineError::Policy {
        place,
        message,
        rendered: None,
    }
}

fn parse_schema(file: &SourceFile) -> Result<Schema, EngineError> {
    crate::depth::check(file)?;
    Schema::from_cedarschema_str(&file.text)
        .map(|(schema, _warnings)| schema)
        .map_err(|e| diagnostic_error(file, &e))
}

fn load_file(
    file: &SourceFile,
    validator: &Validator,
    pack: &Pack,
) -> Result<Vec<(Rule, Policy)>, EngineError> {
    crate::depth::check(file)?;
    let set = PolicySet::from_str(&file.text).map_err(|e| diagnostic_error(file, &e))?;
    if let Some(template) = set.templates().next() {
        return Err(policy_error(
            place_of(file, &template.to_string()),
            "templates are not rules: write a `forbid` policy".into(),
        ));
    }
    // Validate under the rules' own ids, so that errors say `logs-retention-too-short`,
    // not `policy3`; a policy whose @id is missing or repeated keeps Cedar's name here and
    // is refused below.
    let mut named = PolicySet::new();
    for policy in set.policies() {
        let renamed = match policy.annotation("id") {
            Some(id) if valid_id(id) => policy.new_id(PolicyId::new(id)),
            _ => policy.clone(),
        };
        if named.add(renamed).is_err() {
            named = set.clone();
            break;
        }
    }
    let result = validator.validate(&named, ValidationMode::Strict);
    if let Some(error) = result.validation_errors().next() {
        return Err(diagnostic_error(file, error));
    }
    let family = file
        .path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut out = Vec::new();
    for policy in set.policies() {
        let source = policy.to_string();
        let place = place_of(file, &source);
        if policy.effect() != Effect::Forbid {
            return Err(policy_error(
                place,
                "rules are `forbid` policies; the engine adds the one `permit` itself".into(),
            ));
        }
        for key in REQUIRED_ANNOTATIONS {
            if policy.annotation(key).is_none_or(|v| v.trim().is_empty()) {
                return Err(policy_error(
                    place,
                    format!("the policy has no `@{key}` annotation"),
                ));
            }
        }
        let annotation = |key: &str| policy.annotation(key).unwrap_or_default().to_string();
        let id = annotation("id");
        if !valid_id(&id) {
            return Err(policy_error(
                place,
                format!(
                    "rule id {} must be lowercase letters, digits and `-`, starting with a letter",
                    audit_text::quote(&id)
                ),
            ));
        }
        let severity: Severity = annotation("severity")
            .parse()
            .map_err(|message| policy_error(place.clone(), format!("`@severity`: {message}")))?;
        let detail_source = annotation("detail");
        let detail = Template::parse(&detail_source)
            .map_err(|message| policy_error(place.clone(), format!("`@detail`: {message}")))?;
        let fingerprint_key = Template::parse(policy.annotation("fingerprint").unwrap_or_default())
            .map_err(|message| policy_error(place.clone(), format!("`@fingerprint`: {message}")))?;
        let resource_type = match policy.resource_constraint() {
            ResourceConstraint::Is(t) | ResourceConstraint::IsIn(t, _) => {
                Some(snapshot_type(&t.to_string()).ok_or_else(|| {
                    policy_error(
                        place.clone(),
                        format!("no snapshot resource type maps to `{t}`"),
                    )
                })?)
            }
            _ => None,
        };
        let not_judged = match policy.annotation("not_judged") {
            Some(text) => Some(parse_not_judged(text).map_err(|message| {
                policy_error(place.clone(), format!("`@not_judged`: {message}"))
            })?),
            None => None,
        };
        let rule = Rule {
            not_judged,
            doc: pack.docs.get(&id).cloned(),
            id: id.clone(),
            family: family.clone(),
            severity,
            default_severity: severity,
            title: annotation("title"),
            control: annotation("control"),
            remediation: annotation("remediation"),
            detail,
            detail_source,
            fingerprint_key,
            place,
            source,
            resource_type,
            enabled: true,
        };
        out.push((rule, policy.new_id(PolicyId::new(&id))));
    }
    out.sort_by_key(|(rule, _)| rule.place.line);
    Ok(out)
}

/// `"bce: Baidu has no flow-log API"` → (bce, the reason).
fn parse_not_judged(text: &str) -> Result<(Partition, String), String> {
    let partitions = [
        Partition::Aws,
        Partition::AwsCn,
        Partition::AwsUsGov,
        Partition::Bce,
    ];
    let names = || {
        partitions
            .iter()
            .map(|p| p.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let Some((name, why)) = text.split_once(':') else {
        return Err(format!(
            "write `PARTITION: why the rule cannot be judged there` (partitions: {})",
            names()
        ));
    };
    let partition = partitions
        .into_iter()
        .find(|p| p.as_str() == name.trim())
        .ok_or_else(|| {
            format!(
                "unknown partition {} (partitions: {})",
                audit_text::quote(name.trim()),
                names()
            )
        })?;
    let why = why.trim();
    if why.is_empty() {
        return Err("say why the rule cannot be judged there".into());
    }
    Ok((partition, why.to_string()))
}

fn valid_id(id: &str) -> bool {
    id.starts_with(|c: char| c.is_ascii_lowercase())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

fn snapshot_type(cedar: &str) -> Option<&'static str> {
    TYPE_NAMES
        .iter()
        .find(|t| format!("{NAMESPACE}::{}", cedar_type(t)) == cedar)
        .copied()
}

/// Where a policy's text starts in its file (Cedar keeps the text, not the place).
fn place_of(file: &SourceFile, source: &str) -> SourcePlace {
    match file.text.find(source) {
        Some(offset) => SourcePlace::at_offset(&file.path, &file.text, offset),
        None => SourcePlace::file_only(&file.path),
    }
}

/// A Cedar diagnostic about `file`: the message, the place of its first label, and the
/// rendered excerpt under the file's name.
pub fn diagnostic_error(file: &SourceFile, diag: &dyn Diagnostic) -> EngineError {
    let offset = diag
        .labels()
        .and_then(|mut labels| labels.next())
        .map(|l| l.offset());
    let place = match offset {
        Some(offset) => SourcePlace::at_offset(&file.path, &file.text, offset),
        None => SourcePlace::file_only(&file.path),
    };
    let mut message = diag.to_string();
    if let Some(help) = diag.help() {
        message.push_str(&format!(" (help: {help})"));
    }
    EngineError::Policy {
        place,
        message,
        rendered: Some(render(file, diag)),
    }
}

fn render(file: &SourceFile, diag: &dyn Diagnostic) -> String {
    let named = InFile {
        diag,
        source: NamedSource::new(file.path.display().to_string(), file.text.clone()),
    };
    let mut out = String::new();
    let handler =
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor());
    if handler.render_report(&mut out, &named).is_err() {
        out = diag.to_string();
    }
    out
}

/// A diagnostic shown against a named file: Cedar's own diagnostics carry the text but not
/// the file's name.
struct InFile<'a> {
    diag: &'a dyn Diagnostic,
    source: NamedSource<String>,
}

impl std::fmt::Debug for InFile<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.diag, f)
    }
}

impl std::fmt::Display for InFile<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self.diag, f)
    }
}

impl std::error::Error for InFile<'_> {}

impl Diagnostic for InFile<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        self.diag.code()
    }
    fn help<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        self.diag.help()
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        self.diag.labels()
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }
    fn related<'b>(&'b self) -> Option<Box<dyn Iterator<Item = &'b dyn Diagnostic> + 'b>> {
        self.diag.related()
    }
}
