//! PropagationPolicy and ClusterPropagationPolicy (`policy.karmada.io/v1alpha1`).

use serde::{Deserialize, Serialize};

use super::meta::*;

/// API version of Karmada's policy kinds.
pub const POLICY_API_VERSION: &str = "policy.karmada.io/v1alpha1";

/// A namespaced PropagationPolicy.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PropagationPolicy {
    /// `policy.karmada.io/v1alpha1`.
    #[serde(default, deserialize_with = "nullable")]
    pub api_version: String,
    /// `PropagationPolicy`.
    #[serde(default, deserialize_with = "nullable")]
    pub kind: String,
    /// Object metadata.
    #[serde(default, deserialize_with = "nullable")]
    pub metadata: ObjectMeta,
    /// The policy.
    pub spec: PropagationSpec,
    /// Unmodelled top-level fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A cluster-scoped ClusterPropagationPolicy.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterPropagationPolicy {
    /// `policy.karmada.io/v1alpha1`.
    #[serde(default, deserialize_with = "nullable")]
    pub api_version: String,
    /// `ClusterPropagationPolicy`.
    #[serde(default, deserialize_with = "nullable")]
    pub kind: String,
    /// Object metadata.
    #[serde(default, deserialize_with = "nullable")]
    pub metadata: ObjectMeta,
    /// The policy.
    pub spec: PropagationSpec,
    /// Unmodelled top-level fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `spec` of a (Cluster)PropagationPolicy.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PropagationSpec {
    /// The templates this policy claims; never empty.
    #[serde(default, deserialize_with = "nullable")]
    pub resource_selectors: Vec<ResourceSelector>,
    /// Deprecated alias of `propagateDeps`.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "is_false"
    )]
    pub association: bool,
    /// Propagate the objects the workload depends on to the same clusters.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "is_false"
    )]
    pub propagate_deps: bool,
    /// Where the templates go.
    #[serde(default, deserialize_with = "nullable")]
    pub placement: Placement,
    /// Explicit priority; higher wins. CRD default 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<i32>,
    /// Whether this policy may take templates claimed by lower-priority policies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preemption: Option<PreemptionPolicy>,
    /// OverridePolicies that must exist before the policy is applied.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub dependent_overrides: Vec<String>,
    /// Scheduler that handles the bindings. CRD default `default-scheduler`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduler_name: Option<String>,
    /// Application and cluster failover behaviour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failover: Option<FailoverBehavior>,
    /// What to do when the member cluster already has the object. CRD default `Abort`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conflict_resolution: Option<ConflictResolution>,
    /// `Lazy` delays policy changes until the template's next user update.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activation_preference: Option<ActivationPreference>,
    /// Suspension of dispatching.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspension: Option<Suspension>,
    /// Keep member objects when the template is deleted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preserve_resources_on_deletion: Option<bool>,
    /// Priority of the bindings in the scheduling queue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule_priority: Option<SchedulePriority>,
    /// Unmodelled fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `preemption`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PreemptionPolicy {
    /// May preempt.
    Always,
    /// Never preempts (default).
    Never,
}

/// `conflictResolution`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ConflictResolution {
    /// Refuse to take over an existing member object (default).
    #[default]
    Abort,
    /// Take over and overwrite an existing member object.
    Overwrite,
}

/// `activationPreference`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ActivationPreference {
    /// Apply policy changes only on the template's next user update.
    Lazy,
}

/// Selects resource templates (`resourceSelectors[]`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceSelector {
    /// Exact `apiVersion`, e.g. `apps/v1`.
    #[serde(default, deserialize_with = "nullable")]
    pub api_version: String,
    /// Exact kind.
    #[serde(default, deserialize_with = "nullable")]
    pub kind: String,
    /// Namespace; empty matches any namespace.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub namespace: String,
    /// Name; when set, `labelSelector` is ignored.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub name: String,
    /// Label selector on the template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_selector: Option<LabelSelector>,
}

/// `suspension`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Suspension {
    /// Suspend dispatching to every cluster (only `true` is meaningful).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dispatching: Option<bool>,
    /// Suspend dispatching to the listed clusters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dispatching_on_clusters: Option<SuspendClusters>,
    /// Binding only: the scheduler ignores the binding while true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduling: Option<bool>,
}

/// `suspension.dispatchingOnClusters`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SuspendClusters {
    /// Cluster names.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub cluster_names: Vec<String>,
}

/// `schedulePriority`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SchedulePriority {
    /// Only `KubePriorityClass` is implemented by Karmada.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub priority_class_source: String,
    /// PriorityClass name.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub priority_class_name: String,
}

/// `failover`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FailoverBehavior {
    /// Application failover.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application: Option<ApplicationFailoverBehavior>,
    /// Cluster failover.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<ClusterFailoverBehavior>,
}

/// `failover.application`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationFailoverBehavior {
    /// When an application counts as failed.
    #[serde(default, deserialize_with = "nullable")]
    pub decision_conditions: DecisionConditions,
    /// How the old copy is removed. CRD default `Gracefully`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purge_mode: Option<PurgeMode>,
    /// Grace period for `Gracefully` (webhook default 600).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grace_period_seconds: Option<i32>,
    /// State carried to the new placement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_preservation: Option<StatePreservation>,
}

/// `failover.application.decisionConditions`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DecisionConditions {
    /// Seconds of unhealth tolerated. CRD default 300.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub toleration_seconds: Option<i32>,
}

/// `failover.cluster`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterFailoverBehavior {
    /// How the old copy is removed. CRD default `Gracefully`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purge_mode: Option<PurgeMode>,
    /// State carried to the new placement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_preservation: Option<StatePreservation>,
}

/// Purge mode of an eviction. `Immediately` and `Graciously` are accepted on input as the
/// deprecated aliases of `Directly` and `Gracefully` that Karmada accepted until July 2026,
/// and written back under their current names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PurgeMode {
    /// Delete the old copy at once.
    #[serde(alias = "Immediately")]
    Directly,
    /// Keep the old copy until the new one is healthy or the grace period ends.
    #[serde(alias = "Graciously")]
    Gracefully,
    /// Never delete the old copy.
    Never,
}

/// `statePreservation`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatePreservation {
    /// Rules, each copying one status value to a label on the new placement.
    #[serde(default, deserialize_with = "nullable")]
    pub rules: Vec<StatePreservationRule>,
}

/// One state-preservation rule.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatePreservationRule {
    /// Label name the value is stored under.
    pub alias_label_name: String,
    /// JSONPath into the object's `.status`.
    pub json_path: String,
}

/// `placement`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Placement {
    /// Which clusters may be chosen; exclusive with `clusterAffinities`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_affinity: Option<ClusterAffinity>,
    /// Ordered fallback groups of clusters.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub cluster_affinities: Vec<ClusterAffinityTerm>,
    /// Cluster taints tolerated.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub cluster_tolerations: Vec<Toleration>,
    /// How clusters are spread over topology groups.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub spread_constraints: Vec<SpreadConstraint>,
    /// How replicas are scheduled; absent means Duplicated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replica_scheduling: Option<ReplicaSchedulingStrategy>,
    /// Workload (anti-)affinity groups (alpha).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workload_affinity: Option<WorkloadAffinity>,
    /// Unmodelled fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `clusterAffinity`: a set of clusters by name, label and field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterAffinity {
    /// Label selector on clusters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_selector: Option<LabelSelector>,
    /// Field selector on `provider`, `region`, `zone`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field_selector: Option<FieldSelector>,
    /// Cluster names.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub cluster_names: Vec<String>,
    /// Excluded cluster names.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub exclude: Vec<String>,
}

/// `fieldSelector` of a cluster affinity.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldSelector {
    /// Requirements on `provider`, `region`, `zone` (operators `In`, `NotIn`).
    #[serde(default, deserialize_with = "nullable")]
    pub match_expressions: Vec<NodeSelectorRequirement>,
}

/// One term of `clusterAffinities`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterAffinityTerm {
    /// Unique name of the term.
    pub affinity_name: String,
    /// The term's cluster affinity.
    #[serde(flatten)]
    pub affinity: ClusterAffinity,
    /// Overflow groups used when the term's clusters lack capacity.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub overflow_affinities: Vec<OverflowAffinity>,
}

/// One overflow group of a [`ClusterAffinityTerm`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OverflowAffinity {
    /// Unique name.
    pub affinity_name: String,
    /// The group's cluster affinity.
    #[serde(flatten)]
    pub affinity: ClusterAffinity,
}

/// `spreadConstraints[]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SpreadConstraint {
    /// `cluster`, `region`, `zone` or `provider`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spread_by_field: Option<SpreadByField>,
    /// A cluster label to spread by (Karmada's scheduler does not implement it).
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub spread_by_label: String,
    /// Most groups to select.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "is_zero_i32"
    )]
    pub max_groups: i32,
    /// Fewest groups required.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "is_zero_i32"
    )]
    pub min_groups: i32,
}

pub(crate) fn is_zero_i32(v: &i32) -> bool {
    *v == 0
}

/// `spreadByField`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SpreadByField {
    /// Each cluster is a group.
    Cluster,
    /// Clusters grouped by `spec.region`.
    Region,
    /// Clusters grouped by zone.
    Zone,
    /// Clusters grouped by `spec.provider`.
    Provider,
}

impl SpreadByField {
    /// Karmada's name of the field.
    pub fn as_str(self) -> &'static str {
        match self {
            SpreadByField::Cluster => "cluster",
            SpreadByField::Region => "region",
            SpreadByField::Zone => "zone",
            SpreadByField::Provider => "provider",
        }
    }
}

/// `replicaScheduling`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplicaSchedulingStrategy {
    /// `Duplicated` or `Divided`; CRD default `Divided` when the strategy is present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replica_scheduling_type: Option<ReplicaSchedulingType>,
    /// `Aggregated` or `Weighted` (webhook default for Divided).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replica_division_preference: Option<ReplicaDivisionPreference>,
    /// Weights for `Weighted`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight_preference: Option<ClusterPreferences>,
}

/// `replicaSchedulingType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReplicaSchedulingType {
    /// Every cluster gets all replicas.
    Duplicated,
    /// Replicas are divided among clusters.
    Divided,
}

/// `replicaDivisionPreference`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReplicaDivisionPreference {
    /// As few clusters as capacity allows.
    Aggregated,
    /// By weight.
    Weighted,
}

/// `weightPreference`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterPreferences {
    /// Static weights per cluster set.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub static_weight_list: Vec<StaticClusterWeight>,
    /// Dynamic weight factor; overrides the static list when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dynamic_weight: Option<DynamicWeightFactor>,
}

/// `staticWeightList[]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StaticClusterWeight {
    /// The clusters this weight applies to.
    pub target_cluster: ClusterAffinity,
    /// Weight, at least 1.
    pub weight: i64,
}

/// `dynamicWeight`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DynamicWeightFactor {
    /// Weight by the replicas each cluster can still hold.
    AvailableReplicas,
}

/// `workloadAffinity`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkloadAffinity {
    /// Co-locate workloads sharing the label value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affinity: Option<WorkloadAffinityTerm>,
    /// Separate workloads sharing the label value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anti_affinity: Option<WorkloadAffinityTerm>,
}

/// A workload (anti-)affinity term.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkloadAffinityTerm {
    /// Label key whose value names the group.
    pub group_by_label_key: String,
}

/// How a placement divides replicas, as Karmada's scheduler resolves it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReplicaStrategy {
    /// Every cluster gets all replicas.
    Duplicated,
    /// Divided by static weights (also: Weighted with no preference).
    StaticWeight,
    /// Divided by available replicas.
    DynamicWeight,
    /// Divided over as few clusters as possible.
    Aggregated,
}

impl Placement {
    /// The strategy Karmada's scheduler derives from `replicaScheduling`, or `None` for a
    /// combination it refuses ("unsupported replica scheduling strategy").
    pub fn replica_strategy(&self) -> Option<ReplicaStrategy> {
        let Some(rs) = &self.replica_scheduling else {
            return Some(ReplicaStrategy::Duplicated);
        };
        match rs
            .replica_scheduling_type
            .unwrap_or(ReplicaSchedulingType::Divided)
        {
            ReplicaSchedulingType::Duplicated => Some(ReplicaStrategy::Duplicated),
            ReplicaSchedulingType::Divided => match rs.replica_division_preference {
                Some(ReplicaDivisionPreference::Aggregated) => Some(ReplicaStrategy::Aggregated),
                Some(ReplicaDivisionPreference::Weighted) => {
                    if rs
                        .weight_preference
                        .as_ref()
                        .is_some_and(|w| w.dynamic_weight.is_some())
                    {
                        Some(ReplicaStrategy::DynamicWeight)
                    } else {
                        Some(ReplicaStrategy::StaticWeight)
                    }
                }
                None => None,
            },
        }
    }
}
