//! Helpers shared by the integration tests.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use audit_engine::{CedarJudge, Config, Outcome, Pack, ReferenceJudge, RuleSet};

/// The checkout under test. Cargo sets CARGO_MANIFEST_DIR when it runs a test, and that
/// is preferred to the compile-time value: a test binary reused from a shared target
/// folder may have been compiled in another checkout.
pub fn repo() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from)
}

pub fn fixture(rel: &str) -> PathBuf {
    repo().join("fixtures").join(rel)
}

/// Runs the `audit` binary from the repository root.
pub fn audit(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_audit"))
        .args(args)
        .current_dir(repo())
        .env("NO_COLOR", "1")
        .output()
        .expect("run audit")
}

pub fn code(out: &Output) -> i32 {
    out.status.code().expect("exit code")
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn builtin() -> (Config, RuleSet) {
    let pack = Pack::builtin().expect("built-in pack");
    audit_engine::load(&pack, None).expect("built-in pack loads")
}

pub fn cedar(path: &Path, config: &Config, rules: &RuleSet) -> Outcome {
    let judge = CedarJudge::new(rules, config).expect("judge");
    audit_engine::evaluate(path, rules, config, &judge, 2)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn reference(path: &Path, config: &Config, rules: &RuleSet) -> Outcome {
    let judge = ReferenceJudge::new(rules, config);
    audit_engine::evaluate(path, rules, config, &judge, 2)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// (rule id, resource id) of every finding.
pub fn pairs(outcome: &Outcome) -> BTreeSet<(String, String)> {
    outcome
        .findings
        .iter()
        .map(|f| (f.rule_id.clone(), f.resource_id.clone()))
        .collect()
}

/// Writes `fixtures/REL`, changed by `edit`, to `DIR/NAME`, and returns the path.
pub fn edited_fixture(
    dir: &tempfile::TempDir,
    rel: &str,
    name: &str,
    edit: impl FnOnce(&mut serde_json::Value),
) -> String {
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture(rel)).unwrap()).unwrap();
    edit(&mut doc);
    let path = dir.path().join(name);
    std::fs::write(&path, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    path.to_str().unwrap().to_string()
}
