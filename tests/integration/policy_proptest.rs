//! Invariants of policy selection and selector matching.

use std::collections::BTreeMap;

use fedplan::api::{
    Cluster, ClusterAffinity, ClusterPropagationPolicy, LabelSelector, LabelSelectorRequirement,
    PropagationPolicy, ResourceSelector,
};
use fedplan::policy::{claim, select, MatchOptions, PolicyKind};
use fedplan::selector::{cluster_matches, label_selector_matches, try_label_selector_matches};
use proptest::prelude::*;
use serde_json::{json, Value};

/// Selector shapes: 0 kind-only, 1 name "web", 2 name "other", 3 label app=web, 4 label
/// app=db, 5 another kind.
fn selector(shape: u8, namespace: &str) -> ResourceSelector {
    let mut s = ResourceSelector {
        api_version: "apps/v1".into(),
        kind: "Deployment".into(),
        namespace: namespace.into(),
        ..Default::default()
    };
    let labels = |v: &str| {
        let mut l = LabelSelector::default();
        l.match_labels.insert("app".into(), v.into());
        Some(l)
    };
    match shape % 6 {
        1 => s.name = "web".into(),
        2 => s.name = "other".into(),
        3 => s.label_selector = labels("web"),
        4 => s.label_selector = labels("db"),
        5 => s.kind = "StatefulSet".into(),
        _ => {}
    }
    s
}

#[derive(Debug, Clone)]
struct PolicyGen {
    name: String,
    priority: Option<i32>,
    shapes: Vec<u8>,
    preempt: bool,
}

fn policy_gen() -> impl Strategy<Value = PolicyGen> {
    (
        "[a-c]{0,3}",
        prop::option::of(-2i32..3),
        prop::collection::vec(0u8..6, 1..3),
        any::<bool>(),
    )
        .prop_map(|(name, priority, shapes, preempt)| PolicyGen {
            name,
            priority,
            shapes,
            preempt,
        })
}

fn to_pp(g: &PolicyGen) -> PropagationPolicy {
    let mut p = PropagationPolicy::default();
    p.metadata.name = g.name.clone();
    p.metadata.namespace = "default".into();
    p.spec.priority = g.priority;
    p.spec.resource_selectors = g.shapes.iter().map(|s| selector(*s, "default")).collect();
    if g.preempt {
        p.spec.preemption = Some(fedplan::api::PreemptionPolicy::Always);
    }
    p
}

fn to_cpp(g: &PolicyGen) -> ClusterPropagationPolicy {
    let mut p = ClusterPropagationPolicy::default();
    p.metadata.name = g.name.clone();
    p.spec.priority = g.priority;
    p.spec.resource_selectors = g.shapes.iter().map(|s| selector(*s, "")).collect();
    if g.preempt {
        p.spec.preemption = Some(fedplan::api::PreemptionPolicy::Always);
    }
    p
}

fn template() -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"}}})
}

fn who(c: Option<fedplan::policy::ClaimedBy<'_>>) -> Option<(PolicyKind, String)> {
    c.map(|c| (c.kind(), c.name().to_string()))
}

fn opts() -> MatchOptions {
    MatchOptions {
        preemption: true,
        ..MatchOptions::default()
    }
}

proptest! {
    #[test]
    fn selection_ignores_list_order(
        pps in prop::collection::vec(policy_gen(), 0..6).prop_shuffle(),
        cpps in prop::collection::vec(policy_gen(), 0..6),
        seed in any::<u64>(),
    ) {
        let t = template();
        let a: Vec<PropagationPolicy> = pps.iter().map(to_pp).collect();
        let b: Vec<ClusterPropagationPolicy> = cpps.iter().map(to_cpp).collect();
        let mut a2 = a.clone();
        let mut b2 = b.clone();
        // Deterministic permutations derived from the seed.
        let n = a2.len().max(1);
        a2.rotate_left((seed as usize) % n);
        a2.reverse();
        let m = b2.len().max(1);
        b2.rotate_left((seed as usize / 7) % m);
        b2.reverse();
        prop_assert_eq!(who(select(&t, &a, &b, &opts())), who(select(&t, &a2, &b2, &opts())));
    }

    #[test]
    fn claim_decision_ignores_list_order(
        pps in prop::collection::vec(policy_gen(), 0..6),
        cpps in prop::collection::vec(policy_gen(), 0..6),
        claimed_pp in any::<bool>(),
        claim_index in 0usize..6,
    ) {
        let a: Vec<PropagationPolicy> = pps.iter().map(to_pp).collect();
        let b: Vec<ClusterPropagationPolicy> = cpps.iter().map(to_cpp).collect();
        // Claim the template for one of the generated policies (when there is one).
        let mut t = template();
        if claimed_pp {
            if let Some(p) = a.get(claim_index % a.len().max(1)) {
                t["metadata"]["labels"]["propagationpolicy.karmada.io/permanent-id"] = json!("id");
                t["metadata"]["annotations"] = json!({
                    "propagationpolicy.karmada.io/namespace": "default",
                    "propagationpolicy.karmada.io/name": p.metadata.name,
                });
            }
        } else if let Some(p) = b.get(claim_index % b.len().max(1)) {
            t["metadata"]["labels"]["clusterpropagationpolicy.karmada.io/permanent-id"] = json!("id");
            t["metadata"]["annotations"] = json!({
                "clusterpropagationpolicy.karmada.io/name": p.metadata.name,
            });
        }
        let mut a2 = a.clone();
        a2.reverse();
        let mut b2 = b.clone();
        b2.reverse();
        // Names may repeat in generated lists; the claimant is the first of that name, so
        // compare only when names are unique.
        let unique = |names: Vec<&str>| {
            let mut s = names.clone();
            s.sort();
            s.dedup();
            s.len() == names.len()
        };
        prop_assume!(unique(a.iter().map(|p| p.metadata.name.as_str()).collect()));
        prop_assume!(unique(b.iter().map(|p| p.metadata.name.as_str()).collect()));
        let d1 = claim(&t, &a, &b, &opts());
        let d2 = claim(&t, &a2, &b2, &opts());
        prop_assert_eq!(who(d1.policy()), who(d2.policy()));
    }

    #[test]
    fn name_beats_label_at_equal_priority(
        name_a in "[a-z]{1,4}",
        name_b in "[a-z]{1,4}",
        priority in prop::option::of(-3i32..3),
    ) {
        let mut by_name = to_pp(&PolicyGen { name: name_a, priority, shapes: vec![1], preempt: false });
        let by_label = to_pp(&PolicyGen { name: name_b, priority, shapes: vec![3], preempt: false });
        // The name may sort either way; the name selector still wins.
        by_name.metadata.name.push('z');
        let pps = [by_label.clone(), by_name.clone()];
        let got = who(select(&template(), &pps, &[], &opts()));
        prop_assert_eq!(got, Some((PolicyKind::PropagationPolicy, by_name.metadata.name.clone())));
    }

    #[test]
    fn any_matching_pp_beats_every_cpp(
        pp_priority in -100i32..0,
        cpps in prop::collection::vec(policy_gen(), 0..5),
    ) {
        let pp = to_pp(&PolicyGen { name: "pp".into(), priority: Some(pp_priority), shapes: vec![0], preempt: false });
        let b: Vec<ClusterPropagationPolicy> = cpps.iter().map(to_cpp).collect();
        let got = who(select(&template(), &[pp], &b, &opts()));
        prop_assert_eq!(got.map(|g| g.0), Some(PolicyKind::PropagationPolicy));
    }

    #[test]
    fn fast_and_validating_label_matching_agree(
        match_labels in prop::collection::btree_map("[a-c/.-]{0,3}", "[a-c_-]{0,2}", 0..3),
        exprs in prop::collection::vec(
            ("[a-c]{0,2}", prop::sample::select(vec!["In", "NotIn", "Exists", "DoesNotExist", "Gt", "in"]),
             prop::collection::vec("[a-c]{0,2}", 0..3)),
            0..3),
        labels in prop::collection::btree_map("[a-c]{1,2}", "[a-c]{0,2}", 0..4),
    ) {
        let selector = LabelSelector {
            match_labels,
            match_expressions: exprs
                .into_iter()
                .map(|(key, op, values)| LabelSelectorRequirement { key, operator: op.to_string(), values })
                .collect(),
        };
        let fast = label_selector_matches(&selector, &labels);
        let checked = try_label_selector_matches(&selector, &labels);
        prop_assert_eq!(fast, checked.clone().unwrap_or(false), "{:?}", checked);
    }

    #[test]
    fn exclude_always_wins_and_empty_affinity_matches(
        name in "[a-z]{1,5}",
        labels in prop::collection::btree_map("[a-c]{1,2}", "[a-c]{0,2}", 0..3),
        listed in any::<bool>(),
    ) {
        let mut cluster = Cluster::default();
        cluster.metadata.name = name.clone();
        cluster.metadata.labels = labels.into_iter().collect::<BTreeMap<_, _>>();
        prop_assert!(cluster_matches(&cluster, &ClusterAffinity::default()));
        let affinity = ClusterAffinity {
            exclude: vec![name.clone()],
            cluster_names: if listed { vec![name] } else { vec![] },
            label_selector: Some(LabelSelector::default()),
            ..Default::default()
        };
        prop_assert!(!cluster_matches(&cluster, &affinity));
    }
}
