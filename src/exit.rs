//! The exit codes of `audit`: one enum, documented in the README and tested.

use std::process::ExitCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// No finding at or above the threshold, evaluation complete.
    Clean = 0,
    /// Findings at or above `--fail-on`.
    Findings = 1,
    /// Usage or runtime error: bad flags, unreadable file, failure while running.
    Error = 2,
    /// Invalid input: the snapshot, config, policy or schema does not validate.
    Invalid = 3,
    /// The snapshot has coverage gaps and gaps are not allowed.
    Incomplete = 4,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e as u8)
    }
}

impl From<audit_report::Verdict> for Exit {
    fn from(v: audit_report::Verdict) -> Exit {
        match v {
            audit_report::Verdict::Pass => Exit::Clean,
            audit_report::Verdict::Fail => Exit::Findings,
            audit_report::Verdict::Incomplete => Exit::Incomplete,
        }
    }
}
