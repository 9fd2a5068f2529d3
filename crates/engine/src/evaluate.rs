//! Snapshot file → findings. One thread parses the snapshot and hands resources in
//! batches to worker threads, so that parsing and judging overlap and the snapshot is
//! never held whole. Each resource is judged alone: its request carries one entity and
//! only the policies that can apply to its type (see `RuleSet::by_type`). The account is judged last, when the
//! trails of every region have been seen.

use std::path::Path;
use std::str::FromStr;
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use audit_model::{
    Early, Finding, Gap, Header, Kind, Partition, Resource, merge_sorted, sort_findings,
};
use cedar_policy::{Authorizer, Context, Entities, EntityUid, Request, RestrictedExpression};

use crate::config::Config;
use crate::detail::DetailEnv;
use crate::entity::{DeriveEnv, EntityTypes, to_entity, uid_of};
use crate::error::EngineError;
use crate::facts::{self, EstateFacts};
use crate::rules::RuleSet;

/// Judges resources: calls `broken(i, rule_id)` for every rule `resources[i]` breaks.
pub trait Judge: Sync {
    fn judge(
        &self,
        resources: &[Resource],
        partition: Partition,
        env: &DeriveEnv,
        broken: &mut dyn FnMut(usize, &str),
    ) -> Result<(), EngineError>;
}

/// The result of judging a snapshot.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub header: Header,
    /// Sorted: severity, rule, resource.
    pub findings: Vec<Finding>,
    pub resources: usize,
    /// What the engine could not judge (e.g. no account resource); counted with the
    /// snapshot's own gaps.
    pub engine_gaps: Vec<Gap>,
}

impl Outcome {
    pub fn all_gaps(&self) -> impl Iterator<Item = &Gap> {
        self.header.gaps.iter().chain(&self.engine_gaps)
    }

    pub fn is_complete(&self) -> bool {
        self.all_gaps().next().is_none()
    }
}

const BATCH: usize = 256;

struct Batch {
    early: Early,
    resources: Vec<Resource>,
}

/// Judges the snapshot at `path` with `judge`, on `workers` threads besides the parser.
pub fn evaluate(
    path: &Path,
    rules: &RuleSet,
    config: &Config,
    judge: &dyn Judge,
    workers: usize,
) -> Result<Outcome, EngineError> {
    let ports = config.ports_of_interest();
    let workers = workers.max(1);
    let (tx, rx) = sync_channel::<Batch>(workers * 4);
    let rx = Mutex::new(rx);
    let mut coverage = EstateFacts::default();
    // The account and the data stores, judged last (`facts::is_deferred`).
    let mut deferred: Vec<Resource> = Vec::new();
    let mut early_seen: Option<Early> = None;

    let (parsed, judged) = std::thread::scope(|scope| {
        // Threads the system refuses are not started; with none, nothing could judge.
        let handles: Vec<_> = (0..workers)
            .map_while(|_| {
                std::thread::Builder::new()
                    .spawn_scoped(scope, || work(&rx, rules, config, judge, &ports))
                    .ok()
            })
            .collect();
        if handles.is_empty() {
            drop(tx);
            let none = Err(EngineError::Evaluation(
                "cannot start a worker thread".into(),
            ));
            return (none, Vec::new());
        }
        let parsed = parse(path, &tx, &mut coverage, &mut deferred, &mut early_seen);
        drop(tx);
        let judged: Vec<Result<(Vec<Finding>, usize), EngineError>> = handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(EngineError::Evaluation("a worker thread panicked".into()))
                })
            })
            .collect();
        (parsed, judged)
    });

    // A worker error explains a parse that stopped because nobody was receiving.
    let mut runs = Vec::new();
    let mut resources = 0;
    let mut worker_error = None;
    for result in judged {
        match result {
            Ok((f, n)) => {
                runs.push(f);
                resources += n;
            }
            Err(e) => worker_error = worker_error.or(Some(e)),
        }
    }
    let header = match (parsed, worker_error) {
        (_, Some(e)) => return Err(e),
        (Err(e), None) => return Err(e),
        (Ok(h), None) => h,
    };

    let mut engine_gaps = Vec::new();
    let uncovered = coverage.uncovered(&header.regions);
    let early = early_seen.unwrap_or(Early {
        partition: header.partition,
        collected_at: header.collected_at,
    });
    // Without an account resource the account-wide rules go unjudged: a gap, unless
    // every one of them is documented as not judged on this partition.
    let account_rules_judged = rules
        .enabled()
        .any(|r| r.resource_type == Some("account") && r.not_judged_on(early.partition).is_none());
    let has_account = deferred.iter().any(|r| matches!(r.kind, Kind::Account(_)));
    if !has_account && account_rules_judged {
        engine_gaps.push(Gap {
            service: "iam".into(),
            region: "global".into(),
            operation: "account".into(),
            error_code: audit_model::GapCode::NoAccountResource,
            message: "the snapshot has no `account` resource: the password policy, the root user and trail coverage were not judged".into(),
        });
    }
    for account in &deferred {
        if let Kind::Account(a) = &account.kind
            && early.partition.has_root_user()
            && a.root.is_none()
        {
            engine_gaps.push(Gap {
                service: "iam".into(),
                region: "global".into(),
                operation: "GetAccountSummary".into(),
                error_code: audit_model::GapCode::RootUserUnknown,
                message: format!(
                    "account `{}` has no root user information, which the `{}` partition has: the root user was not judged",
                    account.id, early.partition
                ),
            });
        }
    }
    let env = DeriveEnv {
        now: early.collected_at,
        ports_of_interest: &ports,
        regions_without_trail: &uncovered,
        public_subnets: &coverage.public_subnets,
        links: coverage.links,
    };
    let mut findings = Vec::new();
    judge_all(
        &deferred,
        early.partition,
        &env,
        rules,
        config,
        judge,
        &mut findings,
    )?;
    resources += deferred.len();
    sort_findings(&mut findings);
    runs.push(findings);
    let findings = merge_sorted(runs);
    Ok(Outcome {
        header,
        findings,
        resources,
        engine_gaps,
    })
}

fn parse(
    path: &Path,
    tx: &SyncSender<Batch>,
    coverage: &mut EstateFacts,
    deferred: &mut Vec<Resource>,
    early_seen: &mut Option<Early>,
) -> Result<Header, EngineError> {
    let mut batch: Vec<Resource> = Vec::with_capacity(BATCH);
    let mut batch_early: Option<Early> = None;
    let send = |early: Early, resources: Vec<Resource>| {
        tx.send(Batch { early, resources })
            .map_err(|_| "evaluation stopped".to_string())
    };
    let header = audit_model::stream_snapshot(path, |early, resource| {
        *early_seen = Some(*early);
        coverage.observe(&resource);
        if facts::is_deferred(&resource) {
            deferred.push(resource);
            return Ok(());
        }
        if batch_early.is_some_and(|e| e != *early) {
            send(batch_early.unwrap_or(*early), std::mem::take(&mut batch))?;
        }
        batch_early = Some(*early);
        batch.push(resource);
        if batch.len() >= BATCH {
            send(
                *early,
                std::mem::replace(&mut batch, Vec::with_capacity(BATCH)),
            )?;
        }
        Ok(())
    })?;
    if let (Some(early), false) = (batch_early, batch.is_empty()) {
        send(early, batch).map_err(EngineError::Evaluation)?;
    }
    Ok(header)
}

fn work(
    rx: &Mutex<Receiver<Batch>>,
    rules: &RuleSet,
    config: &Config,
    judge: &dyn Judge,
    ports: &[u16],
) -> Result<(Vec<Finding>, usize), EngineError> {
    let mut findings = Vec::new();
    let mut count = 0;
    let no_subnets = std::collections::BTreeSet::new();
    loop {
        let next = match rx.lock() {
            Ok(guard) => guard.recv(),
            Err(_) => return Err(EngineError::Evaluation("a worker thread panicked".into())),
        };
        let Ok(batch) = next else {
            // Sorted here, on every worker at once, and merged at the end.
            sort_findings(&mut findings);
            return Ok((findings, count));
        };
        let env = DeriveEnv {
            now: batch.early.collected_at,
            ports_of_interest: ports,
            regions_without_trail: &[],
            public_subnets: &no_subnets,
            links: Default::default(),
        };
        judge_all(
            &batch.resources,
            batch.early.partition,
            &env,
            rules,
            config,
            judge,
            &mut findings,
        )?;
        count += batch.resources.len();
    }
}

fn judge_all(
    resources: &[Resource],
    partition: Partition,
    env: &DeriveEnv,
    rules: &RuleSet,
    config: &Config,
    judge: &dyn Judge,
    findings: &mut Vec<Finding>,
) -> Result<(), EngineError> {
    let detail_env = DetailEnv {
        config,
        now: env.now,
        regions_without_trail: env.regions_without_trail,
        public_subnets: env.public_subnets,
        links: env.links,
    };
    let mut unknown = None;
    judge.judge(resources, partition, env, &mut |i, id| {
        let (Some(resource), Some(rule)) = (resources.get(i), rules.rule(id)) else {
            unknown = Some(id.to_string());
            return;
        };
        // Documented as not judged here: its facts are not in a snapshot of this
        // partition, so a match would be about a default, not the resource.
        if rule.not_judged_on(partition).is_some() {
            return;
        }
        let key = rule.fingerprint_key.render(resource, &detail_env);
        findings.push(Finding {
            rule_id: rule.id.clone(),
            severity: rule.severity,
            resource_id: resource.id.clone(),
            resource_type: resource.type_name().into(),
            region: resource.region.clone(),
            detail: rule.detail.render(resource, &detail_env),
            fingerprint: audit_model::gate::fingerprint(&rule.id, &resource.id, &key),
        });
    })?;
    match unknown {
        Some(id) => Err(EngineError::Evaluation(format!(
            "judge returned unknown rule `{id}`"
        ))),
        None => Ok(()),
    }
}

/// The Cedar engine: one request per resource, against the policies of its type; the
/// entities of a batch share one store, so that building it is paid once per batch.
pub struct CedarJudge<'a> {
    rules: &'a RuleSet,
    types: EntityTypes,
    authorizer: Authorizer,
    principal: EntityUid,
    action: EntityUid,
    contexts: Vec<(Partition, Context)>,
}

impl<'a> CedarJudge<'a> {
    pub fn new(rules: &'a RuleSet, config: &Config) -> Result<Self, EngineError> {
        let uid = |s: &str| {
            EntityUid::from_str(s).map_err(|e| EngineError::Evaluation(format!("`{s}`: {e}")))
        };
        let contexts = [
            Partition::Aws,
            Partition::AwsCn,
            Partition::AwsUsGov,
            Partition::Bce,
        ]
        .into_iter()
        .map(|p| Ok((p, context(config, p, &rules.schema)?)))
        .collect::<Result<_, EngineError>>()?;
        Ok(CedarJudge {
            rules,
            types: EntityTypes::new()?,
            authorizer: Authorizer::new(),
            principal: uid(r#"Audit::Gate::"audit""#)?,
            action: uid(r#"Audit::Action::"exist""#)?,
            contexts,
        })
    }
}

/// One store for the entities of a batch. Our entities have no parents, so the
/// transitive closure Cedar would compute is the graph itself: skipping it is exact.
pub fn entity_store(
    entities: Vec<cedar_policy_core::ast::Entity>,
) -> Result<Entities, EngineError> {
    use cedar_policy_core::entities::{Entities as CoreEntities, NoEntitiesSchema, TCComputation};
    use cedar_policy_core::extensions::Extensions;
    CoreEntities::from_entities(
        entities,
        None::<&NoEntitiesSchema>,
        TCComputation::AssumeAlreadyComputed,
        Extensions::none(),
    )
    .map(Entities::from)
    .map_err(|e| EngineError::Evaluation(format!("cannot build the entity store: {e}")))
}

/// The request context: the config's parameters, as `Params` in the schema.
pub fn context(
    config: &Config,
    partition: Partition,
    schema: &cedar_policy::Schema,
) -> Result<Context, EngineError> {
    let mut pairs = vec![
        (
            "partition",
            RestrictedExpression::new_string(partition.as_str().into()),
        ),
        (
            "partition_has_root",
            RestrictedExpression::new_bool(partition.has_root_user()),
        ),
    ];
    pairs.extend(config.cedar_params());
    let action = EntityUid::from_str(r#"Audit::Action::"exist""#)
        .map_err(|e| EngineError::Evaluation(e.to_string()))?;
    let unfit = |e: &dyn std::fmt::Display| {
        EngineError::Evaluation(format!("the request context does not fit the schema: {e}"))
    };
    let ctx = Context::from_pairs(pairs.into_iter().map(|(k, v)| (k.to_string(), v)))
        .map_err(|e| unfit(&e))?;
    ctx.validate(schema, &action).map_err(|e| unfit(&e))?;
    Ok(ctx)
}

impl Judge for CedarJudge<'_> {
    fn judge(
        &self,
        resources: &[Resource],
        partition: Partition,
        env: &DeriveEnv,
        broken: &mut dyn FnMut(usize, &str),
    ) -> Result<(), EngineError> {
        let context = self
            .contexts
            .iter()
            .find(|(p, _)| *p == partition)
            .map(|(_, c)| c)
            .ok_or_else(|| EngineError::Evaluation(format!("no context for `{partition}`")))?;
        let mut uids = Vec::with_capacity(resources.len());
        let mut entities = Vec::with_capacity(resources.len());
        for resource in resources {
            let type_name = resource.type_name();
            let entity_type = self.types.get(type_name).ok_or_else(|| {
                EngineError::Evaluation(format!("no entity type for `{type_name}`"))
            })?;
            let entity = to_entity(resource, entity_type, env);
            uids.push(uid_of(&entity));
            entities.push(entity);
        }
        let store = entity_store(entities)?;
        for (i, (resource, uid)) in resources.iter().zip(uids).enumerate() {
            let type_name = resource.type_name();
            let policies = self.rules.by_type.get(type_name).ok_or_else(|| {
                EngineError::Evaluation(format!("no policies for type `{type_name}`"))
            })?;
            let request = Request::new(
                self.principal.clone(),
                self.action.clone(),
                uid,
                context.clone(),
                None,
            )
            .map_err(|e| EngineError::Evaluation(format!("resource `{}`: {e}", resource.id)))?;
            let response = self.authorizer.is_authorized(&request, policies, &store);
            // A forbid that errors would silently not apply: fail closed instead.
            if let Some(error) = response.diagnostics().errors().next() {
                return Err(EngineError::Evaluation(format!(
                    "resource `{}`: {error}",
                    resource.id
                )));
            }
            // The reasons of a Deny are the satisfied forbids: the rules broken.
            for id in response.diagnostics().reason() {
                broken(i, id.as_ref());
            }
        }
        Ok(())
    }
}
