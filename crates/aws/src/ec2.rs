//! EC2 in one region: security groups, VPCs and their flow logs, subnets and whether
//! they route to an internet gateway, VPC peering connections, site-to-site VPN
//! connections, instances, volumes and the account's own snapshots.

use std::collections::BTreeMap;

use audit_model::credentials::scan_text;
use audit_model::resource::{
    EbsSnapshot, EbsVolume, Ec2Instance, IngressRule, InstanceState, PeeringSide, SecurityGroup,
    Subnet, Vpc, VpcPeering, VpnConnection,
};
use audit_model::{Kind, Resource};
use aws_sdk_ec2::Client;
use aws_sdk_ec2::types::{InstanceAttributeName, Tag};

use crate::Ctx;
use crate::convert::tags;
use crate::shard::{Shard, Site};

fn ec2_tags(list: &[Tag]) -> BTreeMap<String, String> {
    tags(list.iter().map(|t| (t.key(), t.value())))
}

pub async fn collect(ctx: &Ctx, region: &str) -> Shard {
    let client = Client::new(&ctx.config(region));
    let site = Site {
        service: "ec2",
        region,
    };
    let mut shard = Shard::default();
    let arn = |kind: &str, id: &str| {
        format!(
            "arn:{}:ec2:{region}:{}:{kind}/{id}",
            ctx.partition, ctx.account_id
        )
    };
    let resource = |id: String, t: BTreeMap<String, String>, kind: Kind| Resource {
        id,
        region: region.to_string(),
        tags: t,
        kind,
    };

    let (groups, vpcs, flow_logs, reservations, volumes, snapshots, subnets, route_tables) = futures_util::join!(
        client
            .describe_security_groups()
            .into_paginator()
            .items()
            .send()
            .try_collect(),
        client
            .describe_vpcs()
            .into_paginator()
            .items()
            .send()
            .try_collect(),
        client
            .describe_flow_logs()
            .into_paginator()
            .items()
            .send()
            .try_collect(),
        client
            .describe_instances()
            .into_paginator()
            .items()
            .send()
            .try_collect(),
        client
            .describe_volumes()
            .into_paginator()
            .items()
            .send()
            .try_collect(),
        client
            .describe_snapshots()
            .owner_ids("self")
            .into_paginator()
            .items()
            .send()
            .try_collect(),
        client
            .describe_subnets()
            .into_paginator()
            .items()
            .send()
            .try_collect(),
        client
            .describe_route_tables()
            .into_paginator()
            .items()
            .send()
            .try_collect(),
    );

    // A subnet uses the route table associated with it, else its VPC's main one; without
    // the route tables, whether a subnet is public is unknown: a gap, and no subnets.
    if let Some(tables) = shard.take(site, "DescribeRouteTables", route_tables) {
        let to_igw = |t: &aws_sdk_ec2::types::RouteTable| {
            t.routes().iter().any(|r| {
                let world = r.destination_cidr_block() == Some("0.0.0.0/0")
                    || r.destination_ipv6_cidr_block() == Some("::/0");
                let igw = r.gateway_id().is_some_and(|g| g.starts_with("igw-"));
                let live = r.state().is_none_or(|s| s.as_str() == "active");
                world && igw && live
            })
        };
        let mut by_subnet: BTreeMap<&str, bool> = BTreeMap::new();
        let mut main_of_vpc: BTreeMap<&str, bool> = BTreeMap::new();
        for t in &tables {
            for a in t.associations() {
                if let Some(subnet) = a.subnet_id() {
                    by_subnet.insert(subnet, to_igw(t));
                }
                if a.main() == Some(true)
                    && let Some(vpc) = t.vpc_id()
                {
                    main_of_vpc.insert(vpc, to_igw(t));
                }
            }
        }
        for n in shard
            .take(site, "DescribeSubnets", subnets)
            .unwrap_or_default()
        {
            let (Some(subnet_id), Some(vpc_id)) = (n.subnet_id(), n.vpc_id()) else {
                continue;
            };
            let public = by_subnet
                .get(subnet_id)
                .or_else(|| main_of_vpc.get(vpc_id))
                .copied()
                .unwrap_or(false);
            shard.resources.push(resource(
                arn("subnet", subnet_id),
                ec2_tags(n.tags()),
                Kind::Subnet(Subnet {
                    subnet_id: subnet_id.to_string(),
                    vpc_id: vpc_id.to_string(),
                    cidr: n.cidr_block().unwrap_or_default().to_string(),
                    availability_zone: n.availability_zone().unwrap_or_default().to_string(),
                    routes_to_internet_gateway: public,
                }),
            ));
        }
    }

    for g in shard
        .take(site, "DescribeSecurityGroups", groups)
        .unwrap_or_default()
    {
        let Some(group_id) = g.group_id() else {
            continue;
        };
        let ingress = g
            .ip_permissions()
            .iter()
            .map(|p| IngressRule {
                protocol: p.ip_protocol().unwrap_or("-1").to_string(),
                from_port: p.from_port(),
                to_port: p.to_port(),
                ipv4_ranges: p
                    .ip_ranges()
                    .iter()
                    .filter_map(|r| r.cidr_ip())
                    .map(str::to_string)
                    .collect(),
                ipv6_ranges: p
                    .ipv6_ranges()
                    .iter()
                    .filter_map(|r| r.cidr_ipv6())
                    .map(str::to_string)
                    .collect(),
            })
            .collect();
        shard.resources.push(resource(
            arn("security-group", group_id),
            ec2_tags(g.tags()),
            Kind::SecurityGroup(SecurityGroup {
                group_id: group_id.to_string(),
                name: g.group_name().unwrap_or_default().to_string(),
                vpc_id: g.vpc_id().map(str::to_string),
                ingress,
            }),
        ));
    }

    // Flow logs are only known when their call worked: without it, a VPC's flow logs are
    // unknown (a gap), not absent.
    let mut logs_of: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for f in shard
        .take(site, "DescribeFlowLogs", flow_logs)
        .unwrap_or_default()
    {
        if f.flow_log_status() == Some("ACTIVE")
            && let (Some(vpc), Some(id)) = (f.resource_id(), f.flow_log_id())
        {
            logs_of
                .entry(vpc.to_string())
                .or_default()
                .push(id.to_string());
        }
    }
    for v in shard.take(site, "DescribeVpcs", vpcs).unwrap_or_default() {
        let Some(vpc_id) = v.vpc_id() else { continue };
        let mut flow_log_ids = logs_of.remove(vpc_id).unwrap_or_default();
        flow_log_ids.sort();
        shard.resources.push(resource(
            arn("vpc", vpc_id),
            ec2_tags(v.tags()),
            Kind::Vpc(Vpc {
                vpc_id: vpc_id.to_string(),
                is_default: v.is_default().unwrap_or(false),
                cidr: v.cidr_block().unwrap_or_default().to_string(),
                flow_log_ids,
            }),
        ));
    }

    // Site-to-site VPN connections: the tunnels' telemetry says which carry traffic.
    // Not paginated: the answer holds every connection of the region.
    let vpns = client.describe_vpn_connections().send().await;
    for v in shard
        .take(site, "DescribeVpnConnections", vpns)
        .map(|o| o.vpn_connections().to_vec())
        .unwrap_or_default()
    {
        let Some(id) = v.vpn_connection_id() else {
            continue;
        };
        let state = v.state().map_or("unknown", |s| s.as_str());
        // A deleted connection lingers in the API for a while, as terminated instances do.
        if state == "deleted" {
            continue;
        }
        let tunnels = v.vgw_telemetry();
        let up = tunnels
            .iter()
            .filter(|t| t.status().is_some_and(|s| s.as_str() == "UP"))
            .count();
        shard.resources.push(resource(
            arn("vpn-connection", id),
            ec2_tags(v.tags()),
            Kind::VpnConnection(VpnConnection {
                vpn_connection_id: id.to_string(),
                state: state.to_string(),
                tunnels: u32::try_from(tunnels.len()).unwrap_or(u32::MAX),
                tunnels_up: u32::try_from(up).unwrap_or(u32::MAX),
            }),
        ));
    }

    // VPC peering connections: the hub-and-spoke topology, which VPCs of which accounts
    // and regions are joined.
    let peerings = client
        .describe_vpc_peering_connections()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await;
    for p in shard
        .take(site, "DescribeVpcPeeringConnections", peerings)
        .unwrap_or_default()
    {
        let Some(id) = p.vpc_peering_connection_id() else {
            continue;
        };
        let status = p
            .status()
            .and_then(|s| s.code())
            .map_or("unknown", |c| c.as_str());
        if status == "deleted" {
            continue;
        }
        let side = |info: Option<&aws_sdk_ec2::types::VpcPeeringConnectionVpcInfo>| PeeringSide {
            vpc_id: info
                .and_then(|i| i.vpc_id())
                .unwrap_or_default()
                .to_string(),
            owner_id: info
                .and_then(|i| i.owner_id())
                .unwrap_or_default()
                .to_string(),
            region: info.and_then(|i| i.region()).unwrap_or(region).to_string(),
            cidr: info.and_then(|i| i.cidr_block()).map(str::to_string),
        };
        shard.resources.push(resource(
            arn("vpc-peering-connection", id),
            ec2_tags(p.tags()),
            Kind::VpcPeering(VpcPeering {
                peering_id: id.to_string(),
                status: status.to_string(),
                requester: side(p.requester_vpc_info()),
                accepter: side(p.accepter_vpc_info()),
            }),
        ));
    }

    let mut instances: Vec<(String, BTreeMap<String, String>, Ec2Instance)> = Vec::new();
    for r in shard
        .take(site, "DescribeInstances", reservations)
        .unwrap_or_default()
    {
        for i in r.instances() {
            let Some(instance_id) = i.instance_id() else {
                continue;
            };
            let state = i
                .state()
                .and_then(|s| s.name())
                .map(|n| n.as_str().to_string())
                .unwrap_or_default();
            let state = match InstanceState::parse(&state) {
                // A terminated instance is gone; it lingers in the API for an hour.
                Some(InstanceState::Terminated) => continue,
                Some(known) => known,
                None => {
                    let message = format!(
                        "instance {} has state {}, which audit does not know",
                        audit_text::quote(instance_id),
                        audit_text::quote(&state)
                    );
                    shard.gap(site, "DescribeInstances", "ResponseError", message);
                    InstanceState::Unknown
                }
            };
            let mut volume_ids: Vec<String> = i
                .block_device_mappings()
                .iter()
                .filter_map(|m| m.ebs()?.volume_id().map(str::to_string))
                .collect();
            volume_ids.sort();
            instances.push((
                arn("instance", instance_id),
                ec2_tags(i.tags()),
                Ec2Instance {
                    instance_id: instance_id.to_string(),
                    instance_type: i
                        .instance_type()
                        .map(|t| t.as_str().to_string())
                        .unwrap_or_default(),
                    state,
                    volume_ids,
                    public_ip: i.public_ip_address().map(str::to_string),
                    user_data_secrets: Vec::new(),
                },
            ));
        }
    }
    // User data is scanned as it arrives; only where a credential is and its kind stay.
    let client_ref = &client;
    shard
        .fan_out(
            ctx.fan_out,
            instances,
            |(id, tags, mut instance)| async move {
                let mut shard = Shard::default();
                let answer = client_ref
                    .describe_instance_attribute()
                    .instance_id(&instance.instance_id)
                    .attribute(InstanceAttributeName::UserData)
                    .send()
                    .await;
                let encoded = shard
                    .take(site, "DescribeInstanceAttribute", answer)
                    .and_then(|o| o.user_data().and_then(|v| v.value()).map(str::to_string));
                if let Some(encoded) = encoded {
                    match user_data_text(&encoded) {
                        Ok(text) => instance.user_data_secrets = scan_text(&text),
                        Err(why) => shard.gap(
                            site,
                            "DescribeInstanceAttribute",
                            "ResponseError",
                            format!(
                                "user data of instance {} not scanned: {why}",
                                audit_text::quote(&instance.instance_id)
                            ),
                        ),
                    }
                }
                shard
                    .resources
                    .push(resource(id, tags, Kind::Ec2Instance(instance)));
                shard
            },
        )
        .await;

    for v in shard
        .take(site, "DescribeVolumes", volumes)
        .unwrap_or_default()
    {
        let Some(volume_id) = v.volume_id() else {
            continue;
        };
        let mut attached: Vec<String> = v
            .attachments()
            .iter()
            .filter_map(|a| a.instance_id().map(str::to_string))
            .collect();
        attached.sort();
        shard.resources.push(resource(
            arn("volume", volume_id),
            ec2_tags(v.tags()),
            Kind::EbsVolume(EbsVolume {
                volume_id: volume_id.to_string(),
                volume_type: v
                    .volume_type()
                    .map(|t| t.as_str().to_string())
                    .unwrap_or_default(),
                size_gib: v.size().unwrap_or(0).max(0) as u64,
                encrypted: v.encrypted().unwrap_or(false),
                state: v
                    .state()
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default(),
                attached_instance_ids: attached,
            }),
        ));
    }

    for s in shard
        .take(site, "DescribeSnapshots", snapshots)
        .unwrap_or_default()
    {
        let Some(snapshot_id) = s.snapshot_id() else {
            continue;
        };
        shard.resources.push(resource(
            arn("snapshot", snapshot_id),
            ec2_tags(s.tags()),
            Kind::EbsSnapshot(EbsSnapshot {
                snapshot_id: snapshot_id.to_string(),
                volume_id: s.volume_id().map(str::to_string),
                size_gib: s.volume_size().unwrap_or(0).max(0) as u64,
                encrypted: s.encrypted().unwrap_or(false),
            }),
        ));
    }
    shard
}

/// User data as text: base64, then UTF-8 (lossy: a credential in a script is ASCII).
/// Compressed user data (gzip, which cloud-init accepts) is not scanned: an error.
fn user_data_text(encoded: &str) -> Result<String, &'static str> {
    let bytes = aws_smithy_types::base64::decode(encoded.trim()).map_err(|_| "not base64")?;
    if bytes.starts_with(&[0x1f, 0x8b]) {
        return Err("it is gzip-compressed");
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// The regions enabled for the account, as EC2 reports them.
pub async fn enabled_regions(ctx: &Ctx) -> Result<Vec<String>, String> {
    let client = Client::new(&ctx.config(ctx.home_region()));
    let out = client
        .describe_regions()
        .send()
        .await
        .map_err(|e| crate::gap::describe(&e).1)?;
    let mut regions: Vec<String> = out
        .regions()
        .iter()
        .filter(|r| r.opt_in_status() != Some("not-opted-in"))
        .filter_map(|r| r.region_name())
        .filter(|r| crate::regions::partition_of(r) == Some(ctx.partition))
        .map(str::to_string)
        .collect();
    regions.sort();
    regions.dedup();
    Ok(regions)
}
