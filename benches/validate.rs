//! Defaulting and validating Karmada objects: every Karmada object of the fixtures, and
//! one large PropagationPolicy.

use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion};
use fedplan::api::defaults::{default_object, DefaultingContext};
use fedplan::api::validate::{validate_object, KarmadaObject, ValidationOptions};
use serde_json::{json, Value};

fn fixture_objects() -> Vec<KarmadaObject> {
    fn walk(dir: &Path, out: &mut Vec<KarmadaObject>) {
        let mut paths: Vec<_> = std::fs::read_dir(dir)
            .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        paths.sort();
        for p in paths {
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|e| e == "yaml") {
                let text = std::fs::read_to_string(&p).unwrap_or_default();
                for doc in serde_yaml_ng::Deserializer::from_str(&text) {
                    let Ok(v) = <Value as serde::Deserialize>::deserialize(doc) else {
                        continue;
                    };
                    if let Ok(Some(o)) = KarmadaObject::from_value(&v) {
                        out.push(o);
                    }
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/karmada"),
        &mut out,
    );
    out
}

fn large_policy() -> KarmadaObject {
    let selectors: Vec<Value> = (0..50)
        .map(|i| json!({"apiVersion": "apps/v1", "kind": "Deployment", "name": format!("app-{i}")}))
        .collect();
    let terms: Vec<Value> = (0..20)
        .map(|i| json!({"affinityName": format!("group-{i}"),
                        "clusterNames": (0..10).map(|c| format!("member-{i}-{c}")).collect::<Vec<_>>(),
                        "fieldSelector": {"matchExpressions": [{"key": "region", "operator": "In", "values": ["r1", "r2"]}]}}))
        .collect();
    let doc = json!({
        "apiVersion": "policy.karmada.io/v1alpha1",
        "kind": "PropagationPolicy",
        "metadata": {"name": "large", "namespace": "default"},
        "spec": {
            "resourceSelectors": selectors,
            "placement": {
                "clusterAffinities": terms,
                "clusterTolerations": [{"key": "k", "operator": "Exists", "effect": "NoSchedule"}],
                "spreadConstraints": [{"spreadByField": "region", "maxGroups": 2}, {"spreadByField": "cluster", "maxGroups": 10}],
                "replicaScheduling": {"replicaDivisionPreference": "Weighted",
                                      "weightPreference": {"dynamicWeight": "AvailableReplicas"}}
            }
        }
    });
    KarmadaObject::from_value(&doc)
        .ok()
        .flatten()
        .expect("valid policy")
}

fn bench(c: &mut Criterion) {
    let ctx = DefaultingContext::default();
    let options = ValidationOptions::default();
    let fixtures = fixture_objects();
    c.bench_function("default+validate all fixture objects", |b| {
        b.iter(|| {
            let mut problems = 0;
            for object in &fixtures {
                let mut o = object.clone();
                default_object(&mut o, &ctx);
                problems += validate_object(&o, &options).len();
            }
            black_box(problems)
        })
    });
    let mut large = large_policy();
    default_object(&mut large, &ctx);
    c.bench_function("validate large PropagationPolicy", |b| {
        b.iter(|| black_box(validate_object(black_box(&large), &options)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
