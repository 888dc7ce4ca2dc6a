//! Replica assignment over 10 to 5,000 clusters, per strategy.
//!
//! Each cluster has a distinct capacity; the binding asks for ten replicas per cluster and
//! already holds a previous result on half of the clusters (for the sticky strategies, a
//! Steady scale-up). Static weights use one `clusterNames` rule per cluster.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use fedplan::api::{Cluster, ResourceBindingSpec};
use fedplan::scheduler::assign::{assign_replicas_to_candidates, AssignCandidate, DivisionOptions};
use fedplan::scheduler::webster::{allocate_webster_seats, TieBreak};
use serde_json::json;

const SIZES: [usize; 4] = [10, 100, 1_000, 5_000];

fn clusters(n: usize) -> Vec<Cluster> {
    (0..n)
        .map(|i| {
            let mut c = Cluster::default();
            c.metadata.name = format!("member-{i:05}");
            c
        })
        .collect()
}

fn spec(kind: &str, n: usize) -> ResourceBindingSpec {
    let scheduling = match kind {
        "static" => {
            let list: Vec<serde_json::Value> = (0..n)
                .map(|i| {
                    json!({"targetCluster": {"clusterNames": [format!("member-{i:05}")]},
                                "weight": 1 + i % 7})
                })
                .collect();
            json!({"replicaSchedulingType": "Divided", "replicaDivisionPreference": "Weighted",
                   "weightPreference": {"staticWeightList": list}})
        }
        "dynamic" => {
            json!({"replicaSchedulingType": "Divided", "replicaDivisionPreference": "Weighted",
                            "weightPreference": {"dynamicWeight": "AvailableReplicas"}})
        }
        "aggregated" => json!({"replicaSchedulingType": "Divided",
                               "replicaDivisionPreference": "Aggregated"}),
        _ => json!({"replicaSchedulingType": "Duplicated"}),
    };
    let previous: Vec<serde_json::Value> = (0..n)
        .step_by(2)
        .map(|i| json!({"name": format!("member-{i:05}"), "replicas": 5}))
        .collect();
    serde_json::from_value(json!({
        "resource": {"uid": "d43fdeeb-d750-4e2b-bee3-64eb94534f4c"},
        "replicas": 10 * n,
        "replicaRequirements": {"resourceRequest": {"cpu": "100m"}},
        "clusters": previous,
        "placement": {"replicaScheduling": scheduling}
    }))
    .expect("bench spec")
}

fn bench_assign(c: &mut Criterion) {
    for kind in ["duplicated", "static", "dynamic", "aggregated"] {
        let mut group = c.benchmark_group(format!("assign/{kind}"));
        for n in SIZES {
            let cs = clusters(n);
            let s = spec(kind, n);
            // Even clusters hold 5 replicas in the previous result (see `spec`).
            let candidates: Vec<AssignCandidate<'_>> = cs
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let allocatable = 20 + (i as i64 * 37) % 50;
                    let held = if i % 2 == 0 { 5 } else { 0 };
                    AssignCandidate {
                        cluster: c,
                        allocatable_replicas: allocatable,
                        available_replicas: allocatable + held,
                        overflow_order: 0,
                    }
                })
                .collect();
            let options = DivisionOptions::default();
            group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
                b.iter(|| assign_replicas_to_candidates(black_box(&candidates), &s, &options))
            });
        }
        group.finish();
    }
}

fn bench_webster(c: &mut Criterion) {
    let mut group = c.benchmark_group("webster/seats=10n");
    for n in SIZES {
        let votes = (0..n)
            .map(|i| (format!("member-{i:05}"), 1 + (i as i64 * 31) % 97))
            .collect();
        let initial = Default::default();
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, n| {
            b.iter(|| {
                allocate_webster_seats(
                    10 * *n as i64,
                    black_box(&votes),
                    &initial,
                    TieBreak::NameAscending,
                )
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_assign, bench_webster);
criterion_main!(benches);
