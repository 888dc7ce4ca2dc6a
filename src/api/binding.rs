//! ResourceBinding and ClusterResourceBinding (`work.karmada.io/v1alpha2`): the claimed
//! template, its placement, and the scheduling result.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::meta::*;
use super::policy::{ConflictResolution, FailoverBehavior, Placement, PurgeMode, Suspension};
use super::quantity::ResourceList;

/// API version of (Cluster)ResourceBinding.
pub const BINDING_API_VERSION: &str = "work.karmada.io/v1alpha2";

/// A namespaced ResourceBinding (also used, with an empty namespace, for a
/// ClusterResourceBinding: both kinds share one schema).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceBinding {
    /// `work.karmada.io/v1alpha2`.
    #[serde(default, deserialize_with = "nullable")]
    pub api_version: String,
    /// `ResourceBinding` or `ClusterResourceBinding`.
    #[serde(default, deserialize_with = "nullable")]
    pub kind: String,
    /// Object metadata.
    #[serde(default, deserialize_with = "nullable")]
    pub metadata: ObjectMeta,
    /// Desired state.
    #[serde(default, deserialize_with = "nullable")]
    pub spec: ResourceBindingSpec,
    /// Observed state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ResourceBindingStatus>,
    /// Unmodelled top-level fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A ClusterResourceBinding: the binding of a cluster-scoped template.
pub type ClusterResourceBinding = ResourceBinding;

/// `ResourceBinding.spec`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceBindingSpec {
    /// The template.
    #[serde(default, deserialize_with = "nullable")]
    pub resource: ObjectReference,
    /// Propagate dependencies.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "is_false"
    )]
    pub propagate_deps: bool,
    /// Per-replica requirements.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replica_requirements: Option<ReplicaRequirements>,
    /// Desired replicas.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "is_zero"
    )]
    pub replicas: i32,
    /// Pod templates of a multi-template workload.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub components: Vec<Component>,
    /// Clusters whose dependents require this object.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub required_by: Vec<BindingSnapshot>,
    /// Scheduler name.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub scheduler_name: String,
    /// Placement copied from the policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placement: Option<Placement>,
    /// The scheduling result.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub clusters: Vec<TargetCluster>,
    /// Evictions in progress.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub graceful_eviction_tasks: Vec<GracefulEvictionTask>,
    /// A Fresh reschedule is forced when later than `status.lastScheduledTime`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reschedule_triggered_at: Option<String>,
    /// Failover behaviour copied from the policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failover: Option<FailoverBehavior>,
    /// Conflict resolution copied from the policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conflict_resolution: Option<ConflictResolution>,
    /// Keep member objects on deletion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preserve_resources_on_deletion: Option<bool>,
    /// Suspension (dispatching from the policy, scheduling set by third parties).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspension: Option<Suspension>,
    /// Queue priority.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule_priority: Option<BindingSchedulePriority>,
    /// Workload affinity groups.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workload_affinity_groups: Option<WorkloadAffinityGroups>,
    /// Unmodelled fields.
    #[serde(flatten)]
    pub extra: Extra,
}

fn is_zero(v: &i32) -> bool {
    *v == 0
}

/// `spec.resource`: the template a binding belongs to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectReference {
    /// API version.
    #[serde(default, deserialize_with = "nullable")]
    pub api_version: String,
    /// Kind.
    #[serde(default, deserialize_with = "nullable")]
    pub kind: String,
    /// Namespace.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub namespace: String,
    /// Name.
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    /// UID (seeds the replica tie-breaker).
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub uid: String,
    /// Resource version.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub resource_version: String,
}

/// `spec.clusters[]`: one cluster of the scheduling result.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetCluster {
    /// Cluster name.
    pub name: String,
    /// Replicas assigned there.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "is_zero"
    )]
    pub replicas: i32,
    /// Per-component replicas.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub components: Vec<ComponentReplicas>,
}

/// Replicas of one component in one cluster.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ComponentReplicas {
    /// Component name.
    pub name: String,
    /// Replicas.
    #[serde(default, deserialize_with = "nullable")]
    pub replicas: i32,
}

/// `spec.requiredBy[]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BindingSnapshot {
    /// Namespace of the dependent's binding.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub namespace: String,
    /// Name of the dependent's binding.
    pub name: String,
    /// The dependent's clusters.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub clusters: Vec<TargetCluster>,
}

/// `spec.gracefulEvictionTasks[]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GracefulEvictionTask {
    /// The cluster being left.
    pub from_cluster: String,
    /// Purge mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purge_mode: Option<PurgeMode>,
    /// Replicas that were there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<i32>,
    /// Why (e.g. `TaintUntolerated`, `ApplicationFailure`).
    #[serde(default, deserialize_with = "nullable")]
    pub reason: String,
    /// Details.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub message: String,
    /// Who created the task.
    #[serde(default, deserialize_with = "nullable")]
    pub producer: String,
    /// Grace period overriding the controller default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grace_period_seconds: Option<i32>,
    /// True keeps the old copy forever; false removes the task at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppress_deletion: Option<bool>,
    /// State preserved for the new placement.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "std::collections::BTreeMap::is_empty"
    )]
    pub preserved_label_state: std::collections::BTreeMap<String, String>,
    /// The clusters before the failover.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub clusters_before_failover: Vec<String>,
    /// When the task was created (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creation_timestamp: Option<String>,
}

/// `spec.schedulePriority` of a binding.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BindingSchedulePriority {
    /// Priority value.
    #[serde(default, deserialize_with = "nullable")]
    pub priority: i32,
}

/// `spec.workloadAffinityGroups`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkloadAffinityGroups {
    /// Affinity group.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub affinity_group: String,
    /// Anti-affinity group.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub anti_affinity_group: String,
}

/// `ResourceBinding.status`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceBindingStatus {
    /// Generation the scheduler last handled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduler_observed_generation: Option<i64>,
    /// Affinity term of `clusterAffinities` last used (note Karmada's JSON name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduler_observing_affinity_name: Option<String>,
    /// When the binding was last scheduled (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_scheduled_time: Option<String>,
    /// Conditions (`Scheduled`, `FullyApplied`).
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub conditions: Vec<Condition>,
    /// Status of the template's copy in each member cluster.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub aggregated_status: Vec<AggregatedStatusItem>,
    /// Unmodelled fields (e.g. `schedulingDiagnosis`).
    #[serde(flatten)]
    pub extra: Extra,
}

/// What each replica of a workload needs (`spec.replicaRequirements`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplicaRequirements {
    /// Node constraints of the pod template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_claim: Option<NodeClaim>,
    /// Effective per-replica resource request.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "ResourceList::is_empty"
    )]
    pub resource_request: ResourceList,
    /// Namespace of the workload.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub namespace: String,
    /// Priority class of the pod template.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub priority_class_name: String,
}

/// Node constraints of a pod template (`replicaRequirements.nodeClaim`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeClaim {
    /// `requiredDuringSchedulingIgnoredDuringExecution` node affinity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hard_node_affinity: Option<NodeSelector>,
    /// `nodeSelector`.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "std::collections::BTreeMap::is_empty"
    )]
    pub node_selector: std::collections::BTreeMap<String, String>,
    /// Pod tolerations.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub tolerations: Vec<Toleration>,
}

/// One pod template of a multi-template workload (`spec.components[]`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Component {
    /// Component name, unique within the workload.
    pub name: String,
    /// Replicas of this component.
    #[serde(default, deserialize_with = "nullable")]
    pub replicas: i32,
    /// Per-replica requirements of this component.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replica_requirements: Option<ComponentReplicaRequirements>,
}

/// Per-replica requirements of a [`Component`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ComponentReplicaRequirements {
    /// Node constraints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_claim: Option<NodeClaim>,
    /// Per-replica request.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "ResourceList::is_empty"
    )]
    pub resource_request: ResourceList,
    /// Priority class.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub priority_class_name: String,
}

/// Health of a workload in one member cluster.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ResourceHealth {
    /// The interpreter found it healthy.
    Healthy,
    /// The interpreter found it unhealthy.
    Unhealthy,
    /// No health interpretation available.
    #[default]
    Unknown,
}

/// The status of a template's copy in one member cluster (`status.aggregatedStatus[]`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AggregatedStatusItem {
    /// Member cluster.
    #[serde(default)]
    pub cluster_name: String,
    /// Status reflected from the member object (InterpretStatus), raw.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Value>,
    /// Whether the manifest was applied.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "is_false"
    )]
    pub applied: bool,
    /// Failure message when not applied.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub applied_message: String,
    /// Health (InterpretHealth).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health: Option<ResourceHealth>,
}

/// A dependency found by InterpretDependency (`DependentObjectReference`).
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DependentObjectReference {
    /// API version, e.g. `v1`.
    pub api_version: String,
    /// Kind, e.g. `ConfigMap`.
    pub kind: String,
    /// Namespace.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub namespace: String,
    /// Name; empty when `labelSelector` is used.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub name: String,
    /// Selects several dependents by label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_selector: Option<LabelSelector>,
}
