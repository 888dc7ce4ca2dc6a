//! `RayService`: a Ray cluster whose pods Karmada schedules as one workload.
use fedplan_interpreter_sdk::prelude::*;
use fedplan_interpreter_sdk::quantity;

use crate::aggregation::{concatenated, first, greatest, sum, values, Member, Status};
use crate::lua;

const CONFIG: &str = "spec.rayClusterConfig";

/// Application statuses from best to worst; any other value ranks with `RUNNING`.
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

/// Several members (or none): conditions concatenated, `numServeEndpoints` summed, the
/// latest `lastUpdateTime`, the highest `observedGeneration` (0 at least), `serviceStatus`
/// `"Running"` unless a member reports `""`; these fields are always written (a missing
/// `lastUpdateTime` goes). The first member's `activeServiceStatus`, with the applications of
/// every member's merged (each at its worst status), and the first `pendingServiceStatus`
/// are written only when some member has one; the rest of the status stays.
pub fn fold_status(status: &mut Status, members: &[Member]) -> Result<(), PluginError> {
    status.put("conditions", Some(concatenated(members, "conditions")?));
    status.put(
        "numServeEndpoints",
        Some(sum(members, "numServeEndpoints")?),
    );
    status.put("lastUpdateTime", greatest(members, "lastUpdateTime", None)?);
    status.put(
        "observedGeneration",
        greatest(members, "observedGeneration", Some(json!(0)))?,
    );
    let not_running = values(members, "serviceStatus").any(|(_, v)| v.as_str() == Some(""));
    status.put(
        "serviceStatus",
        Some(json!(if not_running { "" } else { "Running" })),
    );
    if let Some(active) = active_status(members)? {
        status.put("activeServiceStatus", Some(active));
    }
    if let Some(pending) = first(members, "pendingServiceStatus") {
        status.put("pendingServiceStatus", Some(pending));
    }
    Ok(())
}

/// The first member's `activeServiceStatus` with `applicationStatuses` replaced by every
/// member's applications, each at its worst status across members (the earlier member's on
/// a tie).
fn active_status(members: &[Member]) -> Result<Option<Value>, PluginError> {
    const KEY: &str = "activeServiceStatus";
    let rank = |app: &Value| {
        let status = app.get("status").and_then(Value::as_str).unwrap_or("");
        APPLICATION_ORDER
            .iter()
            .position(|s| *s == status)
            .unwrap_or(0)
    };
    let mut merged: Map<String, Value> = Map::new();
    let mut base = None;
    for (member, active) in values(members, KEY) {
        base.get_or_insert(active);
        let apps = lua::index(active, "applicationStatuses").map_err(|e| member.error(KEY, e))?;
        let apps = match apps {
            None => continue,
            Some(Value::Object(apps)) => apps,
            Some(Value::Array(list)) if list.is_empty() => continue,
            Some(other) => {
                return Err(member.error(
                    "activeServiceStatus.applicationStatuses",
                    format!("not a map of applications but a {}", lua::type_name(other)),
                ))
            }
        };
        for (name, app) in apps.iter().filter(|(_, app)| !app.is_null()) {
            if !lua::indexable(app) {
                return Err(member.error(
                    &format!("activeServiceStatus.applicationStatuses.{name}"),
                    format!("attempt to index a {} value", lua::type_name(app)),
                ));
            }
            if merged.get(name).is_none_or(|kept| rank(app) > rank(kept)) {
                merged.insert(name.clone(), app.clone());
            }
        }
    }
    let Some(base) = base else {
        return Ok(None);
    };
    let mut active = match base {
        Value::Object(fields) => fields.clone(),
        Value::Array(list) if list.is_empty() => Map::new(),
        other => {
            return Err(PluginError::at(
                "status.activeServiceStatus",
                format!(
                    "attempt to set applicationStatuses on a {} value",
                    lua::type_name(other)
                ),
            ))
        }
    };
    // Always written: an empty merge is an empty table, which the result drops.
    active.insert("applicationStatuses".to_string(), Value::Object(merged));
    Ok(Some(Value::Object(active)))
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
