//! The flags of `audit signoff`.

use super::*;

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
