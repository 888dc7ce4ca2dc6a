use serde_json::json;

use super::*;

fn cluster(name: &str) -> Cluster {
    let mut c = Cluster::default();
    c.metadata.name = name.to_string();
    c
}

fn spec(value: serde_json::Value) -> ResourceBindingSpec {
    serde_json::from_value(value).unwrap()
}

fn counts(result: &[TargetCluster]) -> Vec<(String, i32)> {
    let mut v: Vec<(String, i32)> = result
        .iter()
        .map(|t| (t.name.clone(), t.replicas))
        .collect();
    v.sort();
    v
}

fn run(
    allocatable: &[(&str, i64)],
    spec: &ResourceBindingSpec,
    options: &DivisionOptions,
) -> Result<Vec<(String, i32)>, AssignError> {
    let clusters: Vec<Cluster> = allocatable.iter().map(|(n, _)| cluster(n)).collect();
    let candidates: Vec<AssignCandidate<'_>> = clusters
        .iter()
        .zip(allocatable)
        .map(|(c, (_, a))| AssignCandidate::new(c, *a, spec, None))
        .collect();
    assign_replicas_to_candidates(&candidates, spec, options).map(|r| counts(&r))
}

fn pairs(v: &[(&str, i32)]) -> Vec<(String, i32)> {
    v.iter().map(|(n, r)| (n.to_string(), *r)).collect()
}

const DYNAMIC: &str = "dynamic";
const AGGREGATED: &str = "aggregated";

fn divided(kind: &str, replicas: i32, previous: serde_json::Value) -> ResourceBindingSpec {
    let scheduling = if kind == AGGREGATED {
        json!({"replicaSchedulingType": "Divided", "replicaDivisionPreference": "Aggregated"})
    } else {
        json!({"replicaSchedulingType": "Divided", "replicaDivisionPreference": "Weighted",
               "weightPreference": {"dynamicWeight": "AvailableReplicas"}})
    };
    spec(json!({
        "replicas": replicas,
        "replicaRequirements": {"resourceRequest": {"cpu": "1"}},
        "clusters": previous,
        "placement": {"replicaScheduling": scheduling}
    }))
}

#[test]
fn dynamic_table() {
    type Case<'a> = (
        &'a str,
        &'a str,
        &'a [(&'a str, i64)],
        i32,
        serde_json::Value,
        &'a [(&'a str, i32)],
    );
    let cases: Vec<Case<'_>> = vec![
        (
            "first schedule",
            DYNAMIC,
            &[("m1", 8), ("m2", 8), ("m3", 10)],
            12,
            json!(null),
            &[("m1", 4), ("m2", 4), ("m3", 4)],
        ),
        (
            "scale down ignores capacity",
            DYNAMIC,
            &[("m1", 1), ("m2", 1), ("m3", 1)],
            6,
            json!([{"name": "m1", "replicas": 2}, {"name": "m2", "replicas": 4}, {"name": "m3", "replicas": 6}]),
            &[("m1", 1), ("m2", 2), ("m3", 3)],
        ),
        (
            "equal total keeps the previous result",
            DYNAMIC,
            &[("m1", 0), ("m2", 100)],
            5,
            json!([{"name": "m1", "replicas": 5}]),
            &[("m1", 5)],
        ),
        (
            "scale up adds the delta",
            DYNAMIC,
            &[("m1", 3), ("m2", 1)],
            8,
            json!([{"name": "m1", "replicas": 2}, {"name": "m2", "replicas": 2}]),
            &[("m1", 5), ("m2", 3)],
        ),
        (
            "aggregated splits inside the prefix",
            AGGREGATED,
            &[("m1", 6), ("m2", 8), ("m3", 10)],
            12,
            json!(null),
            &[("m2", 5), ("m3", 7)],
        ),
        (
            "aggregated prefers previous clusters",
            AGGREGATED,
            &[("m1", 6), ("m2", 6), ("m3", 20)],
            24,
            json!([{"name": "m1", "replicas": 4}, {"name": "m2", "replicas": 8}]),
            &[("m1", 10), ("m2", 14)],
        ),
        (
            "disappeared cluster replicas are re-placed",
            AGGREGATED,
            &[("m1", 4), ("m3", 8), ("m4", 12)],
            24,
            json!([{"name": "m1", "replicas": 4}, {"name": "m2", "replicas": 8}]),
            &[("m1", 7), ("m3", 7), ("m4", 10)],
        ),
        (
            "aggregated scale down drops clusters",
            AGGREGATED,
            &[("m1", 100), ("m2", 100)],
            8,
            json!([{"name": "m1", "replicas": 4}, {"name": "m2", "replicas": 8}]),
            &[("m2", 8)],
        ),
    ];
    for (name, kind, allocatable, replicas, previous, want) in cases {
        let s = divided(kind, replicas, previous);
        assert_eq!(
            run(allocatable, &s, &DivisionOptions::default()),
            Ok(pairs(want)),
            "{name}"
        );
    }
}

#[test]
fn insufficient_capacity_is_unschedulable() {
    let s = divided(AGGREGATED, 12, json!(null));
    let err = run(
        &[("m1", 3), ("m2", 3), ("m3", 3)],
        &s,
        &DivisionOptions::default(),
    )
    .unwrap_err();
    assert_eq!(
        err,
        AssignError::InsufficientReplicas {
            available: 9,
            wanted: 12
        }
    );
    assert!(err.is_unschedulable());
    assert_eq!(
        err.to_string(),
        "Clusters available replicas 9 are not enough to schedule."
    );
}

#[test]
fn fresh_mode_recomputes_with_current_replicas() {
    let s = divided(DYNAMIC, 6, json!([{"name": "m1", "replicas": 6}]));
    let options = DivisionOptions {
        mode: AssignmentMode::Fresh,
        ..Default::default()
    };
    // Weights 0+6 : 6+0 → 3:3; Steady would keep 6:0.
    assert_eq!(
        run(&[("m1", 0), ("m2", 6)], &s, &options),
        Ok(pairs(&[("m1", 3), ("m2", 3)]))
    );
    assert_eq!(
        run(&[("m1", 0), ("m2", 6)], &s, &DivisionOptions::default()),
        Ok(pairs(&[("m1", 6)]))
    );
}

#[test]
fn duplicated_and_non_workloads() {
    let dup = spec(json!({"replicas": 3, "placement": {}}));
    assert_eq!(
        run(&[("a", 0), ("b", 0)], &dup, &DivisionOptions::default()),
        Ok(pairs(&[("a", 3), ("b", 3)]))
    );
    let config_map =
        spec(json!({"placement": {"replicaScheduling": {"replicaSchedulingType": "Divided"}}}));
    let clusters = [cluster("a"), cluster("b")];
    let candidates: Vec<_> = clusters
        .iter()
        .map(|c| AssignCandidate::new(c, i64::from(i32::MAX), &config_map, None))
        .collect();
    let result =
        assign_replicas_to_candidates(&candidates, &config_map, &DivisionOptions::default())
            .unwrap();
    assert_eq!(counts(&result), pairs(&[("a", 0), ("b", 0)]));
    // A Deployment scaled to 0 (requirements set) ends with no cluster.
    let scaled_to_zero = spec(json!({"replicas": 0, "replicaRequirements": {},
        "placement": {"replicaScheduling": {"replicaSchedulingType": "Divided",
            "replicaDivisionPreference": "Weighted"}}}));
    assert_eq!(
        run(&[("a", 5)], &scaled_to_zero, &DivisionOptions::default()),
        Ok(vec![])
    );
    let keep_empty = DivisionOptions {
        enable_empty_workload_propagation: true,
        ..Default::default()
    };
    assert_eq!(
        run(&[("a", 5)], &scaled_to_zero, &keep_empty),
        Ok(pairs(&[("a", 0)]))
    );
    assert_eq!(
        assign_replicas_to_candidates(&[], &dup, &DivisionOptions::default()),
        Err(AssignError::NoClusters)
    );
}

/// Per-component counts are written only with the gate on and a placement that puts the whole
/// component set on exactly one cluster (Karmada's `IsMultiTemplateSchedulingApplicable`).
#[test]
fn component_results_need_gate_and_single_cluster_placement() {
    let one_cluster = json!([{"spreadByField": "cluster", "minGroups": 1, "maxGroups": 1}]);
    let components = json!([{"name": "jobmanager", "replicas": 1},
                            {"name": "taskmanager", "replicas": 4}]);
    let with_counts = vec![
        ("jobmanager".to_string(), 1),
        ("taskmanager".to_string(), 4),
    ];
    let table = [
        // (case, gate, placement, expected components)
        (
            "applicable",
            true,
            json!({"spreadConstraints": one_cluster}),
            with_counts.clone(),
        ),
        (
            "gate off",
            false,
            json!({"spreadConstraints": one_cluster}),
            vec![],
        ),
        ("no single-cluster spread", true, json!({}), vec![]),
        (
            "maxGroups 2",
            true,
            json!({"spreadConstraints":
                [{"spreadByField": "cluster", "minGroups": 1, "maxGroups": 2}]}),
            vec![],
        ),
        (
            "ordered cluster affinities",
            true,
            json!({"spreadConstraints": one_cluster,
                   "clusterAffinities": [{"affinityName": "primary"}]}),
            vec![],
        ),
    ];
    let member = cluster("member1");
    for (case, gate, placement, want) in table {
        let s = spec(json!({"components": components, "placement": placement}));
        let candidates = [AssignCandidate::new(&member, 0, &s, None)];
        let options = DivisionOptions {
            multiple_pod_templates_scheduling: gate,
            ..Default::default()
        };
        let result = assign_replicas_to_candidates(&candidates, &s, &options).unwrap();
        let got: Vec<(String, i32)> = result
            .iter()
            .flat_map(|t| t.components.iter().map(|c| (c.name.clone(), c.replicas)))
            .collect();
        assert_eq!(got, want, "{case}");
        assert_eq!(counts(&result), pairs(&[("member1", 0)]), "{case}");
    }
}

#[test]
fn unsupported_strategy() {
    let s = spec(
        json!({"replicas": 2, "placement": {"replicaScheduling": {"replicaSchedulingType": "Divided"}}}),
    );
    assert_eq!(
        run(&[("a", 1)], &s, &DivisionOptions::default()),
        Err(AssignError::UnsupportedStrategy)
    );
}

fn static_spec(
    replicas: i32,
    weights: &[(&str, i64)],
    previous: serde_json::Value,
) -> ResourceBindingSpec {
    let list: Vec<serde_json::Value> = weights
        .iter()
        .map(|(n, w)| json!({"targetCluster": {"clusterNames": [n]}, "weight": w}))
        .collect();
    spec(json!({
        "replicas": replicas,
        "clusters": previous,
        "placement": {"replicaScheduling": {"replicaSchedulingType": "Divided",
            "replicaDivisionPreference": "Weighted", "weightPreference": {"staticWeightList": list}}}
    }))
}

#[test]
fn stable_scale_up_keeps_existing_replicas() {
    let s = static_spec(
        5,
        &[("m1", 1), ("m2", 1), ("m3", 2)],
        json!([{"name": "m1", "replicas": 2}, {"name": "m2", "replicas": 2}]),
    );
    let all = [("m1", 0), ("m2", 0), ("m3", 0)];
    assert_eq!(
        run(&all, &s, &DivisionOptions::default()),
        Ok(pairs(&[("m1", 1), ("m2", 1), ("m3", 3)]))
    );
    let stable = DivisionOptions {
        stable_scale_up: true,
        ..Default::default()
    };
    assert_eq!(
        run(&all, &s, &stable),
        Ok(pairs(&[("m1", 2), ("m2", 2), ("m3", 1)]))
    );
    // Scale down is Karmada's from-scratch division.
    let down = static_spec(
        2,
        &[("m1", 1), ("m2", 1), ("m3", 2)],
        json!([{"name": "m1", "replicas": 2}, {"name": "m2", "replicas": 2}]),
    );
    assert_eq!(
        run(&all, &down, &stable),
        Ok(pairs(&[("m1", 1), ("m3", 1)]))
    );
}

#[test]
fn min_one_per_weighted_cluster() {
    let s = static_spec(2, &[("a", 100), ("b", 1)], json!(null));
    let both = [("a", 0), ("b", 0)];
    assert_eq!(
        run(&both, &s, &DivisionOptions::default()),
        Ok(pairs(&[("a", 2)]))
    );
    let min_one = DivisionOptions {
        min_one_per_weighted_cluster: true,
        ..Default::default()
    };
    assert_eq!(run(&both, &s, &min_one), Ok(pairs(&[("a", 1), ("b", 1)])));
    // Not enough replicas for everyone: Karmada's answer.
    let s = static_spec(1, &[("a", 100), ("b", 1)], json!(null));
    assert_eq!(run(&both, &s, &min_one), Ok(pairs(&[("a", 1)])));
    // Dynamic weight: the new cluster gets one of the delta.
    let d = divided(DYNAMIC, 12, json!([{"name": "a", "replicas": 10}]));
    assert_eq!(
        run(&[("a", 100), ("b", 1)], &d, &min_one),
        Ok(pairs(&[("a", 11), ("b", 1)]))
    );
    assert_eq!(
        run(&[("a", 100), ("b", 1)], &d, &DivisionOptions::default()),
        Ok(pairs(&[("a", 12)]))
    );
}

#[test]
fn overflow_tiers() {
    let s = spec(json!({
        "replicas": 5,
        "replicaRequirements": {},
        "placement": {
            "replicaScheduling": {"replicaSchedulingType": "Divided", "replicaDivisionPreference": "Weighted",
                "weightPreference": {"dynamicWeight": "AvailableReplicas"}},
            "clusterAffinities": [{"affinityName": "primary", "clusterNames": ["m1"],
                "overflowAffinities": [{"affinityName": "spill", "clusterNames": ["m2"]}]}]
        }
    }));
    let options = DivisionOptions {
        observed_affinity_name: Some("primary".into()),
        ..Default::default()
    };
    let clusters = [cluster("m1"), cluster("m2"), cluster("m3")];
    let make = |alloc: [i64; 3]| -> Vec<AssignCandidate<'_>> {
        clusters
            .iter()
            .zip(alloc)
            .map(|(c, a)| AssignCandidate::new(c, a, &s, Some("primary")))
            .collect()
    };
    assert_eq!(
        make([1, 1, 1])
            .iter()
            .map(|c| c.overflow_order)
            .collect::<Vec<_>>(),
        [0, 1, 1000]
    );
    let r = assign_replicas_to_candidates(&make([3, 10, 10]), &s, &options).unwrap();
    assert_eq!(
        r.iter()
            .map(|t| (t.name.as_str(), t.replicas))
            .collect::<Vec<_>>(),
        [("m1", 3), ("m2", 2)]
    );
    let err = assign_replicas_to_candidates(&make([1, 1, 1]), &s, &options).unwrap_err();
    assert_eq!(err, AssignError::OverflowExhausted { remaining: 2 });
}

#[test]
fn merge_puts_new_entries_first() {
    let old = vec![target("a", 1), target("b", 2)];
    let new = vec![target("b", 3), target("c", 1)];
    let merged = merge_target_clusters(&old, new);
    assert_eq!(merged, vec![target("b", 5), target("c", 1), target("a", 1)]);
}

#[test]
fn assignment_mode_from_timestamps() {
    let status = |t: &str| ResourceBindingStatus {
        last_scheduled_time: Some(t.to_string()),
        ..Default::default()
    };
    let with = |t: &str| ResourceBindingSpec {
        reschedule_triggered_at: Some(t.to_string()),
        ..Default::default()
    };
    let cases = [
        (
            "2024-01-01T00:00:01Z",
            Some("2024-01-01T00:00:00Z"),
            AssignmentMode::Fresh,
        ),
        (
            "2024-01-01T00:00:00Z",
            Some("2024-01-01T00:00:00Z"),
            AssignmentMode::Steady,
        ),
        (
            "2024-01-01T01:00:00+02:00",
            Some("2024-01-01T00:00:00Z"),
            AssignmentMode::Steady,
        ),
        (
            "2024-01-01T00:00:00.5Z",
            Some("2024-01-01T00:00:00Z"),
            AssignmentMode::Fresh,
        ),
        ("2024-01-01T00:00:01Z", None, AssignmentMode::Steady),
        (
            "garbage",
            Some("2024-01-01T00:00:00Z"),
            AssignmentMode::Steady,
        ),
    ];
    for (triggered, last, want) in cases {
        let st = last.map(status);
        assert_eq!(
            AssignmentMode::for_binding(&with(triggered), st.as_ref()),
            want,
            "{triggered}"
        );
    }
    assert_eq!(rfc3339_nanos("1970-01-01T00:00:00Z"), Some(0));
    assert_eq!(
        rfc3339_nanos("2000-03-01T00:00:00Z"),
        Some(951_868_800_000_000_000)
    );
}

/// The static weight rules (digest rule 4): the maximum of the matching rules, unmatched
/// clusters dropped, and weight 1 for every candidate when no rule matches or there is no
/// weight preference.
#[test]
fn static_weight_rules() {
    let rule = |names: &[&str], weight: i64| json!({"targetCluster": {"clusterNames": names}, "weight": weight});
    let cases = [
        (
            "maximum of matching rules",
            json!({"staticWeightList": [rule(&["a"], 1), rule(&["a", "b"], 3), rule(&["b"], 2)]}),
            vec![("a", 3), ("b", 3)],
        ),
        (
            "unmatched candidate dropped",
            json!({"staticWeightList": [rule(&["a"], 2)]}),
            vec![("a", 2)],
        ),
        (
            "no rule matches: all weigh 1",
            json!({"staticWeightList": [rule(&["z"], 5)]}),
            vec![("a", 1), ("b", 1), ("c", 1)],
        ),
        (
            "empty list: all weigh 1",
            json!({"staticWeightList": []}),
            vec![("a", 1), ("b", 1), ("c", 1)],
        ),
        (
            "no weight preference: all weigh 1",
            serde_json::Value::Null,
            vec![("a", 1), ("b", 1), ("c", 1)],
        ),
    ];
    let clusters = [cluster("a"), cluster("b"), cluster("c")];
    let refs: Vec<&Cluster> = clusters.iter().collect();
    for (case, preference, want) in cases {
        let mut scheduling =
            json!({"replicaSchedulingType": "Divided", "replicaDivisionPreference": "Weighted"});
        if !preference.is_null() {
            scheduling["weightPreference"] = preference;
        }
        let s = spec(json!({"replicas": 6, "placement": {"replicaScheduling": scheduling}}));
        assert_eq!(static_weights(&refs, &s), want, "{case}");
    }
}
