//! Karmada's `ClusterMatches`: whether a cluster belongs to a cluster affinity.

use super::field::{
    cluster_zones, field_selector_matches, match_zones, validate_field_selector, ClusterFields,
    ZONE_FIELD,
};
use super::label::{label_selector_matches, validate_label_selector, Operator, Requirement};
use super::SelectorError;
use crate::api::{Cluster, ClusterAffinity, NodeSelectorRequirement};

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

/// The label part of a prepared affinity.
#[derive(Debug, Clone)]
enum LabelCheck<'a> {
    /// No label selector, or an empty one.
    Any,
    /// An invalid selector: nothing matches.
    Never,
    /// Validated requirements.
    Requirements {
        equal: Vec<(&'a str, &'a str)>,
        expressions: Vec<Requirement<'a>>,
    },
}

/// The field part of a prepared affinity.
#[derive(Debug, Clone)]
enum FieldCheck<'a> {
    /// No field selector, or an empty one.
    Any,
    /// A requirement Karmada cannot evaluate: nothing matches.
    Never,
    /// Zone requirements and validated `provider`/`region` requirements.
    Requirements {
        zones: Vec<&'a NodeSelectorRequirement>,
        others: Vec<Requirement<'a>>,
    },
}

/// A cluster affinity prepared for matching many clusters: selectors validated once and
/// name lists sorted for binary search. [`ClusterAffinityMatcher::matches`] gives exactly
/// [`cluster_matches`]'s answer, allocation-free, in O(log n) for `clusterNames` and
/// `exclude` instead of O(n).
///
/// ```
/// use fedplan::api::{Cluster, ClusterAffinity};
/// use fedplan::selector::ClusterAffinityMatcher;
///
/// let affinity = ClusterAffinity { exclude: vec!["b".into()], ..Default::default() };
/// let matcher = ClusterAffinityMatcher::new(&affinity);
/// let mut cluster = Cluster::default();
/// cluster.metadata.name = "a".into();
/// assert!(matcher.matches(&cluster));
/// ```
#[derive(Debug, Clone)]
pub struct ClusterAffinityMatcher<'a> {
    exclude: Vec<&'a str>,
    names: Vec<&'a str>,
    labels: LabelCheck<'a>,
    fields: FieldCheck<'a>,
}

fn sorted_names(names: &[String]) -> Vec<&str> {
    let mut v: Vec<&str> = names.iter().map(String::as_str).collect();
    v.sort_unstable();
    v.dedup();
    v
}

impl<'a> ClusterAffinityMatcher<'a> {
    /// Prepares `affinity`.
    pub fn new(affinity: &'a ClusterAffinity) -> Self {
        let labels = match &affinity.label_selector {
            None => LabelCheck::Any,
            Some(selector) => {
                if validate_label_selector(selector).is_err() {
                    LabelCheck::Never
                } else {
                    let expressions: Option<Vec<Requirement<'a>>> = selector
                        .match_expressions
                        .iter()
                        .map(|e| {
                            Operator::parse_label_selector_op(&e.operator).map(|operator| {
                                Requirement {
                                    key: &e.key,
                                    operator,
                                    values: &e.values,
                                }
                            })
                        })
                        .collect();
                    match expressions {
                        None => LabelCheck::Never,
                        Some(expressions)
                            if expressions.is_empty() && selector.match_labels.is_empty() =>
                        {
                            LabelCheck::Any
                        }
                        Some(expressions) => LabelCheck::Requirements {
                            equal: selector
                                .match_labels
                                .iter()
                                .map(|(k, v)| (k.as_str(), v.as_str()))
                                .collect(),
                            expressions,
                        },
                    }
                }
            }
        };
        let fields = match &affinity.field_selector {
            None => FieldCheck::Any,
            Some(fs) if fs.match_expressions.is_empty() => FieldCheck::Any,
            Some(fs) => {
                let mut zones = Vec::new();
                let mut others = Vec::new();
                let mut valid = true;
                for expr in &fs.match_expressions {
                    if expr.key == ZONE_FIELD {
                        valid &= Operator::parse_label_selector_op(&expr.operator).is_some();
                        zones.push(expr);
                        continue;
                    }
                    match Operator::parse_node_selector_op(&expr.operator) {
                        Some(operator) => {
                            let r = Requirement {
                                key: &expr.key,
                                operator,
                                values: &expr.values,
                            };
                            valid &= r.check().is_ok();
                            others.push(r);
                        }
                        None => valid = false,
                    }
                }
                if valid {
                    FieldCheck::Requirements { zones, others }
                } else {
                    FieldCheck::Never
                }
            }
        };
        ClusterAffinityMatcher {
            exclude: sorted_names(&affinity.exclude),
            names: sorted_names(&affinity.cluster_names),
            labels,
            fields,
        }
    }

    /// The `matchLabels` pairs when they are the whole label and field check (no
    /// `matchExpressions`, no field selector); then [`ClusterAffinityMatcher::matches`] is
    /// [`ClusterAffinityMatcher::name_allowed`] and every pair present among the labels.
    /// `None` otherwise.
    pub fn label_equalities(&self) -> Option<&[(&'a str, &'a str)]> {
        if !matches!(self.fields, FieldCheck::Any) {
            return None;
        }
        match &self.labels {
            LabelCheck::Any => Some(&[]),
            LabelCheck::Requirements { equal, expressions } if expressions.is_empty() => {
                Some(equal)
            }
            _ => None,
        }
    }

    /// Whether the name passes `exclude` and `clusterNames`.
    pub fn name_allowed(&self, name: &str) -> bool {
        self.exclude.binary_search(&name).is_err()
            && (self.names.is_empty() || self.names.binary_search(&name).is_ok())
    }

    /// Whether `cluster` matches the affinity; the same answer as [`cluster_matches`].
    pub fn matches(&self, cluster: &Cluster) -> bool {
        let name = cluster.metadata.name.as_str();
        if self.exclude.binary_search(&name).is_ok() {
            return false;
        }
        match &self.labels {
            LabelCheck::Any => {}
            LabelCheck::Never => return false,
            LabelCheck::Requirements { equal, expressions } => {
                let labels = &cluster.metadata.labels;
                if !equal
                    .iter()
                    .all(|(k, v)| labels.get(*k).map(String::as_str) == Some(*v))
                    || !expressions.iter().all(|r| r.matches(labels))
                {
                    return false;
                }
            }
        }
        match &self.fields {
            FieldCheck::Any => {}
            FieldCheck::Never => return false,
            FieldCheck::Requirements { zones, others } => {
                let cluster_zone_list = cluster_zones(cluster);
                if !zones.iter().all(|z| match_zones(z, cluster_zone_list)) {
                    return false;
                }
                let fields = ClusterFields::of(cluster);
                if !others.iter().all(|r| r.matches(&fields)) {
                    return false;
                }
            }
        }
        self.names.is_empty() || self.names.binary_search(&name).is_ok()
    }
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
            assert_eq!(
                ClusterAffinityMatcher::new(&a).matches(&c),
                want,
                "prepared: {name}"
            );
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
