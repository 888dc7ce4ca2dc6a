//! Cluster selection with spread constraints: candidate ordering, topology groups and their
//! scores, the region search, and the "swap in a bigger spare" rule for cluster spreading.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use std::sync::Arc;

use super::estimator::{estimate_replicas, EstimationOptions, Estimator};
use super::framework::SchedulingContext;
use super::snapshot::{ClusterSnapshot, NO_GROUP};
use crate::api::{
    Cluster, Placement, ReplicaDivisionPreference, ReplicaSchedulingType, ResourceBindingSpec,
    SpreadByField, SpreadConstraint,
};

/// A feasible cluster as the selection step sees it (Karmada's `ClusterDetailInfo`).
#[derive(Debug, Clone)]
pub struct Candidate<'a> {
    /// The cluster.
    pub cluster: &'a Cluster,
    /// Sum of the score plugins.
    pub score: i64,
    /// The estimator's answer for the cluster.
    pub allocatable_replicas: i64,
    /// `allocatable_replicas` plus the replicas the binding already holds there.
    pub available_replicas: i64,
    /// 0 for the affinity term itself, `i` for its `i`-th overflow affinity, 1000 otherwise.
    pub overflow_order: u32,
}

impl Candidate<'_> {
    /// The cluster name.
    pub fn name(&self) -> &str {
        self.cluster.name()
    }
}

/// The candidates for feasible clusters with their summed scores: capacity from the
/// estimators (plus the replicas already held, for selection) and the overflow tier, in the
/// order given.
pub fn build_candidates<'a>(
    ctx: &SchedulingContext<'_>,
    feasible: &[&'a Cluster],
    scores: &[i64],
    estimators: &[Arc<dyn Estimator>],
) -> Vec<Candidate<'a>> {
    let spec = ctx.spec();
    let available = estimate_replicas(feasible, spec, estimators, &EstimationOptions::default());
    candidates_with_estimates(ctx, feasible, None, scores, &available)
}

/// The candidates for feasible clusters given their estimates; `indices` are their
/// positions in the context's snapshot, when it has one.
pub(crate) fn candidates_with_estimates<'a>(
    ctx: &SchedulingContext<'_>,
    feasible: &[&'a Cluster],
    indices: Option<&[usize]>,
    scores: &[i64],
    available: &[i32],
) -> Vec<Candidate<'a>> {
    let spec = ctx.spec();
    let tiers =
        !(ctx.placement.cluster_affinity.is_some() || ctx.placement.cluster_affinities.is_empty());
    if !tiers && !ctx.has_targets() {
        // No overflow tiers and no replicas held: the estimates are the available replicas.
        return feasible
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let allocatable = available
                    .get(i)
                    .map_or(i64::from(spec.replicas), |a| i64::from(*a));
                Candidate {
                    cluster: c,
                    score: scores.get(i).copied().unwrap_or(0),
                    allocatable_replicas: allocatable,
                    available_replicas: allocatable,
                    overflow_order: 0,
                }
            })
            .collect();
    }
    feasible
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let allocatable = available
                .get(i)
                .map_or(i64::from(spec.replicas), |a| i64::from(*a));
            let overflow_order = match indices.and_then(|x| x.get(i)) {
                Some(&index) if tiers => overflow_order_at(ctx, index, c),
                _ if tiers => overflow_order(ctx, c),
                _ => 0,
            };
            Candidate {
                cluster: c,
                score: scores.get(i).copied().unwrap_or(0),
                allocatable_replicas: allocatable,
                available_replicas: allocatable + ctx.assigned_replicas(c.name()),
                overflow_order,
            }
        })
        .collect()
}

/// [`overflow_order`] for the cluster at `index` of the context's snapshot.
fn overflow_order_at(ctx: &SchedulingContext<'_>, index: usize, cluster: &Cluster) -> u32 {
    match ctx.affinity_matches_at(index, cluster) {
        None => 1000,
        Some(true) => 0,
        Some(false) => ctx
            .overflow_position_at(index, cluster)
            .map_or(1000, |i| u32::try_from(i + 1).unwrap_or(1000)),
    }
}

/// 0 for the term's own clusters, `i` for its `i`-th overflow affinity, 1000 for the rest;
/// always 0 without `clusterAffinities`.
pub fn overflow_order(ctx: &SchedulingContext<'_>, cluster: &Cluster) -> u32 {
    if ctx.placement.cluster_affinity.is_some() || ctx.placement.cluster_affinities.is_empty() {
        return 0;
    }
    let Some(affinity) = &ctx.affinity_matcher else {
        return 1000;
    };
    if affinity.matches(cluster) {
        return 0;
    }
    ctx.overflow_matchers
        .iter()
        .position(|o| o.matches(cluster))
        .map_or(1000, |i| u32::try_from(i + 1).unwrap_or(1000))
}

/// The scheduler's cluster order: overflowOrder ascending, score descending, available
/// replicas descending, name ascending.
pub fn candidate_order(a: &Candidate<'_>, b: &Candidate<'_>) -> Ordering {
    a.overflow_order
        .cmp(&b.overflow_order)
        .then(b.score.cmp(&a.score))
        .then(b.available_replicas.cmp(&a.available_replicas))
        .then_with(|| a.name().cmp(b.name()))
}

/// Sorts candidates into the scheduler's order.
pub fn sort_candidates(candidates: &mut [Candidate<'_>]) {
    candidates.sort_unstable_by(candidate_order);
}

/// Sorts candidates into the scheduler's order, with `ranks[i]` the name rank of
/// `candidates[i]` (comparing ranks compares names) when known: then no string comparison.
/// Returns the sorted position of each candidate's former index (`order[new] = old`).
pub(crate) fn sort_candidates_ranked(
    candidates: &mut Vec<Candidate<'_>>,
    ranks: Option<&[u32]>,
) -> Vec<usize> {
    let order = sorted_order(candidates, ranks);
    let sorted: Vec<Candidate<'_>> = order.iter().map(|&i| candidates[i].clone()).collect();
    *candidates = sorted;
    order
}

/// Bits needed for values `0..=span`.
fn bits_for(span: u64) -> u32 {
    u64::BITS - span.leading_zeros()
}

/// [`sorted_order`] with ranks, as one `u64` per candidate when every field's spread over
/// the candidates fits: each field offset from its extreme so that ascending integer order
/// is the scheduler's order, then the rank and the position. `None` when it does not fit.
fn packed_order(candidates: &[Candidate<'_>], ranks: &[u32]) -> Option<Vec<usize>> {
    if ranks.len() != candidates.len() {
        return None;
    }
    let (mut keys, i_bits) = packed_keys(candidates, |i| ranks[i])?;
    keys.sort_unstable();
    let mask = (1u64 << i_bits) - 1;
    Some(keys.iter().map(|k| (k & mask) as usize).collect())
}

/// The keys of [`packed_order`] (unsorted) with the number of low bits holding the
/// position; `rank(i)` is the name rank of `candidates[i]`.
fn packed_keys(
    candidates: &[Candidate<'_>],
    rank: impl Fn(usize) -> u32,
) -> Option<(Vec<u64>, u32)> {
    let first = candidates.first()?;
    let (mut o_min, mut o_max) = (first.overflow_order, first.overflow_order);
    let (mut s_min, mut s_max) = (first.score, first.score);
    let (mut a_min, mut a_max) = (first.available_replicas, first.available_replicas);
    let mut r_max = 0u32;
    for (i, c) in candidates.iter().enumerate() {
        let r = rank(i);
        o_min = o_min.min(c.overflow_order);
        o_max = o_max.max(c.overflow_order);
        s_min = s_min.min(c.score);
        s_max = s_max.max(c.score);
        a_min = a_min.min(c.available_replicas);
        a_max = a_max.max(c.available_replicas);
        r_max = r_max.max(r);
    }
    let o_bits = bits_for(u64::from(o_max - o_min));
    let s_bits = bits_for(u64::try_from(s_max.checked_sub(s_min)?).ok()?);
    let a_bits = bits_for(u64::try_from(a_max.checked_sub(a_min)?).ok()?);
    let r_bits = bits_for(u64::from(r_max));
    let i_bits = bits_for(candidates.len() as u64);
    if o_bits + s_bits + a_bits + r_bits + i_bits > 64 {
        return None;
    }
    let keys: Vec<u64> = candidates
        .iter()
        .enumerate()
        .map(|(i, c)| {
            // Score and available replicas descend: offset from the maximum.
            let mut k = u64::from(c.overflow_order - o_min);
            k = (k << s_bits) | (s_max - c.score) as u64;
            k = (k << a_bits) | (a_max - c.available_replicas) as u64;
            k = (k << r_bits) | u64::from(rank(i));
            (k << i_bits) | i as u64
        })
        .collect();
    Some((keys, i_bits))
}

/// How much of the scheduler's order a caller reads: everything, or only the first `.0`
/// candidates unless they hold fewer than `.1` available replicas (the cluster spread
/// selection, which looks further only to swap in spares).
pub(crate) type SortedPrefix = Option<(usize, Option<i64>)>;

/// Sorts candidates of a snapshot into the scheduler's order, `at[i]` being the snapshot
/// position of `candidates[i]` (names compare by rank). Returns the snapshot positions of the
/// sorted candidates. With a prefix, the candidates past it are left in any order when the
/// prefix holds enough replicas (or no replicas are needed).
pub(crate) fn sort_candidates_at(
    candidates: &mut Vec<Candidate<'_>>,
    snapshot: &ClusterSnapshot<'_>,
    at: &[usize],
    prefix: SortedPrefix,
) -> Vec<usize> {
    let packed = if at.len() == candidates.len() {
        packed_keys(candidates, |i| snapshot.name_rank(at[i]))
    } else {
        None
    };
    let Some((mut keys, i_bits)) = packed else {
        let ranks: Vec<u32> = at.iter().map(|&i| snapshot.name_rank(i)).collect();
        let order = sort_candidates_ranked(candidates, Some(&ranks));
        return order.iter().filter_map(|&i| at.get(i).copied()).collect();
    };
    let mask = (1u64 << i_bits) - 1;
    match prefix {
        Some((k, need)) if k > 0 && k < keys.len() => {
            // The k smallest keys first, sorted; the rest only when they may be read.
            keys.select_nth_unstable(k - 1);
            keys[..k].sort_unstable();
            if let Some(need) = need {
                let held = keys[..k]
                    .iter()
                    .map(|key| candidates[(key & mask) as usize].available_replicas)
                    .fold(0i64, i64::saturating_add);
                if held < need {
                    keys[k..].sort_unstable();
                }
            }
        }
        _ => keys.sort_unstable(),
    }
    let mut sorted_at = Vec::with_capacity(keys.len());
    let sorted: Vec<Candidate<'_>> = keys
        .iter()
        .map(|key| {
            let i = (key & mask) as usize;
            sorted_at.push(at[i]);
            candidates[i].clone()
        })
        .collect();
    *candidates = sorted;
    sorted_at
}

/// Positions of `candidates` in the scheduler's order. Ties on everything else go to the
/// name (by rank when given), then to the position.
fn sorted_order(candidates: &[Candidate<'_>], ranks: Option<&[u32]>) -> Vec<usize> {
    if let Some(order) = ranks.and_then(|r| packed_order(candidates, r)) {
        return order;
    }
    let rank = |i: usize| ranks.and_then(|r| r.get(i)).copied().unwrap_or(0);
    let by_name = |a: usize, b: usize| match ranks {
        Some(_) => rank(a).cmp(&rank(b)),
        None => candidates[a].name().cmp(candidates[b].name()),
    };
    let packable = u32::try_from(candidates.len()).is_ok()
        && candidates.iter().all(|c| i32::try_from(c.score).is_ok());
    if !packable {
        let mut order: Vec<usize> = (0..candidates.len()).collect();
        order.sort_by(|&a, &b| {
            candidate_order(&candidates[a], &candidates[b])
                .then_with(|| by_name(a, b))
                .then(a.cmp(&b))
        });
        return order;
    }
    // Overflow order, score and available replicas in one integer, each mapped so that
    // ascending integer order is the scheduler's order (`!x` reverses without overflow,
    // flipping the sign bit orders signed values as unsigned): one comparison per pair.
    let key = |c: &Candidate<'_>| -> u128 {
        let score = (!(c.score as i32) as u32) ^ (1 << 31);
        let available = (!c.available_replicas as u64) ^ (1 << 63);
        (u128::from(c.overflow_order) << 96) | (u128::from(score) << 64) | u128::from(available)
    };
    let mut keys: Vec<(u128, u64)> = candidates
        .iter()
        .enumerate()
        .map(|(i, c)| (key(c), (u64::from(rank(i)) << 32) | i as u64))
        .collect();
    keys.sort_unstable();
    if ranks.is_none() {
        // Equal keys: the names decide, compared only within such runs.
        for run in keys.chunk_by_mut(|a, b| a.0 == b.0) {
            if run.len() > 1 {
                run.sort_by(|a, b| {
                    let (x, y) = ((a.1 & 0xffff_ffff) as usize, (b.1 & 0xffff_ffff) as usize);
                    by_name(x, y).then(x.cmp(&y))
                });
            }
        }
    }
    keys.iter().map(|k| (k.1 & 0xffff_ffff) as usize).collect()
}

/// Why no clusters could be selected (Karmada's exact error texts).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectError {
    /// Fewer candidates than the cluster constraint's minGroups.
    #[error("the number of feasible clusters is less than spreadConstraint.MinGroups")]
    TooFewClusters,
    /// The clusters chosen cannot hold the replicas, even after swapping in spares.
    #[error("no enough resource when selecting {0} clusters")]
    NotEnoughResource(usize),
    /// Fewer regions than the region constraint's minGroups.
    #[error("the number of feasible region is less than spreadConstraint.MinGroups")]
    TooFewRegions,
    /// No region combination holds enough clusters.
    #[error("the number of clusters is less than the cluster spreadConstraint.MinGroups")]
    TooFewClustersInRegions,
    /// Only `cluster` and `region` drive selection.
    #[error("just support cluster and region spread constraint")]
    UnsupportedConstraint,
}

/// A topology group (region, zone or provider) of candidates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// `region`, `zone` or `provider`.
    pub field: SpreadByField,
    /// Group name (the region, zone or provider value).
    pub name: String,
    /// Karmada's group score ([`group_score`]).
    pub score: i64,
    /// Sum of the members' available replicas.
    pub available_replicas: i64,
    /// Indices of the members in the sorted candidate list, in candidate order.
    pub members: Vec<usize>,
}

/// The placement's static-weight case, where spread constraints are ignored: Divided +
/// Weighted with either no weight preference or a non-empty static list and no dynamic
/// weight.
pub fn spread_constraints_ignored(placement: &Placement) -> bool {
    let Some(rs) = &placement.replica_scheduling else {
        return false;
    };
    let divided = rs
        .replica_scheduling_type
        .unwrap_or(ReplicaSchedulingType::Divided)
        == ReplicaSchedulingType::Divided;
    divided
        && rs.replica_division_preference == Some(ReplicaDivisionPreference::Weighted)
        && match &rs.weight_preference {
            None => true,
            Some(w) => !w.static_weight_list.is_empty() && w.dynamic_weight.is_none(),
        }
}

/// Whether capacity is ignored when selecting (no `replicaScheduling`, or Duplicated).
pub fn available_resource_ignored(placement: &Placement) -> bool {
    match &placement.replica_scheduling {
        None => true,
        Some(rs) => rs.replica_scheduling_type == Some(ReplicaSchedulingType::Duplicated),
    }
}

fn is_duplicated(placement: Option<&Placement>) -> bool {
    match placement.and_then(|p| p.replica_scheduling.as_ref()) {
        None => true,
        Some(rs) => rs.replica_scheduling_type == Some(ReplicaSchedulingType::Duplicated),
    }
}

/// Whether topology groups are not built at all: no constraints, a single `cluster`
/// constraint, or the static-weight case.
pub fn topology_ignored(placement: &Placement) -> bool {
    let sc = &placement.spread_constraints;
    sc.is_empty()
        || (sc.len() == 1 && sc[0].spread_by_field == Some(SpreadByField::Cluster))
        || spread_constraints_ignored(placement)
}

/// The last constraint spreading by `field` (Karmada keeps one per field in a map).
pub fn constraint_for(placement: &Placement, field: SpreadByField) -> Option<&SpreadConstraint> {
    placement
        .spread_constraints
        .iter()
        .rev()
        .find(|c| c.spread_by_field == Some(field))
}

const WEIGHT_UNIT: i64 = 1000;

/// Karmada's group score over `members` (in candidate order).
///
/// Duplicated: `valid·1000 + mean score of valid`, where valid clusters can hold all
/// replicas (0 when none can). Divided: with target `ceil(replicas / minGroups)` and
/// `need = max(cluster minGroups, minGroups)`, walk the clusters until `need` are taken and
/// their capacity reaches the target; a group short of the target scores
/// `capacity·1000 + score sum / group size`, otherwise `target·1000 + mean score taken`.
pub fn group_score(members: &[&Candidate<'_>], spec: &ResourceBindingSpec, min_groups: i32) -> i64 {
    group_score_of(
        members.iter().map(|c| (c.available_replicas, c.score)),
        members.len(),
        spec,
        min_groups,
    )
}

/// [`group_score`] over the `(available replicas, score)` of `count` members in candidate
/// order.
fn group_score_of(
    members: impl Iterator<Item = (i64, i64)>,
    count: usize,
    spec: &ResourceBindingSpec,
    min_groups: i32,
) -> i64 {
    let placement = spec.placement.as_ref();
    if is_duplicated(placement) {
        let target = i64::from(spec.replicas);
        let (valid, sum) = members
            .filter(|&(available, _)| available >= target)
            .fold((0i64, 0i64), |(n, s), (_, score)| (n + 1, s + score));
        if valid == 0 {
            return 0;
        }
        return valid * WEIGHT_UNIT + sum / valid;
    }
    if count == 0 {
        return 0;
    }
    let groups = i64::from(min_groups.max(1));
    let replicas = i64::from(spec.replicas);
    let target = (replicas + groups - 1).div_euclid(groups);
    let cluster_min = placement
        .and_then(|p| constraint_for(p, SpreadByField::Cluster))
        .map_or(0, |c| c.min_groups);
    let need = i64::from(cluster_min.max(min_groups));
    let (mut sum_avail, mut sum_score, mut taken) = (0i64, 0i64, 0i64);
    for (available, score) in members {
        sum_avail += available;
        sum_score += score;
        taken += 1;
        if taken >= need && sum_avail >= target {
            break;
        }
    }
    if sum_avail < target {
        sum_avail * WEIGHT_UNIT + sum_score / count as i64
    } else {
        target * WEIGHT_UNIT + sum_score / taken
    }
}

/// Builds the region, zone and provider groups named by the spread constraints, over
/// candidates already in scheduler order. Nothing is built when the topology is ignored.
pub fn group_candidates(
    candidates: &[Candidate<'_>],
    spec: &ResourceBindingSpec,
    placement: &Placement,
) -> Vec<Group> {
    group_candidates_at(candidates, None, spec, placement)
}

/// [`group_candidates`], with `at[i]` the snapshot position of `candidates[i]` when known:
/// regions and providers are then grouped by the snapshot's ids instead of by string.
pub(crate) fn group_candidates_at(
    candidates: &[Candidate<'_>],
    at: Option<(&ClusterSnapshot<'_>, &[usize])>,
    spec: &ResourceBindingSpec,
    placement: &Placement,
) -> Vec<Group> {
    if topology_ignored(placement) {
        return Vec::new();
    }
    let at = at.filter(|(_, indices)| indices.len() == candidates.len());
    let mut out = Vec::new();
    for field in [
        SpreadByField::Zone,
        SpreadByField::Region,
        SpreadByField::Provider,
    ] {
        let Some(constraint) = constraint_for(placement, field) else {
            continue;
        };
        // A group of the candidates at `members` (positions in `candidates`).
        let make_group = |name: String, members: Vec<usize>| {
            let values = || {
                members
                    .iter()
                    .map(|&i| (candidates[i].available_replicas, candidates[i].score))
            };
            let score = group_score_of(values(), members.len(), spec, constraint.min_groups);
            let available_replicas = values().map(|(available, _)| available).sum();
            Group {
                field,
                name,
                score,
                available_replicas,
                members,
            }
        };
        if let (Some((snapshot, indices)), SpreadByField::Region | SpreadByField::Provider) =
            (at, field)
        {
            // One bucket per group id, filled in candidate order; ids follow the names, so
            // the buckets come in the string order.
            let group_of = |index: usize| {
                if field == SpreadByField::Region {
                    snapshot.region_id(index)
                } else {
                    snapshot.provider_id(index)
                }
            };
            let mut counts: Vec<usize> = vec![0; snapshot.group_count(field)];
            for &index in indices {
                let group = group_of(index);
                if group != NO_GROUP {
                    let g = group as usize;
                    if counts.len() <= g {
                        counts.resize(g + 1, 0);
                    }
                    counts[g] += 1;
                }
            }
            let mut buckets: Vec<Vec<usize>> =
                counts.iter().map(|&n| Vec::with_capacity(n)).collect();
            for (i, &index) in indices.iter().enumerate() {
                if let Some(bucket) = buckets.get_mut(group_of(index) as usize) {
                    bucket.push(i);
                }
            }
            out.reserve(counts.iter().filter(|&&n| n > 0).count());
            for members in buckets.into_iter().filter(|b| !b.is_empty()) {
                let Some(first) = members.first().map(|&i| &candidates[i]) else {
                    continue;
                };
                let name = if field == SpreadByField::Region {
                    first.cluster.spec.region.clone()
                } else {
                    first.cluster.spec.provider.clone()
                };
                out.push(make_group(name, members));
            }
            continue;
        }
        // (group key, candidate index), sorted by key then candidate order: one allocation
        // for the grouping instead of one per insertion.
        let mut keyed: Vec<(&str, usize)> = Vec::with_capacity(candidates.len());
        for (i, c) in candidates.iter().enumerate() {
            match field {
                SpreadByField::Zone => {
                    if c.cluster.spec.zones.is_empty() {
                        if !c.cluster.spec.zone.is_empty() {
                            keyed.push((&c.cluster.spec.zone, i));
                        }
                    } else {
                        keyed.extend(c.cluster.spec.zones.iter().map(|z| (z.as_str(), i)));
                    }
                }
                SpreadByField::Region if !c.cluster.spec.region.is_empty() => {
                    keyed.push((&c.cluster.spec.region, i));
                }
                SpreadByField::Provider if !c.cluster.spec.provider.is_empty() => {
                    keyed.push((&c.cluster.spec.provider, i));
                }
                _ => {}
            }
        }
        keyed.sort_unstable();
        keyed.dedup();
        let by_name = keyed.chunk_by(|a, b| a.0 == b.0).map(|chunk| {
            (
                chunk.first().map_or("", |c| c.0),
                chunk.iter().map(|c| c.1).collect::<Vec<usize>>(),
            )
        });
        for (name, members) in by_name {
            out.push(make_group(name.to_string(), members));
        }
    }
    out
}

/// One group as the region search sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupValue {
    /// Group name.
    pub name: String,
    /// Number of clusters.
    pub value: i64,
    /// Group score.
    pub weight: i64,
}

struct FeasiblePath {
    id: usize,
    /// Range of the path's groups in the search's arena.
    start: usize,
    len: usize,
    weight: i64,
    value: i64,
}

/// A group as the search reads it, borrowing its name.
struct GroupKey<'a> {
    name: &'a str,
    value: i64,
    weight: i64,
}

struct GroupSearch {
    /// Values and weights of the groups in search order.
    values: Vec<i64>,
    weights: Vec<i64>,
    min: usize,
    max: usize,
    target: i64,
    only_first_child: bool,
    stack: Vec<usize>,
    /// The groups of every recorded path, back to back (one allocation for all paths).
    arena: Vec<usize>,
    paths: Vec<FeasiblePath>,
}

impl GroupSearch {
    /// Extends the path on the stack, whose values sum to `sum` and weights to `weight`.
    fn dfs(&mut self, sum: i64, weight: i64, begin: usize) {
        let depth = self.stack.len();
        if sum >= self.target && depth >= self.min && depth <= self.max {
            let start = self.arena.len();
            // Recorded in search order; a path is ordered when it is looked at.
            self.arena.extend_from_slice(&self.stack);
            self.paths.push(FeasiblePath {
                id: self.paths.len(),
                start,
                len: depth,
                weight,
                value: sum,
            });
            return;
        }
        if depth >= self.max {
            return;
        }
        let end = if self.only_first_child {
            (begin + 1).min(self.values.len())
        } else {
            self.values.len()
        };
        for i in begin..end {
            self.stack.push(i);
            self.dfs(sum + self.values[i], weight + self.weights[i], i + 1);
            self.stack.pop();
        }
    }
}

/// Karmada's `selectGroups`: the best combination of between `min` and `max` groups whose
/// values reach `target`, by weight, then value, then discovery order, preferring a feasible
/// strict prefix of the winner. Returns the chosen names ordered by weight descending, then
/// name; `None` when nothing qualifies.
pub fn select_groups(
    groups: &[GroupValue],
    min: i32,
    max: i32,
    target: i64,
) -> Option<Vec<String>> {
    let keys: Vec<GroupKey<'_>> = groups
        .iter()
        .map(|g| GroupKey {
            name: &g.name,
            value: g.value,
            weight: g.weight,
        })
        .collect();
    let chosen = select_group_positions(&keys, min, max, target)?;
    Some(chosen.iter().map(|&i| groups[i].name.clone()).collect())
}

/// [`select_groups`] returning the positions of the chosen groups in `groups`.
fn select_group_positions(
    groups: &[GroupKey<'_>],
    min: i32,
    max: i32,
    target: i64,
) -> Option<Vec<usize>> {
    if groups.is_empty() {
        return None;
    }
    let mut positions: Vec<usize> = (0..groups.len()).collect();
    positions.sort_by(|&a, &b| {
        let (a, b) = (&groups[a], &groups[b]);
        a.value
            .cmp(&b.value)
            .then(b.weight.cmp(&a.weight))
            .then_with(|| a.name.cmp(b.name))
    });
    let min = usize::try_from(min).unwrap_or(0);
    let max = usize::try_from(max).unwrap_or(0);
    let mut search = GroupSearch {
        only_first_child: positions.len() == min,
        values: positions.iter().map(|&i| groups[i].value).collect(),
        weights: positions.iter().map(|&i| groups[i].weight).collect(),
        min,
        max,
        target,
        stack: Vec::with_capacity(max.min(groups.len())),
        arena: Vec::with_capacity(64 * max.clamp(1, 8)),
        paths: Vec::with_capacity(64),
    };
    search.dfs(0, 0, 0);
    let GroupSearch {
        mut arena, paths, ..
    } = search;
    // Karmada sorts the paths by weight, then value, descending, then by discovery order
    // (ids are unique, so this is a total order), takes the first, and moves to a later path
    // only when it is shorter and a prefix of the current one.
    let rank = |a: &FeasiblePath, b: &FeasiblePath| {
        b.weight
            .cmp(&a.weight)
            .then(b.value.cmp(&a.value))
            .then(a.id.cmp(&b.id))
    };
    let first = (0..paths.len()).min_by(|&a, &b| rank(&paths[a], &paths[b]))?;
    // Only paths shorter than the first can take its place: only they need the order.
    let mut shorter: Vec<usize> = (0..paths.len())
        .filter(|&i| paths[i].len < paths[first].len)
        .collect();
    shorter.sort_unstable_by(|&a, &b| rank(&paths[a], &paths[b]));
    // A path lists its groups by weight descending, then name: put in that order when
    // compared or returned.
    let sort_path = |arena: &mut Vec<usize>, p: &FeasiblePath| {
        arena[p.start..p.start + p.len].sort_by(|&a, &b| {
            let (a, b) = (&groups[positions[a]], &groups[positions[b]]);
            b.weight.cmp(&a.weight).then_with(|| a.name.cmp(b.name))
        });
    };
    let mut best = first;
    sort_path(&mut arena, &paths[first]);
    for i in shorter {
        if paths[i].len >= paths[best].len {
            continue;
        }
        sort_path(&mut arena, &paths[i]);
        let (cand, cur) = (
            &arena[paths[i].start..paths[i].start + paths[i].len],
            &arena[paths[best].start..paths[best].start + paths[best].len],
        );
        if cur[..cand.len()] == *cand {
            best = i;
        }
    }
    let p = &paths[best];
    Some(
        arena[p.start..p.start + p.len]
            .iter()
            .map(|&i| positions[i])
            .collect(),
    )
}

/// Selects by cluster: at most `maxGroups` clusters in candidate order; with capacity
/// (`need_replicas` is `Some`) short positions are swapped, from the last, for the spare with
/// the most available replicas when it has strictly more. Returns candidate indices.
pub fn select_by_cluster(
    candidates: &[Candidate<'_>],
    constraint: &SpreadConstraint,
    need_replicas: Option<i64>,
) -> Result<Vec<usize>, SelectError> {
    let total = candidates.len();
    if (total as i64) < i64::from(constraint.min_groups) {
        return Err(SelectError::TooFewClusters);
    }
    let need = usize::try_from(constraint.max_groups)
        .unwrap_or(0)
        .min(total);
    let mut selected: Vec<usize> = (0..need).collect();
    let Some(need_replicas) = need_replicas else {
        return Ok(selected);
    };
    let mut sum: i64 = selected
        .iter()
        .map(|&i| candidates[i].available_replicas)
        .sum();
    if sum >= need_replicas {
        return Ok(selected);
    }
    let mut spare: Vec<usize> = (need..total).collect();
    // Spares by available replicas, most first, then by slot (the first slot wins ties).
    let mut heap: BinaryHeap<(i64, Reverse<usize>)> = spare
        .iter()
        .enumerate()
        .map(|(slot, &i)| (candidates[i].available_replicas, Reverse(slot)))
        .collect();
    let mut pos = selected.len();
    while sum < need_replicas && pos > 0 {
        pos -= 1;
        let current = candidates[selected[pos]].available_replicas;
        match heap.peek() {
            Some(&(avail, Reverse(slot))) if avail > current => {
                heap.pop();
                std::mem::swap(&mut selected[pos], &mut spare[slot]);
                heap.push((current, Reverse(slot)));
                sum += avail - current;
            }
            _ => {}
        }
    }
    if sum < need_replicas {
        return Err(SelectError::NotEnoughResource(need));
    }
    Ok(selected)
}
/// Selects by region: the best region combination ([`select_groups`]), the first cluster of
/// each chosen region, then the best of the rest up to the cluster constraint's maxGroups.
/// Capacity is not considered. `regions` hold indices into `candidates` in candidate order.
pub fn select_by_region(
    candidates: &[Candidate<'_>],
    regions: &[&Group],
    region_constraint: &SpreadConstraint,
    cluster_constraint: Option<&SpreadConstraint>,
) -> Result<Vec<usize>, SelectError> {
    if (regions.len() as i64) < i64::from(region_constraint.min_groups) {
        return Err(SelectError::TooFewRegions);
    }
    let values: Vec<GroupKey<'_>> = regions
        .iter()
        .map(|g| GroupKey {
            name: &g.name,
            value: g.members.len() as i64,
            weight: g.score,
        })
        .collect();
    let cluster_min = cluster_constraint.map_or(0, |c| c.min_groups);
    let cluster_max = cluster_constraint.map_or(0, |c| c.max_groups);
    let chosen = select_group_positions(
        &values,
        region_constraint.min_groups,
        region_constraint.max_groups,
        i64::from(cluster_min),
    )
    .ok_or(SelectError::TooFewClustersInRegions)?;
    let mut selected = Vec::with_capacity(chosen.len());
    let mut rest = Vec::with_capacity(
        chosen
            .iter()
            .filter_map(|&p| regions.get(p))
            .map(|g| g.members.len())
            .sum(),
    );
    for &position in &chosen {
        // The first region of the chosen name (regions of one field have unique names).
        let Some(name) = regions.get(position).map(|g| &g.name) else {
            continue;
        };
        let Some(region) = regions.iter().find(|g| &g.name == name) else {
            continue;
        };
        if let Some((first, others)) = region.members.split_first() {
            selected.push(*first);
            rest.extend_from_slice(others);
        }
    }
    let need = (selected.len() + rest.len()).min(usize::try_from(cluster_max).unwrap_or(0));
    if need > selected.len() {
        // Candidates come in scheduler order, so ascending indices are that order unless two
        // candidates tie; only then is the stable sort by `candidate_order` needed.
        let mut by_index = rest.clone();
        by_index.sort_unstable();
        let strictly_ordered = by_index
            .windows(2)
            .all(|w| w[0] != w[1] && candidate_order(&candidates[w[0]], &candidates[w[1]]).is_lt());
        if strictly_ordered {
            rest = by_index;
        } else {
            // Stable by position in `rest`, without a stable sort's scratch buffer.
            let mut keyed: Vec<(usize, usize)> = rest.iter().copied().enumerate().collect();
            keyed.sort_unstable_by(|&(p, a), &(q, b)| {
                candidate_order(&candidates[a], &candidates[b]).then(p.cmp(&q))
            });
            rest = keyed.into_iter().map(|(_, i)| i).collect();
        }
        let take = need - selected.len();
        selected.extend(rest.into_iter().take(take));
    }
    Ok(selected)
}

/// How much of the candidate order [`select_best_clusters`] reads for `placement`, when it
/// is the cluster spread selection alone (see [`SortedPrefix`]); `None` for the whole order.
pub(crate) fn sorted_prefix_read(placement: &Placement, replicas: i32) -> SortedPrefix {
    if placement.spread_constraints.is_empty()
        || spread_constraints_ignored(placement)
        || constraint_for(placement, SpreadByField::Region).is_some()
    {
        return None;
    }
    let cluster = constraint_for(placement, SpreadByField::Cluster)?;
    let need_replicas = if available_resource_ignored(placement) {
        None
    } else {
        Some(i64::from(replicas))
    };
    Some((usize::try_from(cluster.max_groups).ok()?, need_replicas))
}

/// Karmada's `SelectBestClusters` over sorted candidates and their groups. Returns the
/// selected candidate indices in selection order.
pub fn select_best_clusters(
    candidates: &[Candidate<'_>],
    groups: &[Group],
    placement: &Placement,
    replicas: i32,
) -> Result<Vec<usize>, SelectError> {
    if placement.spread_constraints.is_empty() || spread_constraints_ignored(placement) {
        return Ok((0..candidates.len()).collect());
    }
    let need_replicas = if available_resource_ignored(placement) {
        None
    } else {
        Some(i64::from(replicas))
    };
    if let Some(region) = constraint_for(placement, SpreadByField::Region) {
        let mut regions: Vec<&Group> = Vec::with_capacity(groups.len());
        regions.extend(groups.iter().filter(|g| g.field == SpreadByField::Region));
        return select_by_region(
            candidates,
            &regions,
            region,
            constraint_for(placement, SpreadByField::Cluster),
        );
    }
    if let Some(cluster) = constraint_for(placement, SpreadByField::Cluster) {
        return select_by_cluster(candidates, cluster, need_replicas);
    }
    Err(SelectError::UnsupportedConstraint)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gv(name: &str, value: i64, weight: i64) -> GroupValue {
        GroupValue {
            name: name.into(),
            value,
            weight,
        }
    }

    #[test]
    fn select_groups_prefers_feasible_prefix() {
        let groups = vec![
            gv("R1", 1, 80),
            gv("R2", 4, 40),
            gv("R3", 1, 30),
            gv("R4", 3, 30),
            gv("R5", 3, 20),
            gv("R6", 5, 10),
        ];
        assert_eq!(
            select_groups(&groups, 2, 6, 5),
            Some(vec!["R1".to_string(), "R2".to_string()])
        );
        assert_eq!(select_groups(&[gv("R1", 1, 80)], 2, 3, 1), None);
        assert_eq!(select_groups(&[], 1, 3, 1), None);
    }

    /// The worked examples of Karmada's group-score comments, plus the empty cases.
    #[test]
    fn group_score_table() {
        use crate::api::ReplicaSchedulingStrategy;
        let cluster = Cluster::default();
        let spec = |replicas: i32, divided: bool, cluster_min: Option<i32>| ResourceBindingSpec {
            replicas,
            placement: Some(Placement {
                replica_scheduling: divided.then(|| ReplicaSchedulingStrategy {
                    replica_scheduling_type: Some(ReplicaSchedulingType::Divided),
                    replica_division_preference: Some(ReplicaDivisionPreference::Aggregated),
                    ..Default::default()
                }),
                spread_constraints: cluster_min
                    .map(|min_groups| SpreadConstraint {
                        spread_by_field: Some(SpreadByField::Cluster),
                        min_groups,
                        ..Default::default()
                    })
                    .into_iter()
                    .collect(),
                ..Default::default()
            }),
            ..Default::default()
        };
        // (scores, available replicas, spec, group minGroups, score)
        type Case = (Vec<i64>, Vec<i64>, ResourceBindingSpec, i32, i64);
        let cases: Vec<Case> = vec![
            // Duplicated: only clusters able to hold all 50 replicas count, then their mean.
            (
                vec![100; 5],
                vec![60, 70, 40, 30, 10],
                spec(50, false, None),
                0,
                2100,
            ),
            (vec![0; 4], vec![60; 4], spec(50, false, None), 0, 4000),
            (
                vec![100; 5],
                vec![60, 70, 10, 10, 5],
                spec(50, false, None),
                0,
                2100,
            ),
            (
                vec![0; 4],
                vec![100, 100, 10, 10],
                spec(50, false, None),
                0,
                2000,
            ),
            // No cluster can hold the replicas, or no cluster at all: 0.
            (vec![100; 2], vec![10, 10], spec(50, false, None), 0, 0),
            (vec![], vec![], spec(50, false, None), 0, 0),
            // Divided, target ceil(100/2) = 50 and at least max(1, 2) = 2 clusters.
            (
                vec![100; 5],
                vec![10, 10, 10, 10, 5],
                spec(100, true, Some(1)),
                2,
                45100,
            ),
            (
                vec![0; 4],
                vec![40, 30, 10, 10],
                spec(100, true, Some(1)),
                2,
                50000,
            ),
            (
                vec![100; 5],
                vec![40, 40, 10, 10, 5],
                spec(100, true, Some(1)),
                2,
                50100,
            ),
            (
                vec![0; 4],
                vec![100, 100, 10, 10],
                spec(100, true, Some(1)),
                2,
                50000,
            ),
            // The cluster constraint's minGroups raises the clusters taken: 3 of them.
            (
                vec![100, 100, 0],
                vec![60, 60, 60],
                spec(100, true, Some(3)),
                2,
                50066,
            ),
        ];
        for (scores, available, spec, min_groups, want) in cases {
            let candidates: Vec<Candidate<'_>> = scores
                .iter()
                .zip(&available)
                .map(|(&score, &available)| Candidate {
                    cluster: &cluster,
                    score,
                    allocatable_replicas: available,
                    available_replicas: available,
                    overflow_order: 0,
                })
                .collect();
            let refs: Vec<&Candidate<'_>> = candidates.iter().collect();
            assert_eq!(
                group_score(&refs, &spec, min_groups),
                want,
                "{scores:?} {available:?}"
            );
        }
    }

    /// The selection rules a naive reading of the spread-constraint API gets wrong.
    #[test]
    fn select_best_clusters_rules() {
        use crate::api::{ClusterPreferences, DynamicWeightFactor, ReplicaSchedulingStrategy};
        let clusters: Vec<Cluster> = ["m1", "m2", "m3"]
            .iter()
            .map(|n| {
                let mut c = Cluster::default();
                c.metadata.name = (*n).into();
                c
            })
            .collect();
        let candidates: Vec<Candidate<'_>> = clusters
            .iter()
            .map(|c| Candidate {
                cluster: c,
                score: 0,
                allocatable_replicas: 10,
                available_replicas: 10,
                overflow_order: 0,
            })
            .collect();
        let by = |field: Option<SpreadByField>, label: &str, min: i32, max: i32| SpreadConstraint {
            spread_by_field: field,
            spread_by_label: label.into(),
            min_groups: min,
            max_groups: max,
        };
        let cluster = |min, max| by(Some(SpreadByField::Cluster), "", min, max);
        let divided = |weight_preference| {
            Some(ReplicaSchedulingStrategy {
                replica_scheduling_type: Some(ReplicaSchedulingType::Divided),
                replica_division_preference: Some(ReplicaDivisionPreference::Weighted),
                weight_preference,
            })
        };
        let duplicated = Some(ReplicaSchedulingStrategy {
            replica_scheduling_type: Some(ReplicaSchedulingType::Duplicated),
            ..Default::default()
        });
        let dynamic = divided(Some(ClusterPreferences {
            static_weight_list: vec![],
            dynamic_weight: Some(DynamicWeightFactor::AvailableReplicas),
        }));
        type Case<'a> = (
            &'a str,
            Vec<SpreadConstraint>,
            Option<ReplicaSchedulingStrategy>,
            i32,
            Result<Vec<usize>, SelectError>,
        );
        let cases: Vec<Case<'_>> = vec![
            (
                "maxGroups, not minGroups, decides how many",
                vec![cluster(1, 2)],
                None,
                5,
                Ok(vec![0, 1]),
            ),
            (
                "maxGroups 0 selects nothing when capacity is ignored",
                vec![cluster(0, 0)],
                duplicated.clone(),
                5,
                Ok(vec![]),
            ),
            (
                "maxGroups 0 cannot hold a Divided workload",
                vec![cluster(0, 0)],
                dynamic.clone(),
                5,
                Err(SelectError::NotEnoughResource(0)),
            ),
            (
                "minGroups is a feasibility check",
                vec![cluster(4, 4)],
                None,
                5,
                Err(SelectError::TooFewClusters),
            ),
            (
                "a zone constraint alone drives no selection",
                vec![by(Some(SpreadByField::Zone), "", 1, 1)],
                None,
                5,
                Err(SelectError::UnsupportedConstraint),
            ),
            (
                "a provider constraint alone drives no selection",
                vec![by(Some(SpreadByField::Provider), "", 1, 1)],
                None,
                5,
                Err(SelectError::UnsupportedConstraint),
            ),
            (
                "spreadByLabel is not implemented",
                vec![by(None, "net", 1, 1)],
                None,
                5,
                Err(SelectError::UnsupportedConstraint),
            ),
            (
                "a zone constraint beside a cluster one is only a filter",
                vec![by(Some(SpreadByField::Zone), "", 1, 1), cluster(1, 1)],
                None,
                5,
                Ok(vec![0]),
            ),
            (
                "Weighted without preference ignores spread constraints",
                vec![cluster(1, 1)],
                divided(None),
                5,
                Ok(vec![0, 1, 2]),
            ),
            (
                "an explicitly empty static list keeps them",
                vec![cluster(1, 1)],
                divided(Some(ClusterPreferences::default())),
                5,
                Ok(vec![0]),
            ),
            (
                "dynamic weights keep them",
                vec![cluster(1, 1)],
                dynamic,
                5,
                Ok(vec![0]),
            ),
            (
                "capacity counts for Divided",
                vec![cluster(1, 1)],
                divided(Some(ClusterPreferences::default())),
                11,
                Err(SelectError::NotEnoughResource(1)),
            ),
            (
                "capacity is ignored for Duplicated",
                vec![cluster(1, 1)],
                duplicated,
                11,
                Ok(vec![0]),
            ),
        ];
        for (name, spread_constraints, replica_scheduling, replicas, want) in cases {
            let placement = Placement {
                spread_constraints,
                replica_scheduling,
                ..Default::default()
            };
            let spec = ResourceBindingSpec {
                replicas,
                placement: Some(placement.clone()),
                ..Default::default()
            };
            let groups = group_candidates(&candidates, &spec, &placement);
            assert_eq!(
                select_best_clusters(&candidates, &groups, &placement, replicas),
                want,
                "{name}"
            );
        }
    }

    /// Selection sees a cluster's own replicas as available; the estimate stays apart.
    #[test]
    fn available_replicas_include_held_replicas() {
        use crate::api::{ResourceBinding, TargetCluster};
        let clusters: Vec<Cluster> = ["m1", "m2"]
            .iter()
            .map(|n| {
                let mut c = Cluster::default();
                c.metadata.name = (*n).into();
                c
            })
            .collect();
        let feasible: Vec<&Cluster> = clusters.iter().collect();
        let mut b = ResourceBinding::default();
        b.spec.replicas = 10;
        b.spec.clusters = vec![TargetCluster {
            name: "m2".into(),
            replicas: 4,
            components: vec![],
        }];
        let ctx = SchedulingContext::new(&b, None);
        let got = candidates_with_estimates(&ctx, &feasible, None, &[0, 100], &[3, 3]);
        let seen: Vec<(&str, i64, i64)> = got
            .iter()
            .map(|c| (c.name(), c.allocatable_replicas, c.available_replicas))
            .collect();
        assert_eq!(seen, vec![("m1", 3, 3), ("m2", 3, 7)]);
    }

    #[test]
    fn spare_swap() {
        let clusters: Vec<Cluster> = ["m1", "m2", "m3"]
            .iter()
            .map(|n| {
                let mut c = Cluster::default();
                c.metadata.name = n.to_string();
                c
            })
            .collect();
        let avail = [40, 30, 60];
        let cands: Vec<Candidate<'_>> = clusters
            .iter()
            .zip(avail)
            .map(|(c, a)| Candidate {
                cluster: c,
                score: 0,
                allocatable_replicas: a,
                available_replicas: a,
                overflow_order: 0,
            })
            .collect();
        let sc = SpreadConstraint {
            spread_by_field: Some(SpreadByField::Cluster),
            max_groups: 2,
            min_groups: 1,
            ..Default::default()
        };
        assert_eq!(select_by_cluster(&cands, &sc, Some(80)), Ok(vec![0, 2]));
        assert_eq!(select_by_cluster(&cands, &sc, None), Ok(vec![0, 1]));
        assert_eq!(
            select_by_cluster(&cands, &sc, Some(200)),
            Err(SelectError::NotEnoughResource(2))
        );
    }

    /// The spare-swap rule as written in Karmada: a linear scan for the first spare with
    /// the most available replicas, strictly more than the selected one.
    fn naive_swap(avail: &[i64], need: usize, need_replicas: i64) -> Option<Vec<usize>> {
        let mut selected: Vec<usize> = (0..need).collect();
        let mut spare: Vec<usize> = (need..avail.len()).collect();
        let total = |sel: &[usize]| sel.iter().map(|&i| avail[i]).sum::<i64>();
        let mut pos = selected.len();
        while total(&selected) < need_replicas && pos > 0 {
            pos -= 1;
            let mut best = None;
            let mut max = avail[selected[pos]];
            for (j, &c) in spare.iter().enumerate() {
                if avail[c] > max {
                    max = avail[c];
                    best = Some(j);
                }
            }
            if let Some(j) = best {
                std::mem::swap(&mut selected[pos], &mut spare[j]);
            }
        }
        (total(&selected) >= need_replicas).then_some(selected)
    }

    proptest::proptest! {
        #[test]
        fn heap_swap_matches_linear_scan(
            avail in proptest::collection::vec(0i64..20, 0..12),
            max_groups in 0i32..6,
            need_replicas in 0i64..60,
        ) {
            let clusters: Vec<Cluster> = (0..avail.len())
                .map(|i| {
                    let mut c = Cluster::default();
                    c.metadata.name = format!("m{i:02}");
                    c
                })
                .collect();
            let cands: Vec<Candidate<'_>> = clusters
                .iter()
                .zip(&avail)
                .map(|(c, &a)| Candidate {
                    cluster: c,
                    score: 0,
                    allocatable_replicas: a,
                    available_replicas: a,
                    overflow_order: 0,
                })
                .collect();
            let sc = SpreadConstraint {
                spread_by_field: Some(SpreadByField::Cluster),
                max_groups,
                min_groups: 0,
                ..Default::default()
            };
            let need = usize::try_from(max_groups).unwrap_or(0).min(avail.len());
            let got = select_by_cluster(&cands, &sc, Some(need_replicas)).ok();
            proptest::prop_assert_eq!(got, naive_swap(&avail, need, need_replicas));
        }
    }
}
