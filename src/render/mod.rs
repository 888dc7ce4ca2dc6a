//! Rendering: from a scheduled binding to the Work each member cluster receives.
//!
//! For every target cluster (`spec.clusters`, then the clusters of `spec.requiredBy`), in
//! Karmada's order: clone the template, set its replicas to the cluster's share
//! (ReviseReplica, only for bindings with replicas), divide a Divided Job's `completions`,
//! apply the override policies last, stamp Karmada's labels and annotations (binding ids,
//! template generation, conflict resolution, managed keys), prune server-owned fields, and
//! wrap the manifest in a Work in `karmada-es-<cluster>` carrying `suspendDispatching`,
//! `preserveResourcesOnDeletion` and the applied-overrides annotations.
//!
//! A binding renders completely or not at all: if any cluster fails, no Work of that binding
//! is returned.

pub mod deps;
pub mod diff;
pub mod names;
pub mod prune;

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::api::{
    Cluster, ClusterOverridePolicy, ConflictResolution, ObjectMeta, OverridePolicy,
    ResourceBinding, TargetCluster, Work, WorkSpec, WorkloadTemplate, WORK_API_VERSION,
};
use crate::interpreter::{Gvk, InterpreterError, Operation, ResourceInterpreter};

/// Label: permanent id of a ResourceBinding.
pub const RESOURCE_BINDING_PERMANENT_ID_LABEL: &str = "resourcebinding.karmada.io/permanent-id";
/// Label: permanent id of a ClusterResourceBinding.
pub const CLUSTER_RESOURCE_BINDING_PERMANENT_ID_LABEL: &str =
    "clusterresourcebinding.karmada.io/permanent-id";
/// Label: permanent id of a Work.
pub const WORK_PERMANENT_ID_LABEL: &str = "work.karmada.io/permanent-id";
/// Label on every manifest Karmada manages.
pub const MANAGED_BY_KARMADA_LABEL: &str = "karmada.io/managed";
/// Annotation: namespace of the ResourceBinding.
pub const RESOURCE_BINDING_NAMESPACE_ANNOTATION: &str = "resourcebinding.karmada.io/namespace";
/// Annotation: name of the ResourceBinding.
pub const RESOURCE_BINDING_NAME_ANNOTATION: &str = "resourcebinding.karmada.io/name";
/// Annotation: name of the ClusterResourceBinding.
pub const CLUSTER_RESOURCE_BINDING_ANNOTATION: &str = "clusterresourcebinding.karmada.io/name";
/// Annotation: generation of the template a manifest was rendered from.
pub const RESOURCE_TEMPLATE_GENERATION_ANNOTATION: &str = "resourcetemplate.karmada.io/generation";
/// Annotation: UID of the template.
pub const RESOURCE_TEMPLATE_UID_ANNOTATION: &str = "resourcetemplate.karmada.io/uid";
/// Annotation: the annotation keys Karmada manages on a manifest.
pub const MANAGED_ANNOTATIONS_ANNOTATION: &str = "resourcetemplate.karmada.io/managed-annotations";
/// Annotation: the label keys Karmada manages on a manifest.
pub const MANAGED_LABELS_ANNOTATION: &str = "resourcetemplate.karmada.io/managed-labels";
/// Annotation: name of the Work carrying a manifest.
pub const WORK_NAME_ANNOTATION: &str = "work.karmada.io/name";
/// Annotation: namespace of the Work carrying a manifest.
pub const WORK_NAMESPACE_ANNOTATION: &str = "work.karmada.io/namespace";
/// Annotation: conflict resolution (`overwrite` or `abort`).
pub const CONFLICT_RESOLUTION_ANNOTATION: &str = "work.karmada.io/conflict-resolution";
/// Annotation on a Work: the OverridePolicies applied.
pub const APPLIED_OVERRIDES_ANNOTATION: &str = "policy.karmada.io/applied-overrides";
/// Annotation on a Work: the ClusterOverridePolicies applied.
pub const APPLIED_CLUSTER_OVERRIDES_ANNOTATION: &str =
    "policy.karmada.io/applied-cluster-overrides";
/// Finalizer Karmada puts on Works.
pub const EXECUTION_CONTROLLER_FINALIZER: &str = "karmada.io/execution-controller";

/// Errors of rendering, each naming the binding and the cluster.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RenderError {
    /// An interpreter operation (ReviseReplica, InterpretDependency) failed.
    #[error("binding {binding}: cluster {cluster}: {source}")]
    Interpreter {
        /// `namespace/name` of the binding.
        binding: String,
        /// The target cluster (empty when not cluster-specific).
        cluster: String,
        /// The interpreter's error.
        source: Box<InterpreterError>,
    },
    /// An override policy could not be applied.
    #[error("binding {binding}: cluster {cluster}: {message}")]
    Override {
        /// `namespace/name` of the binding.
        binding: String,
        /// The target cluster.
        cluster: String,
        /// The override error, naming policy and rule.
        message: String,
    },
    /// The template is not shaped as rendering needs.
    #[error("binding {binding}: template field {field}: {message}")]
    Template {
        /// `namespace/name` of the binding.
        binding: String,
        /// JSON path of the field.
        field: String,
        /// What is wrong.
        message: String,
    },
}

/// The override policies rendering considers.
#[derive(Debug, Clone, Copy, Default)]
pub struct OverrideSet<'a> {
    /// Namespaced OverridePolicies.
    pub override_policies: &'a [OverridePolicy],
    /// ClusterOverridePolicies.
    pub cluster_override_policies: &'a [ClusterOverridePolicy],
}

/// What the override step produced for one manifest.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AppliedOverrides {
    /// JSON for `policy.karmada.io/applied-overrides`, if any policy applied.
    pub applied_overrides: Option<String>,
    /// JSON for `policy.karmada.io/applied-cluster-overrides`, if any policy applied.
    pub applied_cluster_overrides: Option<String>,
}

fn binding_key(b: &ResourceBinding) -> String {
    if b.metadata.namespace.is_empty() {
        b.metadata.name.clone()
    } else {
        format!("{}/{}", b.metadata.namespace, b.metadata.name)
    }
}

/// Whether the binding is for a cluster-scoped template (a ClusterResourceBinding).
pub fn is_cluster_binding(b: &ResourceBinding) -> bool {
    b.kind == "ClusterResourceBinding" || (b.kind.is_empty() && b.metadata.namespace.is_empty())
}

/// The permanent id of a binding: its label, or an id derived from its name.
pub fn binding_permanent_id(b: &ResourceBinding) -> String {
    let label = if is_cluster_binding(b) {
        CLUSTER_RESOURCE_BINDING_PERMANENT_ID_LABEL
    } else {
        RESOURCE_BINDING_PERMANENT_ID_LABEL
    };
    b.metadata
        .labels
        .get(label)
        .cloned()
        .unwrap_or_else(|| names::permanent_id(&format!("binding/{}", binding_key(b))))
}

/// The clusters a binding's Works go to: `spec.clusters`, then the clusters of
/// `spec.requiredBy` not already present, in order.
pub fn target_clusters(b: &ResourceBinding) -> Vec<TargetCluster> {
    let mut out = b.spec.clusters.clone();
    for snap in &b.spec.required_by {
        for c in &snap.clusters {
            if !out.iter().any(|t| t.name == c.name) {
                out.push(c.clone());
            }
        }
    }
    out
}

/// Whether dispatching to `cluster` is suspended by the binding's suspension.
pub fn dispatch_suspended(b: &ResourceBinding, cluster: &str) -> bool {
    let Some(s) = &b.spec.suspension else {
        return false;
    };
    s.dispatching.unwrap_or(false)
        || s.dispatching_on_clusters
            .as_ref()
            .is_some_and(|d| d.cluster_names.iter().any(|n| n == cluster))
}

fn meta_map<'a>(manifest: &'a mut Value, key: &str) -> Option<&'a mut Map<String, Value>> {
    let obj = manifest.as_object_mut()?;
    let meta = obj
        .entry("metadata")
        .or_insert_with(|| Value::Object(Map::new()));
    let meta = meta.as_object_mut()?;
    let entry = meta
        .entry(key.to_string())
        .or_insert_with(|| Value::Object(Map::new()));
    if !entry.is_object() {
        *entry = Value::Object(Map::new());
    }
    entry.as_object_mut()
}

fn set_label(manifest: &mut Value, key: &str, value: &str) {
    if let Some(m) = meta_map(manifest, "labels") {
        m.insert(key.to_string(), Value::String(value.to_string()));
    }
}

fn set_annotation(manifest: &mut Value, key: &str, value: &str) {
    if let Some(m) = meta_map(manifest, "annotations") {
        m.insert(key.to_string(), Value::String(value.to_string()));
    }
}

fn annotation(manifest: &Value, key: &str) -> Option<String> {
    manifest
        .pointer("/metadata/annotations")?
        .get(key)?
        .as_str()
        .map(str::to_string)
}

fn sorted_keys(manifest: &Value, key: &str) -> Vec<String> {
    let mut keys: Vec<String> = manifest
        .pointer(&format!("/metadata/{key}"))
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    keys.sort();
    keys
}

/// Sorts every object's keys, as Go's JSON encoding of unstructured objects does.
pub fn sort_keys(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.sort_keys();
            m.values_mut().for_each(sort_keys);
        }
        Value::Array(a) => a.iter_mut().for_each(sort_keys),
        _ => {}
    }
}

/// Divides a Job's `completions` over the target clusters in proportion to their replicas,
/// as Karmada does for Divided Jobs. `None` when the template sets no completions.
fn job_completions(
    template: &Value,
    clusters: &[TargetCluster],
    binding: &str,
) -> Result<Option<Vec<i32>>, RenderError> {
    let Some(raw) = template.pointer("/spec/completions") else {
        return Ok(None);
    };
    let completions = raw.as_i64().ok_or_else(|| RenderError::Template {
        binding: binding.to_string(),
        field: "spec.completions".into(),
        message: format!("expected an integer, found {raw}"),
    })?;
    let total = completions.clamp(0, i32::MAX as i64) as i32;
    // Karmada spreads completions with no seed: ties go to the smaller name.
    let spread = crate::scheduler::webster::spread_replicas_by_target_clusters(
        total,
        clusters,
        &[],
        crate::scheduler::webster::TieBreak::NameAscending,
    );
    Ok(Some(
        clusters
            .iter()
            .map(|c| {
                spread
                    .iter()
                    .find(|t| t.name == c.name)
                    .map_or(0, |t| t.replicas)
            })
            .collect(),
    ))
}

/// Renders the Works of one scheduled binding.
///
/// `template` is the resource template as stored (with its generation and claim metadata);
/// `clusters` are the known clusters (used by override policies' cluster selectors; a target
/// cluster missing from it is treated as a cluster with only a name).
pub fn render_works(
    binding: &ResourceBinding,
    template: &Value,
    clusters: &[Cluster],
    overrides: OverrideSet<'_>,
    interpreter: &dyn ResourceInterpreter,
) -> Result<Vec<Work>, RenderError> {
    let key = binding_key(binding);
    let targets = target_clusters(binding);
    let gvk = Gvk::of(template);
    let divided = binding.spec.placement.as_ref().is_some_and(|p| {
        p.replica_scheduling.as_ref().is_some_and(|r| {
            r.replica_scheduling_type
                .unwrap_or(crate::api::ReplicaSchedulingType::Divided)
                == crate::api::ReplicaSchedulingType::Divided
        })
    });
    let completions = if gvk.kind == "Job" && binding.spec.replicas > 0 && divided {
        job_completions(template, &targets, &key)?
    } else {
        None
    };
    let revise = binding.spec.replicas > 0 && interpreter.handles(&gvk, Operation::ReviseReplica);
    let cluster_binding = is_cluster_binding(binding);
    let binding_id = binding_permanent_id(binding);
    let generation = template
        .pointer("/metadata/generation")
        .and_then(Value::as_i64)
        .unwrap_or(0);
    let template_uid = template
        .pointer("/metadata/uid")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let name = template
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let namespace = template
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();

    let mut works = Vec::with_capacity(targets.len());
    for (i, target) in targets.iter().enumerate() {
        let fallback;
        let cluster = match clusters.iter().find(|c| c.name() == target.name) {
            Some(c) => c,
            None => {
                let mut c = Cluster::default();
                c.metadata.name = target.name.clone();
                fallback = c;
                &fallback
            }
        };
        let mut manifest = template.clone();
        if revise {
            manifest = interpreter
                .revise_replica(&manifest, target.replicas as i64)
                .map_err(|source| RenderError::Interpreter {
                    binding: key.clone(),
                    cluster: target.name.clone(),
                    source: Box::new(source),
                })?;
        }
        if let Some(c) = &completions {
            if let Some(spec) = manifest.get_mut("spec").and_then(Value::as_object_mut) {
                spec.insert("completions".into(), Value::from(c[i]));
            }
        }
        let applied = apply_overrides(&mut manifest, cluster, overrides).map_err(|message| {
            RenderError::Override {
                binding: key.clone(),
                cluster: target.name.clone(),
                message,
            }
        })?;

        // Binding identity on the manifest (mergeLabel / mergeAnnotations).
        let mut work_labels = BTreeMap::new();
        let mut work_annotations = BTreeMap::new();
        let id_label = if cluster_binding {
            CLUSTER_RESOURCE_BINDING_PERMANENT_ID_LABEL
        } else {
            RESOURCE_BINDING_PERMANENT_ID_LABEL
        };
        set_label(&mut manifest, id_label, &binding_id);
        work_labels.insert(id_label.to_string(), binding_id.clone());
        if generation > 0 {
            set_annotation(
                &mut manifest,
                RESOURCE_TEMPLATE_GENERATION_ANNOTATION,
                &generation.to_string(),
            );
        }
        if cluster_binding {
            set_annotation(
                &mut manifest,
                CLUSTER_RESOURCE_BINDING_ANNOTATION,
                &binding.metadata.name,
            );
            work_annotations.insert(
                CLUSTER_RESOURCE_BINDING_ANNOTATION.to_string(),
                binding.metadata.name.clone(),
            );
        } else {
            set_annotation(
                &mut manifest,
                RESOURCE_BINDING_NAMESPACE_ANNOTATION,
                &binding.metadata.namespace,
            );
            set_annotation(
                &mut manifest,
                RESOURCE_BINDING_NAME_ANNOTATION,
                &binding.metadata.name,
            );
            work_annotations.insert(
                RESOURCE_BINDING_NAMESPACE_ANNOTATION.to_string(),
                binding.metadata.namespace.clone(),
            );
            work_annotations.insert(
                RESOURCE_BINDING_NAME_ANNOTATION.to_string(),
                binding.metadata.name.clone(),
            );
        }
        // The template's own conflict-resolution annotation wins over the binding's.
        let conflict = match annotation(&manifest, CONFLICT_RESOLUTION_ANNOTATION).as_deref() {
            Some(v @ ("overwrite" | "abort")) => v.to_string(),
            _ => match binding.spec.conflict_resolution {
                Some(ConflictResolution::Overwrite) => "overwrite".to_string(),
                _ => "abort".to_string(),
            },
        };
        work_annotations.insert(CONFLICT_RESOLUTION_ANNOTATION.to_string(), conflict.clone());
        if let Some(a) = &applied.applied_cluster_overrides {
            work_annotations.insert(APPLIED_CLUSTER_OVERRIDES_ANNOTATION.to_string(), a.clone());
        }
        if let Some(a) = &applied.applied_overrides {
            work_annotations.insert(APPLIED_OVERRIDES_ANNOTATION.to_string(), a.clone());
        }

        let work_namespace = names::execution_space(&target.name);
        let work_name = names::work_name(&gvk.kind, &name, &namespace);
        let work_id = names::permanent_id(&format!("work/{work_namespace}/{work_name}"));
        work_labels.insert(WORK_PERMANENT_ID_LABEL.to_string(), work_id.clone());

        // CreateOrUpdateWork: manifest bookkeeping, pruning, managed keys.
        set_label(&mut manifest, MANAGED_BY_KARMADA_LABEL, "true");
        set_annotation(
            &mut manifest,
            RESOURCE_TEMPLATE_UID_ANNOTATION,
            &template_uid,
        );
        set_annotation(&mut manifest, WORK_NAME_ANNOTATION, &work_name);
        set_annotation(&mut manifest, WORK_NAMESPACE_ANNOTATION, &work_namespace);
        set_annotation(&mut manifest, CONFLICT_RESOLUTION_ANNOTATION, &conflict);
        prune::remove_irrelevant_fields(&mut manifest);
        let mut managed = vec![
            MANAGED_ANNOTATIONS_ANNOTATION.to_string(),
            MANAGED_LABELS_ANNOTATION.to_string(),
        ];
        managed.extend(
            sorted_keys(&manifest, "annotations")
                .into_iter()
                .filter(|k| k != MANAGED_ANNOTATIONS_ANNOTATION && k != MANAGED_LABELS_ANNOTATION),
        );
        managed.sort();
        set_annotation(
            &mut manifest,
            MANAGED_ANNOTATIONS_ANNOTATION,
            &managed.join(","),
        );
        set_label(&mut manifest, WORK_PERMANENT_ID_LABEL, &work_id);
        let labels = sorted_keys(&manifest, "labels");
        set_annotation(&mut manifest, MANAGED_LABELS_ANNOTATION, &labels.join(","));
        sort_keys(&mut manifest);

        works.push(Work {
            api_version: WORK_API_VERSION.to_string(),
            kind: "Work".to_string(),
            metadata: ObjectMeta {
                name: work_name,
                namespace: work_namespace,
                labels: work_labels,
                annotations: work_annotations,
                finalizers: vec![EXECUTION_CONTROLLER_FINALIZER.to_string()],
                ..Default::default()
            },
            spec: WorkSpec {
                workload: WorkloadTemplate {
                    manifests: vec![manifest],
                },
                suspend_dispatching: Some(dispatch_suspended(binding, &target.name)),
                preserve_resources_on_deletion: Some(
                    binding.spec.preserve_resources_on_deletion.unwrap_or(false),
                ),
            },
            status: None,
            extra: Map::new(),
        });
    }
    Ok(works)
}

/// Applies the override policies for one cluster to `manifest`.
fn apply_overrides(
    manifest: &mut Value,
    cluster: &Cluster,
    overrides: OverrideSet<'_>,
) -> Result<AppliedOverrides, String> {
    // The manifest is already this cluster's own copy, so it is overridden where it stands.
    let out = crate::overrides::apply_overrides_in_place(
        manifest,
        cluster,
        overrides.override_policies,
        overrides.cluster_override_policies,
    )
    .map_err(|e| e.to_string())?;
    Ok(AppliedOverrides {
        applied_overrides: out.applied_overrides.annotation_value(),
        applied_cluster_overrides: out.applied_cluster_overrides.annotation_value(),
    })
}
