//! Cluster affinity matching (Karmada's `util.ClusterMatches`) for static weight rules and
//! overflow tiers.
//!
//! Kept private to replica assignment: the selector layer owns the public matcher.

use std::collections::BTreeMap;

use crate::api::{Cluster, ClusterAffinity, LabelSelector, NodeSelectorRequirement};

/// Whether `cluster` belongs to the set `affinity` describes. All present criteria are ANDed;
/// an empty affinity matches every cluster; an invalid selector matches nothing.
pub(crate) fn cluster_matches(cluster: &Cluster, affinity: &ClusterAffinity) -> bool {
    let name = cluster.name();
    if affinity.exclude.iter().any(|n| n == name) {
        return false;
    }
    if let Some(selector) = &affinity.label_selector {
        if !label_selector_matches(selector, &cluster.metadata.labels) {
            return false;
        }
    }
    if let Some(fields) = &affinity.field_selector {
        if !field_selector_matches(cluster, &fields.match_expressions) {
            return false;
        }
    }
    affinity.cluster_names.is_empty() || affinity.cluster_names.iter().any(|n| n == name)
}

/// `metav1.LabelSelector` semantics; an invalid requirement makes the selector match nothing.
fn label_selector_matches(selector: &LabelSelector, labels: &BTreeMap<String, String>) -> bool {
    let by_label = selector
        .match_labels
        .iter()
        .all(|(k, v)| labels.get(k) == Some(v));
    by_label
        && selector.match_expressions.iter().all(|req| {
            set_requirement_matches(&req.key, &req.operator, &req.values, |k| {
                labels.get(k).map(String::as_str)
            })
        })
}

/// One set-based requirement over a label lookup, with Kubernetes' validation rules:
/// `In`/`NotIn` need values, `Exists`/`DoesNotExist` none, `Gt`/`Lt` one integer.
fn set_requirement_matches<'a>(
    key: &str,
    operator: &str,
    values: &[String],
    lookup: impl Fn(&str) -> Option<&'a str>,
) -> bool {
    let value = lookup(key);
    match operator {
        "In" | "in" | "=" | "==" => {
            !values.is_empty() && value.is_some_and(|v| values.iter().any(|x| x == v))
        }
        "NotIn" | "notin" | "!=" => {
            !values.is_empty() && value.is_none_or(|v| values.iter().all(|x| x != v))
        }
        "Exists" | "exists" => values.is_empty() && value.is_some(),
        "DoesNotExist" | "!" => values.is_empty() && value.is_none(),
        "Gt" | "gt" | "Lt" | "lt" => {
            let [bound] = values else {
                return false;
            };
            let (Ok(bound), Some(Ok(actual))) =
                (bound.parse::<i64>(), value.map(str::parse::<i64>))
            else {
                return false;
            };
            if operator.eq_ignore_ascii_case("gt") {
                actual > bound
            } else {
                actual < bound
            }
        }
        _ => false,
    }
}

/// Karmada's field selector: `zone` against `spec.zones`, everything else as labels over the
/// synthetic set `{provider, region}` (a key is present only when its value is non-empty).
fn field_selector_matches(cluster: &Cluster, requirements: &[NodeSelectorRequirement]) -> bool {
    let zones = cluster.zones();
    requirements.iter().all(|req| {
        if req.key == "zone" {
            match req.operator.as_str() {
                "In" => zones.iter().any(|z| req.values.iter().any(|v| v == z)),
                "NotIn" => zones.iter().all(|z| req.values.iter().all(|v| v != z)),
                "Exists" => !zones.is_empty(),
                "DoesNotExist" => zones.is_empty(),
                _ => false,
            }
        } else {
            let lookup = |key: &str| -> Option<&str> {
                let value = match key {
                    "provider" => cluster.spec.provider.as_str(),
                    "region" => cluster.spec.region.as_str(),
                    _ => "",
                };
                (!value.is_empty()).then_some(value)
            };
            set_requirement_matches(&req.key, &req.operator, &req.values, lookup)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{FieldSelector, LabelSelectorRequirement};

    fn cluster(name: &str, labels: &[(&str, &str)], region: &str, zones: &[&str]) -> Cluster {
        let mut c = Cluster::default();
        c.metadata.name = name.to_string();
        c.metadata.labels = labels
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        c.spec.region = region.to_string();
        c.spec.zones = zones.iter().map(|z| z.to_string()).collect();
        c
    }

    fn field(key: &str, op: &str, values: &[&str]) -> ClusterAffinity {
        ClusterAffinity {
            field_selector: Some(FieldSelector {
                match_expressions: vec![NodeSelectorRequirement {
                    key: key.into(),
                    operator: op.into(),
                    values: values.iter().map(|v| v.to_string()).collect(),
                }],
            }),
            ..Default::default()
        }
    }

    #[test]
    fn table() {
        let m1 = cluster("m1", &[("env", "prod")], "eu", &["z1"]);
        let bare = cluster("m2", &[], "", &[]);
        let names = ClusterAffinity {
            cluster_names: vec!["m1".into()],
            ..Default::default()
        };
        let excluded = ClusterAffinity {
            exclude: vec!["m1".into()],
            ..Default::default()
        };
        let labels = ClusterAffinity {
            label_selector: Some(LabelSelector {
                match_labels: [("env".to_string(), "prod".to_string())].into(),
                match_expressions: vec![LabelSelectorRequirement {
                    key: "tier".into(),
                    operator: "DoesNotExist".into(),
                    values: vec![],
                }],
            }),
            ..Default::default()
        };
        let invalid = ClusterAffinity {
            label_selector: Some(LabelSelector {
                match_expressions: vec![LabelSelectorRequirement {
                    key: "env".into(),
                    operator: "In".into(),
                    values: vec![],
                }],
                ..Default::default()
            }),
            ..Default::default()
        };
        let cases: Vec<(&Cluster, ClusterAffinity, bool)> = vec![
            (&m1, ClusterAffinity::default(), true),
            (&m1, names.clone(), true),
            (&bare, names, false),
            (&m1, excluded, false),
            (&m1, labels.clone(), true),
            (&bare, labels, false),
            (&m1, invalid, false),
            (&m1, field("region", "In", &["eu"]), true),
            (&bare, field("region", "In", &["eu"]), false),
            (&bare, field("region", "NotIn", &["eu"]), true),
            (&m1, field("region", "NotIn", &["eu"]), false),
            (&m1, field("zone", "In", &["z1", "z2"]), true),
            (&bare, field("zone", "In", &["z1"]), false),
            (&bare, field("zone", "NotIn", &["z1"]), true),
            (&m1, field("zone", "Exists", &[]), true),
            (&bare, field("zone", "DoesNotExist", &[]), true),
            (&m1, field("zone", "Gt", &["1"]), false),
            (&m1, field("provider", "Bogus", &["x"]), false),
        ];
        for (i, (c, affinity, want)) in cases.into_iter().enumerate() {
            assert_eq!(cluster_matches(c, &affinity), want, "case {i}");
        }
    }
}
