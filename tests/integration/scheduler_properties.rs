//! Invariants of the scheduler: the decision never depends on the order of the clusters, and
//! scheduling again with unchanged input keeps the previous result.

use fedplan::api::{
    ApiEnablement, ApiResource, Cluster, ClusterAffinity, ClusterPreferences, ClusterStatus,
    DynamicWeightFactor, LabelSelector, Placement, ReplicaDivisionPreference,
    ReplicaSchedulingStrategy, ReplicaSchedulingType, ResourceBinding, SpreadByField,
    SpreadConstraint, StaticClusterWeight, Taint, TargetCluster, Toleration,
};
use fedplan::scheduler::{schedule, ScheduleAction, SchedulerOptions};
use proptest::prelude::*;

#[derive(Debug, Clone)]
struct ClusterSeed {
    region: u8,
    tainted: bool,
    labelled: bool,
    api: bool,
    deleting: bool,
}

fn cluster_seed() -> impl Strategy<Value = ClusterSeed> {
    (
        0u8..4,
        any::<bool>(),
        any::<bool>(),
        prop::bool::weighted(0.9),
        prop::bool::weighted(0.05),
    )
        .prop_map(|(region, tainted, labelled, api, deleting)| ClusterSeed {
            region,
            tainted,
            labelled,
            api,
            deleting,
        })
}

fn build_cluster(i: usize, s: &ClusterSeed) -> Cluster {
    let mut c = Cluster::default();
    c.metadata.name = format!("member{i:02}");
    if s.labelled {
        c.metadata.labels.insert("tier".into(), "gold".into());
    }
    if s.deleting {
        c.metadata.deletion_timestamp = Some("2026-01-01T00:00:00Z".into());
    }
    c.spec.region = format!("r{}", s.region);
    c.spec.provider = "p".into();
    c.spec.zones = vec![format!("z{}", s.region % 2)];
    if s.tainted {
        c.spec.taints = vec![Taint {
            key: "cluster.karmada.io/not-ready".into(),
            value: String::new(),
            effect: "NoSchedule".into(),
            time_added: None,
        }];
    }
    // Ample capacity: the general estimator's answer then never decides the outcome,
    // so the properties are about the pipeline, not about resources.
    let ample: fedplan::api::ResourceSummary =
        serde_json::from_value(serde_json::json!({"allocatable": {"pods": "1000"}}))
            .expect("resource summary");
    c.status = Some(ClusterStatus {
        resource_summary: Some(ample.clone()),
        ..Default::default()
    });
    if s.api {
        c.status = Some(ClusterStatus {
            resource_summary: Some(ample),
            api_enablements: vec![ApiEnablement {
                group_version: "apps/v1".into(),
                resources: vec![ApiResource {
                    name: "deployments".into(),
                    kind: "Deployment".into(),
                }],
            }],
            ..Default::default()
        });
    }
    c
}

fn strategy(mode: u8) -> Option<ReplicaSchedulingStrategy> {
    let divided = |pref, weight| {
        Some(ReplicaSchedulingStrategy {
            replica_scheduling_type: Some(ReplicaSchedulingType::Divided),
            replica_division_preference: Some(pref),
            weight_preference: weight,
        })
    };
    match mode {
        0 => None,
        1 => divided(
            ReplicaDivisionPreference::Weighted,
            Some(ClusterPreferences {
                static_weight_list: vec![StaticClusterWeight {
                    target_cluster: ClusterAffinity {
                        label_selector: Some(LabelSelector {
                            match_labels: [("tier".to_string(), "gold".to_string())].into(),
                            ..Default::default()
                        }),
                        ..Default::default()
                    },
                    weight: 2,
                }],
                dynamic_weight: None,
            }),
        ),
        2 => divided(
            ReplicaDivisionPreference::Weighted,
            Some(ClusterPreferences {
                static_weight_list: vec![],
                dynamic_weight: Some(DynamicWeightFactor::AvailableReplicas),
            }),
        ),
        _ => divided(ReplicaDivisionPreference::Aggregated, None),
    }
}

fn spread(kind: u8) -> Vec<SpreadConstraint> {
    let c = |field, min, max| SpreadConstraint {
        spread_by_field: Some(field),
        min_groups: min,
        max_groups: max,
        ..Default::default()
    };
    match kind {
        0 => vec![],
        1 => vec![c(SpreadByField::Cluster, 1, 3)],
        2 => vec![
            c(SpreadByField::Region, 1, 2),
            c(SpreadByField::Cluster, 2, 4),
        ],
        _ => vec![
            c(SpreadByField::Zone, 1, 2),
            c(SpreadByField::Cluster, 1, 2),
        ],
    }
}

#[derive(Debug, Clone)]
struct Input {
    clusters: Vec<ClusterSeed>,
    mode: u8,
    spread: u8,
    replicas: i32,
    tolerate: bool,
    affinity_gold: bool,
    previous: Vec<usize>,
}

fn input() -> impl Strategy<Value = Input> {
    (
        prop::collection::vec(cluster_seed(), 0..12),
        0u8..4,
        0u8..4,
        0i32..20,
        any::<bool>(),
        any::<bool>(),
        prop::collection::vec(0usize..12, 0..3),
    )
        .prop_map(
            |(clusters, mode, spread, replicas, tolerate, affinity_gold, previous)| Input {
                clusters,
                mode,
                spread,
                replicas,
                tolerate,
                affinity_gold,
                previous,
            },
        )
}

fn binding(inp: &Input) -> ResourceBinding {
    let mut b = ResourceBinding::default();
    b.metadata.name = "web-deployment".into();
    b.metadata.namespace = "default".into();
    b.metadata.generation = Some(1);
    b.spec.resource.api_version = "apps/v1".into();
    b.spec.resource.kind = "Deployment".into();
    b.spec.resource.name = "web".into();
    b.spec.resource.uid = "4858ca61-0000-0000-0000-000000000000".into();
    b.spec.replicas = inp.replicas;
    b.spec.placement = Some(Placement {
        cluster_affinity: inp.affinity_gold.then(|| ClusterAffinity {
            label_selector: Some(LabelSelector {
                match_labels: [("tier".to_string(), "gold".to_string())].into(),
                ..Default::default()
            }),
            ..Default::default()
        }),
        cluster_tolerations: if inp.tolerate {
            vec![Toleration {
                key: "cluster.karmada.io/not-ready".into(),
                operator: "Exists".into(),
                ..Default::default()
            }]
        } else {
            vec![]
        },
        spread_constraints: spread(inp.spread),
        replica_scheduling: strategy(inp.mode),
        ..Default::default()
    });
    let mut prev: Vec<usize> = inp.previous.clone();
    prev.sort_unstable();
    prev.dedup();
    b.spec.clusters = prev
        .into_iter()
        .map(|i| TargetCluster {
            name: format!("member{i:02}"),
            replicas: 1,
            components: vec![],
        })
        .collect();
    b
}

/// Whether the placement spreads over regions, zones or providers (groups chosen by score).
fn group_spread(b: &ResourceBinding) -> bool {
    b.spec.placement.as_ref().is_some_and(|p| {
        p.spread_constraints.iter().any(|c| {
            matches!(
                c.spread_by_field,
                Some(SpreadByField::Region | SpreadByField::Zone | SpreadByField::Provider)
            )
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn decision_does_not_depend_on_cluster_order(inp in input(), rotate in 0usize..12, reverse in any::<bool>()) {
        let clusters: Vec<Cluster> = inp.clusters.iter().enumerate().map(|(i, s)| build_cluster(i, s)).collect();
        let b = binding(&inp);
        let opts = SchedulerOptions { diagnose: true, ..Default::default() };
        let base = schedule(&b, &clusters, &opts);
        let mut shuffled = clusters.clone();
        if !shuffled.is_empty() {
            let r = rotate % shuffled.len();
            shuffled.rotate_left(r);
        }
        if reverse {
            shuffled.reverse();
        }
        let other = schedule(&b, &shuffled, &opts);
        prop_assert_eq!(base, other);
    }

    #[test]
    fn unchanged_input_keeps_the_previous_result(inp in input()) {
        let clusters: Vec<Cluster> = inp.clusters.iter().enumerate().map(|(i, s)| build_cluster(i, s)).collect();
        let mut b = binding(&inp);
        let opts = SchedulerOptions::default();
        let first = schedule(&b, &clusters, &opts);
        first.apply_to(&mut b, "2026-01-01T00:00:00Z");
        let second = schedule(&b, &clusters, &opts);
        let mut got = second.clusters.clone();
        got.sort();
        let mut want = b.spec.clusters.clone();
        want.sort();
        let reran = matches!(second.action, ScheduleAction::Scheduled(_));
        if reran && group_spread(&b) && got != want {
            // Karmada reruns a zero-replica or Duplicated binding every time, and
            // ClusterLocality then scores the previous targets up; with region or zone
            // spread that can tip `selectGroups` to a strict prefix of the previous
            // groups. The decision must still settle: once more gives the same result.
            second.apply_to(&mut b, "2026-01-01T00:00:00Z");
            let third = schedule(&b, &clusters, &opts);
            let mut settled = third.clusters.clone();
            settled.sort();
            prop_assert_eq!(settled, got);
            return Ok(());
        }
        prop_assert_eq!(got, want);
        prop_assert_eq!(second.reason.is_some(), second.condition.is_some());
        // With a non-empty result the exemptions of existing targets make the second
        // pass succeed exactly as the first (an empty result loses them, as in Karmada).
        // A second pass without a trigger keeps the result and writes no condition.
        if reran && first.clusters_written && !first.clusters.is_empty() {
            prop_assert_eq!(second.reason, first.reason);
        }
    }
}
