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

fn pick(status: &Map<String, Value>, fields: &[Field]) -> Map<String, Value> {
    let mut out = Map::new();
    for f in fields {
        match *f {
            Omit(k) => {
                if let Some(v) = status.get(k).filter(|v| !is_zero(v)) {
                    out.insert(k.to_string(), v.clone());
                }
            }
            Always(k) => {
                let v = status.get(k).filter(|v| !v.is_null()).cloned();
                out.insert(k.to_string(), v.unwrap_or(Value::from(0)));
            }
        }
    }
    out
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
        let mut out = pick(status, fields);
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
                status
                    .get("loadBalancer")
                    .cloned()
                    .unwrap_or(Value::Object(Map::new())),
            );
            Ok(Some(Value::Object(out)))
        }
        NativeKind::Job => {
            let mut out = Map::new();
            for k in ["active", "succeeded", "failed"] {
                if let Some(v) = status.get(k).filter(|v| !is_zero(v)) {
                    out.insert(k.into(), v.clone());
                }
            }
            if let Some(cs) = status.get("conditions").and_then(Value::as_array) {
                if !cs.is_empty() {
                    let conds = cs
                        .iter()
                        .map(|c| {
                            let mut c = c.as_object().cloned().unwrap_or_default();
                            // Go writes unset metav1.Time fields of a JobCondition as null.
                            for t in ["lastProbeTime", "lastTransitionTime"] {
                                c.entry(t).or_insert(Value::Null);
                            }
                            Value::Object(c)
                        })
                        .collect();
                    out.insert("conditions".into(), Value::Array(conds));
                }
            }
            for k in ["startTime", "completionTime"] {
                if let Some(v) = status.get(k).filter(|v| !v.is_null()) {
                    out.insert(k.into(), v.clone());
                }
            }
            Ok(Some(Value::Object(out)))
        }
        NativeKind::PodDisruptionBudget => {
            let mut out = pick(status, PDB);
            if let Some(v) = status.get("disruptedPods").filter(|v| !is_zero(v)) {
                out.insert("disruptedPods".into(), v.clone());
            }
            Ok(Some(Value::Object(out)))
        }
        NativeKind::HorizontalPodAutoscaler => Ok(Some(Value::Object(pick(status, HPA)))),
        _ => Ok(Some(Value::Object(status.clone()))),
    }
}
