//! Scenario tests of the in-memory control plane.

use fedplan::controlplane::{Config, ControlPlane, ObjectKey};
use serde_json::{json, Value};

fn cluster(name: &str, cpu: &str, pods: i64) -> Value {
    json!({"apiVersion": "cluster.karmada.io/v1alpha1", "kind": "Cluster",
           "metadata": {"name": name},
           "spec": {"syncMode": "Push"},
           "status": {"resourceSummary": {
               "allocatable": {"cpu": cpu, "memory": "1000Gi", "pods": pods.to_string()}}}})
}

fn deployment(replicas: i64, image: &str) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment",
           "metadata": {"name": "web", "namespace": "default"},
           "spec": {"replicas": replicas,
                    "selector": {"matchLabels": {"app": "web"}},
                    "template": {"metadata": {"labels": {"app": "web"}},
                                 "spec": {"containers": [{"name": "web", "image": image,
                                     "resources": {"requests": {"cpu": "1"}},
                                     "envFrom": [{"configMapRef": {"name": "web-config"}}]}]}}}})
}

fn policy(placement: Value, extra: Value) -> Value {
    let mut spec = json!({
        "resourceSelectors": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}],
        "placement": placement});
    if let (Some(s), Some(e)) = (spec.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            s.insert(k.clone(), v.clone());
        }
    }
    json!({"apiVersion": "policy.karmada.io/v1alpha1", "kind": "PropagationPolicy",
           "metadata": {"name": "web", "namespace": "default"}, "spec": spec})
}

fn dynamic() -> Value {
    json!({"clusterAffinity": {"clusterNames": ["a", "b", "c"]},
           "replicaScheduling": {"replicaSchedulingType": "Divided",
               "replicaDivisionPreference": "Weighted",
               "weightPreference": {"dynamicWeight": "AvailableReplicas"}}})
}

fn member_replicas(cp: &ControlPlane) -> Vec<(String, i64)> {
    let key = ObjectKey::new("apps/v1", "Deployment", "default", "web");
    ["a", "b", "c"]
        .iter()
        .map(|c| {
            let r = cp
                .member(c)
                .and_then(|m| m.get(&key))
                .and_then(|o| o.pointer("/spec/replicas"))
                .and_then(Value::as_i64)
                .unwrap_or(-1);
            (c.to_string(), r)
        })
        .collect()
}

fn scheduled(cp: &ControlPlane) -> Vec<(String, i32)> {
    cp.binding("default", "web-deployment")
        .unwrap()
        .spec
        .clusters
        .iter()
        .map(|t| (t.name.clone(), t.replicas))
        .collect()
}

fn setup(placement: Value, extra: Value, replicas: i64) -> ControlPlane {
    let mut cp = ControlPlane::new(Config::default());
    cp.apply(cluster("a", "100", 110)).unwrap();
    cp.apply(cluster("b", "100", 110)).unwrap();
    cp.apply(cluster("c", "50", 110)).unwrap();
    cp.apply(policy(placement, extra)).unwrap();
    cp.apply(deployment(replicas, "web:1")).unwrap();
    cp.run_until_quiescent().unwrap();
    cp
}

/// Karmada issue 6763: under dynamic weights with one cluster's dispatching suspended, the
/// scheduler still assigns that cluster its share on scale-up and scale-down, and its member
/// copy stays at the old count until released. fedplan keeps Karmada's behaviour.
#[test]
fn dynamic_weight_scaling_with_one_cluster_suspended() {
    let suspend = json!({"suspension": {"dispatchingOnClusters": {"clusterNames": ["c"]}}});
    let mut cp = setup(dynamic(), json!({}), 10);
    let before = scheduled(&cp);
    assert_eq!(before.iter().map(|(_, r)| r).sum::<i32>(), 10);
    let c_before = member_replicas(&cp)[2].1;
    cp.apply(policy(dynamic(), suspend.clone())).unwrap();
    cp.apply(deployment(20, "web:1")).unwrap();
    cp.run_until_quiescent().unwrap();
    let up = scheduled(&cp);
    assert_eq!(up.iter().map(|(_, r)| r).sum::<i32>(), 20);
    // Steady scale-up keeps every previous count.
    for (name, r) in &before {
        let now = up.iter().find(|(n, _)| n == name).map_or(0, |(_, r)| *r);
        assert!(now >= *r, "{name} lost replicas on scale-up: {r} -> {now}");
    }
    let members = member_replicas(&cp);
    assert_eq!(members[2].1, c_before, "suspended cluster c changed");
    for (name, r) in &members[..2] {
        let want = up.iter().find(|(n, _)| n == name).map_or(0, |(_, r)| *r) as i64;
        assert_eq!(*r, want, "{name}");
    }
    // Scale down: the suspended cluster's share shrinks in the binding only.
    cp.apply(deployment(6, "web:1")).unwrap();
    cp.run_until_quiescent().unwrap();
    let down = scheduled(&cp);
    assert_eq!(down.iter().map(|(_, r)| r).sum::<i32>(), 6);
    assert_eq!(member_replicas(&cp)[2].1, c_before);
    // Releasing c (an explicit empty list: Karmada keeps a binding's suspension when the
    // policy drops `suspension` altogether) brings it to its scheduled share.
    let release = json!({"suspension": {"dispatchingOnClusters": {"clusterNames": []}}});
    cp.apply(policy(dynamic(), release)).unwrap();
    cp.run_until_quiescent().unwrap();
    let c_share = down.iter().find(|(n, _)| n == "c").map_or(0, |(_, r)| *r) as i64;
    assert_eq!(member_replicas(&cp)[2].1, c_share);
}

#[test]
fn duplicated_to_divided() {
    let dup = json!({"clusterAffinity": {"clusterNames": ["a", "b", "c"]}});
    let mut cp = setup(dup, json!({}), 6);
    assert_eq!(
        member_replicas(&cp),
        vec![("a".into(), 6), ("b".into(), 6), ("c".into(), 6)]
    );
    let divided = json!({"clusterAffinity": {"clusterNames": ["a", "b", "c"]},
                         "replicaScheduling": {"replicaSchedulingType": "Divided"}});
    cp.apply(policy(divided, json!({}))).unwrap();
    cp.run_until_quiescent().unwrap();
    let r = member_replicas(&cp);
    assert_eq!(r.iter().map(|(_, n)| n).sum::<i64>(), 6, "{r:?}");
    assert_eq!(r, vec![("a".into(), 2), ("b".into(), 2), ("c".into(), 2)]);
}

#[test]
fn deleting_a_template_removes_works_and_member_objects() {
    let dup = json!({"clusterAffinity": {"clusterNames": ["a", "b"]}});
    let mut cp = setup(dup, json!({}), 2);
    assert_eq!(cp.works().count(), 2);
    assert!(cp.delete(&ObjectKey::new("apps/v1", "Deployment", "default", "web")));
    cp.run_until_quiescent().unwrap();
    assert_eq!(cp.works().count(), 0);
    assert!(cp.binding("default", "web-deployment").is_none());
    for c in ["a", "b"] {
        assert!(cp.member(c).unwrap().is_empty(), "{c} still runs objects");
    }
}

#[test]
fn config_map_follows_its_deployment() {
    let two = json!({"clusterAffinity": {"clusterNames": ["a", "b"]}});
    let mut cp = ControlPlane::new(Config::default());
    for c in ["a", "b", "c"] {
        cp.apply(cluster(c, "100", 110)).unwrap();
    }
    cp.apply(json!({"apiVersion": "v1", "kind": "ConfigMap",
                    "metadata": {"name": "web-config", "namespace": "default"},
                    "data": {"k": "v"}}))
        .unwrap();
    cp.apply(policy(two, json!({"propagateDeps": true})))
        .unwrap();
    cp.apply(deployment(2, "web:1")).unwrap();
    cp.run_until_quiescent().unwrap();
    let cm = ObjectKey::new("v1", "ConfigMap", "default", "web-config");
    for c in ["a", "b"] {
        assert!(
            cp.member(c).unwrap().get(&cm).is_some(),
            "ConfigMap missing in {c}"
        );
    }
    assert!(cp.member("c").unwrap().get(&cm).is_none());
    let attached = cp.binding("default", "web-config-configmap").unwrap();
    assert_eq!(attached.spec.required_by[0].name, "web-deployment");
    // Moving the Deployment moves its ConfigMap.
    let moved = json!({"clusterAffinity": {"clusterNames": ["c"]}});
    cp.apply(policy(moved, json!({"propagateDeps": true})))
        .unwrap();
    cp.run_until_quiescent().unwrap();
    assert!(cp.member("c").unwrap().get(&cm).is_some());
    assert!(cp.member("a").unwrap().get(&cm).is_none());
}
