//! The scheduler: filter plugins, score plugins, cluster selection with spread constraints,
//! replica assignment and capacity estimation, with a diagnosis of every decision.
//!
//! [`schedule`] is Karmada's `doScheduleBinding` for one binding over a snapshot of clusters:
//! it decides whether the binding is rescheduled at all ([`reschedule`]), runs the filters
//! and scores ([`framework`]), orders and groups the candidates and selects clusters
//! ([`select`]), assigns replicas ([`assign`]), walks the `clusterAffinities` terms, and
//! returns the new `spec.clusters` with the `Scheduled` condition.

pub mod assign;
pub mod diagnosis;
pub mod estimator;
pub mod filter;
pub mod framework;
pub mod reschedule;
pub mod score;
pub mod select;
pub mod snapshot;
pub mod webster;

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::api::{Cluster, Condition, ResourceBinding, ResourceBindingSpec, TargetCluster};

use diagnosis::{ClusterDiagnosis, Diagnosis, FilteredBy, GroupDiagnosis};
use estimator::Estimator;
use framework::{Framework, SchedulingContext};
use select::Candidate;

pub use reschedule::{Trigger, APPLIED_PLACEMENT_ANNOTATION};
pub use snapshot::ClusterSnapshot;

/// The `Scheduled` condition type.
pub const CONDITION_SCHEDULED: &str = "Scheduled";
/// Karmada's message for a successful schedule.
pub const SUCCESS_MESSAGE: &str = "Binding has been scheduled successfully.";

/// How the scheduler behaves. The defaults are Karmada's: every in-tree plugin, the general
/// estimator alone, Karmada's replica division, no empty-workload propagation, no diagnosis.
#[derive(Clone)]
pub struct SchedulerOptions {
    /// The enabled plugins (see [`framework::PluginRegistry::build`]).
    pub framework: Framework,
    /// The capacity estimators; each cluster gets the minimum of their answers. The default
    /// is Karmada's general estimator alone; add e.g. an accurate per-cluster estimator.
    /// An empty list means unlimited capacity (every cluster can take `spec.replicas`).
    pub estimators: Vec<Arc<dyn Estimator>>,
    /// Replica division options.
    pub division: assign::DivisionOptions,
    /// `--enable-empty-workload-propagation`: keep selected clusters with 0 replicas.
    pub enable_empty_workload_propagation: bool,
    /// Build a [`Diagnosis`] (costs allocations; off for bulk scheduling).
    pub diagnose: bool,
}

impl Default for SchedulerOptions {
    fn default() -> Self {
        SchedulerOptions {
            framework: Framework::default(),
            estimators: vec![Arc::new(estimator::GeneralEstimator::new())],
            division: assign::DivisionOptions::default(),
            enable_empty_workload_propagation: false,
            diagnose: false,
        }
    }
}

impl std::fmt::Debug for SchedulerOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SchedulerOptions")
            .field("framework", &self.framework)
            .field(
                "estimators",
                &self.estimators.iter().map(|e| e.name()).collect::<Vec<_>>(),
            )
            .field("division", &self.division)
            .field(
                "enable_empty_workload_propagation",
                &self.enable_empty_workload_propagation,
            )
            .field("diagnose", &self.diagnose)
            .finish()
    }
}

/// The `Scheduled` condition's reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ScheduleReason {
    /// Scheduled.
    Success,
    /// No cluster passed the filters; `spec.clusters` is cleared.
    NoClusterFit,
    /// The clusters cannot hold the replicas; the previous result stays.
    Unschedulable,
    /// Any other failure (spread selection, strategy); the previous result stays.
    SchedulerError,
}

impl ScheduleReason {
    /// Karmada's reason string.
    pub fn as_str(self) -> &'static str {
        match self {
            ScheduleReason::Success => "Success",
            ScheduleReason::NoClusterFit => "NoClusterFit",
            ScheduleReason::Unschedulable => "Unschedulable",
            ScheduleReason::SchedulerError => "SchedulerError",
        }
    }
}

/// A failed scheduling attempt.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    /// No cluster passed the filters (Karmada's FitError).
    #[error("{0}")]
    NoClusterFit(String),
    /// The clusters cannot hold the replicas (Karmada's UnschedulableError).
    #[error("{0}")]
    Unschedulable(String),
    /// Any other failure.
    #[error("{0}")]
    SchedulerError(String),
}

impl ScheduleError {
    /// The condition reason of this error.
    pub fn reason(&self) -> ScheduleReason {
        match self {
            ScheduleError::NoClusterFit(_) => ScheduleReason::NoClusterFit,
            ScheduleError::Unschedulable(_) => ScheduleReason::Unschedulable,
            ScheduleError::SchedulerError(_) => ScheduleReason::SchedulerError,
        }
    }
}

/// What [`schedule`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScheduleAction {
    /// `spec.suspension.scheduling` is true: the binding is ignored.
    Suspended,
    /// No reschedule trigger holds: the previous result is kept.
    Kept,
    /// The algorithm ran (see the condition for its outcome).
    Scheduled(Trigger),
}

/// The result of scheduling one binding.
#[derive(Debug, Clone, PartialEq)]
pub struct ScheduleOutcome {
    /// What happened.
    pub action: ScheduleAction,
    /// The new `spec.clusters` (the previous one when nothing is written).
    pub clusters: Vec<TargetCluster>,
    /// Whether `spec.clusters` and the applied-placement annotation are written (success
    /// or NoClusterFit).
    pub clusters_written: bool,
    /// The `Scheduled` condition (absent when suspended or kept).
    pub condition: Option<Condition>,
    /// The condition's reason.
    pub reason: Option<ScheduleReason>,
    /// The value of `status.schedulerObservingAffinityName` after this decision.
    pub affinity_name: Option<String>,
    /// The diagnosis, when [`SchedulerOptions::diagnose`] is set and the algorithm ran.
    pub diagnosis: Option<Diagnosis>,
}

impl ScheduleOutcome {
    /// Writes the outcome onto the binding as Karmada's scheduler patches it:
    /// `spec.clusters` and the applied-placement annotation when written, the `Scheduled`
    /// condition, `schedulerObservingAffinityName`, `schedulerObservedGeneration` and (on
    /// success) `lastScheduledTime = now`.
    pub fn apply_to(&self, binding: &mut ResourceBinding, now: &str) {
        if self.action == ScheduleAction::Suspended {
            return;
        }
        let generation = binding.metadata.generation;
        if self.clusters_written {
            binding.spec.clusters = self.clusters.clone();
            let placement = binding.spec.placement.clone().unwrap_or_default();
            if let Ok(text) = serde_json::to_string(&placement) {
                binding
                    .metadata
                    .annotations
                    .insert(APPLIED_PLACEMENT_ANNOTATION.to_string(), text);
            }
        }
        let status = binding.status.get_or_insert_with(Default::default);
        status.scheduler_observed_generation = generation.or(status.scheduler_observed_generation);
        status.scheduler_observing_affinity_name = self.affinity_name.clone();
        if let Some(cond) = &self.condition {
            let mut cond = cond.clone();
            cond.observed_generation = generation;
            match status.conditions.iter_mut().find(|c| c.type_ == cond.type_) {
                Some(old) => {
                    let keep_time = old.status == cond.status;
                    let time = old.last_transition_time.clone();
                    *old = cond;
                    old.last_transition_time = if keep_time {
                        time
                    } else {
                        Some(now.to_string())
                    };
                }
                None => {
                    cond.last_transition_time = Some(now.to_string());
                    status.conditions.push(cond);
                }
            }
            if self.reason == Some(ScheduleReason::Success) {
                status.last_scheduled_time = Some(now.to_string());
            }
        }
    }
}

/// Schedules one binding over a snapshot of every Cluster (ready or not, deleting or not),
/// as Karmada's scheduler does on one pass.
///
/// ```
/// use fedplan::api::{Cluster, ResourceBinding};
/// use fedplan::scheduler::{schedule, ScheduleReason, SchedulerOptions};
///
/// let clusters: Vec<Cluster> = ["member1", "member2"]
///     .iter()
///     .map(|n| {
///         let mut c = Cluster::default();
///         c.metadata.name = n.to_string();
///         c
///     })
///     .collect();
/// let mut binding = ResourceBinding::default();
/// binding.spec.resource.api_version = "v1".into();
/// binding.spec.resource.kind = "ConfigMap".into();
/// binding.spec.placement = Some(Default::default());
/// let outcome = schedule(&binding, &clusters, &SchedulerOptions::default());
/// // The clusters do not list the ConfigMap API.
/// assert_eq!(outcome.reason, Some(ScheduleReason::NoClusterFit));
/// assert_eq!(
///     outcome.condition.unwrap().message,
///     "0/2 clusters are available: 2 cluster(s) did not have the API resource."
/// );
/// ```
pub fn schedule(
    binding: &ResourceBinding,
    clusters: &[Cluster],
    options: &SchedulerOptions,
) -> ScheduleOutcome {
    schedule_in(binding, clusters, None, options)
}

/// [`schedule`] over a [`ClusterSnapshot`] prepared once for many bindings: the same
/// outcome, without reading every cluster's maps again for each binding.
///
/// ```
/// use fedplan::api::{Cluster, ResourceBinding};
/// use fedplan::scheduler::{schedule, schedule_prepared, ClusterSnapshot, SchedulerOptions};
///
/// let clusters: Vec<Cluster> = serde_json::from_value(serde_json::json!([
///     {"metadata": {"name": "member1"}, "status": {"apiEnablements": [
///         {"groupVersion": "v1", "resources": [{"name": "configmaps", "kind": "ConfigMap"}]}]}},
///     {"metadata": {"name": "member2"}}
/// ])).unwrap();
/// let snapshot = ClusterSnapshot::new(&clusters);
/// let options = SchedulerOptions::default();
/// for name in ["a", "b"] {
///     let mut binding = ResourceBinding::default();
///     binding.metadata.name = name.into();
///     binding.spec.resource.api_version = "v1".into();
///     binding.spec.resource.kind = "ConfigMap".into();
///     binding.spec.placement = Some(Default::default());
///     let outcome = schedule_prepared(&binding, &snapshot, &options);
///     assert_eq!(outcome.clusters[0].name, "member1");
///     assert_eq!(outcome, schedule(&binding, &clusters, &options));
/// }
/// ```
pub fn schedule_prepared(
    binding: &ResourceBinding,
    snapshot: &ClusterSnapshot<'_>,
    options: &SchedulerOptions,
) -> ScheduleOutcome {
    schedule_in(binding, snapshot.clusters(), Some(snapshot), options)
}

fn schedule_in(
    binding: &ResourceBinding,
    clusters: &[Cluster],
    snapshot: Option<&ClusterSnapshot<'_>>,
    options: &SchedulerOptions,
) -> ScheduleOutcome {
    let spec = &binding.spec;
    let observed = binding
        .status
        .as_ref()
        .and_then(|s| s.scheduler_observing_affinity_name.clone());
    let unchanged = |action| ScheduleOutcome {
        action,
        clusters: spec.clusters.clone(),
        clusters_written: false,
        condition: None,
        reason: None,
        affinity_name: observed.clone(),
        diagnosis: None,
    };
    if spec
        .suspension
        .as_ref()
        .and_then(|s| s.scheduling)
        .unwrap_or(false)
    {
        return unchanged(ScheduleAction::Suspended);
    }
    let Some(trigger) = reschedule::reschedule_trigger(binding, clusters) else {
        return unchanged(ScheduleAction::Kept);
    };
    let mut outcome = run_algorithm_in(binding, clusters, snapshot, options);
    outcome.action = ScheduleAction::Scheduled(trigger);
    outcome
}

/// Runs the scheduling algorithm unconditionally (no trigger or suspension check),
/// including the `clusterAffinities` fall-through.
pub fn run_algorithm(
    binding: &ResourceBinding,
    clusters: &[Cluster],
    options: &SchedulerOptions,
) -> ScheduleOutcome {
    run_algorithm_in(binding, clusters, None, options)
}

fn run_algorithm_in(
    binding: &ResourceBinding,
    clusters: &[Cluster],
    snapshot: Option<&ClusterSnapshot<'_>>,
    options: &SchedulerOptions,
) -> ScheduleOutcome {
    let context = |term: Option<usize>| {
        let ctx = SchedulingContext::new(binding, term);
        let mut ctx = match snapshot {
            Some(s) => ctx.with_snapshot(s),
            None => ctx,
        };
        ctx.explain = options.diagnose;
        ctx
    };
    let spec = &binding.spec;
    let observed = binding
        .status
        .as_ref()
        .and_then(|s| s.scheduler_observing_affinity_name.clone());
    let terms = spec
        .placement
        .as_ref()
        .filter(|p| p.cluster_affinity.is_none())
        .map_or(&[][..], |p| p.cluster_affinities.as_slice());

    let (result, affinity_name, diagnosis) = if terms.is_empty() {
        let ctx = context(None);
        let (r, d) = attempt(&ctx, clusters, snapshot, options);
        (r, observed.clone(), d)
    } else {
        let start = if reschedule::reschedule_requested(binding) {
            0
        } else {
            observed
                .as_deref()
                .and_then(|name| terms.iter().position(|t| t.affinity_name == name))
                .unwrap_or(0)
        };
        let mut first: Option<(ScheduleError, Option<Diagnosis>)> = None;
        let mut success = None;
        for (i, term) in terms.iter().enumerate().skip(start) {
            let ctx = context(Some(i));
            match attempt(&ctx, clusters, snapshot, options) {
                (Ok(r), d) => {
                    success = Some((r, term.affinity_name.clone(), d));
                    break;
                }
                (Err(e), d) => {
                    if first.is_none() {
                        first = Some((e, d));
                    }
                }
            }
        }
        match (success, first) {
            (Some((r, name, d)), _) => (Ok(r), Some(name), d),
            (None, Some((e, d))) => (Err(e), observed.clone(), d),
            // Only reachable when the start index is past the end, which it never is.
            (None, None) => (Ok(Vec::new()), observed.clone(), None),
        }
    };

    let (clusters_out, written, reason, message) = match result {
        Ok(r) => (
            r,
            true,
            ScheduleReason::Success,
            SUCCESS_MESSAGE.to_string(),
        ),
        Err(e) => {
            let reason = e.reason();
            let msg = e.to_string();
            if reason == ScheduleReason::NoClusterFit {
                (Vec::new(), true, reason, msg)
            } else {
                (spec.clusters.clone(), false, reason, msg)
            }
        }
    };
    let diagnosis = diagnosis.map(|mut d| {
        d.message.clone_from(&message);
        d
    });
    ScheduleOutcome {
        action: ScheduleAction::Scheduled(Trigger::AlwaysScheduled),
        clusters: clusters_out,
        clusters_written: written,
        condition: Some(Condition {
            type_: CONDITION_SCHEDULED.to_string(),
            status: if reason == ScheduleReason::Success {
                "True"
            } else {
                "False"
            }
            .to_string(),
            observed_generation: None,
            last_transition_time: None,
            reason: reason.as_str().to_string(),
            message,
        }),
        reason: Some(reason),
        affinity_name,
        diagnosis,
    }
}

type AttemptResult = (Result<Vec<TargetCluster>, ScheduleError>, Option<Diagnosis>);

/// One run of filter → score → select → assign with the context's affinity term.
fn attempt(
    ctx: &SchedulingContext<'_>,
    clusters: &[Cluster],
    snapshot: Option<&ClusterSnapshot<'_>>,
    options: &SchedulerOptions,
) -> AttemptResult {
    let fw = &options.framework;
    let spec = ctx.spec();
    let mut diag: Option<BTreeMap<&str, ClusterDiagnosis>> = options.diagnose.then(BTreeMap::new);

    // Filter.
    let mut feasible: Vec<&Cluster> = Vec::with_capacity(clusters.len());
    let mut feasible_at: Vec<usize> = Vec::with_capacity(clusters.len());
    let mut rejected: Vec<(usize, usize, framework::FilterResult)> = Vec::new();
    let mut passed_over: Vec<usize> = Vec::new();
    let fused = if diag.is_none() && snapshot.is_some() {
        fw.in_tree_filters().map(|f| f.for_placement(ctx.placement))
    } else {
        None
    };
    let passing = fused.as_ref().and_then(|f| f.passing_set(ctx));
    if let Some(passing) = &passing {
        for i in passing.indices() {
            if let Some(c) = clusters.get(i) {
                feasible.push(c);
                feasible_at.push(i);
            }
        }
        if feasible.is_empty() {
            passed_over.extend(
                (0..clusters.len()).filter(|&i| snapshot.is_some_and(|s| !s.is_deleting(i))),
            );
        }
    }
    for (i, c) in clusters.iter().enumerate() {
        if passing.is_some() {
            break;
        }
        let deleting = match snapshot {
            Some(s) => s.is_deleting(i),
            None => c.is_deleting(),
        };
        if deleting {
            if let Some(d) = diag.as_mut() {
                d.insert(
                    c.name(),
                    ClusterDiagnosis {
                        name: c.name().to_string(),
                        filtered_by: Some(FilteredBy {
                            plugin: diagnosis::DELETING.to_string(),
                            reason: "cluster is being deleted".to_string(),
                        }),
                        ..Default::default()
                    },
                );
            }
            continue;
        }
        if let Some(fused) = &fused {
            // Only the verdict counts here; the rejections are rebuilt below when shown.
            if fused.passes(ctx, i, c) {
                feasible.push(c);
                feasible_at.push(i);
            } else {
                passed_over.push(i);
            }
            continue;
        }
        match fw.run_filters_at(ctx, i, c) {
            None => {
                feasible.push(c);
                feasible_at.push(i);
            }
            Some((plugin, result)) => rejected.push((i, plugin, result)),
        }
    }
    if feasible.is_empty() {
        for &i in &passed_over {
            if let Some((plugin, result)) = fw.run_filters_at(ctx, i, &clusters[i]) {
                rejected.push((i, plugin, result));
            }
        }
    }
    if let Some(d) = diag.as_mut() {
        for (i, plugin, result) in &rejected {
            let c = &clusters[*i];
            d.insert(
                c.name(),
                ClusterDiagnosis {
                    name: c.name().to_string(),
                    filtered_by: Some(FilteredBy {
                        plugin: fw.filter_name(*plugin).to_string(),
                        reason: result.reason().unwrap_or_default().to_string(),
                    }),
                    ..Default::default()
                },
            );
        }
    }
    let finish = |diag: Option<BTreeMap<&str, ClusterDiagnosis>>, groups: Vec<GroupDiagnosis>| {
        diag.map(|d| Diagnosis {
            clusters: d.into_values().collect(),
            affinity_name: ctx.affinity_name.map(str::to_string),
            groups,
            message: String::new(),
        })
    };
    if feasible.is_empty() {
        if !ctx.explain {
            // Reasons were skipped for speed; ask the rejecting plugins again, in full.
            let mut explaining = ctx.clone();
            explaining.explain = true;
            for (i, plugin, result) in rejected.iter_mut() {
                if let Some(r) = fw.run_filter(*plugin, &explaining, &clusters[*i]) {
                    *result = r;
                }
            }
        }
        let message = fit_error_message(clusters.len(), rejected.iter().map(|r| &r.2));
        return (
            Err(ScheduleError::NoClusterFit(message)),
            finish(diag, Vec::new()),
        );
    }

    // Score.
    let mut scores = vec![0i64; feasible.len()];
    for (p, plugin) in fw.scores().iter().enumerate() {
        if diag.is_none() && fw.score_is_zero(p, ctx) {
            continue;
        }
        for (s, c) in scores.iter_mut().zip(&feasible) {
            match plugin.score(ctx, c) {
                Ok(v) => {
                    *s += v;
                    if let Some(d) = diag.as_mut() {
                        d.entry(c.name())
                            .or_insert_with(|| feasible_entry(c))
                            .scores
                            .insert(plugin.name().to_string(), v);
                    }
                }
                Err(e) => {
                    let msg = format!(
                        "failed to prioritize clusters: plugin {:?} failed with: {e}",
                        plugin.name()
                    );
                    return (
                        Err(ScheduleError::SchedulerError(msg)),
                        finish(diag, Vec::new()),
                    );
                }
            }
        }
    }

    // Candidates: capacity, overflow tier, order.
    let estimation = estimator::EstimationOptions::default();
    let estimates = match snapshot {
        Some(s) => {
            estimator::estimate_replicas_in(s, &feasible_at, spec, &options.estimators, &estimation)
        }
        None => estimator::estimate_replicas(&feasible, spec, &options.estimators, &estimation),
    };
    let mut candidates = select::candidates_with_estimates(
        ctx,
        &feasible,
        snapshot.map(|_| feasible_at.as_slice()),
        &scores,
        &estimates,
    );
    if let Some(d) = diag.as_mut() {
        for cand in &candidates {
            let e = d
                .entry(cand.cluster.name())
                .or_insert_with(|| feasible_entry(cand.cluster));
            e.feasible = true;
            e.available_replicas = Some(cand.allocatable_replicas);
        }
    }
    // Snapshot positions of the sorted candidates; a snapshot's name ranks order them
    // without comparing strings.
    let sorted_at: Option<Vec<usize>> = match snapshot {
        Some(s)
            if diag.is_none()
                && s.names_unique()
                && candidate_order_irrelevant(ctx.placement, spec, options) =>
        {
            Some(feasible_at)
        }
        Some(s) => {
            let prefix = if diag.is_none() {
                select::sorted_prefix_read(ctx.placement, spec.replicas)
            } else {
                None
            };
            Some(select::sort_candidates_at(
                &mut candidates,
                s,
                &feasible_at,
                prefix,
            ))
        }
        None => {
            select::sort_candidates_ranked(&mut candidates, None);
            None
        }
    };

    let groups = select::group_candidates_at(
        &candidates,
        snapshot.zip(sorted_at.as_deref()),
        spec,
        ctx.placement,
    );
    let group_diag = if diag.is_some() {
        groups
            .iter()
            .map(|g| GroupDiagnosis {
                field: g.field.as_str().to_string(),
                name: g.name.clone(),
                score: g.score,
                available_replicas: g.available_replicas,
                clusters: g
                    .members
                    .iter()
                    .map(|&i| candidates[i].name().to_string())
                    .collect(),
            })
            .collect()
    } else {
        Vec::new()
    };

    // Select.
    let selected =
        match select::select_best_clusters(&candidates, &groups, ctx.placement, spec.replicas) {
            Ok(s) => s,
            Err(e) => {
                let msg = format!("failed to select clusters: {e}");
                return (
                    Err(ScheduleError::SchedulerError(msg)),
                    finish(diag, group_diag),
                );
            }
        };
    let selected_at: Option<Vec<usize>> = sorted_at.as_ref().map(|at| {
        let mut positions = Vec::with_capacity(selected.len());
        for &i in &selected {
            if let Some(&p) = at.get(i) {
                positions.push(p);
            }
        }
        positions
    });
    let selected: Vec<&Candidate<'_>> = selected.iter().map(|&i| &candidates[i]).collect();

    // Assign.
    let positions = match (snapshot, selected_at.as_deref()) {
        (Some(snapshot), Some(indices)) => Some(assign::SnapshotPositions { snapshot, indices }),
        _ => None,
    };
    let result = assign(ctx, &selected, positions, options);
    if let (Ok(targets), Some(d)) = (&result, diag.as_mut()) {
        for t in targets {
            if let Some(e) = d.get_mut(t.name.as_str()) {
                e.assigned_replicas = Some(i64::from(t.replicas));
            }
        }
    }
    (result, finish(diag, group_diag))
}

/// Whether the outcome is the same whatever the order of the candidates: static weights
/// over every candidate (spread constraints ignored, no overflow tiers), divided by name,
/// for a workload of one template, without empty-workload propagation (which appends in
/// candidate order). With unique cluster names, the weight list holds one entry per name,
/// so its order does not show either.
fn candidate_order_irrelevant(
    placement: &crate::api::Placement,
    spec: &ResourceBindingSpec,
    options: &SchedulerOptions,
) -> bool {
    placement.replica_strategy() == Some(crate::api::ReplicaStrategy::StaticWeight)
        && placement.cluster_affinities.is_empty()
        && (placement.spread_constraints.is_empty()
            || select::spread_constraints_ignored(placement))
        && (spec.replicas > 0 || spec.replica_requirements.is_some())
        && spec.components.len() <= 1
        && !options.enable_empty_workload_propagation
        && !options.division.enable_empty_workload_propagation
}

fn feasible_entry(c: &Cluster) -> ClusterDiagnosis {
    ClusterDiagnosis {
        name: c.name().to_string(),
        feasible: true,
        ..Default::default()
    }
}

/// Karmada's FitError text: `0/<all> clusters are available: <count> <reason>, ....` with
/// the reason histogram sorted as strings.
pub fn fit_error_message<'r>(
    all_clusters: usize,
    rejections: impl Iterator<Item = &'r framework::FilterResult>,
) -> String {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for r in rejections {
        if let Some(reason) = r.reason() {
            *counts.entry(reason).or_default() += 1;
        }
    }
    if all_clusters == 0 || counts.is_empty() {
        return format!("0/{all_clusters} clusters are available: no cluster exists.");
    }
    let mut parts: Vec<String> = counts.iter().map(|(r, n)| format!("{n} {r}")).collect();
    parts.sort();
    format!(
        "0/{all_clusters} clusters are available: {}.",
        parts.join(", ")
    )
}

/// Replica assignment for the selected clusters, as Karmada's `AssignReplicas`: the mode
/// (Steady or Fresh) comes from the binding, the overflow tiers from the `clusterAffinities`
/// term of this attempt, the capacity from the selection step.
fn assign(
    ctx: &SchedulingContext<'_>,
    selected: &[&Candidate<'_>],
    positions: Option<assign::SnapshotPositions<'_>>,
    options: &SchedulerOptions,
) -> Result<Vec<TargetCluster>, ScheduleError> {
    let spec: &ResourceBindingSpec = ctx.spec();
    let candidates: Vec<assign::AssignCandidate<'_>> = selected
        .iter()
        .map(|c| assign::AssignCandidate {
            cluster: c.cluster,
            allocatable_replicas: c.allocatable_replicas,
            available_replicas: c.available_replicas,
            overflow_order: c.overflow_order,
        })
        .collect();
    let division = assign::DivisionOptions {
        mode: assign::AssignmentMode::for_binding(spec, ctx.binding.status.as_ref()),
        observed_affinity_name: ctx.affinity_name.map(str::to_string),
        enable_empty_workload_propagation: options.enable_empty_workload_propagation
            || options.division.enable_empty_workload_propagation,
        ..options.division.clone()
    };
    assign::assign_replicas_at(&candidates, positions, spec, &division).map_err(|e| {
        let message = format!("failed to assign replicas: {e}");
        if e.is_unschedulable() {
            ScheduleError::Unschedulable(message)
        } else {
            ScheduleError::SchedulerError(message)
        }
    })
}
