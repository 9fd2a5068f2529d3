//! `audit check`: judge a snapshot; the exit code is the verdict. The judging itself
//! (snapshot → findings → gate) is `audit-judge`'s, shared with `report`, `diff`,
//! `signoff` and `bench`; this module turns flags into its inputs.

use std::path::PathBuf;

use audit_judge::{GateFiles, Judgement, LoadedPack};

use crate::cli::{CheckArgs, CheckFormat, GateArgs, JudgeArgs, PackArgs, TcoGateArgs};
use crate::exit::Exit;
use crate::{Failure, output};

/// The waivers file used when none is named.
pub const DEFAULT_WAIVERS: &str = "policies/waivers.toml";

impl PackArgs {
    /// The pack, config and rules named by the flags, loaded and validated once.
    pub fn load(&self) -> Result<LoadedPack, Failure> {
        Ok(LoadedPack::load(
            self.policies.as_deref(),
            self.config.as_deref(),
        )?)
    }
}

impl GateArgs {
    /// The waivers file the gate reads: `--waivers`, else the default file when it
    /// exists. One that exists but is not a file is an error when read, not silently no
    /// waivers.
    pub fn waivers_file(&self) -> Option<PathBuf> {
        self.waivers.clone().or_else(|| {
            let default = PathBuf::from(DEFAULT_WAIVERS);
            default.exists().then_some(default)
        })
    }
}

pub fn workers(requested: Option<u16>) -> usize {
    requested.map_or_else(
        || std::thread::available_parallelism().map_or(2, |n| n.get()),
        usize::from,
    )
}

impl JudgeArgs {
    /// The judgement of these arguments on an already loaded pack, and a TCO result if
    /// any.
    pub fn judge_with(
        &self,
        pack: &LoadedPack,
        tco: Option<&audit_signoff::tco::TcoResult>,
    ) -> Result<Judgement, Failure> {
        let waivers = self.gate.waivers_file();
        let files = GateFiles {
            waivers: waivers.as_deref(),
            baseline: self.gate.baseline.as_deref(),
        };
        Ok(audit_judge::judge(
            &self.snapshot,
            pack,
            files,
            workers(self.workers),
            tco,
        )?)
    }

    /// The judgement `check` and `report` share: these arguments, and a TCO result if any.
    pub fn judge(&self, tco: &TcoGateArgs) -> Result<Judgement, Failure> {
        let pack = self.pack.load()?;
        let tco = tco
            .tco
            .as_deref()
            .map(audit_signoff::tco::load)
            .transpose()?;
        self.judge_with(&pack, tco.as_ref())
    }
}

pub fn run(args: &CheckArgs) -> Result<Exit, Failure> {
    let a = &args.judge;
    let judgement = a.judge(&args.tco)?;
    let result = judgement.result(a.fail_on, a.allow_incomplete);
    let text = match args.format {
        CheckFormat::Table => audit_report::table::render(&result),
        CheckFormat::Json => audit_report::json::render(&result),
    };
    output::print(&text)?;
    let exit = result.verdict().into();
    // The process ends here: freeing a million findings one by one would only delay it.
    std::mem::forget(judgement);
    Ok(exit)
}
