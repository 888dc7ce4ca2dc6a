//! Simulated member clusters: the objects each one runs, and workload controllers that
//! act as Kubernetes, Kruise and Flux would (status counters and `observedGeneration`).

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::clock::Timestamp;
use super::{KeyParts, KeyRef, ObjectKey};
use crate::interpreter::object::at;

/// One object in a member cluster.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberObject {
    /// The live object, with metadata and status.
    pub object: Value,
    /// While set, the simulated controllers leave the status alone until the object's
    /// generation moves past this one (a status injected by a scenario).
    pinned_generation: Option<i64>,
    /// The generation the simulated controller last reconciled.
    reconciled_generation: Option<i64>,
    /// `metadata.resourceVersion` as a number, so that watchers compare it cheaply.
    resource_version: u64,
    /// Applied since the simulated controllers last looked at it.
    pending_reconcile: bool,
}

/// A simulated member cluster.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MemberCluster {
    /// Cluster name.
    pub name: String,
    objects: BTreeMap<ObjectKey, MemberObject>,
    resource_version: u64,
    /// Objects applied since the last reconcile (the simulated controllers visit only them).
    pending_reconciles: usize,
    /// Counts every change to the objects (create, update, status, delete), so that a
    /// watcher can tell a cluster it has seen from one that moved.
    changes: u64,
    /// Replaced objects whose allocations [`MemberCluster::take_spare`] hands out.
    spare: Vec<Value>,
    /// Ready nodes, used for DaemonSet counters.
    pub ready_nodes: i64,
}

/// What applying a manifest did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApplyOutcome {
    /// The object was created.
    Created,
    /// The object changed.
    Updated,
    /// Nothing changed.
    Unchanged,
}

/// A copy of `manifest`, built in `spare` (see [`MemberCluster::take_spare`]) when given.
pub(crate) fn copy_into(spare: Option<Value>, manifest: &Value) -> Value {
    match spare {
        Some(mut v) => {
            super::overwrite_json(&mut v, manifest);
            v
        }
        None => crate::interpreter::object::compact_clone(manifest),
    }
}

/// Replaced objects kept for their allocations, per cluster: one is enough when objects are
/// replaced one after the other.
const MAX_SPARE_OBJECTS: usize = 4;

fn is_spec_key(k: &str) -> bool {
    !matches!(k, "metadata" | "status" | "apiVersion" | "kind")
}

/// Whether two objects agree on everything but `metadata`, `status`, `apiVersion` and
/// `kind`: a change there bumps the generation, as the Kubernetes API server does for
/// resources with a status subresource.
pub fn same_spec(a: &Value, b: &Value) -> bool {
    match (a.as_object(), b.as_object()) {
        (Some(a), Some(b)) => {
            let count =
                |m: &serde_json::Map<String, Value>| m.keys().filter(|k| is_spec_key(k)).count();
            count(a) == count(b)
                && a.iter()
                    .filter(|(k, _)| is_spec_key(k))
                    .all(|(k, v)| b.get(k).is_some_and(|w| super::json_eq(v, w)))
        }
        _ => a == b,
    }
}

/// Whether applying `manifest` over `live` changes anything (spec, labels or annotations).
fn differs(live: &Value, manifest: &Value) -> bool {
    !same_spec(live, manifest) || metadata_differs(live, manifest)
}

/// Whether the labels or annotations differ.
fn metadata_differs(live: &Value, manifest: &Value) -> bool {
    let differ = |path: &[&str]| match (at(live, path), at(manifest, path)) {
        (Some(a), Some(b)) => !super::json_eq(a, b),
        (a, b) => a.is_some() != b.is_some(),
    };
    differ(&["metadata", "labels"]) || differ(&["metadata", "annotations"])
}

fn int_at(v: &Value, path: &[&str]) -> Option<i64> {
    at(v, path).and_then(Value::as_i64)
}

impl MemberCluster {
    /// An empty member cluster.
    pub fn new(name: impl Into<String>) -> Self {
        MemberCluster {
            name: name.into(),
            objects: BTreeMap::new(),
            resource_version: 0,
            pending_reconciles: 0,
            changes: 0,
            spare: Vec::new(),
            ready_nodes: 3,
        }
    }

    /// The live object, if present.
    pub fn get(&self, key: &ObjectKey) -> Option<&Value> {
        self.objects.get(key).map(|o| &o.object)
    }

    /// Objects applied since the workload controllers last ran.
    pub(crate) fn pending_reconciles(&self) -> usize {
        self.pending_reconciles
    }

    /// All live objects, ordered by key.
    pub fn objects(&self) -> impl Iterator<Item = (&ObjectKey, &Value)> {
        self.objects.iter().map(|(k, o)| (k, &o.object))
    }

    /// A counter that moves whenever an object is created, updated, deleted or has its
    /// status changed.
    pub(crate) fn changes(&self) -> u64 {
        self.changes
    }

    /// Number of live objects.
    pub fn len(&self) -> usize {
        self.objects.len()
    }

    /// True when the cluster runs nothing.
    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }

    fn next_rv(&mut self) -> String {
        self.resource_version += 1;
        self.resource_version.to_string()
    }

    /// Creates or updates an object from an already-retained manifest. The generation starts
    /// at 1 and moves when the spec part changes; status is owned by the cluster.
    pub fn apply(&mut self, key: ObjectKey, manifest: &Value, now: Timestamp) -> ApplyOutcome {
        match self.objects.get(&key) {
            Some(existing) if !differs(&existing.object, manifest) => {
                self.resource_version += 1;
                ApplyOutcome::Unchanged
            }
            _ => self.apply_owned(KeyRef(key.parts()), manifest.clone(), now),
        }
    }

    /// [`apply`](Self::apply) taking the manifest by value, so that it becomes the live object
    /// without a copy.
    pub(crate) fn apply_owned(
        &mut self,
        key: KeyRef<'_>,
        manifest: Value,
        now: Timestamp,
    ) -> ApplyOutcome {
        let rv_number = self.resource_version + 1;
        let rv = self.next_rv();
        match self.objects.get_mut(&key as &dyn KeyParts) {
            None => {
                let mut obj = manifest;
                if let Some(meta) = obj.as_object_mut().and_then(|o| {
                    o.entry("metadata")
                        .or_insert_with(|| json!({}))
                        .as_object_mut()
                }) {
                    meta.insert("generation".into(), json!(1));
                    meta.insert("resourceVersion".into(), json!(rv));
                    meta.insert(
                        "uid".into(),
                        json!(crate::render::names::permanent_id(&format!(
                            "member/{}/{}",
                            self.name, key
                        ))),
                    );
                    meta.insert("creationTimestamp".into(), json!(now.to_string()));
                }
                if let Some(o) = obj.as_object_mut() {
                    o.remove("status");
                }
                self.objects.insert(
                    key.to_key(),
                    MemberObject {
                        object: obj,
                        pinned_generation: None,
                        reconciled_generation: None,
                        resource_version: rv_number,
                        pending_reconcile: true,
                    },
                );
                self.pending_reconciles += 1;
                self.changes += 1;
                ApplyOutcome::Created
            }
            Some(existing) => {
                let old = &existing.object;
                let spec_changed = !same_spec(old, &manifest);
                if !spec_changed && !metadata_differs(old, &manifest) {
                    return ApplyOutcome::Unchanged;
                }
                let generation =
                    int_at(old, &["metadata", "generation"]).unwrap_or(1) + i64::from(spec_changed);
                let mut old = std::mem::take(&mut existing.object);
                let status = old.as_object_mut().and_then(|o| o.remove("status"));
                let old_meta = old.get_mut("metadata").and_then(Value::as_object_mut);
                let kept: Vec<(&str, Value)> = match old_meta {
                    Some(m) => ["uid", "creationTimestamp"]
                        .into_iter()
                        .filter_map(|k| m.remove(k).map(|v| (k, v)))
                        .collect(),
                    None => Vec::new(),
                };
                let mut obj = manifest;
                if let Some(o) = obj.as_object_mut() {
                    super::put_or_remove(o, "status", status);
                    let meta = o.entry("metadata").or_insert_with(|| json!({}));
                    if let Some(meta) = meta.as_object_mut() {
                        for (k, v) in kept {
                            meta.insert(k.into(), v);
                        }
                        meta.insert("generation".into(), json!(generation));
                        meta.insert("resourceVersion".into(), json!(rv));
                    }
                }
                existing.object = obj;
                existing.resource_version = rv_number;
                if !existing.pending_reconcile {
                    existing.pending_reconcile = true;
                    self.pending_reconciles += 1;
                }
                self.changes += 1;
                self.recycle(old);
                ApplyOutcome::Updated
            }
        }
    }

    /// Keeps a replaced object's allocations for [`take_spare`](Self::take_spare): without the
    /// fields the cluster adds, it has the shape of the manifests applied to it.
    fn recycle(&mut self, mut old: Value) {
        if self.spare.len() >= MAX_SPARE_OBJECTS {
            return;
        }
        if let Some(meta) = old.get_mut("metadata").and_then(Value::as_object_mut) {
            for k in ["generation", "resourceVersion"] {
                meta.remove(k);
            }
        }
        self.spare.push(old);
    }

    /// The allocations of an object this cluster replaced, for [`copy_into`]: a copy built
    /// in them costs little more than a comparison.
    pub(crate) fn take_spare(&mut self) -> Option<Value> {
        self.spare.pop()
    }

    /// The live object and its `metadata.resourceVersion`, by key.
    pub(crate) fn get_with_version(&self, key: KeyRef<'_>) -> Option<(&Value, u64)> {
        self.objects
            .get(&key as &dyn KeyParts)
            .map(|o| (&o.object, o.resource_version))
    }

    /// Deletes an object; true if it existed.
    pub fn delete(&mut self, key: &ObjectKey) -> bool {
        match self.objects.remove(key) {
            Some(o) => {
                if o.pending_reconcile {
                    self.pending_reconciles -= 1;
                }
                self.changes += 1;
                true
            }
            None => false,
        }
    }

    /// Overwrites an object's status (a scenario injecting a failure or a lag). The
    /// simulated controllers leave it until the object's spec changes.
    pub fn set_status(&mut self, key: &ObjectKey, status: Value) -> bool {
        let rv_number = self.resource_version + 1;
        let rv = self.next_rv();
        let Some(o) = self.objects.get_mut(key) else {
            return false;
        };
        o.resource_version = rv_number;
        self.changes += 1;
        if let Some(obj) = o.object.as_object_mut() {
            obj.insert("status".into(), status);
            if let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
                meta.insert("resourceVersion".into(), json!(rv));
            }
        }
        o.pinned_generation = Some(int_at(&o.object, &["metadata", "generation"]).unwrap_or(0));
        true
    }

    /// Runs the workload controllers once; returns true if any status changed. Only objects
    /// applied since the last run can need a new status: the status follows the generation,
    /// and only an apply moves the generation.
    pub fn reconcile(&mut self) -> bool {
        if self.pending_reconciles == 0 {
            return false;
        }
        self.pending_reconciles = 0;
        let ready_nodes = self.ready_nodes;
        let mut changed = false;
        let mut rv = self.resource_version;
        for (key, o) in self.objects.iter_mut() {
            if !std::mem::take(&mut o.pending_reconcile) {
                continue;
            }
            let generation = int_at(&o.object, &["metadata", "generation"]).unwrap_or(0);
            if o.pinned_generation.is_some_and(|p| p >= generation) {
                continue;
            }
            o.pinned_generation = None;
            if o.reconciled_generation == Some(generation) {
                continue;
            }
            o.reconciled_generation = Some(generation);
            let Some(status) = simulated_status(key, &o.object, ready_nodes) else {
                continue;
            };
            if o.object.get("status") != Some(&status) {
                rv += 1;
                o.resource_version = rv;
                if let Some(obj) = o.object.as_object_mut() {
                    obj.insert("status".into(), status);
                    if let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
                        meta.insert("resourceVersion".into(), json!(rv.to_string()));
                    }
                }
                changed = true;
            }
        }
        self.resource_version = rv;
        if changed {
            self.changes += 1;
        }
        changed
    }
}

fn replicas(obj: &Value) -> i64 {
    int_at(obj, &["spec", "replicas"]).unwrap_or(1).max(0)
}

fn ready_condition(reason: &str) -> Value {
    json!([{"type": "Ready", "status": "True", "reason": reason, "message": "simulated"}])
}

/// The status a healthy controller of the object's kind would report once it has caught up,
/// or `None` for kinds without a status to simulate.
fn simulated_status(key: &ObjectKey, obj: &Value, ready_nodes: i64) -> Option<Value> {
    let generation = int_at(obj, &["metadata", "generation"]).unwrap_or(1);
    let group = key.api_version.split('/').next().unwrap_or("");
    let status = match (key.api_version.as_str(), key.kind.as_str()) {
        ("apps/v1", "Deployment") => {
            let r = replicas(obj);
            json!({
                "observedGeneration": generation,
                "replicas": r, "updatedReplicas": r, "readyReplicas": r, "availableReplicas": r,
                "conditions": [
                    {"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable"},
                    {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable"}
                ]
            })
        }
        ("apps/v1", "ReplicaSet") => {
            let r = replicas(obj);
            json!({"observedGeneration": generation, "replicas": r, "fullyLabeledReplicas": r,
                   "readyReplicas": r, "availableReplicas": r})
        }
        ("apps/v1", "StatefulSet") | ("apps.kruise.io/v1beta1", "StatefulSet") => {
            let r = replicas(obj);
            json!({"observedGeneration": generation, "replicas": r, "readyReplicas": r,
                   "currentReplicas": r, "updatedReplicas": r, "availableReplicas": r,
                   "currentRevision": format!("{}-{generation}", key.name),
                   "updateRevision": format!("{}-{generation}", key.name)})
        }
        ("apps/v1", "DaemonSet") | ("apps.kruise.io/v1alpha1", "DaemonSet") => {
            let n = ready_nodes;
            json!({"observedGeneration": generation, "currentNumberScheduled": n,
                   "desiredNumberScheduled": n, "numberAvailable": n, "numberMisscheduled": 0,
                   "numberReady": n, "updatedNumberScheduled": n})
        }
        ("apps.kruise.io/v1alpha1", "CloneSet") => {
            let r = replicas(obj);
            json!({"observedGeneration": generation, "replicas": r, "readyReplicas": r,
                   "availableReplicas": r, "updatedReplicas": r, "updatedReadyReplicas": r,
                   "expectedUpdatedReplicas": r})
        }
        ("batch/v1", "Job") => {
            let completions = int_at(obj, &["spec", "completions"])
                .or_else(|| int_at(obj, &["spec", "parallelism"]))
                .unwrap_or(1);
            json!({"succeeded": completions,
                   "conditions": [{"type": "Complete", "status": "True"}]})
        }
        ("v1", "Pod") => json!({"phase": "Running",
                               "conditions": [{"type": "Ready", "status": "True"}]}),
        _ if group.ends_with("fluxcd.io") => {
            let mut s = json!({"observedGeneration": generation,
                               "conditions": ready_condition("Succeeded")});
            if key.kind == "HelmRelease" {
                s["lastAttemptedGeneration"] = json!(generation);
            }
            s
        }
        // Core kinds without a controller-written status (ConfigMap, Secret, Service, ...).
        (v, _) if !v.contains('/') => return None,
        // Any other kind with a spec (e.g. a plugin's CRD) gets observedGeneration.
        _ if obj.get("spec").is_some() => {
            let mut s = obj.get("status").cloned().unwrap_or_else(|| json!({}));
            if !s.is_object() {
                s = json!({});
            }
            s["observedGeneration"] = json!(generation);
            s
        }
        _ => return None,
    };
    Some(status)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> ObjectKey {
        ObjectKey::new("apps/v1", "Deployment", "default", "nginx")
    }

    fn deploy(image: &str, replicas: i64) -> Value {
        json!({"apiVersion": "apps/v1", "kind": "Deployment",
               "metadata": {"name": "nginx", "namespace": "default"},
               "spec": {"replicas": replicas, "template": {"spec": {"containers": [{"name": "n", "image": image}]}}}})
    }

    #[test]
    fn generation_moves_on_spec_change_only() {
        let mut m = MemberCluster::new("a");
        let now = Timestamp(0);
        assert_eq!(m.apply(key(), &deploy("v1", 2), now), ApplyOutcome::Created);
        assert!(m.reconcile());
        assert_eq!(
            m.get(&key()).unwrap()["status"]["observedGeneration"],
            json!(1)
        );
        assert_eq!(
            m.apply(key(), &deploy("v1", 2), now),
            ApplyOutcome::Unchanged
        );
        assert_eq!(m.apply(key(), &deploy("v2", 2), now), ApplyOutcome::Updated);
        assert_eq!(m.get(&key()).unwrap()["metadata"]["generation"], json!(2));
        assert_eq!(
            m.get(&key()).unwrap()["status"]["observedGeneration"],
            json!(1)
        );
        assert!(m.reconcile());
        assert_eq!(
            m.get(&key()).unwrap()["status"]["observedGeneration"],
            json!(2)
        );
        assert!(!m.reconcile());
    }

    #[test]
    fn copies_reuse_replaced_objects_and_equal_their_manifest() {
        let mut m = MemberCluster::new("a");
        let now = Timestamp(0);
        m.apply(key(), &deploy("v1", 2), now);
        m.reconcile();
        let version = |m: &MemberCluster| m.get_with_version(KeyRef(key().parts())).map(|(_, v)| v);
        let rv = version(&m);
        let copy = copy_into(m.take_spare(), &deploy("v2", 2));
        assert_eq!(copy, deploy("v2", 2));
        assert_eq!(
            m.apply_owned(KeyRef(key().parts()), copy, now),
            ApplyOutcome::Updated
        );
        assert_ne!(version(&m), rv);
        // The replaced object is kept and the next copy is built in it.
        assert_eq!(m.spare.len(), 1);
        let copy = copy_into(m.take_spare(), &deploy("v3", 5));
        assert!(m.spare.is_empty());
        assert_eq!(copy.to_string(), deploy("v3", 5).to_string());
        let live = m.get(&key()).unwrap();
        assert_eq!(live["metadata"]["generation"], json!(2));
        assert_eq!(live["status"]["observedGeneration"], json!(1));
        assert!(live["metadata"]["uid"].is_string());
    }

    #[test]
    fn changes_count_every_mutation() {
        let mut m = MemberCluster::new("a");
        let now = Timestamp(0);
        let mut last = m.changes();
        let mut moved = |m: &MemberCluster| {
            let c = m.changes();
            let moved = c != last;
            last = c;
            moved
        };
        m.apply(key(), &deploy("v1", 2), now);
        assert!(moved(&m));
        assert!(m.reconcile());
        assert!(moved(&m));
        assert_eq!(
            m.apply(key(), &deploy("v1", 2), now),
            ApplyOutcome::Unchanged
        );
        assert!(!moved(&m));
        assert!(m.set_status(&key(), json!({"replicas": 0})));
        assert!(moved(&m));
        assert!(m.delete(&key()));
        assert!(moved(&m));
    }

    #[test]
    fn injected_status_sticks_until_the_spec_moves() {
        let mut m = MemberCluster::new("a");
        m.apply(key(), &deploy("v1", 2), Timestamp(0));
        m.reconcile();
        assert!(m.set_status(&key(), json!({"observedGeneration": 1, "readyReplicas": 0})));
        assert!(!m.reconcile());
        assert_eq!(m.get(&key()).unwrap()["status"]["readyReplicas"], json!(0));
        m.apply(key(), &deploy("v2", 2), Timestamp(0));
        assert!(m.reconcile());
        assert_eq!(m.get(&key()).unwrap()["status"]["readyReplicas"], json!(2));
    }
}
