//! `audit collect`: read AWS accounts into snapshots, and optionally their costs.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use audit_aws::Options;
use audit_model::progress::{Event, Progress};
use indicatif::{ProgressBar, ProgressStyle};

use crate::Failure;
use crate::cli::{CloudProvider, CollectArgs};
use crate::exit::Exit;
use crate::output;

/// A bar on a terminal; nothing until the summary line otherwise (CI logs stay short).
struct Bar {
    bar: Option<ProgressBar>,
    running: Mutex<Vec<String>>,
}

impl Bar {
    fn new(account: &str) -> Bar {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(0);
            if let Ok(style) = ProgressStyle::with_template(
                "{spinner} {prefix} [{bar:30}] {pos}/{len} tasks {elapsed} {wide_msg}",
            ) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.set_prefix(account.to_string());
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
            bar
        });
        Bar {
            bar,
            running: Mutex::new(Vec::new()),
        }
    }

    fn show_running(&self, bar: &ProgressBar) {
        if let Ok(running) = self.running.lock() {
            bar.set_message(format!("in flight: {}", running.join(" ")));
        }
    }
}

impl Progress for Bar {
    fn event(&self, event: Event<'_>) {
        let Some(bar) = &self.bar else { return };
        match event {
            Event::Planned { tasks } => bar.set_length(tasks as u64),
            Event::Started { task } => {
                if let Ok(mut r) = self.running.lock() {
                    r.push(task.to_string());
                }
                self.show_running(bar);
            }
            Event::Finished { task, .. } => {
                if let Ok(mut r) = self.running.lock() {
                    r.retain(|t| t != task);
                }
                bar.inc(1);
                self.show_running(bar);
            }
        }
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    // One thread: collection waits on the network, and one thread waits as well as many.
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::usage(format!("cannot start the async runtime: {e}")))
}

/// `{account}` in a path becomes the account id (one file per `--role-arn`).
fn out_path(template: &Path, account: &str) -> PathBuf {
    PathBuf::from(template.to_string_lossy().replace("{account}", account))
}

pub fn run(args: &CollectArgs) -> Result<Exit, Failure> {
    if args.provider == CloudProvider::Baidu {
        return run_baidu(args);
    }
    if args.role_arn.len() > 1 && !args.out.to_string_lossy().contains("{account}") {
        return Err(Failure::usage(
            "several --role-arn need one file per account: put `{account}` in --out, e.g. `--out snapshots/{account}.json`",
        ));
    }
    if let Some(costs) = &args.costs
        && args.role_arn.len() > 1
        && !costs.to_string_lossy().contains("{account}")
    {
        return Err(Failure::usage(
            "several --role-arn need one cost file per account: put `{account}` in --costs",
        ));
    }
    let cost_period = match &args.costs {
        Some(_) => Some(cost_period(args.costs_end.as_deref(), args.costs_months)?),
        None => None,
    };
    let roles: Vec<Option<String>> = if args.role_arn.is_empty() {
        vec![None]
    } else {
        args.role_arn.iter().cloned().map(Some).collect()
    };
    let rt = runtime()?;
    let mut incomplete = false;
    for role in roles {
        let opts = Options {
            profile: args.profile.clone(),
            regions: args.region.clone(),
            partition: args.partition,
            endpoint_url: args.endpoint_url.clone(),
            role_arn: role,
            services: args.services.clone(),
            concurrency: args.concurrency,
            fan_out: args.fan_out,
            max_attempts: args.max_attempts,
            attempt_timeout: std::time::Duration::from_secs(u64::from(args.timeout)),
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
        };
        let (snapshot, stats, path, cost_rows) = rt.block_on(async {
            let conn = audit_aws::connect(&opts).await?;
            let bar = Bar::new(&conn.ctx.account_id);
            let result = audit_aws::collect(&conn, &opts, &bar).await;
            if let Some(b) = &bar.bar {
                b.finish_and_clear();
            }
            let (snapshot, stats) = result?;
            let cost_rows = match &cost_period {
                Some((start, end)) => {
                    Some(audit_aws::costs::cost_and_usage(&conn, start, end, &args.cost_tag).await?)
                }
                None => None,
            };
            let path = out_path(&args.out, &conn.ctx.account_id);
            Ok::<_, audit_aws::CollectError>((snapshot, stats, path, cost_rows))
        })?;
        // The snapshot is written whole or not at all.
        let mut json = serde_json::to_vec_pretty(&snapshot)
            .map_err(|e| Failure::usage(format!("cannot serialise the snapshot: {e}")))?;
        json.push(b'\n');
        output::write_atomic(&path, &json)?;
        incomplete |= summary(&snapshot, &stats, &path);
        if let (Some(rows), Some(template)) = (cost_rows, &args.costs) {
            let path = out_path(template, &snapshot.header.account_id);
            let csv = audit_aws::costs::focus_csv(&rows, &args.cost_tag);
            output::write_atomic(&path, csv.as_bytes())?;
            eprintln!(
                "wrote {} cost rows (FOCUS columns) -> {}",
                rows.len(),
                path.display()
            );
        }
    }
    if incomplete {
        eprintln!(
            "the snapshot is incomplete: `audit check` fails it (exit 4) unless --allow-incomplete"
        );
    }
    Ok(Exit::Clean)
}

/// The one-line summary of a collection and its first gaps; whether it has any.
fn summary(
    snapshot: &audit_model::Snapshot,
    stats: &audit_model::progress::Stats,
    path: &Path,
) -> bool {
    let gaps = snapshot.header.gaps.len();
    eprintln!(
        "collected {} resources of account {} ({}, {} region(s): {}) in {:.1} s: {} tasks, up to {} in flight; {} gap(s) -> {}",
        snapshot.resources.len(),
        snapshot.header.account_id,
        snapshot.header.partition,
        snapshot.header.regions.len(),
        snapshot.header.regions.join(" "),
        stats.wall.as_secs_f64(),
        stats.tasks,
        stats.peak_in_flight,
        gaps,
        path.display(),
    );
    if gaps > 0 {
        for g in snapshot.header.gaps.iter().take(20) {
            eprintln!(
                "  gap: {} {} {}: {}",
                g.service, g.region, g.operation, g.error_code
            );
        }
        if gaps > 20 {
            eprintln!("  ... and {} more (see `gaps` in the snapshot)", gaps - 20);
        }
    }
    gaps > 0
}

/// `collect --provider baidu`: the BCE collector, the same bar, summary and file.
fn run_baidu(args: &CollectArgs) -> Result<Exit, Failure> {
    for (given, flag) in [
        (!args.role_arn.is_empty(), "--role-arn"),
        (!args.services.is_empty(), "--services"),
        (args.partition.is_some(), "--partition"),
    ] {
        if given {
            return Err(Failure::usage(format!(
                "{flag} is not supported with --provider baidu (see the README's Baidu section)"
            )));
        }
    }
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let credentials = audit_baidu::credentials::resolve(
        args.profile.as_deref(),
        &|k| std::env::var(k).ok(),
        home.as_deref(),
    )
    .map_err(Failure::usage)?;
    let opts = audit_baidu::collect::Options {
        regions: args.region.clone(),
        all_regions: args.all_regions,
        endpoint_url: args.endpoint_url.clone(),
        concurrency: args.concurrency,
        fan_out: args.fan_out,
        max_attempts: args.max_attempts,
        attempt_timeout: std::time::Duration::from_secs(u64::from(args.timeout)),
        page_size: 1000,
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
    };
    let cost_period = match &args.costs {
        Some(_) => Some(cost_period(args.costs_end.as_deref(), args.costs_months)?),
        None => None,
    };
    let rt = runtime()?;
    let (snapshot, stats, cost_rows) = rt.block_on(async {
        let (session, regions) = audit_baidu::collect::connect(&credentials, &opts).await?;
        let bar = Bar::new(session.account_id());
        let result = audit_baidu::collect::collect(&session, &regions, &opts, &bar).await;
        if let Some(b) = &bar.bar {
            b.finish_and_clear();
        }
        let (snapshot, stats) = result?;
        // The bill is read before anything is written: a failed read leaves no file.
        let cost_rows = match &cost_period {
            Some((start, end)) => Some(
                audit_baidu::billing::monthly_bills(&session, start, end, &args.cost_tag)
                    .await
                    .map_err(|e| Failure::usage(e.to_string()))?,
            ),
            None => None,
        };
        Ok::<_, Failure>((snapshot, stats, cost_rows))
    })?;
    let path = out_path(&args.out, &snapshot.header.account_id);
    let mut json = serde_json::to_vec_pretty(&snapshot)
        .map_err(|e| Failure::usage(format!("cannot serialise the snapshot: {e}")))?;
    json.push(b'\n');
    output::write_atomic(&path, &json)?;
    let incomplete = summary(&snapshot, &stats, &path);
    if let (Some(rows), Some(template)) = (cost_rows, &args.costs) {
        let path = out_path(template, &snapshot.header.account_id);
        let csv = audit_baidu::billing::focus_csv(&rows, &args.cost_tag);
        output::write_atomic(&path, csv.as_bytes())?;
        eprintln!(
            "wrote {} cost rows (FOCUS columns, {}) -> {}",
            rows.len(),
            audit_baidu::billing::CURRENCY,
            path.display()
        );
    }
    if incomplete {
        eprintln!(
            "the snapshot is incomplete: `audit check` fails it (exit 4) unless --allow-incomplete"
        );
    }
    Ok(Exit::Clean)
}

/// Whole months: `months` of them ending before `end` (`YYYY-MM`, default: this month).
fn cost_period(end: Option<&str>, months: u32) -> Result<(String, String), Failure> {
    if months == 0 {
        return Err(Failure::usage("--costs-months must be at least 1"));
    }
    let end_month = match end {
        Some(text) => {
            jiff::civil::Date::strptime("%Y-%m-%d", format!("{text}-01")).map_err(|_| {
                Failure::usage(format!("--costs-end `{text}` is not a month like 2026-11"))
            })?
        }
        None => {
            let today = jiff::Zoned::now().date();
            today.first_of_month()
        }
    };
    let start = end_month
        .checked_sub(jiff::Span::new().months(i64::from(months)))
        .map_err(|e| Failure::usage(format!("cost period: {e}")))?;
    Ok((start.to_string(), end_month.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cost_periods_are_whole_months() {
        assert_eq!(
            cost_period(Some("2026-11"), 12).unwrap(),
            ("2025-11-01".to_string(), "2026-11-01".to_string())
        );
        assert!(cost_period(Some("2026-13"), 1).is_err());
        assert!(cost_period(Some("2026-11"), 0).is_err());
    }

    #[test]
    fn account_placeholder() {
        assert_eq!(
            out_path(Path::new("s/{account}.json"), "123"),
            PathBuf::from("s/123.json")
        );
    }
}
