//! Conversions between the world's records and fedplan's API types, checking the shape of
//! what a plugin returns.

use std::collections::btree_map::Entry;
use std::collections::BTreeMap;

use serde_json::Value;

use super::bindings::fedplan::interpreter::types as wit;
use super::error::CallFailure;
use super::projection::FieldTree;
use crate::api::{
    AggregatedStatusItem, Component, ComponentReplicaRequirements, DependentObjectReference,
    LabelSelector, LabelSelectorRequirement, NodeClaim, NodeSelector, NodeSelectorRequirement,
    NodeSelectorTerm, Quantity, ReplicaRequirements, ResourceHealth, ResourceList, Toleration,
};
use crate::interpreter::{Operation, ReplicaInterpretation};

fn wrong_shape(field: impl Into<String>, message: impl Into<String>) -> CallFailure {
    CallFailure::WrongShape {
        field: field.into(),
        message: message.into(),
    }
}

/// The world's operation as fedplan's.
pub(crate) fn operation(op: wit::Operation) -> Operation {
    match op {
        wit::Operation::InterpretReplica => Operation::InterpretReplica,
        wit::Operation::ReviseReplica => Operation::ReviseReplica,
        wit::Operation::Retain => Operation::Retain,
        wit::Operation::AggregateStatus => Operation::AggregateStatus,
        wit::Operation::InterpretStatus => Operation::InterpretStatus,
        wit::Operation::InterpretHealth => Operation::InterpretHealth,
        wit::Operation::InterpretDependency => Operation::InterpretDependency,
        wit::Operation::InterpretComponent => Operation::InterpretComponent,
    }
}

/// Fedplan's operation as the world's.
pub(crate) fn wit_operation(op: Operation) -> wit::Operation {
    match op {
        Operation::InterpretReplica => wit::Operation::InterpretReplica,
        Operation::ReviseReplica => wit::Operation::ReviseReplica,
        Operation::Retain => wit::Operation::Retain,
        Operation::AggregateStatus => wit::Operation::AggregateStatus,
        Operation::InterpretStatus => wit::Operation::InterpretStatus,
        Operation::InterpretHealth => wit::Operation::InterpretHealth,
        Operation::InterpretDependency => wit::Operation::InterpretDependency,
        Operation::InterpretComponent => wit::Operation::InterpretComponent,
    }
}

/// Parses JSON text a plugin returned.
pub(crate) fn parse_json(text: &str) -> Result<Value, CallFailure> {
    serde_json::from_str(text).map_err(|e| CallFailure::InvalidJson {
        message: e.to_string(),
    })
}

/// Parses JSON text that must be an object (a whole Kubernetes object).
pub(crate) fn parse_object(text: &str) -> Result<Value, CallFailure> {
    let value = parse_json(text)?;
    if value.is_object() {
        Ok(value)
    } else {
        Err(wrong_shape(
            "(result)",
            format!("expected a JSON object, found {}", json_type(&value)),
        ))
    }
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn resource_list(list: Vec<(String, String)>, field: &str) -> Result<ResourceList, CallFailure> {
    let mut out = ResourceList::new();
    for (name, text) in list {
        let quantity: Quantity = text.parse().map_err(|e| {
            wrong_shape(
                format!("{field}.{name}"),
                format!("{text:?} is not a quantity: {e}"),
            )
        })?;
        match out.entry(name) {
            Entry::Vacant(slot) => {
                slot.insert(quantity);
            }
            Entry::Occupied(slot) => {
                return Err(wrong_shape(
                    format!("{field}.{}", slot.key()),
                    "resource listed twice",
                ))
            }
        }
    }
    Ok(out)
}

fn node_selector_requirements(
    list: Vec<wit::NodeSelectorRequirement>,
) -> Vec<NodeSelectorRequirement> {
    list.into_iter()
        .map(|r| NodeSelectorRequirement {
            key: r.key,
            operator: r.operator,
            values: r.values,
        })
        .collect()
}

fn node_claim(claim: wit::NodeClaim) -> NodeClaim {
    NodeClaim {
        hard_node_affinity: claim.hard_node_affinity.map(|terms| NodeSelector {
            node_selector_terms: terms
                .into_iter()
                .map(|t| NodeSelectorTerm {
                    match_expressions: node_selector_requirements(t.match_expressions),
                    match_fields: node_selector_requirements(t.match_fields),
                })
                .collect(),
        }),
        node_selector: claim.node_selector.into_iter().collect::<BTreeMap<_, _>>(),
        tolerations: claim
            .tolerations
            .into_iter()
            .map(|t| Toleration {
                key: t.key,
                operator: t.operator,
                value: t.value,
                effect: t.effect,
                toleration_seconds: t.toleration_seconds,
            })
            .collect(),
    }
}

fn replicas(value: i32, field: &str) -> Result<i32, CallFailure> {
    if value < 0 {
        Err(wrong_shape(field, format!("{value} replicas is negative")))
    } else {
        Ok(value)
    }
}

/// An InterpretReplica result.
pub(crate) fn replica_interpretation(
    result: wit::ReplicaInterpretation,
) -> Result<ReplicaInterpretation, CallFailure> {
    let replica_requirements = match result.requirements {
        None => None,
        Some(r) => Some(ReplicaRequirements {
            node_claim: r.node_claim.map(node_claim),
            resource_request: resource_list(
                r.resource_request,
                "replicaRequirements.resourceRequest",
            )?,
            namespace: r.namespace,
            priority_class_name: r.priority_class_name,
        }),
    };
    Ok(ReplicaInterpretation {
        replicas: replicas(result.replicas, "replicas")?,
        replica_requirements,
    })
}

/// An InterpretComponent result.
pub(crate) fn components(list: Vec<wit::Component>) -> Result<Vec<Component>, CallFailure> {
    let mut seen = std::collections::BTreeSet::new();
    list.into_iter()
        .enumerate()
        .map(|(i, c)| {
            if c.name.is_empty() {
                return Err(wrong_shape(
                    format!("components[{i}].name"),
                    "empty component name",
                ));
            }
            if !seen.insert(c.name.clone()) {
                return Err(wrong_shape(
                    format!("components[{i}].name"),
                    format!("component {:?} listed twice", c.name),
                ));
            }
            let replica_requirements = match c.requirements {
                None => None,
                Some(r) => Some(ComponentReplicaRequirements {
                    node_claim: r.node_claim.map(node_claim),
                    resource_request: resource_list(
                        r.resource_request,
                        &format!("components[{i}].replicaRequirements.resourceRequest"),
                    )?,
                    priority_class_name: r.priority_class_name,
                }),
            };
            Ok(Component {
                replicas: replicas(c.replicas, &format!("components[{i}].replicas"))?,
                name: c.name,
                replica_requirements,
            })
        })
        .collect()
}

/// An InterpretDependency result, validated as Karmada validates every dependency list:
/// `apiVersion` and `kind` set, and a `name` or a `labelSelector`.
pub(crate) fn dependencies(
    list: Vec<wit::DependentObjectReference>,
) -> Result<Vec<DependentObjectReference>, CallFailure> {
    list.into_iter()
        .enumerate()
        .map(|(i, d)| {
            if d.api_version.is_empty() {
                return Err(wrong_shape(
                    format!("dependencies[{i}].apiVersion"),
                    "apiVersion is empty",
                ));
            }
            if d.kind.is_empty() {
                return Err(wrong_shape(
                    format!("dependencies[{i}].kind"),
                    "kind is empty",
                ));
            }
            if d.name.is_empty() && d.label_selector.is_none() {
                return Err(wrong_shape(
                    format!("dependencies[{i}]"),
                    "neither name nor labelSelector is set",
                ));
            }
            let label_selector = d.label_selector.map(|s| LabelSelector {
                match_labels: s.match_labels.into_iter().collect(),
                match_expressions: s
                    .match_expressions
                    .into_iter()
                    .map(|r| LabelSelectorRequirement {
                        key: r.key,
                        operator: r.operator,
                        values: r.values,
                    })
                    .collect(),
            });
            if let Some(selector) = &label_selector {
                for (j, r) in selector.match_expressions.iter().enumerate() {
                    let field = format!("dependencies[{i}].labelSelector.matchExpressions[{j}]");
                    match r.operator.as_str() {
                        "In" | "NotIn" if r.values.is_empty() => {
                            return Err(wrong_shape(field, format!("{} needs values", r.operator)))
                        }
                        "Exists" | "DoesNotExist" if !r.values.is_empty() => {
                            return Err(wrong_shape(
                                field,
                                format!("{} takes no values", r.operator),
                            ))
                        }
                        "In" | "NotIn" | "Exists" | "DoesNotExist" => {}
                        other => {
                            return Err(wrong_shape(field, format!("unknown operator {other:?}")))
                        }
                    }
                }
            }
            Ok(DependentObjectReference {
                api_version: d.api_version,
                kind: d.kind,
                namespace: d.namespace,
                name: d.name,
                label_selector,
            })
        })
        .collect()
}

/// A member's status as the world's `aggregated-status-item` record, borrowing its strings
/// (the owned record of the generated bindings would cost two allocations per member).
#[derive(wasmtime::component::ComponentType, wasmtime::component::Lower)]
#[component(record)]
pub(crate) struct StatusItemRef<'a> {
    #[component(name = "cluster-name")]
    cluster_name: &'a str,
    status: Option<&'a str>,
    applied: bool,
    #[component(name = "applied-message")]
    applied_message: &'a str,
    health: Option<wit::Health>,
}

/// Member statuses serialized as JSON, one after another in one text, with where each is.
pub(crate) struct StatusTexts {
    text: String,
    spans: Vec<Option<std::ops::Range<usize>>>,
}

impl StatusTexts {
    /// The statuses of `items`, serialized: only `fields` of each when given.
    pub(crate) fn new(
        items: &[AggregatedStatusItem],
        fields: Option<&FieldTree>,
    ) -> Result<Self, CallFailure> {
        let mut text = Vec::with_capacity(items.len() * 192);
        let mut spans = Vec::with_capacity(items.len());
        for item in items {
            let span = match &item.status {
                None => None,
                Some(status) => {
                    let start = text.len();
                    match fields {
                        Some(fields) => serde_json::to_writer(&mut text, &fields.project(status)),
                        None => serde_json::to_writer(&mut text, status),
                    }
                    .map_err(|e| CallFailure::Input {
                        message: e.to_string(),
                    })?;
                    Some(start..text.len())
                }
            };
            spans.push(span);
        }
        let text = String::from_utf8(text).map_err(|e| CallFailure::Input {
            message: e.to_string(),
        })?;
        Ok(StatusTexts { text, spans })
    }

    /// The records the world passes, for `items` (those this was built from).
    pub(crate) fn items<'a>(&'a self, items: &'a [AggregatedStatusItem]) -> Vec<StatusItemRef<'a>> {
        items
            .iter()
            .zip(&self.spans)
            .map(|(item, span)| StatusItemRef {
                cluster_name: &item.cluster_name,
                // Spans are the serializer's own boundaries, so always within the text.
                status: span.clone().and_then(|span| self.text.get(span)),
                applied: item.applied,
                applied_message: &item.applied_message,
                health: item.health.map(|h| match h {
                    ResourceHealth::Healthy => wit::Health::Healthy,
                    ResourceHealth::Unhealthy => wit::Health::Unhealthy,
                    ResourceHealth::Unknown => wit::Health::Unknown,
                }),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dep(
        api_version: &str,
        kind: &str,
        name: &str,
        selector: Option<wit::LabelSelector>,
    ) -> wit::DependentObjectReference {
        wit::DependentObjectReference {
            api_version: api_version.into(),
            kind: kind.into(),
            namespace: "ns".into(),
            name: name.into(),
            label_selector: selector,
        }
    }

    fn selector(operator: &str, values: &[&str]) -> Option<wit::LabelSelector> {
        Some(wit::LabelSelector {
            match_labels: vec![],
            match_expressions: vec![wit::LabelSelectorRequirement {
                key: "app".into(),
                operator: operator.into(),
                values: values.iter().map(|v| v.to_string()).collect(),
            }],
        })
    }

    #[test]
    fn dependencies_are_validated_as_karmada_does() {
        let cases: Vec<(wit::DependentObjectReference, Option<&str>)> = vec![
            (dep("v1", "ConfigMap", "cfg", None), None),
            (dep("v1", "Secret", "", selector("In", &["web"])), None),
            (dep("v1", "Secret", "", selector("Exists", &[])), None),
            (
                dep("", "ConfigMap", "cfg", None),
                Some("dependencies[0].apiVersion"),
            ),
            (dep("v1", "", "cfg", None), Some("dependencies[0].kind")),
            (dep("v1", "ConfigMap", "", None), Some("dependencies[0]")),
            (
                dep("v1", "Secret", "", selector("In", &[])),
                Some("dependencies[0].labelSelector.matchExpressions[0]"),
            ),
            (
                dep("v1", "Secret", "", selector("Exists", &["x"])),
                Some("dependencies[0].labelSelector.matchExpressions[0]"),
            ),
            (
                dep("v1", "Secret", "", selector("Near", &["x"])),
                Some("dependencies[0].labelSelector.matchExpressions[0]"),
            ),
        ];
        for (input, want) in cases {
            let got = dependencies(vec![input.clone()]);
            match (got, want) {
                (Ok(_), None) => {}
                (Err(CallFailure::WrongShape { field, .. }), Some(want)) => {
                    assert_eq!(field, want, "{input:?}")
                }
                (other, want) => panic!("{input:?}: got {other:?}, want {want:?}"),
            }
        }
    }

    #[test]
    fn replica_results_are_checked() {
        let ok = wit::ReplicaInterpretation {
            replicas: 2,
            requirements: Some(wit::ReplicaRequirements {
                node_claim: None,
                resource_request: vec![
                    ("cpu".into(), "1500m".into()),
                    ("memory".into(), "1Gi".into()),
                ],
                namespace: "ns".into(),
                priority_class_name: String::new(),
            }),
        };
        let got = replica_interpretation(ok.clone()).expect("valid");
        assert_eq!(got.replicas, 2);
        let request = got
            .replica_requirements
            .expect("requirements")
            .resource_request;
        assert_eq!(request["cpu"].milli_value(), 1500);

        let mut negative = ok.clone();
        negative.replicas = -1;
        assert!(
            matches!(replica_interpretation(negative), Err(CallFailure::WrongShape { field, .. }) if field == "replicas")
        );
        let mut twice = ok;
        if let Some(r) = twice.requirements.as_mut() {
            r.resource_request.push(("cpu".into(), "1".into()));
        }
        assert!(
            matches!(replica_interpretation(twice), Err(CallFailure::WrongShape { field, .. }) if field == "replicaRequirements.resourceRequest.cpu")
        );
    }

    #[test]
    fn objects_must_be_json_objects() {
        assert!(parse_object("{\"a\": 1}").is_ok());
        assert!(matches!(
            parse_object("{\"a\""),
            Err(CallFailure::InvalidJson { .. })
        ));
        assert!(matches!(
            parse_object("[1]"),
            Err(CallFailure::WrongShape { .. })
        ));
        assert!(matches!(
            parse_object("null"),
            Err(CallFailure::WrongShape { .. })
        ));
    }

    #[test]
    fn status_texts_hold_each_status_once() {
        let item = |name: &str, status: Option<Value>| AggregatedStatusItem {
            cluster_name: name.into(),
            status,
            applied: true,
            ..Default::default()
        };
        let items = vec![
            item("a", Some(serde_json::json!({"ready": 1, "name": "ü\"x"}))),
            item("b", None),
            item("c", Some(serde_json::json!([]))),
        ];
        let texts = StatusTexts::new(&items, None).expect("serializable");
        let records = texts.items(&items);
        let statuses: Vec<Option<Value>> = records
            .iter()
            .map(|r| r.status.map(|s| serde_json::from_str(s).expect("json")))
            .collect();
        let want: Vec<Option<Value>> = items.iter().map(|i| i.status.clone()).collect();
        assert_eq!(statuses, want);
        let names: Vec<&str> = records.iter().map(|r| r.cluster_name).collect();
        assert_eq!(names, ["a", "b", "c"]);

        let fields = FieldTree::from_paths(&["ready"]).expect("not whole");
        let texts = StatusTexts::new(&items, Some(&fields)).expect("serializable");
        let statuses: Vec<Option<&str>> = texts.items(&items).iter().map(|r| r.status).collect();
        assert_eq!(statuses, [Some(r#"{"ready":1}"#), None, Some("[]")]);
    }

    #[test]
    fn operations_map_both_ways() {
        for op in Operation::ALL {
            assert_eq!(operation(wit_operation(op)), op);
        }
    }

    #[test]
    fn components_need_unique_names() {
        let component = |name: &str| wit::Component {
            name: name.into(),
            replicas: 1,
            requirements: None,
        };
        assert!(components(vec![component("a"), component("b")]).is_ok());
        assert!(components(vec![component("a"), component("a")]).is_err());
        assert!(components(vec![component("")]).is_err());
    }
}
