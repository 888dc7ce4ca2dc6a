//! The failover cases of `vectors/scheduling/taint_toleration.json`: toleration timing,
//! matching tolerations and graceful-eviction task assessment.

use fedplan::api::{AggregatedStatusItem, GracefulEvictionTask, Taint, Toleration};
use fedplan::controlplane::Timestamp;
use fedplan::failover::{
    assess_task, matching_tolerations, min_toleration_seconds, TaskAssessment,
};
use serde_json::Value;

/// The shared fixture and this crate's transcription of the upstream cases it lacks.
const FILES: [&str; 2] = [
    concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/fixtures/vectors/scheduling/taint_toleration.json"
    ),
    concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/vectors/upstream/scheduling/taint_toleration.json"
    ),
];

fn de<T: serde::de::DeserializeOwned>(v: &Value, id: &str) -> T {
    serde_json::from_value(if v.is_null() {
        Value::Array(vec![])
    } else {
        v.clone()
    })
    .unwrap_or_else(|e| panic!("{id}: {e}"))
}

#[test]
fn failover_vectors() {
    let mut ran = 0;
    for path in FILES {
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let doc: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
        let cases = doc["cases"].as_array().cloned().unwrap_or_default();
        assert!(!cases.is_empty(), "{path}: no cases");
        ran += run_cases(path, &cases);
    }
    assert!(ran >= 9, "only {ran} failover cases ran");
}

/// Runs the failover cases of one file; returns how many ran.
fn run_cases(path: &str, cases: &[Value]) -> usize {
    let mut ran = 0;
    for case in cases {
        let id = format!("{path}: {}", case["id"].as_str().unwrap_or("?"));
        let id = id.as_str();
        let input = &case["input"];
        let expected = &case["expected"];
        match case["function"].as_str().unwrap_or("") {
            "GetMinTolerationTimeWithCurrentTime" => {
                let taints: Vec<Taint> = de(&input["noExecuteTaints"], id);
                let tols: Vec<Toleration> = de(&input["usedTolerations"], id);
                let now = Timestamp::parse(input["currentTime"].as_str().unwrap_or("")).unwrap();
                let got = min_toleration_seconds(&taints, &tols, now);
                assert_eq!(Some(got), expected["seconds"].as_i64(), "{id}");
            }
            "GetMatchingTolerations" => {
                let taints: Vec<Taint> = de(&input["taints"], id);
                let tols: Vec<Toleration> = de(&input["tolerations"], id);
                let (all, used) = matching_tolerations(&taints, &tols);
                assert_eq!(Some(all), expected["allTolerated"].as_bool(), "{id}");
                let want: Vec<Toleration> = de(&expected["usedTolerations"], id);
                assert_eq!(used, want, "{id}");
            }
            "assessSingleTask" => {
                let now = Timestamp::parse("2026-01-01T12:00:00Z").unwrap();
                let mut task: GracefulEvictionTask = serde_json::from_value(input["task"].clone())
                    .unwrap_or_else(|e| panic!("{id}: {e}"));
                if let Some(m) = input["task"]["creationMinutesAgo"].as_i64() {
                    task.creation_timestamp = Some(now.plus(-60 * m).to_string());
                }
                let option = &input["option"];
                let timeout = option["timeoutMinutes"].as_i64().unwrap_or(10) * 60;
                let scheduled: Vec<String> = option["scheduleResult"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|c| c["name"].as_str().map(String::from))
                            .collect()
                    })
                    .unwrap_or_default();
                let observed: Vec<AggregatedStatusItem> = de(&option["observedStatus"], id);
                let has_scheduled = option["hasScheduled"].as_bool().unwrap_or(false);
                let got = assess_task(&task, &scheduled, &observed, has_scheduled, timeout, now);
                let kept = matches!(got, TaskAssessment::Keep(_));
                assert_eq!(Some(kept), expected["taskKept"].as_bool(), "{id}: {got:?}");
                if let (TaskAssessment::Keep(t), Some(want)) = (&got, expected.get("task")) {
                    let want: GracefulEvictionTask = de(want, id);
                    assert_eq!(t.from_cluster, want.from_cluster, "{id}");
                }
            }
            _ => continue,
        }
        ran += 1;
    }
    ran
}
