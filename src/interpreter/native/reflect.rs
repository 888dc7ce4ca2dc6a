//! Native InterpretStatus: the status worth collecting from a member object.

use serde_json::{Map, Value};

use super::NativeKind;
use crate::interpreter::generation::add_generation_keys;
use crate::interpreter::object::{malformed, str_at, type_name};
use crate::interpreter::{InterpreterError, Operation};

/// How a reflected field is serialised: Go `omitempty` drops zero values, required fields are
/// always written (as 0 when absent).
#[derive(Clone, Copy)]
enum Field {
    Omit(&'static str),
    Always(&'static str),
}

use Field::{Always, Omit};

const DEPLOYMENT: &[Field] = &[
    Omit("replicas"),
    Omit("updatedReplicas"),
    Omit("readyReplicas"),
    Omit("availableReplicas"),
    Omit("unavailableReplicas"),
    Omit("observedGeneration"),
];
const REPLICA_SET: &[Field] = &[
    Always("replicas"),
    Omit("readyReplicas"),
    Omit("availableReplicas"),
    Omit("observedGeneration"),
];
const DAEMON_SET: &[Field] = &[
    Always("currentNumberScheduled"),
    Always("numberMisscheduled"),
    Always("desiredNumberScheduled"),
    Always("numberReady"),
    Omit("updatedNumberScheduled"),
    Omit("numberAvailable"),
    Omit("numberUnavailable"),
    Omit("observedGeneration"),
];
/// StatefulSet reflection includes `observedGeneration` so that aggregation can advance
/// (Karmada leaves it out; see the module docs, "Deviations from Karmada").
const STATEFUL_SET: &[Field] = &[
    Always("availableReplicas"),
    Omit("currentReplicas"),
    Omit("readyReplicas"),
    Always("replicas"),
    Omit("updatedReplicas"),
    Omit("observedGeneration"),
];
const PDB: &[Field] = &[
    Always("disruptionsAllowed"),
    Always("expectedPods"),
    Always("desiredHealthy"),
    Always("currentHealthy"),
];
const HPA: &[Field] = &[Omit("currentReplicas"), Always("desiredReplicas")];

fn is_zero(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::String(s) => s.is_empty(),
        Value::Bool(b) => !b,
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
    }
}

/// The kind's typed status fields of a member status. Karmada converts the status to the
/// kind's typed struct first, so a field of the wrong JSON type fails the reflection.
fn pick(
    obj: &Value,
    status: &Map<String, Value>,
    fields: &[Field],
) -> Result<Map<String, Value>, InterpreterError> {
    let mut out = Map::new();
    for f in fields {
        match *f {
            Omit(k) => {
                if let Some(v) = typed(obj, status, k, Typed::Integer)?.filter(|v| !is_zero(v)) {
                    out.insert(k.to_string(), v.clone());
                }
            }
            Always(k) => {
                let v = typed(obj, status, k, Typed::Integer)?.cloned();
                out.insert(k.to_string(), v.unwrap_or(Value::from(0)));
            }
        }
    }
    Ok(out)
}

/// The JSON shape a typed status field must have.
#[derive(Clone, Copy)]
enum Typed {
    Integer,
    /// RFC 3339 timestamps are strings.
    Time,
    List,
    Map,
}

/// `status[key]` when present and not null, checked against the field's type.
fn typed<'a>(
    obj: &Value,
    status: &'a Map<String, Value>,
    key: &str,
    want: Typed,
) -> Result<Option<&'a Value>, InterpreterError> {
    let Some(v) = status.get(key).filter(|v| !v.is_null()) else {
        return Ok(None);
    };
    let ok = match want {
        // An integral float (`3.0`) still converts to the typed integer field.
        Typed::Integer => v.as_f64().is_some_and(|f| f.fract() == 0.0),
        Typed::Time => v.is_string(),
        Typed::List => v.is_array(),
        Typed::Map => v.is_object(),
    };
    if ok {
        Ok(Some(v))
    } else {
        let expected = match want {
            Typed::Integer => "an integer",
            Typed::Time => "a timestamp string",
            Typed::List => "a list",
            Typed::Map => "an object",
        };
        Err(malformed(
            Operation::InterpretStatus,
            obj,
            format!("status.{key}"),
            format!("expected {expected}, found {}", type_name(v)),
        ))
    }
}

fn status_map(obj: &Value) -> Result<Option<&Map<String, Value>>, InterpreterError> {
    match obj.get("status") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(m)) => Ok(Some(m)),
        Some(other) => Err(malformed(
            Operation::InterpretStatus,
            obj,
            "status",
            format!("expected an object, found {}", type_name(other)),
        )),
    }
}

pub(super) fn reflect(kind: NativeKind, obj: &Value) -> Result<Option<Value>, InterpreterError> {
    let Some(status) = status_map(obj)? else {
        return Ok(None);
    };
    let workload = |fields: &[Field], nil_when_empty: bool| {
        let mut out = pick(obj, status, fields)?;
        add_generation_keys(obj, &mut out, true)
            .map_err(|m| malformed(Operation::InterpretStatus, obj, "metadata.annotations", m))?;
        if nil_when_empty && out.is_empty() {
            return Ok(None);
        }
        Ok(Some(Value::Object(out)))
    };
    match kind {
        NativeKind::Deployment => workload(DEPLOYMENT, true),
        NativeKind::ReplicaSet => workload(REPLICA_SET, true),
        NativeKind::DaemonSet => workload(DAEMON_SET, false),
        NativeKind::StatefulSet => workload(STATEFUL_SET, false),
        NativeKind::Service => {
            if str_at(obj, &["spec", "type"]) != "LoadBalancer" {
                return Ok(None);
            }
            let mut out = Map::new();
            out.insert(
                "loadBalancer".into(),
                typed(obj, status, "loadBalancer", Typed::Map)?
                    .cloned()
                    .unwrap_or(Value::Object(Map::new())),
            );
            Ok(Some(Value::Object(out)))
        }
        NativeKind::Job => {
            let mut out = Map::new();
            for k in ["active", "succeeded", "failed"] {
                if let Some(v) = typed(obj, status, k, Typed::Integer)?.filter(|v| !is_zero(v)) {
                    out.insert(k.into(), v.clone());
                }
            }
            if let Some(cs) =
                typed(obj, status, "conditions", Typed::List)?.and_then(Value::as_array)
            {
                if !cs.is_empty() {
                    let mut conds = Vec::with_capacity(cs.len());
                    for c in cs {
                        let Some(c) = c.as_object() else {
                            return Err(malformed(
                                Operation::InterpretStatus,
                                obj,
                                "status.conditions",
                                format!("expected condition objects, found {}", type_name(c)),
                            ));
                        };
                        let mut c = c.clone();
                        // Go writes unset metav1.Time fields of a JobCondition as null.
                        for t in ["lastProbeTime", "lastTransitionTime"] {
                            c.entry(t).or_insert(Value::Null);
                        }
                        conds.push(Value::Object(c));
                    }
                    out.insert("conditions".into(), Value::Array(conds));
                }
            }
            for k in ["startTime", "completionTime"] {
                if let Some(v) = typed(obj, status, k, Typed::Time)? {
                    out.insert(k.into(), v.clone());
                }
            }
            Ok(Some(Value::Object(out)))
        }
        NativeKind::PodDisruptionBudget => {
            let mut out = pick(obj, status, PDB)?;
            if let Some(v) =
                typed(obj, status, "disruptedPods", Typed::Map)?.filter(|v| !is_zero(v))
            {
                out.insert("disruptedPods".into(), v.clone());
            }
            Ok(Some(Value::Object(out)))
        }
        NativeKind::HorizontalPodAutoscaler => Ok(Some(Value::Object(pick(obj, status, HPA)?))),
        _ => Ok(Some(Value::Object(status.clone()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn typed_status_fields_of_the_wrong_type_fail() {
        let ann = json!({"generation": 1, "annotations": {"resourcetemplate.karmada.io/generation": "1"}});
        let cases = [
            (
                NativeKind::Job,
                json!({"status": {"active": "invalid"}}),
                "status.active",
            ),
            (
                NativeKind::Job,
                json!({"status": {"startTime": 5}}),
                "status.startTime",
            ),
            (
                NativeKind::Job,
                json!({"status": {"conditions": {}}}),
                "status.conditions",
            ),
            (
                NativeKind::Job,
                json!({"status": {"conditions": ["x"]}}),
                "status.conditions",
            ),
            (
                NativeKind::Deployment,
                json!({"metadata": ann, "status": {"replicas": "3"}}),
                "status.replicas",
            ),
            (
                NativeKind::DaemonSet,
                json!({"metadata": ann, "status": {"numberReady": 1.5}}),
                "status.numberReady",
            ),
            (
                NativeKind::PodDisruptionBudget,
                json!({"status": {"disruptedPods": []}}),
                "status.disruptedPods",
            ),
            (
                NativeKind::HorizontalPodAutoscaler,
                json!({"status": {"desiredReplicas": true}}),
                "status.desiredReplicas",
            ),
            (
                NativeKind::Service,
                json!({"spec": {"type": "LoadBalancer"}, "status": {"loadBalancer": []}}),
                "status.loadBalancer",
            ),
        ];
        for (kind, obj, want_field) in cases {
            match reflect(kind, &obj) {
                Err(InterpreterError::Malformed { field, .. }) => assert_eq!(field, want_field),
                other => panic!("{kind:?} {obj}: unexpected {other:?}"),
            }
        }
    }

    #[test]
    fn workloads_without_a_valid_template_generation_annotation_fail() {
        let kinds = [
            NativeKind::Deployment,
            NativeKind::ReplicaSet,
            NativeKind::DaemonSet,
            NativeKind::StatefulSet,
        ];
        let annotations = [
            json!(null),
            json!({}),
            json!({"resourcetemplate.karmada.io/generation": ""}),
            json!({"resourcetemplate.karmada.io/generation": "x"}),
        ];
        for kind in kinds {
            for a in &annotations {
                let obj = json!({"metadata": {"generation": 1, "annotations": a}, "status": {"replicas": 1}});
                assert!(
                    matches!(reflect(kind, &obj), Err(InterpreterError::Malformed { .. })),
                    "{kind:?} {a}"
                );
            }
            let ok = json!({"metadata": {"generation": 2, "annotations": {"resourcetemplate.karmada.io/generation": "3"}},
                "status": {"replicas": 1}});
            let got = reflect(kind, &ok).unwrap().unwrap();
            assert_eq!(
                (
                    got["generation"].clone(),
                    got["resourceTemplateGeneration"].clone()
                ),
                (json!(2), json!(3)),
                "{kind:?}"
            );
        }
        // Other kinds do not need it.
        let pod = json!({"status": {"phase": "Running"}});
        assert_eq!(
            reflect(NativeKind::Pod, &pod).unwrap(),
            Some(json!({"phase": "Running"}))
        );
    }

    #[test]
    fn null_and_zero_fields_are_dropped_not_rejected() {
        let job = json!({"status": {"active": null, "failed": 0, "succeeded": 2, "startTime": null, "conditions": []}});
        assert_eq!(
            reflect(NativeKind::Job, &job).unwrap(),
            Some(json!({"succeeded": 2}))
        );
    }
}
