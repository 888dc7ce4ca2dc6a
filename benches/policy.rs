//! Cluster-affinity matching over 5,000 clusters and policy selection among 1,000 policies.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use fedplan::api::{
    Cluster, ClusterAffinity, ClusterPropagationPolicy, FieldSelector, LabelSelector,
    LabelSelectorRequirement, NodeSelectorRequirement, PropagationPolicy, ResourceSelector,
};
use fedplan::policy::{claim, select, MatchOptions};
use fedplan::selector::{cluster_matches, ClusterAffinityMatcher};
use serde_json::json;

const REGIONS: [&str; 5] = [
    "us-east-1",
    "us-west-2",
    "eu-west-1",
    "ap-south-1",
    "sa-east-1",
];

fn clusters(n: usize) -> Vec<Cluster> {
    (0..n)
        .map(|i| {
            let mut c = Cluster::default();
            c.metadata.name = format!("member-{i:05}");
            c.metadata
                .labels
                .insert("env".into(), if i % 3 == 0 { "prod" } else { "dev" }.into());
            c.metadata
                .labels
                .insert("team".into(), format!("team-{}", i % 17));
            c.metadata
                .labels
                .insert("tier".into(), format!("t{}", i % 4));
            c.spec.provider = if i % 2 == 0 { "aws" } else { "gcp" }.into();
            c.spec.region = REGIONS[i % REGIONS.len()].into();
            c.spec.zones = vec![format!("{}a", c.spec.region), format!("{}b", c.spec.region)];
            c
        })
        .collect()
}

fn typical_affinity() -> ClusterAffinity {
    let mut labels = LabelSelector::default();
    labels.match_labels.insert("env".into(), "prod".into());
    labels.match_expressions.push(LabelSelectorRequirement {
        key: "tier".into(),
        operator: "In".into(),
        values: vec!["t0".into(), "t1".into(), "t2".into()],
    });
    ClusterAffinity {
        label_selector: Some(labels),
        field_selector: Some(FieldSelector {
            match_expressions: vec![
                NodeSelectorRequirement {
                    key: "region".into(),
                    operator: "In".into(),
                    values: vec!["us-east-1".into(), "eu-west-1".into()],
                },
                NodeSelectorRequirement {
                    key: "zone".into(),
                    operator: "NotIn".into(),
                    values: vec!["eu-west-1b".into()],
                },
            ],
        }),
        cluster_names: Vec::new(),
        exclude: (0..10).map(|i| format!("member-{:05}", i * 7)).collect(),
    }
}

fn bench_cluster_affinity(c: &mut Criterion) {
    let cs = clusters(5_000);
    let typical = typical_affinity();
    let by_names = ClusterAffinity {
        cluster_names: (0..100).map(|i| format!("member-{:05}", i * 50)).collect(),
        ..Default::default()
    };
    let empty = ClusterAffinity::default();
    let mut group = c.benchmark_group("cluster_affinity_5000");
    for (name, affinity) in [
        ("labels+fields+exclude", &typical),
        ("100 clusterNames", &by_names),
        ("empty", &empty),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| {
                black_box(&cs)
                    .iter()
                    .filter(|cl| cluster_matches(cl, black_box(affinity)))
                    .count()
            })
        });
        group.bench_function(format!("{name} (prepared)"), |b| {
            b.iter(|| {
                let matcher = ClusterAffinityMatcher::new(black_box(affinity));
                black_box(&cs)
                    .iter()
                    .filter(|cl| matcher.matches(cl))
                    .count()
            })
        });
    }
    group.finish();
}

fn selector(i: usize, namespace: &str) -> ResourceSelector {
    let mut s = ResourceSelector {
        api_version: "apps/v1".into(),
        kind: if i % 5 == 0 {
            "StatefulSet"
        } else {
            "Deployment"
        }
        .into(),
        namespace: namespace.into(),
        ..Default::default()
    };
    match i % 4 {
        0 => s.name = format!("app-{i}"),
        1 => {
            let mut l = LabelSelector::default();
            l.match_labels
                .insert("app".into(), format!("app-{}", i % 50));
            s.label_selector = Some(l);
        }
        2 => {
            let mut l = LabelSelector::default();
            l.match_expressions.push(LabelSelectorRequirement {
                key: "tier".into(),
                operator: "In".into(),
                values: vec!["web".into(), "api".into()],
            });
            s.label_selector = Some(l);
        }
        _ => {}
    }
    s
}

fn bench_policy_selection(c: &mut Criterion) {
    let pps: Vec<PropagationPolicy> = (0..1_000)
        .map(|i| {
            let mut p = PropagationPolicy::default();
            p.metadata.name = format!("pp-{i:04}");
            p.metadata.namespace = "default".into();
            p.spec.priority = Some((i % 7) as i32);
            p.spec.resource_selectors = vec![selector(i, "default"), selector(i + 1, "default")];
            p
        })
        .collect();
    let cpps: Vec<ClusterPropagationPolicy> = (0..1_000)
        .map(|i| {
            let mut p = ClusterPropagationPolicy::default();
            p.metadata.name = format!("cpp-{i:04}");
            p.spec.priority = Some((i % 7) as i32);
            p.spec.resource_selectors = vec![selector(i, ""), selector(i + 2, "")];
            p
        })
        .collect();
    let template = json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "app-42", "namespace": "default", "labels": {"app": "app-42", "tier": "web"}}});
    let other_ns = json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "app-42", "namespace": "shop", "labels": {"app": "app-42", "tier": "web"}}});
    let opts = MatchOptions::default();
    let mut group = c.benchmark_group("policy_select_1000");
    group.bench_function("pp match", |b| {
        b.iter(|| select(black_box(&template), &pps, &cpps, &opts).map(|p| p.name().len()))
    });
    group.bench_function("fall through to cpp", |b| {
        b.iter(|| select(black_box(&other_ns), &pps, &cpps, &opts).map(|p| p.name().len()))
    });
    let mut claimed = template.clone();
    claimed["metadata"]["labels"]["propagationpolicy.karmada.io/permanent-id"] = json!("x");
    claimed["metadata"]["annotations"] = json!({
        "propagationpolicy.karmada.io/namespace": "default",
        "propagationpolicy.karmada.io/name": "pp-0500",
    });
    let with_preemption = MatchOptions {
        preemption: true,
        ..MatchOptions::default()
    };
    group.bench_function("claimed, preemption on", |b| {
        b.iter(|| {
            claim(black_box(&claimed), &pps, &cpps, &with_preemption)
                .policy()
                .map(|p| p.name().len())
        })
    });
    group.finish();
}

criterion_group!(benches, bench_cluster_affinity, bench_policy_selection);
criterion_main!(benches);
