//! The prepared cluster-affinity matcher agrees with `cluster_matches` on arbitrary
//! affinities and clusters (valid and invalid selectors alike).

use fedplan::api::{
    Cluster, ClusterAffinity, FieldSelector, LabelSelector, LabelSelectorRequirement,
    NodeSelectorRequirement,
};
use fedplan::selector::{cluster_matches, ClusterAffinityMatcher};
use proptest::prelude::*;

fn ops() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "In",
        "NotIn",
        "Exists",
        "DoesNotExist",
        "Gt",
        "Lt",
        "in",
    ])
}

fn values() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(
        prop::sample::select(vec!["a", "b", "1", "", "-x"]).prop_map(String::from),
        0..3,
    )
}

fn affinity() -> impl Strategy<Value = ClusterAffinity> {
    let names = || {
        prop::collection::vec(
            prop::sample::select(vec!["c1", "c2", "c3"]).prop_map(String::from),
            0..3,
        )
    };
    let label_selector = prop::option::of((
        prop::collection::btree_map(
            prop::sample::select(vec!["k", "j", ""]).prop_map(String::from),
            prop::sample::select(vec!["a", "b", "_"]).prop_map(String::from),
            0..2,
        ),
        prop::collection::vec(
            (prop::sample::select(vec!["k", "j"]), ops(), values()),
            0..3,
        ),
    ))
    .prop_map(|o| {
        o.map(|(match_labels, exprs)| LabelSelector {
            match_labels,
            match_expressions: exprs
                .into_iter()
                .map(|(k, op, values)| LabelSelectorRequirement {
                    key: k.into(),
                    operator: op.into(),
                    values,
                })
                .collect(),
        })
    });
    let field_selector = prop::option::of(prop::collection::vec(
        (
            prop::sample::select(vec!["provider", "region", "zone", "other"]),
            ops(),
            values(),
        ),
        0..3,
    ))
    .prop_map(|o| {
        o.map(|exprs| FieldSelector {
            match_expressions: exprs
                .into_iter()
                .map(|(k, op, values)| NodeSelectorRequirement {
                    key: k.into(),
                    operator: op.into(),
                    values,
                })
                .collect(),
        })
    });
    (label_selector, field_selector, names(), names()).prop_map(
        |(label_selector, field_selector, cluster_names, exclude)| ClusterAffinity {
            label_selector,
            field_selector,
            cluster_names,
            exclude,
        },
    )
}

fn cluster() -> impl Strategy<Value = Cluster> {
    (
        prop::sample::select(vec!["c1", "c2", "c3"]),
        prop::collection::btree_map(
            prop::sample::select(vec!["k", "j"]).prop_map(String::from),
            prop::sample::select(vec!["a", "b", "1"]).prop_map(String::from),
            0..3,
        ),
        prop::sample::select(vec!["", "a", "1"]),
        prop::sample::select(vec!["", "b"]),
        prop::collection::vec(
            prop::sample::select(vec!["a", "b"]).prop_map(String::from),
            0..2,
        ),
        prop::sample::select(vec!["", "a"]),
    )
        .prop_map(|(name, labels, provider, region, zones, zone)| {
            let mut c = Cluster::default();
            c.metadata.name = name.into();
            c.metadata.labels = labels;
            c.spec.provider = provider.into();
            c.spec.region = region.into();
            c.spec.zones = zones;
            c.spec.zone = zone.into();
            c
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]
    #[test]
    fn prepared_matcher_agrees(a in affinity(), c in cluster()) {
        prop_assert_eq!(ClusterAffinityMatcher::new(&a).matches(&c), cluster_matches(&c, &a));
    }
}
