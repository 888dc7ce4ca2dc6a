//! Volcano `Job` (`batch.volcano.sh/v1alpha1`): Karmada's built-in customization as a plugin.
use std::collections::BTreeSet;

use fedplan_interpreter_sdk::prelude::*;

struct VolcanoJob;

/// Phases of a job that is alive or ended on its own terms.
const HEALTHY_PHASES: &[&str] = &[
    "Running",
    "Completed",
    "Pending",
    "Aborting",
    "Aborted",
    "Restarting",
    "Completing",
    "Terminating",
    "Terminated",
];

/// Counters summed across members.
const COUNTERS: &[&str] = &[
    "minAvailable",
    "pending",
    "running",
    "succeeded",
    "failed",
    "terminating",
    "unknown",
    "retryCount",
];

/// Condition statuses that mean the job is failing somewhere.
const FAILING: &[&str] = &["Failed", "Aborted", "Aborting", "Terminated", "Terminating"];

/// The status fields a member reports.
const REFLECTED: &[&str] = &[
    "minAvailable",
    "pending",
    "running",
    "succeeded",
    "failed",
    "terminating",
    "unknown",
    "version",
    "retryCount",
    "runningDuration",
    "taskStatusCount",
    "controlledResources",
    "state",
    "conditions",
];

impl Interpreter for VolcanoJob {
    /// A port of Karmada's Lua customization: values arrive as the script sees them.
    const VALUES_THROUGH_LUA: bool = true;

    fn manifest() -> Vec<Target> {
        use Operation::*;
        vec![Target::new("batch.volcano.sh/v1alpha1", "Job").with(&[
            InterpretHealth,
            InterpretComponent,
            AggregateStatus,
            InterpretStatus,
        ])]
    }

    /// What the status-reading operations look at; the host sends only these.
    fn fields(operation: Operation) -> Option<Fields> {
        match operation {
            Operation::InterpretHealth => Some(Fields::new().with("status.state.phase")),
            Operation::InterpretStatus => Some(Fields::new().with_under("status", REFLECTED)),
            // One member's status is taken whole and several are folded, but without members
            // the job keeps the status it has, so that is sent too; its tasks are not.
            Operation::AggregateStatus => Some(Fields::new().with("status")),
            _ => None,
        }
    }

    fn interpret_health(job: &Value) -> Result<bool, PluginError> {
        Ok(get_str(job, "status.state.phase").is_some_and(|p| HEALTHY_PHASES.contains(&p)))
    }

    /// One component per task; a task gang-schedules `minAvailable` pods, so that is what
    /// Karmada counts as its replicas.
    fn interpret_component(job: &Value) -> Result<Vec<Component>, PluginError> {
        let tasks = get(job, "spec.tasks").and_then(Value::as_array);
        let mut components = Vec::new();
        for (index, task) in tasks.into_iter().flatten().enumerate() {
            let name = match get_str(task, "name") {
                Some(name) if !name.is_empty() => name.to_string(),
                _ => format!("task-{index}"),
            };
            let replicas = get_replicas(task, "minAvailable", 1).map_err(|e| {
                PluginError::at(format!("spec.tasks.{index}.minAvailable"), e.message)
            })?;
            let template = get(task, "template").unwrap_or(&Value::Null);
            components.push(Component {
                name,
                replicas,
                requirements: component_requirements(template)?,
            });
        }
        Ok(components)
    }

    fn aggregate_status(mut job: Value, items: &[StatusItem]) -> Result<Value, PluginError> {
        match items {
            [] => return Ok(job),
            [only] => {
                let status = only.status.clone().unwrap_or(Value::Null);
                set_status(&mut job, status)?;
                return Ok(job);
            }
            _ => {}
        }
        let mut status = Map::new();
        let statuses: Vec<(&str, &Value)> = items
            .iter()
            .filter_map(|i| i.status.as_ref().map(|s| (i.cluster_name.as_str(), s)))
            .collect();
        for counter in COUNTERS {
            let total: i64 = statuses
                .iter()
                .filter_map(|(_, s)| s.get(*counter).and_then(Value::as_i64))
                .sum();
            status.insert(counter.to_string(), json!(total));
        }
        let version = statuses
            .iter()
            .filter_map(|(_, s)| s.get("version").and_then(Value::as_i64))
            .max()
            .unwrap_or(0);
        status.insert("version".into(), json!(version));
        let longest = statuses
            .iter()
            .filter_map(|(_, s)| get_str(s, "runningDuration"))
            .filter_map(|d| parse_duration(d).map(|secs| (secs, d)))
            .fold(None::<(f64, &str)>, |best, (secs, d)| match best {
                Some((b, _)) if b >= secs => best,
                _ => Some((secs, d)),
            });
        if let Some((_, duration)) = longest {
            status.insert("runningDuration".into(), json!(duration));
        }
        status.insert(
            "taskStatusCount".into(),
            Value::Object(task_counts(&statuses)),
        );
        let mut resources = Map::new();
        for (_, s) in &statuses {
            if let Some(map) = s.get("controlledResources").and_then(Value::as_object) {
                resources.extend(map.iter().map(|(k, v)| (k.clone(), v.clone())));
            }
        }
        status.insert("controlledResources".into(), Value::Object(resources));
        status.insert("conditions".into(), Value::Array(conditions(&statuses)));
        if let Some(state) = state(&statuses, items.len()) {
            status.insert("state".into(), state);
        }
        let mut status = Value::Object(status);
        strip_defaults(&mut status);
        set_status(&mut job, status)?;
        Ok(job)
    }

    fn interpret_status(job: &Value) -> Result<Option<Value>, PluginError> {
        // The script reflects a job without a status as an empty table, which Karmada
        // converts to `{}`.
        let Some(status) = get(job, "status").and_then(Value::as_object) else {
            return Ok(Some(Value::Object(Map::new())));
        };
        let mut reflected: Map<String, Value> = REFLECTED
            .iter()
            .filter_map(|key| status.get(*key).map(|v| (key.to_string(), v.clone())))
            .collect();
        reflected.retain(|_, v| !v.is_null());
        let mut reflected = Value::Object(reflected);
        as_lua_returns(&mut reflected);
        Ok(Some(reflected))
    }
}

fn set_status(job: &mut Value, status: Value) -> Result<(), PluginError> {
    if status.is_null() {
        if let Some(map) = job.as_object_mut() {
            map.remove("status");
        }
        return Ok(());
    }
    let mut status = status;
    as_lua_returns(&mut status);
    set(job, "status", status)
}

/// `taskStatusCount.<task>.phase.<phase>` summed over members.
fn task_counts(statuses: &[(&str, &Value)]) -> Map<String, Value> {
    let mut counts = Map::new();
    for (_, status) in statuses {
        let Some(tasks) = status.get("taskStatusCount").and_then(Value::as_object) else {
            continue;
        };
        for (task, count) in tasks {
            let Some(phases) = count.get("phase").and_then(Value::as_object) else {
                continue;
            };
            let entry = counts
                .entry(task.clone())
                .or_insert_with(|| json!({"phase": {}}));
            for (phase, n) in phases {
                let slot = &mut entry["phase"][phase.as_str()];
                let total = slot.as_i64().unwrap_or(0) + n.as_i64().unwrap_or(0);
                *slot = json!(total);
            }
        }
    }
    counts
}

/// A failing member's conditions explain the job best; otherwise the latest condition of
/// each status, in the order statuses first appear.
fn conditions(statuses: &[(&str, &Value)]) -> Vec<Value> {
    let of = |s: &Value| -> Vec<Value> {
        s.get("conditions")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let failing = statuses.iter().find(|(_, s)| {
        of(s)
            .iter()
            .any(|c| get_str(c, "status").is_some_and(|st| FAILING.contains(&st)))
    });
    if let Some((_, s)) = failing {
        return of(s);
    }
    let mut latest: Vec<Value> = Vec::new();
    for (_, s) in statuses {
        for condition in of(s) {
            let status = get_str(&condition, "status").unwrap_or("").to_string();
            let time = get_str(&condition, "lastTransitionTime")
                .unwrap_or("")
                .to_string();
            match latest
                .iter_mut()
                .find(|c| get_str(c, "status").unwrap_or("") == status)
            {
                Some(kept) => {
                    if time.as_str() > get_str(kept, "lastTransitionTime").unwrap_or("") {
                        *kept = condition;
                    }
                }
                None => latest.push(condition),
            }
        }
    }
    latest
}

/// Failed when a member failed or aborted, Completed when all members completed.
fn state(statuses: &[(&str, &Value)], members: usize) -> Option<Value> {
    let phase = |s: &Value| get_str(s, "state.phase").unwrap_or("").to_string();
    let failed: Vec<&str> = statuses
        .iter()
        .filter(|(_, s)| matches!(phase(s).as_str(), "Failed" | "Aborted"))
        .map(|(cluster, _)| *cluster)
        .collect();
    if !failed.is_empty() {
        return Some(json!({
            "phase": "Failed",
            "reason": "VolcanoJobFailed",
            "message": format!("Job failed in clusters: {}", failed.join(",")),
        }));
    }
    let completed = statuses
        .iter()
        .filter(|(_, s)| phase(s) == "Completed")
        .count();
    (completed == members && members > 0).then(|| json!({"phase": "Completed"}))
}

/// Seconds of a Go duration (`1h2m3.5s`, `35.6s`, `250ms`), or `None` when it is not one.
fn parse_duration(text: &str) -> Option<f64> {
    let units: BTreeSet<&str> = ["h", "m", "s", "ms", "us", "µs", "ns"]
        .into_iter()
        .collect();
    let mut total = 0.0;
    let mut rest = text.trim();
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let number_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number: f64 = rest[..number_end].parse().ok()?;
        rest = &rest[number_end..];
        let unit_end = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let unit = &rest[..unit_end];
        if !units.contains(unit) {
            return None;
        }
        total += number
            * match unit {
                "h" => 3600.0,
                "m" => 60.0,
                "s" => 1.0,
                "ms" => 1e-3,
                "ns" => 1e-9,
                _ => 1e-6,
            };
        rest = &rest[unit_end..];
    }
    Some(total)
}

/// Karmada's aggregation drops zeros, empty strings, `"0s"` and empty tables from the folded
/// status.
fn strip_defaults(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for child in map.values_mut() {
                strip_defaults(child);
            }
            map.retain(|_, child| !is_default(child));
        }
        Value::Array(items) => {
            for child in items.iter_mut() {
                strip_defaults(child);
            }
            items.retain(|child| !is_default(child));
        }
        _ => {}
    }
}

fn is_default(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::String(s) => s.is_empty() || s == "0s",
        Value::Object(map) => map.is_empty(),
        Value::Array(items) => items.is_empty(),
        Value::Bool(_) => false,
    }
}

export_plugin!(VolcanoJob);

#[cfg(test)]
mod tests {
    use super::*;

    /// The reflected status is what the script's table becomes: `{}` when the job has no
    /// status (the script returns its empty table), the copied fields otherwise.
    #[test]
    fn reflected_status_of_a_job_without_status_is_empty() {
        let cases = [
            (json!({"kind": "Job"}), json!({})),
            (json!({"kind": "Job", "status": null}), json!({})),
            (
                json!({"kind": "Job", "status": {"running": 1, "pending": 0}}),
                json!({"running": 1, "pending": 0}),
            ),
        ];
        for (job, want) in cases {
            assert_eq!(VolcanoJob::interpret_status(&job).unwrap(), Some(want));
        }
    }

    #[test]
    fn durations_parse() {
        let cases = [
            ("35.5s", Some(35.5)),
            ("1h2m3s", Some(3723.0)),
            ("250ms", Some(0.25)),
            ("x", None),
            ("", None),
        ];
        for (text, want) in cases {
            assert_eq!(parse_duration(text), want, "{text}");
        }
    }

    fn job(status: Option<Value>) -> Value {
        let task = |name: &str, replicas: i64, cpu: &str| {
            json!({
                "name": name,
                "replicas": replicas,
                "minAvailable": replicas,
                "template": {"spec": {
                    "restartPolicy": "OnFailure",
                    "containers": [{
                        "name": name,
                        "image": "volcanosh/example-mpi:0.0.3",
                        "resources": {"requests": {"cpu": cpu, "memory": "1Gi"}}
                    }]
                }}
            })
        };
        let mut job = json!({
            "apiVersion": "batch.volcano.sh/v1alpha1",
            "kind": "Job",
            "metadata": {"name": "mpi-job", "namespace": "hpc", "generation": 2},
            "spec": {
                "minAvailable": 3,
                "schedulerName": "volcano",
                "queue": "default",
                "plugins": {"ssh": [], "svc": []},
                "tasks": [task("mpimaster", 1, "500m"), task("mpiworker", 2, "2")]
            }
        });
        if let Some(status) = status {
            job["status"] = status;
        }
        job
    }

    fn member(phase: &str, running: i64, succeeded: i64, condition_time: &str) -> Value {
        json!({
            "state": {"phase": phase, "lastTransitionTime": condition_time},
            "minAvailable": 3,
            "pending": 0,
            "running": running,
            "succeeded": succeeded,
            "failed": i64::from(phase == "Failed"),
            "terminating": 0,
            "unknown": 0,
            "version": 2,
            "retryCount": 1,
            "runningDuration": "1m30.5s",
            "taskStatusCount": {
                "mpimaster": {"phase": {phase: 1}},
                "mpiworker": {"phase": {phase: 2}}
            },
            "controlledResources": {"plugin-ssh": "ssh", "plugin-svc": "svc"},
            "conditions": [
                {"status": "Pending", "lastTransitionTime": "2024-05-01T09:59:00Z"},
                {"status": phase, "lastTransitionTime": condition_time}
            ]
        })
    }

    #[test]
    fn declared_fields_suffice() {
        let running = member("Running", 3, 0, "2024-05-01T10:00:00Z");
        let completed = member("Completed", 0, 3, "2024-05-01T10:05:00Z");
        let failed = member("Failed", 0, 0, "2024-05-01T10:03:00Z");
        let member_sets: [&[Value]; 6] = [
            &[],
            std::slice::from_ref(&running),
            &[running.clone(), completed.clone()],
            &[completed.clone(), completed.clone()],
            &[running.clone(), failed.clone(), completed.clone()],
            &[json!({}), running.clone()],
        ];
        let aggregated = member("Running", 6, 0, "2024-04-30T08:00:00Z");
        for status in [None, Some(aggregated)] {
            let job = job(status);
            for statuses in member_sets {
                assert_eq!(
                    fields_suffice::<VolcanoJob>(&job, statuses),
                    Ok(()),
                    "{} members",
                    statuses.len()
                );
            }
        }
    }
}
