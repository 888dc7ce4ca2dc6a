//! Helpers for the common cases: reading paths, summing member statuses, conditions, pod
//! template requirements and dependencies.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use crate::quantity;
use crate::{
    DependentObjectReference, NodeClaim, NodeSelectorRequirement, NodeSelectorTerm, PluginError,
    ReplicaRequirements, StatusItem, Toleration,
};

/// The value at a dotted `path` (`spec.template.spec`, `spec.containers.0.name`); numeric
/// segments index arrays.
pub fn get<'a>(object: &'a Value, path: &str) -> Option<&'a Value> {
    let mut value = object;
    let mut rest = path;
    loop {
        // A byte scan: paths are short, and `.` is ASCII.
        let (segment, tail) = match rest.bytes().position(|b| b == b'.') {
            Some(dot) => (&rest[..dot], Some(&rest[dot + 1..])),
            None => (rest, None),
        };
        if !segment.is_empty() {
            value = match value {
                Value::Object(map) => map.get(segment)?,
                Value::Array(items) => items.get(segment.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        match tail {
            Some(tail) => rest = tail,
            None => return Some(value),
        }
    }
}

/// The string at `path`, if it is one.
pub fn get_str<'a>(object: &'a Value, path: &str) -> Option<&'a str> {
    get(object, path).and_then(Value::as_str)
}

/// The integer at `path`: `Ok(None)` when absent or null, an error naming the path when it is
/// not an integer.
pub fn get_i64(object: &Value, path: &str) -> Result<Option<i64>, PluginError> {
    match get(object, path) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => value
            .as_i64()
            .map(Some)
            .ok_or_else(|| PluginError::at(path, format!("expected an integer, found {value}"))),
    }
}

/// An `i32` replica count at `path`, `default` when absent; an error when negative or not an
/// integer.
pub fn get_replicas(object: &Value, path: &str, default: i32) -> Result<i32, PluginError> {
    match get_i64(object, path)? {
        None => Ok(default),
        Some(n) => i32::try_from(n)
            .ok()
            .filter(|n| *n >= 0)
            .ok_or_else(|| PluginError::at(path, format!("{n} is not a replica count"))),
    }
}

/// Sets `value` at a dotted `path`, creating objects on the way.
pub fn set(object: &mut Value, path: &str, value: Value) -> Result<(), PluginError> {
    let mut segments: Vec<&str> = path.split('.').filter(|s| !s.is_empty()).collect();
    let last = segments
        .pop()
        .ok_or_else(|| PluginError::new("empty path"))?;
    let mut cursor = object;
    for segment in segments {
        let map = cursor
            .as_object_mut()
            .ok_or_else(|| PluginError::at(path, format!("{segment}: parent is not an object")))?;
        cursor = map
            .entry(segment.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
    }
    let map = cursor
        .as_object_mut()
        .ok_or_else(|| PluginError::at(path, "parent is not an object"))?;
    map.insert(last.to_string(), value);
    Ok(())
}

/// Sets `value` at `path` only when the field already exists (Karmada's ReviseReplica rule for
/// built-in workloads). Returns whether it was set.
pub fn set_if_present(object: &mut Value, path: &str, value: Value) -> Result<bool, PluginError> {
    if get(object, path).is_some() {
        set(object, path, value)?;
        Ok(true)
    } else {
        Ok(false)
    }
}

/// `metadata.namespace`, or `""`.
pub fn namespace_of(object: &Value) -> &str {
    get_str(object, "metadata.namespace").unwrap_or("")
}

/// Integer `fields` of the member statuses, summed; members without status or field count as
/// zero. Every field is present in the result.
pub fn sum_status_fields(items: &[StatusItem], fields: &[&str]) -> Map<String, Value> {
    fields
        .iter()
        .map(|field| {
            let total: i64 = items
                .iter()
                .filter_map(|item| item.status.as_ref())
                .filter_map(|status| get(status, field).and_then(Value::as_i64))
                .sum();
            (field.to_string(), Value::from(total))
        })
        .collect()
}

/// The condition of `type_` in `status.conditions` of `object` (or in `object` itself when it
/// is a list of conditions).
pub fn find_condition<'a>(object: &'a Value, type_: &str) -> Option<&'a Value> {
    let conditions = match object {
        Value::Array(_) => object,
        _ => get(object, "status.conditions")?,
    };
    conditions
        .as_array()?
        .iter()
        .find(|c| c.get("type").and_then(Value::as_str) == Some(type_))
}

/// Whether the condition `type_` exists with status `"True"`.
pub fn condition_is_true(object: &Value, type_: &str) -> bool {
    find_condition(object, type_)
        .and_then(|c| c.get("status"))
        .and_then(Value::as_str)
        == Some("True")
}

/// What [`pod_requirements`] and [`component_requirements`](crate::component_requirements)
/// read of a pod template: for [`Fields::with_under`](crate::Fields::with_under) with the
/// template's path.
pub const POD_REQUIREMENTS_FIELDS: &[&str] = &[
    "spec.nodeSelector",
    "spec.tolerations",
    "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution",
    "spec.containers.resources",
    "spec.initContainers.resources",
    "spec.overhead",
    "spec.priorityClassName",
];

/// What [`pod_dependencies`] reads of a pod template: for
/// [`Fields::with_under`](crate::Fields::with_under) with the template's path.
pub const POD_DEPENDENCIES_FIELDS: &[&str] = &[
    "spec.containers.env.valueFrom",
    "spec.containers.envFrom",
    "spec.initContainers.env.valueFrom",
    "spec.initContainers.envFrom",
    "spec.ephemeralContainers.env.valueFrom",
    "spec.ephemeralContainers.envFrom",
    "spec.volumes.configMap",
    "spec.volumes.secret",
    "spec.volumes.persistentVolumeClaim",
    "spec.volumes.projected.sources",
    "spec.imagePullSecrets",
    "spec.serviceAccountName",
];

/// Karmada's replica requirements of a pod template (`{metadata, spec}`) in `namespace`: the
/// node claim (null without node selector, tolerations and required node affinity) and the
/// effective per-pod request (limits fill missing requests; containers summed; each init
/// container taken as a floor; overhead added; zero entries dropped). `None` when both are
/// empty.
pub fn pod_requirements(
    pod_template: &Value,
    namespace: &str,
) -> Result<Option<ReplicaRequirements>, PluginError> {
    let spec = get(pod_template, "spec").unwrap_or(&Value::Null);
    let node_claim = node_claim(spec)?;
    let resource_request = pod_request(spec)?;
    if node_claim.is_none() && resource_request.is_empty() {
        return Ok(None);
    }
    Ok(Some(ReplicaRequirements {
        node_claim,
        resource_request,
        namespace: namespace.to_string(),
        priority_class_name: get_str(spec, "priorityClassName").unwrap_or("").to_string(),
    }))
}

fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(Value::as_str)
                .map(String::from)
                .collect()
        })
        .unwrap_or_default()
}

fn node_selector_requirements(value: Option<&Value>) -> Vec<NodeSelectorRequirement> {
    value
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .map(|r| NodeSelectorRequirement {
                    key: get_str(r, "key").unwrap_or("").to_string(),
                    operator: get_str(r, "operator").unwrap_or("").to_string(),
                    values: strings(r.get("values")),
                })
                .collect()
        })
        .unwrap_or_default()
}

fn node_claim(spec: &Value) -> Result<Option<NodeClaim>, PluginError> {
    let node_selector = match spec.get("nodeSelector") {
        None | Some(Value::Null) => None,
        Some(Value::Object(map)) => Some(
            map.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
                .collect::<BTreeMap<_, _>>(),
        ),
        Some(other) => {
            return Err(PluginError::at(
                "spec.template.spec.nodeSelector",
                format!("expected an object, found {other}"),
            ))
        }
    };
    let tolerations: Vec<Toleration> = spec
        .get("tolerations")
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .map(|t| Toleration {
                    key: get_str(t, "key").unwrap_or("").to_string(),
                    operator: get_str(t, "operator").unwrap_or("").to_string(),
                    value: get_str(t, "value").unwrap_or("").to_string(),
                    effect: get_str(t, "effect").unwrap_or("").to_string(),
                    toleration_seconds: t.get("tolerationSeconds").and_then(Value::as_i64),
                })
                .collect()
        })
        .unwrap_or_default();
    let hard_node_affinity = get(
        spec,
        "affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution",
    )
    .filter(|v| !v.is_null())
    .map(|required| {
        required
            .get("nodeSelectorTerms")
            .and_then(Value::as_array)
            .map(|terms| {
                terms
                    .iter()
                    .map(|term| NodeSelectorTerm {
                        match_expressions: node_selector_requirements(term.get("matchExpressions")),
                        match_fields: node_selector_requirements(term.get("matchFields")),
                    })
                    .collect()
            })
            .unwrap_or_default()
    });
    if node_selector.is_none() && tolerations.is_empty() && hard_node_affinity.is_none() {
        return Ok(None);
    }
    Ok(Some(NodeClaim {
        hard_node_affinity,
        node_selector: node_selector.unwrap_or_default().into_iter().collect(),
        tolerations,
    }))
}

fn is_schedulable_resource(name: &str) -> bool {
    matches!(name, "cpu" | "memory" | "ephemeral-storage" | "pods")
        || name.contains('/')
        || name.starts_with("hugepages-")
        || name.starts_with("attachable-volumes-")
}

/// The quantities of a resource list in nano-units; `path` names the list in errors and is
/// only built when one occurs.
fn resource_map<'a>(
    value: Option<&'a Value>,
    path: &dyn Fn() -> String,
) -> Result<BTreeMap<&'a str, i128>, PluginError> {
    let mut out = BTreeMap::new();
    if let Some(map) = value.and_then(Value::as_object) {
        for (name, quantity) in map {
            let nanos = match quantity {
                Value::String(text) => quantity::parse_nanos(text),
                Value::Number(n) => quantity::parse_nanos(&n.to_string()),
                other => {
                    return Err(PluginError::at(
                        format!("{}.{name}", path()),
                        format!("expected a quantity, found {other}"),
                    ))
                }
            }
            .ok_or_else(|| {
                PluginError::at(
                    format!("{}.{name}", path()),
                    format!("{quantity} is not a quantity"),
                )
            })?;
            out.insert(name.as_str(), nanos);
        }
    }
    Ok(out)
}

fn container_request<'a>(
    container: &'a Value,
    path: &dyn Fn() -> String,
) -> Result<BTreeMap<&'a str, i128>, PluginError> {
    let resources = container.get("resources");
    let mut requests = resource_map(resources.and_then(|r| r.get("requests")), path)?;
    for (name, nanos) in resource_map(resources.and_then(|r| r.get("limits")), path)? {
        requests.entry(name).or_insert(nanos);
    }
    Ok(requests)
}

fn pod_request(spec: &Value) -> Result<Vec<(String, String)>, PluginError> {
    let mut total: BTreeMap<&str, i128> = BTreeMap::new();
    let containers = |field: &str| {
        spec.get(field)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
    };
    for (i, container) in containers("containers") {
        let path = || format!("spec.containers.{i}.resources");
        for (name, nanos) in container_request(container, &path)? {
            *total.entry(name).or_insert(0) += nanos;
        }
    }
    for (i, container) in containers("initContainers") {
        let path = || format!("spec.initContainers.{i}.resources");
        for (name, nanos) in container_request(container, &path)? {
            let entry = total.entry(name).or_insert(0);
            *entry = (*entry).max(nanos);
        }
    }
    let overhead = || "spec.overhead".to_string();
    for (name, nanos) in resource_map(spec.get("overhead"), &overhead)? {
        *total.entry(name).or_insert(0) += nanos;
    }
    Ok(total
        .into_iter()
        .filter(|(name, nanos)| *nanos != 0 && is_schedulable_resource(name))
        .map(|(name, nanos)| {
            // cpu is counted in milli-units, as Karmada does.
            let nanos = if name == "cpu" {
                (nanos + 999_999) / 1_000_000 * 1_000_000
            } else {
                nanos
            };
            (name.to_string(), quantity::format(nanos))
        })
        .collect())
}

/// The ConfigMaps, Secrets, PersistentVolumeClaims and ServiceAccount a pod template uses, in
/// `namespace`, sorted and without duplicates.
pub fn pod_dependencies(pod_template: &Value, namespace: &str) -> Vec<DependentObjectReference> {
    let spec = get(pod_template, "spec").unwrap_or(&Value::Null);
    let mut found: BTreeSet<(&'static str, String)> = BTreeSet::new();
    let containers = ["containers", "initContainers", "ephemeralContainers"]
        .iter()
        .filter_map(|key| spec.get(*key).and_then(Value::as_array))
        .flatten();
    for container in containers {
        for env in container
            .get("env")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(name) = get_str(env, "valueFrom.configMapKeyRef.name") {
                found.insert(("ConfigMap", name.to_string()));
            }
            if let Some(name) = get_str(env, "valueFrom.secretKeyRef.name") {
                found.insert(("Secret", name.to_string()));
            }
        }
        for source in container
            .get("envFrom")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(name) = get_str(source, "configMapRef.name") {
                found.insert(("ConfigMap", name.to_string()));
            }
            if let Some(name) = get_str(source, "secretRef.name") {
                found.insert(("Secret", name.to_string()));
            }
        }
    }
    for volume in spec
        .get("volumes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(name) = get_str(volume, "configMap.name") {
            found.insert(("ConfigMap", name.to_string()));
        }
        if let Some(name) = get_str(volume, "secret.secretName") {
            found.insert(("Secret", name.to_string()));
        }
        if let Some(name) = get_str(volume, "persistentVolumeClaim.claimName") {
            found.insert(("PersistentVolumeClaim", name.to_string()));
        }
        for source in get(volume, "projected.sources")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(name) = get_str(source, "configMap.name") {
                found.insert(("ConfigMap", name.to_string()));
            }
            if let Some(name) = get_str(source, "secret.name") {
                found.insert(("Secret", name.to_string()));
            }
        }
    }
    for secret in spec
        .get("imagePullSecrets")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(name) = get_str(secret, "name") {
            found.insert(("Secret", name.to_string()));
        }
    }
    if let Some(name) =
        get_str(spec, "serviceAccountName").filter(|n| !n.is_empty() && *n != "default")
    {
        found.insert(("ServiceAccount", name.to_string()));
    }
    found
        .into_iter()
        .filter(|(_, name)| !name.is_empty())
        .map(|(kind, name)| DependentObjectReference {
            api_version: "v1".to_string(),
            kind: kind.to_string(),
            namespace: namespace.to_string(),
            name,
            label_selector: None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Fields;
    use serde_json::json;

    /// Pod templates that use every field the pod helpers read, and some they do not.
    fn rich_templates() -> Vec<Value> {
        vec![
            json!({"metadata": {"labels": {"a": "b"}}, "spec": {
                "nodeSelector": {"zone": "a"},
                "tolerations": [{"key": "gpu", "operator": "Exists", "effect": "NoSchedule", "tolerationSeconds": 5}],
                "affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
                    {"matchExpressions": [{"key": "t", "operator": "In", "values": ["x"]}], "matchFields": [{"key": "f", "operator": "In", "values": ["y"]}]}
                ]}}, "podAffinity": {"x": 1}},
                "priorityClassName": "high",
                "overhead": {"cpu": "10m"},
                "serviceAccountName": "runner",
                "imagePullSecrets": [{"name": "pull"}],
                "initContainers": [{"name": "i", "image": "busybox", "resources": {"requests": {"cpu": "2", "memory": "1Gi"}},
                    "env": [{"name": "A", "valueFrom": {"secretKeyRef": {"name": "s1", "key": "k"}}}],
                    "envFrom": [{"configMapRef": {"name": "c1"}}]}],
                "containers": [
                    {"name": "a", "image": "img", "command": ["run"], "resources": {"requests": {"cpu": "500m"}, "limits": {"memory": "2Gi", "nvidia.com/gpu": 1}},
                     "env": [{"name": "B", "value": "v"}, {"name": "C", "valueFrom": {"configMapKeyRef": {"name": "c2", "key": "k"}}}],
                     "envFrom": [{"secretRef": {"name": "s2"}}]},
                    {"name": "b", "resources": {"limits": {"cpu": "1", "ephemeral-storage": "1Gi"}}}
                ],
                "ephemeralContainers": [{"name": "e", "env": [{"name": "D", "valueFrom": {"secretKeyRef": {"name": "s3"}}}]}],
                "volumes": [
                    {"name": "v1", "configMap": {"name": "c3"}},
                    {"name": "v2", "secret": {"secretName": "s4"}},
                    {"name": "v3", "persistentVolumeClaim": {"claimName": "p1"}},
                    {"name": "v4", "projected": {"sources": [{"configMap": {"name": "c4"}}, {"secret": {"name": "s5"}}]}},
                    {"name": "v5", "emptyDir": {}}
                ]
            }}),
            json!({"spec": {"nodeSelector": "wrong", "containers": [{"resources": {"requests": {"cpu": "x"}}}]}}),
            json!({"spec": {"containers": [{"resources": {"requests": {"cpu": "x"}}}]}}),
            json!({"spec": {"affinity": null, "tolerations": null}}),
        ]
    }

    #[test]
    fn pod_field_lists_cover_what_the_pod_helpers_read() {
        let requirements = Fields::new().with_under("", POD_REQUIREMENTS_FIELDS);
        let dependencies = Fields::new().with_under("", POD_DEPENDENCIES_FIELDS);
        for template in rich_templates() {
            let text = template.to_string();
            let part = requirements.parse(&text).unwrap();
            assert_eq!(
                pod_requirements(&part, "ns"),
                pod_requirements(&template, "ns"),
                "{template}"
            );
            let part = dependencies.parse(&text).unwrap();
            assert_eq!(
                pod_dependencies(&part, "ns"),
                pod_dependencies(&template, "ns"),
                "{template}"
            );
        }
        let rich = rich_templates()[0].clone();
        assert_ne!(requirements.parse(&rich.to_string()).unwrap(), rich);
        assert!(!pod_dependencies(&rich, "ns").is_empty());
        assert!(pod_requirements(&rich_templates()[0], "ns")
            .unwrap()
            .is_some());
    }

    #[test]
    fn get_walks_objects_and_arrays() {
        let obj = json!({"a": {"b": [10, {"c": "x"}], "": 1}, "n": null});
        let cases = [
            ("", Some(obj.clone())),
            ("a.b.0", Some(json!(10))),
            ("a.b.1.c", Some(json!("x"))),
            (".a..b.1.c.", Some(json!("x"))),
            ("a.b.2", None),
            ("a.b.x", None),
            ("a.b.-1", None),
            ("a.b.0.c", None),
            ("n", Some(Value::Null)),
            ("n.x", None),
            ("missing", None),
        ];
        for (path, want) in cases {
            assert_eq!(get(&obj, path).cloned(), want, "{path:?}");
        }
    }

    #[test]
    fn paths_read_and_write() {
        let mut obj = json!({"spec": {"containers": [{"name": "a"}], "replicas": 2}});
        assert_eq!(get_str(&obj, "spec.containers.0.name"), Some("a"));
        assert_eq!(get_i64(&obj, "spec.replicas").unwrap(), Some(2));
        assert_eq!(get_i64(&obj, "spec.missing").unwrap(), None);
        assert!(get_i64(&obj, "spec.containers").is_err());
        assert_eq!(get_replicas(&obj, "spec.none", 1).unwrap(), 1);
        set(&mut obj, "status.ready.count", json!(3)).unwrap();
        assert_eq!(obj["status"]["ready"]["count"], 3);
        assert!(!set_if_present(&mut obj, "spec.parallelism", json!(4)).unwrap());
        assert!(obj["spec"].get("parallelism").is_none());
    }

    #[test]
    fn conditions_and_sums() {
        let obj = json!({"status": {"conditions": [{"type": "Ready", "status": "True"}, {"type": "Failed", "status": "False"}]}});
        assert!(condition_is_true(&obj, "Ready"));
        assert!(!condition_is_true(&obj, "Failed"));
        assert!(find_condition(&obj, "Missing").is_none());
        let item = |s: Option<Value>| StatusItem {
            cluster_name: "m".into(),
            status: s,
            applied: true,
            applied_message: String::new(),
            health: None,
        };
        let sums = sum_status_fields(
            &[
                item(Some(json!({"ready": 2}))),
                item(None),
                item(Some(json!({"ready": 3, "total": 1}))),
            ],
            &["ready", "total"],
        );
        assert_eq!(Value::Object(sums), json!({"ready": 5, "total": 1}));
    }

    #[test]
    fn pod_requirements_follow_karmada() {
        let template = json!({"spec": {
            "initContainers": [{"name": "i", "resources": {"requests": {"cpu": "3", "memory": "1Gi"}}}],
            "containers": [
                {"name": "a", "resources": {"requests": {"cpu": "500m"}, "limits": {"memory": "2Gi", "example.com/foo": "2"}}},
                {"name": "b", "resources": {"requests": {"cpu": "1", "unknown": "5"}}}
            ],
            "overhead": {"cpu": "100m"}
        }});
        let r = pod_requirements(&template, "ns").unwrap().unwrap();
        assert_eq!(r.namespace, "ns");
        assert!(r.node_claim.is_none());
        assert_eq!(
            r.resource_request,
            vec![
                ("cpu".to_string(), "3100m".to_string()),
                ("example.com/foo".to_string(), "2".to_string()),
                ("memory".to_string(), "2147483648".to_string())
            ]
        );
        let empty_selector = json!({"spec": {"nodeSelector": {}, "containers": []}});
        let r = pod_requirements(&empty_selector, "").unwrap().unwrap();
        assert!(r.node_claim.is_some(), "an empty nodeSelector still counts");
        assert!(pod_requirements(&json!({"spec": {"containers": []}}), "")
            .unwrap()
            .is_none());
    }

    #[test]
    fn pod_dependencies_are_sorted_and_unique() {
        let template = json!({"spec": {
            "serviceAccountName": "runner",
            "containers": [{"name": "a", "envFrom": [{"configMapRef": {"name": "cfg"}}],
                "env": [{"name": "X", "valueFrom": {"configMapKeyRef": {"name": "cfg", "key": "x"}}}]}],
            "volumes": [{"name": "v", "secret": {"secretName": "tls"}}]
        }});
        let deps: Vec<String> = pod_dependencies(&template, "ns")
            .into_iter()
            .map(|d| format!("{}/{}", d.kind, d.name))
            .collect();
        assert_eq!(
            deps,
            vec!["ConfigMap/cfg", "Secret/tls", "ServiceAccount/runner"]
        );
    }
}
