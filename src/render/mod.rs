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
use crate::interpreter::object::at;
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
    at(manifest, &["metadata", "annotations", key])?
        .as_str()
        .map(str::to_string)
}

fn sorted_keys(manifest: &Value, key: &str) -> Vec<String> {
    let mut keys: Vec<String> = at(manifest, &["metadata", key])
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

/// What every manifest of one binding shares, whatever its cluster.
struct BindingFacts<'a> {
    /// `namespace/name` of the binding, for errors.
    key: String,
    binding: &'a ResourceBinding,
    cluster_binding: bool,
    binding_id: String,
    generation: i64,
    template_uid: String,
    work_name: String,
}

/// Replicas-dependent inputs shared by the clusters that receive the same replicas (and Job
/// completions): the manifest before overrides, and, once rendered for a cluster no override
/// applies to, the finished manifest with its conflict resolution.
struct ReplicaGroup {
    replicas: Option<i64>,
    completions: Option<i32>,
    /// Clusters of this group not prepared yet.
    unprepared: usize,
    /// Clusters of this group that take the finished manifest and were not emitted yet.
    sharing: usize,
    revised: Option<Value>,
    finished: Option<(Value, String)>,
}

/// How one cluster's manifest is made.
enum Draft {
    /// Rendered for this cluster alone (an override applies to it).
    Own {
        manifest: Value,
        conflict: String,
        applied: AppliedOverrides,
    },
    /// The finished manifest of its replica group, with this cluster's Work namespace and id.
    Shared { group: usize },
}

/// A rendered manifest handed to [`render_works_each`]'s sink: owned, or the manifest shared
/// by the clusters of one replica group, valid for the current call only.
pub(crate) enum Manifest<'m> {
    /// The caller keeps it.
    Owned(Value),
    /// The caller copies it.
    Shared(&'m Value),
}

impl Manifest<'_> {
    /// The manifest as an owned value.
    pub(crate) fn into_owned(self) -> Value {
        match self {
            Manifest::Owned(v) => v,
            Manifest::Shared(v) => crate::interpreter::object::compact_clone(v),
        }
    }

    /// The manifest.
    pub(crate) fn get(&self) -> &Value {
        match self {
            Manifest::Owned(v) => v,
            Manifest::Shared(v) => v,
        }
    }
}

/// Renders the Works of one scheduled binding.
///
/// `template` is the resource template as stored (with its generation and claim metadata);
/// `clusters` are the known clusters (used by override policies' cluster selectors; a target
/// cluster missing from it is treated as a cluster with only a name).
///
/// Clusters that receive the same replicas and that no override policy applies to get the
/// same manifest but for their Work's namespace and permanent id, so it is built once and
/// copied.
pub fn render_works(
    binding: &ResourceBinding,
    template: &Value,
    clusters: &[Cluster],
    overrides: OverrideSet<'_>,
    interpreter: &dyn ResourceInterpreter,
) -> Result<Vec<Work>, RenderError> {
    let mut works = Vec::new();
    render_works_each(
        binding,
        template,
        clusters,
        overrides,
        interpreter,
        |mut work, manifest| {
            work.spec.workload.manifests = vec![manifest.into_owned()];
            works.push(work);
        },
    )?;
    Ok(works)
}

/// [`render_works`], handing each Work (without its manifest) and its manifest to `sink` in
/// target order, so that a caller holding the previous Works can update them where they
/// stand. Nothing is handed over when any cluster fails.
pub(crate) fn render_works_each(
    binding: &ResourceBinding,
    template: &Value,
    clusters: &[Cluster],
    overrides: OverrideSet<'_>,
    interpreter: &dyn ResourceInterpreter,
    mut sink: impl FnMut(Work, Manifest<'_>),
) -> Result<(), RenderError> {
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
    let text_at = |path: &[&str]| {
        at(template, path)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let name = text_at(&["metadata", "name"]);
    let namespace = text_at(&["metadata", "namespace"]);
    let facts = BindingFacts {
        cluster_binding: is_cluster_binding(binding),
        binding_id: binding_permanent_id(binding),
        generation: at(template, &["metadata", "generation"])
            .and_then(Value::as_i64)
            .unwrap_or(0),
        template_uid: text_at(&["metadata", "uid"]),
        work_name: names::work_name(&gvk.kind, &name, &namespace),
        key,
        binding,
    };
    let no_policies =
        overrides.override_policies.is_empty() && overrides.cluster_override_policies.is_empty();

    let group_keys: Vec<(Option<i64>, Option<i32>)> = targets
        .iter()
        .enumerate()
        .map(|(i, t)| {
            (
                revise.then_some(t.replicas as i64),
                completions.as_ref().and_then(|c| c.get(i).copied()),
            )
        })
        .collect();
    let mut groups: Vec<ReplicaGroup> = Vec::new();
    let group_of: Vec<usize> = group_keys
        .iter()
        .map(|&(replicas, completions)| {
            match groups
                .iter()
                .position(|g| g.replicas == replicas && g.completions == completions)
            {
                Some(i) => {
                    groups[i].unprepared += 1;
                    i
                }
                None => {
                    groups.push(ReplicaGroup {
                        replicas,
                        completions,
                        unprepared: 1,
                        sharing: 0,
                        revised: None,
                        finished: None,
                    });
                    groups.len() - 1
                }
            }
        })
        .collect();

    // Everything that can fail happens here, before any Work is handed over.
    let mut drafts = Vec::with_capacity(targets.len());
    let mut cluster_fields = Vec::with_capacity(targets.len());
    for (target, &gi) in targets.iter().zip(&group_of) {
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
        let group = &mut groups[gi];
        group.unprepared -= 1;
        let last_of_group = group.unprepared == 0;
        let (replicas, completions) = (group.replicas, group.completions);
        let pre_override = || -> Result<Value, RenderError> {
            let mut manifest = match replicas {
                Some(r) => interpreter.revise_replica(template, r).map_err(|source| {
                    RenderError::Interpreter {
                        binding: facts.key.clone(),
                        cluster: target.name.clone(),
                        source: Box::new(source),
                    }
                })?,
                None => template.clone(),
            };
            if let Some(c) = completions {
                if let Some(spec) = manifest.get_mut("spec").and_then(Value::as_object_mut) {
                    spec.insert("completions".into(), Value::from(c));
                }
            }
            Ok(manifest)
        };
        // Without policies, the manifest before overrides is needed once per group: later
        // clusters take the finished manifest.
        if group.revised.is_none() && (group.finished.is_none() || !no_policies) {
            group.revised = Some(pre_override()?);
        }
        let work_namespace = names::execution_space(&target.name);
        let work_id = names::permanent_id_of(&["work/", &work_namespace, "/", &facts.work_name]);
        let plain = no_policies
            || group
                .revised
                .as_ref()
                .is_some_and(|m| !overrides_apply(m, cluster, overrides));
        let draft = if plain && group.finished.is_some() {
            group.sharing += 1;
            Draft::Shared { group: gi }
        } else {
            let mut manifest = match group.revised.take() {
                Some(m) if !(last_of_group || no_policies) => {
                    let copy = m.clone();
                    group.revised = Some(m);
                    copy
                }
                Some(m) => m,
                None => pre_override()?,
            };
            let applied =
                apply_overrides(&mut manifest, cluster, overrides).map_err(|message| {
                    RenderError::Override {
                        binding: facts.key.clone(),
                        cluster: target.name.clone(),
                        message,
                    }
                })?;
            let conflict = stamp(&mut manifest, &facts, &work_namespace, &work_id);
            if plain && has_cluster_fields(&manifest) {
                group.finished = Some((manifest, conflict));
                group.sharing += 1;
                Draft::Shared { group: gi }
            } else {
                Draft::Own {
                    manifest,
                    conflict,
                    applied,
                }
            }
        };
        drafts.push(draft);
        cluster_fields.push((work_namespace, work_id));
    }

    for ((target, draft), (work_namespace, work_id)) in
        targets.iter().zip(drafts).zip(cluster_fields)
    {
        match draft {
            Draft::Own {
                manifest,
                conflict,
                applied,
            } => {
                let work =
                    wrap_in_work(&facts, target, conflict, &applied, work_namespace, work_id);
                sink(work, Manifest::Owned(manifest));
            }
            Draft::Shared { group } => {
                let group = &mut groups[group];
                group.sharing -= 1;
                let Some((finished, conflict)) = &mut group.finished else {
                    continue;
                };
                restamp_cluster(finished, &work_namespace, &work_id);
                let work = wrap_in_work(
                    &facts,
                    target,
                    conflict.clone(),
                    &AppliedOverrides::default(),
                    work_namespace,
                    work_id,
                );
                if group.sharing == 0 {
                    sink(work, Manifest::Owned(std::mem::take(finished)));
                } else {
                    sink(work, Manifest::Shared(finished));
                }
            }
        }
    }
    Ok(())
}

/// Whether any override rule would apply to `manifest` in `cluster`.
fn overrides_apply(manifest: &Value, cluster: &Cluster, overrides: OverrideSet<'_>) -> bool {
    !crate::overrides::matching_rules(overrides.cluster_override_policies, manifest, cluster)
        .is_empty()
        || !crate::overrides::matching_rules(overrides.override_policies, manifest, cluster)
            .is_empty()
}

/// Karmada's bookkeeping on a manifest (binding identity, template generation and UID, Work
/// name and namespace, conflict resolution, managed keys), then pruning and key sorting.
/// Returns the conflict resolution written.
fn stamp(
    manifest: &mut Value,
    facts: &BindingFacts<'_>,
    work_namespace: &str,
    work_id: &str,
) -> String {
    let binding = facts.binding;
    // Binding identity on the manifest (mergeLabel / mergeAnnotations).
    let id_label = if facts.cluster_binding {
        CLUSTER_RESOURCE_BINDING_PERMANENT_ID_LABEL
    } else {
        RESOURCE_BINDING_PERMANENT_ID_LABEL
    };
    set_label(manifest, id_label, &facts.binding_id);
    if facts.generation > 0 {
        set_annotation(
            manifest,
            RESOURCE_TEMPLATE_GENERATION_ANNOTATION,
            &facts.generation.to_string(),
        );
    }
    if facts.cluster_binding {
        set_annotation(
            manifest,
            CLUSTER_RESOURCE_BINDING_ANNOTATION,
            &binding.metadata.name,
        );
    } else {
        set_annotation(
            manifest,
            RESOURCE_BINDING_NAMESPACE_ANNOTATION,
            &binding.metadata.namespace,
        );
        set_annotation(
            manifest,
            RESOURCE_BINDING_NAME_ANNOTATION,
            &binding.metadata.name,
        );
    }
    // The template's own conflict-resolution annotation wins over the binding's.
    let conflict = match annotation(manifest, CONFLICT_RESOLUTION_ANNOTATION).as_deref() {
        Some(v @ ("overwrite" | "abort")) => v.to_string(),
        _ => match binding.spec.conflict_resolution {
            Some(ConflictResolution::Overwrite) => "overwrite".to_string(),
            _ => "abort".to_string(),
        },
    };

    // CreateOrUpdateWork: manifest bookkeeping, pruning, managed keys.
    set_label(manifest, MANAGED_BY_KARMADA_LABEL, "true");
    set_annotation(
        manifest,
        RESOURCE_TEMPLATE_UID_ANNOTATION,
        &facts.template_uid,
    );
    set_annotation(manifest, WORK_NAME_ANNOTATION, &facts.work_name);
    set_annotation(manifest, WORK_NAMESPACE_ANNOTATION, work_namespace);
    set_annotation(manifest, CONFLICT_RESOLUTION_ANNOTATION, &conflict);
    prune::remove_irrelevant_fields(manifest);
    let mut managed = vec![
        MANAGED_ANNOTATIONS_ANNOTATION.to_string(),
        MANAGED_LABELS_ANNOTATION.to_string(),
    ];
    managed.extend(
        sorted_keys(manifest, "annotations")
            .into_iter()
            .filter(|k| k != MANAGED_ANNOTATIONS_ANNOTATION && k != MANAGED_LABELS_ANNOTATION),
    );
    managed.sort();
    set_annotation(manifest, MANAGED_ANNOTATIONS_ANNOTATION, &managed.join(","));
    set_label(manifest, WORK_PERMANENT_ID_LABEL, work_id);
    let labels = sorted_keys(manifest, "labels");
    set_annotation(manifest, MANAGED_LABELS_ANNOTATION, &labels.join(","));
    sort_keys(manifest);
    conflict
}

/// Turns the finished manifest of one cluster into another's: only the Work namespace
/// annotation and the Work permanent-id label differ, and both keys are present (see
/// [`has_cluster_fields`]), so their positions (sorted) do not move.
fn restamp_cluster(manifest: &mut Value, work_namespace: &str, work_id: &str) {
    let Some(meta) = manifest.get_mut("metadata").and_then(Value::as_object_mut) else {
        return;
    };
    let mut set = |map: &str, key: &str, value: &str| {
        if let Some(Value::String(slot)) = meta
            .get_mut(map)
            .and_then(Value::as_object_mut)
            .and_then(|m| m.get_mut(key))
        {
            if slot != value {
                value.clone_into(slot);
            }
        }
    };
    set("annotations", WORK_NAMESPACE_ANNOTATION, work_namespace);
    set("labels", WORK_PERMANENT_ID_LABEL, work_id);
}

/// Whether a stamped manifest carries the two cluster-specific values as strings.
fn has_cluster_fields(manifest: &Value) -> bool {
    let is_text = |path: &[&str]| at(manifest, path).is_some_and(Value::is_string);
    is_text(&["metadata", "annotations", WORK_NAMESPACE_ANNOTATION])
        && is_text(&["metadata", "labels", WORK_PERMANENT_ID_LABEL])
}

/// The Work carrying one cluster's manifest, without the manifest.
fn wrap_in_work(
    facts: &BindingFacts<'_>,
    target: &TargetCluster,
    conflict: String,
    applied: &AppliedOverrides,
    work_namespace: String,
    work_id: String,
) -> Work {
    let binding = facts.binding;
    let mut work_labels = BTreeMap::new();
    let mut work_annotations = BTreeMap::new();
    let id_label = if facts.cluster_binding {
        CLUSTER_RESOURCE_BINDING_PERMANENT_ID_LABEL
    } else {
        RESOURCE_BINDING_PERMANENT_ID_LABEL
    };
    work_labels.insert(id_label.to_string(), facts.binding_id.clone());
    if facts.cluster_binding {
        work_annotations.insert(
            CLUSTER_RESOURCE_BINDING_ANNOTATION.to_string(),
            binding.metadata.name.clone(),
        );
    } else {
        work_annotations.insert(
            RESOURCE_BINDING_NAMESPACE_ANNOTATION.to_string(),
            binding.metadata.namespace.clone(),
        );
        work_annotations.insert(
            RESOURCE_BINDING_NAME_ANNOTATION.to_string(),
            binding.metadata.name.clone(),
        );
    }
    work_annotations.insert(CONFLICT_RESOLUTION_ANNOTATION.to_string(), conflict);
    if let Some(a) = &applied.applied_cluster_overrides {
        work_annotations.insert(APPLIED_CLUSTER_OVERRIDES_ANNOTATION.to_string(), a.clone());
    }
    if let Some(a) = &applied.applied_overrides {
        work_annotations.insert(APPLIED_OVERRIDES_ANNOTATION.to_string(), a.clone());
    }
    work_labels.insert(WORK_PERMANENT_ID_LABEL.to_string(), work_id);
    Work {
        api_version: WORK_API_VERSION.to_string(),
        kind: "Work".to_string(),
        metadata: ObjectMeta {
            name: facts.work_name.clone(),
            namespace: work_namespace,
            labels: work_labels,
            annotations: work_annotations,
            finalizers: vec![EXECUTION_CONTROLLER_FINALIZER.to_string()],
            ..Default::default()
        },
        spec: WorkSpec {
            workload: WorkloadTemplate {
                manifests: Vec::new(),
            },
            suspend_dispatching: Some(dispatch_suspended(binding, &target.name)),
            preserve_resources_on_deletion: Some(
                binding.spec.preserve_resources_on_deletion.unwrap_or(false),
            ),
        },
        status: None,
        extra: Map::new(),
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interpreter::chain::InterpreterChain;
    use serde_json::json;

    fn cluster(name: &str, env: &str) -> Cluster {
        serde_json::from_value(
            json!({"apiVersion": "cluster.karmada.io/v1alpha1", "kind": "Cluster",
            "metadata": {"name": name, "labels": {"env": env}}, "spec": {}}),
        )
        .unwrap()
    }

    fn binding(targets: &[(&str, i32)], replicas: i32) -> ResourceBinding {
        let clusters: Vec<Value> = targets
            .iter()
            .map(|(n, r)| json!({"name": n, "replicas": r}))
            .collect();
        serde_json::from_value(json!({"apiVersion": "work.karmada.io/v1alpha2", "kind": "ResourceBinding",
            "metadata": {"name": "web-deployment", "namespace": "default"},
            "spec": {"resource": {"apiVersion": "apps/v1", "kind": "Deployment", "namespace": "default", "name": "web"},
                     "replicas": replicas, "clusters": clusters,
                     "placement": {"replicaScheduling": {"replicaSchedulingType": "Divided"}}}}))
        .unwrap()
    }

    fn template(annotations: Value) -> Value {
        json!({"apiVersion": "apps/v1", "kind": "Deployment",
               "metadata": {"name": "web", "namespace": "default", "generation": 3, "uid": "u-1",
                            "labels": {"app": "web"}, "annotations": annotations},
               "spec": {"replicas": 7, "template": {"spec": {"containers": [{"name": "web", "image": "nginx:1"}]}}},
               "status": {"replicas": 7}})
    }

    fn policies() -> (Vec<OverridePolicy>, Vec<ClusterOverridePolicy>) {
        let op: OverridePolicy = serde_json::from_value(json!({
            "apiVersion": "policy.karmada.io/v1alpha1", "kind": "OverridePolicy",
            "metadata": {"name": "img", "namespace": "default"},
            "spec": {"resourceSelectors": [{"apiVersion": "apps/v1", "kind": "Deployment"}],
                     "overrideRules": [{"targetCluster": {"clusterNames": ["b"]},
                                        "overriders": {"imageOverrider": [{"component": "Tag", "operator": "replace", "value": "2"}]}}]}}))
        .unwrap();
        let cop: ClusterOverridePolicy = serde_json::from_value(json!({
            "apiVersion": "policy.karmada.io/v1alpha1", "kind": "ClusterOverridePolicy",
            "metadata": {"name": "lbl"},
            "spec": {"resourceSelectors": [{"apiVersion": "apps/v1", "kind": "Deployment"}],
                     "overrideRules": [{"targetCluster": {"labelSelector": {"matchLabels": {"env": "prod"}}},
                                        "overriders": {"annotationsOverrider": [{"operator": "add", "value": {"work.karmada.io/conflict-resolution": "overwrite"}}]}}]}}))
        .unwrap();
        (vec![op], vec![cop])
    }

    /// Clusters sharing replicas share a manifest built once; every Work must still be the one
    /// rendering that cluster alone gives.
    #[test]
    fn shared_manifests_equal_rendering_each_cluster_alone() {
        let clusters = vec![
            cluster("a", "dev"),
            cluster("b", "dev"),
            cluster("c", "prod"),
            cluster("d", "dev"),
            cluster("e", "dev"),
        ];
        let targets = [("a", 2), ("b", 2), ("c", 1), ("d", 2), ("e", 1), ("f", 2)];
        let (ops, cops) = policies();
        let interpreter = InterpreterChain::default();
        for with_policies in [false, true] {
            let overrides = if with_policies {
                OverrideSet {
                    override_policies: &ops,
                    cluster_override_policies: &cops,
                }
            } else {
                OverrideSet::default()
            };
            for annotations in [
                json!({}),
                json!({CONFLICT_RESOLUTION_ANNOTATION: "overwrite"}),
            ] {
                let t = template(annotations);
                let b = binding(&targets, 10);
                let all = render_works(&b, &t, &clusters, overrides, &interpreter).unwrap();
                let alone: Vec<Work> = targets
                    .iter()
                    .flat_map(|target| {
                        let one = binding(&[*target], 10);
                        render_works(&one, &t, &clusters, overrides, &interpreter).unwrap()
                    })
                    .collect();
                assert_eq!(all, alone, "with policies: {with_policies}");
                assert_eq!(all.len(), targets.len());
            }
        }
    }

    #[test]
    fn per_cluster_values_differ_where_karmada_puts_them() {
        let clusters = vec![cluster("a", "dev"), cluster("b", "dev")];
        let b = binding(&[("a", 1), ("b", 1)], 2);
        let works = render_works(
            &b,
            &template(json!({})),
            &clusters,
            OverrideSet::default(),
            &InterpreterChain::default(),
        )
        .unwrap();
        let manifest = |i: usize| &works[i].spec.workload.manifests[0];
        assert_eq!(
            manifest(0)["metadata"]["annotations"][WORK_NAMESPACE_ANNOTATION],
            json!("karmada-es-a")
        );
        assert_eq!(
            manifest(1)["metadata"]["annotations"][WORK_NAMESPACE_ANNOTATION],
            json!("karmada-es-b")
        );
        assert_ne!(
            manifest(0)["metadata"]["labels"][WORK_PERMANENT_ID_LABEL],
            manifest(1)["metadata"]["labels"][WORK_PERMANENT_ID_LABEL]
        );
        assert_eq!(
            manifest(1)["metadata"]["labels"][WORK_PERMANENT_ID_LABEL],
            json!(works[1].metadata.labels[WORK_PERMANENT_ID_LABEL])
        );
        assert_eq!(manifest(0)["spec"]["replicas"], json!(1));
        assert!(manifest(0).get("status").is_none());
    }
}
