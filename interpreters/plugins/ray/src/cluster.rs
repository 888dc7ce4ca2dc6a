//! `RayCluster`, and the component rules `RayJob` shares.
use fedplan_interpreter_sdk::prelude::*;

use crate::quantity_format;

const WORKER_COUNTERS: &[&str] = &[
    "readyWorkerReplicas",
    "availableWorkerReplicas",
    "desiredWorkerReplicas",
    "maxWorkerReplicas",
    "minWorkerReplicas",
];

/// The head (one pod) and one component per worker group.
pub fn components(cluster_spec: Option<&Value>) -> Result<Vec<Component>, PluginError> {
    let mut components = Vec::new();
    if let Some(head) = cluster_spec.and_then(|s| s.get("headGroupSpec")) {
        components.push(Component {
            name: "ray-head".to_string(),
            replicas: 1,
            requirements: template_requirements(head)?,
        });
    }
    for (index, group) in crate::worker_groups(cluster_spec).iter().enumerate() {
        let name = match get_str(group, "groupName") {
            Some(name) if !name.is_empty() => name.to_string(),
            _ => format!("worker-{}", index + 1),
        };
        components.push(Component {
            name,
            replicas: get_replicas(group, "replicas", 0)?,
            requirements: template_requirements(group)?,
        });
    }
    Ok(components)
}

fn template_requirements(group: &Value) -> Result<Option<ComponentRequirements>, PluginError> {
    match group.get("template") {
        Some(template) => component_requirements(template),
        None => Ok(None),
    }
}

pub fn interpret_health(cluster: &Value) -> bool {
    condition_is_true(cluster, "HeadPodReady")
        && condition_is_true(cluster, "RayClusterProvisioned")
        && !condition_is_true(cluster, "RayClusterReplicaFailure")
}

/// Counters and resources add up, conditions are all kept, the head and endpoints are the
/// first member's that reports them.
pub fn aggregate_status(mut cluster: Value, items: &[StatusItem]) -> Result<Value, PluginError> {
    if items.is_empty() {
        return Ok(cluster);
    }
    crate::remove(&mut cluster, "spec");
    if let [only] = items {
        match &only.status {
            Some(status) => set(&mut cluster, "status", status.clone())?,
            None => crate::remove(&mut cluster, "status"),
        }
        return Ok(cluster);
    }
    let statuses: Vec<&Value> = items.iter().filter_map(|i| i.status.as_ref()).collect();
    let mut status = Map::new();
    let conditions: Vec<Value> = statuses
        .iter()
        .filter_map(|s| s.get("conditions").and_then(Value::as_array))
        .flatten()
        .cloned()
        .collect();
    status.insert("conditions".into(), Value::Array(conditions));
    for counter in WORKER_COUNTERS {
        let total: i64 = statuses
            .iter()
            .filter_map(|s| s.get(*counter).and_then(Value::as_i64))
            .sum();
        status.insert(counter.to_string(), json!(total));
    }
    for resource in ["desiredCPU", "desiredMemory", "desiredGPU", "desiredTPU"] {
        let values: Vec<Option<&str>> = statuses.iter().map(|s| get_str(s, resource)).collect();
        status.insert(resource.into(), json!(quantity_format::sum(&values)));
    }
    if let Some(latest) = statuses
        .iter()
        .filter_map(|s| get_str(s, "lastUpdateTime"))
        .max()
    {
        status.insert("lastUpdateTime".into(), json!(latest));
    }
    for key in ["endpoints", "head"] {
        if let Some(value) = statuses
            .iter()
            .find_map(|s| s.get(key).filter(|v| !v.is_null()))
        {
            status.insert(key.into(), value.clone());
        }
    }
    if let Some(first) = statuses
        .iter()
        .find(|s| s.get("state").is_some_and(|v| !v.is_null()))
    {
        status.insert("state".into(), first["state"].clone());
        if let Some(times) = first.get("stateTransitionTimes").filter(|v| !v.is_null()) {
            status.insert("stateTransitionTimes".into(), times.clone());
        }
    }
    let mut status = Value::Object(status);
    prune_empty_tables(&mut status);
    set(&mut cluster, "status", status)?;
    Ok(cluster)
}
