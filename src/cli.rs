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

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TcoFormat {
    Table,
    Json,
}

#[derive(Debug, Args)]
pub struct TcoArgs {
    /// The IDC inventory: a folder holding `inventory.csv`, or the CSV file itself.
    #[arg(long, value_name = "DIR", default_value = "fixtures/idc")]
    pub idc: PathBuf,
    /// The assumptions: prices, depreciation, power, colocation, staff, cloud-side costs,
    /// what-if options, currency and limit.
    #[arg(long, value_name = "FILE", default_value = "policies/tco.toml")]
    pub assumptions: PathBuf,
    /// Cloud costs: FOCUS exports (CSV or Parquet, by extension) or what `audit collect
    /// --costs` writes; repeat or comma-separate for several files.
    #[arg(long, value_name = "FILE", required = true, value_delimiter = ',')]
    pub costs: Vec<PathBuf>,
    /// The highest cloud ÷ IDC ratio that passes (default: the assumptions' `limit`).
    #[arg(long, value_name = "RATIO", value_parser = parse_ratio)]
    pub limit: Option<f64>,
    /// The months gated: latest, trailing-N, all, YYYY-MM or YYYY-MM..YYYY-MM.
    #[arg(long, value_name = "PERIOD", default_value = "latest", value_parser = parse_period)]
    pub period: audit_tco::Period,
    /// The cost column gated: EffectiveCost (amortised), BilledCost, ListCost, ContractedCost.
    #[arg(long, value_name = "COLUMN", default_value = "EffectiveCost", value_parser = parse_cost_column)]
    pub cost_column: audit_tco::CostColumn,
    /// The tag whose value names the cost-center.
    #[arg(long, value_name = "KEY", default_value = "cost-center")]
    pub cost_tag: String,
    /// What-if: share of steady compute under a commitment (savings plan, reserved), 0..1.
    #[arg(long, value_name = "SHARE")]
    pub commitment_share: Option<f64>,
    /// What-if: the commitment's discount, 0..1.
    #[arg(long, value_name = "SHARE")]
    pub commitment_discount: Option<f64>,
    /// What-if: share of GPU training on spot capacity, 0..1.
    #[arg(long, value_name = "SHARE")]
    pub spot_share: Option<f64>,
    /// What-if: the spot discount, 0..1.
    #[arg(long, value_name = "SHARE")]
    pub spot_discount: Option<f64>,
    /// What-if: share of storage moved to a cold tier, 0..1.
    #[arg(long, value_name = "SHARE")]
    pub cold_share: Option<f64>,
    /// What-if: the cold tier's price as a share of the hot one, 0..1.
    #[arg(long, value_name = "SHARE")]
    pub cold_price_ratio: Option<f64>,
    /// Folder for tco.json, tco.md, tco-months.csv and tco.svg (created when missing).
    #[arg(long, value_name = "DIR", default_value = "reports")]
    pub out: PathBuf,
    /// What to print on stdout: the summary (table) or the JSON result.
    #[arg(long, value_enum, default_value = "table")]
    pub format: TcoFormat,
}

fn parse_ratio(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(x) if x.is_finite() && x > 0.0 => Ok(x),
        _ => Err(format!("`{s}` is not a ratio above 0, such as 0.70")),
    }
}

fn parse_period(s: &str) -> Result<audit_tco::Period, String> {
    s.parse().map_err(|e: audit_tco::TcoError| e.to_string())
}

fn parse_cost_column(s: &str) -> Result<audit_tco::CostColumn, String> {
    s.parse().map_err(|e: audit_tco::TcoError| e.to_string())
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
    /// Attempts per call; throttling, server errors and timed-out attempts are retried
    /// (adaptive mode).
    #[arg(long, value_name = "N", default_value = "5")]
    pub max_attempts: u32,
    /// Seconds one attempt of one call may take before it is abandoned (and retried). A
    /// call that hangs every time costs at most about
    /// max-attempts × (timeout + backoff), 5 × 60 s = 5 min by default.
    #[arg(long, value_name = "SECONDS", default_value = "60", value_parser = clap::value_parser!(u32).range(1..=3600))]
    pub timeout: u32,
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

#[derive(Debug, Subcommand)]
pub enum SignoffCommand {
    /// Each checklist item: pass, fail or pending, with the reason. Exits 0 when every
    /// blocking item passes, 1 otherwise (4 when the snapshot is incomplete).
    Status(SignoffStatusArgs),
    /// Record that a manual item is done: by whom, with a link to the proof. Adds a new
    /// attestation; the latest of an item counts and the history is kept.
    Attest(AttestArgs),
    /// Sign the checklist on the current inputs: refuses (exit 1), listing them, while a
    /// blocking item fails or is pending; otherwise writes (or co-signs) the record.
    Sign(SignArgs),
    /// Recompute every hash of a sign-off record from the files and check its SSH
    /// signatures; exit 1, naming them, when anything differs.
    Verify(VerifyArgs),
}

/// What the checklist is judged on.
#[derive(Debug, Args)]
pub struct SignoffInputs {
    #[command(flatten)]
    pub judge: JudgeArgs,
    /// The checklist (`[[item]]` entries; see the README).
    #[arg(long, value_name = "FILE", default_value = DEFAULT_CHECKLIST)]
    pub checklist: PathBuf,
    /// The TCO result, the `tco.json` that `audit tco` writes. Without it, items bound
    /// to the TCO gate are pending.
    #[arg(long, value_name = "FILE")]
    pub tco: Option<PathBuf>,
    /// The sign-off state folder: attestations and records.
    #[arg(long, value_name = "DIR", default_value = DEFAULT_SIGNOFF_DIR)]
    pub dir: PathBuf,
}

pub const DEFAULT_CHECKLIST: &str = "policies/cutover-checklist.toml";
pub const DEFAULT_SIGNOFF_DIR: &str = "reports/signoff";

#[derive(Debug, Args)]
pub struct SignoffStatusArgs {
    #[command(flatten)]
    pub inputs: SignoffInputs,
    /// Output format on stdout.
    #[arg(long, value_enum, default_value = "table")]
    pub format: CheckFormat,
}

#[derive(Debug, Args)]
pub struct AttestArgs {
    /// The id of a manual item of the checklist.
    pub item: String,
    /// Who attests (a name or an email).
    #[arg(long, value_name = "NAME")]
    pub by: String,
    /// A link to the proof: a ticket, a test report, a runbook run.
    #[arg(long, value_name = "LINK")]
    pub evidence: String,
    /// What was done and seen.
    #[arg(long, value_name = "TEXT")]
    pub note: String,
    /// The time of the attestation (RFC 3339). Default: `AUDIT_NOW` if set, else now.
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub at: Option<jiff::Timestamp>,
    #[arg(long, value_name = "FILE", default_value = DEFAULT_CHECKLIST)]
    pub checklist: PathBuf,
    #[arg(long, value_name = "DIR", default_value = DEFAULT_SIGNOFF_DIR)]
    pub dir: PathBuf,
    #[command(flatten)]
    pub pack: PackArgs,
}

#[derive(Debug, Args)]
pub struct SignArgs {
    #[command(flatten)]
    pub inputs: SignoffInputs,
    /// Who signs. With `--ssh-key`, the principal in the verifier's allowed-signers file.
    #[arg(long, value_name = "NAME")]
    pub by: String,
    /// In what capacity, e.g. `CISO`, `migration lead`.
    #[arg(long, value_name = "ROLE")]
    pub role: String,
    /// Sign with this SSH private key (`ssh-keygen -Y sign -n audit-signoff`).
    #[arg(long, value_name = "PATH")]
    pub ssh_key: Option<PathBuf>,
    /// The time of the signature (RFC 3339). Default: `AUDIT_NOW` if set, else now.
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub at: Option<jiff::Timestamp>,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// A sign-off record (`signoff-*.json`).
    pub record: PathBuf,
    /// Check every signature against this allowed-signers file (`NAME KEYTYPE KEY` per
    /// line, as for git); every signer must then have signed with SSH.
    #[arg(long, value_name = "FILE")]
    pub allowed_signers: Option<PathBuf>,
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
