//! OverridePolicy and ClusterOverridePolicy (`policy.karmada.io/v1alpha1`): per-cluster
//! changes to the manifests a member cluster receives.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::meta::*;
use super::policy::{ClusterAffinity, ResourceSelector};

/// A namespaced OverridePolicy.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OverridePolicy {
    /// `policy.karmada.io/v1alpha1`.
    #[serde(default, deserialize_with = "nullable")]
    pub api_version: String,
    /// `OverridePolicy`.
    #[serde(default, deserialize_with = "nullable")]
    pub kind: String,
    /// Object metadata.
    #[serde(default, deserialize_with = "nullable")]
    pub metadata: ObjectMeta,
    /// The overrides.
    pub spec: OverrideSpec,
    /// Unmodelled top-level fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A cluster-scoped ClusterOverridePolicy.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterOverridePolicy {
    /// `policy.karmada.io/v1alpha1`.
    #[serde(default, deserialize_with = "nullable")]
    pub api_version: String,
    /// `ClusterOverridePolicy`.
    #[serde(default, deserialize_with = "nullable")]
    pub kind: String,
    /// Object metadata.
    #[serde(default, deserialize_with = "nullable")]
    pub metadata: ObjectMeta,
    /// The overrides.
    pub spec: OverrideSpec,
    /// Unmodelled top-level fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `spec` of a (Cluster)OverridePolicy.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OverrideSpec {
    /// Templates the policy applies to; empty means all.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub resource_selectors: Vec<ResourceSelector>,
    /// Rules, each with a target cluster set and overriders.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub override_rules: Vec<RuleWithCluster>,
    /// Deprecated: clusters for `overriders` (used only when `overrideRules` is empty).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_cluster: Option<ClusterAffinity>,
    /// Deprecated: overriders for `targetCluster`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overriders: Option<Overriders>,
    /// Unmodelled fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `overrideRules[]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleWithCluster {
    /// Clusters the rule applies to; absent means all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_cluster: Option<ClusterAffinity>,
    /// The changes.
    #[serde(default, deserialize_with = "nullable")]
    pub overriders: Overriders,
}

/// The set of overriders of one rule, applied in Karmada's fixed order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Overriders {
    /// JSON patches.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub plaintext: Vec<PlaintextOverrider>,
    /// Image changes.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub image_overrider: Vec<ImageOverrider>,
    /// Command changes.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub command_overrider: Vec<CommandArgsOverrider>,
    /// Args changes.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub args_overrider: Vec<CommandArgsOverrider>,
    /// Label changes.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub labels_overrider: Vec<LabelAnnotationOverrider>,
    /// Annotation changes.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub annotations_overrider: Vec<LabelAnnotationOverrider>,
    /// Changes inside JSON or YAML documents held in string fields.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub field_overrider: Vec<FieldOverrider>,
}

/// `add`, `remove` or `replace`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OverriderOperator {
    /// Add.
    Add,
    /// Remove.
    Remove,
    /// Replace.
    Replace,
}

/// `plaintext[]`: one JSON-patch operation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlaintextOverrider {
    /// JSON pointer.
    pub path: String,
    /// Operation.
    pub operator: OverriderOperator,
    /// Value for add/replace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
}

/// `imageOverrider[]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageOverrider {
    /// Where the image is; absent means the kind's default image paths.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub predicate: Option<ImagePredicate>,
    /// `Registry`, `Repository` or `Tag`.
    pub component: ImageComponent,
    /// Operation.
    pub operator: OverriderOperator,
    /// Value for add/replace.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub value: String,
}

/// `imageOverrider[].predicate`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImagePredicate {
    /// JSON pointer to the image string.
    pub path: String,
}

/// The part of an image reference an image overrider changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ImageComponent {
    /// The registry host.
    Registry,
    /// The repository path.
    Repository,
    /// The tag (or digest).
    Tag,
}

/// `commandOverrider[]` / `argsOverrider[]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommandArgsOverrider {
    /// Container to change.
    pub container_name: String,
    /// `add` or `remove` (`replace` is refused by validation).
    pub operator: OverriderOperator,
    /// Values to append or remove.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub value: Vec<String>,
}

/// `labelsOverrider[]` / `annotationsOverrider[]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LabelAnnotationOverrider {
    /// Operation.
    pub operator: OverriderOperator,
    /// Keys and values.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub value: BTreeMap<String, String>,
}

/// `fieldOverrider[]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldOverrider {
    /// JSON pointer to the string field holding the document.
    pub field_path: String,
    /// Patches when the document is JSON.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub json: Vec<SubPathPatch>,
    /// Patches when the document is YAML.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub yaml: Vec<SubPathPatch>,
}

/// One patch inside a field overrider's document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubPathPatch {
    /// JSON pointer inside the document.
    pub sub_path: String,
    /// Operation.
    pub operator: OverriderOperator,
    /// Value for add/replace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
}
