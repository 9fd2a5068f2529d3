//! `audit merge`: join snapshot shards of one account (collected by separate jobs, one
//! per region or per service) into one snapshot, keeping every gap.

use std::collections::BTreeMap;

use audit_model::{Gap, GapCode, Resource, Snapshot, read_snapshot};

use crate::Failure;
use crate::cli::MergeArgs;
use crate::exit::Exit;
use crate::output;

pub fn run(args: &MergeArgs) -> Result<Exit, Failure> {
    let mut shards = Vec::new();
    for path in &args.shards {
        shards.push((path, read_snapshot(path)?));
    }
    let merged = merge(
        &shards
            .iter()
            .map(|(p, s)| (p.display().to_string(), s))
            .collect::<Vec<_>>(),
    )?;
    let mut json = serde_json::to_vec_pretty(&merged)
        .map_err(|e| Failure::usage(format!("cannot serialise the snapshot: {e}")))?;
    json.push(b'\n');
    output::write_atomic(&args.out, &json)?;
    eprintln!(
        "merged {} shard(s): {} resources, {} region(s), {} gap(s) -> {}",
        shards.len(),
        merged.resources.len(),
        merged.header.regions.len(),
        merged.header.gaps.len(),
        args.out.display()
    );
    Ok(Exit::Clean)
}

/// Shards must be of one account, partition and provider (the reader already refuses
/// other schema versions). A resource in several shards (IAM is read by every job) is
/// taken from the shard collected last. A `NotCollected` gap is dropped where another
/// shard did collect that service in that region; every other gap is kept.
pub fn merge(shards: &[(String, &Snapshot)]) -> Result<Snapshot, Failure> {
    let Some((first_name, first)) = shards.first() else {
        return Err(Failure::usage("give at least one shard"));
    };
    let h0 = &first.header;
    for (name, s) in &shards[1..] {
        let h = &s.header;
        if h.schema_version != h0.schema_version {
            return Err(Failure::invalid(format!(
                "`{name}` is snapshot format {} but `{first_name}` is {}: collect both with the same audit",
                h.schema_version, h0.schema_version
            )));
        }
        if (h.provider, h.partition, &h.account_id) != (h0.provider, h0.partition, &h0.account_id) {
            return Err(Failure::invalid(format!(
                "`{name}` is account {} ({}) but `{first_name}` is account {} ({}): a snapshot holds one account; check each account's snapshot on its own",
                h.account_id, h.partition, h0.account_id, h0.partition
            )));
        }
    }
    let mut order: Vec<&(String, &Snapshot)> = shards.iter().collect();
    order.sort_by_key(|(_, s)| s.header.collected_at);

    let mut resources: BTreeMap<&str, &Resource> = BTreeMap::new();
    let mut regions: Vec<String> = Vec::new();
    for (_, s) in &order {
        for r in &s.resources {
            resources.insert(&r.id, r);
        }
        regions.extend(s.header.regions.iter().cloned());
    }
    regions.sort();
    regions.dedup();

    let collected = |service: &str, region: &str| {
        shards.iter().any(|(_, s)| {
            let covers = region == audit_model::GLOBAL_REGION
                || s.header.regions.iter().any(|r| r == region);
            covers
                && !s.header.gaps.iter().any(|g| {
                    g.error_code == GapCode::NotCollected
                        && g.service == service
                        && g.region == region
                })
        })
    };
    let mut gaps: Vec<Gap> = shards
        .iter()
        .flat_map(|(_, s)| s.header.gaps.iter())
        .filter(|g| g.error_code != GapCode::NotCollected || !collected(&g.service, &g.region))
        .cloned()
        .collect();
    gaps.sort();
    gaps.dedup();

    let latest = order
        .last()
        .map(|(_, s)| s.header.collected_at)
        .unwrap_or(h0.collected_at);
    let mut header = h0.clone();
    header.regions = regions;
    header.gaps = gaps;
    header.collected_at = latest;
    header.tool.version = env!("CARGO_PKG_VERSION").to_string();
    Ok(Snapshot {
        header,
        resources: resources.into_values().cloned().collect(),
    })
}
