//! The Resource Groups Tagging API in one region: the region and tags of everything the
//! other collectors do not read themselves (SQS, SNS, Route 53, ECR, classic load
//! balancers...). It only knows resources that carry, or once carried, a tag.

use audit_model::resource::OtherResource;
use audit_model::{GLOBAL_REGION, Kind, Resource};
use aws_sdk_resourcegroupstagging::Client;

use crate::Ctx;
use crate::convert::{arn_resource_type, tags};
use crate::shard::{Shard, Site};

/// Types that have a collector of their own, with more than tags.
const COLLECTED: &[&str] = &[
    "ec2:instance",
    "ec2:volume",
    "ec2:snapshot",
    "ec2:security-group",
    "ec2:vpc",
    "ec2:subnet",
    "rds:db",
    "elasticache:replicationgroup",
    "elasticache:cluster",
    "lambda:function",
    "secretsmanager:secret",
    "logs:log-group",
    "cloudtrail:trail",
    "kms:key",
    "eks:cluster",
    "cloudfront:distribution",
    "ec2:vpn-connection",
    "ec2:vpc-peering-connection",
    "directconnect:dxcon",
    // moto 5.2.5 spells the connection's ARN `dx-con/...`.
    "directconnect:dx-con",
];

/// Load balancers of Elastic Load Balancing v2 (application, network, gateway); a Classic
/// Load Balancer (`loadbalancer/NAME`) has no collector and stays a tagged resource.
fn is_elbv2(arn: &str) -> bool {
    [
        "loadbalancer/app/",
        "loadbalancer/net/",
        "loadbalancer/gwy/",
    ]
    .iter()
    .any(|p| arn.contains(":elasticloadbalancing:") && arn.contains(p))
}

fn collected_elsewhere(rtype: &str) -> bool {
    COLLECTED.contains(&rtype)
        || rtype == "s3"
        || rtype.starts_with("s3:")
        || rtype.starts_with("iam")
}

pub async fn collect(ctx: &Ctx, region: &str) -> Shard {
    let client = Client::new(&ctx.config(region));
    let site = Site {
        service: "tagging",
        region,
    };
    let mut shard = Shard::default();
    let list = shard
        .take(
            site,
            "GetResources",
            client
                .get_resources()
                .into_paginator()
                .items()
                .send()
                .try_collect()
                .await,
        )
        .unwrap_or_default();
    for m in list {
        let Some(arn) = m.resource_arn() else {
            continue;
        };
        let Some((resource_type, arn_region)) = arn_resource_type(arn) else {
            continue;
        };
        if collected_elsewhere(&resource_type) || is_elbv2(arn) {
            continue;
        }
        // An ARN without a region is a global resource (CloudFront, Route 53): the API
        // reports it in every region's answer; it is one resource, in no region.
        // `collect` keeps one of its copies.
        shard.resources.push(Resource {
            id: arn.to_string(),
            region: if arn_region.is_empty() {
                GLOBAL_REGION.to_string()
            } else {
                arn_region
            },
            tags: tags(m.tags().iter().map(|t| (Some(t.key()), Some(t.value())))),
            kind: Kind::Other(OtherResource { resource_type }),
        });
    }
    shard
}
