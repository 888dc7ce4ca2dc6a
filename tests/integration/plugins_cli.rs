//! `fedplan interpret --plugin interpreters/dist/<plugin>.wasm` for every kind the shipped
//! plugins serve: the first cases of each operation of Karmada's third-party testdata, run
//! through the binary and compared as the in-process vectors are.
#![cfg(all(feature = "wasm", feature = "cli"))]

use crate::plugins_support::{run_vectors_with, Runner};

/// `(vector file, plugin)`: every kind the plugins serve.
const KINDS: &[(&str, &str)] = &[
    ("argoproj.io/v1alpha1/Workflow.json", "argo-workflow"),
    ("batch.volcano.sh/v1alpha1/Job.json", "volcano-job"),
    ("flink.apache.org/v1beta1/FlinkDeployment.json", "flink"),
    ("kubeflow.org/v1/Notebook.json", "kubeflow"),
    ("kubeflow.org/v1/PyTorchJob.json", "kubeflow"),
    ("kubeflow.org/v1/TFJob.json", "kubeflow"),
    ("kubeflow.org/v2beta1/MPIJob.json", "kubeflow"),
    ("kyverno.io/v1/ClusterPolicy.json", "kyverno"),
    ("kyverno.io/v1/Policy.json", "kyverno"),
    ("ray.io/v1/RayCluster.json", "ray"),
    ("ray.io/v1/RayJob.json", "ray"),
    ("ray.io/v1/RayService.json", "ray"),
    (
        "sparkoperator.k8s.io/v1beta2/SparkApplication.json",
        "spark",
    ),
];

#[test]
fn every_kind_and_operation_through_the_command_line() {
    let mut ran = 0;
    for &(file, plugin) in KINDS {
        let cases = run_vectors_with(file, &[], Runner::Cli { plugin }, 1);
        assert!(cases >= 3, "{file}: only {cases} operation(s) exercised");
        ran += cases;
    }
    assert!(ran >= 13 * 3, "{ran} cases");
}

#[test]
fn a_directory_of_plugins_serves_every_kind() {
    let dist = concat!(env!("CARGO_MANIFEST_DIR"), "/interpreters/dist");
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("plugins_cli_dir");
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let object = dir.join("rayjob.json");
    std::fs::write(
        &object,
        br#"{"apiVersion": "ray.io/v1", "kind": "RayJob",
             "metadata": {"name": "pi", "namespace": "default"},
             "status": {"jobStatus": "SUCCEEDED", "jobDeploymentStatus": "Complete"}}"#,
    )
    .expect("write object");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_fedplan"))
        .args(["-o", "json", "interpret", "--operation", "InterpretHealth"])
        .args(["--plugin", dist, "--observed-file"])
        .arg(&object)
        .output()
        .expect("run fedplan");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON output");
    assert_eq!(printed["healthy"], serde_json::Value::Bool(true));
}
