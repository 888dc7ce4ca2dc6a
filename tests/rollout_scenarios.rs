//! Rollout planner scenarios under examples/rollout, run through `Scenario` and asserted
//! step by step; each scenario's output is byte-identical across runs.

use std::collections::BTreeMap;

use fedplan::controlplane::scenario::{Scenario, StepOutput};
use serde_json::Value;

fn run(file: &str) -> Vec<StepOutput> {
    let path = format!("{}/examples/rollout/{file}", env!("CARGO_MANIFEST_DIR"));
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

/// The image each member cluster runs.
fn images(step: &StepOutput) -> BTreeMap<String, String> {
    step.members
        .iter()
        .filter_map(|(c, objs)| {
            objs.iter()
                .find_map(|o| o.pointer("/spec/template/spec/containers/0/image").and_then(Value::as_str))
                .map(|i| (c.clone(), i.to_string()))
        })
        .collect()
}

fn status(step: &StepOutput) -> Value {
    step.bindings
        .first()
        .and_then(|b| b.metadata.annotations.get("rollout.fedplan.io/status"))
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or(Value::Null)
}

#[test]
fn debug_dump() {
    for s in run("batches.yaml") {
        eprintln!("{} @ {}: {:?}\n  {}", s.name, s.time, images(&s), status(&s));
        for e in &s.events {
            eprintln!("    {} {} {} {}: {}", e.source, e.type_, e.object, e.reason, e.message);
        }
    }
}
