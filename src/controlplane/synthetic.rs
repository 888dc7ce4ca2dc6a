//! Synthetic fleets for benchmarks and load tests: many clusters and many Deployments.

use serde_json::{json, Value};

/// `n` Clusters named `member-000`, ... with room for thousands of pods each.
pub fn clusters(n: usize) -> Vec<Value> {
    (0..n)
        .map(|i| {
            json!({"apiVersion": "cluster.karmada.io/v1alpha1", "kind": "Cluster",
                   "metadata": {"name": format!("member-{i:03}"),
                                "labels": {"fleet": "bench"}},
                   "spec": {"syncMode": "Push", "region": format!("region-{}", i % 5)},
                   "status": {"resourceSummary": {"allocatable": {
                       "cpu": "4000", "memory": "16000Gi", "pods": "20000"}}}})
        })
        .collect()
}

/// A PropagationPolicy dividing every Deployment of `namespace` over the fleet by equal
/// static weights.
pub fn divided_policy(namespace: &str) -> Value {
    json!({"apiVersion": "policy.karmada.io/v1alpha1", "kind": "PropagationPolicy",
           "metadata": {"name": "divided", "namespace": namespace},
           "spec": {"resourceSelectors": [{"apiVersion": "apps/v1", "kind": "Deployment"}],
                    "placement": {"clusterAffinity": {"labelSelector": {"matchLabels": {"fleet": "bench"}}},
                                  "replicaScheduling": {"replicaSchedulingType": "Divided",
                                                        "replicaDivisionPreference": "Weighted"}}}})
}

/// Deployment `i` of `namespace` with `replicas` replicas running `image`.
pub fn deployment(namespace: &str, i: usize, replicas: i64, image: &str) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment",
           "metadata": {"name": format!("app-{i:05}"), "namespace": namespace,
                        "labels": {"app": format!("app-{i:05}")}},
           "spec": {"replicas": replicas,
                    "selector": {"matchLabels": {"app": format!("app-{i:05}")}},
                    "template": {"metadata": {"labels": {"app": format!("app-{i:05}")}},
                                 "spec": {"containers": [{"name": "app", "image": image,
                                     "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}}}]}}}})
}
