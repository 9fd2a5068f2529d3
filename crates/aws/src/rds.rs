//! RDS in one region: database instances (their tags come with them), and the clusters
//! Aurora instances belong to, which say whether they are Multi-AZ.

use std::collections::BTreeMap;

use audit_model::resource::RdsInstance;
use audit_model::{Kind, Resource};
use aws_sdk_rds::Client;

use crate::Ctx;
use crate::convert::{sorted_unique, tags};
use crate::shard::{Shard, Site};

pub async fn collect(ctx: &Ctx, region: &str) -> Shard {
    let client = Client::new(&ctx.config(region));
    let site = Site {
        service: "rds",
        region,
    };
    let mut shard = Shard::default();
    let (instances, clusters) = futures_util::join!(
        client
            .describe_db_instances()
            .into_paginator()
            .items()
            .send()
            .try_collect(),
        client
            .describe_db_clusters()
            .into_paginator()
            .items()
            .send()
            .try_collect(),
    );
    let list = shard
        .take(site, "DescribeDBInstances", instances)
        .unwrap_or_default();
    // An Aurora instance reports MultiAZ false on its own: its cluster (a writer and
    // readers in other zones) is what is Multi-AZ.
    let cluster_multi_az: BTreeMap<String, bool> = shard
        .take(site, "DescribeDBClusters", clusters)
        .unwrap_or_default()
        .iter()
        .filter_map(|c| Some((c.db_cluster_identifier()?.to_string(), c.multi_az()?)))
        .collect();
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
                multi_az: match db.db_cluster_identifier() {
                    Some(cluster) => cluster_multi_az.get(cluster).copied().unwrap_or(false),
                    None => db.multi_az().unwrap_or(false),
                },
                backup_retention_days: db.backup_retention_period().unwrap_or(0).max(0) as u32,
                deletion_protection: db.deletion_protection().unwrap_or(false),
                subnet_ids: sorted_unique(
                    db.db_subnet_group()
                        .map(|g| g.subnets())
                        .unwrap_or_default()
                        .iter()
                        .filter_map(|s| s.subnet_identifier().map(str::to_string)),
                ),
            }),
        });
    }
    shard
}
