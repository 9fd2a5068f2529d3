//! Lambda in one region: functions, their tags, and the credentials their environment
//! variables hold. The environment is scanned here, while collecting, and only the
//! variable names and kinds of match are kept: no value leaves this function.

use audit_model::credentials::scan_environment;
use audit_model::resource::LambdaFunction;
use audit_model::{Kind, Resource};
use aws_sdk_lambda::Client;

use crate::Ctx;
use crate::shard::{Shard, Site};

pub async fn collect(ctx: &Ctx, region: &str) -> Shard {
    let client = Client::new(&ctx.config(region));
    let site = Site {
        service: "lambda",
        region,
    };
    let mut shard = Shard::default();
    let Some(functions) = shard.take(
        site,
        "ListFunctions",
        client
            .list_functions()
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await,
    ) else {
        return shard;
    };
    // Scanned at once, so that the values are dropped with the answer.
    let found: Vec<(String, LambdaFunction)> = functions
        .iter()
        .filter_map(|f| {
            let arn = f.function_arn()?.to_string();
            let env = f.environment().and_then(|e| e.variables());
            let env_secrets = scan_environment(
                env.into_iter()
                    .flatten()
                    .map(|(k, v)| (k.as_str(), v.as_str())),
            );
            Some((
                arn,
                LambdaFunction {
                    name: f.function_name().unwrap_or_default().to_string(),
                    runtime: f.runtime().map(|r| r.as_str().to_string()),
                    env_secrets,
                },
            ))
        })
        .collect();
    drop(functions);
    let client = &client;
    shard
        .fan_out(ctx.fan_out, found, |(arn, function)| async move {
            let mut shard = Shard::default();
            let tags = shard
                .take(
                    site,
                    "ListTags",
                    client.list_tags().resource(&arn).send().await,
                )
                .and_then(|o| o.tags().cloned())
                .map(|t| t.into_iter().collect())
                .unwrap_or_default();
            shard.resources.push(Resource {
                id: arn,
                region: region.to_string(),
                tags,
                kind: Kind::LambdaFunction(function),
            });
            shard
        })
        .await;
    shard
}
