//! AggregateStatus of each Ray kind on templates that already carry an aggregated status, as
//! Karmada stores them: no members, one, several. Every expected object is worked out from
//! Karmada's `statusAggregation` script of the kind.
use fedplan_interpreter_sdk::prelude::*;

use crate::Ray;

fn item(cluster: &str, status: Option<Value>) -> StatusItem {
    StatusItem {
        cluster_name: cluster.to_string(),
        status,
        applied: true,
        applied_message: String::new(),
        health: None,
    }
}

/// The template of `kind` with its spec and `status`.
fn template(kind: &str, spec: Value, status: Value) -> Value {
    json!({
        "apiVersion": "ray.io/v1",
        "kind": kind,
        "metadata": {"name": "sample", "namespace": "ray", "generation": 3},
        "spec": spec,
        "status": status
    })
}

/// What the scripts return once members exist: the template without its spec, with `status`
/// (`None`: without status).
fn aggregated(kind: &str, status: Option<Value>) -> Value {
    let mut object = json!({
        "apiVersion": "ray.io/v1",
        "kind": kind,
        "metadata": {"name": "sample", "namespace": "ray", "generation": 3}
    });
    if let Some(status) = status {
        object["status"] = status;
    }
    object
}

fn check(object: &Value, cases: Vec<(&str, Vec<StatusItem>, Value)>) {
    for (name, items, want) in cases {
        let got = Ray::aggregate_status(object.clone(), &items);
        assert_eq!(got.as_ref(), Ok(&want), "{name}");
    }
}

#[test]
fn ray_cluster() {
    let kind = "RayCluster";
    let stored = json!({
        "conditions": [{"type": "HeadPodReady", "status": "False"}],
        "readyWorkerReplicas": 7,
        "availableWorkerReplicas": 7,
        "desiredCPU": "9",
        "desiredMemory": "9G",
        "desiredGPU": "4",
        "lastUpdateTime": "2025-01-01T00:00:00Z",
        "endpoints": {"dashboard": "8265"},
        "head": {"podIP": "10.0.0.9"},
        "state": "ready",
        "stateTransitionTimes": {"ready": "2025-01-01T00:00:00Z"},
        "observedGeneration": 2,
        "reason": "kept: the script never writes it"
    });
    let object = template(
        kind,
        json!({"rayVersion": "2.46.0", "headGroupSpec": {"rayStartParams": {}}}),
        stored.clone(),
    );
    let first = json!({
        "conditions": [{"type": "HeadPodReady", "status": "True"}],
        "readyWorkerReplicas": 1,
        "availableWorkerReplicas": 1,
        "desiredWorkerReplicas": 1,
        "maxWorkerReplicas": 5,
        "minWorkerReplicas": 1,
        "desiredCPU": "2",
        "desiredMemory": "3G",
        "desiredGPU": "1",
        "desiredTPU": "0",
        "lastUpdateTime": "2025-09-21T03:55:45Z",
        "head": {"podIP": "10.244.0.6"},
        "observedGeneration": 1
    });
    let second = json!({
        "conditions": [{"type": "RayClusterProvisioned", "status": "True"}],
        "readyWorkerReplicas": 2,
        "availableWorkerReplicas": 2,
        "desiredWorkerReplicas": 2,
        "maxWorkerReplicas": 5,
        "minWorkerReplicas": 1,
        "desiredCPU": "500m",
        "desiredMemory": "0",
        "desiredGPU": "0.5",
        "lastUpdateTime": "2025-09-21T03:56:50Z",
        "endpoints": {"dashboard": "8265", "client": "10001"},
        "head": {"podIP": "10.244.1.7"},
        "state": "ready",
        "stateTransitionTimes": {"ready": "2025-09-21T03:56:50Z"}
    });
    check(
        &object,
        vec![
            ("no members: untouched", vec![], object.clone()),
            (
                "one member: its status, whole",
                vec![item("member1", Some(first.clone()))],
                aggregated(kind, Some(first.clone())),
            ),
            (
                "one member without status: no status",
                vec![item("member1", None)],
                aggregated(kind, None),
            ),
            (
                "several members: folded into the stored status",
                vec![
                    item("member1", Some(first.clone())),
                    item("member2", Some(second.clone())),
                    item("member3", None),
                ],
                aggregated(
                    kind,
                    Some(json!({
                        "conditions": [
                            {"type": "HeadPodReady", "status": "True"},
                            {"type": "RayClusterProvisioned", "status": "True"}
                        ],
                        "readyWorkerReplicas": 3,
                        "availableWorkerReplicas": 3,
                        "desiredWorkerReplicas": 3,
                        "maxWorkerReplicas": 10,
                        "minWorkerReplicas": 2,
                        "desiredCPU": "2500m",
                        "desiredMemory": "3G",
                        "desiredGPU": "1.5",
                        "desiredTPU": "0",
                        "lastUpdateTime": "2025-09-21T03:56:50Z",
                        "endpoints": {"dashboard": "8265", "client": "10001"},
                        "head": {"podIP": "10.244.0.6"},
                        "state": "ready",
                        "stateTransitionTimes": {"ready": "2025-09-21T03:56:50Z"},
                        "observedGeneration": 2,
                        "reason": "kept: the script never writes it"
                    })),
                ),
            ),
            (
                "several members without the folded fields: those written as nil go",
                vec![
                    item("member1", Some(json!({"readyWorkerReplicas": 1}))),
                    item(
                        "member2",
                        Some(json!({"desiredMemory": "", "conditions": []})),
                    ),
                ],
                aggregated(
                    kind,
                    Some(json!({
                        "readyWorkerReplicas": 1,
                        "availableWorkerReplicas": 0,
                        "desiredWorkerReplicas": 0,
                        "maxWorkerReplicas": 0,
                        "minWorkerReplicas": 0,
                        "desiredCPU": "0",
                        "desiredMemory": "0",
                        "desiredGPU": "0",
                        "desiredTPU": "0",
                        "observedGeneration": 2,
                        "reason": "kept: the script never writes it"
                    })),
                ),
            ),
            (
                "a zero memory takes the notation of what is added to it",
                vec![
                    item("member1", Some(json!({"desiredMemory": "0"}))),
                    item("member2", Some(json!({"desiredMemory": "4Gi"}))),
                ],
                aggregated(
                    kind,
                    Some(json!({
                        "readyWorkerReplicas": 0,
                        "availableWorkerReplicas": 0,
                        "desiredWorkerReplicas": 0,
                        "maxWorkerReplicas": 0,
                        "minWorkerReplicas": 0,
                        "desiredCPU": "0",
                        "desiredMemory": "4Gi",
                        "desiredGPU": "0",
                        "desiredTPU": "0",
                        "observedGeneration": 2,
                        "reason": "kept: the script never writes it"
                    })),
                ),
            ),
        ],
    );
}

#[test]
fn ray_job() {
    let kind = "RayJob";
    let stored = json!({
        "jobStatus": "RUNNING",
        "jobDeploymentStatus": "Running",
        "reason": "stored reason",
        "message": "stored message",
        "jobId": "raysubmit_12345abcde",
        "startTime": "2025-11-22T10:30:00Z",
        "dashboardURL": "sample-raycluster-head-svc.ray.svc.cluster.local:8265",
        "observedGeneration": 2
    });
    let object = template(
        kind,
        json!({"entrypoint": "python /home/ray/samples/sample_code.py"}),
        stored.clone(),
    );
    let complete = json!({
        "jobId": "raysubmit_67890fghij",
        "jobStatus": "SUCCEEDED",
        "jobDeploymentStatus": "Complete",
        "reason": "JobCompleted",
        "startTime": "2025-11-22T09:00:00Z",
        "endTime": "2025-11-22T09:15:30Z",
        "succeeded": 1
    });
    // What survives of the stored status when only the four folded fields are written.
    let kept = |folded: Value| {
        let mut status = json!({
            "jobId": "raysubmit_12345abcde",
            "startTime": "2025-11-22T10:30:00Z",
            "dashboardURL": "sample-raycluster-head-svc.ray.svc.cluster.local:8265",
            "observedGeneration": 2
        });
        if let (Some(status), Some(folded)) = (status.as_object_mut(), folded.as_object()) {
            status.extend(folded.clone());
        }
        aggregated(kind, Some(status))
    };
    check(
        &object,
        vec![
            ("no members: untouched", vec![], object.clone()),
            (
                "one member: its status, whole",
                vec![item("member1", Some(complete.clone()))],
                aggregated(kind, Some(complete.clone())),
            ),
            (
                "one member without status: no status",
                vec![item("member1", None)],
                aggregated(kind, None),
            ),
            (
                "several members: the worst, with its reason and message",
                vec![
                    item(
                        "member1",
                        Some(json!({
                            "jobStatus": "RUNNING",
                            "jobDeploymentStatus": "Running",
                            "startTime": "2025-11-22T10:31:00Z",
                            "dashboardURL": "member1:8265"
                        })),
                    ),
                    item(
                        "member2",
                        Some(json!({
                            "jobStatus": "FAILED",
                            "jobDeploymentStatus": "Failed",
                            "reason": "JobExecutionError",
                            "message": "Job failed due to runtime error"
                        })),
                    ),
                    item("member3", None),
                ],
                kept(json!({
                    "jobStatus": "FAILED",
                    "jobDeploymentStatus": "Failed",
                    "reason": "JobExecutionError",
                    "message": "Job failed due to runtime error"
                })),
            ),
            (
                "the worst member has no message: the stored one goes",
                vec![
                    item("member1", Some(complete.clone())),
                    item(
                        "member2",
                        Some(json!({
                            "jobStatus": "RUNNING",
                            "jobDeploymentStatus": "Running",
                            "reason": "r2",
                            "message": "m2"
                        })),
                    ),
                ],
                kept(json!({
                    "jobStatus": "SUCCEEDED",
                    "jobDeploymentStatus": "Complete",
                    "reason": "JobCompleted"
                })),
            ),
            (
                "members without a deployment status and empty job statuses are passed over",
                vec![
                    item(
                        "member1",
                        Some(json!({"reason": "no deployment status", "jobStatus": ""})),
                    ),
                    item(
                        "member2",
                        Some(json!({
                            "jobDeploymentStatus": "Unranked",
                            "reason": "r2",
                            "jobStatus": "UNRANKED"
                        })),
                    ),
                    item(
                        "member3",
                        Some(json!({"jobDeploymentStatus": "", "reason": "r3"})),
                    ),
                ],
                kept(json!({
                    "jobStatus": "UNRANKED",
                    "jobDeploymentStatus": "Unranked",
                    "reason": "r2"
                })),
            ),
            (
                "several members without the folded fields: the four go",
                vec![
                    item(
                        "member1",
                        Some(json!({"startTime": "2025-11-22T10:31:00Z"})),
                    ),
                    item("member2", Some(json!({}))),
                ],
                kept(json!({})),
            ),
        ],
    );
}

#[test]
fn ray_service() {
    let kind = "RayService";
    let stored = json!({
        "conditions": [{"type": "Ready", "status": "True"}],
        "numServeEndpoints": 9,
        "lastUpdateTime": "2024-01-01T00:00:00Z",
        "observedGeneration": 7,
        "serviceStatus": "Running",
        "activeServiceStatus": {
            "rayClusterName": "stored-active",
            "applicationStatuses": {"api": {"status": "RUNNING"}}
        },
        "pendingServiceStatus": {"rayClusterName": "stored-pending"}
    });
    let object = template(
        kind,
        json!({"serveConfigV2": "applications: []", "rayClusterConfig": {"rayVersion": "2.9.0"}}),
        stored.clone(),
    );
    let first = json!({
        "conditions": [{"type": "Ready", "status": "True"}],
        "numServeEndpoints": 2,
        "lastUpdateTime": "2024-01-15T13:00:00Z",
        "observedGeneration": 3,
        "serviceStatus": "Running",
        "activeServiceStatus": {
            "rayClusterName": "c1",
            "applicationStatuses": {
                "api": {"status": "RUNNING", "message": "ok"},
                "batch": {"status": "DEPLOYING"}
            }
        }
    });
    let second = json!({
        "conditions": [{"type": "Ready", "status": "False"}],
        "numServeEndpoints": 3,
        "lastUpdateTime": "2024-01-15T13:10:00Z",
        "observedGeneration": 2,
        "serviceStatus": "",
        "activeServiceStatus": {
            "rayClusterName": "c2",
            "applicationStatuses": {
                "api": {"status": "UNHEALTHY", "message": "bad"},
                "extra": {"status": "RUNNING"}
            }
        },
        "pendingServiceStatus": {"rayClusterName": "c2-new"}
    });
    check(
        &object,
        vec![
            ("no members: untouched", vec![], object.clone()),
            (
                "one member: its status, whole",
                vec![item("member1", Some(second.clone()))],
                aggregated(kind, Some(second.clone())),
            ),
            (
                "one member without status: no status",
                vec![item("member1", None)],
                aggregated(kind, None),
            ),
            (
                "several members: folded, applications at their worst",
                vec![
                    item("member1", Some(first.clone())),
                    item("member2", Some(second.clone())),
                    item("member3", None),
                ],
                aggregated(
                    kind,
                    Some(json!({
                        "conditions": [
                            {"type": "Ready", "status": "True"},
                            {"type": "Ready", "status": "False"}
                        ],
                        "numServeEndpoints": 5,
                        "lastUpdateTime": "2024-01-15T13:10:00Z",
                        "observedGeneration": 3,
                        "serviceStatus": "",
                        "activeServiceStatus": {
                            "rayClusterName": "c1",
                            "applicationStatuses": {
                                "api": {"status": "UNHEALTHY", "message": "bad"},
                                "batch": {"status": "DEPLOYING"},
                                "extra": {"status": "RUNNING"}
                            }
                        },
                        "pendingServiceStatus": {"rayClusterName": "c2-new"}
                    })),
                ),
            ),
            (
                "several members without the folded fields: active and pending stay",
                vec![
                    item(
                        "member1",
                        Some(json!({"numServeEndpoints": 1, "serviceStatus": "Running"})),
                    ),
                    item("member2", Some(json!({"numServeEndpoints": 1}))),
                ],
                aggregated(
                    kind,
                    Some(json!({
                        "numServeEndpoints": 2,
                        "observedGeneration": 0,
                        "serviceStatus": "Running",
                        "activeServiceStatus": {
                            "rayClusterName": "stored-active",
                            "applicationStatuses": {"api": {"status": "RUNNING"}}
                        },
                        "pendingServiceStatus": {"rayClusterName": "stored-pending"}
                    })),
                ),
            ),
            (
                "an active status without applications replaces the stored one",
                vec![
                    item(
                        "member1",
                        Some(json!({"activeServiceStatus": {"rayClusterName": "c1"}})),
                    ),
                    item("member2", Some(json!({"observedGeneration": 4}))),
                ],
                aggregated(
                    kind,
                    Some(json!({
                        "numServeEndpoints": 0,
                        "observedGeneration": 4,
                        "serviceStatus": "Running",
                        "activeServiceStatus": {"rayClusterName": "c1"},
                        "pendingServiceStatus": {"rayClusterName": "stored-pending"}
                    })),
                ),
            ),
        ],
    );
}

/// A stored status comes back as Lua returns it, with members or without: no `null`s, no
/// empty tables.
#[test]
fn stored_status_comes_back_as_lua_returns_it() {
    for kind in ["RayCluster", "RayJob", "RayService"] {
        let object = template(
            kind,
            json!({"rayStartParams": {}}),
            json!({"conditions": [], "observedGeneration": 1, "message": null, "head": {}}),
        );
        let got = Ray::aggregate_status(object, &[]);
        let want = template(
            kind,
            json!({"rayStartParams": {}}),
            json!({"observedGeneration": 1}),
        );
        assert_eq!(got, Ok(want), "{kind}");
    }
}

/// Where Karmada's script raises an error, so does the plugin.
#[test]
fn what_the_scripts_cannot_fold_fails() {
    let cases = [
        ("RayCluster", json!({"desiredCPU": "lots"})),
        ("RayCluster", json!({"desiredMemory": true})),
        ("RayCluster", json!({"desiredGPU": "1Gi"})),
        ("RayCluster", json!({"readyWorkerReplicas": "three"})),
        ("RayCluster", json!({"conditions": "Ready"})),
        ("RayService", json!({"lastUpdateTime": 1700000000})),
        ("RayService", json!({"observedGeneration": "3"})),
        ("RayService", json!({"activeServiceStatus": "c1"})),
        (
            "RayService",
            json!({"activeServiceStatus": {"applicationStatuses": {"api": 1}}}),
        ),
        ("RayJob", json!(42)),
    ];
    for (kind, status) in cases {
        let object = template(
            kind,
            json!({}),
            json!({"lastUpdateTime": "2024-01-01T00:00:00Z"}),
        );
        let items = [
            item(
                "member1",
                Some(json!({"lastUpdateTime": "2024-01-01T00:00:00Z"})),
            ),
            item("member2", Some(status.clone())),
        ];
        assert!(
            Ray::aggregate_status(object, &items).is_err(),
            "{kind} with {status}"
        );
    }
}
