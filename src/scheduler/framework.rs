//! The plugin framework: filter and score plugins as traits, a registry of named plugins, and
//! the enabling rules of Karmada's `--plugins` flag.
//!
//! Karmada builds its plugin list by iterating a Go map, so the order in which filters run is
//! unspecified there. Here the registry keeps registration order (in-tree plugins first, in
//! the order APIEnablement, ClusterAffinity, SpreadConstraint, TaintToleration,
//! ClusterEviction), which makes the first rejecting plugin, and therefore every message,
//! deterministic.

use std::borrow::Cow;
use std::sync::Arc;

use crate::api::{
    Cluster, ClusterAffinity, OverflowAffinity, Placement, ResourceBinding, ResourceBindingSpec,
};

use super::filter;
use super::score;
use super::snapshot::{ClusterSet, ClusterSnapshot, PreparedMatcher};
use crate::selector::ClusterAffinityMatcher;

/// What a filter plugin decided for one cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilterResult {
    /// The cluster fits.
    Success,
    /// The cluster does not fit; the reason is counted in the NoClusterFit message.
    Unschedulable(Cow<'static, str>),
    /// The plugin failed; the cluster counts as not fitting, with this reason.
    Error(String),
}

impl FilterResult {
    /// Whether the cluster passed.
    pub fn is_success(&self) -> bool {
        matches!(self, FilterResult::Success)
    }

    /// The rejection reason, if any.
    pub fn reason(&self) -> Option<&str> {
        match self {
            FilterResult::Success => None,
            FilterResult::Unschedulable(r) => Some(r),
            FilterResult::Error(r) => Some(r),
        }
    }
}

/// A filter plugin: decides whether a cluster may receive the binding.
///
/// Plugins see a [`SchedulingContext`] holding per-binding data computed once per scheduling
/// attempt; they should not allocate on the success path.
pub trait FilterPlugin: Send + Sync {
    /// The plugin's name, as used with [`PluginRegistry::build`] and in diagnoses.
    fn name(&self) -> &str;
    /// Decides for one cluster.
    fn filter(&self, ctx: &SchedulingContext<'_>, cluster: &Cluster) -> FilterResult;

    /// Decides for `cluster`, the cluster at `index` of the context's
    /// [`ClusterSnapshot`] when it has one ([`SchedulingContext::snapshot`]). Must answer as
    /// [`FilterPlugin::filter`] does; the default asks it. The in-tree plugins answer from
    /// the snapshot's precomputed facts.
    fn filter_at(
        &self,
        ctx: &SchedulingContext<'_>,
        index: usize,
        cluster: &Cluster,
    ) -> FilterResult {
        let _ = index;
        self.filter(ctx, cluster)
    }
}

/// A score plugin: ranks the clusters that passed every filter. Karmada's in-tree scores are
/// 0..=100 and the total is the plain sum over plugins.
pub trait ScorePlugin: Send + Sync {
    /// The plugin's name.
    fn name(&self) -> &str;
    /// Scores one cluster; an error fails the scheduling attempt (reason SchedulerError).
    fn score(&self, ctx: &SchedulingContext<'_>, cluster: &Cluster) -> Result<i64, String>;
}

/// Why a plugin could not be registered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameworkError {
    /// A plugin of that name (filter or score) is already registered.
    #[error("a {kind} plugin named {name:?} already exists")]
    Duplicate {
        /// `filter` or `score`.
        kind: &'static str,
        /// The plugin name.
        name: String,
    },
}

#[derive(Clone)]
struct RegistryEntry {
    name: String,
    filter: Option<Arc<dyn FilterPlugin>>,
    score: Option<Arc<dyn ScorePlugin>>,
    /// Which in-tree plugin this is, when it is one: the scheduler then calls it directly.
    in_tree: Option<InTree>,
}

/// The in-tree plugins, called without dynamic dispatch on the scheduler's hot path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum InTree {
    ApiEnablement,
    ClusterAffinity,
    SpreadConstraint,
    TaintToleration,
    ClusterEviction,
    ClusterLocality,
}

/// The plugins known to a scheduler, by name, in registration order.
#[derive(Clone)]
pub struct PluginRegistry {
    entries: Vec<RegistryEntry>,
}

impl std::fmt::Debug for PluginRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.entries.iter().map(|e| &e.name))
            .finish()
    }
}

/// Name of the APIEnablement filter.
pub const API_ENABLEMENT: &str = "APIEnablement";
/// Name of the ClusterAffinity filter and score plugin.
pub const CLUSTER_AFFINITY: &str = "ClusterAffinity";
/// Name of the SpreadConstraint filter.
pub const SPREAD_CONSTRAINT: &str = "SpreadConstraint";
/// Name of the TaintToleration filter.
pub const TAINT_TOLERATION: &str = "TaintToleration";
/// Name of the ClusterEviction filter.
pub const CLUSTER_EVICTION: &str = "ClusterEviction";
/// Name of the ClusterLocality score plugin.
pub const CLUSTER_LOCALITY: &str = "ClusterLocality";

impl Default for PluginRegistry {
    fn default() -> Self {
        Self::in_tree()
    }
}

impl PluginRegistry {
    /// An empty registry.
    pub fn empty() -> Self {
        PluginRegistry {
            entries: Vec::new(),
        }
    }

    /// Karmada's in-tree plugins.
    pub fn in_tree() -> Self {
        let mut r = Self::empty();
        let affinity = Arc::new(filter::ClusterAffinityFilter);
        r.entries.push(RegistryEntry {
            name: API_ENABLEMENT.into(),
            filter: Some(Arc::new(filter::ApiEnablementFilter)),
            score: None,
            in_tree: Some(InTree::ApiEnablement),
        });
        r.entries.push(RegistryEntry {
            name: CLUSTER_AFFINITY.into(),
            filter: Some(affinity),
            score: Some(Arc::new(score::ClusterAffinityScore)),
            in_tree: Some(InTree::ClusterAffinity),
        });
        r.entries.push(RegistryEntry {
            name: SPREAD_CONSTRAINT.into(),
            filter: Some(Arc::new(filter::SpreadConstraintFilter)),
            score: None,
            in_tree: Some(InTree::SpreadConstraint),
        });
        r.entries.push(RegistryEntry {
            name: TAINT_TOLERATION.into(),
            filter: Some(Arc::new(filter::TaintTolerationFilter)),
            score: None,
            in_tree: Some(InTree::TaintToleration),
        });
        r.entries.push(RegistryEntry {
            name: CLUSTER_EVICTION.into(),
            filter: Some(Arc::new(filter::ClusterEvictionFilter)),
            score: None,
            in_tree: Some(InTree::ClusterEviction),
        });
        r.entries.push(RegistryEntry {
            name: CLUSTER_LOCALITY.into(),
            filter: None,
            score: Some(Arc::new(score::ClusterLocalityScore)),
            in_tree: Some(InTree::ClusterLocality),
        });
        r
    }

    fn entry_mut(&mut self, name: &str) -> &mut RegistryEntry {
        let pos = match self.entries.iter().position(|e| e.name == name) {
            Some(p) => p,
            None => {
                self.entries.push(RegistryEntry {
                    name: name.to_string(),
                    filter: None,
                    score: None,
                    in_tree: None,
                });
                self.entries.len() - 1
            }
        };
        &mut self.entries[pos]
    }

    /// Adds a filter plugin under its name. A plugin may be both a filter and a score plugin
    /// under one name (as ClusterAffinity is).
    pub fn register_filter(&mut self, plugin: Arc<dyn FilterPlugin>) -> Result<(), FrameworkError> {
        let name = plugin.name().to_string();
        let entry = self.entry_mut(&name);
        if entry.filter.is_some() {
            return Err(FrameworkError::Duplicate {
                kind: "filter",
                name,
            });
        }
        entry.filter = Some(plugin);
        Ok(())
    }

    /// Adds a score plugin under its name.
    pub fn register_score(&mut self, plugin: Arc<dyn ScorePlugin>) -> Result<(), FrameworkError> {
        let name = plugin.name().to_string();
        let entry = self.entry_mut(&name);
        if entry.score.is_some() {
            return Err(FrameworkError::Duplicate {
                kind: "score",
                name,
            });
        }
        entry.score = Some(plugin);
        Ok(())
    }

    /// The registered plugin names, in registration order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|e| e.name.as_str())
    }

    /// The plugin set enabled by a `--plugins` list, with Karmada's rules: `*` enables every
    /// registered plugin, a registered name enables that plugin, and `-Name` disables it once
    /// something is enabled (so `*,-Name` and `-Name,*` both mean "all but Name", while
    /// `-Name` alone enables nothing). Unknown names are ignored. Plugins run in registration
    /// order whatever the order of the list.
    ///
    /// ```
    /// use fedplan::scheduler::framework::PluginRegistry;
    /// let fw = PluginRegistry::in_tree().build(&["*", "-TaintToleration"]);
    /// assert!(!fw.filter_names().any(|n| n == "TaintToleration"));
    /// assert!(fw.filter_names().any(|n| n == "ClusterAffinity"));
    /// ```
    pub fn build<S: AsRef<str>>(&self, plugins: &[S]) -> Framework {
        let mut enabled = vec![false; self.entries.len()];
        if plugins.iter().any(|p| p.as_ref() == "*") {
            enabled.iter_mut().for_each(|e| *e = true);
        }
        for p in plugins {
            let p = p.as_ref();
            if let Some(i) = self.entries.iter().position(|e| e.name == p) {
                enabled[i] = true;
                continue;
            }
            if let Some(rest) = p.strip_prefix('-') {
                if enabled.iter().any(|e| *e) {
                    let rest = rest.trim_start_matches('-');
                    if let Some(i) = self.entries.iter().position(|e| e.name == rest) {
                        enabled[i] = false;
                    }
                }
            }
        }
        let mut fw = Framework {
            filters: Vec::new(),
            scores: Vec::new(),
            filter_kinds: Vec::new(),
            score_kinds: Vec::new(),
        };
        for (entry, on) in self.entries.iter().zip(enabled) {
            if !on {
                continue;
            }
            if let Some(f) = &entry.filter {
                fw.filters.push(f.clone());
                fw.filter_kinds.push(entry.in_tree);
            }
            if let Some(s) = &entry.score {
                fw.scores.push(s.clone());
                fw.score_kinds.push(entry.in_tree);
            }
        }
        fw
    }
}

/// An enabled set of filter and score plugins, in running order.
#[derive(Clone)]
pub struct Framework {
    filters: Vec<Arc<dyn FilterPlugin>>,
    scores: Vec<Arc<dyn ScorePlugin>>,
    /// Per filter, which in-tree plugin it is (`None` for a plugin registered from outside).
    filter_kinds: Vec<Option<InTree>>,
    /// Per score plugin, likewise.
    score_kinds: Vec<Option<InTree>>,
}

impl std::fmt::Debug for Framework {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Framework")
            .field("filters", &self.filter_names().collect::<Vec<_>>())
            .field("scores", &self.score_names().collect::<Vec<_>>())
            .finish()
    }
}

impl Default for Framework {
    fn default() -> Self {
        PluginRegistry::in_tree().build(&["*"])
    }
}

impl Framework {
    /// Enabled filter plugin names, in running order.
    pub fn filter_names(&self) -> impl Iterator<Item = &str> {
        self.filters.iter().map(|f| f.name())
    }

    /// Enabled score plugin names.
    pub fn score_names(&self) -> impl Iterator<Item = &str> {
        self.scores.iter().map(|s| s.name())
    }

    /// Runs the filters in order and stops at the first that does not pass, as Karmada does.
    /// Returns the index of the rejecting plugin with its result.
    pub fn run_filters(
        &self,
        ctx: &SchedulingContext<'_>,
        cluster: &Cluster,
    ) -> Option<(usize, FilterResult)> {
        for (i, f) in self.filters.iter().enumerate() {
            let r = f.filter(ctx, cluster);
            if !r.is_success() {
                return Some((i, r));
            }
        }
        None
    }

    /// [`Framework::run_filters`] for `cluster`, the cluster at `index` of the context's
    /// snapshot (see [`FilterPlugin::filter_at`]).
    pub fn run_filters_at(
        &self,
        ctx: &SchedulingContext<'_>,
        index: usize,
        cluster: &Cluster,
    ) -> Option<(usize, FilterResult)> {
        for (i, f) in self.filters.iter().enumerate() {
            let r = f.filter_at(ctx, index, cluster);
            if !r.is_success() {
                return Some((i, r));
            }
        }
        None
    }

    /// The enabled filters as one fused check, when every one of them is in-tree.
    pub(crate) fn in_tree_filters(&self) -> Option<InTreeFilters> {
        let mut fused = InTreeFilters::default();
        for kind in &self.filter_kinds {
            match kind {
                Some(InTree::ApiEnablement) => fused.api = true,
                Some(InTree::ClusterAffinity) => fused.affinity = true,
                Some(InTree::SpreadConstraint) => fused.spread = true,
                Some(InTree::TaintToleration) => fused.taint = true,
                Some(InTree::ClusterEviction) => fused.eviction = true,
                Some(InTree::ClusterLocality) | None => return None,
            }
        }
        Some(fused)
    }

    /// Whether the score plugin at `index` is known to give every cluster 0 for this
    /// context (ClusterAffinity always; ClusterLocality when the binding has no targets).
    pub(crate) fn score_is_zero(&self, index: usize, ctx: &SchedulingContext<'_>) -> bool {
        match self.score_kinds.get(index).copied().flatten() {
            Some(InTree::ClusterAffinity) => true,
            Some(InTree::ClusterLocality) => ctx.targets.is_empty(),
            _ => false,
        }
    }

    /// Runs the filter at `index` alone (`None` if there is no such filter).
    pub fn run_filter(
        &self,
        index: usize,
        ctx: &SchedulingContext<'_>,
        cluster: &Cluster,
    ) -> Option<FilterResult> {
        self.filters.get(index).map(|f| f.filter(ctx, cluster))
    }

    /// The name of the filter at `index` (as returned by [`Framework::run_filters`]).
    pub fn filter_name(&self, index: usize) -> &str {
        self.filters.get(index).map_or("", |f| f.name())
    }

    pub(crate) fn scores(&self) -> &[Arc<dyn ScorePlugin>] {
        &self.scores
    }
}

/// The enabled in-tree filters, checked together: whether a cluster passes all of them is
/// what [`Framework::run_filters_at`] decides, without building rejections.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct InTreeFilters {
    api: bool,
    affinity: bool,
    spread: bool,
    taint: bool,
    eviction: bool,
    /// The properties the spread constraints require (resolved by
    /// [`InTreeFilters::for_placement`]).
    needs_provider: bool,
    needs_region: bool,
    needs_zone: bool,
}

impl InTreeFilters {
    /// These filters with the placement's spread-constraint properties resolved, so that
    /// each cluster is checked without walking the constraints.
    pub(crate) fn for_placement(mut self, placement: &Placement) -> Self {
        use crate::api::SpreadByField;
        for sc in &placement.spread_constraints {
            match sc.spread_by_field {
                Some(SpreadByField::Provider) => self.needs_provider = true,
                Some(SpreadByField::Region) => self.needs_region = true,
                Some(SpreadByField::Zone) => self.needs_zone = true,
                _ => {}
            }
        }
        self
    }

    /// The clusters of the context's snapshot that are not being deleted and pass every
    /// filter, computed word by word, when set facts decide every filter: no current
    /// targets (they pass the API and taint filters whatever the facts), no tolerations, no
    /// evictions, no overflow affinities for a workload, and an affinity the snapshot
    /// prepared as a set. `None` otherwise.
    pub(crate) fn passing_set(&self, ctx: &SchedulingContext<'_>) -> Option<ClusterSet> {
        let lookups = ctx.snapshot.as_ref()?;
        let snapshot = lookups.snapshot;
        if !ctx.targets.is_empty() || (self.eviction && !ctx.evicting.is_empty()) {
            return None;
        }
        let mut set = if self.api {
            lookups.api.clone()
        } else {
            snapshot.all_clusters().clone()
        };
        if self.affinity && ctx.affinity_matcher.is_some() {
            if ctx.is_workload && !ctx.overflow_matchers.is_empty() {
                return None;
            }
            match &lookups.affinity {
                Some(PreparedMatcher::Members(members)) => set.intersect(members),
                _ => return None,
            }
        }
        if self.spread {
            let (provider, region, zone) = snapshot.with_properties();
            if self.needs_provider {
                set.intersect(provider);
            }
            if self.needs_region {
                set.intersect(region);
            }
            if self.needs_zone {
                set.intersect(zone);
            }
        }
        if self.taint {
            if !ctx.placement.cluster_tolerations.is_empty() {
                return None;
            }
            set.subtract(snapshot.hard_tainted());
        }
        set.subtract(snapshot.deleting_clusters());
        Some(set)
    }

    /// Whether `cluster`, at `index` of the context's snapshot, passes every filter.
    #[inline]
    pub(crate) fn passes(
        &self,
        ctx: &SchedulingContext<'_>,
        index: usize,
        cluster: &Cluster,
    ) -> bool {
        if self.api {
            let served = match ctx.snapshot_serves_api(index) {
                Some(served) => served,
                None => filter::ApiEnablementFilter
                    .filter(ctx, cluster)
                    .is_success(),
            };
            if !served && !ctx.is_target(cluster.name()) {
                return false;
            }
        }
        if self.affinity {
            if let Some(matched) = ctx.affinity_matches_at(index, cluster) {
                if !(matched
                    || (ctx.is_workload && ctx.overflow_position_at(index, cluster).is_some()))
                {
                    return false;
                }
            }
        }
        // SpreadConstraint rejects a cluster missing a property some constraint spreads by.
        if self.spread
            && ((self.needs_provider && cluster.spec.provider.is_empty())
                || (self.needs_region && cluster.spec.region.is_empty())
                || (self.needs_zone
                    && cluster.spec.zones.is_empty()
                    && cluster.spec.zone.is_empty()))
        {
            return false;
        }
        if self.taint
            && !filter::TaintTolerationFilter
                .filter_at(ctx, index, cluster)
                .is_success()
        {
            return false;
        }
        !(self.eviction && !ctx.evicting.is_empty() && ctx.is_evicting(cluster.name()))
    }
}

/// Per-attempt data every plugin needs, computed once per binding and attempt.
#[derive(Debug, Clone)]
pub struct SchedulingContext<'a> {
    /// The binding being scheduled.
    pub binding: &'a ResourceBinding,
    /// Its placement (an empty placement when the binding has none).
    pub placement: &'a Placement,
    /// The `clusterAffinities` term in use for this attempt, or the plain `clusterAffinity`.
    pub affinity: Option<&'a ClusterAffinity>,
    /// The overflow affinities of the term in use (empty without `clusterAffinities`).
    pub overflow_affinities: &'a [OverflowAffinity],
    /// Name of the `clusterAffinities` term in use.
    pub affinity_name: Option<&'a str>,
    /// Whether the binding is a workload (replicas > 0, requirements, or components).
    pub is_workload: bool,
    /// Whether rejection reasons are wanted in full. When false a plugin may return a
    /// cheaper, static reason; the scheduler re-runs the rejecting plugin with `explain` set
    /// whenever a reason is shown (a NoClusterFit message or a diagnosis).
    pub explain: bool,
    /// The affinity in use, with its selectors checked once.
    pub affinity_matcher: Option<ClusterAffinityMatcher<'a>>,
    /// The overflow affinities in use, checked once.
    pub overflow_matchers: Vec<ClusterAffinityMatcher<'a>>,
    /// Names in `spec.clusters`, sorted, for binary search.
    targets: Vec<(&'a str, i32)>,
    /// Names of `gracefulEvictionTasks[].fromCluster`, sorted.
    evicting: Vec<&'a str>,
    /// The snapshot the clusters come from, with this binding's lookups resolved.
    snapshot: Option<SnapshotLookups<'a>>,
}

/// A binding's questions to a [`ClusterSnapshot`], resolved once per attempt.
#[derive(Debug, Clone)]
struct SnapshotLookups<'a> {
    snapshot: &'a ClusterSnapshot<'a>,
    /// The clusters serving the template's `(apiVersion, kind)`.
    api: ClusterSet,
    affinity: Option<PreparedMatcher>,
    overflow: Vec<PreparedMatcher>,
}

static EMPTY_PLACEMENT: std::sync::OnceLock<Placement> = std::sync::OnceLock::new();

impl<'a> SchedulingContext<'a> {
    /// The context for scheduling `binding` with `clusterAffinities` term `term` (ignored
    /// when the placement has no `clusterAffinities`).
    pub fn new(binding: &'a ResourceBinding, term: Option<usize>) -> Self {
        let spec = &binding.spec;
        let placement = spec
            .placement
            .as_ref()
            .unwrap_or_else(|| EMPTY_PLACEMENT.get_or_init(Placement::default));
        let (affinity, overflow_affinities, affinity_name) =
            if let Some(a) = &placement.cluster_affinity {
                (Some(a), &[][..], None)
            } else {
                match term.and_then(|i| placement.cluster_affinities.get(i)) {
                    Some(t) => (
                        Some(&t.affinity),
                        t.overflow_affinities.as_slice(),
                        Some(t.affinity_name.as_str()),
                    ),
                    None => (None, &[][..], None),
                }
            };
        let mut targets: Vec<(&str, i32)> = spec
            .clusters
            .iter()
            .map(|t| (t.name.as_str(), t.replicas))
            .collect();
        targets.sort_unstable();
        let mut evicting: Vec<&str> = spec
            .graceful_eviction_tasks
            .iter()
            .map(|t| t.from_cluster.as_str())
            .collect();
        evicting.sort_unstable();
        SchedulingContext {
            binding,
            placement,
            affinity,
            overflow_affinities,
            affinity_name,
            is_workload: is_workload(spec),
            explain: true,
            affinity_matcher: affinity.map(ClusterAffinityMatcher::new),
            overflow_matchers: overflow_affinities
                .iter()
                .map(|o| ClusterAffinityMatcher::new(&o.affinity))
                .collect(),
            targets,
            evicting,
            snapshot: None,
        }
    }

    /// This context for clusters of `snapshot`: the plugins answer from its facts, with the
    /// binding's lookups (API, label pairs) resolved here once.
    pub fn with_snapshot(mut self, snapshot: &'a ClusterSnapshot<'a>) -> Self {
        let resource = &self.binding.spec.resource;
        self.snapshot = Some(SnapshotLookups {
            snapshot,
            api: snapshot.serving(&resource.api_version, &resource.kind),
            affinity: self
                .affinity_matcher
                .as_ref()
                .zip(self.affinity)
                .map(|(m, a)| snapshot.prepare_matcher(m, a)),
            overflow: self
                .overflow_matchers
                .iter()
                .zip(self.overflow_affinities)
                .map(|(m, o)| snapshot.prepare_matcher(m, &o.affinity))
                .collect(),
        });
        self
    }

    /// The snapshot given with [`SchedulingContext::with_snapshot`].
    pub fn snapshot(&self) -> Option<&'a ClusterSnapshot<'a>> {
        self.snapshot.as_ref().map(|s| s.snapshot)
    }

    /// Whether the template's API is served by the cluster at `index` of the snapshot;
    /// `None` without a snapshot.
    pub(crate) fn snapshot_serves_api(&self, index: usize) -> Option<bool> {
        let s = self.snapshot.as_ref()?;
        Some(s.api.contains(index))
    }

    /// Whether `cluster` (at `index` of the snapshot, if any) matches the affinity in use;
    /// `None` without one.
    pub(crate) fn affinity_matches_at(&self, index: usize, cluster: &Cluster) -> Option<bool> {
        let matcher = self.affinity_matcher.as_ref()?;
        Some(match &self.snapshot {
            Some(SnapshotLookups {
                affinity: Some(prepared),
                ..
            }) => ClusterSnapshot::matches(prepared, matcher, index, cluster),
            _ => matcher.matches(cluster),
        })
    }

    /// Position of the first overflow affinity `cluster` (at `index` of the snapshot, if
    /// any) matches.
    pub(crate) fn overflow_position_at(&self, index: usize, cluster: &Cluster) -> Option<usize> {
        self.overflow_matchers
            .iter()
            .enumerate()
            .position(|(i, m)| match &self.snapshot {
                Some(s) => match s.overflow.get(i) {
                    Some(prepared) => ClusterSnapshot::matches(prepared, m, index, cluster),
                    None => m.matches(cluster),
                },
                None => m.matches(cluster),
            })
    }

    /// The context with the `clusterAffinities` term named by the binding's
    /// `status.schedulerObservingAffinityName` (no term when the name is unset or unknown).
    pub fn observed(binding: &'a ResourceBinding) -> Self {
        let name = binding
            .status
            .as_ref()
            .and_then(|s| s.scheduler_observing_affinity_name.as_deref());
        let term = name.and_then(|n| {
            binding.spec.placement.as_ref().and_then(|p| {
                p.cluster_affinities
                    .iter()
                    .position(|t| t.affinity_name == n)
            })
        });
        Self::new(binding, term)
    }

    /// The binding spec.
    pub fn spec(&self) -> &'a ResourceBindingSpec {
        &self.binding.spec
    }

    /// Whether `spec.clusters` names any cluster.
    pub(crate) fn has_targets(&self) -> bool {
        !self.targets.is_empty()
    }

    /// Whether the cluster is in the current `spec.clusters`.
    pub fn is_target(&self, name: &str) -> bool {
        self.targets
            .binary_search_by(|(n, _)| (*n).cmp(name))
            .is_ok()
    }

    /// Replicas currently assigned to the cluster in `spec.clusters` (summed if listed twice).
    #[inline]
    pub fn assigned_replicas(&self, name: &str) -> i64 {
        if self.targets.is_empty() {
            return 0;
        }
        let start = self.targets.partition_point(|(n, _)| *n < name);
        self.targets[start..]
            .iter()
            .take_while(|(n, _)| *n == name)
            .map(|(_, r)| i64::from(*r))
            .sum()
    }

    /// Whether the cluster is the `fromCluster` of a graceful eviction task.
    pub fn is_evicting(&self, name: &str) -> bool {
        self.evicting.binary_search(&name).is_ok()
    }
}

/// Karmada's workload test: replicas > 0, or replica requirements, or components.
pub fn is_workload(spec: &ResourceBindingSpec) -> bool {
    spec.replicas > 0 || spec.replica_requirements.is_some() || !spec.components.is_empty()
}
