//! Replica assignment: how many replicas each selected cluster gets.
//!
//! The rules are Karmada's (`pkg/scheduler/core/assignment.go`, `division_algorithm.go`,
//! `common.go`), by strategy as [`Placement::replica_strategy`] resolves it:
//!
//! * **Duplicated**: every selected cluster gets `spec.replicas`.
//! * **StaticWeight**: a cluster's weight is the maximum over the `staticWeightList` rules
//!   whose `targetCluster` matches it; unmatched clusters are dropped; when nothing matches (or
//!   there is no weight preference) every cluster weighs 1. The replicas are divided from
//!   scratch with Webster ([`super::webster`]) on every call: static weights are not sticky.
//! * **DynamicWeight** and **Aggregated** are sticky (Steady mode): the previous result in
//!   `spec.clusters` is kept, only a scale-up delta is divided (weighted by each cluster's
//!   current estimate), a scale-down divides the new total by the current counts, and an equal
//!   total returns the previous result unchanged. Aggregated first keeps the shortest prefix of
//!   the capacity-sorted clusters (previously used clusters first) whose capacity covers the
//!   target, then divides proportionally inside it. Fresh mode (a requested reschedule)
//!   recomputes from scratch with weights = estimate + current replicas.
//! * **Overflow tiers** (`clusterAffinities` with `overflowAffinities`): the tiers are filled
//!   in order, each up to its available replicas.
//!
//! Clusters ending with 0 replicas are removed. Non-workloads (no replicas and no
//! requirements) and multi-component workloads get every selected cluster without replicas.
//!
//! Two options go beyond Karmada; both are off by default ([`DivisionOptions`]).
//!
//! One deliberate difference: Karmada orders the clusters by estimate with Go's `sort.Sort`,
//! which is stable only up to 12 entries; beyond that, the order of equal estimates (which
//! decides Aggregated's prefix at a tie) follows Go's pattern-defeating quicksort. fedplan
//! breaks such ties explicitly by the order selection delivers candidates in (see
//! `candidate_weights`), for any number of clusters.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::api::{
    Cluster, ComponentReplicas, Placement, ReplicaStrategy, ResourceBindingSpec,
    ResourceBindingStatus, StaticClusterWeight, TargetCluster,
};

use super::estimator::{calculate_available_replicas, is_multi_template_applicable, Estimator};
use super::snapshot::{ClusterSet, ClusterSnapshot, PreparedMatcher};
use super::webster::{self, clamp_i32, TieBreak};
use crate::selector::ClusterAffinityMatcher;

/// The overflow order of a cluster matching none of the observed term's affinities.
pub const OVERFLOW_ORDER_UNMATCHED: u32 = 1000;

/// How a sticky (DynamicWeight / Aggregated) assignment treats the previous result.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum AssignmentMode {
    /// Keep the previous result and change as little as possible (Karmada's default).
    #[default]
    Steady,
    /// Ignore the previous result (a reschedule was requested with `rescheduleTriggeredAt`).
    Fresh,
}

impl AssignmentMode {
    /// Fresh when `spec.rescheduleTriggeredAt` is strictly later than
    /// `status.lastScheduledTime` (both set), else Steady — Karmada's `RescheduleRequired`.
    /// Timestamps that are not RFC 3339 count as unset.
    pub fn for_binding(spec: &ResourceBindingSpec, status: Option<&ResourceBindingStatus>) -> Self {
        let triggered = spec
            .reschedule_triggered_at
            .as_deref()
            .and_then(rfc3339_nanos);
        let last = status
            .and_then(|s| s.last_scheduled_time.as_deref())
            .and_then(rfc3339_nanos);
        match (triggered, last) {
            (Some(t), Some(l)) if t > l => AssignmentMode::Fresh,
            _ => AssignmentMode::Steady,
        }
    }
}

/// Options of a replica assignment. The defaults are Karmada's behaviour for a binding that
/// is not being rescheduled explicitly.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DivisionOptions {
    /// No cluster loses replicas when the total grows (Karmada issue 6735).
    ///
    /// Applies to static weights, which Karmada recomputes from scratch. Webster alone never
    /// takes a replica away when only the total grows, but a from-scratch division does when
    /// the weights or the cluster set change at the same time, or when the previous result
    /// came from another rule. With the option, when the new total is at least the replicas
    /// already on clusters that keep a positive weight, those replicas stay and only the
    /// difference is handed out, by Webster continuing from the current counts (so the
    /// under-served clusters catch up first).
    ///
    /// Example: weights 1:1 on member1/member2 holding 2:2; member3 joins with weight 2 while
    /// the replicas grow 4 → 5. Karmada recomputes 1:1:3 (member1 and member2 each lose one);
    /// with the option the result is 2:2:1. An equal total keeps the previous result, so a
    /// weight change alone moves nothing until a Fresh reschedule. DynamicWeight and
    /// Aggregated never take replicas away on a scale-up in Steady mode; the option changes
    /// nothing there.
    pub stable_scale_up: bool,
    /// Every cluster with weight > 0 keeps at least one replica when there are enough
    /// replicas (Karmada issue 6424).
    ///
    /// Applies to static and dynamic weights (not Aggregated, whose point is to use few
    /// clusters): when the replicas being divided are at least the number of positively
    /// weighted clusters that would otherwise hold none, each of them starts with one seat and
    /// Webster hands out the rest. Example: weights 100:1 with 2 replicas give 2:0 in Karmada
    /// and 1:1 with the option. When Karmada's answer already gives every such cluster a
    /// replica, the answer is the same.
    pub min_one_per_weighted_cluster: bool,
    /// Steady or Fresh; see [`AssignmentMode::for_binding`].
    pub mode: AssignmentMode,
    /// `status.schedulerObservingAffinityName`: the `clusterAffinities` term in use, which
    /// decides the overflow tiers.
    pub observed_affinity_name: Option<String>,
    /// Karmada's `--enable-empty-workload-propagation`: a workload assigned 0 replicas keeps
    /// every selected cluster with `replicas: 0` instead of none.
    pub enable_empty_workload_propagation: bool,
    /// Karmada's `MultiplePodTemplatesScheduling` gate: multi-component bindings placed on
    /// exactly one cluster (see [`is_multi_template_applicable`]) also carry the
    /// per-component replica counts in each target cluster.
    pub multiple_pod_templates_scheduling: bool,
}

impl DivisionOptions {
    /// These options with the mode and the observed affinity name taken from the binding.
    pub fn for_binding(
        mut self,
        spec: &ResourceBindingSpec,
        status: Option<&ResourceBindingStatus>,
    ) -> Self {
        self.mode = AssignmentMode::for_binding(spec, status);
        self.observed_affinity_name =
            status.and_then(|s| s.scheduler_observing_affinity_name.clone());
        self
    }
}

/// Why replicas could not be assigned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AssignError {
    /// The placement's strategy combination is not one Karmada supports.
    #[error("unsupported replica scheduling strategy")]
    UnsupportedStrategy,
    /// The clusters cannot hold the replicas (Karmada's UnschedulableError; the binding's
    /// Scheduled condition gets reason `Unschedulable`).
    #[error("Clusters available replicas {available} are not enough to schedule.")]
    InsufficientReplicas {
        /// Replicas that fit.
        available: i64,
        /// Replicas wanted.
        wanted: i64,
    },
    /// The overflow tiers together cannot hold the replicas (also Unschedulable).
    #[error("Clusters available replicas are not enough to schedule.")]
    OverflowExhausted {
        /// Replicas left over after the last tier.
        remaining: i64,
    },
    /// No cluster was selected.
    #[error("no clusters available to schedule")]
    NoClusters,
}

impl AssignError {
    /// Whether Karmada reports this as Unschedulable (rather than SchedulerError).
    pub fn is_unschedulable(&self) -> bool {
        matches!(
            self,
            AssignError::InsufficientReplicas { .. } | AssignError::OverflowExhausted { .. }
        )
    }
}

/// A selected cluster as replica assignment sees it (Karmada's `ClusterDetailInfo`).
#[derive(Debug, Clone, Copy)]
pub struct AssignCandidate<'a> {
    /// The cluster.
    pub cluster: &'a Cluster,
    /// The estimators' answer: replicas that still fit (assignment weights).
    pub allocatable_replicas: i64,
    /// `allocatable_replicas` plus the replicas the binding already has there (selection
    /// and overflow tiers use this).
    pub available_replicas: i64,
    /// 0 for the primary affinity, `i` for the i-th overflow affinity,
    /// [`OVERFLOW_ORDER_UNMATCHED`] for none.
    pub overflow_order: u32,
}

impl<'a> AssignCandidate<'a> {
    /// A candidate whose available replicas add the binding's current replicas on the
    /// cluster to the estimate, with the overflow order derived from the placement.
    pub fn new(
        cluster: &'a Cluster,
        allocatable_replicas: i64,
        spec: &ResourceBindingSpec,
        observed_affinity_name: Option<&str>,
    ) -> Self {
        let assigned = spec
            .clusters
            .iter()
            .find(|tc| tc.name == cluster.name())
            .map_or(0, |tc| i64::from(tc.replicas));
        AssignCandidate {
            cluster,
            allocatable_replicas,
            available_replicas: allocatable_replicas.saturating_add(assigned),
            overflow_order: overflow_order(
                cluster,
                spec.placement.as_ref(),
                observed_affinity_name,
            ),
        }
    }

    fn name(&self) -> &'a str {
        self.cluster.name()
    }
}

/// Karmada's overflow order of a cluster: 0 without `clusterAffinities`; otherwise 0 when the
/// cluster matches the observed term's own affinity, `i` when it first matches the i-th
/// overflow affinity, and [`OVERFLOW_ORDER_UNMATCHED`] otherwise (also when no term has the
/// observed name).
pub fn overflow_order(
    cluster: &Cluster,
    placement: Option<&Placement>,
    observed_affinity_name: Option<&str>,
) -> u32 {
    let Some(placement) = placement else {
        return 0;
    };
    if placement.cluster_affinity.is_some() || placement.cluster_affinities.is_empty() {
        return 0;
    }
    let Some(term) = placement
        .cluster_affinities
        .iter()
        .find(|t| Some(t.affinity_name.as_str()) == observed_affinity_name)
    else {
        return OVERFLOW_ORDER_UNMATCHED;
    };
    if crate::selector::cluster_matches(cluster, &term.affinity) {
        return 0;
    }
    term.overflow_affinities
        .iter()
        .position(|o| crate::selector::cluster_matches(cluster, &o.affinity))
        .map_or(OVERFLOW_ORDER_UNMATCHED, |i| (i + 1) as u32)
}

/// Assigns `spec.replicas` over the selected `clusters` according to `spec.placement`,
/// starting from the previous result in `spec.clusters`.
///
/// The clusters' capacity comes from `estimators` (as [`calculate_available_replicas`]);
/// use [`assign_replicas_to_candidates`] when the selection step already has it.
///
/// ```
/// use fedplan::api::{Cluster, ResourceBindingSpec};
/// use fedplan::scheduler::assign::{assign_replicas, DivisionOptions};
///
/// let clusters: Vec<Cluster> = ["member1", "member2"].iter().map(|n| {
///     let mut c = Cluster::default();
///     c.metadata.name = n.to_string();
///     c
/// }).collect();
/// let spec: ResourceBindingSpec = serde_json::from_value(serde_json::json!({
///     "replicas": 3,
///     "placement": {"replicaScheduling": {
///         "replicaSchedulingType": "Divided", "replicaDivisionPreference": "Weighted"}}
/// })).unwrap();
/// let refs: Vec<&Cluster> = clusters.iter().collect();
/// let result = assign_replicas(&refs, &spec, &[], &DivisionOptions::default()).unwrap();
/// let counts: Vec<(&str, i32)> = result.iter().map(|t| (t.name.as_str(), t.replicas)).collect();
/// assert_eq!(counts, [("member1", 2), ("member2", 1)]);
/// ```
pub fn assign_replicas(
    clusters: &[&Cluster],
    spec: &ResourceBindingSpec,
    estimators: &[Arc<dyn Estimator>],
    options: &DivisionOptions,
) -> Result<Vec<TargetCluster>, AssignError> {
    let estimates = calculate_available_replicas(clusters, spec, estimators);
    let observed = options.observed_affinity_name.as_deref();
    let candidates: Vec<AssignCandidate<'_>> = clusters
        .iter()
        .zip(estimates.iter())
        .map(|(cluster, estimate)| {
            let allocatable = i64::from(estimate.replicas);
            AssignCandidate {
                cluster,
                allocatable_replicas: allocatable,
                available_replicas: allocatable.saturating_add(i64::from(estimate.assigned)),
                overflow_order: overflow_order(cluster, spec.placement.as_ref(), observed),
            }
        })
        .collect();
    assign_replicas_to_candidates(&candidates, spec, options)
}

/// Karmada's `AssignReplicas` over candidates whose capacity and overflow order the
/// selection step already computed.
pub fn assign_replicas_to_candidates(
    candidates: &[AssignCandidate<'_>],
    spec: &ResourceBindingSpec,
    options: &DivisionOptions,
) -> Result<Vec<TargetCluster>, AssignError> {
    assign_replicas_at(candidates, None, spec, options)
}

/// Where each candidate sits in a [`ClusterSnapshot`]: `indices[i]` is the position of
/// `candidates[i]`. Lets the assignment match selectors against the snapshot's cluster
/// sets and order names by the snapshot's ranks.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SnapshotPositions<'s> {
    pub(crate) snapshot: &'s ClusterSnapshot<'s>,
    pub(crate) indices: &'s [usize],
}

/// [`assign_replicas_to_candidates`] with the candidates' snapshot positions, when known.
pub(crate) fn assign_replicas_at(
    candidates: &[AssignCandidate<'_>],
    at: Option<SnapshotPositions<'_>>,
    spec: &ResourceBindingSpec,
    options: &DivisionOptions,
) -> Result<Vec<TargetCluster>, AssignError> {
    let at = at.filter(|a| a.indices.len() == candidates.len());
    if candidates.is_empty() {
        return Err(AssignError::NoClusters);
    }
    let is_workload = spec.replicas > 0 || spec.replica_requirements.is_some();
    if !is_workload || spec.components.len() > 1 {
        return Ok(without_replicas(candidates, spec, options));
    }
    let result = if uses_overflow_tiers(spec, options) {
        assign_by_tiers(candidates, spec, options)?
    } else {
        strategy_at(candidates, at, spec, spec.replicas, options)?
    };
    // Karmada removes the empty entries, then (with empty-workload propagation) appends
    // every selected cluster missing from the result with 0 replicas.
    let result: Vec<TargetCluster> = result.into_iter().filter(|tc| tc.replicas > 0).collect();
    if options.enable_empty_workload_propagation {
        return Ok(attach_zero_replica_clusters(candidates, result));
    }
    Ok(result)
}

/// Every candidate, with no replica count (non-workloads and multi-component workloads).
fn without_replicas(
    candidates: &[AssignCandidate<'_>],
    spec: &ResourceBindingSpec,
    options: &DivisionOptions,
) -> Vec<TargetCluster> {
    // Karmada records the per-component counts only where the whole set goes to exactly one
    // cluster (the same applicability test as the component-set estimate).
    let components: Vec<ComponentReplicas> =
        if options.multiple_pod_templates_scheduling && is_multi_template_applicable(spec) {
            spec.components
                .iter()
                .map(|c| ComponentReplicas {
                    name: c.name.clone(),
                    replicas: c.replicas,
                })
                .collect()
        } else {
            Vec::new()
        };
    candidates
        .iter()
        .map(|c| TargetCluster {
            name: c.name().to_string(),
            replicas: 0,
            components: components.clone(),
        })
        .collect()
}

/// Zero-replica entries stay, and selected clusters missing from the result are appended
/// with 0 replicas (`--enable-empty-workload-propagation`).
fn attach_zero_replica_clusters(
    candidates: &[AssignCandidate<'_>],
    mut result: Vec<TargetCluster>,
) -> Vec<TargetCluster> {
    let present: BTreeSet<String> = result.iter().map(|tc| tc.name.clone()).collect();
    for c in candidates {
        if !present.contains(c.name()) {
            result.push(TargetCluster {
                name: c.name().to_string(),
                replicas: 0,
                components: Vec::new(),
            });
        }
    }
    result
}

fn uses_overflow_tiers(spec: &ResourceBindingSpec, options: &DivisionOptions) -> bool {
    let (Some(placement), Some(observed)) = (&spec.placement, &options.observed_affinity_name)
    else {
        return false;
    };
    placement.cluster_affinity.is_none()
        && placement
            .cluster_affinities
            .iter()
            .any(|t| &t.affinity_name == observed && !t.overflow_affinities.is_empty())
}

/// Fills the overflow tiers in order, each with at most its available replicas.
fn assign_by_tiers(
    candidates: &[AssignCandidate<'_>],
    spec: &ResourceBindingSpec,
    options: &DivisionOptions,
) -> Result<Vec<TargetCluster>, AssignError> {
    let mut tiers: BTreeMap<u32, Vec<AssignCandidate<'_>>> = BTreeMap::new();
    for c in candidates {
        tiers.entry(c.overflow_order).or_default().push(*c);
    }
    let mut remaining = i64::from(spec.replicas);
    let mut result = Vec::new();
    for tier in tiers.values() {
        if remaining <= 0 {
            break;
        }
        let capacity: i64 = tier
            .iter()
            .map(|c| c.available_replicas)
            .fold(0, i64::saturating_add);
        let tier_replicas = remaining.min(capacity).max(0);
        let assigned = assign_by_strategy(tier, spec, clamp_i32(tier_replicas), options)?;
        result.extend(assigned.into_iter().filter(|tc| tc.replicas > 0));
        remaining -= tier_replicas;
    }
    if remaining > 0 {
        return Err(AssignError::OverflowExhausted { remaining });
    }
    Ok(result)
}

/// One strategy over `candidates`, for `replicas` replicas, as Karmada's per-strategy assign
/// functions return it: zero-replica entries are not removed yet and there is no workload
/// check. [`assign_replicas_to_candidates`] is the complete step.
pub fn assign_by_strategy(
    candidates: &[AssignCandidate<'_>],
    spec: &ResourceBindingSpec,
    replicas: i32,
    options: &DivisionOptions,
) -> Result<Vec<TargetCluster>, AssignError> {
    strategy_at(candidates, None, spec, replicas, options)
}

fn strategy_at(
    candidates: &[AssignCandidate<'_>],
    at: Option<SnapshotPositions<'_>>,
    spec: &ResourceBindingSpec,
    replicas: i32,
    options: &DivisionOptions,
) -> Result<Vec<TargetCluster>, AssignError> {
    let strategy = match &spec.placement {
        Some(placement) => placement
            .replica_strategy()
            .ok_or(AssignError::UnsupportedStrategy)?,
        None => ReplicaStrategy::Duplicated,
    };
    let tie = TieBreak::for_uid(&spec.resource.uid);
    match strategy {
        ReplicaStrategy::Duplicated => Ok(candidates
            .iter()
            .map(|c| target(c.name(), i64::from(replicas)))
            .collect()),
        ReplicaStrategy::StaticWeight => Ok(assign_by_static_weight(
            candidates, at, spec, replicas, tie, options,
        )),
        ReplicaStrategy::DynamicWeight | ReplicaStrategy::Aggregated => {
            let aggregated = strategy == ReplicaStrategy::Aggregated;
            assign_by_dynamic(candidates, spec, replicas, aggregated, tie, options)
        }
    }
}

fn target(name: &str, replicas: i64) -> TargetCluster {
    TargetCluster {
        name: name.to_string(),
        replicas: clamp_i32(replicas),
        components: Vec::new(),
    }
}

/// The static weight of each candidate (Karmada's `getStaticWeightInfoList`): the maximum
/// weight of the matching rules, dropping clusters without a positive weight; all 1 when no
/// cluster has one or there is no weight preference. Candidate order.
pub fn static_weights<'a>(
    candidates: &[&'a Cluster],
    spec: &ResourceBindingSpec,
) -> Vec<(&'a str, i64)> {
    static_weights_at(candidates, None, spec).0
}

/// [`static_weights`], with the name rank of each weighted cluster when the candidates'
/// snapshot positions are known.
fn static_weights_at<'a>(
    candidates: &[&'a Cluster],
    at: Option<SnapshotPositions<'_>>,
    spec: &ResourceBindingSpec,
) -> (Vec<(&'a str, i64)>, Option<Vec<u32>>) {
    let all_one = || -> (Vec<(&'a str, i64)>, Option<Vec<u32>>) {
        (
            candidates.iter().map(|c| (c.name(), 1)).collect(),
            at.map(|a| a.indices.iter().map(|&i| a.snapshot.name_rank(i)).collect()),
        )
    };
    let rules = static_weight_rules(spec);
    let Some(rules) = rules else {
        return all_one();
    };
    let (by_name, general) = weight_rules(rules, at);
    let mut ranks: Option<Vec<u32>> = at.map(|_| Vec::with_capacity(candidates.len()));
    let mut weighted: Vec<(&str, i64)> = Vec::with_capacity(candidates.len());
    for (j, c) in candidates.iter().enumerate() {
        let index = at.and_then(|a| a.indices.get(j).copied());
        let weight = rule_weight(&by_name, &general, c, index);
        if weight > 0 {
            weighted.push((c.name(), weight));
            if let (Some(r), Some(a), Some(i)) = (ranks.as_mut(), at, index) {
                r.push(a.snapshot.name_rank(i));
            }
        }
    }
    if weighted
        .iter()
        .map(|(_, w)| *w)
        .fold(0, i64::saturating_add)
        == 0
    {
        return all_one();
    }
    (weighted, ranks)
}

fn assign_by_static_weight(
    candidates: &[AssignCandidate<'_>],
    at: Option<SnapshotPositions<'_>>,
    spec: &ResourceBindingSpec,
    replicas: i32,
    tie: TieBreak,
    options: &DivisionOptions,
) -> Vec<TargetCluster> {
    if let Some(a) = at {
        if a.snapshot.names_unique()
            && !(options.stable_scale_up && options.mode == AssignmentMode::Steady)
        {
            return static_division_in_name_order(
                candidates,
                a,
                spec,
                replicas,
                tie,
                options.min_one_per_weighted_cluster,
            );
        }
    }
    let clusters: Vec<&Cluster> = candidates.iter().map(|c| c.cluster).collect();
    let (weights, ranks) = static_weights_at(&clusters, at, spec);
    let mut base: Vec<TargetCluster> = Vec::new();
    let mut to_divide = i64::from(replicas);
    if options.stable_scale_up && options.mode == AssignmentMode::Steady {
        let weighted: BTreeSet<&str> = weights.iter().map(|(name, _)| *name).collect();
        let previous: Vec<TargetCluster> = spec
            .clusters
            .iter()
            .filter(|tc| weighted.contains(tc.name.as_str()))
            .map(|tc| target(&tc.name, i64::from(tc.replicas.max(0))))
            .collect();
        let held: i64 = previous.iter().map(|tc| i64::from(tc.replicas)).sum();
        if held > 0 && held <= to_divide {
            to_divide -= held;
            base = previous;
        }
    }
    let divided = divide(
        &weights,
        ranks.as_deref(),
        &base,
        to_divide,
        tie,
        options.min_one_per_weighted_cluster,
    );
    match at {
        // The complete step drops empty entries anyway: skip naming them.
        Some(_) => divided
            .into_iter()
            .filter(|p| p.1 > 0)
            .map(|(n, r)| target(n, r))
            .collect(),
        None => named(divided),
    }
}

/// Webster over `weights`, continuing from the seats in `base`; every party of `weights` and
/// `base` comes back, sorted by name. With `min_one`, parties with a positive weight and no
/// seat start with one when there are enough seats for all of them. `ranks[i]`, when given,
/// is the name rank of `weights[i]` (comparing ranks compares names).
fn divide<'n>(
    weights: &[(&'n str, i64)],
    ranks: Option<&[u32]>,
    base: &'n [TargetCluster],
    new_seats: i64,
    tie: TieBreak,
    min_one: bool,
) -> Vec<(&'n str, i64)> {
    let base_seats = || -> Vec<(&'n str, i64)> {
        base.iter()
            .map(|tc| (tc.name.as_str(), i64::from(tc.replicas)))
            .collect()
    };
    if new_seats == 0 && !base.is_empty() {
        return base_seats();
    }
    if weights.iter().map(|(_, w)| *w).fold(0, i64::saturating_add) == 0 {
        return base_seats();
    }
    // One entry per name, sorted by name; a repeated name keeps its last weight and its last
    // seats. A sorted vector instead of a map: this runs once per scheduling call.
    let parties = base.len() + weights.len();
    let mut names: Vec<&str> = Vec::with_capacity(parties);
    let mut votes: Vec<i64> = Vec::with_capacity(parties);
    let mut seats: Vec<i64> = Vec::with_capacity(parties);
    match ranks {
        Some(ranks) if base.is_empty() && ranks.len() == weights.len() => {
            // By rank, then position: the stable name order without comparing strings;
            // equal ranks are equal names, the last weight stays.
            let mut keyed: Vec<u64> = ranks
                .iter()
                .enumerate()
                .map(|(i, &r)| (u64::from(r) << 32) | i as u64)
                .collect();
            keyed.sort_unstable();
            let mut last_rank = None;
            for k in keyed {
                let Some(&(name, weight)) = weights.get((k & 0xffff_ffff) as usize) else {
                    continue;
                };
                let rank = k >> 32;
                if last_rank == Some(rank) {
                    if let Some(v) = votes.last_mut() {
                        *v = weight;
                    }
                } else {
                    last_rank = Some(rank);
                    names.push(name);
                    votes.push(weight);
                    seats.push(0);
                }
            }
        }
        _ => {
            let mut entries: Vec<(&str, bool, i64)> = Vec::with_capacity(parties);
            entries.extend(
                base.iter()
                    .map(|tc| (tc.name.as_str(), false, i64::from(tc.replicas))),
            );
            entries.extend(weights.iter().map(|(name, weight)| (*name, true, *weight)));
            entries.sort_by(|a, b| a.0.cmp(b.0));
            for (name, is_weight, value) in entries {
                if names.last() != Some(&name) {
                    names.push(name);
                    votes.push(0);
                    seats.push(0);
                }
                let last = names.len() - 1;
                if is_weight {
                    votes[last] = value;
                } else {
                    seats[last] = value;
                }
            }
        }
    }
    seat_sorted_parties(&names, &votes, &mut seats, new_seats, tie, min_one);
    names.into_iter().zip(seats).collect()
}

/// Hands out `new_seats` with Webster over parties sorted by name; with `min_one`, parties
/// with a positive weight and no seat first get one each when there are enough seats.
fn seat_sorted_parties(
    names: &[&str],
    votes: &[i64],
    seats: &mut [i64],
    new_seats: i64,
    tie: TieBreak,
    min_one: bool,
) {
    let mut remaining = new_seats;
    if min_one {
        let empty: Vec<usize> = (0..names.len())
            .filter(|i| votes[*i] > 0 && seats[*i] == 0)
            .collect();
        if !empty.is_empty() && empty.len() as i64 <= remaining {
            for i in &empty {
                seats[*i] = 1;
            }
            remaining -= empty.len() as i64;
        }
    }
    webster::allocate_sorted_in_place(remaining, names, votes, seats, tie);
}

/// The static-weight division from scratch over candidates of a snapshot whose names are
/// unique: weights are kept by snapshot position and read back in the snapshot's name order,
/// so the parties come sorted by name without sorting. Same answer as
/// [`static_weights_at`] followed by [`divide`].
fn static_division_in_name_order(
    candidates: &[AssignCandidate<'_>],
    at: SnapshotPositions<'_>,
    spec: &ResourceBindingSpec,
    replicas: i32,
    tie: TieBreak,
    min_one: bool,
) -> Vec<TargetCluster> {
    let snapshot = at.snapshot;
    let clusters = snapshot.clusters();
    // Per snapshot position: the candidate's weight, 0 when it has none (or is no candidate).
    let mut weight_at = vec![0i64; snapshot.len()];
    let mut any_weight = false;
    let rules = static_weight_rules(spec);
    if let Some(rules) = rules {
        let (by_name, general) = weight_rules(rules, Some(at));
        let sets: Option<Vec<(&ClusterSet, i64)>> = general
            .iter()
            .map(|(_, prepared, weight)| match prepared {
                Some(PreparedMatcher::Members(set)) => Some((set, *weight)),
                _ => None,
            })
            .collect();
        match sets {
            // Every rule is a snapshot cluster set: walk each set's members once.
            Some(sets) if by_name.is_empty() => {
                let mut candidate = vec![false; snapshot.len()];
                for &index in at.indices {
                    if let Some(flag) = candidate.get_mut(index) {
                        *flag = true;
                    }
                }
                for (set, weight) in sets {
                    for index in set.indices() {
                        if let (Some(true), Some(slot)) =
                            (candidate.get(index), weight_at.get_mut(index))
                        {
                            *slot = (*slot).max(weight);
                        }
                    }
                }
                any_weight = weight_at.iter().any(|&w| w > 0);
            }
            _ => {
                for (c, &index) in candidates.iter().zip(at.indices) {
                    let weight = rule_weight(&by_name, &general, c.cluster, Some(index));
                    if weight > 0 {
                        if let Some(slot) = weight_at.get_mut(index) {
                            *slot = weight;
                            any_weight = true;
                        }
                    }
                }
            }
        }
    }
    if !any_weight {
        // No cluster has a positive weight: every candidate weighs 1.
        for &index in at.indices {
            if let Some(slot) = weight_at.get_mut(index) {
                *slot = 1;
            }
        }
    }
    let mut names: Vec<&str> = Vec::with_capacity(at.indices.len());
    let mut votes: Vec<i64> = Vec::with_capacity(at.indices.len());
    for &index in snapshot.by_name() {
        let index = index as usize;
        if let (Some(&w), Some(c)) = (weight_at.get(index), clusters.get(index)) {
            if w > 0 {
                names.push(c.name());
                votes.push(w);
            }
        }
    }
    if votes.iter().copied().fold(0, i64::saturating_add) == 0 {
        return Vec::new();
    }
    let mut seats = vec![0i64; names.len()];
    seat_sorted_parties(
        &names,
        &votes,
        &mut seats,
        i64::from(replicas),
        tie,
        min_one,
    );
    let mut targets = Vec::with_capacity(seats.iter().filter(|&&r| r > 0).count());
    for (n, &r) in names.iter().zip(&seats) {
        if r > 0 {
            targets.push(target(n, r));
        }
    }
    targets
}

/// A static weight rule matched by selectors, with its snapshot form when there is one.
type GeneralRule<'r> = (ClusterAffinityMatcher<'r>, Option<PreparedMatcher>, i64);

/// The static weight rules split into rules naming clusters and nothing else (as sorted
/// `(name, largest weight)` pairs, looked up by name) and the others (matched against each
/// cluster). Same answer as matching every rule, without the n × m cost.
fn weight_rules<'r>(
    rules: &'r [crate::api::StaticClusterWeight],
    at: Option<SnapshotPositions<'_>>,
) -> (Vec<(&'r str, i64)>, Vec<GeneralRule<'r>>) {
    let mut by_name: Vec<(&str, i64)> = Vec::new();
    let mut general: Vec<GeneralRule<'r>> = Vec::new();
    for rule in rules {
        let t = &rule.target_cluster;
        if t.label_selector.is_none()
            && t.field_selector.is_none()
            && t.exclude.is_empty()
            && !t.cluster_names.is_empty()
        {
            by_name.extend(t.cluster_names.iter().map(|n| (n.as_str(), rule.weight)));
        } else {
            // Selectors are checked once here, not once per cluster.
            let matcher = ClusterAffinityMatcher::new(&rule.target_cluster);
            let prepared = at.map(|a| a.snapshot.prepare_matcher(&matcher, &rule.target_cluster));
            general.push((matcher, prepared, rule.weight));
        }
    }
    // Largest weight first within a name, so the first entry of a name is its maximum.
    by_name.sort_by(|a, b| a.0.cmp(b.0).then(b.1.cmp(&a.1)));
    by_name.dedup_by(|later, first| later.0 == first.0);
    (by_name, general)
}

/// The weight of `cluster` (at `index` of the snapshot, when known): the largest weight of
/// the rules matching it, 0 when none does.
fn rule_weight(
    by_name: &[(&str, i64)],
    general: &[GeneralRule<'_>],
    cluster: &Cluster,
    index: Option<usize>,
) -> i64 {
    let named = by_name
        .binary_search_by(|(name, _)| (*name).cmp(cluster.name()))
        .map_or(0, |i| by_name[i].1);
    general
        .iter()
        .filter(|(matcher, prepared, _)| match (prepared, index) {
            (Some(p), Some(i)) => ClusterSnapshot::matches(p, matcher, i, cluster),
            _ => matcher.matches(cluster),
        })
        .map(|(_, _, weight)| *weight)
        .fold(named.max(0), i64::max)
}

/// Karmada's `assignByDynamicStrategy` (DynamicWeight and Aggregated).
fn assign_by_dynamic(
    candidates: &[AssignCandidate<'_>],
    spec: &ResourceBindingSpec,
    replicas: i32,
    aggregated: bool,
    tie: TieBreak,
    options: &DivisionOptions,
) -> Result<Vec<TargetCluster>, AssignError> {
    let mut candidate_names: Vec<&str> = candidates.iter().map(|c| c.name()).collect();
    candidate_names.sort_unstable();
    // Replicas on clusters that are no longer candidates count as unassigned.
    let scheduled: Vec<TargetCluster> = spec
        .clusters
        .iter()
        .filter(|tc| candidate_names.binary_search(&tc.name.as_str()).is_ok())
        .cloned()
        .collect();
    let assigned: i64 = scheduled.iter().map(|tc| i64::from(tc.replicas)).sum();
    let replicas = i64::from(replicas);
    let min_one = options.min_one_per_weighted_cluster && !aggregated;

    if options.mode == AssignmentMode::Fresh {
        let mut current: BTreeMap<&str, i64> = BTreeMap::new();
        for tc in &scheduled {
            *current.entry(tc.name.as_str()).or_default() += i64::from(tc.replicas);
        }
        let weights = candidate_weights(candidates, spec, |c| {
            let held = current.get(c.name()).copied().unwrap_or(0);
            c.allocatable_replicas.saturating_add(held)
        });
        return divide_dynamic(weights, replicas, aggregated, &[], tie, min_one);
    }
    if assigned > replicas {
        // Scale down proportionally to the current counts; capacity plays no part.
        let weights: Vec<(&str, i64)> = scheduled
            .iter()
            .map(|tc| (tc.name.as_str(), i64::from(tc.replicas)))
            .collect();
        return divide_dynamic(
            by_weight_descending(weights),
            replicas,
            aggregated,
            &[],
            tie,
            min_one,
        );
    }
    if assigned < replicas {
        let weights = candidate_weights(candidates, spec, |c| c.allocatable_replicas);
        return divide_dynamic(
            weights,
            replicas - assigned,
            aggregated,
            &scheduled,
            tie,
            min_one,
        );
    }
    Ok(scheduled)
}

/// Karmada's `dynamicDivideReplicas` over an already ordered weight list: check the capacity,
/// keep Aggregated's shortest covering prefix (clusters with replicas in `scheduled` moved
/// first), divide `target` with Webster and add the `scheduled` replicas (new entries first,
/// then untouched previous ones).
///
/// ```
/// use fedplan::api::TargetCluster;
/// use fedplan::scheduler::assign::dynamic_divide_replicas;
/// use fedplan::scheduler::webster::TieBreak;
/// let weights: Vec<TargetCluster> = [("m3", 10), ("m2", 8), ("m1", 6)].iter()
///     .map(|(n, r)| TargetCluster { name: n.to_string(), replicas: *r, components: vec![] })
///     .collect();
/// let result = dynamic_divide_replicas(&weights, 12, true, &[], TieBreak::NameAscending).unwrap();
/// let counts: Vec<(&str, i32)> = result.iter().map(|t| (t.name.as_str(), t.replicas)).collect();
/// assert_eq!(counts, [("m2", 5), ("m3", 7)]);
/// ```
pub fn dynamic_divide_replicas(
    available: &[TargetCluster],
    target: i64,
    aggregated: bool,
    scheduled: &[TargetCluster],
    tie: TieBreak,
) -> Result<Vec<TargetCluster>, AssignError> {
    let weights: Vec<(&str, i64)> = available
        .iter()
        .map(|tc| (tc.name.as_str(), i64::from(tc.replicas)))
        .collect();
    divide_dynamic(weights, target, aggregated, scheduled, tie, false)
}

/// The candidates' weights, largest first. Karmada sorts stably by weight alone, so ties
/// keep the order in which selection delivers the candidates: overflow order, then score
/// (100 for clusters already in `spec.clusters`, the in-tree ClusterLocality score), then
/// available replicas (larger first), then name. That order is applied explicitly here, so
/// the result does not depend on the order of the candidate slice.
fn candidate_weights<'a>(
    candidates: &[AssignCandidate<'a>],
    spec: &ResourceBindingSpec,
    weight: impl Fn(&AssignCandidate<'a>) -> i64,
) -> Vec<(&'a str, i64)> {
    let mut used: Vec<&str> = spec.clusters.iter().map(|tc| tc.name.as_str()).collect();
    used.sort_unstable();
    let mut keyed: Vec<(i64, u32, bool, i64, &'a str)> = candidates
        .iter()
        .map(|c| {
            let previously_used = used.binary_search(&c.name()).is_ok();
            (
                weight(c),
                c.overflow_order,
                previously_used,
                c.available_replicas,
                c.name(),
            )
        })
        .collect();
    keyed.sort_by(|a, b| {
        b.0.cmp(&a.0)
            .then(a.1.cmp(&b.1))
            .then(b.2.cmp(&a.2))
            .then(b.3.cmp(&a.3))
            .then(a.4.cmp(b.4))
    });
    keyed.into_iter().map(|k| (k.4, k.0)).collect()
}

/// Orders a weight list by weight, largest first, keeping the incoming order on ties (Go's
/// `sort.Sort` on Karmada's lists, which are insertion-sorted up to 12 entries).
fn by_weight_descending(mut weights: Vec<(&str, i64)>) -> Vec<(&str, i64)> {
    weights.sort_by_key(|w| std::cmp::Reverse(w.1));
    weights
}

fn divide_dynamic(
    mut weights: Vec<(&str, i64)>,
    target: i64,
    aggregated: bool,
    scheduled: &[TargetCluster],
    tie: TieBreak,
    min_one: bool,
) -> Result<Vec<TargetCluster>, AssignError> {
    let available: i64 = weights.iter().map(|(_, w)| *w).fold(0, i64::saturating_add);
    if available < target {
        return Err(AssignError::InsufficientReplicas {
            available,
            wanted: target,
        });
    }
    if aggregated {
        let prior: BTreeSet<&str> = scheduled
            .iter()
            .filter(|tc| tc.replicas > 0)
            .map(|tc| tc.name.as_str())
            .collect();
        if !prior.is_empty() {
            let (mut front, back): (Vec<_>, Vec<_>) = weights
                .into_iter()
                .partition(|(name, _)| prior.contains(name));
            front.extend(back);
            weights = front;
        }
        let mut sum: i64 = 0;
        if let Some(end) = weights.iter().position(|(_, w)| {
            sum = sum.saturating_add(*w);
            sum >= target
        }) {
            weights.truncate(end + 1);
        }
    }
    let zero_floor: Vec<(&str, i64)> = if min_one {
        // Clusters already holding replicas keep them; only empty ones need a seat.
        let holding: BTreeSet<&str> = scheduled
            .iter()
            .filter(|tc| tc.replicas > 0)
            .map(|tc| tc.name.as_str())
            .collect();
        weights
            .iter()
            .filter(|(name, _)| !holding.contains(name))
            .copied()
            .collect()
    } else {
        Vec::new()
    };
    let divided = if min_one && !zero_floor.is_empty() {
        divide_with_floor(&weights, &zero_floor, target, tie)
    } else {
        named(divide(&weights, None, &[], target, tie, false))
    };
    Ok(merge_target_clusters(scheduled, divided))
}

/// Webster over `weights` where the parties of `floor` with a positive weight start with one
/// seat, when there are enough seats for all of them.
fn divide_with_floor(
    weights: &[(&str, i64)],
    floor: &[(&str, i64)],
    seats: i64,
    tie: TieBreak,
) -> Vec<TargetCluster> {
    let needy: Vec<&str> = floor
        .iter()
        .filter(|(_, w)| *w > 0)
        .map(|(n, _)| *n)
        .collect();
    if needy.len() as i64 > seats {
        return named(divide(weights, None, &[], seats, tie, false));
    }
    let base: Vec<TargetCluster> = needy.iter().map(|n| target(n, 1)).collect();
    named(divide(
        weights,
        None,
        &base,
        seats - needy.len() as i64,
        tie,
        false,
    ))
}

/// Target clusters from `(name, replicas)` pairs.
fn named(seats: Vec<(&str, i64)>) -> Vec<TargetCluster> {
    seats.into_iter().map(|(n, r)| target(n, r)).collect()
}

/// Karmada's `MergeTargetClusters`: the new entries first (each plus its previous replicas),
/// then the previous entries the new result does not mention.
fn merge_target_clusters(old: &[TargetCluster], new: Vec<TargetCluster>) -> Vec<TargetCluster> {
    if old.is_empty() {
        return new;
    }
    if new.is_empty() {
        return old.to_vec();
    }
    // (name, replicas, still unmentioned) sorted by name for lookups; duplicates add up.
    let mut previous: Vec<(&str, i64, bool)> = old
        .iter()
        .map(|tc| (tc.name.as_str(), i64::from(tc.replicas), true))
        .collect();
    previous.sort_by(|a, b| a.0.cmp(b.0));
    previous.dedup_by(|later, first| {
        let same = later.0 == first.0;
        if same {
            first.1 += later.1;
        }
        same
    });
    let mut merged: Vec<TargetCluster> = new
        .into_iter()
        .map(|mut tc| {
            if let Ok(i) = previous.binary_search_by(|p| p.0.cmp(tc.name.as_str())) {
                if previous[i].2 {
                    previous[i].2 = false;
                    tc.replicas = clamp_i32(i64::from(tc.replicas) + previous[i].1);
                }
            }
            tc
        })
        .collect();
    merged.extend(
        old.iter()
            .filter(|tc| {
                previous
                    .binary_search_by(|p| p.0.cmp(tc.name.as_str()))
                    .is_ok_and(|i| previous[i].2)
            })
            .cloned(),
    );
    merged
}

/// Nanoseconds since the Unix epoch of an RFC 3339 timestamp
/// (`YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`), or `None` when malformed.
fn rfc3339_nanos(text: &str) -> Option<i128> {
    let bytes = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| -> Option<i64> {
        let part = text.get(range)?;
        if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        part.parse().ok()
    };
    if bytes.len() < 20
        || bytes.get(4) != Some(&b'-')
        || bytes.get(7) != Some(&b'-')
        || !matches!(bytes.get(10), Some(b'T' | b't' | b' '))
        || bytes.get(13) != Some(&b':')
        || bytes.get(16) != Some(&b':')
    {
        return None;
    }
    let (year, month, day) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
    let (hour, minute, second) = (digits(11..13)?, digits(14..16)?, digits(17..19)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 {
        return None;
    }
    if second > 60 {
        return None;
    }
    let mut pos = 19;
    let mut nanos: i128 = 0;
    if bytes.get(pos) == Some(&b'.') {
        let start = pos + 1;
        let mut end = start;
        while bytes.get(end).is_some_and(u8::is_ascii_digit) {
            end += 1;
        }
        if end == start {
            return None;
        }
        let frac = text.get(start..end.min(start + 9))?;
        nanos = frac.parse::<i128>().ok()? * 10i128.pow(9 - frac.len() as u32);
        pos = end;
    }
    let offset_seconds: i64 = match bytes.get(pos) {
        Some(b'Z' | b'z') if pos + 1 == bytes.len() => 0,
        Some(sign @ (b'+' | b'-'))
            if pos + 6 == bytes.len() && bytes.get(pos + 3) == Some(&b':') =>
        {
            let hours = digits(pos + 1..pos + 3)?;
            let minutes = digits(pos + 4..pos + 6)?;
            let total = hours * 3600 + minutes * 60;
            if *sign == b'+' {
                total
            } else {
                -total
            }
        }
        _ => return None,
    };
    // Days from the civil date (proleptic Gregorian), Howard Hinnant's algorithm.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset_seconds;
    Some(i128::from(seconds) * 1_000_000_000 + nanos)
}

/// The placement's static weight rules, if it has any.
fn static_weight_rules(spec: &ResourceBindingSpec) -> Option<&[StaticClusterWeight]> {
    spec.placement
        .as_ref()
        .and_then(|p| p.replica_scheduling.as_ref())
        .and_then(|rs| rs.weight_preference.as_ref())
        .map(|wp| wp.static_weight_list.as_slice())
}

#[cfg(test)]
mod tests;
