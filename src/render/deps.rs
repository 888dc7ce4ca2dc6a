//! Dependency propagation (`propagateDeps`): the objects a workload depends on follow it to
//! the same clusters through "attached" bindings whose `spec.requiredBy` names the workload's
//! binding and its clusters.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::api::{
    BindingSnapshot, DependentObjectReference, ObjectMeta, ObjectReference, ResourceBinding,
    ResourceBindingSpec, BINDING_API_VERSION,
};
use crate::interpreter::{Gvk, Operation, ResourceInterpreter};

use super::{binding_permanent_id, names, RenderError};

/// Label prefix marking an attached binding with the binding that requires it.
pub const DEPENDED_BY_LABEL_PREFIX: &str = "resourcebinding.karmada.io/depended-by-";
/// Finalizer Karmada puts on bindings.
pub const BINDING_CONTROLLER_FINALIZER: &str = "karmada.io/binding-controller";

fn str_at<'a>(v: &'a Value, ptr: &str) -> &'a str {
    v.pointer(ptr).and_then(Value::as_str).unwrap_or("")
}

fn matches_reference(obj: &Value, dep: &DependentObjectReference, namespace: &str) -> bool {
    if str_at(obj, "/apiVersion") != dep.api_version || str_at(obj, "/kind") != dep.kind {
        return false;
    }
    let dep_ns = if dep.namespace.is_empty() {
        namespace
    } else {
        dep.namespace.as_str()
    };
    if str_at(obj, "/metadata/namespace") != dep_ns {
        return false;
    }
    if !dep.name.is_empty() {
        return str_at(obj, "/metadata/name") == dep.name;
    }
    match &dep.label_selector {
        Some(sel) => {
            let labels: BTreeMap<String, String> = obj
                .pointer("/metadata/labels")
                .and_then(Value::as_object)
                .map(|m| {
                    m.iter()
                        .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                        .collect()
                })
                .unwrap_or_default();
            crate::selector::label_selector_matches(sel, &labels)
        }
        None => false,
    }
}

/// The dependencies of `template` found among `objects`, in the interpreter's order, each
/// object once.
pub fn resolve_dependencies<'a>(
    binding: &ResourceBinding,
    template: &Value,
    objects: &'a [Value],
    interpreter: &dyn ResourceInterpreter,
) -> Result<Vec<&'a Value>, RenderError> {
    let gvk = Gvk::of(template);
    if !interpreter.handles(&gvk, Operation::InterpretDependency) {
        return Ok(Vec::new());
    }
    let deps = interpreter
        .interpret_dependency(template)
        .map_err(|source| RenderError::Interpreter {
            binding: format!("{}/{}", binding.metadata.namespace, binding.metadata.name),
            cluster: String::new(),
            source: Box::new(source),
        })?;
    let namespace = str_at(template, "/metadata/namespace");
    let mut found: Vec<&Value> = Vec::new();
    for dep in &deps {
        for obj in objects {
            if matches_reference(obj, dep, namespace)
                && !found.iter().any(|f| std::ptr::eq(*f, obj))
            {
                found.push(obj);
            }
        }
    }
    Ok(found)
}

/// The snapshot of `parent` recorded in a dependency's `spec.requiredBy`.
pub fn snapshot_of(parent: &ResourceBinding) -> BindingSnapshot {
    BindingSnapshot {
        namespace: parent.metadata.namespace.clone(),
        name: parent.metadata.name.clone(),
        clusters: parent.spec.clusters.clone(),
    }
}

/// Adds or refreshes `snapshot` in `binding.spec.requiredBy` (matched by namespace and name).
pub fn merge_required_by(binding: &mut ResourceBinding, snapshot: BindingSnapshot) {
    match binding
        .spec
        .required_by
        .iter_mut()
        .find(|s| s.namespace == snapshot.namespace && s.name == snapshot.name)
    {
        Some(existing) => existing.clusters = snapshot.clusters,
        None => binding.spec.required_by.push(snapshot),
    }
}

/// The attached binding Karmada creates for `object`, required by `parent`.
pub fn attached_binding(parent: &ResourceBinding, object: &Value) -> ResourceBinding {
    let kind = str_at(object, "/kind");
    let name = str_at(object, "/metadata/name");
    let mut labels = BTreeMap::new();
    labels.insert(
        format!(
            "{DEPENDED_BY_LABEL_PREFIX}{}",
            names::binding_reference_key(&parent.metadata.namespace, &parent.metadata.name)
        ),
        binding_permanent_id(parent),
    );
    let owner = json!({
        "apiVersion": str_at(object, "/apiVersion"),
        "kind": kind,
        "name": name,
        "uid": str_at(object, "/metadata/uid"),
        "controller": true,
        "blockOwnerDeletion": true,
    });
    ResourceBinding {
        api_version: BINDING_API_VERSION.to_string(),
        kind: "ResourceBinding".to_string(),
        metadata: ObjectMeta {
            name: names::binding_name(kind, name),
            namespace: parent.metadata.namespace.clone(),
            labels,
            owner_references: vec![owner],
            finalizers: vec![BINDING_CONTROLLER_FINALIZER.to_string()],
            ..Default::default()
        },
        spec: ResourceBindingSpec {
            resource: ObjectReference {
                api_version: str_at(object, "/apiVersion").to_string(),
                kind: kind.to_string(),
                namespace: str_at(object, "/metadata/namespace").to_string(),
                name: name.to_string(),
                uid: String::new(),
                resource_version: str_at(object, "/metadata/resourceVersion").to_string(),
            },
            required_by: vec![snapshot_of(parent)],
            preserve_resources_on_deletion: parent.spec.preserve_resources_on_deletion,
            conflict_resolution: parent.spec.conflict_resolution,
            ..Default::default()
        },
        status: None,
        extra: Default::default(),
    }
}
