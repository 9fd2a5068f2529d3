//! Secrets Manager in one region: secrets, whether they rotate, their tags. Values are
//! never read (no GetSecretValue).

use audit_model::resource::ManagedSecret;
use audit_model::{Kind, Resource};
use aws_sdk_secretsmanager::Client;

use crate::Ctx;
use crate::convert::tags;
use crate::shard::{Shard, Site};

pub async fn collect(ctx: &Ctx, region: &str) -> Shard {
    let client = Client::new(&ctx.config(region));
    let site = Site {
        service: "secretsmanager",
        region,
    };
    let mut shard = Shard::default();
    let pages: Vec<_> = shard
        .take(
            site,
            "ListSecrets",
            client
                .list_secrets()
                .into_paginator()
                .send()
                .try_collect()
                .await,
        )
        .unwrap_or_default();
    for s in pages.iter().flat_map(|p| p.secret_list()) {
        let (Some(arn), Some(name)) = (s.arn(), s.name()) else {
            continue;
        };
        shard.resources.push(Resource {
            id: arn.to_string(),
            region: region.to_string(),
            tags: tags(s.tags().iter().map(|t| (t.key(), t.value()))),
            kind: Kind::ManagedSecret(ManagedSecret {
                name: name.to_string(),
                rotation_enabled: s.rotation_enabled().unwrap_or(false),
            }),
        });
    }
    shard
}
