//! EKS in one region: clusters, their API endpoint's exposure and secrets encryption.

use audit_model::resource::EksCluster;
use audit_model::{Kind, Resource};
use aws_sdk_eks::Client;

use crate::Ctx;
use crate::convert::tags;
use crate::shard::{Shard, Site};

pub async fn collect(ctx: &Ctx, region: &str) -> Shard {
    let client = Client::new(&ctx.config(region));
    let site = Site {
        service: "eks",
        region,
    };
    let mut shard = Shard::default();
    let names: Vec<String> = shard
        .take(
            site,
            "ListClusters",
            client
                .list_clusters()
                .into_paginator()
                .items()
                .send()
                .try_collect()
                .await,
        )
        .unwrap_or_default();
    let client = &client;
    shard
        .fan_out(ctx.fan_out, names, |name| async move {
            let mut shard = Shard::default();
            let described = shard.take(
                site,
                "DescribeCluster",
                client.describe_cluster().name(&name).send().await,
            );
            let Some(c) = described.as_ref().and_then(|d| d.cluster()) else {
                return shard;
            };
            let Some(arn) = c.arn() else {
                return shard;
            };
            let vpc = c.resources_vpc_config();
            shard.resources.push(Resource {
                id: arn.to_string(),
                region: region.to_string(),
                tags: tags(
                    c.tags()
                        .into_iter()
                        .flatten()
                        .map(|(k, v)| (Some(k.as_str()), Some(v.as_str()))),
                ),
                kind: Kind::EksCluster(EksCluster {
                    name: c.name().unwrap_or(&name).to_string(),
                    endpoint_public_access: vpc.is_some_and(|v| v.endpoint_public_access()),
                    public_access_cidrs: {
                        let mut cidrs: Vec<String> = vpc
                            .map(|v| v.public_access_cidrs().to_vec())
                            .unwrap_or_default();
                        cidrs.sort();
                        cidrs
                    },
                    endpoint_private_access: vpc.is_some_and(|v| v.endpoint_private_access()),
                    // EKS encrypts API data with an AWS key by default; envelope
                    // encryption of secrets with the customer's own KMS key is what the
                    // encryption config adds (its `resources` list is deprecated).
                    secrets_encrypted: c
                        .encryption_config()
                        .iter()
                        .any(|e| e.provider().and_then(|p| p.key_arn()).is_some()),
                }),
            });
            shard
        })
        .await;
    shard
}
