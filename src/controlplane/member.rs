//! Simulated member clusters: the objects each one runs, and workload controllers that
//! act as Kubernetes, Kruise and Flux would (status counters and `observedGeneration`).

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::clock::Timestamp;
use super::ObjectKey;

/// One object in a member cluster.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberObject {
    /// The live object, with metadata and status.
    pub object: Value,
    /// While set, the simulated controllers leave the status alone until the object's
    /// generation moves past this one (a status injected by a scenario).
    pinned_generation: Option<i64>,
}

/// A simulated member cluster.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MemberCluster {
    /// Cluster name.
    pub name: String,
    objects: BTreeMap<ObjectKey, MemberObject>,
    resource_version: u64,
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

/// The parts of an object other than `metadata` and `status`, whose change bumps the
/// generation, as the Kubernetes API server does for resources with a status subresource.
pub fn spec_part(v: &Value) -> Map<String, Value> {
    v.as_object()
        .map(|m| {
            m.iter()
                .filter(|(k, _)| {
                    !matches!(k.as_str(), "metadata" | "status" | "apiVersion" | "kind")
                })
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default()
}

fn int_at(v: &Value, ptr: &str) -> Option<i64> {
    v.pointer(ptr).and_then(Value::as_i64)
}

impl MemberCluster {
    /// An empty member cluster.
    pub fn new(name: impl Into<String>) -> Self {
        MemberCluster {
            name: name.into(),
            objects: BTreeMap::new(),
            resource_version: 0,
            ready_nodes: 3,
        }
    }

    /// The live object, if present.
    pub fn get(&self, key: &ObjectKey) -> Option<&Value> {
        self.objects.get(key).map(|o| &o.object)
    }

    /// All live objects, ordered by key.
    pub fn objects(&self) -> impl Iterator<Item = (&ObjectKey, &Value)> {
        self.objects.iter().map(|(k, o)| (k, &o.object))
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
        let rv = self.next_rv();
        match self.objects.get_mut(&key) {
            None => {
                let mut obj = manifest.clone();
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
                    key,
                    MemberObject {
                        object: obj,
                        pinned_generation: None,
                    },
                );
                ApplyOutcome::Created
            }
            Some(existing) => {
                let old = &existing.object;
                let spec_changed = spec_part(old) != spec_part(manifest);
                let meta_changed = old.pointer("/metadata/labels")
                    != manifest.pointer("/metadata/labels")
                    || old.pointer("/metadata/annotations")
                        != manifest.pointer("/metadata/annotations");
                if !spec_changed && !meta_changed {
                    return ApplyOutcome::Unchanged;
                }
                let generation =
                    int_at(old, "/metadata/generation").unwrap_or(1) + i64::from(spec_changed);
                let mut obj = manifest.clone();
                let status = old.get("status").cloned();
                let old_meta = old.get("metadata").cloned().unwrap_or_else(|| json!({}));
                if let Some(o) = obj.as_object_mut() {
                    match status {
                        Some(s) => {
                            o.insert("status".into(), s);
                        }
                        None => {
                            o.remove("status");
                        }
                    }
                    let meta = o.entry("metadata").or_insert_with(|| json!({}));
                    if let Some(meta) = meta.as_object_mut() {
                        for k in ["uid", "creationTimestamp"] {
                            if let Some(v) = old_meta.get(k) {
                                meta.insert(k.into(), v.clone());
                            }
                        }
                        meta.insert("generation".into(), json!(generation));
                        meta.insert("resourceVersion".into(), json!(rv));
                    }
                }
                existing.object = obj;
                ApplyOutcome::Updated
            }
        }
    }

    /// Deletes an object; true if it existed.
    pub fn delete(&mut self, key: &ObjectKey) -> bool {
        self.objects.remove(key).is_some()
    }

    /// Overwrites an object's status (a scenario injecting a failure or a lag). The
    /// simulated controllers leave it until the object's spec changes.
    pub fn set_status(&mut self, key: &ObjectKey, status: Value) -> bool {
        let rv = self.next_rv();
        let Some(o) = self.objects.get_mut(key) else {
            return false;
        };
        if let Some(obj) = o.object.as_object_mut() {
            obj.insert("status".into(), status);
            if let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
                meta.insert("resourceVersion".into(), json!(rv));
            }
        }
        o.pinned_generation = Some(int_at(&o.object, "/metadata/generation").unwrap_or(0));
        true
    }

    /// Runs the workload controllers once; returns true if any status changed.
    pub fn reconcile(&mut self) -> bool {
        let ready_nodes = self.ready_nodes;
        let mut changed = false;
        let mut rv = self.resource_version;
        for (key, o) in self.objects.iter_mut() {
            let generation = int_at(&o.object, "/metadata/generation").unwrap_or(0);
            if o.pinned_generation.is_some_and(|p| p >= generation) {
                continue;
            }
            o.pinned_generation = None;
            let Some(status) = simulated_status(key, &o.object, ready_nodes) else {
                continue;
            };
            if o.object.get("status") != Some(&status) {
                rv += 1;
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
        changed
    }
}

fn replicas(obj: &Value) -> i64 {
    int_at(obj, "/spec/replicas").unwrap_or(1).max(0)
}

fn ready_condition(reason: &str) -> Value {
    json!([{"type": "Ready", "status": "True", "reason": reason, "message": "simulated"}])
}

/// The status a healthy controller of the object's kind would report once it has caught up,
/// or `None` for kinds without a status to simulate.
fn simulated_status(key: &ObjectKey, obj: &Value, ready_nodes: i64) -> Option<Value> {
    let generation = int_at(obj, "/metadata/generation").unwrap_or(1);
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
            let completions = int_at(obj, "/spec/completions")
                .or_else(|| int_at(obj, "/spec/parallelism"))
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
