//! CloudFront, once for the account (a global service, called in its home region of the
//! partition): distributions, how viewers and custom origins are spoken to, the
//! minimum viewer TLS and the web ACL.

use audit_model::resource::CdnDistribution;
use audit_model::{GLOBAL_REGION, Kind, Resource};
use aws_sdk_cloudfront::Client;

use crate::Ctx;
use crate::convert::tags;
use crate::regions::cloudfront_region;
use crate::shard::{Shard, Site};

pub async fn collect(ctx: &Ctx) -> Shard {
    let client = Client::new(&ctx.config(cloudfront_region(ctx.partition)));
    let site = Site {
        service: "cloudfront",
        region: GLOBAL_REGION,
    };
    let mut shard = Shard::default();
    let list: Vec<_> = shard
        .take(
            site,
            "ListDistributions",
            client
                .list_distributions()
                .into_paginator()
                .items()
                .send()
                .try_collect()
                .await,
        )
        .unwrap_or_default();
    let found: Vec<(String, CdnDistribution)> = list
        .iter()
        .map(|d| {
            let mut viewer: Vec<String> = d
                .default_cache_behavior()
                .map(|b| b.viewer_protocol_policy().as_str().to_string())
                .into_iter()
                .collect();
            viewer.extend(d.cache_behaviors().into_iter().flat_map(|c| {
                c.items()
                    .iter()
                    .map(|b| b.viewer_protocol_policy().as_str().to_string())
            }));
            let custom_origin_policies = d
                .origins()
                .into_iter()
                .flat_map(|o| o.items())
                .filter_map(|o| o.custom_origin_config())
                .map(|c| c.origin_protocol_policy().as_str().to_string())
                .collect();
            let acl = d.web_acl_id();
            (
                d.arn().to_string(),
                CdnDistribution {
                    distribution_id: d.id().to_string(),
                    domain_name: d.domain_name().to_string(),
                    enabled: d.enabled(),
                    viewer_protocol_policies: viewer,
                    custom_origin_policies,
                    minimum_tls: d
                        .viewer_certificate()
                        .and_then(|v| v.minimum_protocol_version())
                        .map(|m| m.as_str().to_string()),
                    web_acl_id: (!acl.is_empty()).then(|| acl.to_string()),
                },
            )
        })
        .collect();
    let client = &client;
    shard
        .fan_out(ctx.fan_out, found, |(arn, distribution)| async move {
            let mut shard = Shard::default();
            let tags = shard
                .take(
                    site,
                    "ListTagsForResource",
                    client.list_tags_for_resource().resource(&arn).send().await,
                )
                .map(|o| {
                    tags(
                        o.tags()
                            .into_iter()
                            .flat_map(|t| t.items())
                            .map(|t| (Some(t.key()), t.value())),
                    )
                })
                .unwrap_or_default();
            shard.resources.push(Resource {
                id: arn,
                region: GLOBAL_REGION.to_string(),
                tags,
                kind: Kind::CdnDistribution(distribution),
            });
            shard
        })
        .await;
    shard
}
