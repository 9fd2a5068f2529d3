//! ElastiCache in one region: replication groups (Redis and Valkey with replicas) and the
//! cache clusters outside any group, with the subnets of their cache subnet groups.

use std::collections::BTreeMap;

use audit_model::resource::{CacheCluster, CacheReplicationGroup};
use audit_model::{Kind, Resource};
use aws_sdk_elasticache::Client;
use aws_sdk_elasticache::types::{AutomaticFailoverStatus, MultiAzStatus};

use crate::Ctx;
use crate::convert::{sorted_unique, tags};
use crate::shard::{Shard, Site};

pub async fn collect(ctx: &Ctx, region: &str) -> Shard {
    let client = Client::new(&ctx.config(region));
    let site = Site {
        service: "elasticache",
        region,
    };
    let mut shard = Shard::default();
    let (groups, clusters, subnet_groups) = futures_util::join!(
        client
            .describe_replication_groups()
            .into_paginator()
            .items()
            .send()
            .try_collect(),
        client
            .describe_cache_clusters()
            .into_paginator()
            .items()
            .send()
            .try_collect(),
        client
            .describe_cache_subnet_groups()
            .into_paginator()
            .items()
            .send()
            .try_collect(),
    );
    let groups = shard.take(site, "DescribeReplicationGroups", groups);
    let clusters = shard
        .take(site, "DescribeCacheClusters", clusters)
        .unwrap_or_default();
    // Without the subnet groups, where a cache sits is unknown: a gap, not "nowhere".
    let subnet_groups = shard
        .take(site, "DescribeCacheSubnetGroups", subnet_groups)
        .unwrap_or_default();
    let subnets_of: BTreeMap<&str, Vec<String>> = subnet_groups
        .iter()
        .filter_map(|g| {
            let ids = g
                .subnets()
                .iter()
                .filter_map(|s| s.subnet_identifier().map(str::to_string))
                .collect();
            Some((g.cache_subnet_group_name()?, ids))
        })
        .collect();
    let subnets = |names: &mut dyn Iterator<Item = &str>| {
        sorted_unique(names.filter_map(|n| subnets_of.get(n)).flatten().cloned())
    };
    let group_of_cluster: BTreeMap<&str, &str> = clusters
        .iter()
        .filter_map(|c| Some((c.cache_cluster_id()?, c.replication_group_id()?)))
        .collect();

    // (ARN, properties) of every resource; tags are read per ARN below.
    let mut found: Vec<(String, Kind)> = Vec::new();
    for g in groups.iter().flatten() {
        let (Some(group_id), Some(arn)) = (g.replication_group_id(), g.arn()) else {
            continue;
        };
        let members = g.member_clusters();
        let subnet_ids = subnets(&mut clusters.iter().filter_map(|c| {
            let id = c.cache_cluster_id()?;
            (group_of_cluster.get(id) == Some(&group_id)).then_some(())?;
            c.cache_subnet_group_name()
        }));
        found.push((
            arn.to_string(),
            Kind::CacheReplicationGroup(CacheReplicationGroup {
                group_id: group_id.to_string(),
                engine: g.engine().unwrap_or("redis").to_string(),
                automatic_failover: g.automatic_failover()
                    == Some(&AutomaticFailoverStatus::Enabled),
                multi_az: g.multi_az() == Some(&MultiAzStatus::Enabled),
                member_clusters: u32::try_from(members.len()).unwrap_or(u32::MAX),
                transit_encryption: g.transit_encryption_enabled().unwrap_or(false),
                at_rest_encryption: g.at_rest_encryption_enabled().unwrap_or(false),
                subnet_ids,
            }),
        ));
    }
    for c in &clusters {
        // Members of a group are judged with it; without the groups, a member would be
        // judged alone and wrongly, so the gap above stands for them.
        if c.replication_group_id().is_some() || groups.is_none() {
            continue;
        }
        let (Some(cluster_id), Some(arn)) = (c.cache_cluster_id(), c.arn()) else {
            continue;
        };
        found.push((
            arn.to_string(),
            Kind::CacheCluster(CacheCluster {
                cluster_id: cluster_id.to_string(),
                engine: c.engine().unwrap_or_default().to_string(),
                node_type: c.cache_node_type().unwrap_or_default().to_string(),
                nodes: c.num_cache_nodes().unwrap_or(0).max(0) as u32,
                transit_encryption: c.transit_encryption_enabled().unwrap_or(false),
                at_rest_encryption: c.at_rest_encryption_enabled().unwrap_or(false),
                subnet_ids: subnets(&mut c.cache_subnet_group_name().into_iter()),
            }),
        ));
    }

    let client = &client;
    shard
        .fan_out(ctx.fan_out, found, |(arn, kind)| async move {
            let mut shard = Shard::default();
            let tags = shard
                .take(
                    site,
                    "ListTagsForResource",
                    client
                        .list_tags_for_resource()
                        .resource_name(&arn)
                        .send()
                        .await,
                )
                .map(|o| tags(o.tag_list().iter().map(|t| (t.key(), t.value()))))
                .unwrap_or_default();
            shard.resources.push(Resource {
                id: arn,
                region: region.to_string(),
                tags,
                kind,
            });
            shard
        })
        .await;
    shard
}
