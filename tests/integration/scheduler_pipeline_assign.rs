//! Replica assignment through `schedule()`: capacity from the default (general) estimator,
//! the Unschedulable condition, Aggregated and DynamicWeight in Steady and Fresh mode, and
//! the overflow tiers of `clusterAffinities`.

use fedplan::api::{
    ApiEnablement, ApiResource, Cluster, ClusterAffinity, ClusterAffinityTerm, ClusterStatus,
    DynamicWeightFactor, OverflowAffinity, Placement, ReplicaDivisionPreference,
    ReplicaSchedulingStrategy, ReplicaSchedulingType, ResourceBinding, ResourceBindingStatus,
    ResourceSummary, TargetCluster,
};
use fedplan::scheduler::{schedule, ScheduleReason, SchedulerOptions};

/// A cluster serving Deployments with room for `pods` pods (the general estimator's answer
/// for a binding without resource requirements).
fn cluster(name: &str, pods: u32) -> Cluster {
    let mut c = Cluster::default();
    c.metadata.name = name.into();
    c.metadata.labels.insert("name".into(), name.into());
    let summary: ResourceSummary =
        serde_json::from_value(serde_json::json!({"allocatable": {"pods": pods.to_string()}}))
            .expect("resource summary");
    c.status = Some(ClusterStatus {
        api_enablements: vec![ApiEnablement {
            group_version: "apps/v1".into(),
            resources: vec![ApiResource {
                name: "deployments".into(),
                kind: "Deployment".into(),
            }],
        }],
        resource_summary: Some(summary),
        ..Default::default()
    });
    c
}

fn divided(preference: ReplicaDivisionPreference, dynamic: bool) -> ReplicaSchedulingStrategy {
    ReplicaSchedulingStrategy {
        replica_scheduling_type: Some(ReplicaSchedulingType::Divided),
        replica_division_preference: Some(preference),
        weight_preference: dynamic.then(|| fedplan::api::ClusterPreferences {
            dynamic_weight: Some(DynamicWeightFactor::AvailableReplicas),
            ..Default::default()
        }),
    }
}

fn deployment(replicas: i32, strategy: ReplicaSchedulingStrategy) -> ResourceBinding {
    let mut b = ResourceBinding::default();
    b.metadata.name = "web-deployment".into();
    b.metadata.namespace = "default".into();
    b.metadata.generation = Some(1);
    b.spec.resource.api_version = "apps/v1".into();
    b.spec.resource.kind = "Deployment".into();
    b.spec.resource.name = "web".into();
    b.spec.resource.uid = "4858ca61-0000-0000-0000-000000000001".into();
    b.spec.replicas = replicas;
    b.spec.placement = Some(Placement {
        replica_scheduling: Some(strategy),
        ..Default::default()
    });
    b
}

fn counts(t: &[TargetCluster]) -> Vec<(&str, i32)> {
    let mut v: Vec<(&str, i32)> = t.iter().map(|t| (t.name.as_str(), t.replicas)).collect();
    v.sort_unstable();
    v
}

fn previous(entries: &[(&str, i32)]) -> Vec<TargetCluster> {
    entries
        .iter()
        .map(|(n, r)| TargetCluster {
            name: n.to_string(),
            replicas: *r,
            components: vec![],
        })
        .collect()
}

#[test]
fn too_little_capacity_is_unschedulable_with_karmadas_message_and_keeps_the_result() {
    let clusters = [cluster("m1", 3), cluster("m2", 4)];
    for dynamic in [false, true] {
        let preference = if dynamic {
            ReplicaDivisionPreference::Weighted
        } else {
            ReplicaDivisionPreference::Aggregated
        };
        let mut b = deployment(10, divided(preference, dynamic));
        b.spec.clusters = previous(&[("m1", 1)]);
        let outcome = schedule(&b, &clusters, &SchedulerOptions::default());
        assert_eq!(
            outcome.reason,
            Some(ScheduleReason::Unschedulable),
            "{dynamic}"
        );
        let condition = outcome.condition.expect("condition");
        assert_eq!(condition.reason, "Unschedulable");
        assert_eq!(condition.status, "False");
        // Steady mode: 1 replica is already placed, 9 more are wanted, 7 fit.
        assert_eq!(
            condition.message,
            "failed to assign replicas: Clusters available replicas 7 are not enough to schedule.",
            "{dynamic}"
        );
        assert!(!outcome.clusters_written);
        assert_eq!(counts(&outcome.clusters), [("m1", 1)]);
    }
}

#[test]
fn aggregated_uses_the_fewest_clusters_by_capacity() {
    let clusters = [cluster("m1", 4), cluster("m2", 10), cluster("m3", 6)];
    let b = deployment(12, divided(ReplicaDivisionPreference::Aggregated, false));
    let outcome = schedule(&b, &clusters, &SchedulerOptions::default());
    assert_eq!(outcome.reason, Some(ScheduleReason::Success));
    // m2 (10) and m3 (6) cover 12; divided 10:6 by Webster.
    assert_eq!(counts(&outcome.clusters), [("m2", 7), ("m3", 5)]);
}

#[test]
fn dynamic_weight_divides_by_available_replicas_and_scales_up_steadily() {
    let clusters = [cluster("m1", 10), cluster("m2", 30)];
    let mut b = deployment(8, divided(ReplicaDivisionPreference::Weighted, true));
    let outcome = schedule(&b, &clusters, &SchedulerOptions::default());
    assert_eq!(counts(&outcome.clusters), [("m1", 2), ("m2", 6)]);
    outcome.apply_to(&mut b, "2026-01-01T00:00:00Z");

    // Scale up 8 → 12 in Steady mode: only the 4 new replicas are divided (10:30 → 1:3),
    // added to the previous counts.
    b.spec.replicas = 12;
    let outcome = schedule(&b, &clusters, &SchedulerOptions::default());
    assert_eq!(outcome.reason, Some(ScheduleReason::Success));
    assert_eq!(counts(&outcome.clusters), [("m1", 3), ("m2", 9)]);
}

#[test]
fn fresh_mode_recomputes_from_scratch_when_a_reschedule_is_requested() {
    let clusters = [cluster("m1", 10), cluster("m2", 10)];
    let mut b = deployment(4, divided(ReplicaDivisionPreference::Weighted, true));
    // A lopsided previous result for the same total.
    b.spec.clusters = previous(&[("m1", 4)]);
    b.status = Some(ResourceBindingStatus {
        last_scheduled_time: Some("2026-01-01T00:00:00Z".into()),
        ..Default::default()
    });
    let steady = schedule(&b, &clusters, &SchedulerOptions::default());
    // No trigger for an unchanged divided binding: the previous result stays.
    assert_eq!(counts(&steady.clusters), [("m1", 4)]);

    b.spec.reschedule_triggered_at = Some("2026-01-02T00:00:00Z".into());
    let fresh = schedule(&b, &clusters, &SchedulerOptions::default());
    assert_eq!(fresh.reason, Some(ScheduleReason::Success));
    // Weights are estimate + current replicas: m1 14, m2 10 → 2:2 for 4 replicas.
    assert_eq!(counts(&fresh.clusters), [("m1", 2), ("m2", 2)]);
}

#[test]
fn overflow_tiers_fill_the_primary_clusters_first() {
    let clusters = [cluster("m1", 3), cluster("m2", 5), cluster("m3", 100)];
    let mut b = deployment(6, divided(ReplicaDivisionPreference::Weighted, true));
    if let Some(p) = b.spec.placement.as_mut() {
        p.cluster_affinities = vec![ClusterAffinityTerm {
            affinity_name: "primary".into(),
            affinity: ClusterAffinity {
                cluster_names: vec!["m1".into()],
                ..Default::default()
            },
            overflow_affinities: vec![OverflowAffinity {
                affinity: ClusterAffinity {
                    cluster_names: vec!["m2".into()],
                    ..Default::default()
                },
                ..Default::default()
            }],
        }];
    }
    let outcome = schedule(&b, &clusters, &SchedulerOptions::default());
    assert_eq!(outcome.reason, Some(ScheduleReason::Success));
    assert_eq!(outcome.affinity_name.as_deref(), Some("primary"));
    // m1 takes its 3, the overflow tier m2 the other 3; m3 is outside the term.
    assert_eq!(counts(&outcome.clusters), [("m1", 3), ("m2", 3)]);

    b.spec.replicas = 20;
    let outcome = schedule(&b, &clusters, &SchedulerOptions::default());
    assert_eq!(outcome.reason, Some(ScheduleReason::Unschedulable));
}
