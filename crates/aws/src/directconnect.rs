//! Direct Connect in one region: the dedicated lines (connections) and their state.

use audit_model::resource::DirectConnectConnection;
use audit_model::{Kind, Resource};
use aws_sdk_directconnect::Client;

use crate::Ctx;
use crate::convert::tags;
use crate::shard::{Shard, Site};

pub async fn collect(ctx: &Ctx, region: &str) -> Shard {
    let client = Client::new(&ctx.config(region));
    let site = Site {
        service: "directconnect",
        region,
    };
    let mut shard = Shard::default();
    // Not paginated: the answer holds every connection of the region.
    let Some(out) = shard.take(
        site,
        "DescribeConnections",
        client.describe_connections().send().await,
    ) else {
        return shard;
    };
    for c in out.connections() {
        let Some(raw) = c.connection_id() else {
            continue;
        };
        // A connection belongs to one region; one reported elsewhere is read there.
        if c.region().is_some_and(|r| r != region) {
            continue;
        }
        // AWS answers `dxcon-fg5678gh`; moto answers an ARN whose last part is the id.
        let (arn, id) = if raw.starts_with("arn:") {
            (raw.to_string(), raw.rsplit('/').next().unwrap_or(raw))
        } else {
            let arn = format!(
                "arn:{}:directconnect:{region}:{}:dxcon/{raw}",
                ctx.partition, ctx.account_id
            );
            (arn, raw)
        };
        shard.resources.push(Resource {
            id: arn,
            region: region.to_string(),
            tags: tags(c.tags().iter().map(|t| (Some(t.key()), t.value()))),
            kind: Kind::DirectConnectConnection(DirectConnectConnection {
                connection_id: id.to_string(),
                name: c.connection_name().unwrap_or_default().to_string(),
                state: c
                    .connection_state()
                    .map_or("unknown", |s| s.as_str())
                    .to_string(),
                location: c.location().map(str::to_string),
            }),
        });
    }
    shard
}
