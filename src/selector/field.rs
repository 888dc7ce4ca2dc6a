//! A cluster affinity's `fieldSelector`: requirements on `provider`, `region` and `zone`.
//!
//! Karmada splits the requirements in two:
//! - `zone` requirements are tested against the cluster's zone list ([`match_zones`]);
//! - every other requirement is a node-selector requirement evaluated with Kubernetes label
//!   semantics over the synthetic label set `{provider, region}` ([`ClusterFields`]), where a
//!   field is present only when non-empty. So `NotIn` matches a cluster lacking the field and
//!   a key other than `provider`/`region` never satisfies `In`. An invalid requirement makes
//!   the whole selector match nothing.

use super::label::{check_label_key, Labels, Operator, Requirement};
use super::SelectorError;
use crate::api::{Cluster, FieldSelector, NodeSelectorRequirement};

/// Field key for `spec.provider`.
pub const PROVIDER_FIELD: &str = "provider";
/// Field key for `spec.region`.
pub const REGION_FIELD: &str = "region";
/// Field key for the cluster's zones.
pub const ZONE_FIELD: &str = "zone";

/// The synthetic label set `{provider, region}` of a cluster; empty fields are absent.
#[derive(Debug, Clone, Copy)]
pub struct ClusterFields<'a> {
    /// `spec.provider`.
    pub provider: &'a str,
    /// `spec.region`.
    pub region: &'a str,
}

impl<'a> ClusterFields<'a> {
    /// The fields of `cluster`.
    pub fn of(cluster: &'a Cluster) -> Self {
        ClusterFields {
            provider: &cluster.spec.provider,
            region: &cluster.spec.region,
        }
    }
}

impl Labels for ClusterFields<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        let value = match key {
            PROVIDER_FIELD => self.provider,
            REGION_FIELD => self.region,
            _ => return None,
        };
        (!value.is_empty()).then_some(value)
    }
}

/// The cluster's zones: `spec.zones`, or the deprecated `spec.zone` when `zones` is empty
/// (the Cluster API's mutation moves `zone` into `zones`, so a stored cluster always has
/// its zone there). Allocation-free.
pub fn cluster_zones(cluster: &Cluster) -> &[String] {
    if !cluster.spec.zones.is_empty() {
        &cluster.spec.zones
    } else if !cluster.spec.zone.is_empty() {
        std::slice::from_ref(&cluster.spec.zone)
    } else {
        &[]
    }
}

/// Karmada's `matchZones`: a `zone` requirement against a cluster's zones.
///
/// - `In`: some zone of the cluster is listed (false when the cluster has no zone);
/// - `NotIn`: no zone of the cluster is listed;
/// - `Exists`: the cluster has a zone; `DoesNotExist`: it has none;
/// - any other operator: false.
pub fn match_zones(requirement: &NodeSelectorRequirement, zones: &[String]) -> bool {
    let listed = |zone: &String| requirement.values.iter().any(|v| v == zone);
    match requirement.operator.as_str() {
        "In" => zones.iter().any(listed),
        "NotIn" => !zones.iter().any(listed),
        "Exists" => !zones.is_empty(),
        "DoesNotExist" => zones.is_empty(),
        _ => false,
    }
}

/// Whether `cluster` satisfies `selector`; an invalid requirement matches nothing.
/// Allocation-free.
pub fn field_selector_matches(selector: &FieldSelector, cluster: &Cluster) -> bool {
    let fields = ClusterFields::of(cluster);
    let zones = cluster_zones(cluster);
    selector.match_expressions.iter().all(|expr| {
        if expr.key == ZONE_FIELD {
            return match_zones(expr, zones);
        }
        let Some(operator) = Operator::parse_node_selector_op(&expr.operator) else {
            return false;
        };
        Requirement {
            key: &expr.key,
            operator,
            values: &expr.values,
        }
        .checked_matches(&fields)
            == Some(true)
    })
}

/// Reports the first requirement of `selector` that Karmada cannot evaluate: a `zone`
/// requirement with an operator other than `In`/`NotIn`/`Exists`/`DoesNotExist` (always
/// false), or another requirement that Kubernetes' node-selector conversion rejects.
pub fn validate_field_selector(selector: &FieldSelector) -> Result<(), SelectorError> {
    for (i, expr) in selector.match_expressions.iter().enumerate() {
        let path = format!("matchExpressions[{i}]");
        let unsupported = || SelectorError::UnsupportedOperator {
            path: format!("{path}.operator"),
            key: expr.key.clone(),
            operator: expr.operator.clone(),
        };
        if expr.key == ZONE_FIELD {
            match Operator::parse_label_selector_op(&expr.operator) {
                Some(_) => continue,
                None => return Err(unsupported()),
            }
        }
        let Some(operator) = Operator::parse_node_selector_op(&expr.operator) else {
            return Err(unsupported());
        };
        if let Err(reason) = check_label_key(&expr.key) {
            return Err(SelectorError::InvalidKey {
                path: format!("{path}.key"),
                key: expr.key.clone(),
                reason,
            });
        }
        let as_label_expr = crate::api::LabelSelectorRequirement {
            key: expr.key.clone(),
            operator: expr.operator.clone(),
            values: expr.values.clone(),
        };
        if matches!(operator, Operator::Gt | Operator::Lt) {
            let req = Requirement {
                key: &expr.key,
                operator,
                values: &expr.values,
            };
            if req.check().is_err() {
                return Err(if expr.values.len() != 1 {
                    SelectorError::SingleValueRequired {
                        path: format!("{path}.values"),
                        key: expr.key.clone(),
                        operator: expr.operator.clone(),
                    }
                } else {
                    SelectorError::NotAnInteger {
                        path: format!("{path}.values[0]"),
                        key: expr.key.clone(),
                        value: expr.values.first().cloned().unwrap_or_default(),
                    }
                });
            }
            continue;
        }
        super::label::check_label_expression(&as_label_expr, path)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(key: &str, op: &str, values: &[&str]) -> NodeSelectorRequirement {
        NodeSelectorRequirement {
            key: key.into(),
            operator: op.into(),
            values: values.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn cluster(provider: &str, region: &str, zones: &[&str]) -> Cluster {
        let mut c = Cluster::default();
        c.metadata.name = "c".into();
        c.spec.provider = provider.into();
        c.spec.region = region.into();
        c.spec.zones = zones.iter().map(|s| s.to_string()).collect();
        c
    }

    fn zones(z: &[&str]) -> Vec<String> {
        z.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn zones_table() {
        let cases = [
            (req("zone", "In", &["a"]), zones(&["a", "b"]), true),
            (req("zone", "In", &["c"]), zones(&["a", "b"]), false),
            (req("zone", "In", &["a"]), zones(&[]), false),
            (req("zone", "In", &[]), zones(&["a"]), false),
            (req("zone", "NotIn", &["a"]), zones(&["a", "b"]), false),
            (req("zone", "NotIn", &["c"]), zones(&["a", "b"]), true),
            (req("zone", "NotIn", &["c"]), zones(&[]), true),
            (req("zone", "Exists", &[]), zones(&[]), false),
            (req("zone", "Exists", &[]), zones(&["a"]), true),
            (req("zone", "DoesNotExist", &[]), zones(&[]), true),
            (req("zone", "DoesNotExist", &[]), zones(&["a"]), false),
            (req("zone", "Gt", &["1"]), zones(&["a"]), false),
            (req("zone", "in", &["a"]), zones(&["a"]), false),
        ];
        for (r, z, want) in cases {
            assert_eq!(match_zones(&r, &z), want, "{r:?} {z:?}");
        }
    }

    #[test]
    fn fields_table() {
        let full = cluster("aws", "us-east-1", &["a"]);
        let bare = cluster("", "", &[]);
        let cases: Vec<(Vec<NodeSelectorRequirement>, &Cluster, bool)> = vec![
            (vec![], &full, true),
            (vec![req("provider", "In", &["aws"])], &full, true),
            (vec![req("provider", "In", &["gcp"])], &full, false),
            (vec![req("provider", "NotIn", &["aws"])], &full, false),
            (vec![req("region", "NotIn", &["x"])], &bare, true),
            (vec![req("region", "In", &["x"])], &bare, false),
            (vec![req("region", "Exists", &[])], &bare, false),
            (vec![req("region", "DoesNotExist", &[])], &bare, true),
            (vec![req("metadata.name", "In", &["c"])], &full, false),
            (vec![req("metadata.name", "NotIn", &["c"])], &full, true),
            (vec![req("provider", "In", &[])], &full, false),
            (vec![req("provider", "NotIn", &[])], &bare, false),
            (vec![req("provider", "Like", &["aws"])], &full, false),
            (vec![req("region", "Exists", &["x"])], &full, false),
            (
                vec![req("zone", "In", &["a"]), req("provider", "In", &["aws"])],
                &full,
                true,
            ),
            (
                vec![req("zone", "In", &["b"]), req("provider", "In", &["aws"])],
                &full,
                false,
            ),
            (vec![req("zone", "In", &["a"])], &bare, false),
        ];
        for (exprs, c, want) in cases {
            let fs = FieldSelector {
                match_expressions: exprs.clone(),
            };
            assert_eq!(field_selector_matches(&fs, c), want, "{exprs:?}");
        }
    }

    #[test]
    fn deprecated_zone_is_used_when_zones_empty() {
        let mut c = cluster("", "", &[]);
        c.spec.zone = "z1".into();
        assert_eq!(cluster_zones(&c), &["z1".to_string()]);
        c.spec.zones = vec!["z2".into()];
        assert_eq!(cluster_zones(&c), &["z2".to_string()]);
    }

    #[test]
    fn validation() {
        let ok = FieldSelector {
            match_expressions: vec![req("zone", "NotIn", &[]), req("region", "In", &["x"])],
        };
        assert!(validate_field_selector(&ok).is_ok());
        let bad_zone = FieldSelector {
            match_expressions: vec![req("zone", "Gt", &["1"])],
        };
        assert!(matches!(
            validate_field_selector(&bad_zone),
            Err(SelectorError::UnsupportedOperator { .. })
        ));
        let empty_in = FieldSelector {
            match_expressions: vec![req("provider", "In", &[])],
        };
        let err = validate_field_selector(&empty_in).unwrap_err();
        assert_eq!(err.path(), "matchExpressions[0].values");
        let gt = FieldSelector {
            match_expressions: vec![req("provider", "Gt", &["x"])],
        };
        assert!(matches!(
            validate_field_selector(&gt),
            Err(SelectorError::NotAnInteger { .. })
        ));
    }
}
