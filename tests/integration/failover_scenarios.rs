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
                .map(|o| {
                    (
                        c.clone(),
                        o.pointer("/spec/replicas")
                            .and_then(Value::as_i64)
                            .unwrap_or(-1),
                    )
                })
        })
        .collect()
}

fn reasons(step: &StepOutput) -> Vec<String> {
    step.events.iter().map(|e| e.reason.clone()).collect()
}

fn map(pairs: &[(&str, i64)]) -> BTreeMap<String, i64> {
    pairs.iter().map(|(c, r)| (c.to_string(), *r)).collect()
}

fn events_with(step: &StepOutput, reason: &str) -> Vec<String> {
    step.events
        .iter()
        .filter(|e| e.reason == reason)
        .map(|e| e.message.clone())
        .collect()
}

#[test]
fn no_execute_taint_evicts_after_toleration_and_not_before() {
    let out = run("noexecute-taint.yaml");
    assert_eq!(out.len(), 4);
    let even = map(&[("a", 2), ("b", 2), ("c", 2)]);
    assert_eq!(replicas(&out[0], "web"), even);
    // Tainted: the eviction is scheduled for timeAdded + 300 s and logged once.
    assert_eq!(replicas(&out[1], "web"), even);
    let scheduled = events_with(&out[1], "TaintEvictionScheduled");
    assert_eq!(scheduled.len(), 1);
    assert!(
        scheduled[0].contains("2026-01-01T00:05:00Z"),
        "{scheduled:?}"
    );
    // One second before the toleration ends nothing moves.
    assert_eq!(replicas(&out[2], "web"), even);
    assert!(!reasons(&out[2]).contains(&"EvictWorkloadFromClusterSucceed".to_string()));
    // At the end of the toleration c loses its replicas to a and b.
    assert_eq!(replicas(&out[3], "web"), map(&[("a", 3), ("b", 3)]));
    let evicted = events_with(&out[3], "EvictWorkloadFromClusterSucceed");
    assert_eq!(evicted.len(), 1);
    assert!(evicted[0].contains("TaintUntolerated") && evicted[0].contains("Gracefully"));
    assert!(reasons(&out[3]).contains(&"GracefulEvictionTaskRemoved".to_string()));
    let binding = &out[3].bindings[0];
    assert!(binding.spec.graceful_eviction_tasks.is_empty());
    assert!(binding.spec.clusters.iter().all(|t| t.name != "c"));
}

#[test]
fn not_ready_cluster_is_tainted_and_drained() {
    let out = run("cluster-not-ready.yaml");
    assert_eq!(
        replicas(&out[0], "web"),
        map(&[("a", 2), ("b", 2), ("c", 2)])
    );
    let tainted = events_with(&out[1], "TaintClusterSucceed");
    assert_eq!(tainted.len(), 1);
    assert!(
        tainted[0].contains("cluster.karmada.io/not-ready:NoExecute"),
        "{tainted:?}"
    );
    assert!(tainted[0].contains("Ready=False"));
    assert_eq!(replicas(&out[1], "web"), map(&[("a", 3), ("b", 3)]));
    let evicted = events_with(&out[1], "EvictWorkloadFromClusterSucceed");
    assert!(
        evicted.iter().any(|m| m.contains("untolerated NoExecute")),
        "{evicted:?}"
    );
    // Ready again: the policy removes its taint; the workload stays where it is.
    assert_eq!(events_with(&out[2], "UntaintClusterSucceed").len(), 1);
    assert_eq!(replicas(&out[2], "web"), map(&[("a", 3), ("b", 3)]));
}

#[test]
fn unhealthy_application_fails_over_with_preserved_state() {
    let out = run("application-failover.yaml");
    assert_eq!(replicas(&out[0], "app"), map(&[("a", 3)]));
    let unhealthy = events_with(&out[1], "ApplicationUnhealthy");
    assert_eq!(unhealthy.len(), 1, "{:?}", reasons(&out[1]));
    // Exactly tolerationSeconds later it is still tolerated (Karmada needs "after").
    assert_eq!(replicas(&out[2], "app"), map(&[("a", 3)]));
    assert_eq!(replicas(&out[3], "app"), map(&[("b", 3)]));
    let evicted = events_with(&out[3], "EvictWorkloadFromClusterSucceed");
    assert!(evicted[0].contains("ApplicationFailure") && evicted[0].contains("Directly"));
    let live_b = out[3].members["b"]
        .iter()
        .find(|o| o.pointer("/metadata/name").and_then(Value::as_str) == Some("app"))
        .cloned()
        .unwrap_or(Value::Null);
    assert_eq!(
        live_b
            .pointer("/metadata/labels/failover.example.io~1ready")
            .and_then(Value::as_str),
        Some("1"),
        "the readyReplicas a reported are preserved on b"
    );
}
