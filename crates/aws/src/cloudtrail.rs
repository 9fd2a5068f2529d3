//! CloudTrail in one region: the trails whose home is this region, and whether they log.

use audit_model::resource::Trail;
use audit_model::{Kind, Resource};
use aws_sdk_cloudtrail::Client;

use crate::Ctx;
use crate::shard::{Shard, Site};

pub async fn collect(ctx: &Ctx, region: &str) -> Shard {
    let client = Client::new(&ctx.config(region));
    let site = Site {
        service: "cloudtrail",
        region,
    };
    let mut shard = Shard::default();
    // Shadow trails are the copies of multi-region trails seen from other regions: each
    // trail is collected once, in its home region.
    let Some(out) = shard.take(
        site,
        "DescribeTrails",
        client
            .describe_trails()
            .include_shadow_trails(false)
            .send()
            .await,
    ) else {
        return shard;
    };
    for t in out.trail_list() {
        let (Some(name), Some(arn)) = (t.name(), t.trail_arn()) else {
            continue;
        };
        if t.home_region().is_some_and(|h| h != region) {
            continue;
        }
        // Unknown logging status is a gap, and the trail is then judged as not logging:
        // the gap already fails the run closed.
        let is_logging = shard
            .take(
                site,
                "GetTrailStatus",
                client.get_trail_status().name(arn).send().await,
            )
            .and_then(|s| s.is_logging())
            .unwrap_or(false);
        let tags = shard
            .take(
                site,
                "ListTags",
                client.list_tags().resource_id_list(arn).send().await,
            )
            .map(|o| {
                o.resource_tag_list()
                    .iter()
                    .flat_map(|r| r.tags_list())
                    .map(|t| {
                        (
                            t.key().to_string(),
                            t.value().unwrap_or_default().to_string(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        shard.resources.push(Resource {
            id: arn.to_string(),
            region: region.to_string(),
            tags,
            kind: Kind::Trail(Trail {
                name: name.to_string(),
                is_multi_region: t.is_multi_region_trail().unwrap_or(false),
                is_logging,
                log_file_validation: t.log_file_validation_enabled().unwrap_or(false),
            }),
        });
    }
    let _ = ctx;
    shard
}
