//! Interpreter hot paths: AggregateStatus of a Deployment over 100 member items and
//! InterpretReplica of a Deployment, through the default chain and the native layer.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use fedplan::api::AggregatedStatusItem;
use fedplan::interpreter::{
    chain::InterpreterChain, native::NativeInterpreter, ResourceInterpreter,
};
use serde_json::{json, Value};

fn deployment() -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "prod", "generation": 4,
            "labels": {"app": "web", "tier": "frontend"}},
        "spec": {
            "replicas": 300,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {
                    "nodeSelector": {"disk": "ssd"},
                    "tolerations": [{"key": "dedicated", "operator": "Equal", "value": "web", "effect": "NoSchedule"}],
                    "containers": [{
                        "name": "nginx", "image": "nginx:1.27",
                        "ports": [{"containerPort": 80}],
                        "resources": {"requests": {"cpu": "250m", "memory": "128Mi"},
                                      "limits": {"cpu": "500m", "memory": "256Mi"}}
                    }]
                }
            }
        },
        "status": {"observedGeneration": 3, "replicas": 300, "conditions": [{"type": "Available", "status": "True"}]}
    })
}

fn items(n: usize) -> Vec<AggregatedStatusItem> {
    (0..n)
        .map(|i| AggregatedStatusItem {
            cluster_name: format!("member-{i:03}"),
            status: Some(json!({
                "replicas": 3, "updatedReplicas": 3, "readyReplicas": 3, "availableReplicas": 3,
                "observedGeneration": 9, "generation": 9, "resourceTemplateGeneration": 4
            })),
            applied: true,
            ..Default::default()
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let chain = InterpreterChain::default();
    let native = NativeInterpreter::default();
    let d = deployment();
    let members = items(100);
    c.bench_function("aggregate_status/deployment/100_items/chain", |b| {
        b.iter(|| chain.aggregate_status(black_box(&d), black_box(&members)))
    });
    c.bench_function("aggregate_status/deployment/100_items/native", |b| {
        b.iter(|| native.aggregate_status(black_box(&d), black_box(&members)))
    });
    c.bench_function("interpret_replica/deployment/chain", |b| {
        b.iter(|| chain.interpret_replica(black_box(&d)))
    });
    c.bench_function("interpret_replica/deployment/native", |b| {
        b.iter(|| native.interpret_replica(black_box(&d)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
