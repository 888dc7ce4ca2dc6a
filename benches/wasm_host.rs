//! The plugin host's costs: one InterpretReplica call on a PyTorchJob-sized object (fresh
//! store and instance included), AggregateStatus over 100 members, and loading a plugin from
//! the compile cache. Needs `bash interpreters/build.sh` first.
//!
//! For comparison in the same run: InterpretHealth on the same object (the plugin reads one
//! absent field, so this is the fixed cost of a call); InterpretReplica of the fixture
//! `replica-floor`, which is sent and parses the same fields but computes no requirements (the
//! floor of an InterpretReplica over the SDK on this object); and the two calls on a host that
//! sends whole objects (`HostConfig::without_projection`) or runs without fuel.

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion};
use fedplan::api::{AggregatedStatusItem, ResourceHealth};
use fedplan::interpreter::wasm::{clear_memory_cache, HostConfig, PluginHost};
use serde_json::{json, Value};

fn plugin_path(built: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("interpreters/dist")
        .join(built);
    assert!(
        path.exists(),
        "{} is missing: run `bash interpreters/build.sh` first",
        path.display()
    );
    path
}

fn pod_template(role: &str) -> Value {
    json!({
        "metadata": {"labels": {"app": "mnist", "role": role}, "annotations": {"sidecar.istio.io/inject": "false"}},
        "spec": {
            "nodeSelector": {"accelerator": "nvidia-a100", "topology.kubernetes.io/zone": "us-east-1a"},
            "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}],
            "affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
                {"matchExpressions": [{"key": "node.kubernetes.io/instance-type", "operator": "In", "values": ["p4d.24xlarge", "p5.48xlarge"]}]}
            ]}}},
            "initContainers": [{"name": "fetch", "image": "busybox:1.36", "command": ["sh", "-c", "cp -r /src /data"],
                "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}}}],
            "containers": [{
                "name": "pytorch",
                "image": "docker.io/kubeflowkatib/pytorch-mnist:v1beta1-45c5727",
                "imagePullPolicy": "IfNotPresent",
                "command": ["python3", "/opt/pytorch-mnist/mnist.py", "--epochs=10", "--batch-size=64", "--lr=0.01"],
                "env": [
                    {"name": "NCCL_DEBUG", "value": "INFO"},
                    {"name": "WANDB_API_KEY", "valueFrom": {"secretKeyRef": {"name": "wandb", "key": "key"}}},
                    {"name": "HPARAMS", "valueFrom": {"configMapKeyRef": {"name": "hparams", "key": "all"}}}
                ],
                "ports": [{"containerPort": 23456, "name": "pytorchjob-port"}],
                "resources": {"requests": {"cpu": "8", "memory": "32Gi", "nvidia.com/gpu": "1"},
                    "limits": {"cpu": "16", "memory": "64Gi", "nvidia.com/gpu": "1", "ephemeral-storage": "20Gi"}},
                "volumeMounts": [{"name": "data", "mountPath": "/data"}, {"name": "dshm", "mountPath": "/dev/shm"}]
            }],
            "volumes": [
                {"name": "data", "persistentVolumeClaim": {"claimName": "mnist-data"}},
                {"name": "dshm", "emptyDir": {"medium": "Memory", "sizeLimit": "8Gi"}}
            ]
        }
    })
}

/// A PyTorchJob-sized object (master and workers, realistic pod templates).
fn training_job() -> Value {
    json!({
        "apiVersion": "training.example.io/v1",
        "kind": "TrainingJob",
        "metadata": {"name": "pytorch-mnist", "namespace": "kubeflow", "generation": 3,
            "labels": {"team": "ml-platform"}, "annotations": {"owner": "research"}},
        "spec": {
            "runPolicy": {"cleanPodPolicy": "None", "backoffLimit": 3},
            "replicaSpecs": {
                "Master": {"replicas": 1, "restartPolicy": "OnFailure", "template": pod_template("master")},
                "Worker": {"replicas": 8, "restartPolicy": "OnFailure", "template": pod_template("worker")}
            }
        }
    })
}

fn status_items(n: usize) -> Vec<AggregatedStatusItem> {
    (0..n)
        .map(|i| AggregatedStatusItem {
            cluster_name: format!("member-{i:03}"),
            status: Some(json!({
                "active": i % 3, "succeeded": i % 2, "failed": 0,
                "conditions": [{"type": "Running", "status": "True", "reason": "JobRunning",
                    "lastTransitionTime": "2026-01-01T00:00:00Z"}]
            })),
            applied: true,
            applied_message: String::new(),
            health: Some(ResourceHealth::Healthy),
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let bytes = std::fs::read(plugin_path("examples/training-job.wasm")).expect("plugin");
    let cache = std::env::temp_dir().join("fedplan-bench-wasm-cache");
    let config = HostConfig::default().with_cache_dir(&cache);
    let mut host = PluginHost::new(config.clone()).expect("host");
    host.add_bytes("training-job", &bytes)
        .expect("plugin loads");

    let job = training_job();
    assert_eq!(
        host.call_interpret_replica(&job).expect("works").replicas,
        8
    );
    c.bench_function("wasm/interpret_replica_pytorchjob_sized", |b| {
        b.iter(|| {
            host.call_interpret_replica(black_box(&job))
                .expect("replicas")
        })
    });

    c.bench_function("wasm/interpret_health_pytorchjob_sized", |b| {
        b.iter(|| host.call_interpret_health(black_box(&job)).expect("health"))
    });

    let mut floor = PluginHost::new(config.clone()).expect("host");
    let floor_bytes = std::fs::read(plugin_path("testing/replica-floor.wasm")).expect("plugin");
    floor
        .add_bytes("replica-floor", &floor_bytes)
        .expect("plugin loads");
    c.bench_function("wasm/floor/interpret_replica_pytorchjob_sized", |b| {
        b.iter(|| {
            floor
                .call_interpret_replica(black_box(&job))
                .expect("replicas")
        })
    });

    let items = status_items(100);
    c.bench_function("wasm/aggregate_status_100_items", |b| {
        b.iter(|| {
            host.call_aggregate_status(black_box(&job), black_box(&items))
                .expect("aggregate")
        })
    });

    for (name, variant) in [
        ("whole_objects", config.clone().without_projection()),
        ("without_fuel", config.clone().with_fuel(None)),
    ] {
        let mut other = PluginHost::new(variant).expect("host");
        other
            .add_bytes("training-job", &bytes)
            .expect("plugin loads");
        c.bench_function(
            &format!("wasm/{name}/interpret_replica_pytorchjob_sized"),
            |b| {
                b.iter(|| {
                    other
                        .call_interpret_replica(black_box(&job))
                        .expect("replicas")
                })
            },
        );
        c.bench_function(&format!("wasm/{name}/aggregate_status_100_items"), |b| {
            b.iter(|| {
                other
                    .call_aggregate_status(black_box(&job), black_box(&items))
                    .expect("aggregate")
            })
        });
    }

    c.bench_function("wasm/load_plugin_from_disk_cache", |b| {
        b.iter(|| {
            clear_memory_cache();
            let mut fresh = PluginHost::new(config.clone()).expect("host");
            fresh
                .add_bytes("training-job", black_box(&bytes))
                .expect("load");
            fresh
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
