//! Native Retain: member-owned values of the live object kept when re-applying the desired
//! object (run after the generic retention of [`crate::interpreter::retention`]).

use serde_json::{Map, Value};

use super::NativeKind;
use crate::interpreter::object::{as_map_mut, at, lenient_int, malformed, str_at};
use crate::interpreter::{InterpreterError, Operation};

/// Label asking Karmada to keep the member's replica count (e.g. when an HPA scales it).
pub const RETAIN_REPLICAS_LABEL: &str = "resourcetemplate.karmada.io/retain-replicas";

fn spec_mut(obj: &mut Value) -> &mut Map<String, Value> {
    as_map_mut(as_map_mut(obj).entry("spec").or_insert(Value::Null))
}

pub(super) fn retain(
    kind: NativeKind,
    desired: &Value,
    observed: &Value,
) -> Result<Value, InterpreterError> {
    let mut out = desired.clone();
    match kind {
        NativeKind::Deployment
            if str_at(desired, &["metadata", "labels", RETAIN_REPLICAS_LABEL]) == "true" =>
        {
            let replicas = match at(observed, &["spec", "replicas"]) {
                Some(v @ Value::Number(_)) => lenient_int(v),
                _ => {
                    return Err(malformed(
                        Operation::Retain,
                        desired,
                        "spec.replicas",
                        "the member object has no spec.replicas to retain",
                    ))
                }
            };
            spec_mut(&mut out).insert("replicas".into(), Value::from(replicas));
        }
        NativeKind::Pod => retain_pod(&mut out, observed),
        NativeKind::Service => {
            let port = at(observed, &["spec", "healthCheckNodePort"])
                .map(lenient_int)
                .unwrap_or(0);
            if port > 0 {
                spec_mut(&mut out).insert("healthCheckNodePort".into(), Value::from(port));
            }
            let ip = str_at(observed, &["spec", "clusterIP"]);
            if !ip.is_empty() {
                spec_mut(&mut out).insert("clusterIP".into(), ip.into());
            }
        }
        NativeKind::ServiceAccount => {
            for key in ["secrets", "imagePullSecrets"] {
                let merged = merge_by_name(desired.get(key), observed.get(key));
                as_map_mut(&mut out).insert(
                    key.into(),
                    if merged.is_empty() {
                        Value::Null
                    } else {
                        Value::Array(merged)
                    },
                );
            }
        }
        NativeKind::PersistentVolumeClaim => {
            let name = str_at(observed, &["spec", "volumeName"]);
            if !name.is_empty() {
                spec_mut(&mut out).insert("volumeName".into(), name.into());
            }
        }
        NativeKind::PersistentVolume => {
            if let Some(claim) = at(observed, &["spec", "claimRef"]).filter(|v| !v.is_null()) {
                spec_mut(&mut out).insert("claimRef".into(), claim.clone());
            }
        }
        NativeKind::Job => {
            if let Some(labels) =
                at(observed, &["spec", "selector", "matchLabels"]).filter(|v| !v.is_null())
            {
                let selector =
                    as_map_mut(spec_mut(&mut out).entry("selector").or_insert(Value::Null));
                selector.insert("matchLabels".into(), labels.clone());
            }
            if let Some(labels) =
                at(observed, &["spec", "template", "metadata", "labels"]).filter(|v| !v.is_null())
            {
                let template =
                    as_map_mut(spec_mut(&mut out).entry("template").or_insert(Value::Null));
                let meta = as_map_mut(template.entry("metadata").or_insert(Value::Null));
                meta.insert("labels".into(), labels.clone());
            }
        }
        NativeKind::Secret
            if str_at(desired, &["type"]) == "kubernetes.io/service-account-token" =>
        {
            match observed.get("data") {
                Some(d) if !d.is_null() => {
                    as_map_mut(&mut out).insert("data".into(), d.clone());
                }
                _ => {
                    as_map_mut(&mut out).remove("data");
                }
            }
        }
        _ => {}
    }
    Ok(out)
}

/// [`retain`] on a desired object given away: a Deployment without the retain-replicas
/// label keeps nothing from the member, so it is handed back as it is.
pub(super) fn retain_owned(
    kind: NativeKind,
    desired: Value,
    observed: &Value,
) -> Result<Value, InterpreterError> {
    if kind == NativeKind::Deployment
        && str_at(&desired, &["metadata", "labels", RETAIN_REPLICAS_LABEL]) != "true"
    {
        return Ok(desired);
    }
    retain(kind, &desired, observed)
}

/// Desired entries followed by member entries whose `name` is not among the desired ones.
fn merge_by_name(desired: Option<&Value>, observed: Option<&Value>) -> Vec<Value> {
    let desired = desired
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    let observed = observed
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    let mut out = desired.to_vec();
    for o in observed {
        let name = str_at(o, &["name"]);
        if !desired.iter().any(|d| str_at(d, &["name"]) == name) {
            out.push(o.clone());
        }
    }
    out
}

fn retain_pod(out: &mut Value, observed: &Value) {
    let observed_spec = observed.get("spec");
    let spec = spec_mut(out);
    for key in ["nodeName", "serviceAccountName", "volumes"] {
        match observed_spec.and_then(|s| s.get(key)) {
            Some(v) => {
                spec.insert(key.into(), v.clone());
            }
            None => {
                spec.remove(key);
            }
        }
    }
    for key in ["initContainers", "containers"] {
        let member = observed_spec
            .and_then(|s| s.get(key))
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        if let Some(Value::Array(containers)) = spec.get_mut(key) {
            for c in containers.iter_mut() {
                let name = str_at(c, &["name"]).to_string();
                if let Some(m) = member.iter().find(|m| str_at(m, &["name"]) == name) {
                    match m.get("volumeMounts") {
                        Some(v) => {
                            as_map_mut(c).insert("volumeMounts".into(), v.clone());
                        }
                        None => {
                            as_map_mut(c).remove("volumeMounts");
                        }
                    }
                }
            }
        }
    }
}
