//! Karmada's `ClusterMatches`, `ClusterNamesMatches` and `matchZones` cases from
//! `fixtures/vectors/scheduling/cluster_affinity.json` (read in place) and from this crate's
//! `tests/vectors/upstream/scheduling/cluster_affinity.json`.

use fedplan::api::{Cluster, ClusterAffinity, NodeSelectorRequirement};
use fedplan::selector::{cluster_matches, cluster_names_matches, match_zones};
use serde_json::Value;

/// The shared fixture and this crate's transcription of the upstream cases it lacks.
const VECTORS: [&str; 2] = [
    concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/fixtures/vectors/scheduling/cluster_affinity.json"
    ),
    concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/vectors/upstream/scheduling/cluster_affinity.json"
    ),
];

/// Functions of this file that are filter plugins (the scheduler's tests run them).
const SCHEDULER_FUNCTIONS: &[&str] = &[
    "ClusterAffinity.Filter",
    "APIEnablement.Filter",
    "SpreadConstraint.Filter",
    "ClusterEviction.Filter",
];

/// The cases of one vector file.
fn load(path: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let doc: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    doc["cases"].as_array().cloned().unwrap_or_default()
}

fn parse<T: serde::de::DeserializeOwned>(id: &str, what: &str, v: &Value) -> T {
    serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("case {id}: {what}: {e}"))
}

#[test]
fn cluster_matches_and_match_zones_vectors() {
    for path in VECTORS {
        let cases = load(path);
        assert!(!cases.is_empty(), "no cases in {path}");
        let mut ran = 0;
        for case in &cases {
            let id = format!("{path}: {}", case["id"].as_str().unwrap_or("?"));
            let id = id.as_str();
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
                    let names: Vec<String> = if input["clusterNames"].is_null() {
                        Vec::new() // a nil allow list
                    } else {
                        parse(id, "clusterNames", &input["clusterNames"])
                    };
                    cluster_names_matches(&cluster, &names)
                }
                "matchZones" => {
                    let req: NodeSelectorRequirement =
                        parse(id, "requirement", &input["requirement"]);
                    let zones: Vec<String> = parse(id, "zones", &input["zones"]);
                    match_zones(&req, &zones)
                }
                f if SCHEDULER_FUNCTIONS.contains(&f) => continue,
                other => panic!("case {id}: unknown function {other:?}"),
            };
            assert_eq!(Some(got), want, "case {id}: {}", case["description"]);
            ran += 1;
        }
        assert!(ran > 0, "{path}: no ClusterMatches/matchZones case ran");
    }
}
