//! A set of clusters prepared once for scheduling many bindings against it.
//!
//! [`schedule`](super::schedule) reads every cluster's maps (API enablements, labels, resource
//! summary) for every binding. When the same clusters serve many bindings, as on one pass of
//! a scheduler over a snapshot of its cache, [`ClusterSnapshot`] reads them once: for every
//! `(groupVersion, kind)` pair and every label pair it keeps the clusters serving or carrying
//! it (a binding's API and `matchLabels` selectors become bit sets over the clusters), the
//! free resources of each summary are subtracted once into a resource-by-cluster table,
//! regions and providers get ids that follow their names, and the names are ranked so that
//! ordering clusters, grouping them and dividing replicas never compares strings.
//! [`schedule_prepared`](super::schedule_prepared) then answers exactly as `schedule` does.

use crate::api::{Cluster, ClusterAffinity, ResourceList, ResourceSummary};

use super::estimator::allowed_pod_number;
use crate::selector::ClusterAffinityMatcher;

/// Clusters with their scheduling facts computed once. Borrows the clusters; build it again
/// when they change.
///
/// ```
/// use fedplan::api::{Cluster, ResourceBinding};
/// use fedplan::scheduler::{schedule, schedule_prepared, ClusterSnapshot, SchedulerOptions};
///
/// let clusters: Vec<Cluster> = ["member2", "member1"]
///     .iter()
///     .map(|n| {
///         let mut c = Cluster::default();
///         c.metadata.name = n.to_string();
///         c
///     })
///     .collect();
/// let snapshot = ClusterSnapshot::new(&clusters);
/// assert_eq!(snapshot.len(), 2);
/// let mut binding = ResourceBinding::default();
/// binding.spec.placement = Some(Default::default());
/// let options = SchedulerOptions::default();
/// assert_eq!(
///     schedule_prepared(&binding, &snapshot, &options),
///     schedule(&binding, &clusters, &options)
/// );
/// ```
#[derive(Debug, Clone)]
pub struct ClusterSnapshot<'c> {
    clusters: &'c [Cluster],
    /// Position of each cluster's name in name order; equal names share a rank.
    name_rank: Vec<u32>,
    /// No two clusters share a name.
    names_unique: bool,
    /// The cluster indices in name order (equal names by index).
    by_name: Vec<u32>,
    /// Every `(groupVersion, kind)` some cluster serves, sorted.
    api_pairs: Vec<(&'c str, &'c str)>,
    /// Per pair id, `api_members[api_member_ranges[id]]` are the indices of the clusters
    /// serving it, ascending.
    api_members: Vec<u32>,
    api_member_ranges: Vec<(u32, u32)>,
    /// Per pair id, its clusters as a set when they are many (see [`dense_sets`]).
    api_sets: Vec<Option<ClusterSet>>,
    /// Every label `(key, value)` some cluster carries, sorted.
    label_pairs: Vec<(&'c str, &'c str)>,
    /// Per label pair id, the indices of the clusters carrying it, ascending.
    label_members: Vec<u32>,
    label_member_ranges: Vec<(u32, u32)>,
    label_sets: Vec<Option<ClusterSet>>,
    /// Every resource name some cluster lists as allocatable, sorted.
    resource_names: Vec<&'c str>,
    /// `free[resource_id * len + index]`: allocatable − allocated − allocating of the
    /// resource on the cluster, `None` when the cluster does not list it as allocatable.
    /// `free_units[resource_id * len + index]`, likewise in thousandths: the free amount
    /// rounded up, [`NOT_ALLOCATABLE`] when the cluster does not list the resource.
    free_units: Vec<i64>,
    free_milli: Vec<i64>,
    summaries: Vec<SummaryFacts>,
    /// Per cluster, the free pod slots the general estimator starts from: 0 without a
    /// resource summary.
    pods_bound: Vec<i64>,
    /// Some cluster has `allocatableModelings`.
    any_models: bool,
    /// Whether the cluster has a `NoSchedule` or `NoExecute` taint.
    hard_taints: Vec<bool>,
    /// Whether the cluster is being deleted.
    deleting: Vec<bool>,
    /// The same facts as sets, and the clusters with a provider, a region, a zone; every
    /// cluster.
    hard_taint_set: ClusterSet,
    deleting_set: ClusterSet,
    provider_set: ClusterSet,
    region_set: ClusterSet,
    zone_set: ClusterSet,
    all_set: ClusterSet,
    /// Per cluster, the position of its region among the distinct non-empty regions in
    /// string order (`NO_GROUP` without a region); likewise for providers.
    region_ids: Vec<u32>,
    provider_ids: Vec<u32>,
    /// The number of distinct regions and of distinct providers.
    region_count: usize,
    provider_count: usize,
}

/// The free amount of a resource a cluster does not list as allocatable. It bounds replicas
/// as any amount at or below 0 does: to none.
pub(crate) const NOT_ALLOCATABLE: i64 = i64::MIN;

/// The group id of a cluster without the property.
pub(crate) const NO_GROUP: u32 = u32::MAX;

/// A set of cluster indices of one snapshot, one bit per cluster.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct ClusterSet {
    words: Vec<u64>,
}

impl ClusterSet {
    fn empty(len: usize) -> Self {
        ClusterSet {
            words: vec![0; len.div_ceil(64)],
        }
    }

    fn of(members: &[u32], len: usize) -> Self {
        let mut set = Self::empty(len);
        for &m in members {
            set.insert(m as usize);
        }
        set
    }

    fn insert(&mut self, index: usize) {
        if let Some(w) = self.words.get_mut(index / 64) {
            *w |= 1 << (index % 64);
        }
    }

    fn remove(&mut self, index: usize) {
        if let Some(w) = self.words.get_mut(index / 64) {
            *w &= !(1 << (index % 64));
        }
    }

    /// Whether the set holds `index`.
    pub(crate) fn contains(&self, index: usize) -> bool {
        self.words
            .get(index / 64)
            .is_some_and(|w| w & (1 << (index % 64)) != 0)
    }

    /// Keeps the members of `other` only.
    pub(crate) fn intersect(&mut self, other: &ClusterSet) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a &= b;
        }
    }

    /// Removes the members of `other`.
    pub(crate) fn subtract(&mut self, other: &ClusterSet) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a &= !b;
        }
    }

    /// The clusters whose flag is set.
    fn of_flags(flags: impl Iterator<Item = bool>, len: usize) -> Self {
        let mut set = Self::empty(len);
        for (i, flag) in flags.enumerate() {
            if flag {
                set.insert(i);
            }
        }
        set
    }

    pub(crate) fn indices(&self) -> impl Iterator<Item = usize> + '_ {
        self.words.iter().enumerate().flat_map(|(w, &word)| {
            let mut bits = word;
            std::iter::from_fn(move || {
                if bits == 0 {
                    return None;
                }
                let b = bits.trailing_zeros() as usize;
                bits &= bits - 1;
                Some(w * 64 + b)
            })
        })
    }
}

/// What the general estimator needs from a cluster's resource summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SummaryFacts {
    /// The cluster has `status.resourceSummary`.
    pub(crate) present: bool,
    /// [`allowed_pod_number`] of the summary.
    pub(crate) allowed_pods: i64,
    /// `allocatableModelings` is not empty.
    pub(crate) has_models: bool,
}

/// A free amount of a resource, rounded up as Kubernetes' `Value` and `MilliValue` do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FreeAmount {
    /// Whole units, rounded up.
    pub(crate) units: i64,
    /// Thousandths, rounded up.
    pub(crate) milli: i64,
}

impl FreeAmount {
    pub(crate) fn of_nanos(nanos: i128) -> Self {
        FreeAmount {
            units: super::estimator::ceil_to_i64(nanos, 1_000_000_000),
            milli: super::estimator::ceil_to_i64(nanos, 1_000_000),
        }
    }
}

fn range(start: usize, end: usize) -> (u32, u32) {
    (
        u32::try_from(start).unwrap_or(u32::MAX),
        u32::try_from(end).unwrap_or(u32::MAX),
    )
}

fn id(index: usize) -> u32 {
    u32::try_from(index).unwrap_or(u32::MAX)
}

/// `(key, member)` pairs grouped by key into one member list with a range per key
/// (`keys` keys; members ascending within a key).
fn postings(mut pairs: Vec<(u32, u32)>, keys: usize) -> (Vec<u32>, Vec<(u32, u32)>) {
    pairs.sort_unstable();
    pairs.dedup();
    let mut ranges = vec![(0u32, 0u32); keys];
    let mut start = 0;
    for run in pairs.chunk_by(|a, b| a.0 == b.0) {
        if let Some(r) = ranges.get_mut(run[0].0 as usize) {
            *r = range(start, start + run.len());
        }
        start += run.len();
    }
    (pairs.into_iter().map(|p| p.1).collect(), ranges)
}

/// Per key, its members as a ready set when they hold at least one cluster in 64: cloning the
/// set then costs no more than building it from the list, and the sets together take no more
/// words than the lists.
fn dense_sets(members: &[u32], ranges: &[(u32, u32)], len: usize) -> Vec<Option<ClusterSet>> {
    ranges
        .iter()
        .map(|&(s, e)| {
            let list = members.get(s as usize..e as usize).unwrap_or(&[]);
            (list.len() * 64 >= len).then(|| ClusterSet::of(list, len))
        })
        .collect()
}

/// Each value's position among the distinct non-empty values in string order;
/// [`NO_GROUP`] for an empty value.
fn group_ids<'v>(values: impl Iterator<Item = &'v str> + Clone) -> Vec<u32> {
    let mut distinct: Vec<&str> = values.clone().filter(|v| !v.is_empty()).collect();
    distinct.sort_unstable();
    distinct.dedup();
    values
        .map(|v| {
            if v.is_empty() {
                NO_GROUP
            } else {
                distinct.binary_search(&v).map_or(NO_GROUP, id)
            }
        })
        .collect()
}

/// The number of distinct ids among `ids` (ids are dense from 0).
fn group_count(ids: &[u32]) -> usize {
    ids.iter()
        .filter(|&&g| g != NO_GROUP)
        .map(|&g| g as usize + 1)
        .max()
        .unwrap_or(0)
}

fn nanos_of(list: &ResourceList, name: &str) -> i128 {
    list.get(name).map_or(0, crate::api::Quantity::nanos)
}

impl<'c> ClusterSnapshot<'c> {
    /// Prepares `clusters` (any order; the scheduler never depends on it).
    pub fn new(clusters: &'c [Cluster]) -> Self {
        let n = clusters.len();

        let mut by_name: Vec<usize> = (0..n).collect();
        by_name.sort_by(|&a, &b| clusters[a].name().cmp(clusters[b].name()));
        let mut name_rank = vec![0u32; n];
        let mut rank = 0u32;
        let mut names_unique = true;
        for (pos, &i) in by_name.iter().enumerate() {
            if pos > 0 {
                if clusters[by_name[pos - 1]].name() != clusters[i].name() {
                    rank = id(pos);
                } else {
                    names_unique = false;
                }
            }
            name_rank[i] = rank;
        }

        let served = |c: &'c Cluster| -> Vec<(&'c str, &'c str)> {
            c.status.as_ref().map_or_else(Vec::new, |s| {
                s.api_enablements
                    .iter()
                    .flat_map(|e| {
                        e.resources
                            .iter()
                            .map(move |r| (e.group_version.as_str(), r.kind.as_str()))
                    })
                    .collect()
            })
        };
        let mut api_pairs: Vec<(&str, &str)> = clusters.iter().flat_map(served).collect();
        api_pairs.sort_unstable();
        api_pairs.dedup();
        let mut api_postings: Vec<(u32, u32)> = Vec::new();
        for (i, c) in clusters.iter().enumerate() {
            api_postings.extend(
                served(c)
                    .into_iter()
                    .filter_map(|p| api_pairs.binary_search(&p).ok().map(|a| (id(a), id(i)))),
            );
        }
        let (api_members, api_member_ranges) = postings(api_postings, api_pairs.len());
        let api_sets = dense_sets(&api_members, &api_member_ranges, n);

        let mut label_pairs: Vec<(&str, &str)> = clusters
            .iter()
            .flat_map(|c| {
                c.metadata
                    .labels
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
            })
            .collect();
        label_pairs.sort_unstable();
        label_pairs.dedup();
        let mut label_postings: Vec<(u32, u32)> = Vec::new();
        for (i, c) in clusters.iter().enumerate() {
            label_postings.extend(c.metadata.labels.iter().filter_map(|(k, v)| {
                label_pairs
                    .binary_search(&(k.as_str(), v.as_str()))
                    .ok()
                    .map(|l| (id(l), id(i)))
            }));
        }
        let (label_members, label_member_ranges) = postings(label_postings, label_pairs.len());
        let label_sets = dense_sets(&label_members, &label_member_ranges, n);

        let summary_of = |c: &'c Cluster| -> Option<&'c ResourceSummary> {
            c.status.as_ref().and_then(|s| s.resource_summary.as_ref())
        };
        let mut resource_names: Vec<&str> = clusters
            .iter()
            .filter_map(summary_of)
            .flat_map(|s| s.allocatable.keys().map(String::as_str))
            .collect();
        resource_names.sort_unstable();
        resource_names.dedup();
        let mut free_units: Vec<i64> = vec![NOT_ALLOCATABLE; resource_names.len() * n];
        let mut free_milli: Vec<i64> = vec![NOT_ALLOCATABLE; resource_names.len() * n];
        let mut summaries = Vec::with_capacity(n);
        for (i, c) in clusters.iter().enumerate() {
            let facts = match summary_of(c) {
                None => SummaryFacts {
                    present: false,
                    allowed_pods: 0,
                    has_models: false,
                },
                Some(s) => {
                    // The same subtraction as the estimator's, in the same order.
                    for (name, q) in &s.allocatable {
                        let left = q
                            .nanos()
                            .saturating_sub(nanos_of(&s.allocated, name))
                            .saturating_sub(nanos_of(&s.allocating, name));
                        if let Ok(r) = resource_names.binary_search(&name.as_str()) {
                            let amount = FreeAmount::of_nanos(left);
                            if let Some(slot) = free_units.get_mut(r * n + i) {
                                *slot = amount.units;
                            }
                            if let Some(slot) = free_milli.get_mut(r * n + i) {
                                *slot = amount.milli;
                            }
                        }
                    }
                    SummaryFacts {
                        present: true,
                        allowed_pods: allowed_pod_number(s),
                        has_models: !s.allocatable_modelings.is_empty(),
                    }
                }
            };
            summaries.push(facts);
        }

        let hard_taints: Vec<bool> = clusters
            .iter()
            .map(|c| {
                c.spec
                    .taints
                    .iter()
                    .any(|t| t.effect == "NoSchedule" || t.effect == "NoExecute")
            })
            .collect();
        let deleting: Vec<bool> = clusters.iter().map(Cluster::is_deleting).collect();
        let hard_taint_set = ClusterSet::of_flags(hard_taints.iter().copied(), n);
        let deleting_set = ClusterSet::of_flags(deleting.iter().copied(), n);
        let provider_set =
            ClusterSet::of_flags(clusters.iter().map(|c| !c.spec.provider.is_empty()), n);
        let region_set =
            ClusterSet::of_flags(clusters.iter().map(|c| !c.spec.region.is_empty()), n);
        let zone_set = ClusterSet::of_flags(
            clusters
                .iter()
                .map(|c| !(c.spec.zones.is_empty() && c.spec.zone.is_empty())),
            n,
        );
        let all_set = ClusterSet::of_flags((0..n).map(|_| true), n);
        let region_ids = group_ids(clusters.iter().map(|c| c.spec.region.as_str()));
        let provider_ids = group_ids(clusters.iter().map(|c| c.spec.provider.as_str()));

        ClusterSnapshot {
            clusters,
            name_rank,
            names_unique,
            by_name: by_name.into_iter().map(id).collect(),
            api_pairs,
            api_members,
            api_member_ranges,
            api_sets,
            label_pairs,
            label_members,
            label_member_ranges,
            label_sets,
            resource_names,
            free_units,
            free_milli,
            pods_bound: summaries
                .iter()
                .map(|f: &SummaryFacts| if f.present { f.allowed_pods } else { 0 })
                .collect(),
            any_models: summaries.iter().any(|f| f.has_models),
            summaries,
            hard_taints,
            deleting,
            hard_taint_set,
            deleting_set,
            provider_set,
            region_set,
            zone_set,
            all_set,
            region_count: group_count(&region_ids),
            provider_count: group_count(&provider_ids),
            region_ids,
            provider_ids,
        }
    }

    /// The clusters, in the order given.
    pub fn clusters(&self) -> &'c [Cluster] {
        self.clusters
    }

    /// The number of clusters.
    pub fn len(&self) -> usize {
        self.clusters.len()
    }

    /// Whether there are no clusters.
    pub fn is_empty(&self) -> bool {
        self.clusters.is_empty()
    }

    /// Whether no two clusters share a name.
    pub(crate) fn names_unique(&self) -> bool {
        self.names_unique
    }

    /// The cluster indices in name order.
    pub(crate) fn by_name(&self) -> &[u32] {
        &self.by_name
    }

    /// The cluster's position in name order (equal names share a position): comparing ranks
    /// compares names.
    pub fn name_rank(&self, index: usize) -> u32 {
        self.name_rank.get(index).copied().unwrap_or(u32::MAX)
    }

    fn slice<'s, T>(all: &'s [T], ranges: &[(u32, u32)], index: usize) -> &'s [T] {
        ranges
            .get(index)
            .and_then(|&(s, e)| all.get(s as usize..e as usize))
            .unwrap_or(&[])
    }

    /// The clusters serving the `(groupVersion, kind)` pair.
    pub(crate) fn serving(&self, group_version: &str, kind: &str) -> ClusterSet {
        match self.api_pairs.binary_search(&(group_version, kind)) {
            Ok(a) => match self.api_sets.get(a) {
                Some(Some(set)) => set.clone(),
                _ => ClusterSet::of(
                    Self::slice(&self.api_members, &self.api_member_ranges, a),
                    self.len(),
                ),
            },
            Err(_) => ClusterSet::empty(self.len()),
        }
    }

    /// The clusters carrying every label pair; `None` when no cluster carries one of them.
    fn carrying(&self, pairs: &[(&str, &str)]) -> Option<ClusterSet> {
        let mut set: Option<ClusterSet> = None;
        for pair in pairs {
            let l = self.label_pairs.binary_search(pair).ok()?;
            match (set.as_mut(), self.label_sets.get(l)) {
                (None, Some(Some(members))) => set = Some(members.clone()),
                (Some(s), Some(Some(members))) => s.intersect(members),
                (s, _) => {
                    let members = ClusterSet::of(
                        Self::slice(&self.label_members, &self.label_member_ranges, l),
                        self.len(),
                    );
                    match s {
                        None => set = Some(members),
                        Some(s) => s.intersect(&members),
                    }
                }
            }
        }
        Some(set.unwrap_or_else(|| {
            let mut all = ClusterSet::empty(self.len());
            (0..self.len()).for_each(|i| all.insert(i));
            all
        }))
    }

    /// The id of a resource name, `None` when no cluster lists it as allocatable.
    /// The free amounts of the named resource by cluster index, in thousandths or in whole
    /// units (`None` when no cluster lists it as allocatable).
    pub(crate) fn free_column(&self, name: &str, milli: bool) -> Option<&[i64]> {
        let r = self.resource_names.binary_search(&name).ok()?;
        let n = self.len();
        let all = if milli {
            &self.free_milli
        } else {
            &self.free_units
        };
        all.get(r * n..(r + 1) * n)
    }

    /// The free pod slots of each cluster, 0 without a resource summary.
    pub(crate) fn pods_bounds(&self) -> &[i64] {
        &self.pods_bound
    }

    /// Whether some cluster has `allocatableModelings`.
    pub(crate) fn any_models(&self) -> bool {
        self.any_models
    }

    pub(crate) fn summary(&self, index: usize) -> Option<SummaryFacts> {
        self.summaries.get(index).copied()
    }

    /// Whether the cluster has a `NoSchedule` or `NoExecute` taint.
    pub(crate) fn has_hard_taints(&self, index: usize) -> bool {
        self.hard_taints.get(index).copied().unwrap_or(true)
    }

    /// Every cluster, as a set.
    pub(crate) fn all_clusters(&self) -> &ClusterSet {
        &self.all_set
    }

    /// The clusters with a `NoSchedule` or `NoExecute` taint.
    pub(crate) fn hard_tainted(&self) -> &ClusterSet {
        &self.hard_taint_set
    }

    /// The clusters being deleted.
    pub(crate) fn deleting_clusters(&self) -> &ClusterSet {
        &self.deleting_set
    }

    /// The clusters with a provider, with a region, with a zone.
    pub(crate) fn with_properties(&self) -> (&ClusterSet, &ClusterSet, &ClusterSet) {
        (&self.provider_set, &self.region_set, &self.zone_set)
    }

    /// Whether the cluster is being deleted.
    pub(crate) fn is_deleting(&self, index: usize) -> bool {
        self.deleting.get(index).copied().unwrap_or(false)
    }

    /// The number of distinct regions (`Region`) or providers (`Provider`); 0 otherwise.
    pub(crate) fn group_count(&self, field: crate::api::SpreadByField) -> usize {
        match field {
            crate::api::SpreadByField::Region => self.region_count,
            crate::api::SpreadByField::Provider => self.provider_count,
            _ => 0,
        }
    }

    /// The cluster's region id (ids follow region names), [`NO_GROUP`] without a region.
    pub(crate) fn region_id(&self, index: usize) -> u32 {
        self.region_ids.get(index).copied().unwrap_or(NO_GROUP)
    }

    /// The cluster's provider id (ids follow provider names), [`NO_GROUP`] without one.
    pub(crate) fn provider_id(&self, index: usize) -> u32 {
        self.provider_ids.get(index).copied().unwrap_or(NO_GROUP)
    }
}

/// A cluster affinity checked against a snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PreparedMatcher {
    /// Exactly the clusters in the set match (a selector of names and `matchLabels` only).
    Members(ClusterSet),
    /// Expressions or field selectors: ask the matcher.
    Full,
}

impl ClusterSnapshot<'_> {
    /// Resolves a matcher made of names and `matchLabels` to the set of matching clusters.
    /// `affinity` is the matcher's source: without names or exclusions no name is refused.
    pub(crate) fn prepare_matcher(
        &self,
        matcher: &ClusterAffinityMatcher<'_>,
        affinity: &ClusterAffinity,
    ) -> PreparedMatcher {
        let Some(pairs) = matcher.label_equalities() else {
            return PreparedMatcher::Full;
        };
        let Some(mut set) = self.carrying(pairs) else {
            return PreparedMatcher::Members(ClusterSet::empty(self.len()));
        };
        if affinity.cluster_names.is_empty() && affinity.exclude.is_empty() {
            return PreparedMatcher::Members(set);
        }
        let refused: Vec<usize> = set
            .indices()
            .filter(|&i| {
                self.clusters
                    .get(i)
                    .is_some_and(|c| !matcher.name_allowed(c.name()))
            })
            .collect();
        for i in refused {
            set.remove(i);
        }
        PreparedMatcher::Members(set)
    }

    /// [`ClusterAffinityMatcher::matches`] for the cluster at `index`.
    pub(crate) fn matches(
        prepared: &PreparedMatcher,
        matcher: &ClusterAffinityMatcher<'_>,
        index: usize,
        cluster: &Cluster,
    ) -> bool {
        match prepared {
            PreparedMatcher::Full => matcher.matches(cluster),
            PreparedMatcher::Members(set) => set.contains(index),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::ResourceBinding;
    use crate::scheduler::{schedule, schedule_prepared, SchedulerOptions};
    use proptest::prelude::*;
    use serde_json::json;

    /// (name index, env label, api served, cpu used, taint, region, deleting, has summary)
    type ClusterSeed = (u8, u8, bool, u16, bool, u8, bool, bool);

    fn cluster(seed: &ClusterSeed) -> Cluster {
        let (name, env, api, cpu, taint, region, deleting, summary) = *seed;
        let env = ["prod", "dev", "qa"][usize::from(env % 3)];
        let mut metadata = json!({"name": format!("m{name}"), "labels": {"env": env}});
        if deleting {
            metadata["deletionTimestamp"] = json!("2024-01-01T00:00:00Z");
        }
        let mut status = json!({
            "apiEnablements": if api {
                json!([{"groupVersion": "apps/v1", "resources": [{"name": "deployments", "kind": "Deployment"}]}])
            } else {
                json!([{"groupVersion": "v1", "resources": [{"name": "configmaps", "kind": "ConfigMap"}]}])
            }
        });
        if summary {
            status["resourceSummary"] = json!({
                "allocatable": {"cpu": "10", "memory": "64Gi", "pods": "30"},
                "allocated": {"cpu": format!("{cpu}m"), "memory": "1Gi", "pods": "3"}
            });
        }
        serde_json::from_value(json!({
            "metadata": metadata,
            "spec": {
                "region": if region % 4 == 0 { String::new() } else { format!("r{}", region % 4) },
                "taints": if taint {
                    json!([{"key": "k", "effect": "NoSchedule"}])
                } else {
                    json!([])
                }
            },
            "status": status
        }))
        .unwrap()
    }

    fn binding(mode: u8, replicas: i32, previous: &[(u8, i32)]) -> ResourceBinding {
        let placement = match mode % 6 {
            0 => json!({"clusterAffinity": {"labelSelector": {"matchLabels": {"env": "prod"}}}}),
            1 => json!({"replicaScheduling": {"replicaSchedulingType": "Divided",
                "replicaDivisionPreference": "Weighted", "weightPreference": {"staticWeightList": [
                    {"targetCluster": {"labelSelector": {"matchLabels": {"env": "dev"}}}, "weight": 2},
                    {"targetCluster": {"clusterNames": ["m1", "m2"]}, "weight": 1}]}}}),
            2 => {
                json!({"spreadConstraints": [{"spreadByField": "cluster", "minGroups": 1, "maxGroups": 3}],
                "replicaScheduling": {"replicaSchedulingType": "Divided",
                "replicaDivisionPreference": "Weighted",
                "weightPreference": {"dynamicWeight": "AvailableReplicas"}}})
            }
            3 => json!({"spreadConstraints": [
                    {"spreadByField": "region", "minGroups": 1, "maxGroups": 2},
                    {"spreadByField": "cluster", "minGroups": 1, "maxGroups": 3}],
                "replicaScheduling": {"replicaSchedulingType": "Divided",
                "replicaDivisionPreference": "Aggregated"}}),
            4 => json!({"clusterAffinities": [
                    {"affinityName": "a", "labelSelector": {"matchExpressions": [
                        {"key": "env", "operator": "In", "values": ["qa"]}]}},
                    {"affinityName": "b", "labelSelector": {"matchLabels": {"env": "dev"}}}],
                "clusterTolerations": [{"key": "k", "operator": "Exists"}],
                "replicaScheduling": {"replicaSchedulingType": "Divided",
                "replicaDivisionPreference": "Weighted"}}),
            _ => json!({"clusterAffinity": {"labelSelector": {"matchLabels": {"env": "none"}}}}),
        };
        binding_of(placement, "u-1", replicas, previous, json!([]))
    }

    /// A Deployment's binding with `placement`, the previous targets `previous` (cluster
    /// `m<n>`, replicas) and the eviction tasks `evictions`.
    fn binding_of(
        placement: serde_json::Value,
        uid: &str,
        replicas: i32,
        previous: &[(u8, i32)],
        evictions: serde_json::Value,
    ) -> ResourceBinding {
        let clusters: Vec<serde_json::Value> = previous
            .iter()
            .map(|(n, r)| json!({"name": format!("m{n}"), "replicas": r}))
            .collect();
        serde_json::from_value(json!({
            "metadata": {"name": "b", "namespace": "default"},
            "spec": {
                "resource": {"apiVersion": "apps/v1", "kind": "Deployment", "uid": uid},
                "replicas": replicas,
                "replicaRequirements": {"resourceRequest": {"cpu": "500m", "memory": "1Gi"}},
                "clusters": clusters,
                "gracefulEvictionTasks": evictions,
                "placement": placement
            }
        }))
        .unwrap()
    }

    proptest! {
        #[test]
        fn prepared_schedule_equals_schedule(
            seeds in proptest::collection::vec(
                (0u8..12, 0u8..3, any::<bool>(), 0u16..12000, any::<bool>(), 0u8..8,
                 proptest::bool::weighted(0.1), proptest::bool::weighted(0.9)),
                0..14),
            mode in 0u8..6,
            replicas in 0i32..40,
            previous in proptest::collection::vec((0u8..12, 1i32..6), 0..4),
            diagnose in any::<bool>(),
        ) {
            let clusters: Vec<Cluster> = seeds.iter().map(cluster).collect();
            let b = binding(mode, replicas, &previous);
            let options = SchedulerOptions { diagnose, ..Default::default() };
            let snapshot = ClusterSnapshot::new(&clusters);
            prop_assert_eq!(
                schedule_prepared(&b, &snapshot, &options),
                schedule(&b, &clusters, &options)
            );
        }
    }

    /// Placements exercising names, exclusions, provider and zone groups, static weights
    /// by label, evictions and previous targets.
    fn varied_binding(
        mode: u8,
        replicas: i32,
        previous: &[(u8, i32)],
        evicting: u8,
    ) -> ResourceBinding {
        let placement = match mode % 5 {
            0 => json!({"clusterAffinity": {"clusterNames": ["m1", "m3", "m5", "m7"],
                "exclude": ["m3"], "labelSelector": {"matchLabels": {"env": "prod"}}}}),
            1 => json!({"spreadConstraints": [
                    {"spreadByField": "provider", "minGroups": 1, "maxGroups": 2}],
                "replicaScheduling": {"replicaSchedulingType": "Divided",
                "replicaDivisionPreference": "Aggregated"}}),
            2 => json!({"spreadConstraints": [
                    {"spreadByField": "zone", "minGroups": 1, "maxGroups": 2},
                    {"spreadByField": "region", "minGroups": 1, "maxGroups": 2}],
                "replicaScheduling": {"replicaSchedulingType": "Duplicated"}}),
            3 => json!({"replicaScheduling": {"replicaSchedulingType": "Divided",
                "replicaDivisionPreference": "Weighted", "weightPreference": {"staticWeightList": [
                    {"targetCluster": {"labelSelector": {"matchLabels": {"env": "prod"}},
                        "exclude": ["m2"]}, "weight": 3},
                    {"targetCluster": {"labelSelector": {"matchLabels": {"env": "qa"}}}, "weight": 1}]}}}),
            _ => json!({"clusterAffinities": [
                    {"affinityName": "a", "labelSelector": {"matchLabels": {"env": "qa"}},
                     "overflowAffinities": [{"affinityName": "o", "clusterNames": ["m2", "m4"]}]}],
                "replicaScheduling": {"replicaSchedulingType": "Divided",
                "replicaDivisionPreference": "Weighted",
                "weightPreference": {"dynamicWeight": "AvailableReplicas"}}}),
        };
        let evictions = json!([{"fromCluster": format!("m{evicting}")}]);
        binding_of(placement, "u-2", replicas, previous, evictions)
    }

    proptest! {
        #[test]
        fn prepared_schedule_equals_schedule_for_any_plugin_set(
            seeds in proptest::collection::vec(
                (0u8..12, 0u8..3, any::<bool>(), 0u16..12000, any::<bool>(), 0u8..8,
                 proptest::bool::weighted(0.1), proptest::bool::weighted(0.9)),
                0..14),
            mode in 0u8..5,
            replicas in 0i32..40,
            previous in proptest::collection::vec((0u8..12, 1i32..6), 0..4),
            evicting in 0u8..12,
            disabled in proptest::collection::vec(0usize..6, 0..3),
            diagnose in any::<bool>(),
        ) {
            let mut clusters: Vec<Cluster> = seeds.iter().map(cluster).collect();
            for (i, c) in clusters.iter_mut().enumerate() {
                c.spec.provider = ["", "aws", "gcp"][i % 3].to_string();
                c.spec.zones = if i % 4 == 0 { vec![] } else { vec![format!("z{}", i % 3)] };
            }
            let b = varied_binding(mode, replicas, &previous, evicting);
            let names = ["APIEnablement", "ClusterAffinity", "SpreadConstraint",
                "TaintToleration", "ClusterEviction", "ClusterLocality"];
            let mut plugins = vec!["*".to_string()];
            plugins.extend(disabled.iter().map(|&d| format!("-{}", names[d])));
            let options = SchedulerOptions {
                framework: crate::scheduler::framework::PluginRegistry::in_tree().build(&plugins),
                diagnose,
                ..Default::default()
            };
            let snapshot = ClusterSnapshot::new(&clusters);
            prop_assert_eq!(
                schedule_prepared(&b, &snapshot, &options),
                schedule(&b, &clusters, &options)
            );
        }
    }

    #[test]
    fn ranks_follow_names_and_share_on_ties() {
        let clusters: Vec<Cluster> = ["m2", "m1", "m2"]
            .iter()
            .map(|n| {
                let mut c = Cluster::default();
                c.metadata.name = n.to_string();
                c
            })
            .collect();
        let s = ClusterSnapshot::new(&clusters);
        assert_eq!(
            (0..3).map(|i| s.name_rank(i)).collect::<Vec<_>>(),
            vec![1, 0, 1]
        );
    }
}
