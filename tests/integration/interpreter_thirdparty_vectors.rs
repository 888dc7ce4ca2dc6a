//! Karmada's third-party customization test data for the OpenKruise and Flux kinds, read in
//! place from the shared fixtures and from this crate's own transcription of the upstream
//! cases the fixtures lack (`tests/vectors/upstream/interpreter/thirdparty`), both run
//! through the default interpreter chain.
//!
//! Comparison follows Karmada's: only the outputs a case states are checked (a case without
//! any only has to succeed), dependencies compared after sorting, objects after removing
//! fields whose expected value is `{{EXCLUDE}}`, replica requirements with quantities compared
//! by value.

use std::path::PathBuf;

use fedplan::api::{AggregatedStatusItem, DependentObjectReference, ReplicaRequirements};
use fedplan::interpreter::{chain::InterpreterChain, Operation, ResourceInterpreter};
use serde_json::{json, Value};

const FILES: &[&str] = &[
    "apps.kruise.io/v1alpha1/AdvancedCronJob.json",
    "apps.kruise.io/v1alpha1/BroadcastJob.json",
    "apps.kruise.io/v1alpha1/CloneSet.json",
    "apps.kruise.io/v1alpha1/DaemonSet.json",
    "apps.kruise.io/v1alpha1/SidecarSet.json",
    "apps.kruise.io/v1alpha1/UnitedDeployment.json",
    "apps.kruise.io/v1beta1/StatefulSet.json",
    "helm.toolkit.fluxcd.io/v2beta1/HelmRelease.json",
    "kustomize.toolkit.fluxcd.io/v1/Kustomization.json",
    "source.toolkit.fluxcd.io/v1/GitRepository.json",
    "source.toolkit.fluxcd.io/v1beta2/Bucket.json",
    "source.toolkit.fluxcd.io/v1beta2/HelmChart.json",
    "source.toolkit.fluxcd.io/v1beta2/HelmRepository.json",
    "source.toolkit.fluxcd.io/v1beta2/OCIRepository.json",
];

/// The shared fixtures and this crate's transcription of the remaining upstream cases.
const ROOTS: &[&str] = &[
    concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/fixtures/vectors/interpreter/thirdparty/"
    ),
    concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/vectors/upstream/interpreter/thirdparty/"
    ),
];

/// Every vector file for `file` under [`ROOTS`] (the upstream one only when it exists),
/// with its cases.
fn vector_files(file: &str) -> Vec<(PathBuf, Vec<Value>)> {
    let mut found = Vec::new();
    for (i, root) in ROOTS.iter().enumerate() {
        let path = PathBuf::from(root).join(file);
        if i > 0 && !path.exists() {
            continue;
        }
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let doc: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
        let cases = doc["cases"].as_array().expect("cases").clone();
        found.push((path, cases));
    }
    found
}

/// Removes from `got` every field whose expected value is the `{{EXCLUDE}}` marker.
fn exclude(got: &mut Value, want: &Value) {
    if let (Some(g), Some(w)) = (got.as_object_mut(), want.as_object()) {
        for (k, wv) in w {
            if wv == "{{EXCLUDE}}" {
                g.remove(k);
            } else if let Some(gv) = g.get_mut(k) {
                exclude(gv, wv);
            }
        }
    } else if let (Some(g), Some(w)) = (got.as_array_mut(), want.as_array()) {
        for (gv, wv) in g.iter_mut().zip(w) {
            exclude(gv, wv);
        }
    }
}

fn drop_excluded(want: &mut Value) {
    match want {
        Value::Object(m) => {
            m.retain(|_, v| v != "{{EXCLUDE}}");
            m.values_mut().for_each(drop_excluded);
        }
        Value::Array(a) => a.iter_mut().for_each(drop_excluded),
        _ => {}
    }
}

fn assert_object(name: &str, got: Value, want: &Value) {
    let mut got = got;
    exclude(&mut got, want);
    let mut want = want.clone();
    drop_excluded(&mut want);
    assert_eq!(got, want, "{name}");
}

fn run_case(chain: &InterpreterChain, file: &std::path::Path, case: &Value) {
    let name = format!(
        "{}: {}",
        file.display(),
        case["name"].as_str().unwrap_or("")
    );
    let input = &case["input"];
    let expected = &case["expected"];
    let desired = input.get("desiredObj");
    let observed = input.get("observedObj");
    let op: Operation = case["operation"]
        .as_str()
        .expect("operation")
        .parse()
        .expect("known operation");
    let one = || desired.or(observed).expect("an object");
    match op {
        Operation::InterpretReplica => {
            let got = chain
                .interpret_replica(one())
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            if let Some(r) = expected.get("replica") {
                assert_eq!(json!(got.replicas), *r, "{name}");
            }
            if let Some(req) = expected.get("requires") {
                let want: Option<ReplicaRequirements> =
                    serde_json::from_value(req.clone()).expect("requirements");
                assert_eq!(got.replica_requirements, want, "{name}");
            }
        }
        Operation::ReviseReplica => {
            let n = input["inputReplicas"].as_i64().expect("inputReplicas");
            let got = chain
                .revise_replica(one(), n)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            if let Some(want) = expected.get("revised") {
                assert_object(&name, got, want);
            }
        }
        Operation::Retain => {
            let got = chain
                .retain(desired.expect("desiredObj"), observed.expect("observedObj"))
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            if let Some(want) = expected.get("retained") {
                assert_object(&name, got, want);
            }
        }
        Operation::AggregateStatus => {
            let items: Option<Vec<AggregatedStatusItem>> = input
                .get("statusItems")
                .map(|v| serde_json::from_value(v.clone()).expect("status items"));
            let got = chain
                .aggregate_status_items(one(), items.as_deref())
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            if let Some(want) = expected.get("aggregatedStatus") {
                assert_object(&name, got, want);
            }
        }
        Operation::InterpretStatus => {
            let got = chain
                .interpret_status(observed.or(desired).expect("an object"))
                .unwrap_or_else(|e| panic!("{name}: {e}"))
                .unwrap_or(Value::Null);
            if let Some(want) = expected.get("status") {
                assert_object(&name, got, want);
            }
        }
        Operation::InterpretHealth => {
            let got = chain
                .interpret_health(observed.or(desired).expect("an object"))
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            if let Some(want) = expected.get("healthy") {
                assert_eq!(json!(got), *want, "{name}");
            }
        }
        Operation::InterpretDependency => {
            let mut got = chain
                .interpret_dependency(one())
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            if let Some(want) = expected.get("dependencies") {
                let mut want: Vec<DependentObjectReference> =
                    serde_json::from_value(want.clone()).expect("dependencies");
                got.sort();
                want.sort();
                assert_eq!(got, want, "{name}");
            }
        }
        Operation::InterpretComponent => panic!("{name}: no component vectors expected"),
    }
}

#[test]
fn kruise_and_flux_vectors() {
    let chain = InterpreterChain::default();
    let mut ran = 0;
    let mut failures = Vec::new();
    for file in FILES {
        for (path, cases) in vector_files(file) {
            for case in cases {
                // Every case runs; the failures are reported together.
                let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    run_case(&chain, &path, &case)
                }));
                if let Err(panic) = outcome {
                    let message = panic
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_string()))
                        .unwrap_or_default();
                    failures.push(message);
                }
                ran += 1;
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {ran} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    eprintln!("{ran} third-party cases");
    assert!(ran > 100, "only {ran} cases found");
}

/// Every upstream transcription of a built-in kind is one of [`FILES`], so none is left unrun.
#[test]
fn every_upstream_builtin_file_is_run() {
    let root = PathBuf::from(ROOTS[1]);
    for relative in crate::upstream_vectors::files_under(&root) {
        let group = relative.split('/').next().unwrap_or("");
        if group == "apps.kruise.io" || group.ends_with("fluxcd.io") {
            assert!(FILES.contains(&relative.as_str()), "{relative} is not run");
        }
    }
}
