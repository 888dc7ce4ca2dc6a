//! Cluster affinity matching (Karmada's `ClusterMatches`) for the scheduler's filters.
//!
//! This is the scheduler's own copy until `crate::selector::cluster_matches(cluster,
//! affinity)` is available; the filters call [`cluster_matches`] only, so switching over is
//! a one-line change here.

use std::collections::BTreeMap;

use crate::api::{Cluster, ClusterAffinity, LabelSelector, NodeSelectorRequirement};

/// Whether `cluster` is selected by `affinity` (every present criterion must hold):
/// `exclude` never matches, then the label selector, the field selector (provider, region,
/// zone), then `clusterNames`. An invalid selector never matches.
pub fn cluster_matches(cluster: &Cluster, affinity: &ClusterAffinity) -> bool {
    AffinityMatcher::new(affinity).matches(cluster)
}

/// A cluster affinity with its selectors checked once, for matching many clusters.
#[derive(Debug, Clone, Copy)]
pub struct AffinityMatcher<'a> {
    affinity: &'a ClusterAffinity,
    /// False when a selector is invalid: then no cluster matches.
    valid: bool,
}

impl<'a> AffinityMatcher<'a> {
    /// Checks the selectors of `affinity`.
    pub fn new(affinity: &'a ClusterAffinity) -> Self {
        let labels_ok = affinity
            .label_selector
            .as_ref()
            .is_none_or(label_selector_valid);
        let fields_ok = affinity.field_selector.as_ref().is_none_or(|fs| {
            fs.match_expressions.iter().all(|r| {
                r.key == "zone"
                    || (is_qualified_name(&r.key)
                        && requirement_valid(&r.operator, &r.values, true))
            })
        });
        AffinityMatcher {
            affinity,
            valid: labels_ok && fields_ok,
        }
    }

    /// The affinity.
    pub fn affinity(&self) -> &'a ClusterAffinity {
        self.affinity
    }

    /// Whether the affinity selects `cluster`.
    pub fn matches(&self, cluster: &Cluster) -> bool {
        if !self.valid {
            return false;
        }
        let affinity = self.affinity;
        let name = cluster.name();
        if affinity.exclude.iter().any(|n| n == name) {
            return false;
        }
        if let Some(sel) = &affinity.label_selector {
            if !label_selector_eval(sel, &cluster.metadata.labels) {
                return false;
            }
        }
        if let Some(fs) = &affinity.field_selector {
            for req in &fs.match_expressions {
                let ok = if req.key == "zone" {
                    zones_eval(req, cluster)
                } else {
                    requirement_eval(&req.operator, &req.values, field_value(cluster, &req.key))
                };
                if !ok {
                    return false;
                }
            }
        }
        affinity.cluster_names.is_empty() || affinity.cluster_names.iter().any(|n| n == name)
    }
}

/// A `zone` field requirement against a cluster's zones.
pub fn zones_match(req: &NodeSelectorRequirement, zones: &[&str]) -> bool {
    zones_op(req, zones.iter().copied())
}

fn zones_eval(req: &NodeSelectorRequirement, cluster: &Cluster) -> bool {
    // `spec.zones`, or the deprecated `spec.zone` when `zones` is empty.
    if cluster.spec.zones.is_empty() {
        let single = (!cluster.spec.zone.is_empty()).then_some(cluster.spec.zone.as_str());
        zones_op(req, single.into_iter())
    } else {
        zones_op(req, cluster.spec.zones.iter().map(String::as_str))
    }
}

fn zones_op<'z>(req: &NodeSelectorRequirement, mut zones: impl Iterator<Item = &'z str>) -> bool {
    match req.operator.as_str() {
        "In" => zones.any(|z| req.values.iter().any(|v| v == z)),
        "NotIn" => !zones.any(|z| req.values.iter().any(|v| v == z)),
        "Exists" => zones.next().is_some(),
        "DoesNotExist" => zones.next().is_none(),
        _ => false,
    }
}

fn field_value<'c>(cluster: &'c Cluster, key: &str) -> Option<&'c str> {
    let v = match key {
        "provider" => cluster.spec.provider.as_str(),
        "region" => cluster.spec.region.as_str(),
        _ => return None,
    };
    (!v.is_empty()).then_some(v)
}

/// Whether a requirement is well formed (Kubernetes rules); `numeric_ops` allows
/// `Gt`/`Lt` (node selectors).
fn requirement_valid(op: &str, values: &[String], numeric_ops: bool) -> bool {
    match op {
        "In" | "NotIn" => !values.is_empty() && values.iter().all(|v| is_label_value(v)),
        "Exists" | "DoesNotExist" => values.is_empty(),
        "Gt" | "Lt" if numeric_ops => matches!(values, [v] if v.parse::<i64>().is_ok()),
        _ => false,
    }
}

/// Evaluates a well-formed requirement against a value (absent when `None`).
fn requirement_eval(op: &str, values: &[String], value: Option<&str>) -> bool {
    match op {
        "In" => value.is_some_and(|v| values.iter().any(|x| x == v)),
        "NotIn" => !value.is_some_and(|v| values.iter().any(|x| x == v)),
        "Exists" => value.is_some(),
        "DoesNotExist" => value.is_none(),
        "Gt" | "Lt" => {
            let (Some(bound), Some(v)) = (
                values.first().and_then(|b| b.parse::<i64>().ok()),
                value.and_then(|v| v.parse::<i64>().ok()),
            ) else {
                return false;
            };
            if op == "Gt" {
                v > bound
            } else {
                v < bound
            }
        }
        _ => false,
    }
}

fn label_selector_valid(sel: &LabelSelector) -> bool {
    sel.match_labels
        .iter()
        .all(|(k, v)| is_qualified_name(k) && is_label_value(v))
        && sel
            .match_expressions
            .iter()
            .all(|r| is_qualified_name(&r.key) && requirement_valid(&r.operator, &r.values, false))
}

fn label_selector_eval(sel: &LabelSelector, labels: &BTreeMap<String, String>) -> bool {
    sel.match_labels
        .iter()
        .all(|(k, v)| labels.get(k) == Some(v))
        && sel.match_expressions.iter().all(|r| {
            requirement_eval(
                &r.operator,
                &r.values,
                labels.get(&r.key).map(String::as_str),
            )
        })
}

/// A `metav1.LabelSelector` against a label set; an invalid selector never matches.
pub fn label_selector_matches(sel: &LabelSelector, labels: &BTreeMap<String, String>) -> bool {
    label_selector_valid(sel) && label_selector_eval(sel, labels)
}

fn is_name_part(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

fn is_dns_subdomain(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|l| {
            let b = l.as_bytes();
            !b.is_empty()
                && b.len() <= 63
                && (b[0].is_ascii_lowercase() || b[0].is_ascii_digit())
                && (b[b.len() - 1].is_ascii_lowercase() || b[b.len() - 1].is_ascii_digit())
                && b.iter()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        })
}

/// A label key: `[prefix/]name`, the prefix a DNS subdomain.
pub fn is_qualified_name(key: &str) -> bool {
    match key.split_once('/') {
        Some((prefix, name)) => is_dns_subdomain(prefix) && is_name_part(name),
        None => is_name_part(key),
    }
}

/// A label value: empty, or a name part.
pub fn is_label_value(v: &str) -> bool {
    v.is_empty() || is_name_part(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{FieldSelector, LabelSelectorRequirement};

    fn cluster() -> Cluster {
        let mut c = Cluster::default();
        c.metadata.name = "c1".into();
        c.metadata.labels.insert("env".into(), "prod".into());
        c.spec.region = "r1".into();
        c
    }

    fn req(key: &str, op: &str, values: &[&str]) -> NodeSelectorRequirement {
        NodeSelectorRequirement {
            key: key.into(),
            operator: op.into(),
            values: values.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn table() {
        let c = cluster();
        let field = |r| ClusterAffinity {
            field_selector: Some(FieldSelector {
                match_expressions: vec![r],
            }),
            ..Default::default()
        };
        let label = |r: LabelSelectorRequirement| ClusterAffinity {
            label_selector: Some(LabelSelector {
                match_expressions: vec![r],
                ..Default::default()
            }),
            ..Default::default()
        };
        let lreq = |k: &str, op: &str, v: &[&str]| LabelSelectorRequirement {
            key: k.into(),
            operator: op.into(),
            values: v.iter().map(|s| s.to_string()).collect(),
        };
        let cases: Vec<(&str, ClusterAffinity, bool)> = vec![
            ("empty affinity", ClusterAffinity::default(), true),
            (
                "provider NotIn on missing",
                field(req("provider", "NotIn", &["x"])),
                true,
            ),
            (
                "provider In on missing",
                field(req("provider", "In", &["x"])),
                false,
            ),
            ("region In", field(req("region", "In", &["r1"])), true),
            ("region Exists", field(req("region", "Exists", &[])), true),
            (
                "In without values invalid",
                field(req("region", "In", &[])),
                false,
            ),
            (
                "zone DoesNotExist",
                field(req("zone", "DoesNotExist", &[])),
                true,
            ),
            ("label In", label(lreq("env", "In", &["prod"])), true),
            ("label NotIn", label(lreq("env", "NotIn", &["prod"])), false),
            (
                "label DoesNotExist",
                label(lreq("team", "DoesNotExist", &[])),
                true,
            ),
            (
                "label bad operator",
                label(lreq("env", "Gt", &["1"])),
                false,
            ),
        ];
        for (name, aff, want) in cases {
            assert_eq!(cluster_matches(&c, &aff), want, "{name}");
        }
    }

    #[test]
    fn qualified_names() {
        assert!(is_qualified_name("example.com/a-b"));
        assert!(is_qualified_name("metadata.name"));
        assert!(!is_qualified_name(""));
        assert!(!is_qualified_name("-a"));
        assert!(!is_qualified_name("Example.com/a"));
    }
}
