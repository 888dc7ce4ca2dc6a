//! ResourceBinding and ClusterResourceBinding (`work.karmada.io/v1alpha2`): the claimed
//! template, its placement, and the scheduling result.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::meta::*;
use super::quantity::ResourceList;

/// What each replica of a workload needs (`spec.replicaRequirements`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplicaRequirements {
    /// Node constraints of the pod template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_claim: Option<NodeClaim>,
    /// Effective per-replica resource request.
    #[serde(default, skip_serializing_if = "ResourceList::is_empty")]
    pub resource_request: ResourceList,
    /// Namespace of the workload.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    /// Priority class of the pod template.
    #[serde(default, skip_serializing_if = "String::is_empty")]
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
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub node_selector: std::collections::BTreeMap<String, String>,
    /// Pod tolerations.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tolerations: Vec<Toleration>,
}

/// One pod template of a multi-template workload (`spec.components[]`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Component {
    /// Component name, unique within the workload.
    pub name: String,
    /// Replicas of this component.
    #[serde(default)]
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
    #[serde(default, skip_serializing_if = "ResourceList::is_empty")]
    pub resource_request: ResourceList,
    /// Priority class.
    #[serde(default, skip_serializing_if = "String::is_empty")]
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
    #[serde(default, skip_serializing_if = "is_false")]
    pub applied: bool,
    /// Failure message when not applied.
    #[serde(default, skip_serializing_if = "String::is_empty")]
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
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    /// Name; empty when `labelSelector` is used.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Selects several dependents by label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_selector: Option<LabelSelector>,
}
