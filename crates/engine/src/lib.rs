//! The engine of audit: config, the Cedar rule pack, snapshot → findings.
//! Checks return findings and never print.

pub mod config;
pub mod depth;
pub mod detail;
pub mod entity;
pub mod error;
pub mod evaluate;
pub mod facts;
pub mod pack;
pub mod reference;
pub mod rules;
pub mod synthetic;
pub mod waivers;

pub use config::Config;
pub use error::{EngineError, SourcePlace};
pub use evaluate::{CedarJudge, Judge, Outcome, evaluate};
pub use pack::Pack;
pub use reference::ReferenceJudge;
pub use rules::{Rule, RuleSet};

/// Loads a pack's config (defaults, then the user's file over them) and its rules.
pub fn load(
    pack: &Pack,
    user_config: Option<&std::path::Path>,
) -> Result<(Config, RuleSet), EngineError> {
    let user = user_config.map(config::read_user_file).transpose()?;
    let config = config::load(
        (&pack.defaults.path, &pack.defaults.text),
        user.as_ref().map(|(p, t)| (p.as_path(), t.as_str())),
    )?;
    let rules = rules::load(pack, &config)?;
    Ok((config, rules))
}
