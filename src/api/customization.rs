//! ResourceInterpreterCustomization (`config.karmada.io/v1alpha1`): a user's interpreter rules
//! for one kind.
//!
//! Every field of Karmada's CRD is here with Karmada's JSON name. Karmada's rules are Lua
//! scripts (`luaScript`); fedplan runs WebAssembly plugins instead and refuses Lua, and adds
//! declarative JSONPath rules next to `luaScript` in each customization (see
//! [`crate::interpreter::declarative`] for their meaning and examples).

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use super::meta::ObjectMeta;

/// A `ResourceInterpreterCustomization` object.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceInterpreterCustomization {
    /// `config.karmada.io/v1alpha1`.
    #[serde(default)]
    pub api_version: String,
    /// `ResourceInterpreterCustomization`.
    #[serde(default)]
    pub kind: String,
    /// Object metadata; the name orders customizations of the same target.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// Target and rules.
    pub spec: ResourceInterpreterCustomizationSpec,
}

/// `spec` of a [`ResourceInterpreterCustomization`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceInterpreterCustomizationSpec {
    /// The kind the rules apply to.
    pub target: CustomizationTarget,
    /// The rules, one per interpreter operation.
    pub customizations: CustomizationRules,
}

/// `spec.target`: the exact apiVersion and kind customized.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomizationTarget {
    /// e.g. `apps/v1`.
    pub api_version: String,
    /// e.g. `Deployment`.
    pub kind: String,
}

/// `spec.customizations`: each field enables one operation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomizationRules {
    /// Retain: member-owned fields kept from the observed object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention: Option<RetentionRule>,
    /// InterpretReplica: replicas and per-replica requirements.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replica_resource: Option<ReplicaResourceRule>,
    /// InterpretComponent: the pod templates of a multi-template workload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub component_resource: Option<ComponentResourceRule>,
    /// ReviseReplica: where the replicas are written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replica_revision: Option<ReplicaRevisionRule>,
    /// InterpretStatus: the status fields reflected from a member object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_reflection: Option<StatusReflectionRule>,
    /// AggregateStatus: how member statuses fold into the template's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_aggregation: Option<StatusAggregationRule>,
    /// InterpretHealth: when a member object is healthy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health_interpretation: Option<HealthInterpretationRule>,
    /// InterpretDependency: the objects a workload depends on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dependency_interpretation: Option<DependencyInterpretationRule>,
}

/// `retention`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RetentionRule {
    /// Karmada's Lua `Retain(desiredObj, observedObj)`; refused by fedplan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lua_script: Option<String>,
    /// fedplan: JSONPaths of fields whose observed value replaces the desired one (a field
    /// absent from the observed object is removed from the result).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub retain_fields: Vec<String>,
}

/// `replicaResource`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplicaResourceRule {
    /// Karmada's Lua `GetReplicas(desiredObj)`; refused by fedplan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lua_script: Option<String>,
    /// fedplan: JSONPath of the replica count (absent ⇒ 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas_path: Option<String>,
    /// fedplan: JSONPath of the pod template (`{metadata, spec}`) whose requirements are
    /// computed with Karmada's rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_template_path: Option<String>,
    /// fedplan: JSONPath of a resource list used as the per-replica request (instead of, or
    /// on top of nothing from, a pod template).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_request_path: Option<String>,
}

/// `componentResource`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ComponentResourceRule {
    /// Karmada's Lua `GetComponents(desiredObj)`; refused by fedplan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lua_script: Option<String>,
    /// fedplan: one entry per component.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<ComponentPaths>,
}

/// fedplan: where one component's replicas and pod template are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ComponentPaths {
    /// Component name.
    pub name: String,
    /// JSONPath of its replica count (absent ⇒ 0).
    pub replicas_path: String,
    /// JSONPath of its pod template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_template_path: Option<String>,
}

/// `replicaRevision`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplicaRevisionRule {
    /// Karmada's Lua `ReviseReplica(desiredObj, desiredReplica)`; refused by fedplan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lua_script: Option<String>,
    /// fedplan: JSONPath (a plain field path) where the replicas are written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas_path: Option<String>,
}

/// `statusReflection`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusReflectionRule {
    /// Karmada's Lua `ReflectStatus(observedObj)`; refused by fedplan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lua_script: Option<String>,
    /// fedplan: reflected field name → JSONPath in the member object; fields with no match
    /// are left out. The reflected status is null when nothing matched.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub fields: IndexMap<String, String>,
}

/// `statusAggregation`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusAggregationRule {
    /// Karmada's Lua `AggregateStatus(desiredObj, statusItems)`; refused by fedplan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lua_script: Option<String>,
    /// fedplan: plain field paths (relative to a member's reflected status, e.g.
    /// `readyReplicas` or `$.replicas`) summed over the members into the same path of the
    /// template's `status`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sum_fields: Vec<String>,
}

/// `healthInterpretation`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HealthInterpretationRule {
    /// Karmada's Lua `InterpretHealth(observedObj)`; refused by fedplan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lua_script: Option<String>,
    /// fedplan: conditions (in `status.conditions`) that must all hold.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<ConditionRule>,
    /// fedplan: JSONPath filter expressions on the object (`@`) that must all hold, e.g.
    /// `@.status.readyReplicas == @.spec.replicas` (evaluated as `$[?EXPR]` over a list
    /// holding only the object).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expressions: Vec<String>,
}

/// fedplan: a condition a healthy object has.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConditionRule {
    /// Condition type, e.g. `Ready`.
    #[serde(rename = "type")]
    pub type_: String,
    /// Required status; `True` when empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub status: String,
}

/// `dependencyInterpretation`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DependencyInterpretationRule {
    /// Karmada's Lua `GetDependencies(desiredObj)`; refused by fedplan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lua_script: Option<String>,
    /// fedplan: JSONPaths of pod templates whose ConfigMaps, Secrets, PVCs and service
    /// account are dependencies (in the object's namespace).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pod_template_paths: Vec<String>,
    /// fedplan: dependencies named by JSONPath.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dependencies: Vec<DependencyPath>,
}

/// fedplan: one kind of dependency, whose names a JSONPath selects.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DependencyPath {
    /// API version of the dependency, e.g. `v1`.
    pub api_version: String,
    /// Kind of the dependency, e.g. `ConfigMap`.
    pub kind: String,
    /// JSONPath selecting the names (every string it selects is one dependency).
    pub name_path: String,
}
