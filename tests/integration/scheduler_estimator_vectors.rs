//! The general estimator against the vectors transcribed from Karmada's unit tests
//! (`fixtures/vectors/scheduling/estimator_general.json`), and the further upstream cases of
//! the same tests in this crate's `tests/vectors/upstream/scheduling/estimator_general.json`
//! (same format), run through the same checks.
//!
//! Every case is dispatched on its `function`; a function this file does not know fails the
//! test. Cases the library cannot express are listed in `NOT_EXPRESSIBLE` with the reason.

use std::path::PathBuf;
use std::sync::Arc;

use fedplan::api::{Cluster, Component, ReplicaRequirements, ResourceSummary};
use fedplan::scheduler::estimator::{
    allowed_pod_number, max_replicas_by_resource_models, max_replicas_by_summary,
    max_sets_by_resource_models, AssumedWorkload, Estimator, EstimatorOptions, GeneralEstimator,
};
use serde_json::Value;

/// Cases whose inputs the library cannot take, with the reason.
const NOT_EXPRESSIBLE: &[(&str, &str)] = &[];

/// The cases of the shared fixture and of this crate's upstream additions, each with a label
/// `<path>: <id>` so a failure names the file and the case.
fn cases() -> Vec<(String, Value)> {
    let paths = [
        PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/fixtures/vectors/scheduling/estimator_general.json"
        )),
        PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/vectors/upstream/scheduling/estimator_general.json"
        )),
    ];
    let mut all = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        let v: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("parsing {}: {e}", path.display()));
        let list = v["cases"].as_array().cloned().unwrap_or_default();
        assert!(!list.is_empty(), "{}: no cases", path.display());
        for case in list {
            let id = case["id"].as_str().unwrap_or("?");
            all.push((format!("{}: {id}", path.display()), case));
        }
    }
    all
}

fn parse<T: serde::de::DeserializeOwned>(id: &str, what: &str, v: &Value) -> T {
    serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("{id}: {what}: {e}"))
}

fn requirements(id: &str, v: &Value) -> Option<ReplicaRequirements> {
    (!v.is_null()).then(|| parse(id, "replicaRequirements", v))
}

/// The estimator a case asks for: its feature gates, and its assumed workloads — a list for
/// the single-cluster functions (then they belong to `cluster`), a map from cluster name to
/// list for the multi-cluster ones.
fn estimator(id: &str, input: &Value, cluster: Option<&Cluster>) -> GeneralEstimator {
    let gates = &input["featureGates"];
    let defaults = EstimatorOptions::default();
    let mut estimator = GeneralEstimator {
        options: EstimatorOptions {
            customized_cluster_resource_modeling: gates["CustomizedClusterResourceModeling"]
                .as_bool()
                .unwrap_or(defaults.customized_cluster_resource_modeling),
            scheduling_overcommit_protection: gates["SchedulingOvercommitProtection"]
                .as_bool()
                .unwrap_or(defaults.scheduling_overcommit_protection),
        },
        ..Default::default()
    };
    match &input["assumedWorkloads"] {
        Value::Null => {}
        Value::Object(_) => {
            estimator.assumed = parse(id, "assumedWorkloads", &input["assumedWorkloads"]);
        }
        list => {
            let assumed: Vec<AssumedWorkload> = parse(id, "assumedWorkloads", list);
            let name = cluster.map_or("", |c| c.name());
            estimator.assumed.insert(name.to_string(), assumed);
        }
    }
    estimator
}

/// `(name, count)` pairs of an expected per-cluster list.
fn named_counts(list: &Value, count: &str) -> Vec<(String, i64)> {
    list.as_array()
        .map(|l| {
            l.iter()
                .map(|t| {
                    (
                        t["name"].as_str().unwrap_or("").to_string(),
                        t[count].as_i64().unwrap_or(0),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn estimator_general_vectors() {
    let all = cases();
    assert!(!all.is_empty());
    let mut checked = 0;
    for (label, case) in &all {
        if NOT_EXPRESSIBLE
            .iter()
            .any(|(skip, _)| Some(*skip) == case["id"].as_str())
        {
            continue;
        }
        let id = label.as_str();
        let input = &case["input"];
        let expected = &case["expected"];
        match case["function"].as_str().unwrap_or("") {
            "getMaximumReplicasBasedOnResourceModels" => {
                let cluster: Cluster = parse(id, "cluster", &input["cluster"]);
                let req = requirements(id, &input["replicaRequirements"]).unwrap_or_default();
                let got = max_replicas_by_resource_models(&cluster, &req.resource_request, &[]);
                if expected["error"].as_bool() == Some(true) {
                    assert!(got.is_err(), "{id}: expected an error, got {got:?}");
                } else {
                    assert_eq!(got, Ok(expected["replicas"].as_i64().unwrap()), "{id}");
                }
            }
            "getMaximumSetsBasedOnResourceModels" => {
                let cluster: Cluster = parse(id, "cluster", &input["cluster"]);
                let components: Vec<Component> = parse(id, "components", &input["components"]);
                let upper = input["upperBound"].as_i64().unwrap_or(i64::from(i32::MAX)) as i32;
                let got = max_sets_by_resource_models(&cluster, &components, &[], upper);
                if expected["error"].as_bool() == Some(true) {
                    assert!(got.is_err(), "{id}: expected an error, got {got:?}");
                } else {
                    assert_eq!(got, Ok(expected["sets"].as_i64().unwrap() as i32), "{id}");
                }
            }
            "GeneralEstimator.maxAvailableReplicas" => {
                let cluster: Cluster = parse(id, "cluster", &input["cluster"]);
                let req = requirements(id, &input["replicaRequirements"]);
                let got =
                    estimator(id, input, Some(&cluster)).cluster_replicas(&cluster, req.as_ref());
                assert_eq!(
                    i64::from(got),
                    expected["replicas"].as_i64().unwrap(),
                    "{id}"
                );
            }
            "GeneralEstimator.MaxAvailableReplicas" => {
                let clusters: Vec<Cluster> = parse(id, "clusters", &input["clusters"]);
                let refs: Vec<&Cluster> = clusters.iter().collect();
                let req = requirements(id, &input["replicaRequirements"]);
                let estimator: Arc<dyn Estimator> = Arc::new(estimator(id, input, None));
                let got = estimator.max_available_replicas(&refs, req.as_ref());
                let want = named_counts(&expected["targetClusters"], "replicas");
                let got: Vec<(String, i64)> = clusters
                    .iter()
                    .zip(got)
                    .map(|(c, r)| (c.name().to_string(), i64::from(r)))
                    .collect();
                assert_eq!(got, want, "{id}");
            }
            "GeneralEstimator.maxAvailableComponentSets" => {
                let cluster: Cluster = parse(id, "cluster", &input["cluster"]);
                let components: Vec<Component> = parse(id, "components", &input["components"]);
                let got = estimator(id, input, Some(&cluster))
                    .cluster_component_sets(&cluster, &components);
                assert_eq!(i64::from(got), expected["sets"].as_i64().unwrap(), "{id}");
            }
            "GeneralEstimator.MaxAvailableComponentSets" => {
                let clusters: Vec<Cluster> = parse(id, "clusters", &input["clusters"]);
                let refs: Vec<&Cluster> = clusters.iter().collect();
                let components: Vec<Component> = parse(id, "components", &input["components"]);
                let estimator: Arc<dyn Estimator> = Arc::new(estimator(id, input, None));
                let got: Vec<(String, i64)> = clusters
                    .iter()
                    .zip(estimator.max_available_component_sets(&refs, &components))
                    .map(|(c, sets)| (c.name().to_string(), i64::from(sets)))
                    .collect();
                assert_eq!(got, named_counts(&expected["sets"], "sets"), "{id}");
            }
            "getAllowedPodNumber" => {
                let summary: ResourceSummary =
                    parse(id, "resourceSummary", &input["resourceSummary"]);
                assert_eq!(
                    allowed_pod_number(&summary),
                    expected["pods"].as_i64().unwrap(),
                    "{id}"
                );
            }
            "getMaximumReplicasBasedOnClusterSummary" => {
                let summary: ResourceSummary =
                    parse(id, "resourceSummary", &input["resourceSummary"]);
                let req = requirements(id, &input["replicaRequirements"]).unwrap_or_default();
                assert_eq!(
                    max_replicas_by_summary(&summary, &req.resource_request),
                    expected["replicas"].as_i64().unwrap(),
                    "{id}"
                );
            }
            other => panic!("{id}: unknown function {other}"),
        }
        checked += 1;
    }
    assert_eq!(checked + NOT_EXPRESSIBLE.len(), all.len());
}
