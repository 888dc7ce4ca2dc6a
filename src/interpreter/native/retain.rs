//! Native Retain: member-owned values of the live object kept when re-applying the desired
//! object (run after the generic retention of [`crate::interpreter::retention`]).

use serde_json::{Map, Value};

use super::NativeKind;
use crate::interpreter::object::{as_map_mut, at, malformed, str_at, type_name};
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
            let Some(replicas) = member_int(desired, observed, &["spec", "replicas"])? else {
                return Err(malformed(
                    Operation::Retain,
                    desired,
                    "spec.replicas",
                    "the member object has no spec.replicas to retain",
                ));
            };
            spec_mut(&mut out).insert("replicas".into(), Value::from(replicas));
        }
        NativeKind::Pod => retain_pod(&mut out, observed),
        NativeKind::Service => {
            let port = member_int(desired, observed, &["spec", "healthCheckNodePort"])?;
            if let Some(port) = port.filter(|p| *p > 0) {
                spec_mut(&mut out).insert("healthCheckNodePort".into(), Value::from(port));
            }
            if let Some(ip) = member_str(desired, observed, &["spec", "clusterIP"])? {
                if !ip.is_empty() {
                    spec_mut(&mut out).insert("clusterIP".into(), ip.into());
                }
            }
        }
        NativeKind::ServiceAccount => {
            for key in ["secrets", "imagePullSecrets"] {
                let merged = merge_by_name(
                    named_list(desired, desired, key, "desired")?,
                    named_list(desired, observed, key, "member")?,
                );
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
            if let Some(name) = member_str(desired, observed, &["spec", "volumeName"])? {
                if !name.is_empty() {
                    spec_mut(&mut out).insert("volumeName".into(), name.into());
                }
            }
        }
        NativeKind::PersistentVolume => {
            // Copied whenever the member has the field, even when it is null.
            if let Some(claim) = at(observed, &["spec", "claimRef"]) {
                spec_mut(&mut out).insert("claimRef".into(), claim.clone());
            }
        }
        NativeKind::Job => {
            if let Some(labels) =
                member_string_map(desired, observed, &["spec", "selector", "matchLabels"])?
            {
                let selector =
                    as_map_mut(spec_mut(&mut out).entry("selector").or_insert(Value::Null));
                selector.insert("matchLabels".into(), labels.clone());
            }
            if let Some(labels) = member_string_map(
                desired,
                observed,
                &["spec", "template", "metadata", "labels"],
            )? {
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

/// The error for a member field of the wrong type (Karmada's typed accessors fail on it).
fn wrong_member_type(
    desired: &Value,
    observed: &Value,
    path: &[&str],
    want: &str,
) -> InterpreterError {
    let found = at(observed, path).map_or("nothing", type_name);
    malformed(
        Operation::Retain,
        desired,
        path.join("."),
        format!("the member object's value is {found}, expected {want}"),
    )
}

/// An integer field of the member object: absent or null is `None`, anything but an integer
/// is an error.
fn member_int(
    desired: &Value,
    observed: &Value,
    path: &[&str],
) -> Result<Option<i64>, InterpreterError> {
    match at(observed, path) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_i64()
            .map(Some)
            .ok_or_else(|| wrong_member_type(desired, observed, path, "an integer")),
    }
}

/// A string field of the member object: absent or null is `None`, anything but a string is
/// an error.
fn member_str<'a>(
    desired: &Value,
    observed: &'a Value,
    path: &[&str],
) -> Result<Option<&'a str>, InterpreterError> {
    match at(observed, path) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_str()
            .map(Some)
            .ok_or_else(|| wrong_member_type(desired, observed, path, "a string")),
    }
}

/// A map of strings of the member object (labels): absent or null is `None`, anything else
/// than an object of strings is an error.
fn member_string_map<'a>(
    desired: &Value,
    observed: &'a Value,
    path: &[&str],
) -> Result<Option<&'a Value>, InterpreterError> {
    match at(observed, path) {
        None | Some(Value::Null) => Ok(None),
        Some(v)
            if v.as_object()
                .is_some_and(|m| m.values().all(Value::is_string)) =>
        {
            Ok(Some(v))
        }
        Some(_) => Err(wrong_member_type(
            desired,
            observed,
            path,
            "a map of strings",
        )),
    }
}

/// A list of `{name, ...}` references (`secrets`, `imagePullSecrets`) of `obj`; absent or null
/// is empty, anything else than a list of objects with a string name is an error.
fn named_list<'a>(
    desired: &Value,
    obj: &'a Value,
    key: &str,
    whose: &str,
) -> Result<&'a [Value], InterpreterError> {
    let items = match obj.get(key) {
        None | Some(Value::Null) => return Ok(&[]),
        Some(Value::Array(items)) => items,
        Some(other) => {
            return Err(malformed(
                Operation::Retain,
                desired,
                key,
                format!(
                    "the {whose} object's value is {}, expected a list",
                    type_name(other)
                ),
            ))
        }
    };
    match items
        .iter()
        .find(|i| !i.get("name").is_some_and(Value::is_string))
    {
        None => Ok(items),
        Some(bad) => Err(malformed(
            Operation::Retain,
            desired,
            key,
            format!("the {whose} object lists {bad}, expected an object with a string name"),
        )),
    }
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

/// Desired entries followed by member entries whose `name` is not among the ones already
/// kept.
fn merge_by_name(desired: &[Value], observed: &[Value]) -> Vec<Value> {
    let mut out = desired.to_vec();
    for o in observed {
        let name = str_at(o, &["name"]);
        if !out.iter().any(|d| str_at(d, &["name"]) == name) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn member_fields_of_the_wrong_type_fail() {
        let labelled = json!({"metadata": {"labels": {RETAIN_REPLICAS_LABEL: "true"}}, "spec": {"replicas": 1}});
        let cases = [
            (
                NativeKind::Service,
                json!({}),
                json!({"spec": {"healthCheckNodePort": "x"}}),
                "spec.healthCheckNodePort",
            ),
            (
                NativeKind::Service,
                json!({}),
                json!({"spec": {"healthCheckNodePort": 1.5}}),
                "spec.healthCheckNodePort",
            ),
            (
                NativeKind::Service,
                json!({}),
                json!({"spec": {"clusterIP": -1000}}),
                "spec.clusterIP",
            ),
            (
                NativeKind::PersistentVolumeClaim,
                json!({}),
                json!({"spec": {"volumeName": 3}}),
                "spec.volumeName",
            ),
            (
                NativeKind::Deployment,
                labelled.clone(),
                json!({"spec": {"replicas": "4"}}),
                "spec.replicas",
            ),
            (
                NativeKind::Deployment,
                labelled,
                json!({"spec": {}}),
                "spec.replicas",
            ),
            (
                NativeKind::Job,
                json!({}),
                json!({"spec": {"selector": {"matchLabels": {"a": 1}}}}),
                "spec.selector.matchLabels",
            ),
            (
                NativeKind::ServiceAccount,
                json!({}),
                json!({"secrets": {"name": "x"}}),
                "secrets",
            ),
            (
                NativeKind::ServiceAccount,
                json!({"imagePullSecrets": [{"name": 1}]}),
                json!({}),
                "imagePullSecrets",
            ),
        ];
        for (kind, desired, observed, want_field) in cases {
            match retain(kind, &desired, &observed) {
                Err(InterpreterError::Malformed { field, .. }) => {
                    assert_eq!(field, want_field, "{observed}")
                }
                other => panic!("{kind:?} {observed}: unexpected {other:?}"),
            }
        }
    }

    #[test]
    fn member_values_that_are_absent_null_or_zero_keep_the_desired_ones() {
        let desired = json!({"spec": {"clusterIP": "10.0.0.1", "healthCheckNodePort": 30000}});
        for observed in [
            json!({}),
            json!({"spec": {"clusterIP": null, "healthCheckNodePort": null}}),
            json!({"spec": {"clusterIP": "", "healthCheckNodePort": 0}}),
        ] {
            assert_eq!(
                retain(NativeKind::Service, &desired, &observed).unwrap(),
                desired,
                "{observed}"
            );
        }
    }

    #[test]
    fn service_account_merge_keeps_desired_order_and_each_member_name_once() {
        let desired = json!({"secrets": [{"name": "b"}, {"name": "a"}]});
        let observed =
            json!({"secrets": [{"name": "a"}, {"name": "c"}, {"name": "c"}, {"name": "d"}]});
        let out = retain(NativeKind::ServiceAccount, &desired, &observed).unwrap();
        assert_eq!(
            out,
            json!({"secrets": [{"name": "b"}, {"name": "a"}, {"name": "c"}, {"name": "d"}], "imagePullSecrets": null})
        );
    }

    #[test]
    fn persistent_volume_claim_ref_follows_the_member_even_when_null() {
        let desired = json!({"spec": {"claimRef": {"name": "pvc-1"}}});
        let out = retain(
            NativeKind::PersistentVolume,
            &desired,
            &json!({"spec": {"claimRef": null}}),
        )
        .unwrap();
        assert_eq!(out, json!({"spec": {"claimRef": null}}));
        let out = retain(NativeKind::PersistentVolume, &desired, &json!({"spec": {}})).unwrap();
        assert_eq!(out, desired);
    }
}
