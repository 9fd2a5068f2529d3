//! CloudWatch Logs in one region: log groups, their retention and tags.

use audit_model::resource::LogGroup;
use audit_model::{Kind, Resource};
use aws_sdk_cloudwatchlogs::Client;
use futures_util::stream::{self, StreamExt};

use crate::Ctx;
use crate::shard::{Shard, Site};

pub async fn collect(ctx: &Ctx, region: &str) -> Shard {
    let client = Client::new(&ctx.config(region));
    let site = Site {
        service: "logs",
        region,
    };
    let mut shard = Shard::default();
    let Some(groups) = shard.take(
        site,
        "DescribeLogGroups",
        client
            .describe_log_groups()
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await,
    ) else {
        return shard;
    };
    let client = &client;
    let done: Vec<Shard> = stream::iter(groups)
        .map(|g| async move {
            let mut shard = Shard::default();
            let Some(name) = g.log_group_name() else {
                return shard;
            };
            let arn = g.log_group_arn().map(str::to_string).unwrap_or_else(|| {
                format!(
                    "arn:{}:logs:{region}:{}:log-group:{name}",
                    ctx.partition, ctx.account_id
                )
            });
            let tags = shard
                .take(
                    site,
                    "ListTagsForResource",
                    client
                        .list_tags_for_resource()
                        .resource_arn(&arn)
                        .send()
                        .await,
                )
                .and_then(|o| o.tags().cloned())
                .unwrap_or_default();
            shard.resources.push(Resource {
                id: arn,
                region: region.to_string(),
                tags: tags.into_iter().collect(),
                kind: Kind::LogGroup(LogGroup {
                    name: name.to_string(),
                    retention_days: g.retention_in_days().map(|d| d.max(0) as u32),
                    stored_bytes: g.stored_bytes().map(|b| b.max(0) as u64),
                }),
            });
            shard
        })
        .buffer_unordered(ctx.fan_out)
        .collect()
        .await;
    for s in done {
        shard.absorb(s);
    }
    shard
}
