//! Synthetic snapshots for benchmarks and large tests: a realistic mix of resource
//! types (about a tenth of them breaking a rule), written as a stream so that 10^6
//! resources need little memory. Deterministic: the same size and seed, the same bytes.

use std::io::Write;

use audit_model::resource::*;
use audit_model::{Header, Kind, Partition, Provider, Resource, SCHEMA_VERSION, Tool};

/// Writes a synthetic aws-cn snapshot of `n` resources (the first of them the account)
/// into `w`.
pub fn write_snapshot(w: &mut impl Write, n: usize, seed: u64) -> std::io::Result<()> {
    let collected_at: jiff::Timestamp = "2026-11-20T02:00:00Z"
        .parse()
        .map_err(std::io::Error::other)?;
    let header = Header {
        schema_version: SCHEMA_VERSION,
        provider: Provider::Aws,
        partition: Partition::AwsCn,
        account_id: "210987654321".into(),
        regions: REGIONS.iter().map(|r| r.to_string()).collect(),
        collected_at,
        tool: Tool {
            name: "audit".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        gaps: vec![],
    };
    // The header, without its closing brace, then the resources one by one.
    let head = serde_json::to_string(&header)?;
    w.write_all(head.trim_end_matches('}').as_bytes())?;
    w.write_all(b",\"resources\":[\n")?;
    let mut rng = Rng(seed);
    for i in 0..n {
        if i > 0 {
            w.write_all(b",\n")?;
        }
        let r = if i == 0 {
            account()
        } else {
            synthetic(i, &mut rng, collected_at)
        };
        serde_json::to_writer(&mut *w, &r)?;
    }
    w.write_all(b"\n]}\n")?;
    w.flush()
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

const REGIONS: &[&str] = &[
    "cn-north-1",
    "cn-northwest-1",
    "cn-north-1",
    "cn-northwest-1",
    "us-east-1",
    "ap-east-1",
];

fn account() -> Resource {
    Resource {
        id: "arn:aws-cn:iam::210987654321:root".into(),
        region: "global".into(),
        tags: Default::default(),
        kind: Kind::Account(Account {
            password_policy: Some(PasswordPolicy {
                min_length: 12,
                require_symbols: true,
                require_numbers: true,
                require_uppercase: true,
                require_lowercase: true,
                max_age_days: Some(90),
                reuse_prevention: Some(5),
            }),
            root: None,
        }),
    }
}

fn synthetic(i: usize, rng: &mut Rng, now: jiff::Timestamp) -> Resource {
    let region = REGIONS[rng.below(REGIONS.len() as u64) as usize].to_string();
    let mut tags = std::collections::BTreeMap::new();
    for (key, value) in [
        ("owner", "ml-platform"),
        ("cost-center", "cc-4100"),
        ("env", "prod"),
        ("data-class", "internal"),
    ] {
        if rng.chance(93) {
            tags.insert(key.to_string(), value.to_string());
        }
    }
    if rng.chance(5) {
        tags.insert("data-class".into(), "camera-video".into());
    }
    let arn = |service: &str, kind: &str| {
        format!("arn:aws-cn:{service}:{region}:210987654321:{kind}/{i:08}")
    };
    let days_ago =
        |d: u64| jiff::Timestamp::from_second(now.as_second() - (d as i64) * 86_400).unwrap_or(now);
    let (id, region, kind) = match rng.below(20) {
        0..=2 => {
            let mut ingress = vec![IngressRule {
                protocol: "tcp".into(),
                from_port: Some(443),
                to_port: Some(443),
                ipv4_ranges: vec!["0.0.0.0/0".into()],
                ipv6_ranges: vec![],
            }];
            if rng.chance(10) {
                let port = [22, 3389, 80, 5432][rng.below(4) as usize];
                ingress.push(IngressRule {
                    protocol: "tcp".into(),
                    from_port: Some(port),
                    to_port: Some(port),
                    ipv4_ranges: vec![
                        if rng.chance(50) {
                            "0.0.0.0/0"
                        } else {
                            "10.0.0.0/8"
                        }
                        .into(),
                    ],
                    ipv6_ranges: vec![],
                });
            }
            let id = format!("sg-{i:017x}");
            (
                arn("ec2", "security-group"),
                region,
                Kind::SecurityGroup(SecurityGroup {
                    group_id: id,
                    name: format!("web-{i}"),
                    vpc_id: Some("vpc-1".into()),
                    ingress,
                }),
            )
        }
        3..=6 => (
            arn("ec2", "volume"),
            region,
            Kind::EbsVolume(EbsVolume {
                volume_id: format!("vol-{i:017x}"),
                volume_type: if rng.chance(30) { "gp2" } else { "gp3" }.into(),
                size_gib: 100 + rng.below(4000),
                encrypted: rng.chance(90),
                state: "in-use".into(),
                attached_instance_ids: if rng.chance(90) {
                    vec![format!("i-{i:017x}")]
                } else {
                    vec![]
                },
            }),
        ),
        7..=9 => (
            arn("ec2", "instance"),
            region,
            Kind::Ec2Instance(Ec2Instance {
                instance_id: format!("i-{i:017x}"),
                instance_type: "p4d.24xlarge".into(),
                state: if rng.chance(10) {
                    InstanceState::Stopped
                } else {
                    InstanceState::Running
                },
                volume_ids: vec![format!("vol-{i:017x}")],
                public_ip: None,
                user_data_secrets: Vec::new(),
            }),
        ),
        10..=11 => (
            format!("arn:aws-cn:s3:::bucket-{i:08}"),
            region,
            Kind::S3Bucket(S3Bucket {
                name: format!("bucket-{i:08}"),
                encryption: Some("aws:kms".into()),
                public_access_block: Some(PublicAccessBlock {
                    block_public_acls: true,
                    ignore_public_acls: true,
                    block_public_policy: rng.chance(95),
                    restrict_public_buckets: true,
                }),
                lifecycle_rules: 1,
                lifecycle_transitions: vec!["GLACIER".into()],
                lifecycle_expiration: false,
            }),
        ),
        12..=13 => (
            arn("logs", "log-group"),
            region,
            Kind::LogGroup(LogGroup {
                name: format!("/app/service-{i}"),
                retention_days: [Some(30), Some(180), Some(365), None][rng.below(4) as usize],
                stored_bytes: Some(1 << 30),
            }),
        ),
        14 => (
            format!("arn:aws-cn:iam::210987654321:user/user-{i}"),
            "global".into(),
            Kind::IamUser(IamUser {
                name: format!("user-{i}"),
                created: days_ago(400),
                console_access: rng.chance(60),
                password_last_used: None,
                mfa_devices: if rng.chance(80) {
                    vec![MfaDevice {
                        serial: format!("arn:aws-cn:iam::210987654321:mfa/user-{i}"),
                        enabled: days_ago(300),
                    }]
                } else {
                    vec![]
                },
                access_keys: vec![AccessKey {
                    id: format!("AKIA{i:016}"),
                    status: KeyStatus::Active,
                    created: days_ago(rng.below(200)),
                    last_used: Some(days_ago(rng.below(120))),
                }],
                attached_policies: if rng.chance(3) {
                    vec!["arn:aws-cn:iam::aws:policy/AdministratorAccess".into()]
                } else {
                    vec![]
                },
                inline_policies: vec![],
                groups: vec![],
            }),
        ),
        15 => (
            arn("rds", "db"),
            region,
            Kind::RdsInstance(RdsInstance {
                identifier: format!("db-{i}"),
                engine: "postgres".into(),
                instance_class: "db.r6g.xlarge".into(),
                storage_encrypted: rng.chance(90),
                publicly_accessible: rng.chance(5),
                multi_az: true,
                backup_retention_days: [1, 7, 14][rng.below(3) as usize],
                deletion_protection: true,
                subnet_ids: Vec::new(),
            }),
        ),
        16 => (
            arn("kms", "key"),
            region,
            Kind::KmsKey(KmsKey {
                key_id: format!("{i:08}-0000-0000-0000-000000000000"),
                manager: "CUSTOMER".into(),
                state: KeyState::Enabled,
                rotation_enabled: rng.chance(70),
                aliases: Vec::new(),
            }),
        ),
        17 => (
            arn("ec2", "snapshot"),
            region,
            Kind::EbsSnapshot(EbsSnapshot {
                snapshot_id: format!("snap-{i:017x}"),
                volume_id: None,
                size_gib: 500,
                encrypted: true,
            }),
        ),
        18 => (
            arn("ec2", "vpc"),
            region,
            Kind::Vpc(Vpc {
                vpc_id: format!("vpc-{i:017x}"),
                is_default: false,
                cidr: "10.0.0.0/16".into(),
                flow_log_ids: if rng.chance(80) {
                    vec![format!("fl-{i}")]
                } else {
                    vec![]
                },
            }),
        ),
        _ => (
            arn("elasticache", "cluster"),
            region,
            Kind::Other(OtherResource {
                resource_type: "elasticache:cluster".into(),
            }),
        ),
    };
    Resource {
        id,
        region,
        tags,
        kind,
    }
}
