//! Elastic Load Balancing v2 in one region: application, network and gateway load
//! balancers, their listeners (protocol, port, default actions, the protocols their
//! security policy allows), their tags, and the AWS WAF web ACL associated with each.

use std::collections::BTreeMap;

use audit_model::resource::{Listener, ListenerAction, LoadBalancer};
use audit_model::{Kind, Resource};
use aws_sdk_elasticloadbalancingv2::Client;

use crate::Ctx;
use crate::convert::tags;
use crate::shard::{Shard, Site};

/// DescribeTags takes at most 20 ARNs.
const TAGS_PER_CALL: usize = 20;

pub async fn collect(ctx: &Ctx, region: &str) -> Shard {
    let config = ctx.config(region);
    let client = Client::new(&config);
    let waf = aws_sdk_wafv2::Client::new(&config);
    let site = Site {
        service: "elbv2",
        region,
    };
    let waf_site = Site {
        service: "wafv2",
        region,
    };
    let mut shard = Shard::default();
    let Some(balancers) = shard.take(
        site,
        "DescribeLoadBalancers",
        client
            .describe_load_balancers()
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await,
    ) else {
        return shard;
    };
    if balancers.is_empty() {
        return shard;
    }
    let policies = ssl_policies(&client, site, &mut shard).await;

    let mut tags_of: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let arns: Vec<&str> = balancers
        .iter()
        .filter_map(|b| b.load_balancer_arn())
        .collect();
    for chunk in arns.chunks(TAGS_PER_CALL) {
        let answer = client
            .describe_tags()
            .set_resource_arns(Some(chunk.iter().map(|a| a.to_string()).collect()))
            .send()
            .await;
        for d in shard
            .take(site, "DescribeTags", answer)
            .map(|o| o.tag_descriptions().to_vec())
            .unwrap_or_default()
        {
            if let Some(arn) = d.resource_arn() {
                tags_of.insert(
                    arn.to_string(),
                    tags(d.tags().iter().map(|t| (t.key(), t.value()))),
                );
            }
        }
    }

    let (client, waf, policies, tags_of) = (&client, &waf, &policies, &tags_of);
    shard
        .fan_out(ctx.fan_out, balancers, |b| async move {
            let mut shard = Shard::default();
            let (Some(arn), Some(name)) = (b.load_balancer_arn(), b.load_balancer_name()) else {
                return shard;
            };
            let lb_type = b.r#type().map(|t| t.as_str()).unwrap_or_default();
            let (listeners, web_acl) = futures_util::join!(
                client
                    .describe_listeners()
                    .load_balancer_arn(arn)
                    .into_paginator()
                    .items()
                    .send()
                    .try_collect(),
                async {
                    // Only application load balancers can carry a web ACL.
                    if lb_type == "application" {
                        Some(
                            waf.get_web_acl_for_resource()
                                .resource_arn(arn)
                                .send()
                                .await,
                        )
                    } else {
                        None
                    }
                },
            );
            let Some(listeners) = shard.take(site, "DescribeListeners", listeners) else {
                return shard;
            };
            let web_acl = match web_acl {
                None => None,
                Some(answer) => match shard.take(waf_site, "GetWebACLForResource", answer) {
                    Some(o) => o.web_acl().map(|acl| acl.arn().to_string()),
                    // Unknown whether a WAF protects it: judged unprotected, and the gap
                    // fails the gate anyway.
                    None => None,
                },
            };
            let mut listeners: Vec<Listener> = listeners
                .iter()
                .map(|l| {
                    let ssl_policy = l.ssl_policy().map(str::to_string);
                    let ssl_protocols = ssl_policy
                        .as_ref()
                        .and_then(|p| policies.get(p))
                        .cloned()
                        .unwrap_or_default();
                    Listener {
                        port: l.port().unwrap_or(0).max(0) as u32,
                        protocol: l
                            .protocol()
                            .map(|p| p.as_str())
                            .unwrap_or_default()
                            .to_string(),
                        ssl_policy,
                        ssl_protocols,
                        default_actions: l
                            .default_actions()
                            .iter()
                            .map(|a| ListenerAction {
                                action_type: a
                                    .r#type()
                                    .map(|t| t.as_str())
                                    .unwrap_or_default()
                                    .to_string(),
                                redirect_protocol: a
                                    .redirect_config()
                                    .and_then(|r| r.protocol())
                                    .map(str::to_string),
                            })
                            .collect(),
                    }
                })
                .collect();
            listeners.sort_by(|a, b| (a.port, &a.protocol).cmp(&(b.port, &b.protocol)));
            shard.resources.push(Resource {
                id: arn.to_string(),
                region: region.to_string(),
                tags: tags_of.get(arn).cloned().unwrap_or_default(),
                kind: Kind::LoadBalancer(LoadBalancer {
                    name: name.to_string(),
                    lb_type: lb_type.to_string(),
                    scheme: b
                        .scheme()
                        .map(|s| s.as_str())
                        .unwrap_or_default()
                        .to_string(),
                    listeners,
                    web_acl,
                }),
            });
            shard
        })
        .await;
    shard
}

/// Every security policy the region offers, by name, with the protocols it allows. A
/// listener whose policy is not in the answer keeps no protocols, which the TLS rule
/// judges weakest.
async fn ssl_policies(
    client: &Client,
    site: Site<'_>,
    shard: &mut Shard,
) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    let mut marker: Option<String> = None;
    loop {
        let answer = client
            .describe_ssl_policies()
            .set_marker(marker.take())
            .send()
            .await;
        let Some(page) = shard.take(site, "DescribeSSLPolicies", answer) else {
            return out;
        };
        for p in page.ssl_policies() {
            if let Some(name) = p.name() {
                let mut protocols = p.ssl_protocols().to_vec();
                protocols.sort();
                out.insert(name.to_string(), protocols);
            }
        }
        match page.next_marker() {
            Some(m) if !m.is_empty() => marker = Some(m.to_string()),
            _ => return out,
        }
    }
}
