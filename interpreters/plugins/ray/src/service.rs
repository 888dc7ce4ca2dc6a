//! `RayService`: a Ray cluster whose pods Karmada schedules as one workload.
use fedplan_interpreter_sdk::prelude::*;
use fedplan_interpreter_sdk::quantity;

const CONFIG: &str = "spec.rayClusterConfig";

/// Application statuses from best to worst.
const APPLICATION_ORDER: &[&str] = &[
    "RUNNING",
    "NOT_STARTED",
    "DEPLOYING",
    "DELETING",
    "UNHEALTHY",
    "DEPLOY_FAILED",
];

/// The head plus every worker; each replica sized for the largest pod of the cluster.
pub fn interpret_replica(service: &Value) -> Result<ReplicaInterpretation, PluginError> {
    let config = get(service, CONFIG);
    let Some(head) = config.and_then(|c| get(c, "headGroupSpec.template")) else {
        return Ok(ReplicaInterpretation {
            replicas: 0,
            requirements: None,
        });
    };
    let groups = crate::worker_groups(config);
    let mut replicas: i32 = 1;
    for (index, group) in groups.iter().enumerate() {
        let n = get_replicas(group, "replicas", 0).map_err(|e| {
            PluginError::at(
                format!("{CONFIG}.workerGroupSpecs.{index}.replicas"),
                e.message,
            )
        })?;
        replicas = replicas.saturating_add(n);
    }
    // Karmada's script returns the pod requirements without a namespace.
    let namespace = "";
    let mut requirements = pod_requirements(head, namespace)?.unwrap_or(ReplicaRequirements {
        node_claim: None,
        resource_request: Vec::new(),
        namespace: namespace.to_string(),
        priority_class_name: String::new(),
    });
    let mut largest = [("cpu", None::<i128>), ("memory", None)];
    let templates = std::iter::once(head).chain(groups.iter().filter_map(|g| g.get("template")));
    for template in templates {
        let Some(found) = pod_requirements(template, namespace)? else {
            continue;
        };
        for (name, max) in largest.iter_mut() {
            let value = found
                .resource_request
                .iter()
                .find(|(n, _)| n == name)
                .and_then(|(_, q)| quantity::parse_nanos(q));
            if value > *max {
                *max = value;
            }
        }
    }
    for (name, max) in largest {
        let Some(max) = max else { continue };
        let formatted = quantity::format(max);
        match requirements
            .resource_request
            .iter_mut()
            .find(|(n, _)| n == name)
        {
            Some(entry) => entry.1 = formatted,
            None => requirements
                .resource_request
                .push((name.to_string(), formatted)),
        }
    }
    let requirements = (requirements.node_claim.is_some()
        || !requirements.resource_request.is_empty())
    .then_some(requirements);
    Ok(ReplicaInterpretation {
        replicas,
        requirements,
    })
}

/// The head stays; the other replicas go to the worker groups, in proportion to their
/// current sizes (evenly when all are empty).
pub fn revise_replica(mut service: Value, replicas: i64) -> Result<Value, PluginError> {
    let workers = (replicas - 1).max(0);
    let path = format!("{CONFIG}.workerGroupSpecs");
    let current: Vec<i64> = crate::worker_groups(get(&service, CONFIG))
        .iter()
        .map(|g| {
            g.get("replicas")
                .and_then(Value::as_i64)
                .unwrap_or(0)
                .max(0)
        })
        .collect();
    let shares = split(workers, &current);
    let groups = service
        .get_mut("spec")
        .and_then(|s| s.get_mut("rayClusterConfig"))
        .and_then(|c| c.get_mut("workerGroupSpecs"))
        .and_then(Value::as_array_mut);
    for (index, (group, share)) in groups.into_iter().flatten().zip(shares).enumerate() {
        let group = group
            .as_object_mut()
            .ok_or_else(|| PluginError::at(format!("{path}.{index}"), "not an object"))?;
        group.insert("replicas".to_string(), json!(share));
    }
    Ok(service)
}

fn split(total: i64, current: &[i64]) -> Vec<i64> {
    let groups = current.len() as i64;
    if groups == 0 {
        return Vec::new();
    }
    let sum: i64 = current.iter().sum();
    if sum == 0 {
        let base = total / groups;
        let extra = total % groups;
        return (0..groups).map(|i| base + i64::from(i < extra)).collect();
    }
    let mut shares = Vec::with_capacity(current.len());
    let mut given = 0;
    for (index, n) in current.iter().enumerate() {
        if index + 1 == current.len() {
            shares.push((total - given).max(0));
        } else {
            let share =
                (i128::from(total) * i128::from(*n) * 2 + i128::from(sum)) / (i128::from(sum) * 2);
            let share = i64::try_from(share)
                .unwrap_or(i64::MAX)
                .min(total - given)
                .max(0);
            given += share;
            shares.push(share);
        }
    }
    shares
}

pub fn aggregate_status(mut service: Value, items: &[StatusItem]) -> Result<Value, PluginError> {
    if items.is_empty() {
        return Ok(service);
    }
    crate::remove(&mut service, "spec");
    let statuses: Vec<&Value> = items.iter().filter_map(|i| i.status.as_ref()).collect();
    let mut status = Map::new();
    let conditions: Vec<Value> = statuses
        .iter()
        .filter_map(|s| s.get("conditions").and_then(Value::as_array))
        .flatten()
        .cloned()
        .collect();
    status.insert("conditions".into(), Value::Array(conditions));
    let endpoints: i64 = statuses
        .iter()
        .filter_map(|s| s.get("numServeEndpoints").and_then(Value::as_i64))
        .sum();
    status.insert("numServeEndpoints".into(), json!(endpoints));
    if let Some(latest) = statuses
        .iter()
        .filter_map(|s| get_str(s, "lastUpdateTime"))
        .max()
    {
        status.insert("lastUpdateTime".into(), json!(latest));
    }
    if let Some(max) = statuses
        .iter()
        .filter_map(|s| s.get("observedGeneration").and_then(Value::as_i64))
        .max()
    {
        status.insert("observedGeneration".into(), json!(max));
    }
    let not_serving = statuses
        .iter()
        .any(|s| get_str(s, "serviceStatus") == Some(""));
    status.insert(
        "serviceStatus".into(),
        json!(if not_serving { "" } else { "Running" }),
    );
    if let Some(active) = active_status(&statuses) {
        status.insert("activeServiceStatus".into(), active);
    }
    if let Some(pending) = statuses
        .iter()
        .find_map(|s| s.get("pendingServiceStatus").filter(|v| !v.is_null()))
    {
        status.insert("pendingServiceStatus".into(), pending.clone());
    }
    let mut status = Value::Object(status);
    prune_empty_tables(&mut status);
    set(&mut service, "status", status)?;
    Ok(service)
}

/// The first member's active service status, each application at its worst status across
/// members.
fn active_status(statuses: &[&Value]) -> Option<Value> {
    let mut active = statuses
        .iter()
        .find_map(|s| s.get("activeServiceStatus").filter(|v| !v.is_null()))?
        .clone();
    let rank = |s: &str| APPLICATION_ORDER.iter().position(|x| *x == s).unwrap_or(0);
    let mut merged: Map<String, Value> = Map::new();
    for status in statuses {
        let Some(apps) =
            get(status, "activeServiceStatus.applicationStatuses").and_then(Value::as_object)
        else {
            continue;
        };
        for (name, app) in apps {
            let worse = match merged.get(name) {
                None => true,
                Some(kept) => {
                    rank(get_str(app, "status").unwrap_or(""))
                        > rank(get_str(kept, "status").unwrap_or(""))
                }
            };
            if worse {
                merged.insert(name.clone(), app.clone());
            }
        }
    }
    if !merged.is_empty() {
        active["applicationStatuses"] = Value::Object(merged);
    }
    Some(active)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workers_split() {
        let cases: [(i64, &[i64], &[i64]); 5] = [
            (6, &[3], &[6]),
            (6, &[0, 0], &[3, 3]),
            (7, &[0, 0], &[4, 3]),
            (9, &[1, 2], &[3, 6]),
            (5, &[], &[]),
        ];
        for (total, current, want) in cases {
            assert_eq!(split(total, current), want, "{total} {current:?}");
        }
    }
}
