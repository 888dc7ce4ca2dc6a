//! Replica division against the vectors transcribed from Karmada's unit tests
//! (`fixtures/vectors/scheduling/{webster,static_weight,dynamic_assignment}.json`), and the
//! further upstream cases of the same tests in this crate's
//! `tests/vectors/upstream/scheduling/` (same format), run through the same checks.
//!
//! Every case is dispatched on its `function`; a function this file does not know fails the
//! test, so a new case is never skipped silently. Cases the library cannot express are listed
//! in `NOT_EXPRESSIBLE` with the reason.

use std::collections::BTreeMap;
use std::path::PathBuf;

use fedplan::api::{Cluster, ResourceBindingSpec, ResourceBindingStatus, TargetCluster};
use fedplan::scheduler::assign::{
    assign_by_strategy, assign_replicas_to_candidates, dynamic_divide_replicas, AssignCandidate,
    AssignError, AssignmentMode, DivisionOptions,
};
use fedplan::scheduler::webster::{
    allocate_webster_seats, dispense, spread_replicas_by_target_clusters, TieBreak,
};
use serde_json::Value;

/// Cases whose inputs the library cannot take, with the reason.
const NOT_EXPRESSIBLE: &[(&str, &str)] = &[(
    "upstream-assign-unsupported-replica-scheduling-strategy",
    "replicaSchedulingType `UnsupportedType` is outside the CRD enum (Duplicated, Divided); \
     fedplan's API types reject it when the binding is read, before any assignment",
)];

/// The vector files of one name: the shared fixture and this crate's upstream additions.
fn vector_paths(file: &str) -> [PathBuf; 2] {
    [
        PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/fixtures/vectors/scheduling"
        ))
        .join(file),
        PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/vectors/upstream/scheduling"
        ))
        .join(file),
    ]
}

/// One case with the file it came from, so a failure names both.
struct Case {
    label: String,
    value: Value,
}

impl std::ops::Deref for Case {
    type Target = Value;
    fn deref(&self) -> &Value {
        &self.value
    }
}

/// The cases of every file of that name, each labelled `<path>: <id>`.
fn cases(file: &str) -> Vec<Case> {
    let mut all = Vec::new();
    for path in vector_paths(file) {
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        let doc: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("parsing {}: {e}", path.display()));
        let list = doc["cases"]
            .as_array()
            .unwrap_or_else(|| panic!("{}: no cases", path.display()));
        assert!(!list.is_empty(), "{}: no cases", path.display());
        for value in list {
            let id = value["id"].as_str().unwrap_or("?");
            all.push(Case {
                label: format!("{}: {id}", path.display()),
                value: value.clone(),
            });
        }
    }
    all
}

fn skipped(id: &str) -> bool {
    NOT_EXPRESSIBLE.iter().any(|(skip, _)| *skip == id)
}

fn target_clusters(v: &Value) -> Vec<TargetCluster> {
    if v.is_null() {
        return Vec::new();
    }
    serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("target clusters {v}: {e}"))
}

fn sorted(mut v: Vec<TargetCluster>) -> Vec<(String, i32)> {
    let mut pairs: Vec<(String, i32)> = v.drain(..).map(|t| (t.name, t.replicas)).collect();
    pairs.sort();
    pairs
}

/// A target with its per-component counts.
type TargetWithComponents = (String, i32, Vec<(String, i32)>);

/// Each target with its per-component counts, in result order.
fn with_components(v: &[TargetCluster]) -> Vec<TargetWithComponents> {
    v.iter()
        .map(|t| {
            let components = t
                .components
                .iter()
                .map(|c| (c.name.clone(), c.replicas))
                .collect();
            (t.name.clone(), t.replicas, components)
        })
        .collect()
}

fn in_order(v: &[TargetCluster]) -> Vec<(String, i32)> {
    v.iter().map(|t| (t.name.clone(), t.replicas)).collect()
}

fn tie_break(name: &str) -> TieBreak {
    match name {
        "none" | "nameAsc" => TieBreak::NameAscending,
        "nameDesc" => TieBreak::NameDescending,
        other => panic!("unknown tie-breaker {other}"),
    }
}

#[test]
fn webster_vectors() {
    for case in cases("webster.json") {
        if skipped(case["id"].as_str().unwrap_or("?")) {
            continue;
        }
        let id = case.label.as_str();
        let input = &case["input"];
        let expected = &case["expected"];
        match case["function"].as_str().unwrap_or("") {
            "AllocateWebsterSeats" => {
                let votes: BTreeMap<String, i64> =
                    serde_json::from_value(input["partyVotes"].clone()).unwrap();
                let initial: BTreeMap<String, i64> = if input["initialAssignments"].is_null() {
                    BTreeMap::new()
                } else {
                    serde_json::from_value(input["initialAssignments"].clone()).unwrap()
                };
                let tie = tie_break(input["tieBreaker"].as_str().unwrap_or("none"));
                let new_seats = input["newSeats"].as_i64().unwrap();
                let got = allocate_webster_seats(new_seats, &votes, &initial, tie);
                if expected["parties"].is_null() {
                    assert!(got.is_none(), "{id}: expected no parties, got {got:?}");
                    continue;
                }
                let got: Vec<(String, i64, i64)> = got
                    .unwrap_or_default()
                    .into_iter()
                    .map(|p| (p.name, p.votes, p.seats))
                    .collect();
                let want: Vec<(String, i64, i64)> = expected["parties"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| {
                        (
                            p["name"].as_str().unwrap().to_string(),
                            p["votes"].as_i64().unwrap(),
                            p["seats"].as_i64().unwrap(),
                        )
                    })
                    .collect();
                assert_eq!(got, want, "{id}");
            }
            "Dispenser.AllocateByWeight" => {
                let weights: Vec<(String, i64)> = input["weightList"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|w| {
                        (
                            w["clusterName"].as_str().unwrap().to_string(),
                            w["weight"].as_i64().unwrap(),
                        )
                    })
                    .collect();
                let weights: Vec<(&str, i64)> =
                    weights.iter().map(|(n, w)| (n.as_str(), *w)).collect();
                let tie = TieBreak::for_uid(input["resourceUID"].as_str().unwrap_or(""));
                let got = dispense(
                    input["numReplicas"].as_i64().unwrap() as i32,
                    &target_clusters(&input["init"]),
                    &weights,
                    tie,
                );
                let want = target_clusters(&expected["clusters"]);
                assert_eq!(sorted(got), sorted(want), "{id}");
            }
            "SpreadReplicasByTargetClusters" => {
                let tie = TieBreak::for_uid(input["resourceUID"].as_str().unwrap_or(""));
                let got = spread_replicas_by_target_clusters(
                    input["numReplicas"].as_i64().unwrap() as i32,
                    &target_clusters(&input["targetClusters"]),
                    &target_clusters(&input["init"]),
                    tie,
                );
                // With an empty UID the deterministic answer is the first listed.
                let want = target_clusters(&expected["anyOf"][0]);
                assert_eq!(sorted(got), sorted(want), "{id}");
            }
            other => panic!("{id}: unknown function {other}"),
        }
    }
}

/// The candidates of a case: clusters built from the names, with the estimator answers.
struct Candidates {
    clusters: Vec<Cluster>,
    allocatable: Vec<i64>,
    available: Vec<Option<i64>>,
    overflow: Vec<u32>,
}

impl Candidates {
    fn parse(v: &Value) -> Self {
        let list = v.as_array().cloned().unwrap_or_default();
        let mut out = Candidates {
            clusters: Vec::new(),
            allocatable: Vec::new(),
            available: Vec::new(),
            overflow: Vec::new(),
        };
        for c in list {
            let mut cluster = Cluster::default();
            cluster.metadata.name = c["name"].as_str().unwrap().to_string();
            out.clusters.push(cluster);
            out.allocatable
                .push(c["allocatableReplicas"].as_i64().unwrap_or(0));
            out.available.push(c["availableReplicas"].as_i64());
            out.overflow
                .push(c["overflowOrder"].as_u64().unwrap_or(0) as u32);
        }
        out
    }

    fn build(&self, spec: &ResourceBindingSpec) -> Vec<AssignCandidate<'_>> {
        self.clusters
            .iter()
            .enumerate()
            .map(|(i, cluster)| {
                let mut c = AssignCandidate::new(cluster, self.allocatable[i], spec, None);
                if let Some(available) = self.available[i] {
                    c.available_replicas = available;
                }
                c.overflow_order = self.overflow[i];
                c
            })
            .collect()
    }
}

fn binding(id: &str, input: &Value) -> (ResourceBindingSpec, Option<ResourceBindingStatus>) {
    let spec: ResourceBindingSpec = serde_json::from_value(input["bindingSpec"].clone())
        .unwrap_or_else(|e| panic!("{id}: bindingSpec: {e}"));
    let status: Option<ResourceBindingStatus> = match &input["bindingStatus"] {
        Value::Null => None,
        v => {
            Some(serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("{id}: status: {e}")))
        }
    };
    (spec, status)
}

fn options(
    input: &Value,
    spec: &ResourceBindingSpec,
    status: Option<&ResourceBindingStatus>,
) -> DivisionOptions {
    let mut options = DivisionOptions::default().for_binding(spec, status);
    if let Some(gate) = input["featureGates"]["MultiplePodTemplatesScheduling"].as_bool() {
        options.multiple_pod_templates_scheduling = gate;
    }
    match input["assignmentMode"].as_str() {
        Some("Fresh") => options.mode = AssignmentMode::Fresh,
        Some("Steady") => options.mode = AssignmentMode::Steady,
        _ => {}
    }
    options
}

fn check_error(id: &str, got: Result<Vec<TargetCluster>, AssignError>, want: &str) {
    let err = match got {
        Ok(result) => panic!("{id}: expected error {want}, got {result:?}"),
        Err(e) => e,
    };
    if want == "Unschedulable" {
        assert!(err.is_unschedulable(), "{id}: {err} is not Unschedulable");
    } else {
        assert!(
            err.to_string().contains(want),
            "{id}: {err} does not contain {want}"
        );
    }
}

/// Runs one assignment case (static weight, dynamic or duplicated).
fn run_assignment_case(case: &Case) {
    let id = case.label.as_str();
    let input = &case["input"];
    let expected = &case["expected"];
    let function = case["function"].as_str().unwrap_or("");
    let got = match function {
        "dynamicDivideReplicas" => {
            let aggregated = input["strategyType"].as_str() == Some("Aggregated");
            dynamic_divide_replicas(
                &target_clusters(&input["availableClusters"]),
                input["targetReplicas"].as_i64().unwrap(),
                aggregated,
                &target_clusters(&input["scheduledClusters"]),
                TieBreak::for_uid(input["resourceUID"].as_str().unwrap_or("")),
            )
        }
        "assignByStaticWeightStrategy"
        | "assignByDynamicStrategy"
        | "assignByDuplicatedStrategy"
        | "AssignReplicas" => {
            let (spec, status) = binding(id, input);
            let opts = options(input, &spec, status.as_ref());
            let candidates = Candidates::parse(&input["candidates"]);
            let built = candidates.build(&spec);
            if function == "AssignReplicas" {
                assign_replicas_to_candidates(&built, &spec, &opts)
            } else {
                assign_by_strategy(&built, &spec, spec.replicas, &opts)
            }
        }
        other => panic!("{id}: unknown function {other}"),
    };
    if let Some(want) = expected["error"].as_str() {
        check_error(id, got, want);
        return;
    }
    let got = got.unwrap_or_else(|e| panic!("{id}: unexpected error {e}"));
    let want = target_clusters(&expected["clusters"]);
    let lists_components = expected["clusters"]
        .as_array()
        .is_some_and(|l| l.iter().any(|c| c.get("components").is_some()));
    if lists_components {
        assert_eq!(with_components(&got), with_components(&want), "{id}");
    }
    if expected["ordered"].as_bool() == Some(true) {
        assert_eq!(in_order(&got), in_order(&want), "{id}");
    } else {
        assert_eq!(sorted(got), sorted(want), "{id}");
    }
}

#[test]
fn static_weight_vectors() {
    let all = cases("static_weight.json");
    assert!(!all.is_empty());
    for case in all
        .iter()
        .filter(|c| !skipped(c["id"].as_str().unwrap_or("")))
    {
        run_assignment_case(case);
    }
}

#[test]
fn dynamic_assignment_vectors() {
    let all = cases("dynamic_assignment.json");
    assert!(!all.is_empty());
    for case in all
        .iter()
        .filter(|c| !skipped(c["id"].as_str().unwrap_or("")))
    {
        run_assignment_case(case);
    }
}
