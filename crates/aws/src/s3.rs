//! S3: every bucket of the account (the list is global), each judged where it lives.

use std::cell::RefCell;
use std::collections::BTreeMap;

use audit_model::resource::{PublicAccessBlock, S3Bucket};
use audit_model::{GLOBAL_REGION, Kind, Resource};
use aws_sdk_s3::Client;
use aws_sdk_s3::types::{BucketLocationConstraint, ExpirationStatus};
use futures_util::stream::{self, StreamExt};

use crate::Ctx;
use crate::convert::{sorted_unique, tags};
use crate::shard::{Shard, Site};

fn client(ctx: &Ctx, region: &str) -> Client {
    let conf = aws_sdk_s3::config::Builder::from(&ctx.config(region))
        .force_path_style(ctx.endpoint_url.is_some())
        .build();
    Client::from_conf(conf)
}

/// One client per region the buckets live in, not one per bucket: making a client
/// costs more CPU than the four calls it then makes.
struct Clients<'a> {
    ctx: &'a Ctx,
    by_region: RefCell<BTreeMap<String, Client>>,
}

impl Clients<'_> {
    fn get(&self, region: &str) -> Client {
        self.by_region
            .borrow_mut()
            .entry(region.to_string())
            .or_insert_with(|| client(self.ctx, region))
            .clone()
    }
}

pub async fn collect(ctx: &Ctx) -> Shard {
    let home = client(ctx, ctx.home_region());
    let mut shard = Shard::default();
    let site = Site {
        service: "s3",
        region: GLOBAL_REGION,
    };
    let Some(pages) = shard.take(
        site,
        "ListBuckets",
        home.list_buckets()
            .into_paginator()
            .send()
            .try_collect()
            .await,
    ) else {
        return shard;
    };
    let names: Vec<String> = pages
        .iter()
        .flat_map(|p| {
            p.buckets()
                .iter()
                .filter_map(|b| b.name().map(str::to_string))
        })
        .collect();
    let (home, clients) = (
        &home,
        &Clients {
            ctx,
            by_region: RefCell::default(),
        },
    );
    let done: Vec<Shard> = stream::iter(names)
        .map(|name| async move { bucket(ctx, home, clients, name).await })
        .buffer_unordered(ctx.fan_out)
        .collect()
        .await;
    for s in done {
        shard.absorb(s);
    }
    shard
}

async fn bucket(ctx: &Ctx, home: &Client, clients: &Clients<'_>, name: String) -> Shard {
    let mut shard = Shard::default();
    // ListBuckets does not say where a bucket is; GetBucketLocation does (null: us-east-1,
    // `EU`: eu-west-1, the legacy name).
    let location = shard.take(
        Site {
            service: "s3",
            region: GLOBAL_REGION,
        },
        "GetBucketLocation",
        home.get_bucket_location().bucket(&name).send().await,
    );
    let Some(location) = location else {
        return shard;
    };
    let region = match location.location_constraint() {
        None => "us-east-1".to_string(),
        Some(BucketLocationConstraint::Eu) => "eu-west-1".to_string(),
        Some(c) if c.as_str().is_empty() => "us-east-1".to_string(),
        Some(c) => c.as_str().to_string(),
    };
    let client = clients.get(&region);
    let site = Site {
        service: "s3",
        region: &region,
    };
    let (tagging, encryption, pab, lifecycle) = futures_util::join!(
        client.get_bucket_tagging().bucket(&name).send(),
        client.get_bucket_encryption().bucket(&name).send(),
        client.get_public_access_block().bucket(&name).send(),
        client
            .get_bucket_lifecycle_configuration()
            .bucket(&name)
            .send(),
    );
    // "Not configured" answers are facts about the bucket, not gaps.
    let tagging = shard.take_or_absent(site, "GetBucketTagging", &["NoSuchTagSet"], tagging);
    let encryption = shard.take_or_absent(
        site,
        "GetBucketEncryption",
        &["ServerSideEncryptionConfigurationNotFoundError"],
        encryption,
    );
    let pab = shard.take_or_absent(
        site,
        "GetPublicAccessBlock",
        &["NoSuchPublicAccessBlockConfiguration"],
        pab,
    );
    let lifecycle = shard.take_or_absent(
        site,
        "GetBucketLifecycleConfiguration",
        &["NoSuchLifecycleConfiguration"],
        lifecycle,
    );
    let bucket_tags = tagging
        .flatten()
        .map(|t| tags(t.tag_set().iter().map(|t| (Some(t.key()), Some(t.value())))))
        .unwrap_or_default();
    let encryption = encryption.flatten().and_then(|e| {
        e.server_side_encryption_configuration()?
            .rules()
            .iter()
            .find_map(|r| r.apply_server_side_encryption_by_default())
            .map(|d| d.sse_algorithm().as_str().to_string())
    });
    let public_access_block = pab.flatten().and_then(|p| {
        p.public_access_block_configuration()
            .map(|c| PublicAccessBlock {
                block_public_acls: c.block_public_acls().unwrap_or(false),
                ignore_public_acls: c.ignore_public_acls().unwrap_or(false),
                block_public_policy: c.block_public_policy().unwrap_or(false),
                restrict_public_buckets: c.restrict_public_buckets().unwrap_or(false),
            })
    });
    let enabled: Vec<_> = lifecycle
        .flatten()
        .map(|l| {
            l.rules()
                .iter()
                .filter(|r| r.status() == &ExpirationStatus::Enabled)
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    let lifecycle_rules = u32::try_from(enabled.len()).unwrap_or(u32::MAX);
    let lifecycle_transitions = sorted_unique(enabled.iter().flat_map(|r| {
        let current = r.transitions().iter().filter_map(|t| t.storage_class());
        let older = r
            .noncurrent_version_transitions()
            .iter()
            .filter_map(|t| t.storage_class());
        current
            .map(|c| c.as_str().to_string())
            .chain(older.map(|c| c.as_str().to_string()))
    }));
    let lifecycle_expiration = enabled.iter().any(|r| {
        r.expiration()
            .is_some_and(|e| e.days().is_some_and(|d| d > 0) || e.date().is_some())
            || r.noncurrent_version_expiration()
                .is_some_and(|e| e.noncurrent_days().is_some_and(|d| d > 0))
    });
    shard.resources.push(Resource {
        id: format!("arn:{}:s3:::{name}", ctx.partition),
        region: region.clone(),
        tags: bucket_tags,
        kind: Kind::S3Bucket(S3Bucket {
            name,
            encryption,
            public_access_block,
            lifecycle_rules,
            lifecycle_transitions,
            lifecycle_expiration,
        }),
    });
    shard
}
