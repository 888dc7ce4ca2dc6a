//! Invariants of the rollout planner and the toleration timing.

use std::collections::BTreeMap;

use fedplan::api::{ResourceHealth, Taint, Toleration};
use fedplan::controlplane::Timestamp;
use fedplan::failover::min_toleration_seconds;
use fedplan::rollout::{plan, ClusterObservation, Phase, Strategy};
use proptest::prelude::*;

proptest! {
    /// Whatever the clusters report, a held cluster is never released, every scheduled
    /// cluster is either held or released, and nothing is held once completed.
    #[test]
    fn held_and_released_partition_the_scheduled(
        n in 1usize..7,
        width in 1usize..4,
        reports in proptest::collection::vec((any::<bool>(), 0u8..3, 0i64..100), 1..12),
    ) {
        let scheduled: Vec<String> = (0..n).map(|i| format!("m{i}")).collect();
        let strategy = Strategy::parse(&format!(r#"{{"maxUnavailableClusters": {width}, "soakSeconds": 30}}"#)).unwrap();
        let mut now = Timestamp(0);
        let mut p = plan(&strategy, None, 1, &scheduled, &BTreeMap::new(), now);
        for (caught_up, h, dt) in reports {
            now = now.plus(dt);
            let health = match h { 0 => ResourceHealth::Healthy, 1 => ResourceHealth::Unhealthy, _ => ResourceHealth::Unknown };
            let observed: BTreeMap<String, ClusterObservation> = scheduled
                .iter()
                .map(|c| (c.clone(), ClusterObservation { caught_up, health }))
                .collect();
            p = plan(&strategy, Some(&p.status), 2, &scheduled, &observed, now);
            for c in &scheduled {
                let held = p.held.contains(c);
                let released = p.status.released.contains(c) || p.status.phase == Phase::Completed;
                prop_assert!(held != released, "{c}: held {held} released {released} in {:?}", p.status);
            }
            if p.status.phase == Phase::Completed {
                prop_assert!(p.held.is_empty());
            }
        }
    }

    /// The remaining toleration is -1, 0, or exactly timeAdded + tolerationSeconds - now.
    #[test]
    fn toleration_time_matches_the_formula(added in 0i64..1000, secs in 0i64..1000, now in 0i64..2000) {
        let taint = Taint {
            key: "k".into(),
            effect: "NoExecute".into(),
            time_added: Some(Timestamp(added).to_string()),
            ..Default::default()
        };
        let tol = Toleration {
            key: "k".into(),
            operator: "Exists".into(),
            effect: "NoExecute".into(),
            toleration_seconds: Some(secs),
            ..Default::default()
        };
        let got = min_toleration_seconds(&[taint], &[tol], Timestamp(now));
        let want = (added + secs - now).max(0);
        prop_assert_eq!(got, want);
    }
}
