//! RDS in one region: database instances (their tags come with them).

use audit_model::resource::RdsInstance;
use audit_model::{Kind, Resource};
use aws_sdk_rds::Client;

use crate::Ctx;
use crate::convert::tags;
use crate::shard::{Shard, Site};

pub async fn collect(ctx: &Ctx, region: &str) -> Shard {
    let client = Client::new(&ctx.config(region));
    let site = Site {
        service: "rds",
        region,
    };
    let mut shard = Shard::default();
    let list = shard
        .take(
            site,
            "DescribeDBInstances",
            client
                .describe_db_instances()
                .into_paginator()
                .items()
                .send()
                .try_collect()
                .await,
        )
        .unwrap_or_default();
    for db in list {
        let (Some(arn), Some(identifier)) = (db.db_instance_arn(), db.db_instance_identifier())
        else {
            continue;
        };
        shard.resources.push(Resource {
            id: arn.to_string(),
            region: region.to_string(),
            tags: tags(db.tag_list().iter().map(|t| (t.key(), t.value()))),
            kind: Kind::RdsInstance(RdsInstance {
                identifier: identifier.to_string(),
                engine: db.engine().unwrap_or_default().to_string(),
                instance_class: db.db_instance_class().unwrap_or_default().to_string(),
                storage_encrypted: db.storage_encrypted().unwrap_or(false),
                publicly_accessible: db.publicly_accessible().unwrap_or(false),
                multi_az: db.multi_az().unwrap_or(false),
                backup_retention_days: db.backup_retention_period().unwrap_or(0).max(0) as u32,
            }),
        });
    }
    shard
}
