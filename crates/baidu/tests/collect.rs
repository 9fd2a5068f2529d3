//! The collector against the local BCE server (tests/bce/server.py, seeded by seed.py):
//! every seeded resource with the right properties, paging, retries, faults as gaps,
//! STS, and no secret in the snapshot.

use std::time::Duration;

use audit_baidu::collect::{self, CollectError, Options};
use audit_baidu::credentials::Credentials;
use audit_model::progress::{Event, Progress};
use audit_model::{Kind, Resource, Snapshot};

use crate::server::{READER_AK, READER_SK, STS_AK, STS_SK, STS_TOKEN, Server};

const ACCOUNT: &str = "6b3a2c1d9e8f4a7b8c9d0e1f2a3b4c5d";

struct Quiet;
impl Progress for Quiet {
    fn event(&self, _: Event<'_>) {}
}

fn options(server: &Server, regions: &[&str]) -> Options {
    Options {
        regions: regions.iter().map(|r| r.to_string()).collect(),
        endpoint_url: Some(server.url()),
        // One item a page: every list is paged through.
        page_size: 1,
        max_attempts: 3,
        attempt_timeout: Duration::from_secs(10),
        ..Options::default()
    }
}

fn run(credentials: &Credentials, opts: &Options) -> Result<Snapshot, CollectError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let (session, regions) = collect::connect(credentials, opts).await?;
        collect::collect(&session, &regions, opts, &Quiet)
            .await
            .map(|(s, _)| s)
    })
}

fn find<'a>(s: &'a Snapshot, id_end: &str) -> &'a Resource {
    s.resources
        .iter()
        .find(|r| r.id.ends_with(id_end))
        .unwrap_or_else(|| panic!("no resource `{id_end}` in {:#?}", ids(s)))
}

fn ids(s: &Snapshot) -> Vec<&str> {
    s.resources.iter().map(|r| r.id.as_str()).collect()
}

#[test]
fn the_seeded_account_is_read_whole_and_right() {
    let server = Server::start();
    let reader = Credentials::new(READER_AK, READER_SK, None);
    let snap = run(&reader, &options(&server, &["bj", "su", "hkg"])).unwrap();
    assert_eq!(snap.header.account_id, ACCOUNT);
    assert_eq!(snap.header.regions, ["bj", "hkg", "su"]);
    assert!(snap.header.gaps.is_empty(), "{:#?}", snap.header.gaps);

    let count = |t: &str| snap.resources.iter().filter(|r| r.type_name() == t).count();
    // seed.py: 4 instances, 4 volumes, 3 groups, 2 VPCs, 3 users, 3 buckets, 2 RDS, 2 log stores.
    assert_eq!(count("ec2_instance"), 4, "{:#?}", ids(&snap));
    assert_eq!(count("ebs_volume"), 4);
    assert_eq!(count("security_group"), 3);
    assert_eq!(count("vpc"), 2);
    assert_eq!(count("s3_bucket"), 3);
    assert_eq!(count("rds_instance"), 2);
    assert_eq!(count("log_group"), 2);
    assert_eq!(count("iam_user"), 3);
    assert_eq!(
        count("other"),
        11,
        "2 subnets, 2 SCS instances, 2 CCE clusters, 2 CFS file systems, 3 load balancers"
    );
    // Load balancers, classic and application, their tags in the listing.
    let api = find(&snap, "load-balancer/lb-bj-api01");
    assert_eq!(
        api.id,
        format!("bce:blb:bj:{ACCOUNT}:load-balancer/lb-bj-api01")
    );
    assert_eq!(api.tags["owner"], "ml-platform");
    let infer = find(&snap, "load-balancer/lb-su-infer01");
    assert_eq!(
        infer.id,
        format!("bce:appblb:su:{ACCOUNT}:load-balancer/lb-su-infer01")
    );
    assert!(infer.tags.is_empty());
    let Kind::Other(o) = &infer.kind else {
        panic!()
    };
    assert_eq!(o.resource_type, "bce:appblb:load-balancer");
    // CCE and CFS listings carry no tags: the tag service's are joined on.
    let web = find(&snap, "cluster/cce-bj-web01");
    assert_eq!(web.id, format!("bce:cce:bj:{ACCOUNT}:cluster/cce-bj-web01"));
    assert_eq!(web.tags["cost-center"], "cc-4120");
    assert!(find(&snap, "cluster/cce-su-train01").tags.is_empty());
    assert_eq!(
        find(&snap, "file-system/cfs-bj-shared01").tags["env"],
        "prod"
    );
    assert!(find(&snap, "file-system/cfs-su-scratch01").tags.is_empty());
    assert_eq!(
        count("kms_key"),
        2,
        "KMS is read in bj (and su, which has none)"
    );

    let Kind::KmsKey(k) = &find(&snap, "key/kms-bj-video-rotated").kind else {
        panic!()
    };
    assert!(k.rotation_enabled && k.is_enabled(), "{k:?}");
    let Kind::KmsKey(k) = &find(&snap, "key/kms-bj-db-norotate").kind else {
        panic!()
    };
    assert!(!k.rotation_enabled, "{k:?}");

    let gpu = find(&snap, ":instance/i-bjgpu001");
    assert_eq!(gpu.id, format!("bce:bcc:bj:{ACCOUNT}:instance/i-bjgpu001"));
    assert_eq!(gpu.region, "bj");
    assert_eq!(gpu.tags["data-class"], "confidential");
    let Kind::Ec2Instance(i) = &gpu.kind else {
        panic!()
    };
    assert_eq!(i.public_ip.as_deref(), Some("106.12.0.10"));
    assert_eq!(i.volume_ids, ["v-bj-data-plain"]);
    assert_eq!(i.state.as_str(), "running");
    assert!(find(&snap, "instance/i-bjweb001").tags.is_empty());

    let Kind::EbsVolume(v) = &find(&snap, "volume/v-bj-data-plain").kind else {
        panic!()
    };
    assert!(!v.encrypted);
    assert_eq!(v.attached_instance_ids, ["i-bjgpu001"]);
    let Kind::EbsVolume(v) = &find(&snap, "volume/v-su-data-enc").kind else {
        panic!()
    };
    assert!(v.encrypted);

    let Kind::SecurityGroup(g) = &find(&snap, "security-group/g-bj-ssh-open").kind else {
        panic!()
    };
    assert_eq!(g.ingress.len(), 1, "egress rules are not ingress");
    assert_eq!(g.ingress[0].protocol, "tcp");
    assert_eq!(
        (g.ingress[0].from_port, g.ingress[0].to_port),
        (Some(22), Some(22))
    );
    assert_eq!(g.ingress[0].ipv4_ranges, ["0.0.0.0/0"]);
    let Kind::SecurityGroup(g) = &find(&snap, "security-group/g-bj-private").kind else {
        panic!()
    };
    assert_eq!(g.ingress.len(), 2);

    let Kind::RdsInstance(db) = &find(&snap, "instance/rdsmbj0001").kind else {
        panic!()
    };
    assert!(db.multi_az && !db.publicly_accessible);
    assert_eq!(db.backup_retention_days, 30);
    let Kind::RdsInstance(db) = &find(&snap, "instance/rdsmbj0002").kind else {
        panic!()
    };
    assert!(!db.multi_az && db.publicly_accessible);
    assert_eq!(db.backup_retention_days, 3);

    let Kind::LogGroup(l) = &find(&snap, "logstore/default/app-logs-90d").kind else {
        panic!()
    };
    assert_eq!(l.retention_days, Some(90));

    let hkg = find(&snap, "bucket/camera-video-hkg");
    assert_eq!(hkg.region, "hkg");
    assert_eq!(hkg.tags["data-class"], "camera-video");
    let Kind::S3Bucket(b) = &hkg.kind else {
        panic!()
    };
    assert_eq!(b.encryption, None);
    assert_eq!(b.lifecycle_rules, 0);
    assert!(
        !b.public_access_block.as_ref().unwrap().blocks_all(),
        "public-read ACL"
    );
    let Kind::S3Bucket(b) = &find(&snap, "bucket/camera-video-bj").kind else {
        panic!()
    };
    assert_eq!(b.encryption.as_deref(), Some("AES256"));
    assert_eq!(b.lifecycle_rules, 1);
    assert!(b.public_access_block.as_ref().unwrap().blocks_all());
    assert!(find(&snap, "bucket/ml-datasets-su").tags.is_empty());

    let Kind::IamUser(alice) = &find(&snap, "user/alice").kind else {
        panic!()
    };
    assert!(alice.console_access && alice.mfa_devices.is_empty());
    assert_eq!(
        alice.attached_policies,
        ["bce:iam::system:policy/AdministratorAccess"]
    );
    assert_eq!(alice.groups[0].name, "ml-engineers");
    assert_eq!(
        alice.groups[0].attached_policies,
        ["bce:iam::system:policy/BOSFullControlAccessPolicy"]
    );
    let age = jiff::Timestamp::now().duration_since(alice.access_keys[0].created);
    assert!(age.as_secs() > 150 * 86_400, "alice's key is 200 days old");
    let Kind::IamUser(bob) = &find(&snap, "user/bob").kind else {
        panic!()
    };
    assert_eq!(bob.mfa_devices.len(), 1);
    assert_eq!(bob.access_keys.len(), 2);
    assert_eq!(
        bob.access_keys
            .iter()
            .filter(|k| k.status == audit_model::resource::KeyStatus::Inactive)
            .count(),
        1
    );
    let Kind::IamUser(ci) = &find(&snap, "user/ci-deployer").kind else {
        panic!()
    };
    assert!(!ci.console_access);

    // The snapshot is one the strict reader takes, and it holds no secret.
    let json = serde_json::to_string_pretty(&snap).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bce.json");
    std::fs::write(&path, &json).unwrap();
    let back = audit_model::read_snapshot(&path).unwrap();
    assert_eq!(back.resources.len(), snap.resources.len());
    for secret in [READER_SK, STS_SK, STS_TOKEN, "kms-v-bj"] {
        assert!(!json.contains(secret), "`{secret}` in the snapshot");
    }

    // Every request went to the loopback server, signed over the real host, and paged.
    let log = server.admin("GET", "/__admin/requests", "");
    let requests = log["requests"].as_array().unwrap();
    // 404 is the "not configured" answer (no encryption, lifecycle, tags or login profile).
    for r in requests {
        let not_set = [
            "bos:GetBucketEncryption",
            "bos:GetBucketLifecycle",
            "bos:GetBucketTagging",
            "iam:GetUserLoginProfile",
        ]
        .contains(&r["operation"].as_str().unwrap_or_default());
        assert!(
            r["status"] == 200 || (not_set && r["status"] == 404),
            "{r:#}"
        );
    }
    assert!(requests.iter().filter(|r| r["status"] == 200).count() > 30);
    let pages = |op: &str, host: &str| {
        requests
            .iter()
            .filter(|r| r["operation"] == op && r["host"] == host)
            .count()
    };
    assert_eq!(
        pages("bcc:ListInstances", "bcc.bj.baidubce.com"),
        3,
        "3 instances, 1 a page"
    );
    assert_eq!(
        pages("bos:GetBucketAcl", "camera-video-hkg.hkg.bcebos.com"),
        1
    );
    assert_eq!(pages("iam:ListUsers", "iam.bj.baidubce.com"), 1);
}

#[test]
fn faults_become_gaps_and_retries_recover() {
    let server = Server::start();
    let fault = |op: &str, fault: &str, count: Option<u32>| {
        let count = count.map_or("null".to_string(), |c| c.to_string());
        server.admin(
            "POST",
            "/__admin/faults",
            &format!(r#"{{"operation": "{op}", "fault": "{fault}", "count": {count}}}"#),
        );
    };
    fault("bcc:ListInstances", "Throttling", Some(2));
    fault("rds:ListInstances", "AccessDenied", None);
    fault("bos:GetBucketAcl", "500", None);
    fault("iam:ListUsers", "drop", None);
    fault("appblb:DescribeLoadBalancers", "AccessDenied", None);
    let reader = Credentials::new(READER_AK, READER_SK, None);
    let snap = run(&reader, &options(&server, &["bj"])).unwrap();
    let gap = |op: &str| {
        snap.header
            .gaps
            .iter()
            .find(|g| g.operation == op)
            .unwrap_or_else(|| panic!("no gap for {op}: {:#?}", snap.header.gaps))
    };
    assert_eq!(gap("ListInstances").service, "rds");
    assert_eq!(gap("ListInstances").error_code.as_str(), "AccessDenied");
    assert_eq!(gap("GetBucketAcl").error_code.as_str(), "InternalError");
    // AppBLB refused, classic BLB read: one gap, for the service that failed.
    assert_eq!(gap("DescribeLoadBalancers").service, "appblb");
    assert!(
        snap.resources
            .iter()
            .any(|r| r.id.ends_with("load-balancer/lb-bj-api01"))
    );
    let dropped = gap("ListUsers").error_code.as_str().to_string();
    assert!(
        matches!(dropped.as_str(), "ResponseError" | "EndpointUnreachable"),
        "{dropped}"
    );
    // Throttled twice, then answered: the instances are there, after three attempts.
    assert_eq!(
        snap.resources
            .iter()
            .filter(|r| r.type_name() == "ec2_instance")
            .count(),
        3
    );
    // A bucket whose ACL could not be read is not called private.
    let Kind::S3Bucket(b) = &find(&snap, "bucket/camera-video-bj").kind else {
        panic!()
    };
    assert!(b.public_access_block.is_none());
    let log = server.admin("GET", "/__admin/requests", "");
    let acl_calls = log["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| {
            r["operation"] == "bos:GetBucketAcl" && r["host"] == "camera-video-bj.bj.bcebos.com"
        })
        .count();
    assert_eq!(acl_calls, 3, "500 is retried up to --max-attempts");
    for g in &snap.header.gaps {
        assert!(!g.message.contains(READER_SK), "{g:?}");
    }
}

#[test]
fn sts_credentials_work_and_bad_ones_are_named() {
    let server = Server::start();
    let sts = Credentials::new(STS_AK, STS_SK, Some(STS_TOKEN));
    let snap = run(&sts, &options(&server, &["su"])).unwrap();
    assert!(snap.header.gaps.is_empty(), "{:#?}", snap.header.gaps);
    assert!(
        snap.resources
            .iter()
            .any(|r| r.id.ends_with("instance/i-sugpu001"))
    );

    let wrong = Credentials::new(READER_AK, "not-the-secret", None);
    let e = run(&wrong, &options(&server, &["su"])).unwrap_err();
    assert!(matches!(e, CollectError::NoCredentials(_)), "{e}");
    assert!(e.to_string().contains("SignatureDoesNotMatch"), "{e}");
    assert!(!e.to_string().contains("not-the-secret"), "{e}");

    let e = run(
        &sts,
        &Options {
            endpoint_url: Some("http://127.0.0.1:1".into()),
            ..options(&server, &["su"])
        },
    )
    .unwrap_err();
    assert!(matches!(e, CollectError::Unreachable { .. }), "{e}");
}
