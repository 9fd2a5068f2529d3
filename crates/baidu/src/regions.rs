//! Baidu AI Cloud's regions as Baidu names them, and the services each one is known to
//! serve (`../shared/notes/bce-api.md` §14: the Terraform provider's `regions.go` and
//! `endpoint.go`, the Go SDK's docs). A region not listed is refused before any call.
//! Whether a region is domestic is the rule pack's business (`domestic_regions` in
//! `policies/audit.toml`), not this table's.

/// A regional service the collector reads, by its host prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Regional {
    /// BCC instances, CDS volumes, security groups; VPCs and subnets on the same host.
    Bcc,
    Rds,
    /// SCS (Redis).
    Scs,
    /// BLS log stores.
    Bls,
    /// KMS keys (`bkm.`; bce-api.md §10: bj, gz, su).
    Kms,
    /// CCE (v2) clusters, tagged through the tag service.
    Cce,
    /// CFS file systems, tagged through the tag service.
    Cfs,
    /// BLB and AppBLB load balancers (`blb.`; bce-api.md §12).
    Blb,
}

impl Regional {
    pub const ALL: [Regional; 8] = [
        Regional::Bcc,
        Regional::Rds,
        Regional::Scs,
        Regional::Bls,
        Regional::Kms,
        Regional::Cce,
        Regional::Cfs,
        Regional::Blb,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Regional::Bcc => "bcc",
            Regional::Rds => "rds",
            Regional::Scs => "scs",
            Regional::Bls => "bls",
            Regional::Kms => "kms",
            Regional::Cce => "cce",
            Regional::Cfs => "cfs",
            Regional::Blb => "blb",
        }
    }

    /// The host in `region` (go and tf endpoints: `bcc.bj.baidubce.com`, `redis.`, `bls-log.`).
    pub fn host(self, region: &str) -> String {
        let prefix = match self {
            Regional::Bcc => "bcc",
            Regional::Rds => "rds",
            Regional::Scs => "redis",
            Regional::Bls => "bls-log",
            Regional::Kms => "bkm",
            Regional::Cce => "cce",
            Regional::Cfs => "cfs",
            Regional::Blb => "blb",
        };
        format!("{prefix}.{region}.baidubce.com")
    }
}

/// `(id, services served)`: the services the sources show a host for in that region.
pub const REGIONS: &[(&str, &[Regional])] = &[
    ("bj", &Regional::ALL),
    (
        "bd",
        &[
            Regional::Bcc,
            Regional::Rds,
            Regional::Bls,
            Regional::Cfs,
            Regional::Blb,
        ],
    ),
    (
        "gz",
        &[
            Regional::Bcc,
            Regional::Rds,
            Regional::Scs,
            Regional::Bls,
            Regional::Kms,
            Regional::Cce,
            Regional::Blb,
        ],
    ),
    ("su", &Regional::ALL),
    (
        "fwh",
        &[
            Regional::Bcc,
            Regional::Rds,
            Regional::Scs,
            Regional::Bls,
            Regional::Cce,
            Regional::Cfs,
            Regional::Blb,
        ],
    ),
    ("fsh", &[Regional::Bcc, Regional::Rds]),
    (
        "hkg",
        &[Regional::Bcc, Regional::Cce, Regional::Cfs, Regional::Blb],
    ),
    ("sin", &[Regional::Bcc]),
    ("cd", &[Regional::Rds]),
    ("yq", &[Regional::Bls]),
    ("nj", &[Regional::Rds]),
];

pub fn is_region(id: &str) -> bool {
    REGIONS.iter().any(|(r, _)| *r == id)
}

pub fn services_in(id: &str) -> &'static [Regional] {
    REGIONS
        .iter()
        .find(|(r, _)| *r == id)
        .map_or(&[], |(_, s)| s)
}

pub fn all() -> Vec<String> {
    REGIONS.iter().map(|(r, _)| (*r).to_string()).collect()
}

/// The BOS host of a region: `bj.bcebos.com`, and a bucket's own `NAME.bj.bcebos.com`.
pub fn bos_host(region: &str, bucket: Option<&str>) -> String {
    match bucket {
        Some(b) => format!("{b}.{region}.bcebos.com"),
        None => format!("{region}.bcebos.com"),
    }
}

/// The tag service has one host (bce-api.md §9, go services/tag).
pub const TAG_HOST: &str = "tag.baidubce.com";

/// IAM has one host for every region (tf `endpoint.go` DefaultIAMEndPoint).
pub const IAM_HOST: &str = "iam.bj.baidubce.com";
