//! Karmada's third-party customization testdata for the kinds fedplan ships as plugins
//! (`interpreters/plugins/*`), run through the compiled components in `interpreters/dist`
//! as the plugin host loads them. Build them first with `bash interpreters/build.sh`.
#![cfg(feature = "wasm")]

use crate::plugins_support;

use plugins_support::run_vectors;

/// The vector files of every kind a shipped plugin serves.
const PLUGIN_FILES: &[&str] = &[
    "argoproj.io/v1alpha1/Rollout.json",
    "argoproj.io/v1alpha1/Workflow.json",
    "batch.volcano.sh/v1alpha1/Job.json",
    "flink.apache.org/v1beta1/FlinkDeployment.json",
    "kubeflow.org/v1/Notebook.json",
    "kubeflow.org/v1/PyTorchJob.json",
    "kubeflow.org/v1/TFJob.json",
    "kubeflow.org/v2beta1/MPIJob.json",
    "kyverno.io/v1/ClusterPolicy.json",
    "kyverno.io/v1/Policy.json",
    "ray.io/v1/RayCluster.json",
    "ray.io/v1/RayJob.json",
    "ray.io/v1/RayService.json",
    "sparkoperator.k8s.io/v1beta2/SparkApplication.json",
];

/// Every upstream transcription (`tests/vectors/upstream/interpreter/thirdparty`) is run:
/// either a plugin kind's file of [`PLUGIN_FILES`] or a built-in (OpenKruise, Flux) kind's,
/// which `interpreter_thirdparty_vectors` runs.
#[test]
fn every_upstream_plugin_file_is_run() {
    let root = std::path::PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/vectors/upstream/interpreter/thirdparty"
    ));
    let files = crate::upstream_vectors::files_under(&root);
    assert!(!files.is_empty(), "no upstream vector files");
    for relative in files {
        let group = relative.split('/').next().unwrap_or("");
        let builtin = group == "apps.kruise.io" || group.ends_with("toolkit.fluxcd.io");
        assert!(
            builtin || PLUGIN_FILES.contains(&relative.as_str()),
            "{relative} is run by no test"
        );
    }
}

#[test]
fn argo_rollout() {
    assert_eq!(run_vectors("argoproj.io/v1alpha1/Rollout.json", &[]), 9);
}

#[test]
fn argo_workflow() {
    run_vectors("argoproj.io/v1alpha1/Workflow.json", &[]);
}

#[test]
fn volcano_job() {
    run_vectors("batch.volcano.sh/v1alpha1/Job.json", &[]);
}

#[test]
fn flink_deployment() {
    run_vectors("flink.apache.org/v1beta1/FlinkDeployment.json", &[]);
}

#[test]
fn kubeflow_notebook() {
    run_vectors("kubeflow.org/v1/Notebook.json", &[]);
}

#[test]
fn kubeflow_pytorch_job() {
    run_vectors("kubeflow.org/v1/PyTorchJob.json", &[]);
}

#[test]
fn kubeflow_tf_job() {
    run_vectors("kubeflow.org/v1/TFJob.json", &[]);
}

#[test]
fn kubeflow_mpi_job() {
    run_vectors("kubeflow.org/v2beta1/MPIJob.json", &[]);
}

#[test]
fn kyverno_cluster_policy() {
    run_vectors("kyverno.io/v1/ClusterPolicy.json", &[]);
}

#[test]
fn kyverno_policy() {
    run_vectors("kyverno.io/v1/Policy.json", &[]);
}

#[test]
fn ray_cluster() {
    run_vectors("ray.io/v1/RayCluster.json", &[]);
}

#[test]
fn ray_job() {
    run_vectors("ray.io/v1/RayJob.json", &[]);
}

#[test]
fn ray_service() {
    run_vectors("ray.io/v1/RayService.json", &[]);
}

#[test]
fn spark_application() {
    run_vectors("sparkoperator.k8s.io/v1beta2/SparkApplication.json", &[]);
}

/// Every shipped plugin answers every vector the same whether the host sends it only the
/// fields it lists or whole objects.
#[test]
fn projection_changes_no_plugin_output() {
    let cases: usize = PLUGIN_FILES
        .iter()
        .map(|file| plugins_support::projection_changes_nothing(file))
        .sum();
    assert!(cases > 50, "only {cases} cases");
}

/// Every kind the plugins claim is served by exactly the plugin built for its project.
#[test]
fn each_kind_is_served_by_its_plugin() {
    use fedplan::interpreter::{Gvk, Operation};
    let host = plugins_support::host();
    let cases = [
        (
            "argoproj.io/v1alpha1",
            "Rollout",
            Operation::InterpretComponent,
            "argo-rollout",
        ),
        (
            "argoproj.io/v1alpha1",
            "Workflow",
            Operation::Retain,
            "argo-workflow",
        ),
        (
            "batch.volcano.sh/v1alpha1",
            "Job",
            Operation::InterpretComponent,
            "volcano-job",
        ),
        (
            "flink.apache.org/v1beta1",
            "FlinkDeployment",
            Operation::InterpretReplica,
            "flink",
        ),
        (
            "kubeflow.org/v1",
            "Notebook",
            Operation::InterpretReplica,
            "kubeflow",
        ),
        (
            "kubeflow.org/v1",
            "PyTorchJob",
            Operation::InterpretDependency,
            "kubeflow",
        ),
        (
            "kubeflow.org/v1",
            "TFJob",
            Operation::AggregateStatus,
            "kubeflow",
        ),
        (
            "kubeflow.org/v2beta1",
            "MPIJob",
            Operation::InterpretStatus,
            "kubeflow",
        ),
        (
            "kyverno.io/v1",
            "ClusterPolicy",
            Operation::InterpretHealth,
            "kyverno",
        ),
        (
            "kyverno.io/v1",
            "Policy",
            Operation::AggregateStatus,
            "kyverno",
        ),
        (
            "ray.io/v1",
            "RayCluster",
            Operation::InterpretComponent,
            "ray",
        ),
        ("ray.io/v1", "RayJob", Operation::InterpretDependency, "ray"),
        ("ray.io/v1", "RayService", Operation::ReviseReplica, "ray"),
        (
            "sparkoperator.k8s.io/v1beta2",
            "SparkApplication",
            Operation::InterpretComponent,
            "spark",
        ),
    ];
    for (api_version, kind, operation, plugin) in cases {
        let gvk = Gvk::new(api_version, kind);
        let found = host
            .plugin_for(&gvk, operation)
            .unwrap_or_else(|| panic!("no plugin for {kind} {operation}"));
        assert_eq!(found.name, plugin, "{kind} {operation}");
    }
    // Operations Karmada's scripts do not implement stay with the built-ins.
    let absent = [
        ("argoproj.io/v1alpha1", "Rollout", Operation::ReviseReplica),
        (
            "argoproj.io/v1alpha1",
            "Workflow",
            Operation::AggregateStatus,
        ),
        ("ray.io/v1", "RayCluster", Operation::InterpretReplica),
        ("kyverno.io/v1", "Policy", Operation::InterpretDependency),
    ];
    for (api_version, kind, operation) in absent {
        assert!(
            host.plugin_for(&Gvk::new(api_version, kind), operation)
                .is_none(),
            "{kind} {operation}"
        );
    }
}

/// Each shipped plugin's release component stays small enough to vendor: at most 300 KB.
/// Every plugin built in this workspace starts small: the host scans a plugin's whole memory
/// after every call, so initial memory is time (`interpreters/.cargo/config.toml` sets the
/// stack, the SDK the arena).
#[test]
fn every_built_plugin_starts_with_at_most_1_5_mib_of_memory() {
    use wasmparser::{Parser, Payload};
    const WASM_PAGE: u64 = 64 << 10;
    let root = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/interpreters/dist"));
    let mut checked = 0;
    for dir in [root.to_path_buf(), root.join("examples")] {
        for entry in std::fs::read_dir(&dir).expect("interpreters/dist") {
            let path = entry.expect("dist entry").path();
            if path.extension().is_none_or(|e| e != "wasm") {
                continue;
            }
            let bytes = std::fs::read(&path).expect("component");
            let mut memories = Vec::new();
            for payload in Parser::new(0).parse_all(&bytes) {
                if let Payload::MemorySection(section) = payload.expect("a valid component") {
                    for memory in section {
                        memories.push(memory.expect("a memory type").initial * WASM_PAGE);
                    }
                }
            }
            assert!(!memories.is_empty(), "{} has no memory", path.display());
            for bytes in memories {
                assert!(
                    bytes <= 3 << 19,
                    "{} starts with {bytes} bytes of memory",
                    path.display()
                );
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 9, "eight shipped plugins and the example");
}

#[test]
fn every_shipped_component_is_at_most_300_kb() {
    let dist = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/interpreters/dist"));
    let mut sizes = Vec::new();
    for entry in std::fs::read_dir(dist).expect("interpreters/dist") {
        let path = entry.expect("dist entry").path();
        if path.extension().is_some_and(|e| e == "wasm") {
            let size = std::fs::metadata(&path).expect("component metadata").len();
            sizes.push((
                path.file_name().map(|n| n.to_string_lossy().into_owned()),
                size,
            ));
        }
    }
    assert_eq!(sizes.len(), 8, "{sizes:?}");
    for (name, size) in &sizes {
        assert!(*size <= 300 * 1000, "{name:?} is {size} bytes");
    }
}
