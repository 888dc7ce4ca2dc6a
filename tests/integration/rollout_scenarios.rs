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
                .find_map(|o| {
                    o.pointer("/spec/template/spec/containers/0/image")
                        .and_then(Value::as_str)
                })
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

fn held(step: &StepOutput) -> Vec<String> {
    step.bindings
        .first()
        .and_then(|b| b.spec.suspension.as_ref())
        .and_then(|s| s.dispatching_on_clusters.as_ref())
        .map(|d| d.cluster_names.clone())
        .unwrap_or_default()
}

fn on(step: &StepOutput, image: &str) -> Vec<String> {
    images(step)
        .into_iter()
        .filter(|(_, i)| i == image)
        .map(|(c, _)| c)
        .collect()
}

fn has(step: &StepOutput, reason: &str) -> bool {
    step.events.iter().any(|e| e.reason == reason)
}

#[test]
fn batches_advance_pause_and_resume() {
    let out = run("batches.yaml");
    let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(out.len(), 8);
    assert_eq!(on(&out[0], "web:1").len(), 5);
    assert_eq!(status(&out[0])["phase"], "Completed");
    // Batch 1.
    assert_eq!(on(&out[1], "web:2"), names(&["c1"]));
    assert_eq!(held(&out[1]), names(&["c2", "c3", "c4", "c5"]));
    assert!(has(&out[1], "RolloutStarted"));
    // Soaked: batch 2.
    assert_eq!(on(&out[2], "web:2"), names(&["c1", "c2", "c3"]));
    assert_eq!(held(&out[2]), names(&["c4", "c5"]));
    assert!(has(&out[2], "RolloutBatchReleased"));
    // c2 unhealthy: paused, the strategy annotation is marked paused.
    assert_eq!(status(&out[3])["phase"], "Paused");
    assert!(has(&out[3], "RolloutPaused"));
    assert_eq!(held(&out[3]), names(&["c4", "c5"]));
    // Time passes: nothing more is released while paused.
    assert_eq!(on(&out[4], "web:1"), names(&["c4", "c5"]));
    assert!(out[4].events.is_empty(), "{:?}", out[4].events);
    // Resumed by editing the annotation, then batch 3 and completion.
    assert!(has(&out[5], "RolloutResumed"));
    assert_eq!(status(&out[5])["phase"], "Progressing");
    assert_eq!(on(&out[6], "web:2").len(), 5);
    assert!(held(&out[6]).is_empty());
    assert_eq!(status(&out[7])["phase"], "Completed");
    assert_eq!(status(&out[7])["stableRevision"], 2);
    assert!(has(&out[7], "RolloutCompleted"));
}

#[test]
fn failure_rolls_back_to_the_last_complete_revision() {
    let out = run("rollback.yaml");
    let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(on(&out[1], "web:2"), names(&["x1"]));
    assert_eq!(held(&out[1]), names(&["x2", "x3"]));
    assert!(has(&out[2], "RolloutRolledBack"));
    assert!(has(&out[2], "RolloutRollbackApplied"));
    assert_eq!(on(&out[2], "web:1"), names(&["x1", "x2", "x3"]));
    assert!(held(&out[2]).is_empty());
    assert_eq!(status(&out[2])["phase"], "RolledBack");
    let template = &out[2].templates[0];
    assert_eq!(
        template
            .pointer("/metadata/generation")
            .and_then(Value::as_i64),
        Some(3)
    );
}
