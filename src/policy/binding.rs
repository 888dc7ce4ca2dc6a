//! Building the (Cluster)ResourceBinding of a claimed template (Karmada's
//! `BuildResourceBinding` plus the create-or-update merge of `ApplyPolicy`).

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::claim::claim_metadata;
use super::select::{
    ClaimedBy, CPP_NAME_ANNOTATION, CPP_PERMANENT_ID_LABEL, PP_NAMESPACE_ANNOTATION,
    PP_NAME_ANNOTATION, PP_PERMANENT_ID_LABEL,
};
use super::PolicyError;
use crate::api::{
    ActivationPreference, BindingSchedulePriority, ObjectMeta, ObjectReference, ResourceBinding,
    ResourceBindingSpec, Suspension, BINDING_API_VERSION,
};
use crate::interpreter::{Gvk, Operation, ResourceInterpreter};
use crate::selector::TemplateRef;

/// Finalizer Karmada puts on a ResourceBinding.
pub const BINDING_FINALIZER: &str = "karmada.io/binding-controller";
/// Finalizer Karmada puts on a ClusterResourceBinding.
pub const CLUSTER_BINDING_FINALIZER: &str = "karmada.io/cluster-resource-binding-controller";
/// The only `schedulePriority.priorityClassSource` Karmada implements.
pub const KUBE_PRIORITY_CLASS: &str = "KubePriorityClass";

/// How the binding is built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BindingOptions {
    /// Whether the template is cluster-scoped (giving a ClusterResourceBinding). `None`
    /// decides by the template: cluster-scoped when it has no `metadata.namespace`.
    pub cluster_scoped: Option<bool>,
    /// Feature gate `PriorityBasedScheduling` (Beta, default on): resolve the policy's
    /// `schedulePriority` into the binding's `spec.schedulePriority.priority`.
    pub priority_based_scheduling: bool,
    /// PriorityClass values by name, for `schedulePriority.priorityClassName`.
    pub priority_classes: BTreeMap<String, i32>,
    /// **\[quirk\]** Karmada leaves an existing binding's `dispatching` and
    /// `dispatchingOnClusters` alone when the policy no longer has a `suspension` at all,
    /// so removing `suspension` from a policy does not resume dispatching. `false`
    /// (default) keeps that behaviour; `true` clears them (the binding's `scheduling` flag
    /// is kept either way).
    pub clear_dispatching_without_policy_suspension: bool,
}

impl Default for BindingOptions {
    fn default() -> Self {
        BindingOptions {
            cluster_scoped: None,
            priority_based_scheduling: true,
            priority_classes: BTreeMap::new(),
            clear_dispatching_without_policy_suspension: false,
        }
    }
}

/// Karmada's binding name for a template: `lower(<name with ':' → '.'>-<kind>)`.
///
/// ```
/// assert_eq!(fedplan::policy::binding_name("Deployment", "nginx"), "nginx-deployment");
/// assert_eq!(
///     fedplan::policy::binding_name("ClusterRole", "system:Admin"),
///     "system.admin-clusterrole"
/// );
/// ```
pub fn binding_name(kind: &str, name: &str) -> String {
    format!("{}-{}", name.replace(':', "."), kind).to_lowercase()
}

/// Whether applying `policy` refreshes the binding (§2.4): with `activationPreference: Lazy`,
/// a reconcile caused by Karmada itself (`changed_by_karmada`) rather than by a user edit of
/// the template leaves the binding as it is, so policy changes reach the template only on
/// its next user update. The claim is written either way.
pub fn refreshes_binding(policy: ClaimedBy<'_>, changed_by_karmada: bool) -> bool {
    !(changed_by_karmada && policy.spec().activation_preference == Some(ActivationPreference::Lazy))
}

fn merge_suspension(
    existing: Option<&Suspension>,
    from_policy: Option<&Suspension>,
    clear_without_policy: bool,
) -> Option<Suspension> {
    let scheduling = existing.and_then(|s| s.scheduling);
    let merged = match (from_policy, existing) {
        (Some(p), _) => Suspension {
            dispatching: p.dispatching,
            dispatching_on_clusters: p.dispatching_on_clusters.clone(),
            scheduling,
        },
        (None, Some(e)) if !clear_without_policy => e.clone(),
        (None, _) => Suspension {
            scheduling,
            ..Suspension::default()
        },
    };
    let empty = merged.dispatching.is_none()
        && merged.dispatching_on_clusters.is_none()
        && merged.scheduling.is_none();
    // A policy's `suspension: {}` still creates the (empty) block on the binding, as Go's
    // non-nil pointer does; only a block with nothing from either side is dropped.
    if empty && from_policy.is_none() {
        None
    } else {
        Some(merged)
    }
}

fn dedupe_merge(existing: &[String], added: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(existing.len() + added.len());
    for f in existing.iter().chain(added) {
        if !out.contains(f) {
            out.push(f.clone());
        }
    }
    out
}

/// Builds the binding of `template`, claimed by `policy`, as Karmada's detector does.
///
/// - name [`binding_name`], in the template's namespace; a ClusterResourceBinding for a
///   cluster-scoped template ([`BindingOptions::cluster_scoped`]);
/// - the claim labels and annotations of the policy, a controller owner reference to the
///   template and the binding controller's finalizer;
/// - `spec.resource` with the template's `uid` and `resourceVersion`;
/// - `replicas` and `replicaRequirements` from `interpreter` when it handles
///   InterpretReplica for the kind (non-workloads get none);
/// - from the policy: `placement`, `propagateDeps` (or its alias `association`),
///   `schedulerName`, `failover`, `conflictResolution`, `preserveResourcesOnDeletion`,
///   `suspension` (dispatching fields; the binding's `scheduling` flag is kept) and
///   `schedulePriority` (the PriorityClass value);
/// - given the `existing` binding, everything else it holds is kept: `spec.clusters` (the
///   scheduling result), `gracefulEvictionTasks`, `rescheduleTriggeredAt`, `requiredBy`,
///   `status`, other labels, annotations and finalizers. A claim of the other policy kind
///   is removed from its labels and annotations.
///
/// ```
/// use fedplan::api::PropagationPolicy;
/// use fedplan::interpreter::{Gvk, Operation, ResourceInterpreter, ReplicaInterpretation, InterpreterError};
/// use fedplan::policy::{build_binding, BindingOptions, ClaimedBy};
///
/// struct Replicas;
/// impl ResourceInterpreter for Replicas {
///     fn name(&self) -> &str { "example" }
///     fn handles(&self, gvk: &Gvk, op: Operation) -> bool {
///         gvk.kind == "Deployment" && op == Operation::InterpretReplica
///     }
///     fn interpret_replica(&self, o: &serde_json::Value) -> Result<ReplicaInterpretation, InterpreterError> {
///         Ok(ReplicaInterpretation { replicas: o["spec"]["replicas"].as_i64().unwrap_or(1) as i32, replica_requirements: None })
///     }
/// }
/// let template = serde_json::json!({"apiVersion": "apps/v1", "kind": "Deployment",
///     "metadata": {"name": "nginx", "namespace": "default", "uid": "u-1"},
///     "spec": {"replicas": 3}});
/// let pp: PropagationPolicy = serde_json::from_value(serde_json::json!({
///     "metadata": {"name": "pp", "namespace": "default"},
///     "spec": {"resourceSelectors": [{"apiVersion": "apps/v1", "kind": "Deployment"}]}
/// })).unwrap();
/// let rb = build_binding(&template, ClaimedBy::PropagationPolicy(&pp), &Replicas, None,
///     &BindingOptions::default()).unwrap();
/// assert_eq!(rb.metadata.name, "nginx-deployment");
/// assert_eq!(rb.spec.replicas, 3);
/// assert_eq!(rb.spec.resource.uid, "u-1");
/// ```
pub fn build_binding(
    template: &Value,
    policy: ClaimedBy<'_>,
    interpreter: &dyn ResourceInterpreter,
    existing: Option<&ResourceBinding>,
    options: &BindingOptions,
) -> Result<ResourceBinding, PolicyError> {
    let t = TemplateRef::of(template);
    let malformed = |field: &str, message: &str| PolicyError::MalformedTemplate {
        kind: t.kind.to_string(),
        namespace: t.namespace.to_string(),
        name: t.name.to_string(),
        field: field.to_string(),
        message: message.to_string(),
    };
    if t.api_version.is_empty() {
        return Err(malformed("apiVersion", "missing"));
    }
    if t.kind.is_empty() {
        return Err(malformed("kind", "missing"));
    }
    if t.name.is_empty() {
        return Err(malformed("metadata.name", "missing"));
    }
    let metadata = template.get("metadata");
    let meta_str = |key: &str| {
        metadata
            .and_then(|m| m.get(key))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let cluster_scoped = options.cluster_scoped.unwrap_or(t.namespace.is_empty());
    let binding_namespace = if cluster_scoped { "" } else { t.namespace };
    let uid = meta_str("uid");

    let spec_of_policy = policy.spec();
    let (replicas, replica_requirements) =
        if interpreter.handles(&Gvk::of(template), Operation::InterpretReplica) {
            let r = interpreter.interpret_replica(template).map_err(|source| {
                PolicyError::Interpreter {
                    kind: t.kind.to_string(),
                    namespace: t.namespace.to_string(),
                    name: t.name.to_string(),
                    source: Box::new(source),
                }
            })?;
            (r.replicas, r.replica_requirements)
        } else {
            (0, None)
        };

    let schedule_priority = match (
        &spec_of_policy.schedule_priority,
        options.priority_based_scheduling,
    ) {
        (Some(sp), true) => {
            if sp.priority_class_source != KUBE_PRIORITY_CLASS {
                return Err(PolicyError::UnsupportedPriorityClassSource {
                    policy: policy.describe(),
                    source_name: sp.priority_class_source.clone(),
                });
            }
            match options.priority_classes.get(&sp.priority_class_name) {
                Some(v) => Some(BindingSchedulePriority { priority: *v }),
                None => {
                    return Err(PolicyError::PriorityClassNotFound {
                        policy: policy.describe(),
                        priority_class: sp.priority_class_name.clone(),
                    })
                }
            }
        }
        _ => None,
    };

    let claim = claim_metadata(policy);
    let mut binding = existing.cloned().unwrap_or_default();
    binding.api_version = BINDING_API_VERSION.to_string();
    binding.kind = if cluster_scoped {
        "ClusterResourceBinding"
    } else {
        "ResourceBinding"
    }
    .to_string();
    let meta: &mut ObjectMeta = &mut binding.metadata;
    meta.name = binding_name(t.kind, t.name);
    meta.namespace = binding_namespace.to_string();
    for key in [PP_PERMANENT_ID_LABEL, CPP_PERMANENT_ID_LABEL] {
        meta.labels.remove(key);
    }
    for key in [
        PP_NAMESPACE_ANNOTATION,
        PP_NAME_ANNOTATION,
        CPP_NAME_ANNOTATION,
    ] {
        meta.annotations.remove(key);
    }
    for (k, v) in claim.labels {
        meta.labels.insert(k.to_string(), v);
    }
    for (k, v) in claim.annotations {
        meta.annotations.insert(k.to_string(), v);
    }
    let finalizer = if cluster_scoped {
        CLUSTER_BINDING_FINALIZER
    } else {
        BINDING_FINALIZER
    };
    meta.finalizers = dedupe_merge(&meta.finalizers, &[finalizer.to_string()]);
    meta.owner_references = vec![json!({
        "apiVersion": t.api_version,
        "kind": t.kind,
        "name": t.name,
        "uid": uid,
        "controller": true,
        "blockOwnerDeletion": true,
    })];

    let spec: &mut ResourceBindingSpec = &mut binding.spec;
    spec.resource = ObjectReference {
        api_version: t.api_version.to_string(),
        kind: t.kind.to_string(),
        namespace: t.namespace.to_string(),
        name: t.name.to_string(),
        uid,
        resource_version: meta_str("resourceVersion"),
    };
    spec.replicas = replicas;
    spec.replica_requirements = replica_requirements;
    // Multi-template components need the MultiplePodTemplatesScheduling gate (off by
    // default); without it Karmada writes none.
    spec.components = Vec::new();
    spec.propagate_deps = spec_of_policy.propagate_deps || spec_of_policy.association;
    spec.scheduler_name = spec_of_policy.scheduler_name.clone().unwrap_or_default();
    spec.placement = Some(spec_of_policy.placement.clone());
    spec.failover = spec_of_policy.failover.clone();
    spec.conflict_resolution = spec_of_policy.conflict_resolution;
    spec.preserve_resources_on_deletion = spec_of_policy.preserve_resources_on_deletion;
    spec.schedule_priority = schedule_priority;
    spec.suspension = merge_suspension(
        spec.suspension.as_ref(),
        spec_of_policy.suspension.as_ref(),
        options.clear_dispatching_without_policy_suspension,
    );
    Ok(binding)
}
