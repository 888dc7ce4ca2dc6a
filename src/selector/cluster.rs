//! Karmada's `ClusterMatches`: whether a cluster belongs to a cluster affinity.

use super::field::{field_selector_matches, validate_field_selector};
use super::label::{label_selector_matches, validate_label_selector};
use super::SelectorError;
use crate::api::{Cluster, ClusterAffinity};

/// Whether `cluster` matches `affinity`, exactly as Karmada's `ClusterMatches`.
///
/// All present criteria are ANDed:
/// 1. a cluster listed in `exclude` never matches (even when also in `clusterNames`);
/// 2. `labelSelector`, when set, must select the cluster's labels (an invalid selector
///    matches nothing; an empty one matches everything);
/// 3. `fieldSelector`, when set, must match (see [`super::field`]);
/// 4. `clusterNames`, when non-empty, must list the cluster.
///
/// An empty affinity matches every cluster. Allocation-free: the scheduler calls this for
/// every (binding, cluster) pair.
///
/// ```
/// use fedplan::api::{Cluster, ClusterAffinity};
/// use fedplan::selector::cluster_matches;
///
/// let mut cluster = Cluster::default();
/// cluster.metadata.name = "member1".into();
/// let affinity = ClusterAffinity {
///     cluster_names: vec!["member1".into()],
///     exclude: vec!["member1".into()],
///     ..Default::default()
/// };
/// assert!(!cluster_matches(&cluster, &affinity));
/// assert!(cluster_matches(&cluster, &ClusterAffinity::default()));
/// ```
pub fn cluster_matches(cluster: &Cluster, affinity: &ClusterAffinity) -> bool {
    let name = cluster.metadata.name.as_str();
    if affinity.exclude.iter().any(|n| n == name) {
        return false;
    }
    if let Some(selector) = &affinity.label_selector {
        if !label_selector_matches(selector, &cluster.metadata.labels) {
            return false;
        }
    }
    if let Some(fields) = &affinity.field_selector {
        if !field_selector_matches(fields, cluster) {
            return false;
        }
    }
    cluster_names_matches(cluster, &affinity.cluster_names)
}

/// Karmada's `ClusterNamesMatches`: an empty list matches every cluster, otherwise the
/// list must contain the cluster's name.
pub fn cluster_names_matches(cluster: &Cluster, cluster_names: &[String]) -> bool {
    cluster_names.is_empty() || cluster_names.contains(&cluster.metadata.name)
}

/// As [`cluster_matches`], but an invalid label or field selector is an error instead of a
/// mismatch. Paths are relative to the affinity (`labelSelector.…`, `fieldSelector.…`).
pub fn try_cluster_matches(
    cluster: &Cluster,
    affinity: &ClusterAffinity,
) -> Result<bool, SelectorError> {
    if let Some(selector) = &affinity.label_selector {
        validate_label_selector(selector).map_err(|e| e.within("labelSelector"))?;
    }
    if let Some(fields) = &affinity.field_selector {
        validate_field_selector(fields).map_err(|e| e.within("fieldSelector"))?;
    }
    Ok(cluster_matches(cluster, affinity))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{FieldSelector, LabelSelector, NodeSelectorRequirement};

    fn cluster() -> Cluster {
        let mut c = Cluster::default();
        c.metadata.name = "cluster1".into();
        c.metadata.labels.insert("foo".into(), "bar".into());
        c.spec.provider = "p1".into();
        c.spec.region = "r1".into();
        c.spec.zones = vec!["z1".into(), "z2".into()];
        c
    }

    fn names(n: &[&str]) -> Vec<String> {
        n.iter().map(|s| s.to_string()).collect()
    }

    fn labels(k: &str, v: &str) -> Option<LabelSelector> {
        let mut s = LabelSelector::default();
        s.match_labels.insert(k.into(), v.into());
        Some(s)
    }

    fn fields(key: &str, op: &str, values: &[&str]) -> Option<FieldSelector> {
        Some(FieldSelector {
            match_expressions: vec![NodeSelectorRequirement {
                key: key.into(),
                operator: op.into(),
                values: names(values),
            }],
        })
    }

    #[test]
    fn rules_table() {
        let c = cluster();
        let aff = |ls, fs, cn: &[&str], ex: &[&str]| ClusterAffinity {
            label_selector: ls,
            field_selector: fs,
            cluster_names: names(cn),
            exclude: names(ex),
        };
        let cases = [
            ("empty matches all", aff(None, None, &[], &[]), true),
            ("name listed", aff(None, None, &["cluster1"], &[]), true),
            (
                "name not listed",
                aff(None, None, &["cluster2"], &[]),
                false,
            ),
            (
                "exclude wins",
                aff(None, None, &["cluster1"], &["cluster1"]),
                false,
            ),
            ("exclude other", aff(None, None, &[], &["cluster2"]), true),
            (
                "labels match",
                aff(labels("foo", "bar"), None, &[], &[]),
                true,
            ),
            (
                "labels mismatch",
                aff(labels("foo", "x"), None, &["cluster1"], &[]),
                false,
            ),
            (
                "labels invalid",
                aff(labels("", "bar"), None, &[], &[]),
                false,
            ),
            (
                "empty label selector matches",
                aff(Some(LabelSelector::default()), None, &[], &[]),
                true,
            ),
            (
                "empty field selector matches",
                aff(None, Some(FieldSelector::default()), &[], &[]),
                true,
            ),
            (
                "provider In",
                aff(None, fields("provider", "In", &["p1"]), &["cluster1"], &[]),
                true,
            ),
            (
                "provider NotIn",
                aff(None, fields("provider", "NotIn", &["p1"]), &[], &[]),
                false,
            ),
            (
                "zone In any",
                aff(None, fields("zone", "In", &["z2"]), &[], &[]),
                true,
            ),
            (
                "zone NotIn partial",
                aff(None, fields("zone", "NotIn", &["z2", "z9"]), &[], &[]),
                false,
            ),
            (
                "all three, names miss",
                aff(
                    labels("foo", "bar"),
                    fields("zone", "In", &["z1"]),
                    &["cluster2"],
                    &[],
                ),
                false,
            ),
            (
                "all three hit",
                aff(
                    labels("foo", "bar"),
                    fields("region", "In", &["r1"]),
                    &["cluster1"],
                    &[],
                ),
                true,
            ),
        ];
        for (name, a, want) in cases {
            assert_eq!(cluster_matches(&c, &a), want, "{name}");
        }
    }

    #[test]
    fn try_reports_invalid() {
        let c = cluster();
        let a = ClusterAffinity {
            label_selector: labels("", "bar"),
            ..Default::default()
        };
        let err = try_cluster_matches(&c, &a).unwrap_err();
        assert!(err.path().starts_with("labelSelector.matchLabels"));
        let a = ClusterAffinity {
            field_selector: fields("region", "In", &[]),
            ..Default::default()
        };
        let err = try_cluster_matches(&c, &a).unwrap_err();
        assert_eq!(err.path(), "fieldSelector.matchExpressions[0].values");
        assert_eq!(
            try_cluster_matches(&c, &ClusterAffinity::default()),
            Ok(true)
        );
    }
}
