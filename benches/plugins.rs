//! Per-call time of each shipped plugin's heaviest operation, through the plugin host (fresh
//! store and instance per call included). Inputs come from Karmada's testdata vectors; status
//! aggregations fold 20 members (the vector's items repeated under new cluster names).
//! Needs `bash interpreters/build.sh` first.

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion};
use fedplan::api::AggregatedStatusItem;
use fedplan::interpreter::wasm::PluginHost;
use serde_json::Value;

const MEMBERS: usize = 20;

/// `(plugin, vector file, operation, case name)`: the operation that does the most work.
const HEAVIEST: &[(&str, &str, &str, &str)] = &[
    ("argo-rollout", "argoproj.io/v1alpha1/Rollout.json", "InterpretComponent", "Rollout canary strategy with nodeSelector, tolerations, and priorityClassName"),
    ("argo-workflow", "argoproj.io/v1alpha1/Workflow.json", "InterpretDependency", "Workflow with volume ConfigMap dependency"),
    ("volcano-job", "batch.volcano.sh/v1alpha1/Job.json", "AggregateStatus", "VCJob with controlledResources aggregation"),
    ("flink", "flink.apache.org/v1beta1/FlinkDeployment.json", "InterpretReplica", "FlinkDeployment with podTemplate containing nodeSelector, tolerations, and priorityClassName"),
    ("kubeflow", "kubeflow.org/v1/PyTorchJob.json", "AggregateStatus", "PyTorchJob with failed cluster"),
    ("kyverno", "kyverno.io/v1/Policy.json", "AggregateStatus", "Policy with two status items"),
    ("ray", "ray.io/v1/RayCluster.json", "AggregateStatus", "RayCluster with two status items"),
    ("spark", "sparkoperator.k8s.io/v1beta2/SparkApplication.json", "AggregateStatus", "SparkApplication with three status items"),
];

fn host() -> PluginHost {
    let dist = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/interpreters/dist"));
    assert!(
        dist.is_dir(),
        "{} is missing: run `bash interpreters/build.sh` first",
        dist.display()
    );
    PluginHost::load_path(&dist).expect("plugins load")
}

/// The case `name` of `file`, from the shared fixtures or, for the upstream cases they lack,
/// from `tests/vectors/upstream`.
fn case(file: &str, name: &str) -> Value {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    [
        "../shared/fixtures/vectors/interpreter/thirdparty",
        "tests/vectors/upstream/interpreter/thirdparty",
    ]
    .iter()
    .filter_map(|dir| std::fs::read_to_string(root.join(dir).join(file)).ok())
    .map(|text| serde_json::from_str::<Value>(&text).expect("vector JSON"))
    .find_map(|file| {
        file["cases"]
            .as_array()
            .and_then(|cases| cases.iter().find(|c| c["name"] == name))
            .cloned()
    })
    .unwrap_or_else(|| panic!("no case {name:?} in {file}"))
}

fn members(items: &Value) -> Vec<AggregatedStatusItem> {
    let items: Vec<AggregatedStatusItem> = serde_json::from_value(items.clone()).expect("items");
    (0..MEMBERS)
        .map(|i| {
            let mut item = items[i % items.len()].clone();
            item.cluster_name = format!("member-{i:02}");
            item
        })
        .collect()
}

fn heaviest_operations(c: &mut Criterion) {
    let host = host();
    let mut group = c.benchmark_group("plugin_heaviest_call");
    for (plugin, file, operation, name) in HEAVIEST {
        let case = case(file, name);
        let input = &case["input"];
        let object = input
            .get("desiredObj")
            .or_else(|| input.get("observedObj"))
            .expect("object")
            .clone();
        let id = format!("{plugin}/{operation}");
        match *operation {
            "AggregateStatus" => {
                let items = members(&input["statusItems"]);
                group.bench_function(&id, |b| {
                    b.iter(|| {
                        host.call_aggregate_status(black_box(&object), black_box(&items))
                            .expect("call")
                    })
                });
            }
            "InterpretReplica" => {
                group.bench_function(&id, |b| {
                    b.iter(|| {
                        host.call_interpret_replica(black_box(&object))
                            .expect("call")
                    })
                });
            }
            "InterpretComponent" => {
                group.bench_function(&id, |b| {
                    b.iter(|| {
                        host.call_interpret_component(black_box(&object))
                            .expect("call")
                    })
                });
            }
            "InterpretDependency" => {
                group.bench_function(&id, |b| {
                    b.iter(|| {
                        host.call_interpret_dependency(black_box(&object))
                            .expect("call")
                    })
                });
            }
            other => panic!("no bench for {other}"),
        }
    }
    group.finish();
}

criterion_group!(benches, heaviest_operations);
criterion_main!(benches);
