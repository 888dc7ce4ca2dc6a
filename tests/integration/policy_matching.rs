//! Karmada's resource-selector priority and policy-choice cases from
//! `fixtures/vectors/scheduling/policy_matching.json` (read in place) and from this crate's
//! `tests/vectors/upstream/scheduling/policy_matching.json`.
//!
//! Conventions of the file: `priority` values are ImplicitPriority names; the functions
//! compare policies of one kind (a PropagationPolicy is always tried before any
//! ClusterPropagationPolicy, which the library's `select` does on top).

use fedplan::api::{ClusterPropagationPolicy, PropagationPolicy, ResourceSelector};
use fedplan::policy::{
    higher_priority_by_name, highest_priority_cluster_propagation_policy,
    highest_priority_propagation_policy,
};
use fedplan::selector::{
    resource_match_selectors_priority, resource_selector_priority, ImplicitPriority, TemplateRef,
};
use serde_json::Value;

/// The shared fixture and this crate's transcription of the upstream cases it lacks.
const VECTORS: [&str; 2] = [
    concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/fixtures/vectors/scheduling/policy_matching.json"
    ),
    concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/vectors/upstream/scheduling/policy_matching.json"
    ),
];

/// The cases of one vector file.
fn load(path: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let doc: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    assert!(doc.get("conventions").is_some(), "{path}: no conventions");
    doc["cases"].as_array().cloned().unwrap_or_default()
}

/// A policy as the vectors write it: Go test objects may omit `spec` (a zero value).
fn policy<T: serde::de::DeserializeOwned>(id: &str, v: &Value) -> T {
    let mut v = v.clone();
    if let Some(obj) = v.as_object_mut() {
        obj.entry("spec").or_insert_with(|| serde_json::json!({}));
    }
    serde_json::from_value(v).unwrap_or_else(|e| panic!("case {id}: policy: {e}"))
}

fn policies<T: serde::de::DeserializeOwned>(id: &str, v: &Value) -> Vec<T> {
    v.as_array()
        .map(|a| a.iter().map(|p| policy(id, p)).collect())
        .unwrap_or_default()
}

fn expected_priority(id: &str, v: &Value) -> ImplicitPriority {
    match v {
        Value::String(s) => s.parse().unwrap_or_else(|e| panic!("case {id}: {e}")),
        Value::Number(n) => match n.as_u64() {
            Some(0) => ImplicitPriority::MisMatch,
            Some(1) => ImplicitPriority::MatchAll,
            Some(2) => ImplicitPriority::MatchLabelSelector,
            Some(3) => ImplicitPriority::MatchName,
            _ => panic!("case {id}: bad priority {n}"),
        },
        other => panic!("case {id}: bad priority {other}"),
    }
}

fn expected_name(case: &Value) -> Option<String> {
    case["expected"]["policyName"].as_str().map(str::to_string)
}

#[test]
fn policy_matching_vectors() {
    for path in VECTORS {
        let cases = load(path);
        assert!(!cases.is_empty(), "no cases in {path}");
        for case in &cases {
            let id = format!("{path}: {}", case["id"].as_str().unwrap_or("?"));
            run_case(&id, case);
        }
    }
}

/// Runs one case against the library.
fn run_case(id: &str, case: &Value) {
    let input = &case["input"];
    let function = case["function"].as_str().unwrap_or("");
    match function {
        "ResourceSelectorPriority" => {
            let selector: ResourceSelector =
                serde_json::from_value(input["resourceSelector"].clone())
                    .unwrap_or_else(|e| panic!("case {id}: selector: {e}"));
            let got = resource_selector_priority(&TemplateRef::of(&input["resource"]), &selector);
            assert_eq!(
                got,
                expected_priority(id, &case["expected"]["priority"]),
                "case {id}"
            );
        }
        "ResourceMatches" | "ResourceMatchSelectors" => {
            let selectors: Vec<ResourceSelector> = match input.get("resourceSelectors") {
                Some(v) => serde_json::from_value(v.clone()),
                None => serde_json::from_value(input["resourceSelector"].clone()).map(|s| vec![s]),
            }
            .unwrap_or_else(|e| panic!("case {id}: selectors: {e}"));
            let got =
                resource_match_selectors_priority(&TemplateRef::of(&input["resource"]), &selectors)
                    .is_match();
            assert_eq!(Some(got), case["expected"]["match"].as_bool(), "case {id}");
        }
        "ResourceMatchSelectorsPriority" => {
            let selectors: Vec<ResourceSelector> =
                serde_json::from_value(input["resourceSelectors"].clone())
                    .unwrap_or_else(|e| panic!("case {id}: selectors: {e}"));
            let got =
                resource_match_selectors_priority(&TemplateRef::of(&input["resource"]), &selectors);
            assert_eq!(
                got,
                expected_priority(id, &case["expected"]["priority"]),
                "case {id}"
            );
        }
        "getHighestPriorityPropagationPolicy" => check_highest(
            id,
            case,
            highest_priority_propagation_policy,
            |p: &PropagationPolicy| p.metadata.name.as_str(),
        ),
        "getHighestPriorityClusterPropagationPolicy" => check_highest(
            id,
            case,
            highest_priority_cluster_propagation_policy,
            |p: &ClusterPropagationPolicy| p.metadata.name.as_str(),
        ),
        "getHigherPriorityPropagationPolicy" => {
            check_higher(id, case, |p: &PropagationPolicy| p.metadata.name.as_str())
        }
        "getHigherPriorityClusterPropagationPolicy" => {
            check_higher(id, case, |p: &ClusterPropagationPolicy| {
                p.metadata.name.as_str()
            })
        }
        other => panic!("case {id}: unknown function {other:?}"),
    }
}

/// A `getHighestPriority…` case: the policy `highest` picks among the case's policies.
fn check_highest<P: serde::de::DeserializeOwned>(
    id: &str,
    case: &Value,
    highest: for<'a> fn(&Value, &'a [P]) -> Option<&'a P>,
    name: fn(&P) -> &str,
) {
    let input = &case["input"];
    let candidates: Vec<P> = policies(id, &input["policies"]);
    let got = highest(&input["resource"], &candidates).map(|p| name(p).to_string());
    assert_eq!(
        got,
        expected_name(case),
        "case {id}: {}",
        case["description"]
    );
}

/// A `getHigherPriority…` case: the name tie-break between an optional `a` and `b`.
fn check_higher<P: serde::de::DeserializeOwned>(id: &str, case: &Value, name: fn(&P) -> &str) {
    let input = &case["input"];
    let a: Option<P> = (!input["a"].is_null()).then(|| policy(id, &input["a"]));
    let b: P = policy(id, &input["b"]);
    let got = higher_priority_by_name(a.as_ref(), &b, name);
    assert_eq!(
        Some(name(got).to_string()),
        expected_name(case),
        "case {id}"
    );
}
