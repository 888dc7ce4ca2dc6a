//! Cluster (`cluster.karmada.io/v1alpha1`): a member cluster as the scheduler sees it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::meta::*;
use super::quantity::ResourceList;

/// API version of Cluster.
pub const CLUSTER_API_VERSION: &str = "cluster.karmada.io/v1alpha1";

/// Well-known taint key: the cluster is not ready.
pub const TAINT_CLUSTER_NOT_READY: &str = "cluster.karmada.io/not-ready";
/// Well-known taint key: the cluster is unreachable.
pub const TAINT_CLUSTER_UNREACHABLE: &str = "cluster.karmada.io/unreachable";
/// Well-known taint key: the cluster is unschedulable.
pub const TAINT_CLUSTER_UNSCHEDULABLE: &str = "cluster.karmada.io/unschedulable";

/// A member cluster.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Cluster {
    /// `cluster.karmada.io/v1alpha1`.
    #[serde(default, deserialize_with = "nullable")]
    pub api_version: String,
    /// `Cluster`.
    #[serde(default, deserialize_with = "nullable")]
    pub kind: String,
    /// Object metadata; the name is the cluster's name.
    #[serde(default, deserialize_with = "nullable")]
    pub metadata: ObjectMeta,
    /// Desired state.
    #[serde(default, deserialize_with = "nullable")]
    pub spec: ClusterSpec,
    /// Observed state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ClusterStatus>,
    /// Unmodelled top-level fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `Cluster.spec`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterSpec {
    /// Unique cluster id.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub id: String,
    /// `Push` or `Pull`.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub sync_mode: String,
    /// API server address.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub api_endpoint: String,
    /// Credentials secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_ref: Option<Value>,
    /// Impersonator credentials secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impersonator_secret_ref: Option<Value>,
    /// Skip TLS verification.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "is_false"
    )]
    pub insecure_skip_tls_verification: bool,
    /// Proxy URL.
    #[serde(
        default,
        deserialize_with = "nullable",
        rename = "proxyURL",
        skip_serializing_if = "String::is_empty"
    )]
    pub proxy_url: String,
    /// Proxy headers.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub proxy_header: BTreeMap<String, String>,
    /// Cloud provider.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub provider: String,
    /// Region.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub region: String,
    /// Deprecated single zone; moved into `zones` when `zones` is empty.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub zone: String,
    /// Zones.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub zones: Vec<String>,
    /// Taints.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub taints: Vec<Taint>,
    /// Resource models used to grade nodes.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub resource_models: Vec<ResourceModel>,
    /// Unmodelled fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// One grade of a cluster's resource model.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceModel {
    /// Grade index.
    #[serde(default, deserialize_with = "nullable")]
    pub grade: u32,
    /// Per-resource `[min, max)` ranges.
    #[serde(default, deserialize_with = "nullable")]
    pub ranges: Vec<ResourceModelRange>,
}

/// A `[min, max)` range of one resource in a [`ResourceModel`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceModelRange {
    /// Resource name.
    pub name: String,
    /// Inclusive lower bound.
    pub min: super::Quantity,
    /// Exclusive upper bound.
    pub max: super::Quantity,
}

/// `Cluster.status`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterStatus {
    /// Kubernetes version.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub kubernetes_version: String,
    /// APIs the cluster serves.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub api_enablements: Vec<ApiEnablement>,
    /// Conditions (`Ready`, `CompleteAPIEnablements`).
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub conditions: Vec<Condition>,
    /// Node counts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_summary: Option<NodeSummary>,
    /// Resource totals.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_summary: Option<ResourceSummary>,
    /// Remedy actions.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub remedy_actions: Vec<String>,
    /// Unmodelled fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// One group/version the cluster serves.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiEnablement {
    /// e.g. `apps/v1`.
    pub group_version: String,
    /// Resources of that group/version.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub resources: Vec<ApiResource>,
}

/// One resource of an [`ApiEnablement`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiResource {
    /// Plural resource name.
    pub name: String,
    /// Kind.
    pub kind: String,
}

/// `status.nodeSummary`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeSummary {
    /// Total nodes.
    #[serde(default, deserialize_with = "nullable")]
    pub total_num: i32,
    /// Ready nodes.
    #[serde(default, deserialize_with = "nullable")]
    pub ready_num: i32,
}

/// `status.resourceSummary`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceSummary {
    /// Sum of node allocatable.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "ResourceList::is_empty"
    )]
    pub allocatable: ResourceList,
    /// Requests of pods not yet bound to a node.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "ResourceList::is_empty"
    )]
    pub allocating: ResourceList,
    /// Requests of bound, running pods.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "ResourceList::is_empty"
    )]
    pub allocated: ResourceList,
    /// Node counts per resource-model grade.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub allocatable_modelings: Vec<AllocatableModeling>,
}

/// Node count of one grade.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AllocatableModeling {
    /// Grade.
    #[serde(default, deserialize_with = "nullable")]
    pub grade: u32,
    /// Number of nodes in that grade.
    #[serde(default, deserialize_with = "nullable")]
    pub count: i32,
}

impl Cluster {
    /// The cluster's name.
    pub fn name(&self) -> &str {
        &self.metadata.name
    }

    /// The cluster's zones: `spec.zones`, or the deprecated `spec.zone` when `zones` is empty.
    pub fn zones(&self) -> Vec<&str> {
        if !self.spec.zones.is_empty() {
            self.spec.zones.iter().map(String::as_str).collect()
        } else if !self.spec.zone.is_empty() {
            vec![self.spec.zone.as_str()]
        } else {
            Vec::new()
        }
    }

    /// Whether the cluster is being deleted.
    pub fn is_deleting(&self) -> bool {
        self.metadata.deletion_timestamp.is_some()
    }

    /// The status of condition `type_`, if present.
    pub fn condition(&self, type_: &str) -> Option<&Condition> {
        self.status
            .as_ref()?
            .conditions
            .iter()
            .find(|c| c.type_ == type_)
    }
}
