//! Scheduling cost per binding in the four placement modes, over 10 to 5,000 clusters, and a
//! batch of 5,000 bindings over 100 clusters; each with `schedule` (the clusters read for
//! every binding) and with `schedule_prepared` over a `ClusterSnapshot` (read once; for the
//! batch, building the snapshot is part of the measured time).

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use fedplan::api::{Cluster, ResourceBinding};
use fedplan::scheduler::{schedule, schedule_prepared, ClusterSnapshot, SchedulerOptions};
use serde_json::json;

fn clusters(n: usize) -> Vec<Cluster> {
    (0..n)
        .map(|i| {
            let taints = if i % 20 == 7 {
                json!([{"key": "cluster.karmada.io/not-ready", "effect": "NoSchedule"}])
            } else {
                json!([])
            };
            let v = json!({
                "apiVersion": "cluster.karmada.io/v1alpha1",
                "kind": "Cluster",
                "metadata": {
                    "name": format!("member{i:05}"),
                    "labels": {"env": if i % 2 == 0 { "prod" } else { "dev" }, "tier": format!("t{}", i % 3)}
                },
                "spec": {
                    "provider": format!("p{}", i % 2),
                    "region": format!("r{}", i % 10),
                    "zones": [format!("z{}", i % 3)],
                    "taints": taints
                },
                "status": {
                    "apiEnablements": [
                        {"groupVersion": "v1", "resources": [{"name": "configmaps", "kind": "ConfigMap"}, {"name": "services", "kind": "Service"}]},
                        {"groupVersion": "batch/v1", "resources": [{"name": "jobs", "kind": "Job"}]},
                        {"groupVersion": "apps/v1", "resources": [{"name": "deployments", "kind": "Deployment"}, {"name": "statefulsets", "kind": "StatefulSet"}]}
                    ],
                    "resourceSummary": {
                        "allocatable": {"cpu": "1000", "memory": "4000Gi", "pods": "11000"},
                        "allocated": {"cpu": format!("{}", 100 + (i * 37) % 700), "memory": "1000Gi", "pods": "2000"}
                    }
                }
            });
            serde_json::from_value(v).expect("bench cluster")
        })
        .collect()
}

const MODES: [&str; 4] = [
    "duplicated",
    "static_weight",
    "dynamic_weight",
    "aggregated_spread",
];

fn binding(mode: &str, i: usize) -> ResourceBinding {
    let placement = match mode {
        "duplicated" => json!({
            "clusterAffinity": {"labelSelector": {"matchLabels": {"env": "prod"}}}
        }),
        "static_weight" => json!({
            "replicaScheduling": {
                "replicaSchedulingType": "Divided",
                "replicaDivisionPreference": "Weighted",
                "weightPreference": {"staticWeightList": [
                    {"targetCluster": {"labelSelector": {"matchLabels": {"tier": "t0"}}}, "weight": 2},
                    {"targetCluster": {"labelSelector": {"matchLabels": {"tier": "t1"}}}, "weight": 1}
                ]}
            }
        }),
        "dynamic_weight" => json!({
            "spreadConstraints": [{"spreadByField": "cluster", "minGroups": 1, "maxGroups": 5}],
            "replicaScheduling": {
                "replicaSchedulingType": "Divided",
                "replicaDivisionPreference": "Weighted",
                "weightPreference": {"dynamicWeight": "AvailableReplicas"}
            }
        }),
        _ => json!({
            "spreadConstraints": [
                {"spreadByField": "region", "minGroups": 2, "maxGroups": 3},
                {"spreadByField": "cluster", "minGroups": 3, "maxGroups": 6}
            ],
            "replicaScheduling": {
                "replicaSchedulingType": "Divided",
                "replicaDivisionPreference": "Aggregated"
            }
        }),
    };
    let v = json!({
        "apiVersion": "work.karmada.io/v1alpha2",
        "kind": "ResourceBinding",
        "metadata": {"name": format!("web{i}-deployment"), "namespace": "default", "generation": 1},
        "spec": {
            "resource": {"apiVersion": "apps/v1", "kind": "Deployment", "namespace": "default",
                         "name": format!("web{i}"), "uid": format!("00000000-0000-0000-0000-{i:012}")},
            "replicas": 12,
            "replicaRequirements": {"resourceRequest": {"cpu": "100m", "memory": "128Mi"}},
            "placement": placement
        }
    });
    serde_json::from_value(v).expect("bench binding")
}

fn per_binding(c: &mut Criterion) {
    let options = SchedulerOptions::default();
    let mut group = c.benchmark_group("schedule_one");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    for n in [10usize, 100, 1_000, 5_000] {
        let cs = clusters(n);
        for mode in MODES {
            let b = binding(mode, 0);
            group.bench_with_input(BenchmarkId::new(mode, n), &n, |bench, _| {
                bench.iter(|| black_box(schedule(black_box(&b), black_box(&cs), &options)))
            });
        }
    }
    group.finish();

    let mut group = c.benchmark_group("schedule_one_prepared");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    for n in [10usize, 100, 1_000, 5_000] {
        let cs = clusters(n);
        let snapshot = ClusterSnapshot::new(&cs);
        for mode in MODES {
            let b = binding(mode, 0);
            group.bench_with_input(BenchmarkId::new(mode, n), &n, |bench, _| {
                bench.iter(|| {
                    black_box(schedule_prepared(
                        black_box(&b),
                        black_box(&snapshot),
                        &options,
                    ))
                })
            });
        }
    }
    group.finish();
}

fn batch(c: &mut Criterion) {
    let options = SchedulerOptions::default();
    let cs = clusters(100);
    let bindings: Vec<ResourceBinding> = (0..5_000).map(|i| binding(MODES[i % 4], i)).collect();
    let mut group = c.benchmark_group("schedule_batch");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    group.bench_function("5000_bindings_100_clusters", |bench| {
        bench.iter(|| {
            for b in &bindings {
                black_box(schedule(b, &cs, &options));
            }
        })
    });
    group.bench_function("5000_bindings_100_clusters_prepared", |bench| {
        bench.iter(|| {
            let snapshot = ClusterSnapshot::new(black_box(&cs));
            for b in &bindings {
                black_box(schedule_prepared(b, &snapshot, &options));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, per_binding, batch);
criterion_main!(benches);
