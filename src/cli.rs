//! Command line of `audit`. Flags are documented where they are defined.

use std::path::PathBuf;

use audit_aws::Service;
use audit_model::{Partition, Severity};
use clap::{Args, Parser, Subcommand, ValueEnum};

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

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub judge: JudgeArgs,
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

#[derive(Debug, Args)]
pub struct CollectArgs {
    /// A named profile of ~/.aws/config and ~/.aws/credentials.
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// A region to read; repeat or separate with commas. Default: every region enabled
    /// for the account.
    #[arg(
        long,
        value_name = "REGION",
        value_delimiter = ',',
        conflicts_with = "all_regions"
    )]
    pub region: Vec<String>,
    /// Read every region enabled for the account (the default when no --region is given).
    #[arg(long)]
    pub all_regions: bool,
    /// aws, aws-cn (Beijing, Ningxia) or aws-us-gov. Default: the partition of the regions
    /// (or of the configured default region).
    #[arg(long, value_name = "PARTITION", value_parser = parse_partition)]
    pub partition: Option<Partition>,
    /// Send every call to this endpoint (an AWS API emulator, a proxy).
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// Assume this role (STS) and read its account; repeat for several accounts, one
    /// snapshot each (`{account}` in --out).
    #[arg(long, value_name = "ARN")]
    pub role_arn: Vec<String>,
    /// Services to read, comma-separated (default: all). Those left out are recorded as
    /// `NotCollected` gaps.
    #[arg(long, value_name = "LIST", value_delimiter = ',', value_parser = parse_service)]
    pub services: Vec<Service>,
    /// The snapshot file; `{account}` becomes the account id.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Collection tasks (one service in one region) in flight at once.
    #[arg(long, value_name = "N", default_value = "32")]
    pub concurrency: usize,
    /// Calls in flight at once inside one task (users, buckets, keys).
    #[arg(long, value_name = "N", default_value = "8")]
    pub fan_out: usize,
    /// Attempts per call; throttling and server errors are retried (adaptive mode).
    #[arg(long, value_name = "N", default_value = "5")]
    pub max_attempts: u32,
    /// Also write the monthly costs from Cost Explorer to this CSV (FOCUS columns), for
    /// `audit tco --costs`.
    #[arg(long, value_name = "FILE")]
    pub costs: Option<PathBuf>,
    /// Months of costs, ending before --costs-end.
    #[arg(long, value_name = "N", default_value = "12")]
    pub costs_months: u32,
    /// The month after the last one to fetch (YYYY-MM; default: this month).
    #[arg(long, value_name = "MONTH")]
    pub costs_end: Option<String>,
    /// The tag costs are grouped by.
    #[arg(long, value_name = "KEY", default_value = "cost-center")]
    pub cost_tag: String,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Snapshot shards of one account.
    #[arg(required = true, value_name = "SHARD")]
    pub shards: Vec<PathBuf>,
    /// The merged snapshot.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

fn parse_partition(s: &str) -> Result<Partition, String> {
    audit_aws::regions::parse_partition(s)
        .ok_or_else(|| format!("unknown partition `{s}`; known: aws, aws-cn, aws-us-gov"))
}

fn parse_service(s: &str) -> Result<Service, String> {
    s.parse()
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
