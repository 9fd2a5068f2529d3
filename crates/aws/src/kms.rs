//! KMS in one region: keys, who manages them, their state, rotation and tags.

use audit_model::resource::{self, KmsKey};
use audit_model::{Kind, Resource};
use aws_sdk_kms::Client;
use aws_sdk_kms::types::{KeyManagerType, KeyState};
use futures_util::stream::{self, StreamExt};
use std::collections::BTreeMap;

use crate::Ctx;
use crate::convert::sorted_unique;
use crate::shard::{Shard, Site};

pub async fn collect(ctx: &Ctx, region: &str) -> Shard {
    let client = Client::new(&ctx.config(region));
    let site = Site {
        service: "kms",
        region,
    };
    let mut shard = Shard::default();
    let Some(keys) = shard.take(
        site,
        "ListKeys",
        client
            .list_keys()
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await,
    ) else {
        return shard;
    };
    // Aliases tell AWS-managed keys apart (`alias/aws/...`) where KeyManager does not.
    let mut aliases: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let listed = shard.take(
        site,
        "ListAliases",
        client
            .list_aliases()
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await,
    );
    for alias in listed.iter().flatten() {
        if let (Some(target), Some(name)) = (alias.target_key_id(), alias.alias_name()) {
            aliases
                .entry(target.to_string())
                .or_default()
                .push(name.to_string());
        }
    }
    for names in aliases.values_mut() {
        *names = sorted_unique(std::mem::take(names));
    }
    let (client, aliases) = (&client, &aliases);
    let done: Vec<Shard> = stream::iter(keys)
        .map(|k| async move {
            let mut shard = Shard::default();
            let Some(key_id) = k.key_id() else {
                return shard;
            };
            let Some(meta) = shard
                .take(
                    site,
                    "DescribeKey",
                    client.describe_key().key_id(key_id).send().await,
                )
                .and_then(|o| o.key_metadata().cloned())
            else {
                return shard;
            };
            let key_aliases = aliases.get(key_id).cloned().unwrap_or_default();
            let aws_alias = key_aliases.iter().any(|a| a.starts_with("alias/aws/"));
            let customer = meta.key_manager() == Some(&KeyManagerType::Customer) && !aws_alias;
            let usable = matches!(
                meta.key_state(),
                Some(KeyState::Enabled | KeyState::Disabled)
            );
            // AWS-managed keys rotate by themselves; asymmetric and HMAC keys cannot
            // rotate (UnsupportedOperationException): both are answers, not gaps.
            let rotation_enabled = if customer && usable {
                shard
                    .take_or_absent(
                        site,
                        "GetKeyRotationStatus",
                        &["UnsupportedOperationException"],
                        client.get_key_rotation_status().key_id(key_id).send().await,
                    )
                    .flatten()
                    .is_some_and(|o| o.key_rotation_enabled())
            } else {
                !customer
            };
            let tags = if customer {
                shard
                    .take(
                        site,
                        "ListResourceTags",
                        client.list_resource_tags().key_id(key_id).send().await,
                    )
                    .map(|o| {
                        o.tags()
                            .iter()
                            .map(|t| (t.tag_key().to_string(), t.tag_value().to_string()))
                            .collect()
                    })
                    .unwrap_or_default()
            } else {
                Default::default()
            };
            let state_name = meta.key_state().map(|s| s.as_str()).unwrap_or_default();
            let state = resource::KeyState::parse(state_name).unwrap_or_else(|| {
                let message = format!(
                    "key {} has state {}, which audit does not know",
                    audit_text::quote(key_id),
                    audit_text::quote(state_name)
                );
                shard.gap(site, "DescribeKey", "ResponseError", message);
                resource::KeyState::Unknown
            });
            let arn = meta.arn().map(str::to_string).unwrap_or_else(|| {
                format!(
                    "arn:{}:kms:{region}:{}:key/{key_id}",
                    ctx.partition, ctx.account_id
                )
            });
            shard.resources.push(Resource {
                id: arn,
                region: region.to_string(),
                tags,
                kind: Kind::KmsKey(KmsKey {
                    key_id: key_id.to_string(),
                    manager: meta
                        .key_manager()
                        .map(|m| m.as_str().to_string())
                        .unwrap_or_default(),
                    state,
                    rotation_enabled,
                    aliases: key_aliases,
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
