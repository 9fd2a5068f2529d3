//! `audit bench`: synthetic snapshots, and the engine measured end to end (file →
//! findings) next to the hand-written reference. Each measurement runs in a child
//! process so that its peak memory is its own.

use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use audit_engine::{CedarJudge, ReferenceJudge};
use audit_model::resource::*;
use audit_model::{Header, Kind, Partition, Provider, Resource, SCHEMA_VERSION, Tool};
use serde::{Deserialize, Serialize};

use crate::check::{load_pack, workers};
use crate::cli::{BenchArgs, BenchCommand, Engine, PackArgs, ReportFormat};

const ALL_FORMATS: [ReportFormat; 5] = [
    ReportFormat::Md,
    ReportFormat::Csv,
    ReportFormat::Json,
    ReportFormat::Sarif,
    ReportFormat::Junit,
];
use crate::exit::Exit;
use crate::{Failure, output};

pub fn run(args: &BenchArgs) -> Result<Exit, Failure> {
    match &args.command {
        Some(BenchCommand::Generate {
            resources,
            out,
            seed,
        }) => {
            generate(*resources, out, *seed)?;
            Ok(Exit::Clean)
        }
        Some(BenchCommand::Report { snapshot, out }) => {
            // Two phases, timed apart: judging (what `bench run` measures) and rendering
            // and writing the five formats.
            let start = Instant::now();
            let judgement = crate::check::judge(
                snapshot,
                &PackArgs {
                    policies: None,
                    config: None,
                },
                &crate::cli::GateArgs {
                    waivers: None,
                    baseline: None,
                },
                None,
            )?;
            let judged_ms = start.elapsed().as_millis();
            let result = judgement.result(audit_model::Severity::Low, true);
            crate::report::write_reports(&result, &ALL_FORMATS, out)?;
            let m = Measurement {
                engine: "report (5 formats)".into(),
                resources: judgement.resources,
                findings: judgement.gate.judged.len(),
                wall_ms: start.elapsed().as_millis(),
                peak_rss_mib: peak_rss_mib(),
                digest: 0,
            };
            output::print(&format!(
                "{}\n",
                serde_json::to_string(&serde_json::json!({
                    "measurement": m,
                    "judge_ms": judged_ms,
                    "render_and_write_ms": m.wall_ms - judged_ms,
                }))
                .unwrap_or_default()
            ))?;
            std::mem::forget(judgement);
            Ok(Exit::Clean)
        }
        Some(BenchCommand::Run {
            snapshot,
            engine,
            workers,
        }) => {
            let m = measure(snapshot, *engine, *workers)?;
            output::print(&format!(
                "{}\n",
                serde_json::to_string(&m).unwrap_or_default()
            ))?;
            Ok(Exit::Clean)
        }
        None => orchestrate(args),
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Measurement {
    engine: String,
    resources: usize,
    findings: usize,
    wall_ms: u128,
    peak_rss_mib: f64,
    /// Order-independent digest of the findings, to compare engines.
    digest: u64,
}

fn measure(
    snapshot: &Path,
    engine: Engine,
    requested: Option<u16>,
) -> Result<Measurement, Failure> {
    let start = Instant::now();
    let (_, config, rules) = load_pack(&PackArgs {
        policies: None,
        config: None,
    })?;
    let n = workers(requested);
    let outcome = match engine {
        Engine::Cedar => {
            let judge = CedarJudge::new(&rules, &config)?;
            audit_engine::evaluate(snapshot, &rules, &config, &judge, n)?
        }
        Engine::Reference => {
            let judge = ReferenceJudge::new(&rules, &config);
            audit_engine::evaluate(snapshot, &rules, &config, &judge, n)?
        }
    };
    let wall_ms = start.elapsed().as_millis();
    let findings = outcome.findings;
    let digest = findings.iter().fold(0u64, |acc, f| {
        acc.wrapping_add(fnv(&[&f.rule_id, &f.resource_id, &f.detail]))
    });
    let count = findings.len();
    // As in `check`: the process ends next; do not pay for freeing the findings.
    std::mem::forget(findings);
    Ok(Measurement {
        engine: format!("{engine:?}").to_lowercase(),
        resources: outcome.resources,
        findings: count,
        wall_ms,
        peak_rss_mib: peak_rss_mib(),
        digest,
    })
}

fn fnv(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.bytes().chain([0xff]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// The process's peak resident set (VmHWM), on Linux; 0 elsewhere.
fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn orchestrate(args: &BenchArgs) -> Result<Exit, Failure> {
    let exe = std::env::current_exe().map_err(|e| Failure::usage(format!("error: {e}")))?;
    let mut report = String::from(
        "| resources | snapshot MiB | engine | wall s | peak RSS MiB | findings | × reference |\n|---:|---:|---|---:|---:|---:|---:|\n",
    );
    let mut mismatch = false;
    for &size in &args.sizes {
        let path = args.dir.join(format!("synthetic-{size}.json"));
        if !path.exists() {
            eprintln!("generating {}", path.display());
            generate(size, &path, 1)?;
        }
        let mib = std::fs::metadata(&path).map_or(0.0, |m| m.len() as f64 / 1_048_576.0);
        let mut best: Vec<Measurement> = Vec::new();
        for engine in ["reference", "cedar", "report"] {
            let mut runs = Vec::new();
            for _ in 0..args.runs.max(1) {
                runs.push(child(&exe, &path, engine)?);
            }
            runs.sort_by_key(|m| m.wall_ms);
            best.extend(runs.into_iter().next());
        }
        let reference_ms = best.first().map_or(1, |m| m.wall_ms.max(1));
        if best[..2.min(best.len())]
            .windows(2)
            .any(|w| w[0].digest != w[1].digest)
        {
            mismatch = true;
        }
        if let (Some(cedar), Some(report)) = (best.get(1).cloned(), best.get_mut(2)) {
            report.resources = cedar.resources;
            report.findings = cedar.findings;
        }
        for m in &best {
            report.push_str(&format!(
                "| {} | {:.0} | {} | {:.2} | {:.0} | {} | {} |\n",
                m.resources,
                mib,
                m.engine,
                m.wall_ms as f64 / 1000.0,
                m.peak_rss_mib,
                m.findings,
                // The report run judges and renders: a ratio to the judge alone means nothing.
                if m.engine.starts_with("report") {
                    "-".to_string()
                } else {
                    format!("{:.1}", m.wall_ms as f64 / reference_ms as f64)
                }
            ));
        }
    }
    output::print(&report)?;
    if mismatch {
        return Err(Failure::usage(
            "error: the Cedar engine and the reference gave different findings",
        ));
    }
    Ok(Exit::Clean)
}

/// Runs one measurement in a child process; its wall time is taken from outside, so it
/// counts everything a user waits for: start, pack loading, reading, judging, exit.
fn child(exe: &Path, snapshot: &Path, engine: &str) -> Result<Measurement, Failure> {
    let start = Instant::now();
    let mut command = Command::new(exe);
    if engine == "report" {
        let out = snapshot.with_extension("reports");
        command.args(["bench", "report", "--out"]).arg(out);
    } else {
        command.args(["bench", "run", "--engine", engine]);
    }
    let out = command
        .arg("--snapshot")
        .arg(snapshot)
        .output()
        .map_err(|e| Failure::usage(format!("error: cannot run {}: {e}", exe.display())))?;
    if !out.status.success() {
        return Err(Failure::usage(format!(
            "error: bench run failed: {}",
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    let value: serde_json::Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| Failure::usage(format!("error: bench run printed no measurement: {e}")))?;
    // `bench report` wraps its measurement with the time of each phase.
    let render_ms = value.get("render_and_write_ms").and_then(|v| v.as_u64());
    let mut m: Measurement =
        serde_json::from_value(value.get("measurement").cloned().unwrap_or(value))
            .map_err(|e| Failure::usage(format!("error: bench run printed no measurement: {e}")))?;
    if let Some(ms) = render_ms {
        m.engine = format!(
            "report: judge, then 5 formats in {:.2} s",
            ms as f64 / 1000.0
        );
    }
    m.wall_ms = start.elapsed().as_millis();
    Ok(m)
}

/// SplitMix64: deterministic, no dependency.
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

/// Writes a synthetic aws-cn snapshot of `n` resources (one of them the account),
/// streaming, so that generating 10^6 resources needs little memory.
pub fn generate(n: usize, out: &Path, seed: u64) -> Result<(), Failure> {
    let fail = |e: &dyn std::fmt::Display| {
        Failure::usage(format!("error: cannot write `{}`: {e}", out.display()))
    };
    // Only ever replace a regular file: renaming over a device or a folder would be wrong.
    if let Ok(meta) = std::fs::symlink_metadata(out)
        && !meta.is_file()
    {
        return Err(fail(&"it exists and is not a regular file"));
    }
    let dir = match out.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).map_err(|e| fail(&e))?;
    // Dropped (and so deleted) on any error below; renamed over `out` at the end.
    let tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| fail(&e))?;
    let mut w = BufWriter::with_capacity(1 << 20, tmp.as_file());
    let collected_at: jiff::Timestamp = "2026-11-20T02:00:00Z"
        .parse()
        .map_err(|e| Failure::usage(format!("{e}")))?;
    let header = Header {
        schema_version: SCHEMA_VERSION,
        provider: Provider::Aws,
        partition: Partition::AwsCn,
        account_id: "210987654321".into(),
        regions: vec![
            "cn-north-1".into(),
            "cn-northwest-1".into(),
            "us-east-1".into(),
            "ap-east-1".into(),
        ],
        collected_at,
        tool: Tool {
            name: "audit".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        gaps: vec![],
    };
    let io = |e: std::io::Error| fail(&e);
    let json = |e: serde_json::Error| fail(&e);
    // The header, without its closing brace, then the resources one by one.
    let head = serde_json::to_string(&header).map_err(json)?;
    w.write_all(head.trim_end_matches('}').as_bytes())
        .map_err(io)?;
    w.write_all(b",\"resources\":[\n").map_err(io)?;
    let mut rng = Rng(seed);
    for i in 0..n {
        if i > 0 {
            w.write_all(b",\n").map_err(io)?;
        }
        let r = if i == 0 {
            account()
        } else {
            synthetic(i, &mut rng, collected_at)
        };
        serde_json::to_writer(&mut w, &r).map_err(json)?;
    }
    w.write_all(b"\n]}\n").map_err(io)?;
    w.flush().map_err(io)?;
    drop(w);
    tmp.as_file().sync_all().map_err(io)?;
    tmp.persist(out).map_err(|e| fail(&e.error))?;
    Ok(())
}

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
                state: if rng.chance(10) { "stopped" } else { "running" }.into(),
                volume_ids: vec![format!("vol-{i:017x}")],
                public_ip: None,
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
            }),
        ),
        16 => (
            arn("kms", "key"),
            region,
            Kind::KmsKey(KmsKey {
                key_id: format!("{i:08}-0000-0000-0000-000000000000"),
                manager: "CUSTOMER".into(),
                state: "Enabled".into(),
                rotation_enabled: rng.chance(70),
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
