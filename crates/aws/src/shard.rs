//! What one collection task brings back: resources, and the calls that failed.

use std::future::Future;

use audit_model::{Gap, Resource};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use futures_util::stream::{self, StreamExt};

use crate::gap;

#[derive(Debug, Default)]
pub struct Shard {
    pub resources: Vec<Resource>,
    pub gaps: Vec<Gap>,
}

/// Where calls of one task are made: the service name and region that gaps carry.
#[derive(Debug, Clone, Copy)]
pub struct Site<'a> {
    pub service: &'a str,
    pub region: &'a str,
}

impl Shard {
    /// The value of a call that succeeded; a gap for one that failed.
    pub fn take<T, E>(
        &mut self,
        site: Site<'_>,
        operation: &str,
        result: Result<T, SdkError<E, HttpResponse>>,
    ) -> Option<T>
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.gaps
                    .push(gap::gap(site.service, site.region, operation, &e));
                None
            }
        }
    }

    /// Like [`Shard::take`], but the service's "not configured" codes are an answer
    /// (`Some(None)`), not a gap.
    pub fn take_or_absent<T, E>(
        &mut self,
        site: Site<'_>,
        operation: &str,
        absent: &[&str],
        result: Result<T, SdkError<E, HttpResponse>>,
    ) -> Option<Option<T>>
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        match result {
            Ok(v) => Some(Some(v)),
            Err(e) if gap::is_code(&e, absent) => Some(None),
            Err(e) => {
                self.gaps
                    .push(gap::gap(site.service, site.region, operation, &e));
                None
            }
        }
    }

    pub fn gap(&mut self, site: Site<'_>, operation: &str, code: &str, message: String) {
        self.gaps.push(Gap {
            service: site.service.to_string(),
            region: site.region.to_string(),
            operation: operation.to_string(),
            error_code: code.into(),
            message,
        });
    }

    pub fn absorb(&mut self, other: Shard) {
        self.resources.extend(other.resources);
        self.gaps.extend(other.gaps);
    }

    /// Runs `task` on every item, `width` at a time (the per-resource calls of a
    /// collector), and takes in the resources and gaps each brought back.
    pub async fn fan_out<T, Fut>(
        &mut self,
        width: usize,
        items: impl IntoIterator<Item = T>,
        task: impl FnMut(T) -> Fut,
    ) where
        Fut: Future<Output = Shard>,
    {
        let done: Vec<Shard> = stream::iter(items)
            .map(task)
            .buffer_unordered(width.max(1))
            .collect()
            .await;
        for s in done {
            self.absorb(s);
        }
    }
}
