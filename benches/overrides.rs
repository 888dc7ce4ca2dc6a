//! One Deployment for one cluster: an image overrider and two plaintext patches.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use fedplan::api::{Cluster, ClusterOverridePolicy, OverridePolicy};
use fedplan::overrides::{apply_overrides, ImageReference};
use serde_json::{json, Value};

fn deployment() -> Value {
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"}},
        "spec": {
            "replicas": 3,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{
                    "name": "web",
                    "image": "registry.example.com/team/web:v1.2.3",
                    "ports": [{"containerPort": 8080}],
                    "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}}
                }]}
            }
        }
    })
}

fn policy() -> OverridePolicy {
    serde_json::from_value(json!({
        "apiVersion": "policy.karmada.io/v1alpha1",
        "kind": "OverridePolicy",
        "metadata": {"name": "member1-mirror", "namespace": "default"},
        "spec": {
            "resourceSelectors": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}],
            "overrideRules": [{
                "targetCluster": {"clusterNames": ["member1"]},
                "overriders": {
                    "imageOverrider": [{"component": "Registry", "operator": "replace", "value": "mirror.member1.local"}],
                    "plaintext": [
                        {"path": "/spec/replicas", "operator": "replace", "value": 5},
                        {"path": "/metadata/annotations", "operator": "add", "value": {"region": "eu"}}
                    ]
                }
            }]
        }
    }))
    .expect("valid policy")
}

fn bench(c: &mut Criterion) {
    let template = deployment();
    let cluster: Cluster =
        serde_json::from_value(json!({"metadata": {"name": "member1"}})).expect("valid cluster");
    let ops = [policy()];
    let cops: [ClusterOverridePolicy; 0] = [];

    c.bench_function("apply_overrides/deployment_image_and_two_plaintext", |b| {
        b.iter(|| apply_overrides(black_box(&template), black_box(&cluster), &ops, &cops))
    });
    c.bench_function("apply_overrides/with_annotations", |b| {
        b.iter(|| {
            apply_overrides(black_box(&template), black_box(&cluster), &ops, &cops)
                .map(|out| out.annotations())
        })
    });
    c.bench_function("apply_overrides/no_policies", |b| {
        b.iter(|| apply_overrides(black_box(&template), black_box(&cluster), &[], &cops))
    });
    c.bench_function("image_parse", |b| {
        b.iter(|| ImageReference::parse(black_box("registry.example.com:5000/team/web:v1.2.3")))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
