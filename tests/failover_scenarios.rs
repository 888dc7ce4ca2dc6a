//! Failover scenarios under examples/failover, run through `Scenario` and asserted step by
//! step; each scenario's output is byte-identical across runs.

use std::collections::BTreeMap;

use fedplan::controlplane::scenario::{Scenario, StepOutput};
use serde_json::Value;

fn run(file: &str) -> Vec<StepOutput> {
    let path = format!("{}/examples/failover/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let v: Value = serde_yaml_ng::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    let scenario = Scenario::from_value(v).unwrap_or_else(|e| panic!("{path}: {e}"));
    let first = scenario.run().unwrap_or_else(|e| panic!("{path}: {e}"));
    let second = scenario.run().unwrap_or_else(|e| panic!("{path}: {e}"));
    let a = serde_json::to_string(&first).unwrap_or_default();
    let b = serde_json::to_string(&second).unwrap_or_default();
    assert!(a == b, "{file}: output differs between two runs");
    first
}

/// Replicas of `name` per member cluster (clusters without it are left out).
fn replicas(step: &StepOutput, name: &str) -> BTreeMap<String, i64> {
    step.members
        .iter()
        .filter_map(|(c, objs)| {
            objs.iter()
                .find(|o| o.pointer("/metadata/name").and_then(Value::as_str) == Some(name))
                .map(|o| (c.clone(), o.pointer("/spec/replicas").and_then(Value::as_i64).unwrap_or(-1)))
        })
        .collect()
}

fn reasons(step: &StepOutput) -> Vec<String> {
    step.events.iter().map(|e| e.reason.clone()).collect()
}

fn map(pairs: &[(&str, i64)]) -> BTreeMap<String, i64> {
    pairs.iter().map(|(c, r)| (c.to_string(), *r)).collect()
}

#[test]
fn debug_dump() {
    for f in ["noexecute-taint.yaml", "cluster-not-ready.yaml", "application-failover.yaml"] {
        for s in run(f) {
            eprintln!("{f} / {} @ {}: {:?}", s.name, s.time, replicas(&s, if f.starts_with("app") { "app" } else { "web" }));
            for e in &s.events {
                eprintln!("    {} {} {} {}: {}", e.source, e.type_, e.object, e.reason, e.message);
            }
        }
    }
    let _ = (reasons, map);
}
#[test]
fn dbg_labels() {
    let out = run("application-failover.yaml");
    for s in &out[3..] {
        eprintln!("{}", serde_json::to_string(&s.members).unwrap());
        eprintln!("{}", serde_json::to_string(&s.bindings[0].spec).unwrap());
    }
}
