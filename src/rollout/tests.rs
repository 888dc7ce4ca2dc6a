use super::*;

fn names(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn strategy_parsing() {
    let cases = [
        (r#"{"batches": [["a"]]}"#, true),
        (
            r#"{"maxUnavailableClusters": 2, "onFailure": "Rollback"}"#,
            true,
        ),
        (
            r#"{"batches": [["a"]], "maxUnavailableClusters": 2}"#,
            false,
        ),
        (r#"{}"#, false),
        (r#"{"maxUnavailableClusters": 0}"#, false),
        (r#"{"batches": [["a"]], "soakSeconds": -1}"#, false),
        (r#"{"batches": [["a"]], "bogus": 1}"#, false),
        ("not json", false),
    ];
    for (text, ok) in cases {
        assert_eq!(Strategy::parse(text).is_ok(), ok, "{text}");
    }
}

#[test]
fn batches_cover_every_scheduled_cluster() {
    let s = Strategy::parse(r#"{"batches": [["a"], ["x"], ["b", "c"]]}"#).unwrap();
    assert_eq!(
        s.batches_for(&names(&["c", "b", "a", "d"])),
        vec![names(&["a"]), names(&["b", "c", "d"])]
    );
    let s = Strategy::parse(r#"{"maxUnavailableClusters": 2}"#).unwrap();
    assert_eq!(
        s.batches_for(&names(&["e", "a", "c", "b", "d"])),
        vec![names(&["a", "b"]), names(&["c", "d"]), names(&["e"])]
    );
}

fn obs(caught_up: bool, health: ResourceHealth) -> ClusterObservation {
    ClusterObservation { caught_up, health }
}

#[test]
fn failure_pauses_or_rolls_back() {
    let scheduled = names(&["a", "b"]);
    let t0 = Timestamp(0);
    for (on_failure, phase, pause, rollback) in [
        ("Pause", Phase::Paused, true, false),
        ("Rollback", Phase::RolledBack, false, true),
    ] {
        let s = Strategy::parse(&format!(
            r#"{{"batches": [["a"], ["b"]], "onFailure": "{on_failure}"}}"#
        ))
        .unwrap();
        let p = plan(&s, None, 1, &scheduled, &BTreeMap::new(), t0);
        let p = plan(&s, Some(&p.status), 2, &scheduled, &BTreeMap::new(), t0);
        // Not caught up yet: an unhealthy report is progress, not failure.
        let lagging = BTreeMap::from([("a".to_string(), obs(false, ResourceHealth::Unhealthy))]);
        let p = plan(&s, Some(&p.status), 2, &scheduled, &lagging, t0);
        assert_eq!(p.status.phase, Phase::Progressing);
        let bad = BTreeMap::from([("a".to_string(), obs(true, ResourceHealth::Unhealthy))]);
        let p = plan(&s, Some(&p.status), 2, &scheduled, &bad, t0);
        assert_eq!(
            (p.status.phase, p.pause_strategy, p.rollback),
            (phase, pause, rollback)
        );
        assert_eq!(p.status.stable_revision, Some(1));
    }
}

#[test]
fn resume_after_pause_completes() {
    let scheduled = names(&["a", "b"]);
    let mut s = Strategy::parse(r#"{"batches": [["a"], ["b"]], "soakSeconds": 10}"#).unwrap();
    let t0 = Timestamp(0);
    let good = |c: &[&str]| -> BTreeMap<String, ClusterObservation> {
        c.iter()
            .map(|n| (n.to_string(), obs(true, ResourceHealth::Healthy)))
            .collect()
    };
    let p = plan(&s, None, 1, &scheduled, &BTreeMap::new(), t0);
    let p = plan(&s, Some(&p.status), 2, &scheduled, &BTreeMap::new(), t0);
    s.paused = true;
    let p = plan(
        &s,
        Some(&p.status),
        2,
        &scheduled,
        &good(&["a"]),
        t0.plus(100),
    );
    assert_eq!(p.status.phase, Phase::Paused);
    assert_eq!(p.held, names(&["b"]));
    s.paused = false;
    let p = plan(
        &s,
        Some(&p.status),
        2,
        &scheduled,
        &good(&["a"]),
        t0.plus(100),
    );
    assert_eq!(p.status.phase, Phase::Progressing);
    let p = plan(
        &s,
        Some(&p.status),
        2,
        &scheduled,
        &good(&["a"]),
        t0.plus(110),
    );
    assert!(p.held.is_empty());
    let p = plan(
        &s,
        Some(&p.status),
        2,
        &scheduled,
        &good(&["a", "b"]),
        t0.plus(110),
    );
    let p = plan(
        &s,
        Some(&p.status),
        2,
        &scheduled,
        &good(&["a", "b"]),
        t0.plus(120),
    );
    assert_eq!(p.status.phase, Phase::Completed);
    assert_eq!(p.status.stable_revision, Some(2));
}
