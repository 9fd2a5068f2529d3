//! Command line of `audit`. Flags are documented where they are defined.

use std::path::PathBuf;

use audit_aws::Service;
use audit_model::{Partition, Severity};
use clap::{Args, Parser, Subcommand, ValueEnum};

mod collect;
mod signoff;
mod tco;

pub use collect::*;
pub use signoff::*;
pub use tco::*;

#[derive(Debug, Parser)]
#[command(
    name = "audit",
    version,
    about = "Gate a cloud migration on compliance and cost: snapshot → Cedar rules → findings → exit code",
    after_help = "Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage or runtime error, \
                  3 invalid input (snapshot, config, policy), 4 snapshot incomplete (coverage gaps)"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// How an error that ends the command is printed on stderr: `human` (`error: ...`,
    /// with Cedar's excerpt of a broken policy) or `json` (one object with `error`, `kind`,
    /// `exit_code` and, for a policy error, `diagnostic`), for CI tools that parse it.
    #[arg(long, global = true, value_enum, default_value_t = ErrorFormat::Human)]
    pub error_format: ErrorFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ErrorFormat {
    Human,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read an AWS account into a snapshot (and optionally its costs). Credentials come
    /// from the default chain: environment, profile, SSO, web identity, instance metadata.
    Collect(CollectArgs),
    /// Join snapshot shards of one account (one per region or service) into one snapshot.
    Merge(MergeArgs),
    /// Judge a snapshot against the rules; the exit code is the gate's verdict.
    Check(CheckArgs),
    /// Write the reports (Markdown, CSV, JSON, SARIF, JUnit) of a snapshot into a folder;
    /// the exit code is the gate's verdict, as with `check`.
    Report(ReportArgs),
    /// New and fixed findings between two runs (snapshots or findings files).
    Diff(DiffArgs),
    /// List every rule: id, severity, family, title.
    Rules(RulesArgs),
    /// Print a rule's documentation: what it does, why, an example, how to fix.
    Explain(ExplainArgs),
    /// Work with rule packs.
    #[command(subcommand)]
    Policies(PoliciesCommand),
    /// Print the JSON Schema of the snapshot format.
    Schema,
    /// Measure the engine on synthetic snapshots (wall time and peak memory), next to a
    /// hand-written reference.
    Bench(BenchArgs),
    /// The pre-cutover checklist: status, attestations, signing, verifying a record.
    #[command(subcommand)]
    Signoff(SignoffCommand),
    /// Cloud TCO against the IDC baseline, per month: exit 1 when the gated period is over
    /// the limit (70 % by default). Writes the result (JSON, Markdown, CSV, SVG chart).
    Tco(TcoArgs),
}

/// Where the rules and their parameters come from.
#[derive(Debug, Args, Clone)]
pub struct PackArgs {
    /// A rule pack directory (schema.cedarschema, *.cedar, audit.toml, docs/) to use
    /// instead of the built-in one.
    #[arg(long, value_name = "DIR")]
    pub policies: Option<PathBuf>,
    /// A config file whose keys override the pack's audit.toml.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// What the gate accepts besides the rules.
#[derive(Debug, Args, Clone)]
pub struct GateArgs {
    /// Waivers (`[[waiver]]` entries with rule, resource glob, reason, owner, ticket,
    /// expires). Default: `policies/waivers.toml` when it exists.
    #[arg(long, value_name = "FILE")]
    pub waivers: Option<PathBuf>,
    /// Findings of an earlier run (`check --format json` or `report.json`): only findings
    /// not in it fail the gate.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
pub enum ReportFormat {
    Md,
    Csv,
    Json,
    Sarif,
    Junit,
}

/// The cost gate beside the rules: `check` and `report` take a TCO result.
#[derive(Debug, Args, Clone)]
pub struct TcoGateArgs {
    /// A TCO result (`tco.json` of `audit tco`): over its limit, or computed from cost
    /// files that changed since, it is a finding of the rule `tco-over-limit`.
    #[arg(long, value_name = "FILE")]
    pub tco: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub judge: JudgeArgs,
    #[command(flatten)]
    pub tco: TcoGateArgs,
    /// Formats to write, comma-separated.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "md,csv,json,sarif,junit"
    )]
    pub format: Vec<ReportFormat>,
    /// Folder for the reports (created when missing).
    #[arg(long, value_name = "DIR", default_value = "reports")]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The earlier run: a snapshot, or a findings file (`check --format json`, `report.json`).
    pub old: PathBuf,
    /// The later run, likewise.
    pub new: PathBuf,
    #[command(flatten)]
    pub pack: PackArgs,
    /// Output format on stdout.
    #[arg(long, value_enum, default_value = "table")]
    pub format: CheckFormat,
    /// Compare even when a side has coverage gaps (what it could not see would otherwise
    /// look fixed).
    #[arg(long)]
    pub allow_incomplete: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum CheckFormat {
    Table,
    Json,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub judge: JudgeArgs,
    #[command(flatten)]
    pub tco: TcoGateArgs,
    /// Output format on stdout.
    #[arg(long, value_enum, default_value = "table")]
    pub format: CheckFormat,
}

/// What `check` and `report` judge, and how.
#[derive(Debug, Args)]
pub struct JudgeArgs {
    /// The snapshot to judge (JSON, format v1; see docs/snapshot.md).
    #[arg(long, value_name = "FILE")]
    pub snapshot: PathBuf,
    #[command(flatten)]
    pub pack: PackArgs,
    #[command(flatten)]
    pub gate: GateArgs,
    /// Lowest severity that fails the gate.
    #[arg(long, value_name = "SEVERITY", default_value = "low", value_parser = parse_severity)]
    pub fail_on: Severity,
    /// Judge a snapshot with coverage gaps instead of failing it as incomplete (exit 4).
    #[arg(long)]
    pub allow_incomplete: bool,
    /// Worker threads judging resources, 1 to 256 (default: the number of cores).
    #[arg(long, value_name = "N", value_parser = parse_workers)]
    pub workers: Option<u16>,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    #[command(flatten)]
    pub pack: PackArgs,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Rule id, e.g. `network-admin-port-open`.
    pub id: String,
    #[command(flatten)]
    pub pack: PackArgs,
}

#[derive(Debug, Subcommand)]
pub enum PoliciesCommand {
    /// Parse and strictly validate a rule pack against its schema, with its config.
    Validate {
        /// The pack directory; the built-in pack when absent.
        dir: Option<PathBuf>,
        /// A config file to validate with the pack.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Engine {
    Cedar,
    Reference,
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    #[command(subcommand)]
    pub command: Option<BenchCommand>,
    /// Snapshot sizes to measure, in resources.
    #[arg(long, value_delimiter = ',', default_value = "100000,1000000")]
    pub sizes: Vec<usize>,
    /// Where the synthetic snapshots are written (kept for reruns).
    #[arg(long, value_name = "DIR", default_value = "target/bench")]
    pub dir: PathBuf,
    /// Runs per engine and size; the best is reported.
    #[arg(long, default_value = "1")]
    pub runs: usize,
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Write a synthetic snapshot of N resources (deterministic for a seed).
    Generate {
        #[arg(long)]
        resources: usize,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        #[arg(long, default_value = "1")]
        seed: u64,
    },
    /// Judge one snapshot and write all five report formats into DIR; print one JSON line
    /// like `run`.
    Report {
        #[arg(long, value_name = "FILE")]
        snapshot: PathBuf,
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Judge one snapshot end to end and print one JSON line: wall time, peak memory,
    /// findings.
    Run {
        #[arg(long, value_name = "FILE")]
        snapshot: PathBuf,
        #[arg(long, value_enum, default_value = "cedar")]
        engine: Engine,
        #[arg(long, value_name = "N", value_parser = parse_workers)]
        workers: Option<u16>,
    },
}

fn parse_time(s: &str) -> Result<jiff::Timestamp, String> {
    s.parse()
        .map_err(|e| format!("`{s}` is not an RFC 3339 time such as 2026-11-20T09:00:00Z: {e}"))
}

fn parse_severity(s: &str) -> Result<Severity, String> {
    s.parse()
}

fn parse_workers(s: &str) -> Result<u16, String> {
    match s.parse::<u16>() {
        Ok(n @ 1..=256) => Ok(n),
        _ => Err(format!("`{s}` is not a number of workers from 1 to 256")),
    }
}
