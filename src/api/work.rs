//! Work (`work.karmada.io/v1alpha1`): the manifests dispatched to one member cluster.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::binding::ResourceHealth;
use super::meta::*;

/// API version of Work.
pub const WORK_API_VERSION: &str = "work.karmada.io/v1alpha1";

/// Namespace prefix of the execution space of a member cluster (`karmada-es-<cluster>`).
pub const EXECUTION_SPACE_PREFIX: &str = "karmada-es-";

/// A Work.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Work {
    /// `work.karmada.io/v1alpha1`.
    #[serde(default, deserialize_with = "nullable")]
    pub api_version: String,
    /// `Work`.
    #[serde(default, deserialize_with = "nullable")]
    pub kind: String,
    /// Object metadata; the namespace is the cluster's execution space.
    #[serde(default, deserialize_with = "nullable")]
    pub metadata: ObjectMeta,
    /// What to apply.
    #[serde(default, deserialize_with = "nullable")]
    pub spec: WorkSpec,
    /// What happened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<WorkStatus>,
    /// Unmodelled top-level fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `Work.spec`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkSpec {
    /// The manifests.
    #[serde(default, deserialize_with = "nullable")]
    pub workload: WorkloadTemplate,
    /// While true, nothing is created or updated in the member cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspend_dispatching: Option<bool>,
    /// Keep the member objects when the Work is deleted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preserve_resources_on_deletion: Option<bool>,
}

/// `Work.spec.workload`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkloadTemplate {
    /// Full manifests.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub manifests: Vec<Value>,
}

/// `Work.status`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkStatus {
    /// Conditions (`Applied`, `Dispatching`, ...).
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub conditions: Vec<Condition>,
    /// Status of each manifest in the member cluster.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub manifest_statuses: Vec<ManifestStatus>,
}

/// `Work.status.manifestStatuses[]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManifestStatus {
    /// Which manifest.
    pub identifier: ResourceIdentifier,
    /// Reflected status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Value>,
    /// Health.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health: Option<ResourceHealth>,
}

/// Identifies one manifest of a Work.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceIdentifier {
    /// Index in `manifests`.
    #[serde(default, deserialize_with = "nullable")]
    pub ordinal: i32,
    /// API group.
    #[serde(default, deserialize_with = "nullable")]
    pub group: String,
    /// API version.
    #[serde(default, deserialize_with = "nullable")]
    pub version: String,
    /// Kind.
    #[serde(default, deserialize_with = "nullable")]
    pub kind: String,
    /// Plural resource name.
    #[serde(default, deserialize_with = "nullable")]
    pub resource: String,
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
}
