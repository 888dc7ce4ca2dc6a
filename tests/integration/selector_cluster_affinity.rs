//! Karmada's `ClusterMatches` and `matchZones` cases from
//! `fixtures/vectors/scheduling/cluster_affinity.json`, read in place.

use fedplan::api::{Cluster, ClusterAffinity, NodeSelectorRequirement};
use fedplan::selector::{cluster_matches, cluster_names_matches, match_zones};
use serde_json::Value;

const VECTORS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/fixtures/vectors/scheduling/cluster_affinity.json"
);

/// Functions of this file that are filter plugins (the scheduler's tests run them).
const SCHEDULER_FUNCTIONS: &[&str] = &["ClusterAffinity.Filter", "APIEnablement.Filter"];

fn load() -> Vec<Value> {
    let text = std::fs::read_to_string(VECTORS).unwrap_or_else(|e| panic!("{VECTORS}: {e}"));
    let doc: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{VECTORS}: {e}"));
    doc["cases"].as_array().cloned().unwrap_or_default()
}

fn parse<T: serde::de::DeserializeOwned>(id: &str, what: &str, v: &Value) -> T {
    serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("case {id}: {what}: {e}"))
}

#[test]
fn cluster_matches_and_match_zones_vectors() {
    let cases = load();
    assert!(!cases.is_empty(), "no cases in {VECTORS}");
    let mut ran = 0;
    for case in &cases {
        let id = case["id"].as_str().unwrap_or("?");
        let function = case["function"].as_str().unwrap_or("");
        let input = &case["input"];
        let want = case["expected"]["match"].as_bool();
        let got = match function {
            "ClusterMatches" => {
                let cluster: Cluster = parse(id, "cluster", &input["cluster"]);
                let affinity: ClusterAffinity = parse(id, "affinity", &input["affinity"]);
                cluster_matches(&cluster, &affinity)
            }
            "ClusterNamesMatches" => {
                let cluster: Cluster = parse(id, "cluster", &input["cluster"]);
                let names: Vec<String> = parse(id, "clusterNames", &input["clusterNames"]);
                cluster_names_matches(&cluster, &names)
            }
            "matchZones" => {
                let req: NodeSelectorRequirement = parse(id, "requirement", &input["requirement"]);
                let zones: Vec<String> = parse(id, "zones", &input["zones"]);
                match_zones(&req, &zones)
            }
            f if SCHEDULER_FUNCTIONS.contains(&f) => continue,
            other => panic!("case {id}: unknown function {other:?}"),
        };
        assert_eq!(Some(got), want, "case {id}: {}", case["description"]);
        ran += 1;
    }
    assert!(ran > 0, "no ClusterMatches/matchZones case ran");
}
