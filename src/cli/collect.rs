//! The flags of `audit collect` and `audit merge`.

use super::*;

/// The cloud `collect` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CloudProvider {
    /// AWS (with the China partition, aws-cn).
    Aws,
    /// Baidu AI Cloud (BCE): regions bj, gz, su, bd, fwh, fsh, hkg, sin, cd, yq, nj.
    Baidu,
}

#[derive(Debug, Args)]
pub struct CollectArgs {
    /// aws (the default) or baidu.
    #[arg(long, value_enum, default_value = "aws")]
    pub provider: CloudProvider,
    /// AWS: a named profile of ~/.aws/config and ~/.aws/credentials. Baidu: a section of
    /// ~/.bce/credentials (or $BAIDUCLOUD_CREDENTIALS_FILE).
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
    /// Read every region enabled for the account (the default for AWS when no --region is
    /// given); for Baidu, every region it is known to have.
    #[arg(long)]
    pub all_regions: bool,
    /// aws, aws-cn (Beijing, Ningxia) or aws-us-gov. Default: the partition of the regions
    /// (or of the configured default region).
    #[arg(long, value_name = "PARTITION", value_parser = parse_partition)]
    pub partition: Option<Partition>,
    /// Send every call to this endpoint (an AWS API emulator, a proxy; for Baidu, https://
    /// or http:// to the loopback address, with each service's real Host header).
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
    /// (AWS: adaptive mode; Baidu: exponential backoff from 100 ms).
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
