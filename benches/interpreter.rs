//! Interpreter hot paths: AggregateStatus of a Deployment over 100 member items and
//! InterpretReplica of a Deployment, through the default chain and the native layer.

use std::hint::black_box;

use criterion::{criterion_group, Criterion};
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

/// Nanoseconds this thread has spent on a CPU (Linux `schedstat`), or `None` elsewhere.
fn thread_cpu_ns() -> Option<u64> {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// Median CPU time per call over batches: unlike wall time, unaffected by other processes
/// competing for the cores while the bench runs.
fn cpu_time_per_call(name: &str, mut f: impl FnMut()) {
    const BATCHES: usize = 41;
    const CALLS: u64 = 2_000;
    if thread_cpu_ns().is_none() {
        return;
    }
    for _ in 0..CALLS {
        f();
    }
    let mut per_call: Vec<f64> = (0..BATCHES)
        .filter_map(|_| {
            let start = thread_cpu_ns()?;
            for _ in 0..CALLS {
                f();
            }
            let end = thread_cpu_ns()?;
            Some((end - start) as f64 / CALLS as f64)
        })
        .collect();
    per_call.sort_by(f64::total_cmp);
    if let Some(median) = per_call.get(per_call.len() / 2) {
        println!("{name}: median CPU time per call {:.3} µs", median / 1000.0);
    }
}

fn cpu_time_report() {
    let chain = InterpreterChain::default();
    let d = deployment();
    let members = items(100);
    cpu_time_per_call("aggregate_status/deployment/100_items/chain", || {
        black_box(
            chain
                .aggregate_status(black_box(&d), black_box(&members))
                .ok(),
        );
    });
    cpu_time_per_call("interpret_replica/deployment/chain", || {
        black_box(chain.interpret_replica(black_box(&d)).ok());
    });
}

/// `INTERPRETER_BENCH_CALLS=<operation>:<calls>` (operation `interpret_replica` or
/// `aggregate_status`) runs only that many chain calls and exits: a fixed workload for
/// instruction counting under `valgrind --tool=callgrind`, where timing is meaningless.
fn fixed_workload() -> bool {
    let Ok(spec) = std::env::var("INTERPRETER_BENCH_CALLS") else {
        return false;
    };
    let (operation, calls) = spec.split_once(':').unwrap_or((spec.as_str(), "1000"));
    let calls: usize = calls.parse().unwrap_or(1000);
    let chain = InterpreterChain::default();
    let d = deployment();
    let members = items(100);
    for _ in 0..calls {
        match operation {
            "aggregate_status" => {
                black_box(
                    chain
                        .aggregate_status(black_box(&d), black_box(&members))
                        .ok(),
                );
            }
            _ => {
                black_box(chain.interpret_replica(black_box(&d)).ok());
            }
        }
    }
    true
}

criterion_group!(benches, bench);

fn main() {
    if fixed_workload() {
        return;
    }
    cpu_time_report();
    benches();
    criterion::Criterion::default()
        .configure_from_args()
        .final_summary();
}
