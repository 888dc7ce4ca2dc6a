//! End-to-end scheduling decisions: conditions, messages, fall-through, exemptions,
//! plugins, suspension and the diagnosis.

use std::sync::Arc;

use fedplan::api::{
    ApiEnablement, ApiResource, Cluster, ClusterAffinity, ClusterAffinityTerm, ClusterStatus,
    Placement, ResourceBinding, ResourceBindingStatus, SpreadByField, SpreadConstraint, Suspension,
    Taint, TargetCluster,
};
use fedplan::scheduler::framework::{
    FilterPlugin, FilterResult, PluginRegistry, SchedulingContext,
};
use fedplan::scheduler::{
    run_algorithm, schedule, ScheduleAction, ScheduleReason, SchedulerOptions, Trigger,
    APPLIED_PLACEMENT_ANNOTATION,
};

fn cluster(name: &str, region: &str) -> Cluster {
    let mut c = Cluster::default();
    c.metadata.name = name.into();
    c.metadata.labels.insert("name".into(), name.into());
    c.spec.region = region.into();
    c.status = Some(ClusterStatus {
        api_enablements: vec![ApiEnablement {
            group_version: "v1".into(),
            resources: vec![ApiResource {
                name: "configmaps".into(),
                kind: "ConfigMap".into(),
            }],
        }],
        ..Default::default()
    });
    c
}

fn names_affinity(names: &[&str]) -> ClusterAffinity {
    ClusterAffinity {
        cluster_names: names.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    }
}

/// A ConfigMap binding: a non-workload, so the result is exactly the selection.
fn config_map(placement: Placement) -> ResourceBinding {
    let mut b = ResourceBinding::default();
    b.metadata.name = "cm-configmap".into();
    b.metadata.namespace = "default".into();
    b.metadata.generation = Some(1);
    b.spec.resource.api_version = "v1".into();
    b.spec.resource.kind = "ConfigMap".into();
    b.spec.resource.name = "cm".into();
    b.spec.placement = Some(placement);
    b
}

fn target_names(t: &[TargetCluster]) -> Vec<&str> {
    t.iter().map(|t| t.name.as_str()).collect()
}

fn targets(names: &[&str]) -> Vec<TargetCluster> {
    names
        .iter()
        .map(|n| TargetCluster {
            name: n.to_string(),
            replicas: 0,
            components: vec![],
        })
        .collect()
}

#[test]
fn no_cluster_fit_message_counts_first_rejecting_plugin_and_clears_result() {
    let mut tainted = cluster("m1", "r1");
    tainted.spec.taints = vec![Taint {
        key: "key".into(),
        value: "value".into(),
        effect: "NoSchedule".into(),
        time_added: None,
    }];
    let clusters = vec![tainted, cluster("m2", "r1"), cluster("m3", "r2")];
    let mut b = config_map(Placement {
        cluster_affinity: Some(names_affinity(&["m1"])),
        ..Default::default()
    });
    b.spec.clusters = targets(&["m9"]);
    let out = schedule(&b, &clusters, &SchedulerOptions::default());
    assert_eq!(out.reason, Some(ScheduleReason::NoClusterFit));
    let cond = out.condition.clone().unwrap_or_default();
    assert_eq!(cond.status, "False");
    assert_eq!(cond.reason, "NoClusterFit");
    assert_eq!(
        cond.message,
        "0/3 clusters are available: 1 cluster(s) had untolerated taint {key=value:NoSchedule}, \
         2 cluster(s) did not match the placement cluster affinity constraint."
    );
    assert!(out.clusters.is_empty());
    assert!(out.clusters_written);
}

#[test]
fn deleting_clusters_are_skipped_but_counted() {
    let mut gone = cluster("m1", "r1");
    gone.metadata.deletion_timestamp = Some("2026-01-01T00:00:00Z".into());
    let out = run_algorithm(
        &config_map(Placement::default()),
        &[gone],
        &SchedulerOptions::default(),
    );
    assert_eq!(
        out.condition.map(|c| c.message),
        Some("0/1 clusters are available: no cluster exists.".to_string())
    );
}

#[test]
fn spread_selection_failure_keeps_previous_result() {
    let clusters = vec![cluster("m1", "r1"), cluster("m2", "r2")];
    let mut b = config_map(Placement {
        spread_constraints: vec![
            SpreadConstraint {
                spread_by_field: Some(SpreadByField::Region),
                min_groups: 3,
                max_groups: 3,
                ..Default::default()
            },
            SpreadConstraint {
                spread_by_field: Some(SpreadByField::Cluster),
                min_groups: 1,
                max_groups: 3,
                ..Default::default()
            },
        ],
        ..Default::default()
    });
    b.spec.clusters = targets(&["m1"]);
    let out = schedule(&b, &clusters, &SchedulerOptions::default());
    assert_eq!(out.reason, Some(ScheduleReason::SchedulerError));
    assert_eq!(
        out.condition.map(|c| c.message).unwrap_or_default(),
        "failed to select clusters: the number of feasible region is less than spreadConstraint.MinGroups"
    );
    assert!(!out.clusters_written);
    assert_eq!(target_names(&out.clusters), ["m1"]);
}

#[test]
fn locality_keeps_previous_cluster_under_cluster_spread() {
    let clusters = vec![cluster("a", "r1"), cluster("b", "r1"), cluster("c", "r1")];
    let mut b = config_map(Placement {
        spread_constraints: vec![SpreadConstraint {
            spread_by_field: Some(SpreadByField::Cluster),
            min_groups: 1,
            max_groups: 1,
            ..Default::default()
        }],
        ..Default::default()
    });
    let out = schedule(&b, &clusters, &SchedulerOptions::default());
    assert_eq!(target_names(&out.clusters), ["a"]);
    b.spec.clusters = targets(&["c"]);
    let out = schedule(&b, &clusters, &SchedulerOptions::default());
    assert_eq!(out.reason, Some(ScheduleReason::Success));
    assert_eq!(target_names(&out.clusters), ["c"]);
}

#[test]
fn region_spread_picks_one_cluster_per_region() {
    let clusters = vec![
        cluster("a1", "ra"),
        cluster("a2", "ra"),
        cluster("b1", "rb"),
        cluster("c1", "rc"),
    ];
    let b = config_map(Placement {
        spread_constraints: vec![
            SpreadConstraint {
                spread_by_field: Some(SpreadByField::Region),
                min_groups: 2,
                max_groups: 2,
                ..Default::default()
            },
            SpreadConstraint {
                spread_by_field: Some(SpreadByField::Cluster),
                min_groups: 2,
                max_groups: 2,
                ..Default::default()
            },
        ],
        ..Default::default()
    });
    let opts = SchedulerOptions {
        diagnose: true,
        ..Default::default()
    };
    let out = schedule(&b, &clusters, &opts);
    assert_eq!(out.reason, Some(ScheduleReason::Success));
    assert_eq!(out.clusters.len(), 2);
    let regions: std::collections::BTreeSet<&str> = out
        .clusters
        .iter()
        .filter_map(|t| clusters.iter().find(|c| c.name() == t.name))
        .map(|c| c.spec.region.as_str())
        .collect();
    assert_eq!(regions.len(), 2, "{:?}", out.clusters);
    let diag = out.diagnosis.unwrap_or_default();
    assert_eq!(diag.groups.len(), 3);
}

fn affinities_binding() -> ResourceBinding {
    config_map(Placement {
        cluster_affinities: vec![
            ClusterAffinityTerm {
                affinity_name: "primary".into(),
                affinity: names_affinity(&["p1"]),
                overflow_affinities: vec![],
            },
            ClusterAffinityTerm {
                affinity_name: "backup".into(),
                affinity: names_affinity(&["b1"]),
                overflow_affinities: vec![],
            },
        ],
        ..Default::default()
    })
}

#[test]
fn cluster_affinities_fall_through_and_stay() {
    let only_backup = vec![cluster("b1", "r1")];
    let b = affinities_binding();
    let out = schedule(&b, &only_backup, &SchedulerOptions::default());
    assert_eq!(out.reason, Some(ScheduleReason::Success));
    assert_eq!(out.affinity_name.as_deref(), Some("backup"));
    assert_eq!(target_names(&out.clusters), ["b1"]);

    // The primary recovers: the binding stays on the backup term.
    let mut after = b.clone();
    out.apply_to(&mut after, "2026-01-01T00:00:00Z");
    assert_eq!(
        after
            .status
            .as_ref()
            .and_then(|s| s.scheduler_observing_affinity_name.as_deref()),
        Some("backup")
    );
    assert!(after
        .metadata
        .annotations
        .contains_key(APPLIED_PLACEMENT_ANNOTATION));
    let both = vec![cluster("p1", "r1"), cluster("b1", "r1")];
    let out = schedule(&after, &both, &SchedulerOptions::default());
    assert_eq!(out.affinity_name.as_deref(), Some("backup"));
    assert_eq!(target_names(&out.clusters), ["b1"]);

    // A Fresh reschedule starts over from the first term.
    after.spec.reschedule_triggered_at = Some("2026-01-02T00:00:00Z".into());
    let out = schedule(&after, &both, &SchedulerOptions::default());
    assert_eq!(out.affinity_name.as_deref(), Some("primary"));
    assert_eq!(target_names(&out.clusters), ["p1"]);
}

#[test]
fn cluster_affinities_all_failing_with_fit_error_clear_and_keep_name() {
    let mut b = affinities_binding();
    b.status = Some(ResourceBindingStatus {
        scheduler_observing_affinity_name: Some("primary".into()),
        ..Default::default()
    });
    b.spec.clusters = targets(&["p1"]);
    let out = schedule(&b, &[cluster("x", "r1")], &SchedulerOptions::default());
    assert_eq!(out.reason, Some(ScheduleReason::NoClusterFit));
    assert!(out.clusters.is_empty() && out.clusters_written);
    assert_eq!(out.affinity_name.as_deref(), Some("primary"));
}

#[test]
fn suspended_scheduling_is_ignored() {
    let mut b = config_map(Placement::default());
    b.spec.suspension = Some(Suspension {
        scheduling: Some(true),
        ..Default::default()
    });
    b.spec.clusters = targets(&["old"]);
    let out = schedule(&b, &[cluster("m1", "r1")], &SchedulerOptions::default());
    assert_eq!(out.action, ScheduleAction::Suspended);
    assert!(out.condition.is_none());
    assert_eq!(target_names(&out.clusters), ["old"]);
}

#[test]
fn non_workloads_are_always_rescheduled() {
    let b = config_map(Placement::default());
    let out = schedule(&b, &[cluster("m1", "r1")], &SchedulerOptions::default());
    assert_eq!(
        out.action,
        ScheduleAction::Scheduled(Trigger::PlacementChanged)
    );
    let mut after = b.clone();
    out.apply_to(&mut after, "2026-01-01T00:00:00Z");
    let again = schedule(&after, &[cluster("m1", "r1")], &SchedulerOptions::default());
    assert_eq!(
        again.action,
        ScheduleAction::Scheduled(Trigger::AlwaysScheduled)
    );
    assert_eq!(again.clusters, out.clusters);
}

#[test]
fn plugins_can_be_disabled_by_name() {
    let mut tainted = cluster("m1", "r1");
    tainted.spec.taints = vec![Taint {
        key: "k".into(),
        value: String::new(),
        effect: "NoExecute".into(),
        time_added: None,
    }];
    let b = config_map(Placement::default());
    let default = schedule(
        &b,
        std::slice::from_ref(&tainted),
        &SchedulerOptions::default(),
    );
    assert_eq!(default.reason, Some(ScheduleReason::NoClusterFit));
    let opts = SchedulerOptions {
        framework: PluginRegistry::in_tree().build(&["*", "-TaintToleration"]),
        ..Default::default()
    };
    let out = schedule(&b, &[tainted], &opts);
    assert_eq!(out.reason, Some(ScheduleReason::Success));
    // `-Name` alone enables nothing, so every cluster passes.
    let none = PluginRegistry::in_tree().build(&["-TaintToleration"]);
    assert_eq!(none.filter_names().count(), 0);
}

struct NoClustersNamedB;

impl FilterPlugin for NoClustersNamedB {
    fn name(&self) -> &str {
        "NoB"
    }
    fn filter(&self, _ctx: &SchedulingContext<'_>, cluster: &Cluster) -> FilterResult {
        if cluster.name().starts_with('b') {
            FilterResult::Unschedulable("cluster(s) are named b".into())
        } else {
            FilterResult::Success
        }
    }
}

#[test]
fn custom_filter_plugins_run_after_in_tree_ones() {
    let mut registry = PluginRegistry::in_tree();
    assert!(registry.register_filter(Arc::new(NoClustersNamedB)).is_ok());
    assert!(registry
        .register_filter(Arc::new(NoClustersNamedB))
        .is_err());
    let opts = SchedulerOptions {
        framework: registry.build(&["*"]),
        diagnose: true,
        ..Default::default()
    };
    let b = config_map(Placement::default());
    let out = schedule(&b, &[cluster("a", "r"), cluster("b", "r")], &opts);
    assert_eq!(target_names(&out.clusters), ["a"]);
    let diag = out.diagnosis.unwrap_or_default();
    let b_diag = diag
        .clusters
        .iter()
        .find(|c| c.name == "b")
        .cloned()
        .unwrap_or_default();
    assert!(!b_diag.feasible);
    assert_eq!(
        b_diag.filtered_by.map(|f| f.plugin),
        Some("NoB".to_string())
    );
}

#[test]
fn diagnosis_has_the_documented_shape() {
    let b = config_map(Placement {
        cluster_affinity: Some(names_affinity(&["a"])),
        ..Default::default()
    });
    let opts = SchedulerOptions {
        diagnose: true,
        ..Default::default()
    };
    let out = schedule(&b, &[cluster("a", "r"), cluster("z", "r")], &opts);
    let diag = out.diagnosis.clone().unwrap_or_default();
    let json = serde_json::to_value(&diag).unwrap_or_default();
    assert_eq!(json["message"], "Binding has been scheduled successfully.");
    let a = &json["clusters"][0];
    assert_eq!(a["name"], "a");
    assert_eq!(a["feasible"], true);
    assert_eq!(a["scores"]["ClusterLocality"], 0);
    assert_eq!(a["scores"]["ClusterAffinity"], 0);
    assert!(a.get("availableReplicas").is_some());
    assert_eq!(a["assignedReplicas"], 0);
    let z = &json["clusters"][1];
    assert_eq!(z["feasible"], false);
    assert_eq!(z["filteredBy"]["plugin"], "ClusterAffinity");
    assert_eq!(
        z["filteredBy"]["reason"],
        "cluster(s) did not match the placement cluster affinity constraint"
    );
    assert!(z.get("assignedReplicas").is_none());
    let table = diag.render_table();
    assert!(table
        .lines()
        .next()
        .unwrap_or_default()
        .starts_with("CLUSTER"));
    assert!(table.contains("ClusterAffinity: cluster(s) did not match"));
    // Without the option no diagnosis is built.
    assert!(
        schedule(&b, &[cluster("a", "r")], &SchedulerOptions::default())
            .diagnosis
            .is_none()
    );
}

#[test]
fn empty_workload_assigns_nothing() {
    let mut b = config_map(Placement::default());
    b.spec.resource.api_version = "v1".into();
    b.spec.replicas = 0;
    b.spec.replica_requirements = Some(Default::default());
    let out = schedule(&b, &[cluster("a", "r")], &SchedulerOptions::default());
    assert_eq!(out.reason, Some(ScheduleReason::Success));
    assert!(out.clusters.is_empty());
    let opts = SchedulerOptions {
        enable_empty_workload_propagation: true,
        ..Default::default()
    };
    let out = schedule(&b, &[cluster("a", "r")], &opts);
    assert_eq!(target_names(&out.clusters), ["a"]);
}

#[test]
fn unsupported_strategy_is_a_scheduler_error() {
    let mut b = config_map(Placement {
        replica_scheduling: Some(fedplan::api::ReplicaSchedulingStrategy {
            replica_scheduling_type: Some(fedplan::api::ReplicaSchedulingType::Divided),
            replica_division_preference: None,
            weight_preference: None,
        }),
        ..Default::default()
    });
    b.spec.replicas = 2;
    let out = schedule(&b, &[cluster("a", "r")], &SchedulerOptions::default());
    assert_eq!(out.reason, Some(ScheduleReason::SchedulerError));
    assert_eq!(
        out.condition.map(|c| c.message).unwrap_or_default(),
        "failed to assign replicas: unsupported replica scheduling strategy"
    );
}
