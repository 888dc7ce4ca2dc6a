//! `RayCluster`, and the component rules `RayJob` and `RayService` share.
use fedplan_interpreter_sdk::prelude::*;

use crate::aggregation::{concatenated, first, greatest, sum, values, Member, Status};
use crate::{lua, quantity_format};

const WORKER_COUNTERS: &[&str] = &[
    "readyWorkerReplicas",
    "availableWorkerReplicas",
    "desiredWorkerReplicas",
    "maxWorkerReplicas",
    "minWorkerReplicas",
];

/// The components of a Ray cluster spec (`spec` of a RayCluster, `spec.rayClusterSpec` of a
/// RayJob, `spec.rayClusterConfig` of a RayService): `ray-head`, one pod, when the head
/// group has a pod template; then one component per worker group, named by its
/// `groupName` (`worker-<n>`, counting from 1, when that is missing or empty), with its
/// `replicas` (0 when missing) and the requirements of its template (none without one).
/// No cluster spec, no components.
pub fn components(cluster_spec: Option<&Value>) -> Result<Vec<Component>, PluginError> {
    let mut components = Vec::new();
    let head_template = cluster_spec.and_then(|s| get(s, "headGroupSpec.template"));
    if let Some(template) = head_template {
        components.push(Component {
            name: "ray-head".to_string(),
            replicas: 1,
            requirements: component_requirements(template)?,
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

/// `fields` with what [`components`] reads of the cluster spec at `cluster_spec`.
pub fn component_fields(fields: Fields, cluster_spec: &str) -> Fields {
    fields
        .with_under(
            &format!("{cluster_spec}.headGroupSpec.template"),
            POD_REQUIREMENTS_FIELDS,
        )
        .with_under(
            &format!("{cluster_spec}.workerGroupSpecs"),
            &["groupName", "replicas"],
        )
        .with_under(
            &format!("{cluster_spec}.workerGroupSpecs.template"),
            POD_REQUIREMENTS_FIELDS,
        )
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

/// Several members (or none): conditions concatenated; worker counters summed; CPU and
/// memory added as quantities (`kube.resourceAdd`), GPU and TPU as numbers written as
/// strings; the latest `lastUpdateTime`; `endpoints`, `head` and `state` (with its
/// `stateTransitionTimes`) from the first member that has them. Each of these fields is
/// written, so one no member has goes; the rest of the status stays.
pub fn fold_status(status: &mut Status, members: &[Member]) -> Result<(), PluginError> {
    status.put("conditions", Some(concatenated(members, "conditions")?));
    for counter in WORKER_COUNTERS {
        status.put(counter, Some(sum(members, counter)?));
    }
    for resource in ["desiredCPU", "desiredMemory"] {
        let mut total = "0".to_string();
        for (member, value) in reported(members, resource) {
            total = quantity_format::resource_add(&total, value)
                .map_err(|e| member.error(resource, e))?;
        }
        status.put(resource, Some(Value::String(total)));
    }
    for resource in ["desiredGPU", "desiredTPU"] {
        let mut total = 0.0;
        for (member, value) in reported(members, resource) {
            let n = lua::tonumber(value).ok_or_else(|| {
                member.error(
                    resource,
                    format!("tonumber({value}) is nil: no number to add"),
                )
            })?;
            total += n;
        }
        status.put(resource, Some(Value::String(lua::number_to_string(total))));
    }
    status.put("lastUpdateTime", greatest(members, "lastUpdateTime", None)?);
    status.put("endpoints", first(members, "endpoints"));
    status.put("head", first(members, "head"));
    let stateful = members.iter().find(|m| m.get("state").is_some());
    for key in ["state", "stateTransitionTimes"] {
        status.put(key, stateful.and_then(|m| m.get(key)).cloned());
    }
    Ok(())
}

/// The members' `key` values the script adds up: neither `nil` nor `""`.
fn reported<'a>(
    members: &'a [Member<'a>],
    key: &'a str,
) -> impl Iterator<Item = (&'a Member<'a>, &'a Value)> {
    values(members, key).filter(|(_, v)| v.as_str() != Some(""))
}
