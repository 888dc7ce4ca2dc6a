//! ClusterTaintPolicy (`policy.karmada.io/v1alpha1`, cluster-scoped): taints added to and
//! removed from clusters according to their conditions.

use serde::{Deserialize, Serialize};

use super::meta::*;
use super::policy::ClusterAffinity;

/// A ClusterTaintPolicy.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterTaintPolicy {
    /// `policy.karmada.io/v1alpha1`.
    #[serde(default, deserialize_with = "nullable")]
    pub api_version: String,
    /// `ClusterTaintPolicy`.
    #[serde(default, deserialize_with = "nullable")]
    pub kind: String,
    /// Object metadata.
    #[serde(default, deserialize_with = "nullable")]
    pub metadata: ObjectMeta,
    /// The policy.
    pub spec: ClusterTaintPolicySpec,
    /// Unmodelled top-level fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `ClusterTaintPolicy.spec`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterTaintPolicySpec {
    /// Clusters the policy applies to; absent means all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_clusters: Option<ClusterAffinity>,
    /// Conditions (ANDed) under which the taints are added; empty never fires.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub add_on_conditions: Vec<MatchCondition>,
    /// Conditions (ANDed) under which the taints are removed; empty never fires.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub remove_on_conditions: Vec<MatchCondition>,
    /// Taints managed by the policy.
    #[serde(default, deserialize_with = "nullable")]
    pub taints: Vec<PolicyTaint>,
}

/// A condition test of a ClusterTaintPolicy.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MatchCondition {
    /// Cluster condition type, e.g. `Ready`.
    pub condition_type: String,
    /// `In` or `NotIn`.
    pub operator: String,
    /// Condition statuses.
    #[serde(default, deserialize_with = "nullable")]
    pub status_values: Vec<String>,
}

/// A taint managed by a ClusterTaintPolicy.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyTaint {
    /// Taint key.
    pub key: String,
    /// Taint value.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub value: String,
    /// Taint effect.
    pub effect: String,
}
