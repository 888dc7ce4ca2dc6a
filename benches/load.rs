//! Loading speed: parsing and classifying Karmada YAML and JSON held in memory.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use fedplan::load::Loader;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/fixtures/karmada");

/// Every fixture file's text, in path order.
fn fixture_texts() -> Vec<(String, String)> {
    let mut files = Vec::new();
    let mut stack = vec![std::path::PathBuf::from(FIXTURES)];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(text) = std::fs::read_to_string(&path) {
                files.push((path.display().to_string(), text));
            }
        }
    }
    files.sort();
    files
}

/// `n` Deployments and `n` PropagationPolicies in one multi-document YAML stream.
fn synthetic_yaml(n: usize) -> String {
    let mut text = String::new();
    for i in 0..n {
        text.push_str(&format!(
            "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web-{i}\n  namespace: default\n  labels: {{app: web-{i}}}\nspec:\n  replicas: 3\n  selector: {{matchLabels: {{app: web-{i}}}}}\n  template:\n    metadata: {{labels: {{app: web-{i}}}}}\n    spec:\n      containers:\n        - name: web\n          image: nginx:1.27\n          resources: {{requests: {{cpu: 100m, memory: 128Mi}}}}\n\
             ---\napiVersion: policy.karmada.io/v1alpha1\nkind: PropagationPolicy\nmetadata:\n  name: web-{i}\n  namespace: default\nspec:\n  resourceSelectors:\n    - {{apiVersion: apps/v1, kind: Deployment, name: web-{i}}}\n  placement:\n    clusterAffinity: {{clusterNames: [member1, member2, member3]}}\n    replicaScheduling:\n      replicaSchedulingType: Divided\n      replicaDivisionPreference: Weighted\n      weightPreference:\n        staticWeightList:\n          - {{targetCluster: {{clusterNames: [member1]}}, weight: 2}}\n          - {{targetCluster: {{clusterNames: [member2, member3]}}, weight: 1}}\n"
        ));
    }
    text
}

fn bench_load(c: &mut Criterion) {
    let loader = Loader::new();
    let fixtures = fixture_texts();
    let mut group = c.benchmark_group("load");
    group.throughput(Throughput::Elements(fixtures.len() as u64));
    group.bench_function("karmada_fixtures_yaml", |b| {
        b.iter(|| {
            let mut objects = 0;
            for (name, text) in &fixtures {
                objects += loader.objects_from_str(name, black_box(text)).items.len();
            }
            objects
        })
    });

    let yaml = synthetic_yaml(500);
    let loaded = loader.objects_from_str("synthetic.yaml", &yaml);
    assert!(loaded.is_ok() && loaded.items.len() == 1000);
    let values: Vec<serde_json::Value> = loaded
        .items
        .iter()
        .map(|item| item.object.resource().as_value().clone())
        .collect();
    let json = serde_json::Value::Array(values).to_string();
    group.throughput(Throughput::Elements(1000));
    group.bench_function("1000_objects_yaml", |b| {
        b.iter(|| {
            loader
                .objects_from_str("synthetic.yaml", black_box(&yaml))
                .items
                .len()
        })
    });
    group.bench_function("1000_objects_json", |b| {
        b.iter(|| {
            loader
                .objects_from_str("synthetic.json", black_box(&json))
                .items
                .len()
        })
    });
    group.finish();
}

criterion_group!(benches, bench_load);
criterion_main!(benches);
