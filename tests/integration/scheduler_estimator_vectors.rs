//! The general estimator against the vectors transcribed from Karmada's unit tests
//! (`fixtures/vectors/scheduling/estimator_general.json`).
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

fn cases() -> Vec<Value> {
    let path = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/fixtures/vectors/scheduling/estimator_general.json"
    ));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let v: Value = serde_json::from_str(&text).unwrap();
    v["cases"].as_array().cloned().unwrap_or_default()
}

fn parse<T: serde::de::DeserializeOwned>(id: &str, what: &str, v: &Value) -> T {
    serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("{id}: {what}: {e}"))
}

fn requirements(id: &str, v: &Value) -> Option<ReplicaRequirements> {
    (!v.is_null()).then(|| parse(id, "replicaRequirements", v))
}

fn estimator(id: &str, input: &Value, cluster: &Cluster) -> GeneralEstimator {
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
    if !input["assumedWorkloads"].is_null() {
        let assumed: Vec<AssumedWorkload> =
            parse(id, "assumedWorkloads", &input["assumedWorkloads"]);
        estimator
            .assumed
            .insert(cluster.name().to_string(), assumed);
    }
    estimator
}

#[test]
fn estimator_general_vectors() {
    let all = cases();
    assert!(!all.is_empty());
    let mut checked = 0;
    for case in &all {
        let id = case["id"].as_str().unwrap_or("?");
        if NOT_EXPRESSIBLE.iter().any(|(skip, _)| *skip == id) {
            continue;
        }
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
                let got = estimator(id, input, &cluster).cluster_replicas(&cluster, req.as_ref());
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
                let estimator: Arc<dyn Estimator> = Arc::new(GeneralEstimator::new());
                let got = estimator.max_available_replicas(&refs, req.as_ref());
                let want: Vec<(String, i64)> = expected["targetClusters"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|t| {
                        (
                            t["name"].as_str().unwrap_or("").to_string(),
                            t["replicas"].as_i64().unwrap_or(0),
                        )
                    })
                    .collect();
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
                let got =
                    estimator(id, input, &cluster).cluster_component_sets(&cluster, &components);
                assert_eq!(i64::from(got), expected["sets"].as_i64().unwrap(), "{id}");
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
