//! `audit`: gate a cloud migration on compliance and cost.

mod bench;
mod check;
mod cli;
mod collect;
mod diff;
mod exit;
mod merge;
mod output;
mod report;
mod rules_cmd;
mod signoff;
mod tco;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};
use crate::exit::Exit;

/// Resources are parsed on one thread and dropped on others; glibc's allocator spends
/// most of a large run on lock contention for that (measured with perf), mimalloc not.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// An error that ends the command, with its exit code.
#[derive(Debug)]
pub struct Failure {
    pub exit: Exit,
    pub message: String,
}

impl Failure {
    pub fn usage(message: impl Into<String>) -> Self {
        Failure {
            exit: Exit::Error,
            message: message.into(),
        }
    }
}

impl From<audit_engine::EngineError> for Failure {
    fn from(e: audit_engine::EngineError) -> Self {
        let exit = if e.is_invalid_input() {
            Exit::Invalid
        } else {
            Exit::Error
        };
        let mut message = format!("error: {e}");
        if let audit_engine::EngineError::Policy {
            rendered: Some(r), ..
        } = &e
        {
            message.push_str("\n\n");
            message.push_str(r.trim_end());
        }
        Failure { exit, message }
    }
}

impl From<audit_model::SnapshotError> for Failure {
    fn from(e: audit_model::SnapshotError) -> Self {
        audit_engine::EngineError::from(e).into()
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                Exit::Error
            } else {
                Exit::Clean
            };
            let _ = e.print();
            return code.into();
        }
    };
    let result = match cli.command {
        Command::Collect(args) => collect::run(&args),
        Command::Merge(args) => merge::run(&args),
        Command::Check(args) => check::run(&args),
        Command::Report(args) => report::run(&args),
        Command::Diff(args) => diff::run(&args),
        Command::Rules(args) => rules_cmd::list(&args.pack),
        Command::Explain(args) => rules_cmd::explain(&args.id, &args.pack),
        Command::Policies(cli::PoliciesCommand::Validate { dir, config }) => {
            rules_cmd::validate(dir.as_deref(), config.as_deref())
        }
        Command::Schema => {
            output::print(&output::pretty_json(&audit_model::snapshot_json_schema()))
                .map(|()| Exit::Clean)
        }
        Command::Bench(args) => bench::run(&args),
        Command::Signoff(command) => signoff::run(&command),
        Command::Tco(args) => tco::run(&args),
    };
    match result {
        Ok(exit) => exit.into(),
        Err(failure) => {
            eprintln!("{}", failure.message);
            failure.exit.into()
        }
    }
}
