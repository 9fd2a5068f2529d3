//! Collectors: read an AWS account with the AWS SDK into a snapshot. The only crate that
//! sees AWS types; everything after the snapshot is offline.
//!
//! Every call that fails becomes a [`Gap`] and collection goes on; only what makes the
//! whole collection meaningless (no credentials, no endpoint, no account id) is an error.

mod cloudfront;
mod cloudtrail;
mod convert;
pub mod costs;
mod directconnect;
mod ec2;
mod eks;
mod elasticache;
mod elbv2;
mod gap;
mod iam;
mod kms;
mod lambda;
mod logs;
mod rds;
pub mod regions;
mod s3;
mod secretsmanager;
mod shard;
mod tagging;

use std::cell::Cell;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::str::FromStr;
use std::time::{Duration, Instant};

use audit_model::{
    GLOBAL_REGION, Gap, Header, Partition, Provider, SCHEMA_VERSION, Snapshot, Tool,
};
use aws_config::retry::RetryConfig;
use aws_config::stalled_stream_protection::StalledStreamProtectionConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_smithy_runtime_api::client::connector_metadata::ConnectorMetadata;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use futures_util::stream::{self, StreamExt};

use crate::shard::Shard;

/// The services `collect` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Service {
    Iam,
    S3,
    Ec2,
    Logs,
    Rds,
    Cloudtrail,
    Kms,
    Elbv2,
    Elasticache,
    Lambda,
    Secretsmanager,
    Eks,
    Cloudfront,
    Directconnect,
    Tagging,
}

impl Service {
    pub const ALL: [Service; 15] = [
        Service::Iam,
        Service::S3,
        Service::Ec2,
        Service::Logs,
        Service::Rds,
        Service::Cloudtrail,
        Service::Kms,
        Service::Elbv2,
        Service::Elasticache,
        Service::Lambda,
        Service::Secretsmanager,
        Service::Eks,
        Service::Cloudfront,
        Service::Directconnect,
        Service::Tagging,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Service::Iam => "iam",
            Service::S3 => "s3",
            Service::Ec2 => "ec2",
            Service::Logs => "logs",
            Service::Rds => "rds",
            Service::Cloudtrail => "cloudtrail",
            Service::Kms => "kms",
            Service::Elbv2 => "elbv2",
            Service::Elasticache => "elasticache",
            Service::Lambda => "lambda",
            Service::Secretsmanager => "secretsmanager",
            Service::Eks => "eks",
            Service::Cloudfront => "cloudfront",
            Service::Directconnect => "directconnect",
            Service::Tagging => "tagging",
        }
    }

    /// IAM, the S3 bucket list and CloudFront are read once for the account, not per
    /// region.
    pub fn is_global(self) -> bool {
        matches!(self, Service::Iam | Service::S3 | Service::Cloudfront)
    }
}

impl FromStr for Service {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Service::ALL
            .into_iter()
            .find(|v| v.name() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Service::ALL.iter().map(|s| s.name()).collect();
                format!("unknown service `{s}`; known: {}", names.join(", "))
            })
    }
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, Clone)]
pub struct Options {
    /// A named profile of the shared config files; the default chain otherwise.
    pub profile: Option<String>,
    /// Regions to read; empty: the regions enabled for the account.
    pub regions: Vec<String>,
    pub partition: Option<Partition>,
    /// One endpoint for every service (an emulator, a VPC endpoint proxy).
    pub endpoint_url: Option<String>,
    /// Assume this role (STS) and read the account it belongs to.
    pub role_arn: Option<String>,
    /// Services to read; the others are recorded as gaps (`NotCollected`).
    pub services: Vec<Service>,
    /// Collection tasks (a service in a region) in flight at once.
    pub concurrency: usize,
    /// Calls in flight at once inside one task (users, buckets, keys...).
    pub fan_out: usize,
    /// Attempts per call, retries of throttling and server errors included.
    pub max_attempts: u32,
    /// How long one attempt of one call may take (the connection set-up has its own 5 s).
    pub attempt_timeout: Duration,
    pub tool_version: String,
}

#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    #[error("{0}")]
    Usage(String),
    #[error("no AWS credentials: {0}")]
    NoCredentials(String),
    #[error("cannot reach AWS{endpoint}: {message}")]
    Unreachable { endpoint: String, message: String },
    #[error("cannot tell which account these credentials belong to: {0}")]
    Identity(String),
}

impl CollectError {
    /// Every collection error is the run's, not an input file's.
    pub fn kind(&self) -> audit_model::ErrorKind {
        audit_model::ErrorKind::Runtime
    }
}

pub use audit_model::progress::{Event, Progress, Stats};

/// Everything a collector needs: the account, the partition and how to reach it.
pub struct Ctx {
    pub partition: Partition,
    pub account_id: String,
    base: SdkConfig,
    endpoint_url: Option<String>,
    fan_out: usize,
}

impl Ctx {
    fn config(&self, region: &str) -> SdkConfig {
        self.base
            .to_builder()
            .region(Region::new(region.to_string()))
            .build()
    }

    fn home_region(&self) -> &'static str {
        regions::home_region(self.partition)
    }
}

/// Partition and regions, checked before any call is made.
fn plan(
    opts: &Options,
    default_region: Option<&str>,
) -> Result<(Partition, Vec<String>), CollectError> {
    for r in &opts.regions {
        if regions::partition_of(r).is_none() {
            return Err(CollectError::Usage(format!(
                "unknown region `{r}`; AWS China: cn-north-1, cn-northwest-1; see `audit collect --help`"
            )));
        }
    }
    let partition = match (opts.partition, opts.regions.first(), default_region) {
        (Some(p), _, _) => p,
        (None, Some(r), _) => regions::partition_of(r).unwrap_or(Partition::Aws),
        (None, None, Some(r)) => regions::partition_of(r).ok_or_else(|| {
            CollectError::Usage(format!(
                "the configured default region `{r}` is unknown; give --region or --partition"
            ))
        })?,
        (None, None, None) => {
            return Err(CollectError::Usage(
                "no region: give --region, --partition or set AWS_REGION".into(),
            ));
        }
    };
    if partition == Partition::Bce {
        return Err(CollectError::Usage(
            "partition `bce` is Baidu AI Cloud, read it with `audit collect --provider baidu`"
                .into(),
        ));
    }
    for r in &opts.regions {
        if regions::partition_of(r) != Some(partition) {
            return Err(CollectError::Usage(format!(
                "region `{r}` is not in partition `{partition}`; collect each partition separately"
            )));
        }
    }
    let mut list = opts.regions.clone();
    list.sort();
    list.dedup();
    Ok((partition, list))
}

/// A session with an account: credentials checked, account id and regions known.
pub struct Connection {
    pub ctx: Ctx,
    pub regions: Vec<String>,
    endpoint: String,
}

/// One HTTP client for every service client of the collection: the SDK's default, built
/// the same way (hyper 1, rustls with aws-lc, proxy from the environment), but once.
/// Left to itself, each `Client::new` makes its own, and with it a rustls configuration
/// (the system's root certificates parsed again) and a connection pool; measured against
/// moto that was ~40 % of the process's CPU time. Shared, connections to one endpoint are
/// also reused across services.
///
/// With a plain `http://` endpoint (an emulator, a local proxy), its requests go through
/// a connector without TLS; any other request, and every request without such an
/// endpoint, through the TLS one.
fn shared_http_client(endpoint_url: Option<&str>) -> SharedHttpClient {
    use aws_smithy_http_client::{Builder, ConnectorBuilder, proxy::ProxyConfig, tls};
    /// What both connectors share: the client's settings, its sleep, the proxy.
    fn configured<Tls>(
        mut connector: ConnectorBuilder<Tls>,
        settings: Option<&HttpConnectorSettings>,
        components: Option<&RuntimeComponents>,
    ) -> ConnectorBuilder<Tls> {
        connector.set_connector_settings(settings.cloned());
        if let Some(components) = components {
            connector.set_sleep_impl(components.sleep_impl());
        }
        connector.set_proxy_config(Some(ProxyConfig::from_env()));
        connector
    }
    let tls = Builder::new().build_with_connector_fn(|settings, components| {
        let connector = ConnectorBuilder::default().tls_provider(tls::Provider::Rustls(
            tls::rustls_provider::CryptoMode::AwsLc,
        ));
        configured(connector, settings, components).build()
    });
    // A proxy reached over TLS needs the TLS connector even for http:// requests.
    let proxy_needs_tls = ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"]
        .iter()
        .any(|v| std::env::var(v).is_ok_and(|u| u.starts_with("https://")));
    let plain_endpoint = endpoint_url.is_some_and(|u| u.starts_with("http://"));
    let plain = (plain_endpoint && !proxy_needs_tls).then(|| {
        Builder::new().build_with_connector_fn(|settings, components| {
            configured(ConnectorBuilder::default(), settings, components).build_http()
        })
    });
    SharedHttpClient::new(BuiltOnDemand { tls, plain })
}

/// Two things the SDK's client does eagerly, done when needed:
/// - The hyper client builds a whole connector (TLS configuration included) in
///   `validate_base_client_config`, only to drop it, so that certificates load when a
///   client is made rather than at its first request: once per `Client::new`, ~10 % of
///   the CPU of a collection. Here validation is the trait's default (nothing), and the
///   connector is built at the first request, then cached by the inner client.
/// - With a plain `http://` endpoint, its requests go through a connector without TLS,
///   so that the system's root certificates are read only if an `https://` request is
///   made (credential providers reach AWS over TLS even then). Without one, there is no
///   per-request choice to make: the TLS client is used directly.
#[derive(Debug)]
struct BuiltOnDemand {
    tls: SharedHttpClient,
    plain: Option<SharedHttpClient>,
}

impl HttpClient for BuiltOnDemand {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        let Some(plain) = &self.plain else {
            return self.tls.http_connector(settings, components);
        };
        SharedHttpConnector::new(ByScheme {
            plain: plain.http_connector(settings, components),
            tls: self.tls.clone(),
            settings: settings.clone(),
            components: components.clone(),
        })
    }

    fn connector_metadata(&self) -> Option<ConnectorMetadata> {
        self.tls.connector_metadata()
    }
}

/// Sends `http://` requests through the plain connector, the rest through TLS.
#[derive(Debug)]
struct ByScheme {
    plain: SharedHttpConnector,
    tls: SharedHttpClient,
    settings: HttpConnectorSettings,
    components: RuntimeComponents,
}

impl HttpConnector for ByScheme {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        if request.uri().starts_with("http://") {
            self.plain.call(request)
        } else {
            self.tls
                .http_connector(&self.settings, &self.components)
                .call(request)
        }
    }
}

/// Resolves credentials, the account and the regions; nothing is collected yet. Missing
/// credentials, an unreachable endpoint or an unknown account are errors.
pub async fn connect(opts: &Options) -> Result<Connection, CollectError> {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .http_client(shared_http_client(opts.endpoint_url.as_deref()))
        // Answers here are small and each attempt has a timeout: the per-request
        // throughput monitor would only add timers.
        .stalled_stream_protection(StalledStreamProtectionConfig::disabled())
        .retry_config(
            RetryConfig::adaptive()
                .with_max_attempts(opts.max_attempts.max(1))
                .with_initial_backoff(Duration::from_millis(200)),
        )
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(5))
                .operation_attempt_timeout(opts.attempt_timeout)
                .build(),
        );
    if let Some(p) = &opts.profile {
        loader = loader.profile_name(p);
    }
    if let Some(url) = &opts.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    let loaded = loader.load().await;
    let (partition, mut region_list) = plan(opts, loaded.region().map(|r| r.as_ref()))?;
    let mut base = loaded
        .to_builder()
        .region(Region::new(regions::home_region(partition)))
        .build();

    let provider = base
        .credentials_provider()
        .ok_or_else(|| CollectError::NoCredentials("no credentials provider".into()))?;
    provider.provide_credentials().await.map_err(|e| {
        CollectError::NoCredentials(
            aws_smithy_types::error::display::DisplayErrorContext(&e).to_string(),
        )
    })?;
    if let Some(role) = &opts.role_arn {
        let assumed = aws_config::sts::AssumeRoleProvider::builder(role)
            .session_name("audit-collect")
            .configure(&base)
            .build()
            .await;
        base = base
            .to_builder()
            .credentials_provider(SharedCredentialsProvider::new(assumed))
            .build();
    }
    let endpoint = opts
        .endpoint_url
        .as_deref()
        .map(|u| format!(" at `{u}`"))
        .unwrap_or_default();
    let identity = aws_sdk_sts::Client::new(&base)
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| {
            let (code, message) = gap::describe(&e);
            if gap::is_transport(&e) {
                CollectError::Unreachable {
                    endpoint: endpoint.clone(),
                    message,
                }
            } else {
                CollectError::Identity(format!("{code}: {message}"))
            }
        })?;
    let account_id = identity
        .account()
        .ok_or_else(|| CollectError::Identity("GetCallerIdentity returned no account".into()))?
        .to_string();

    let ctx = Ctx {
        partition,
        account_id,
        base,
        endpoint_url: opts.endpoint_url.clone(),
        fan_out: opts.fan_out.max(1),
    };
    if region_list.is_empty() {
        region_list = ec2::enabled_regions(&ctx).await.map_err(|e| {
            CollectError::Usage(format!(
                "cannot list the account's enabled regions (give --region): {e}"
            ))
        })?;
    }
    Ok(Connection {
        ctx,
        regions: region_list,
        endpoint,
    })
}

/// Reads every service in every region of the connection.
pub async fn collect(
    conn: &Connection,
    opts: &Options,
    progress: &dyn Progress,
) -> Result<(Snapshot, Stats), CollectError> {
    let started = Instant::now();
    let Connection {
        ctx,
        regions: region_list,
        endpoint,
    } = conn;

    let services: Vec<Service> = if opts.services.is_empty() {
        Service::ALL.to_vec()
    } else {
        opts.services.clone()
    };
    let mut skipped = Vec::new();
    type Task<'a> = (String, Pin<Box<dyn Future<Output = Shard> + 'a>>);
    let mut tasks: Vec<Task<'_>> = Vec::new();
    for service in Service::ALL {
        let regions_of_service: Vec<&str> = if service.is_global() {
            vec![GLOBAL_REGION]
        } else {
            region_list.iter().map(String::as_str).collect()
        };
        if !services.contains(&service) {
            for region in regions_of_service {
                skipped.push(Gap {
                    service: service.name().into(),
                    region: region.into(),
                    operation: "*".into(),
                    error_code: audit_model::GapCode::NotCollected,
                    message: "left out by --services".into(),
                });
            }
            continue;
        }
        match service {
            Service::Iam => tasks.push(("iam".into(), Box::pin(iam::collect(ctx)))),
            Service::S3 => tasks.push(("s3".into(), Box::pin(s3::collect(ctx)))),
            Service::Cloudfront => {
                tasks.push(("cloudfront".into(), Box::pin(cloudfront::collect(ctx))))
            }
            _ => {
                for region in regions_of_service {
                    let label = format!("{service}@{region}");
                    let fut: Pin<Box<dyn Future<Output = Shard> + '_>> = match service {
                        Service::Ec2 => Box::pin(ec2::collect(ctx, region)),
                        Service::Logs => Box::pin(logs::collect(ctx, region)),
                        Service::Rds => Box::pin(rds::collect(ctx, region)),
                        Service::Cloudtrail => Box::pin(cloudtrail::collect(ctx, region)),
                        Service::Kms => Box::pin(kms::collect(ctx, region)),
                        Service::Elbv2 => Box::pin(elbv2::collect(ctx, region)),
                        Service::Elasticache => Box::pin(elasticache::collect(ctx, region)),
                        Service::Lambda => Box::pin(lambda::collect(ctx, region)),
                        Service::Secretsmanager => Box::pin(secretsmanager::collect(ctx, region)),
                        Service::Eks => Box::pin(eks::collect(ctx, region)),
                        Service::Directconnect => Box::pin(directconnect::collect(ctx, region)),
                        Service::Tagging | Service::Iam | Service::S3 | Service::Cloudfront => {
                            Box::pin(tagging::collect(ctx, region))
                        }
                    };
                    tasks.push((label, fut));
                }
            }
        }
    }
    let task_count = tasks.len();
    progress.event(Event::Planned { tasks: task_count });
    let in_flight = Cell::new(0usize);
    let peak = Cell::new(0usize);
    let shards: Vec<Shard> = stream::iter(tasks)
        .map(|(label, fut)| {
            let (in_flight, peak) = (&in_flight, &peak);
            async move {
                in_flight.set(in_flight.get() + 1);
                peak.set(peak.get().max(in_flight.get()));
                progress.event(Event::Started { task: &label });
                let shard = fut.await;
                in_flight.set(in_flight.get() - 1);
                progress.event(Event::Finished {
                    task: &label,
                    resources: shard.resources.len(),
                    gaps: shard.gaps.len(),
                });
                shard
            }
        })
        .buffer_unordered(opts.concurrency.max(1))
        .collect()
        .await;

    let mut all = Shard::default();
    for s in shards {
        all.absorb(s);
    }
    let transport_only = !all.gaps.is_empty()
        && all.resources.is_empty()
        && all.gaps.iter().all(|g| g.error_code.is_transport());
    if transport_only {
        return Err(CollectError::Unreachable {
            endpoint: endpoint.clone(),
            message: format!("every call failed ({} gaps)", all.gaps.len()),
        });
    }
    all.gaps.extend(skipped);
    all.gaps.sort();
    sort_and_merge_global(&mut all.resources);
    let snapshot = Snapshot {
        header: Header {
            schema_version: SCHEMA_VERSION,
            provider: Provider::Aws,
            partition: ctx.partition,
            account_id: ctx.account_id.clone(),
            regions: region_list.clone(),
            collected_at: jiff::Timestamp::now(),
            tool: Tool {
                name: "audit".into(),
                version: opts.tool_version.clone(),
            },
            gaps: all.gaps,
        },
        resources: all.resources,
    };
    Ok((
        snapshot,
        Stats {
            tasks: task_count,
            peak_in_flight: peak.get(),
            wall: started.elapsed(),
        },
    ))
}

/// Sorts by id and keeps one entry of a global resource that the tagging API reported
/// from several regions (moto answers with global resources in every region). Regional
/// duplicates are kept, so that the reader's duplicate-id check still catches a collector
/// that reads one resource twice.
fn sort_and_merge_global(resources: &mut Vec<audit_model::Resource>) {
    resources.sort_by(|a, b| a.id.cmp(&b.id));
    resources
        .dedup_by(|later, first| later.id == first.id && first.is_global() && later.is_global());
}

#[cfg(test)]
mod tests {
    use super::*;
    use audit_model::resource::OtherResource;
    use audit_model::{Kind, Resource};

    #[test]
    fn a_global_resource_reported_from_every_region_is_written_once() {
        let other = |id: &str, region: &str| Resource {
            id: id.into(),
            region: region.into(),
            tags: Default::default(),
            kind: Kind::Other(OtherResource {
                resource_type: "cloudfront:distribution".into(),
            }),
        };
        let cdn = "arn:aws-cn:cloudfront::123456789012:distribution/E1";
        let queue = "arn:aws-cn:sqs:cn-north-1:123456789012:q";
        let mut list = vec![
            other(cdn, "global"),
            other(queue, "cn-north-1"),
            other(cdn, "global"),
            other(queue, "cn-north-1"),
            other(cdn, "global"),
        ];
        sort_and_merge_global(&mut list);
        let ids: Vec<(&str, &str)> = list
            .iter()
            .map(|r| (r.id.as_str(), r.region.as_str()))
            .collect();
        assert_eq!(
            ids,
            [
                (cdn, "global"),
                (queue, "cn-north-1"),
                (queue, "cn-north-1")
            ],
            "the global one merged, the regional duplicate left for the reader to reject"
        );
    }

    fn opts(regions: &[&str], partition: Option<Partition>) -> Options {
        Options {
            profile: None,
            regions: regions.iter().map(|r| r.to_string()).collect(),
            partition,
            endpoint_url: None,
            role_arn: None,
            services: Vec::new(),
            concurrency: 8,
            fan_out: 8,
            max_attempts: 3,
            attempt_timeout: Duration::from_secs(60),
            tool_version: "0".into(),
        }
    }

    #[test]
    fn regions_decide_the_partition_and_must_agree() {
        let (p, r) = plan(&opts(&["cn-northwest-1", "cn-north-1"], None), None).unwrap();
        assert_eq!(p, Partition::AwsCn);
        assert_eq!(r, vec!["cn-north-1", "cn-northwest-1"]);
        let err = plan(&opts(&["cn-north-1", "us-east-1"], None), None).unwrap_err();
        assert!(
            err.to_string()
                .contains("`us-east-1` is not in partition `aws-cn`"),
            "{err}"
        );
        let err = plan(&opts(&["us-east-1"], Some(Partition::AwsCn)), None).unwrap_err();
        assert!(err.to_string().contains("not in partition"), "{err}");
        let err = plan(&opts(&["cn-north-3"], None), None).unwrap_err();
        assert!(
            err.to_string().contains("unknown region `cn-north-3`"),
            "{err}"
        );
        assert!(plan(&opts(&[], None), None).is_err());
        assert_eq!(
            plan(&opts(&[], None), Some("cn-north-1")).unwrap().0,
            Partition::AwsCn
        );
        assert!(plan(&opts(&[], Some(Partition::Bce)), None).is_err());
    }
}
