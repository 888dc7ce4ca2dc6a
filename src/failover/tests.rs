use super::*;
use serde_json::json;

fn t(s: &str) -> Timestamp {
    Timestamp::parse(s).unwrap()
}

fn cluster(v: Value) -> Cluster {
    serde_json::from_value(v).unwrap()
}

fn policy(v: Value) -> ClusterTaintPolicy {
    serde_json::from_value(v).unwrap()
}

#[test]
fn taint_policy_conditions() {
    let ready = |status: &str| {
        cluster(json!({"metadata": {"name": "a"}, "spec": {},
            "status": {"conditions": [{"type": "Ready", "status": status, "reason": "", "message": ""}]}}))
    };
    let p = policy(
        json!({"metadata": {"name": "p", "creationTimestamp": "2026-01-01T00:00:00Z"},
        "spec": {"addOnConditions": [{"conditionType": "Ready", "operator": "NotIn", "statusValues": ["True"]}],
                 "removeOnConditions": [{"conditionType": "Ready", "operator": "In", "statusValues": ["True"]}],
                 "taints": [{"key": "down", "effect": "NoExecute"}]}}),
    );
    let now = t("2026-01-01T00:05:00Z");
    // (cluster, expected taint keys or None for unchanged)
    let cases: Vec<(Cluster, Option<Vec<&str>>)> = vec![
        (ready("False"), Some(vec!["down"])),
        (ready("Unknown"), Some(vec!["down"])),
        (ready("True"), None),
        // A missing condition type fails NotIn as well.
        (
            cluster(json!({"metadata": {"name": "a"}, "spec": {}})),
            None,
        ),
    ];
    for (c, want) in cases {
        let got = apply_taint_policies(&c, std::slice::from_ref(&p), now);
        let keys = got
            .as_ref()
            .map(|ts| ts.iter().map(|t| t.key.as_str()).collect::<Vec<_>>());
        assert_eq!(keys, want);
        if let Some(ts) = got {
            assert_eq!(ts[0].time_added.as_deref(), Some("2026-01-01T00:05:00Z"));
        }
    }
    // Removal on the remove conditions, identified by key and effect.
    let mut c = ready("True");
    c.spec.taints = vec![
        Taint {
            key: "down".into(),
            effect: "NoExecute".into(),
            ..Default::default()
        },
        Taint {
            key: "down".into(),
            effect: "NoSchedule".into(),
            ..Default::default()
        },
    ];
    let got = apply_taint_policies(&c, &[p], now).unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].effect, "NoSchedule");
}

#[test]
fn empty_condition_lists_never_fire() {
    let c = cluster(json!({"metadata": {"name": "a"}, "spec": {}}));
    assert!(!conditions_match(&c, &[]));
}

#[test]
fn ready_taints() {
    let now = t("2026-01-01T00:00:00Z");
    let with = |status: &str| {
        cluster(json!({"metadata": {"name": "a"}, "spec": {},
            "status": {"conditions": [{"type": "Ready", "status": status, "reason": "", "message": ""}]}}))
    };
    assert_eq!(
        apply_ready_taints(&with("False"), now).unwrap()[0].key,
        NOT_READY_TAINT
    );
    assert_eq!(
        apply_ready_taints(&with("Unknown"), now).unwrap()[0].key,
        UNREACHABLE_TAINT
    );
    assert_eq!(apply_ready_taints(&with("True"), now), None);
    let mut c = with("True");
    c.spec.taints = apply_ready_taints(&with("False"), now).unwrap();
    assert_eq!(apply_ready_taints(&c, now), Some(vec![]));
}

#[test]
fn taint_decisions() {
    let now = t("2026-01-01T00:01:00Z");
    let mut c = cluster(json!({"metadata": {"name": "a"}, "spec": {"taints": [
        {"key": "down", "effect": "NoExecute", "timeAdded": "2026-01-01T00:00:00Z"}]}}));
    let tol = |secs: Option<i64>| Toleration {
        key: "down".into(),
        operator: "Exists".into(),
        effect: "NoExecute".into(),
        toleration_seconds: secs,
        ..Default::default()
    };
    assert!(matches!(
        taint_eviction(&c, &[], now),
        TaintDecision::Evict(_)
    ));
    assert_eq!(
        taint_eviction(&c, &[tol(None)], now),
        TaintDecision::Tolerate
    );
    assert_eq!(
        taint_eviction(&c, &[tol(Some(300))], now),
        TaintDecision::RecheckAfter(240)
    );
    assert!(matches!(
        taint_eviction(&c, &[tol(Some(60))], now),
        TaintDecision::Evict(_)
    ));
    c.spec.taints.clear();
    assert_eq!(taint_eviction(&c, &[], now), TaintDecision::Tolerate);
}

#[test]
fn min_toleration_seconds_table() {
    let now = t("2026-01-01T00:01:00Z");
    let taint = |key: &str, added: Option<&str>| Taint {
        key: key.into(),
        effect: "NoExecute".into(),
        time_added: added.map(str::to_string),
        ..Default::default()
    };
    let tol = |key: &str, secs: Option<i64>| Toleration {
        key: key.into(),
        operator: "Exists".into(),
        effect: "NoExecute".into(),
        toleration_seconds: secs,
        ..Default::default()
    };
    let added = Some("2026-01-01T00:00:00Z");
    // (taints, used tolerations, seconds)
    let cases: Vec<(Vec<Taint>, Vec<Toleration>, i64)> = vec![
        // No taint: tolerated forever, whatever the tolerations.
        (vec![], vec![tol("a", Some(60))], -1),
        (vec![], vec![], -1),
        // Taints but no used toleration: evicted now, even for a taint without timeAdded.
        (vec![taint("a", added)], vec![], 0),
        (vec![taint("a", None)], vec![], 0),
        // Only pairs with timeAdded and tolerationSeconds count.
        (vec![taint("a", None)], vec![tol("a", Some(60))], -1),
        (vec![taint("a", added)], vec![tol("a", None)], -1),
        // A toleration that does not tolerate the taint forms no pair.
        (vec![taint("a", added)], vec![tol("b", Some(600))], -1),
        // The earliest trigger wins; a passed trigger evicts now.
        (
            vec![taint("a", added), taint("b", added)],
            vec![tol("a", Some(600)), tol("b", Some(120))],
            60,
        ),
        (vec![taint("a", added)], vec![tol("a", Some(60))], 0),
        (vec![taint("a", added)], vec![tol("a", Some(-30))], 0),
    ];
    for (taints, tols, want) in cases {
        assert_eq!(
            min_toleration_seconds(&taints, &tols, now),
            want,
            "{taints:?} {tols:?}"
        );
    }
}

#[test]
fn assess_task_table() {
    let now = t("2026-01-01T01:00:00Z");
    let task = |minutes_ago: Option<i64>, suppress: Option<bool>, grace: Option<i32>| {
        GracefulEvictionTask {
            from_cluster: "m1".into(),
            creation_timestamp: minutes_ago.map(|m| now.plus(-60 * m).to_string()),
            suppress_deletion: suppress,
            grace_period_seconds: grace,
            ..Default::default()
        }
    };
    let health = |h: ResourceHealth| AggregatedStatusItem {
        cluster_name: "a".into(),
        health: Some(h),
        ..Default::default()
    };
    let a = vec!["a".to_string()];
    // (task, scheduled, observed, hasScheduled, kept)
    type Case = (
        GracefulEvictionTask,
        Vec<String>,
        Vec<AggregatedStatusItem>,
        bool,
        bool,
    );
    let cases: Vec<Case> = vec![
        // First sight: stamped and kept, whatever else holds.
        (task(None, Some(false), None), a.clone(), vec![], true, true),
        (
            task(Some(1), Some(true), Some(1)),
            a.clone(),
            vec![],
            false,
            true,
        ),
        (
            task(Some(1), Some(false), None),
            vec![],
            vec![],
            false,
            false,
        ),
        // The default timeout is 3 minutes here; the deadline itself still keeps the task.
        (task(Some(3), None, None), a.clone(), vec![], false, true),
        (task(Some(4), None, None), a.clone(), vec![], false, false),
        // gracePeriodSeconds replaces the default timeout.
        (
            task(Some(4), None, Some(600)),
            a.clone(),
            vec![],
            false,
            true,
        ),
        (
            task(Some(2), None, Some(60)),
            a.clone(),
            vec![],
            false,
            false,
        ),
        // Healthy everywhere removes the task, but only once the scheduler observed it.
        (
            task(Some(1), None, None),
            a.clone(),
            vec![health(ResourceHealth::Healthy)],
            true,
            false,
        ),
        (
            task(Some(1), None, None),
            a.clone(),
            vec![health(ResourceHealth::Healthy)],
            false,
            true,
        ),
        (
            task(Some(1), None, None),
            a.clone(),
            vec![health(ResourceHealth::Unknown)],
            true,
            true,
        ),
        (task(Some(1), None, None), a.clone(), vec![], true, true),
        // Nothing scheduled counts as healthy everywhere.
        (task(Some(1), None, None), vec![], vec![], true, false),
    ];
    for (i, (task, scheduled, observed, has_scheduled, kept)) in cases.into_iter().enumerate() {
        let got = assess_task(&task, &scheduled, &observed, has_scheduled, 180, now);
        assert_eq!(
            matches!(got, TaskAssessment::Keep(_)),
            kept,
            "case {i}: {got:?}"
        );
        if let TaskAssessment::Keep(t) = got {
            assert!(t.creation_timestamp.is_some(), "case {i}");
        }
    }
}

#[test]
fn evict_cluster_adds_one_task() {
    let mut b: ResourceBinding = serde_json::from_value(json!({
        "metadata": {"name": "web", "namespace": "default", "generation": 3},
        "spec": {"resource": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
                 "clusters": [{"name": "a", "replicas": 2}, {"name": "b", "replicas": 1}]}}))
    .unwrap();
    let opts = EvictionTaskOptions {
        reason: "TaintUntolerated".into(),
        producer: "TaintManager".into(),
        purge_mode: Some(PurgeMode::Gracefully),
        ..Default::default()
    };
    assert!(evict_cluster(&mut b, "a", opts.clone()));
    assert_eq!(b.metadata.generation, Some(4));
    assert_eq!(b.spec.clusters.len(), 1);
    assert_eq!(b.spec.graceful_eviction_tasks[0].replicas, Some(2));
    assert!(!evict_cluster(&mut b, "a", opts));
    assert_eq!(b.spec.graceful_eviction_tasks.len(), 1);
}

#[test]
fn purge_modes() {
    assert_eq!(
        purge_mode_fields(PurgeMode::Gracefully, Some(30)),
        (Some(30), None)
    );
    assert_eq!(
        purge_mode_fields(PurgeMode::Never, Some(30)),
        (None, Some(true))
    );
    assert_eq!(
        purge_mode_fields(PurgeMode::Directly, Some(30)),
        (None, None)
    );
    let legacy: PurgeMode = serde_json::from_value(json!("Immediately")).unwrap();
    assert_eq!(legacy, PurgeMode::Directly);
    let legacy: PurgeMode = serde_json::from_value(json!("Graciously")).unwrap();
    assert_eq!(legacy, PurgeMode::Gracefully);
}

#[test]
fn json_paths() {
    let status = json!({"replicas": 3, "name": "x", "list": [{"id": "p"}]});
    let cases = [
        ("{.replicas}", Ok(Some(json!(3)))),
        (".name", Ok(Some(json!("x")))),
        ("{ .list[0].id }", Ok(Some(json!("p")))),
        ("{.list[3].id}", Ok(None)),
        ("{.missing}", Ok(None)),
        ("replicas", Err(())),
        ("{.list[x]}", Err(())),
    ];
    for (path, want) in cases {
        let got = eval_json_path(path, &status)
            .map(|v| v.cloned())
            .map_err(|_| ());
        assert_eq!(got, want, "{path}");
    }
}

#[test]
fn application_tracker_needs_two_observations() {
    let mut tr = ApplicationHealthTracker::default();
    let unhealthy = vec![AggregatedStatusItem {
        cluster_name: "a".into(),
        health: Some(ResourceHealth::Unhealthy),
        ..Default::default()
    }];
    let none = BTreeSet::new();
    let t0 = t("2026-01-01T00:00:00Z");
    assert!(tr.observe("b", &unhealthy, &none, 60, t0).is_empty());
    assert!(tr
        .observe("b", &unhealthy, &none, 60, t0.plus(60))
        .is_empty());
    assert_eq!(
        tr.observe("b", &unhealthy, &none, 60, t0.plus(61)),
        vec!["a".to_string()]
    );
    let healthy = vec![AggregatedStatusItem {
        cluster_name: "a".into(),
        health: Some(ResourceHealth::Healthy),
        ..Default::default()
    }];
    tr.observe("b", &healthy, &none, 60, t0.plus(62));
    assert_eq!(tr.first_seen("b", "a"), None);
}
