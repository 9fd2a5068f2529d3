//! `audit`: gate a cloud migration on compliance and cost.

mod bench;
mod check;
mod cli;
mod collect;
mod diff;
mod error;
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
pub use crate::error::Failure;
use crate::exit::Exit;

/// Resources are parsed on one thread and dropped on others; glibc's allocator spends
/// most of a large run on lock contention for that (measured with perf), mimalloc not.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    let error_format = cli.error_format;
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
            let text = match error_format {
                cli::ErrorFormat::Human => failure.human(),
                cli::ErrorFormat::Json => failure.json(),
            };
            eprintln!("{text}");
            failure.exit().into()
        }
    }
}
