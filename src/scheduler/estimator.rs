//! Capacity estimation: how many more replicas of a workload each cluster can hold.
//!
//! The general estimator follows Karmada's `pkg/estimator/client/general.go`:
//!
//! * no `status.resourceSummary` → 0;
//! * free pods = `allocatable.pods − allocated.pods − allocating.pods` (missing entries count
//!   as 0, so a summary without `allocatable.pods` yields 0); no free pod → 0;
//! * no replica requirements → the free pods;
//! * with the `CustomizedClusterResourceModeling` gate (on by default) and a non-empty
//!   `allocatableModelings`, the resource-model simulation replaces the summary bound:
//!   `min(free pods, models)`; when the models cannot be used (e.g. no `spec.resourceModels`)
//!   the summary bound applies;
//! * the summary bound: for every positive request, `(allocatable − allocated − allocating) /
//!   request` (CPU in millicores, everything else in whole units); a requested resource
//!   missing from `allocatable` gives 0. `nodeClaim` is ignored.
//!
//! The resource-model simulation builds one virtual node per counted node of each grade
//! (capacity = each range's `min`, plus 110 pods) in ascending grade order and places
//! replicas first-fit. Nodes are kept as runs of identical nodes, so a model with millions of
//! nodes costs no more than one with three.
//!
//! Several estimators combine by minimum, ignoring [`UNAUTHENTIC_REPLICA`] answers
//! ([`calculate_available_replicas`]).

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::snapshot::{ClusterSnapshot, NOT_ALLOCATABLE};

use crate::api::{
    Cluster, Component, ComponentReplicaRequirements, Placement, Quantity, ReplicaRequirements,
    ResourceBindingSpec, ResourceList, ResourceModel, ResourceModelRange, ResourceSummary,
    SpreadByField,
};

/// The answer of an estimator that has no opinion on a cluster.
pub const UNAUTHENTIC_REPLICA: i32 = -1;

/// Pods a virtual resource-model node holds (Kubernetes' default).
pub const MAX_PODS_PER_MODEL_NODE: i64 = 110;

/// Estimates the maximum number of replicas each cluster can still hold.
///
/// Several estimators combine by minimum, ignoring [`UNAUTHENTIC_REPLICA`] answers, as in
/// Karmada.
pub trait Estimator: Send + Sync {
    /// A name for diagnoses.
    fn name(&self) -> &str;

    /// One answer per cluster, in the order given: the replicas that still fit, or
    /// [`UNAUTHENTIC_REPLICA`].
    fn max_available_replicas(
        &self,
        clusters: &[&Cluster],
        requirements: Option<&ReplicaRequirements>,
    ) -> Vec<i32>;

    /// [`Estimator::max_available_replicas`] for the clusters at `indices` of `snapshot`.
    /// Must give the same answers; the default asks `max_available_replicas`. The general
    /// estimator answers from the snapshot's precomputed free resources.
    fn max_available_replicas_in(
        &self,
        snapshot: &ClusterSnapshot<'_>,
        indices: &[usize],
        requirements: Option<&ReplicaRequirements>,
    ) -> Vec<i32> {
        let clusters = snapshot.clusters();
        let refs: Vec<&Cluster> = indices.iter().filter_map(|&i| clusters.get(i)).collect();
        self.max_available_replicas(&refs, requirements)
    }

    /// One answer per cluster: how many complete sets of `components` still fit, or
    /// [`UNAUTHENTIC_REPLICA`] (the default: no opinion).
    fn max_available_component_sets(
        &self,
        clusters: &[&Cluster],
        components: &[Component],
    ) -> Vec<i32> {
        let _ = components;
        vec![UNAUTHENTIC_REPLICA; clusters.len()]
    }
}

/// Why the resource models of a cluster could not be used (the estimate then falls back to
/// the resource summary).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    /// The cluster has no `status.resourceSummary`.
    #[error("cluster {cluster}: status.resourceSummary is missing")]
    NoResourceSummary {
        /// Cluster name.
        cluster: String,
    },
    /// The cluster has no `spec.resourceModels`.
    #[error("cluster {cluster}: spec.resourceModels is empty")]
    NoResourceModels {
        /// Cluster name.
        cluster: String,
    },
    /// An `allocatableModelings` entry has a negative count.
    #[error("cluster {cluster}: status.resourceSummary.allocatableModelings: negative node count {count} for grade {grade}")]
    NegativeNodeCount {
        /// Cluster name.
        cluster: String,
        /// The grade.
        grade: u32,
        /// The count.
        count: i32,
    },
}

/// Feature gates of the general estimator; the defaults are Karmada's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EstimatorOptions {
    /// `CustomizedClusterResourceModeling` (Beta, default on): use the resource models.
    pub customized_cluster_resource_modeling: bool,
    /// `SchedulingOvercommitProtection` (Alpha, default off): account for assumed workloads.
    pub scheduling_overcommit_protection: bool,
}

impl Default for EstimatorOptions {
    fn default() -> Self {
        EstimatorOptions {
            customized_cluster_resource_modeling: true,
            scheduling_overcommit_protection: false,
        }
    }
}

/// A workload scheduled to a cluster whose pods are not running yet; with
/// `SchedulingOvercommitProtection` its footprint is deducted before estimating.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssumedWorkload {
    /// Namespace of the workload.
    #[serde(default)]
    pub namespace: String,
    /// Name of the workload.
    #[serde(default)]
    pub name: String,
    /// Its pod templates with the replicas assumed on the cluster.
    #[serde(default)]
    pub components: Vec<AssumedComponent>,
}

/// One pod template of an [`AssumedWorkload`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssumedComponent {
    /// Component name (may be empty for single-template workloads).
    #[serde(default)]
    pub name: String,
    /// Replicas assumed on the cluster.
    #[serde(default)]
    pub replicas: i32,
    /// Per-replica requirements.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replica_requirements: Option<ComponentReplicaRequirements>,
}

/// Karmada's `general-estimator`, from `status.resourceSummary` and the resource models.
#[derive(Debug, Clone, Default)]
pub struct GeneralEstimator {
    /// Feature gates.
    pub options: EstimatorOptions,
    /// Assumed in-flight workloads per cluster name.
    pub assumed: BTreeMap<String, Vec<AssumedWorkload>>,
}

impl GeneralEstimator {
    /// The estimator with Karmada's default gates and no assumed workloads.
    pub fn new() -> Self {
        Self::default()
    }

    fn assumed_for(&self, cluster: &Cluster) -> &[AssumedWorkload] {
        if !self.options.scheduling_overcommit_protection {
            return &[];
        }
        self.assumed.get(cluster.name()).map_or(&[], Vec::as_slice)
    }

    /// The replicas of a single pod template that still fit in `cluster`.
    ///
    /// ```
    /// use fedplan::api::Cluster;
    /// use fedplan::scheduler::estimator::GeneralEstimator;
    /// let cluster: Cluster = serde_json::from_value(serde_json::json!({"status": {
    ///     "resourceSummary": {"allocatable": {"pods": "100", "cpu": "4", "memory": "8Gi"},
    ///                         "allocated": {"pods": "20", "cpu": "1", "memory": "2Gi"}}}})).unwrap();
    /// let requirements = serde_json::from_value(serde_json::json!(
    ///     {"resourceRequest": {"cpu": "500m", "memory": "1Gi"}})).unwrap();
    /// assert_eq!(GeneralEstimator::new().cluster_replicas(&cluster, Some(&requirements)), 6);
    /// ```
    pub fn cluster_replicas(
        &self,
        cluster: &Cluster,
        requirements: Option<&ReplicaRequirements>,
    ) -> i32 {
        let Some(original) = cluster
            .status
            .as_ref()
            .and_then(|s| s.resource_summary.as_ref())
        else {
            return 0;
        };
        let assumed = self.assumed_for(cluster);
        // Copy the summary only when assumed workloads change it: this runs for every
        // (binding, cluster) pair.
        let summary: std::borrow::Cow<'_, ResourceSummary> = if assumed.is_empty() {
            std::borrow::Cow::Borrowed(original)
        } else {
            let mut copy = original.clone();
            add_assumed_to_allocating(&mut copy, assumed);
            std::borrow::Cow::Owned(copy)
        };
        let summary = summary.as_ref();
        let Some(requirements) = requirements else {
            return clamp_to_i32(allowed_pod_number(summary));
        };
        self.cluster_replicas_with(
            cluster,
            summary,
            assumed,
            requirements,
            &RequestBounds::new(&requirements.resource_request),
        )
    }

    /// [`GeneralEstimator::cluster_replicas`] with the requests resolved once for every
    /// cluster (`request` is `requirements.resource_request`).
    fn cluster_replicas_with(
        &self,
        cluster: &Cluster,
        summary: &ResourceSummary,
        assumed: &[AssumedWorkload],
        requirements: &ReplicaRequirements,
        request: &RequestBounds<'_>,
    ) -> i32 {
        let (allowed_pods, by_summary) = match request.summary_bounds(summary) {
            Some(bounds) => bounds,
            None => (
                allowed_pod_number(summary),
                max_replicas_by_summary(summary, &requirements.resource_request),
            ),
        };
        let mut maximum = allowed_pods;
        if maximum <= 0 {
            return 0;
        }
        if self.options.customized_cluster_resource_modeling
            && !summary.allocatable_modelings.is_empty()
        {
            if let Ok(by_models) =
                max_replicas_by_resource_models(cluster, &requirements.resource_request, assumed)
            {
                return clamp_to_i32(maximum.min(by_models));
            }
        }
        maximum = maximum.min(by_summary);
        clamp_to_i32(maximum)
    }

    /// The complete sets of `components` that still fit in `cluster` (Karmada's
    /// `maxAvailableComponentSets`): bounded by the free pods, the summary's aggregated
    /// per-set demand and, with the gate, the resource-model simulation.
    pub fn cluster_component_sets(&self, cluster: &Cluster, components: &[Component]) -> i32 {
        let Some(summary) = cluster
            .status
            .as_ref()
            .and_then(|s| s.resource_summary.as_ref())
        else {
            return 0;
        };
        let mut available = available_resource_map(summary);
        let mut allowed_pods = allowed_pod_number(summary);
        if allowed_pods <= 0 {
            return 0;
        }
        let assumed = self.assumed_for(cluster);
        if !assumed.is_empty() {
            for workload in assumed {
                for component in &workload.components {
                    let replicas = i64::from(component.replicas);
                    allowed_pods -= replicas;
                    if let Some(req) = &component.replica_requirements {
                        for (name, q) in &req.resource_request {
                            let entry = available.entry(name.clone()).or_insert(0);
                            *entry = entry.saturating_sub(format_units(q).saturating_mul(replicas));
                        }
                    }
                }
            }
            if allowed_pods <= 0 {
                return 0;
            }
        }
        let pods_per_set: i64 = components.iter().map(|c| i64::from(c.replicas)).sum();
        if pods_per_set <= 0 {
            return clamp_to_i32(allowed_pods);
        }
        let pod_bound = clamp_to_i32(allowed_pods / pods_per_set);
        let mut per_set: BTreeMap<&str, i64> = BTreeMap::new();
        for component in components {
            let Some(req) = &component.replica_requirements else {
                continue;
            };
            for (name, q) in &req.resource_request {
                let entry = per_set.entry(name.as_str()).or_insert(0);
                *entry = entry
                    .saturating_add(format_units(q).saturating_mul(i64::from(component.replicas)));
            }
        }
        let mut max_sets = pod_bound;
        for (name, demand) in &per_set {
            if *demand <= 0 {
                continue;
            }
            let free = available.get(*name).copied().unwrap_or(0);
            if free <= 0 {
                return 0;
            }
            max_sets = max_sets.min(clamp_to_i32(free / demand));
        }
        if self.options.customized_cluster_resource_modeling
            && !summary.allocatable_modelings.is_empty()
        {
            if let Ok(by_models) =
                max_sets_by_resource_models(cluster, components, assumed, max_sets)
            {
                max_sets = max_sets.min(by_models);
            }
        }
        max_sets
    }
}

impl Estimator for GeneralEstimator {
    fn name(&self) -> &str {
        "general-estimator"
    }

    fn max_available_replicas(
        &self,
        clusters: &[&Cluster],
        requirements: Option<&ReplicaRequirements>,
    ) -> Vec<i32> {
        let Some(requirements) = requirements else {
            return clusters
                .iter()
                .map(|c| self.cluster_replicas(c, None))
                .collect();
        };
        // The requests are read once for all clusters; this runs for every binding.
        let request = RequestBounds::new(&requirements.resource_request);
        clusters
            .iter()
            .map(|c| {
                let Some(summary) = c.status.as_ref().and_then(|s| s.resource_summary.as_ref())
                else {
                    return 0;
                };
                let assumed = self.assumed_for(c);
                if assumed.is_empty() {
                    self.cluster_replicas_with(c, summary, assumed, requirements, &request)
                } else {
                    self.cluster_replicas(c, Some(requirements))
                }
            })
            .collect()
    }

    fn max_available_component_sets(
        &self,
        clusters: &[&Cluster],
        components: &[Component],
    ) -> Vec<i32> {
        clusters
            .iter()
            .map(|c| self.cluster_component_sets(c, components))
            .collect()
    }

    fn max_available_replicas_in(
        &self,
        snapshot: &ClusterSnapshot<'_>,
        indices: &[usize],
        requirements: Option<&ReplicaRequirements>,
    ) -> Vec<i32> {
        let clusters = snapshot.clusters();
        let request = requirements.map(|r| RequestBounds::new(&r.resource_request));
        // (free amounts by cluster in the request's unit, per replica) per request.
        let mut columns: Vec<(&[i64], i64)> = Vec::new();
        let mut unlisted = false;
        for &(name, per_replica, is_cpu) in request.iter().flat_map(|r| r.items.iter()) {
            match snapshot.free_column(name, is_cpu) {
                Some(column) => columns.push((column, per_replica)),
                None => unlisted = true,
            }
        }
        let any_assumed = self.options.scheduling_overcommit_protection && !self.assumed.is_empty();
        let models = requirements.is_some()
            && self.options.customized_cluster_resource_modeling
            && snapshot.any_models();
        let pods = snapshot.pods_bounds();
        // As `RequestBounds::bound`, with the free amounts from the snapshot; a missing
        // amount is `NOT_ALLOCATABLE`, below 0 like an exhausted one, and so is a resource
        // no cluster lists.
        let bound = |i: usize| -> i32 {
            if unlisted {
                return 0;
            }
            let mut maximum = pods.get(i).copied().unwrap_or(0);
            for &(column, per_replica) in &columns {
                if maximum <= 0 {
                    break;
                }
                let free = column.get(i).copied().unwrap_or(NOT_ALLOCATABLE);
                maximum = if free <= 0 {
                    0
                } else {
                    maximum.min(free / per_replica)
                };
            }
            clamp_to_i32(maximum)
        };
        if !models && !any_assumed {
            return indices.iter().map(|&i| bound(i)).collect();
        }
        indices
            .iter()
            .map(|&i| {
                let (Some(cluster), Some(facts)) = (clusters.get(i), snapshot.summary(i)) else {
                    return 0;
                };
                // Assumed workloads change the summary, resource models need the
                // simulation: such clusters take the per-cluster path.
                if (models && facts.has_models)
                    || (any_assumed && !self.assumed_for(cluster).is_empty())
                {
                    return self.cluster_replicas(cluster, requirements);
                }
                bound(i)
            })
            .collect()
    }
}

fn clamp_to_i32(v: i64) -> i32 {
    v.clamp(0, i64::from(i32::MAX)) as i32
}

fn pods(list: &ResourceList) -> i64 {
    list.get("pods").map_or(0, Quantity::value)
}

/// The positive requests of one replica, resolved once so that each cluster's summary is
/// read in a single pass over each of its three lists instead of one map lookup per
/// resource and list.
struct RequestBounds<'r> {
    /// (resource name, request: millicores for `cpu`, whole units otherwise, is `cpu`).
    items: Vec<(&'r str, i64, bool)>,
}

/// Requests beyond this many resources take the general path.
const FAST_REQUEST_ITEMS: usize = 8;

/// Resource-name equality, rejecting on length and first byte before comparing the rest.
fn same_name(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.as_bytes().first() == b.as_bytes().first() && a == b
}

/// Per list: the `pods` quantity in units and the requested resources in nano-units.
struct ListScan {
    pods: i64,
    nanos: [i128; FAST_REQUEST_ITEMS],
    found: [bool; FAST_REQUEST_ITEMS],
}

impl<'r> RequestBounds<'r> {
    fn new(request: &'r ResourceList) -> Self {
        RequestBounds {
            items: request
                .iter()
                .filter(|(_, q)| q.value() > 0)
                .map(|(name, q)| {
                    let is_cpu = name == "cpu";
                    let per_replica = if is_cpu { q.milli_value() } else { q.value() };
                    (name.as_str(), per_replica, is_cpu)
                })
                .collect(),
        }
    }

    fn scan(&self, list: &ResourceList) -> ListScan {
        let mut out = ListScan {
            pods: 0,
            nanos: [0; FAST_REQUEST_ITEMS],
            found: [false; FAST_REQUEST_ITEMS],
        };
        for (name, q) in list {
            if name == "pods" {
                out.pods = q.value();
            }
            for (j, (item, _, _)) in self.items.iter().enumerate() {
                if same_name(name, item) {
                    out.nanos[j] = q.nanos();
                    out.found[j] = true;
                }
            }
        }
        out
    }

    /// ([`allowed_pod_number`], [`max_replicas_by_summary`]) of `summary`, or `None` when
    /// there are too many requests for the single-pass scan.
    fn summary_bounds(&self, summary: &ResourceSummary) -> Option<(i64, i64)> {
        if self.items.len() > FAST_REQUEST_ITEMS {
            return None;
        }
        let allocatable = self.scan(&summary.allocatable);
        let allocated = self.scan(&summary.allocated);
        let allocating = self.scan(&summary.allocating);
        let allowed_pods = allocatable
            .pods
            .saturating_sub(allocated.pods)
            .saturating_sub(allocating.pods)
            .max(0);
        let bound = self.bound(|j, is_cpu| {
            allocatable.found[j].then(|| {
                let free = allocatable.nanos[j]
                    .saturating_sub(allocated.nanos[j])
                    .saturating_sub(allocating.nanos[j]);
                ceil_to_i64(free, if is_cpu { 1_000_000 } else { 1_000_000_000 })
            })
        });
        Some((allowed_pods, bound))
    }

    /// [`max_replicas_by_summary`] given each request's free amount (allocatable −
    /// allocated − allocating) rounded up in the request's unit: thousandths for `cpu`
    /// (second argument), whole units otherwise; `None` when not allocatable. Rounding up
    /// keeps the sign, so "no whole unit left" is "nothing left" in either unit.
    fn bound(&self, free_of: impl Fn(usize, bool) -> Option<i64>) -> i64 {
        let mut maximum = i64::MAX;
        for (j, (_, per_replica, is_cpu)) in self.items.iter().enumerate() {
            let Some(free) = free_of(j, *is_cpu) else {
                return 0;
            };
            if free <= 0 {
                return 0;
            }
            maximum = maximum.min(free / per_replica);
        }
        maximum
    }
}

/// Karmada's `getAllowedPodNumber`: free pod slots, floored at 0.
pub fn allowed_pod_number(summary: &ResourceSummary) -> i64 {
    let allowed = pods(&summary.allocatable)
        .saturating_sub(pods(&summary.allocated))
        .saturating_sub(pods(&summary.allocating));
    allowed.max(0)
}

/// Adds the assumed workloads' pods and requests to `allocating` (Karmada's
/// `deductAssumedWorkloadsFromSummary`): CPU in millicores, everything else in units.
fn add_assumed_to_allocating(summary: &mut ResourceSummary, assumed: &[AssumedWorkload]) {
    for workload in assumed {
        for component in &workload.components {
            let replicas = i64::from(component.replicas);
            if replicas <= 0 {
                continue;
            }
            let pods_now = pods(&summary.allocating);
            summary.allocating.insert(
                "pods".to_string(),
                Quantity::from_units(pods_now.saturating_add(replicas)),
            );
            let Some(req) = &component.replica_requirements else {
                continue;
            };
            for (name, q) in &req.resource_request {
                let total = if name == "cpu" {
                    Quantity::from_milli(q.milli_value().saturating_mul(replicas))
                } else {
                    Quantity::from_units(q.value().saturating_mul(replicas))
                };
                let sum = match summary.allocating.get(name) {
                    Some(existing) => existing.add(&total),
                    None => total,
                };
                summary.allocating.insert(name.clone(), sum);
            }
        }
    }
}

/// Karmada's `getMaximumReplicasBasedOnClusterSummary`: the minimum over the positive
/// requests of `free / request` (CPU in millicores, the rest in whole units); a requested
/// resource missing from `allocatable`, or none of it left, gives 0. No positive request
/// gives `i64::MAX`.
pub fn max_replicas_by_summary(summary: &ResourceSummary, request: &ResourceList) -> i64 {
    let mut maximum = i64::MAX;
    for (name, requested) in request {
        if requested.value() <= 0 {
            continue;
        }
        let Some(allocatable) = summary.allocatable.get(name) else {
            return 0;
        };
        // On the exact nano-unit values, without building intermediate quantities.
        let used = |list: &ResourceList| list.get(name).map_or(0, Quantity::nanos);
        let free = allocatable
            .nanos()
            .saturating_sub(used(&summary.allocated))
            .saturating_sub(used(&summary.allocating));
        let free_units = ceil_to_i64(free, 1_000_000_000);
        if free_units <= 0 {
            return 0;
        }
        let bound = if name == "cpu" {
            ceil_to_i64(free, 1_000_000) / requested.milli_value()
        } else {
            free_units / requested.value()
        };
        maximum = maximum.min(bound);
    }
    maximum
}

/// `nanos / unit` rounded up and clamped to `i64`: Kubernetes' `Value` (unit 10⁹) and
/// `MilliValue` (unit 10⁶).
pub(crate) fn ceil_to_i64(nanos: i128, unit: i128) -> i64 {
    // 128-bit division is a slow library call; almost every value fits in 64 bits.
    if let (Ok(n), Ok(u)) = (i64::try_from(nanos), i64::try_from(unit)) {
        if u > 0 {
            return n / u + i64::from(n % u != 0 && n > 0);
        }
    }
    let q = nanos / unit;
    let q = if nanos % unit != 0 && nanos > 0 {
        q + 1
    } else {
        q
    };
    q.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
}

/// Karmada's `quantityAsInt64`: decimal quantities in thousandths, binary ones (`Ki`, `Mi`,
/// …) in units.
fn format_units(q: &Quantity) -> i64 {
    if is_binary(q) {
        q.value()
    } else {
        q.milli_value()
    }
}

/// Whether a quantity was written with a binary suffix (`Ki`, `Mi`, …): Kubernetes' BinarySI
/// format.
fn is_binary(q: &Quantity) -> bool {
    let text = q.as_str().trim();
    ["Ki", "Mi", "Gi", "Ti", "Pi", "Ei"]
        .iter()
        .any(|suffix| text.ends_with(suffix))
}

/// Karmada's `availableResourceMap`: `allocatable − allocated − allocating` per allocatable
/// resource, in [`format_units`] of the allocatable quantity.
fn available_resource_map(summary: &ResourceSummary) -> BTreeMap<String, i64> {
    summary
        .allocatable
        .iter()
        .map(|(name, allocatable)| {
            let mut free = allocatable.clone();
            if let Some(allocated) = summary.allocated.get(name) {
                free = free.sub(allocated);
            }
            if let Some(allocating) = summary.allocating.get(name) {
                free = free.sub(allocating);
            }
            // The difference keeps the allocatable quantity's format, as Go's Sub does.
            let units = if is_binary(allocatable) {
                free.value()
            } else {
                free.milli_value()
            };
            (name.clone(), units)
        })
        .collect()
}

/// Whether a resource name is a Kubernetes "scalar" resource (extended, hugepages,
/// prefixed native or attachable volumes); other non-native names are ignored.
fn is_scalar_resource(name: &str) -> bool {
    name.starts_with("hugepages-")
        || name.starts_with("attachable-volumes-")
        || (name.contains('/') && !name.starts_with("requests."))
}

/// Karmada's `util.Resource`: the dimensions the scheduler accounts for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Resources {
    milli_cpu: i64,
    memory: i64,
    ephemeral_storage: i64,
    pods: i64,
    scalar: BTreeMap<String, i64>,
}

impl Resources {
    fn from_list(list: &ResourceList) -> Self {
        let mut r = Resources::default();
        for (name, q) in list {
            match name.as_str() {
                "cpu" => r.milli_cpu = r.milli_cpu.saturating_add(q.milli_value()),
                "memory" => r.memory = r.memory.saturating_add(q.value()),
                "ephemeral-storage" => {
                    r.ephemeral_storage = r.ephemeral_storage.saturating_add(q.value())
                }
                "pods" => r.pods = r.pods.saturating_add(q.value()),
                other if is_scalar_resource(other) => {
                    let entry = r.scalar.entry(other.to_string()).or_insert(0);
                    *entry = entry.saturating_add(q.value());
                }
                _ => {}
            }
        }
        r
    }

    /// How many times `per_replica` fits (Karmada's `MaxDivided`): the minimum over its
    /// positive dimensions, and at most the free pods.
    fn max_divided(&self, per_replica: &Resources) -> i64 {
        let mut fits = i64::MAX;
        let mut bound = |have: i64, need: i64| {
            if need > 0 {
                fits = fits.min(have / need);
            }
        };
        bound(self.milli_cpu, per_replica.milli_cpu);
        bound(self.memory, per_replica.memory);
        bound(self.ephemeral_storage, per_replica.ephemeral_storage);
        for (name, need) in &per_replica.scalar {
            bound(self.scalar.get(name).copied().unwrap_or(0), *need);
        }
        fits.min(self.pods)
    }

    fn subtract(&mut self, per_replica: &Resources, times: i64) {
        let take = |have: &mut i64, need: i64| {
            *have = have.saturating_sub(need.saturating_mul(times));
        };
        take(&mut self.milli_cpu, per_replica.milli_cpu);
        take(&mut self.memory, per_replica.memory);
        take(&mut self.ephemeral_storage, per_replica.ephemeral_storage);
        take(&mut self.pods, per_replica.pods);
        for (name, need) in &per_replica.scalar {
            take(self.scalar.entry(name.clone()).or_insert(0), *need);
        }
    }
}

/// A run of identical virtual nodes.
#[derive(Debug, Clone)]
struct NodeRun {
    count: i64,
    free: Resources,
}

/// The virtual nodes of a cluster's resource models (Karmada's `buildModelNodes`), in
/// ascending grade order.
fn model_nodes(cluster: &Cluster) -> Result<Vec<NodeRun>, ModelError> {
    let name = cluster.name().to_string();
    let summary = cluster
        .status
        .as_ref()
        .and_then(|s| s.resource_summary.as_ref())
        .ok_or_else(|| ModelError::NoResourceSummary {
            cluster: name.clone(),
        })?;
    if cluster.spec.resource_models.is_empty() {
        return Err(ModelError::NoResourceModels { cluster: name });
    }
    let mut capacity_by_grade: BTreeMap<u32, Resources> = BTreeMap::new();
    for model in &cluster.spec.resource_models {
        let mut template: ResourceList = model
            .ranges
            .iter()
            .map(|r| (r.name.clone(), r.min.clone()))
            .collect();
        template.insert(
            "pods".to_string(),
            Quantity::from_units(MAX_PODS_PER_MODEL_NODE),
        );
        capacity_by_grade.insert(model.grade, Resources::from_list(&template));
    }
    let mut count_by_grade: BTreeMap<u32, i64> = BTreeMap::new();
    for modeling in &summary.allocatable_modelings {
        if modeling.count < 0 {
            return Err(ModelError::NegativeNodeCount {
                cluster: name,
                grade: modeling.grade,
                count: modeling.count,
            });
        }
        *count_by_grade.entry(modeling.grade).or_default() += i64::from(modeling.count);
    }
    Ok(capacity_by_grade
        .into_iter()
        .filter_map(|(grade, free)| {
            let count = count_by_grade.get(&grade).copied().unwrap_or(0);
            (count > 0).then_some(NodeRun { count, free })
        })
        .collect())
}

/// Places `replicas` replicas of `per_replica` first-fit over the nodes (each node takes as
/// many as fit), consuming capacity. Returns whether all were placed; a partial placement
/// keeps its consumption, as in Karmada's simulator.
fn place_first_fit(nodes: &mut Vec<NodeRun>, per_replica: &Resources, replicas: i64) -> bool {
    let mut remaining = replicas;
    let mut i = 0;
    while i < nodes.len() && remaining > 0 {
        let per_node = nodes[i].free.max_divided(per_replica);
        if per_node <= 0 {
            i += 1;
            continue;
        }
        let count = nodes[i].count;
        if remaining >= per_node.saturating_mul(count) {
            nodes[i].free.subtract(per_replica, per_node);
            remaining -= per_node.saturating_mul(count);
            i += 1;
            continue;
        }
        // The run splits: fully used nodes, one partly used node, untouched nodes.
        let full = remaining / per_node;
        let rest = remaining % per_node;
        let original = nodes[i].free.clone();
        let mut pieces = Vec::with_capacity(3);
        if full > 0 {
            let mut used = original.clone();
            used.subtract(per_replica, per_node);
            pieces.push(NodeRun {
                count: full,
                free: used,
            });
        }
        if rest > 0 {
            let mut partly = original.clone();
            partly.subtract(per_replica, rest);
            pieces.push(NodeRun {
                count: 1,
                free: partly,
            });
        }
        let untouched = count - full - i64::from(rest > 0);
        if untouched > 0 {
            pieces.push(NodeRun {
                count: untouched,
                free: original,
            });
        }
        nodes.splice(i..=i, pieces);
        remaining = 0;
    }
    remaining == 0
}

fn per_replica_resources(requirements: Option<&ComponentReplicaRequirements>) -> Resources {
    let mut r = requirements
        .map(|req| Resources::from_list(&req.resource_request))
        .unwrap_or_default();
    r.pods = 1;
    r
}

/// Places one set of `components`, component by component.
fn place_set(nodes: &mut Vec<NodeRun>, components: &[(Resources, i64)]) -> bool {
    components
        .iter()
        .all(|(per_replica, replicas)| place_first_fit(nodes, per_replica, *replicas))
}

fn presimulate_assumed(nodes: &mut Vec<NodeRun>, assumed: &[AssumedWorkload]) {
    for workload in assumed {
        let set: Vec<(Resources, i64)> = workload
            .components
            .iter()
            .map(|c| {
                let per_replica = per_replica_resources(c.replica_requirements.as_ref());
                (per_replica, i64::from(c.replicas))
            })
            .collect();
        if !set.is_empty() {
            place_set(nodes, &set);
        }
    }
}

/// Karmada's `getMaximumReplicasBasedOnResourceModels`: the replicas of one pod template the
/// virtual model nodes hold after the assumed workloads are placed on them.
pub fn max_replicas_by_resource_models(
    cluster: &Cluster,
    request: &ResourceList,
    assumed: &[AssumedWorkload],
) -> Result<i64, ModelError> {
    let mut nodes = model_nodes(cluster)?;
    presimulate_assumed(&mut nodes, assumed);
    let mut per_replica = Resources::from_list(request);
    per_replica.pods = 1;
    let total = nodes.iter().fold(0i64, |sum, run| {
        sum.saturating_add(
            run.free
                .max_divided(&per_replica)
                .max(0)
                .saturating_mul(run.count),
        )
    });
    Ok(total.min(i64::from(i32::MAX)))
}

/// Karmada's `getMaximumSetsBasedOnResourceModels`: complete sets of `components` placed one
/// at a time first-fit onto the virtual model nodes (after the assumed workloads), up to
/// `upper_bound`.
pub fn max_sets_by_resource_models(
    cluster: &Cluster,
    components: &[Component],
    assumed: &[AssumedWorkload],
    upper_bound: i32,
) -> Result<i32, ModelError> {
    let mut nodes = model_nodes(cluster)?;
    presimulate_assumed(&mut nodes, assumed);
    let set: Vec<(Resources, i64)> = components
        .iter()
        .map(|c| {
            let per_replica = per_replica_resources(c.replica_requirements.as_ref());
            (per_replica, i64::from(c.replicas))
        })
        .collect();
    let mut sets = 0;
    while sets < upper_bound && place_set(&mut nodes, &set) {
        sets += 1;
    }
    Ok(sets)
}

/// Karmada's default resource models (the webhook sets them on a Cluster without
/// `spec.resourceModels` when `CustomizedClusterResourceModeling` is on): grades 0–8 with CPU
/// lower bounds 0, 1, 2, 4, …, 128 cores and memory 0, 4, 16, 32, …, 1024 GiB; each range's
/// upper bound is the next grade's lower bound, the last one `i64::MAX`.
pub fn default_resource_models() -> Vec<ResourceModel> {
    const GIB: i64 = 1 << 30;
    let cpu = [0, 1, 2, 4, 8, 16, 32, 64, 128];
    let memory = [0, 4, 16, 32, 64, 128, 256, 512, 1024];
    (0..cpu.len())
        .map(|grade| {
            let next = |bounds: &[i64; 9], unit: i64| {
                bounds
                    .get(grade + 1)
                    .map_or(i64::MAX, |b| b.saturating_mul(unit))
            };
            ResourceModel {
                grade: grade as u32,
                ranges: vec![
                    ResourceModelRange {
                        name: "cpu".to_string(),
                        min: Quantity::from_units(cpu[grade]),
                        max: Quantity::from_units(next(&cpu, 1)),
                    },
                    ResourceModelRange {
                        name: "memory".to_string(),
                        min: Quantity::from_units(memory[grade] * GIB),
                        max: Quantity::from_units(next(&memory, GIB)),
                    },
                ],
            }
        })
        .collect()
}

/// The combined estimate for one cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AvailableReplicas {
    /// Cluster name.
    pub name: String,
    /// Replicas that fit, as the estimators answer (`i32::MAX` for non-workloads); replica
    /// assignment weighs clusters with this.
    pub replicas: i32,
    /// Replicas the binding already has on the cluster (`spec.clusters`).
    pub assigned: i32,
}

impl AvailableReplicas {
    /// The capacity cluster selection uses: the estimate plus the replicas already there.
    pub fn for_selection(&self) -> i64 {
        i64::from(self.replicas) + i64::from(self.assigned)
    }
}

/// Options of [`calculate_available_replicas_with`]; the defaults are Karmada's.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EstimationOptions {
    /// `MultiplePodTemplatesScheduling` (default off): multi-component workloads placed on
    /// exactly one cluster are estimated in complete component sets.
    pub multiple_pod_templates_scheduling: bool,
}

/// Karmada's `IsMultiTemplateSchedulingApplicable`: at least two components, no
/// `clusterAffinities` (ordered affinity terms can move the workload between clusters, so the
/// single-cluster component result does not apply), and a `cluster` spread constraint with
/// minGroups = maxGroups = 1.
pub fn is_multi_template_applicable(spec: &ResourceBindingSpec) -> bool {
    spec.components.len() >= 2
        && spec.placement.as_ref().is_some_and(|p: &Placement| {
            p.cluster_affinities.is_empty()
                && p.spread_constraints.iter().any(|sc| {
                    sc.spread_by_field == Some(SpreadByField::Cluster)
                        && sc.min_groups == 1
                        && sc.max_groups == 1
                })
        })
}

/// The combined estimate for each cluster (in the order given) for the workload of `spec`
/// (Karmada's `calAvailableReplicas`) with the default options.
///
/// ```
/// use std::sync::Arc;
/// use fedplan::api::{Cluster, ResourceBindingSpec};
/// use fedplan::scheduler::estimator::{calculate_available_replicas, Estimator, GeneralEstimator};
/// let cluster: Cluster = serde_json::from_value(serde_json::json!({
///     "metadata": {"name": "member1"},
///     "status": {"resourceSummary": {"allocatable": {"pods": "10"}}}})).unwrap();
/// let spec: ResourceBindingSpec = serde_json::from_value(serde_json::json!({
///     "replicas": 4, "clusters": [{"name": "member1", "replicas": 2}]})).unwrap();
/// let estimators: Vec<Arc<dyn Estimator>> = vec![Arc::new(GeneralEstimator::new())];
/// let available = calculate_available_replicas(&[&cluster], &spec, &estimators);
/// assert_eq!(available[0].replicas, 10);
/// assert_eq!(available[0].for_selection(), 12);
/// ```
pub fn calculate_available_replicas(
    clusters: &[&Cluster],
    spec: &ResourceBindingSpec,
    estimators: &[Arc<dyn Estimator>],
) -> Vec<AvailableReplicas> {
    calculate_available_replicas_with(clusters, spec, estimators, &EstimationOptions::default())
}

/// [`calculate_available_replicas`] with explicit options:
///
/// * every cluster starts at `i32::MAX`; a binding with `replicas == 0` and no components (a
///   non-workload) stays there;
/// * every estimator answers, and each cluster keeps the minimum, ignoring
///   [`UNAUTHENTIC_REPLICA`] (and missing answers);
/// * a cluster still at `i32::MAX` gets `spec.replicas`.
pub fn calculate_available_replicas_with(
    clusters: &[&Cluster],
    spec: &ResourceBindingSpec,
    estimators: &[Arc<dyn Estimator>],
    options: &EstimationOptions,
) -> Vec<AvailableReplicas> {
    let replicas = estimate_replicas(clusters, spec, estimators, options);
    let mut assigned: BTreeMap<&str, i32> = BTreeMap::new();
    for tc in &spec.clusters {
        // The first entry of a name counts, as Karmada's lookup finds it first.
        assigned.entry(tc.name.as_str()).or_insert(tc.replicas);
    }
    clusters
        .iter()
        .zip(replicas)
        .map(|(cluster, replicas)| AvailableReplicas {
            name: cluster.name().to_string(),
            replicas,
            assigned: assigned.get(cluster.name()).copied().unwrap_or(0),
        })
        .collect()
}

/// [`estimate_replicas`] for the clusters at `indices` of `snapshot`, asking each estimator
/// through [`Estimator::max_available_replicas_in`].
pub fn estimate_replicas_in(
    snapshot: &ClusterSnapshot<'_>,
    indices: &[usize],
    spec: &ResourceBindingSpec,
    estimators: &[Arc<dyn Estimator>],
    options: &EstimationOptions,
) -> Vec<i32> {
    let is_workload = spec.replicas != 0 || !spec.components.is_empty();
    let sets = options.multiple_pod_templates_scheduling && is_multi_template_applicable(spec);
    if !is_workload || sets {
        let clusters = snapshot.clusters();
        let refs: Vec<&Cluster> = indices.iter().filter_map(|&i| clusters.get(i)).collect();
        return estimate_replicas(&refs, spec, estimators, options);
    }
    let requirements = spec.replica_requirements.as_ref();
    let mut replicas = match estimators {
        // One estimator: its answers are the combination, with no opinion as `i32::MAX`.
        [only] => {
            // No opinion (unauthentic or missing) means the binding's replicas.
            let mut answers = only.max_available_replicas_in(snapshot, indices, requirements);
            answers.resize(indices.len(), spec.replicas);
            for a in &mut answers {
                if *a == UNAUTHENTIC_REPLICA || *a == i32::MAX {
                    *a = spec.replicas;
                }
            }
            return answers;
        }
        _ => {
            let answers: Vec<Vec<i32>> = estimators
                .iter()
                .map(|e| e.max_available_replicas_in(snapshot, indices, requirements))
                .collect();
            combine_estimates(indices.len(), &answers)
        }
    };
    for r in &mut replicas {
        if *r == i32::MAX {
            *r = spec.replicas;
        }
    }
    replicas
}

/// The estimate part of [`calculate_available_replicas_with`], by position in `clusters`
/// (no names, no current replicas): what the scheduler needs for every candidate.
pub fn estimate_replicas(
    clusters: &[&Cluster],
    spec: &ResourceBindingSpec,
    estimators: &[Arc<dyn Estimator>],
    options: &EstimationOptions,
) -> Vec<i32> {
    let is_workload = spec.replicas != 0 || !spec.components.is_empty();
    if !is_workload {
        return vec![i32::MAX; clusters.len()];
    }
    let sets = options.multiple_pod_templates_scheduling && is_multi_template_applicable(spec);
    let answers: Vec<Vec<i32>> = estimators
        .iter()
        .map(|e| {
            if sets {
                e.max_available_component_sets(clusters, &spec.components)
            } else {
                e.max_available_replicas(clusters, spec.replica_requirements.as_ref())
            }
        })
        .collect();
    let mut replicas = combine_estimates(clusters.len(), &answers);
    for r in &mut replicas {
        if *r == i32::MAX {
            *r = spec.replicas;
        }
    }
    replicas
}

/// The per-cluster minimum over several estimators' answers, ignoring
/// [`UNAUTHENTIC_REPLICA`] and missing answers; `i32::MAX` where no estimator has an opinion.
///
/// ```
/// use fedplan::scheduler::estimator::combine_estimates;
/// assert_eq!(combine_estimates(3, &[vec![5, -1, 7], vec![3, -1, 9]]), [3, i32::MAX, 7]);
/// ```
pub fn combine_estimates(clusters: usize, answers: &[Vec<i32>]) -> Vec<i32> {
    let mut combined = vec![i32::MAX; clusters];
    for answer in answers {
        for (slot, value) in combined.iter_mut().zip(answer) {
            if *value != UNAUTHENTIC_REPLICA && *value < *slot {
                *slot = *value;
            }
        }
    }
    combined
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(json: serde_json::Value) -> ResourceSummary {
        serde_json::from_value(json).unwrap()
    }

    fn list(json: serde_json::Value) -> ResourceList {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn summary_bounds() {
        let cases = [
            (
                serde_json::json!({"allocatable": {"cpu": "4", "memory": "8Gi"},
                                   "allocated": {"cpu": "1", "memory": "2Gi"}}),
                serde_json::json!({"cpu": "500m", "memory": "1Gi"}),
                6,
            ),
            (
                serde_json::json!({"allocatable": {"cpu": "4"}}),
                serde_json::json!({"cpu": "1", "nvidia.com/gpu": "1"}),
                0,
            ),
            (
                serde_json::json!({"allocatable": {"cpu": "1"}, "allocating": {"cpu": "1"}}),
                serde_json::json!({"cpu": "100m"}),
                0,
            ),
            (
                serde_json::json!({"allocatable": {"cpu": "1"}}),
                serde_json::json!({"cpu": "0"}),
                i64::MAX,
            ),
        ];
        for (s, r, want) in cases {
            assert_eq!(
                max_replicas_by_summary(&summary(s.clone()), &list(r)),
                want,
                "{s}"
            );
        }
    }

    #[test]
    fn first_fit_splits_runs() {
        let cpu = |m: i64| Resources {
            milli_cpu: m,
            pods: 110,
            ..Default::default()
        };
        let mut nodes = vec![NodeRun {
            count: 5,
            free: cpu(2000),
        }];
        let per = Resources {
            milli_cpu: 500,
            pods: 1,
            ..Default::default()
        };
        assert!(place_first_fit(&mut nodes, &per, 9));
        let shape: Vec<(i64, i64)> = nodes.iter().map(|n| (n.count, n.free.milli_cpu)).collect();
        assert_eq!(shape, [(2, 0), (1, 1500), (2, 2000)]);
        assert!(!place_first_fit(&mut nodes, &per, 100));
        assert!(nodes
            .iter()
            .all(|n| n.free.milli_cpu == 0 || n.free.milli_cpu < 500));
    }

    #[test]
    fn default_models_shape() {
        let models = default_resource_models();
        assert_eq!(models.len(), 9);
        assert_eq!(models[3].ranges[0].min, Quantity::from_units(4));
        assert_eq!(models[3].ranges[1].max, Quantity::from_units(64 << 30));
        assert_eq!(models[8].ranges[0].max, Quantity::from_units(i64::MAX));
    }

    #[test]
    fn combination_ignores_unauthentic() {
        assert_eq!(combine_estimates(2, &[vec![-1, 4], vec![2]]), [2, 4]);
        assert_eq!(combine_estimates(1, &[]), [i32::MAX]);
    }

    #[test]
    fn multi_template_applicability() {
        let one = serde_json::json!([{"spreadByField": "cluster", "minGroups": 1, "maxGroups": 1}]);
        let two_components = serde_json::json!([{"name": "a", "replicas": 1},
                                                {"name": "b", "replicas": 2}]);
        let cases = [
            (
                "two components, one cluster",
                two_components.clone(),
                serde_json::json!({"spreadConstraints": one}),
                true,
            ),
            (
                "one component",
                serde_json::json!([{"name": "a", "replicas": 1}]),
                serde_json::json!({"spreadConstraints": one}),
                false,
            ),
            (
                "no placement",
                two_components.clone(),
                serde_json::Value::Null,
                false,
            ),
            (
                "region only",
                two_components.clone(),
                serde_json::json!({"spreadConstraints":
                [{"spreadByField": "region", "minGroups": 1, "maxGroups": 1}]}),
                false,
            ),
            (
                "cluster affinities",
                two_components.clone(),
                serde_json::json!({
                "spreadConstraints": one, "clusterAffinities": [{"affinityName": "x"}]}),
                false,
            ),
        ];
        for (case, components, placement, want) in cases {
            let spec: ResourceBindingSpec = serde_json::from_value(
                serde_json::json!({"components": components, "placement": placement}),
            )
            .unwrap();
            assert_eq!(is_multi_template_applicable(&spec), want, "{case}");
        }
    }

    /// The general estimator's quirks a naive estimator gets wrong (digest rule 9), each
    /// against the answer it would give if the quirk were dropped.
    #[test]
    fn general_estimator_quirks() {
        use serde_json::json;
        // Three model nodes of 1 CPU each; the summary alone would allow 1 CPU / 500m = 2.
        let modelled = json!({
            "spec": {"resourceModels": [
                {"grade": 0, "ranges": [{"name": "cpu", "min": "0", "max": "1"}]},
                {"grade": 1, "ranges": [{"name": "cpu", "min": "1", "max": "2"}]}]},
            "status": {"resourceSummary": {
                "allocatable": {"pods": "100", "cpu": "1"},
                "allocatableModelings": [{"grade": 0, "count": 0}, {"grade": 1, "count": 3}]}}});
        let plain = json!({"status": {"resourceSummary": {
            "allocatable": {"pods": "100", "cpu": "4"}}}});
        let no_pods = json!({"status": {"resourceSummary": {"allocatable": {"cpu": "4"}}}});
        let half_cpu = json!({"resourceRequest": {"cpu": "500m"}});
        let cases = [
            // (case, cluster, models gate, requirements, expected)
            (
                "models replace the summary bound",
                &modelled,
                true,
                half_cpu.clone(),
                6,
            ),
            (
                "gate off: summary bound",
                &modelled,
                false,
                half_cpu.clone(),
                2,
            ),
            ("no allocatable pods", &no_pods, true, half_cpu.clone(), 0),
            (
                "requested resource not allocatable",
                &plain,
                true,
                json!({"resourceRequest": {"nvidia.com/gpu": "1"}}),
                0,
            ),
            (
                "nodeClaim is ignored",
                &plain,
                true,
                json!({"resourceRequest": {"cpu": "500m"},
                    "nodeClaim": {"nodeSelector": {"no-such": "label"},
                                  "tolerations": [{"key": "k", "operator": "Exists"}]}}),
                8,
            ),
        ];
        for (case, cluster, gate, requirements, want) in cases {
            let cluster: Cluster = serde_json::from_value(cluster.clone()).unwrap();
            let requirements: ReplicaRequirements = serde_json::from_value(requirements).unwrap();
            let estimator = GeneralEstimator {
                options: EstimatorOptions {
                    customized_cluster_resource_modeling: gate,
                    ..Default::default()
                },
                ..Default::default()
            };
            assert_eq!(
                estimator.cluster_replicas(&cluster, Some(&requirements)),
                want,
                "{case}"
            );
        }
    }

    /// An estimator with fixed answers, in cluster order.
    struct Fixed(Vec<i32>);

    impl Estimator for Fixed {
        fn name(&self) -> &str {
            "fixed"
        }

        fn max_available_replicas(
            &self,
            clusters: &[&Cluster],
            _: Option<&ReplicaRequirements>,
        ) -> Vec<i32> {
            self.0.iter().copied().take(clusters.len()).collect()
        }
    }

    /// Karmada's `calAvailableReplicas`: non-workloads get MaxInt32, estimators combine by
    /// minimum ignoring -1, and a cluster no estimator has an opinion on gets spec.replicas.
    #[test]
    fn available_replicas_combination() {
        use serde_json::json;
        let clusters: Vec<Cluster> = ["a", "b"]
            .iter()
            .map(|n| serde_json::from_value(json!({"metadata": {"name": n}})).unwrap())
            .collect();
        let refs: Vec<&Cluster> = clusters.iter().collect();
        let workload = json!({"replicas": 5, "clusters": [{"name": "a", "replicas": 2}]});
        // (case, binding spec, each estimator's answers, expected per cluster)
        type Case = (&'static str, serde_json::Value, Vec<Vec<i32>>, [i32; 2]);
        let cases: [Case; 4] = [
            (
                "non-workload",
                json!({}),
                vec![vec![3, 4]],
                [i32::MAX, i32::MAX],
            ),
            (
                "minimum ignoring -1",
                workload.clone(),
                vec![vec![3, -1], vec![7, 4]],
                [3, 4],
            ),
            (
                "no opinion gives spec.replicas",
                workload.clone(),
                vec![vec![-1, -1]],
                [5, 5],
            ),
            ("no estimator", workload, vec![], [5, 5]),
        ];
        for (case, spec, answers, want) in cases {
            let spec: ResourceBindingSpec = serde_json::from_value(spec).unwrap();
            let estimators: Vec<Arc<dyn Estimator>> = answers
                .into_iter()
                .map(|a| Arc::new(Fixed(a)) as Arc<dyn Estimator>)
                .collect();
            let got = calculate_available_replicas(&refs, &spec, &estimators);
            let replicas: Vec<i32> = got.iter().map(|r| r.replicas).collect();
            assert_eq!(replicas, want, "{case}");
        }
    }
}
