//! The cross-cluster rolling upgrade of Karmada v1.11, checked after every step.
#![cfg(feature = "yaml")]

use fedplan::controlplane::scenario::{Scenario, StepOutput};
use serde_json::Value;

fn run() -> Vec<StepOutput> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/rolling-upgrade/scenario.yaml"
    );
    let text = std::fs::read_to_string(path).unwrap();
    let v: Value = serde_yaml_ng::from_str(&text).unwrap();
    Scenario::from_value(v).unwrap().run().unwrap()
}

fn image(step: &StepOutput, cluster: &str) -> String {
    let objs = &step.members[cluster];
    assert_eq!(objs.len(), 1, "{cluster} runs {} objects", objs.len());
    objs[0]["spec"]["template"]["spec"]["containers"][0]["image"]
        .as_str()
        .unwrap()
        .to_string()
}

fn suspended(step: &StepOutput, cluster: &str) -> bool {
    let ns = format!("karmada-es-{cluster}");
    let w = step
        .works
        .iter()
        .find(|w| w.metadata.namespace == ns)
        .unwrap_or_else(|| panic!("no Work for {cluster}"));
    w.spec.suspend_dispatching.unwrap_or(false)
}

fn generations(step: &StepOutput) -> (i64, Option<i64>) {
    let t = &step.templates[0];
    (
        t["metadata"]["generation"].as_i64().unwrap(),
        t.pointer("/status/observedGeneration")
            .and_then(Value::as_i64),
    )
}

#[test]
fn rolling_upgrade_follows_karmada() {
    let steps = run();
    assert_eq!(steps.len(), 5);
    // (images A, B, C), (suspended A, B, C), (generation, observedGeneration)
    type Expected<'a> = ([&'a str; 3], [bool; 3], (i64, Option<i64>));
    let expected: [Expected; 5] = [
        (["nginx:1.25"; 3], [false, false, false], (1, Some(1))),
        (["nginx:1.25"; 3], [true, true, false], (1, Some(1))),
        (
            ["nginx:1.25", "nginx:1.25", "nginx:1.26"],
            [true, true, false],
            (2, Some(1)),
        ),
        (
            ["nginx:1.25", "nginx:1.26", "nginx:1.26"],
            [true, false, false],
            (2, Some(1)),
        ),
        (["nginx:1.26"; 3], [false, false, false], (2, Some(2))),
    ];
    for (step, (images, susp, gens)) in steps.iter().zip(expected) {
        for (i, c) in ["member-a", "member-b", "member-c"].iter().enumerate() {
            assert_eq!(
                image(step, c),
                images[i],
                "step {:?}: image in {c}",
                step.name
            );
            assert_eq!(
                suspended(step, c),
                susp[i],
                "step {:?}: suspension of {c}",
                step.name
            );
        }
        assert_eq!(generations(step), gens, "step {:?}: generations", step.name);
    }
}

#[test]
fn same_scenario_same_bytes() {
    let a = serde_json::to_string(&run()).unwrap();
    let b = serde_json::to_string(&run()).unwrap();
    assert_eq!(a, b);
}

#[test]
fn events_explain_the_rollout() {
    let steps = run();
    let msgs: Vec<String> = steps[2]
        .events
        .iter()
        .map(|e| format!("{} {} {} {}", e.source, e.object, e.reason, e.message))
        .collect();
    assert!(
        msgs.iter()
            .any(|m| m.contains("updated Deployment default/nginx in member-c")),
        "{msgs:#?}"
    );
    assert!(
        !msgs
            .iter()
            .any(|m| m.contains("in member-a") || m.contains("in member-b")),
        "{msgs:#?}"
    );
    let last: Vec<&str> = steps[4].events.iter().map(|e| e.message.as_str()).collect();
    assert!(
        last.iter()
            .any(|m| m.contains("observedGeneration is now 2")),
        "{last:#?}"
    );
}
