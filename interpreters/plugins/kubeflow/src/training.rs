//! `PyTorchJob`, `TFJob` and `MPIJob`: replica specs keyed by role, each a pod template.
use fedplan_interpreter_sdk::prelude::*;

/// Which training job kind.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Job {
    PyTorch,
    Tf,
    Mpi,
}

impl Job {
    fn specs_field(self) -> &'static str {
        match self {
            Job::PyTorch => "pytorchReplicaSpecs",
            Job::Tf => "tfReplicaSpecs",
            Job::Mpi => "mpiReplicaSpecs",
        }
    }

    /// The roles Karmada's scripts look at, in their order (MPIJob: every key).
    fn roles(self) -> &'static [&'static str] {
        match self {
            Job::PyTorch => &["Master", "Worker"],
            Job::Tf => &["PS", "Worker", "Chief", "Master", "Evaluator"],
            Job::Mpi => &[],
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Job::PyTorch => "PyTorchJob",
            Job::Tf => "TFJob",
            Job::Mpi => "MPIJob",
        }
    }
}

/// `fields` with, for each training kind's replica specs, `spec_fields` of each role's spec
/// and `template_fields` of its pod template (MPIJob's roles are any keys: its specs whole).
pub fn role_fields(mut fields: Fields, spec_fields: &[&str], template_fields: &[&str]) -> Fields {
    for job in [Job::PyTorch, Job::Tf] {
        for role in job.roles() {
            let spec = format!("spec.{}.{role}", job.specs_field());
            fields = fields
                .with_under(&spec, spec_fields)
                .with_under(&format!("{spec}.template"), template_fields);
        }
    }
    fields.with(&format!("spec.{}", Job::Mpi.specs_field()))
}

/// `(role, spec)` pairs present on the job.
fn replica_specs(job: Job, object: &Value) -> Vec<(String, &Value)> {
    let Some(specs) = get(object, "spec").and_then(|s| s.get(job.specs_field())) else {
        return Vec::new();
    };
    match job {
        Job::Mpi => specs
            .as_object()
            .map(|m| m.iter().map(|(k, v)| (k.clone(), v)).collect())
            .unwrap_or_default(),
        _ => job
            .roles()
            .iter()
            .filter_map(|role| {
                specs
                    .get(*role)
                    .filter(|v| !v.is_null())
                    .map(|v| (role.to_string(), v))
            })
            .collect(),
    }
}

/// A replica count that may be written as a string; `default` when absent or not a number.
fn replicas_of(spec: &Value, default: i32) -> i32 {
    let number = match spec.get("replicas") {
        Some(Value::String(s)) => s.trim().parse::<i64>().ok(),
        Some(v) => v.as_i64(),
        None => None,
    };
    number
        .and_then(|n| i32::try_from(n).ok())
        .filter(|n| *n >= 0)
        .unwrap_or(default)
}

pub fn interpret_component(job: Job, object: &Value) -> Result<Vec<Component>, PluginError> {
    let mut components = Vec::new();
    for (role, spec) in replica_specs(job, object) {
        let template = spec.get("template").filter(|t| !t.is_null());
        let (name, default) = match job {
            Job::Mpi => {
                if template.is_none() {
                    continue;
                }
                let default = if role.eq_ignore_ascii_case("worker") {
                    0
                } else {
                    1
                };
                (role.clone(), default)
            }
            _ => (role.to_lowercase(), 1),
        };
        let requirements = match template {
            Some(template) => component_requirements(template)?,
            None => None,
        };
        components.push(Component {
            name,
            replicas: replicas_of(spec, default),
            requirements,
        });
    }
    Ok(components)
}

pub fn interpret_dependency(job: Job, object: &Value) -> Vec<DependentObjectReference> {
    let namespace = match namespace_of(object) {
        "" => "default",
        ns => ns,
    };
    let mut found: Vec<DependentObjectReference> = replica_specs(job, object)
        .into_iter()
        .filter_map(|(_, spec)| spec.get("template"))
        .flat_map(|template| pod_dependencies(template, namespace))
        .collect();
    found.sort_by(|a, b| (&a.kind, &a.name).cmp(&(&b.kind, &b.name)));
    found.dedup();
    found
}

/// Unhealthy without conditions (MPIJob: also with an empty list) or once a Failed condition
/// is true.
pub fn interpret_health(job: Job, object: &Value) -> bool {
    match get(object, "status.conditions").and_then(Value::as_array) {
        None => false,
        Some(conditions) if conditions.is_empty() && job == Job::Mpi => false,
        Some(conditions) => !conditions
            .iter()
            .any(|c| get_str(c, "type") == Some("Failed") && get_str(c, "status") == Some("True")),
    }
}

pub fn interpret_mpi_status(object: &Value) -> Result<Option<Value>, PluginError> {
    let Some(status) = get(object, "status").filter(|s| !s.is_null()) else {
        return Ok(Some(json!({})));
    };
    let mut reflected = Map::new();
    if let Some(replicas) = status.get("replicaStatuses").and_then(Value::as_object) {
        let kept: Map<String, Value> = replicas
            .iter()
            .map(|(role, counts)| {
                let fields: Map<String, Value> = ["active", "succeeded", "failed", "selector"]
                    .iter()
                    .filter_map(|f| counts.get(*f).map(|v| (f.to_string(), v.clone())))
                    .collect();
                (role.clone(), Value::Object(fields))
            })
            .collect();
        reflected.insert("replicaStatuses".into(), Value::Object(kept));
    }
    for key in [
        "conditions",
        "startTime",
        "completionTime",
        "lastReconcileTime",
    ] {
        if let Some(value) = status.get(key).filter(|v| !v.is_null()) {
            reflected.insert(key.into(), value.clone());
        }
    }
    let mut reflected = Value::Object(reflected);
    as_lua_returns(&mut reflected);
    Ok(Some(reflected))
}

pub fn aggregate_status(
    job: Job,
    mut object: Value,
    items: &[StatusItem],
) -> Result<Value, PluginError> {
    match job {
        Job::Mpi => aggregate_mpi(object, items),
        Job::PyTorch | Job::Tf if items.is_empty() => {
            let mut status = status_map(&object);
            for key in [
                "startTime",
                "completionTime",
                "replicaStatuses",
                "conditions",
            ] {
                status.remove(key);
            }
            set(&mut object, "status", Value::Object(status))?;
            Ok(object)
        }
        _ => aggregate_training(job, object, items),
    }
}

fn status_map(object: &Value) -> Map<String, Value> {
    get(object, "status")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

/// Times in RFC 3339 compare as strings, as Karmada's scripts compare them.
#[derive(Default)]
struct Times {
    start: Option<String>,
    completion: Option<String>,
    reconcile: Option<String>,
}

impl Times {
    fn observe(&mut self, status: &Value) {
        let earliest = |kept: &mut Option<String>, v: Option<&str>| {
            if let Some(v) = v {
                if kept.as_deref().is_none_or(|k| v < k) {
                    *kept = Some(v.to_string());
                }
            }
        };
        let latest = |kept: &mut Option<String>, v: Option<&str>| {
            if let Some(v) = v {
                if kept.as_deref().is_none_or(|k| v > k) {
                    *kept = Some(v.to_string());
                }
            }
        };
        earliest(&mut self.start, get_str(status, "startTime"));
        latest(&mut self.completion, get_str(status, "completionTime"));
        latest(&mut self.reconcile, get_str(status, "lastReconcileTime"));
    }
}

fn put(status: &mut Map<String, Value>, key: &str, value: Option<String>) {
    match value {
        Some(v) => status.insert(key.to_string(), json!(v)),
        None => status.remove(key),
    };
}

/// PyTorchJob and TFJob: counters per role summed, conditions rebuilt from the members'
/// final states.
fn aggregate_training(
    job: Job,
    mut object: Value,
    items: &[StatusItem],
) -> Result<Value, PluginError> {
    let mut times = Times::default();
    let mut replica_statuses = Map::new();
    for role in job.roles() {
        replica_statuses.insert(
            role.to_string(),
            json!({"active": 0, "failed": 0, "succeeded": 0}),
        );
    }
    let mut succeeded = 0usize;
    let mut succeeded_time: Option<String> = None;
    let mut failed_clusters = Vec::new();
    let mut failed_time: Option<String> = None;
    let mut created = false;
    let mut running: Option<Value> = None;
    for item in items {
        let Some(status) = &item.status else { continue };
        times.observe(status);
        for role in job.roles() {
            let Some(counts) = get(status, "replicaStatuses").and_then(|r| r.get(*role)) else {
                continue;
            };
            for field in ["active", "failed", "succeeded"] {
                let add = counts.get(field).and_then(Value::as_i64).unwrap_or(0);
                let slot = &mut replica_statuses[*role][field];
                *slot = json!(slot.as_i64().unwrap_or(0) + add);
            }
        }
        let mut member_running = None;
        // The last true final condition of a member decides whether it failed or succeeded.
        let mut finished = None;
        for c in status
            .get("conditions")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let is_true = get_str(c, "status") == Some("True");
            match get_str(c, "type") {
                Some("Created") => created |= is_true,
                Some("Running") => {
                    member_running.get_or_insert(c);
                }
                Some(final_type @ ("Succeeded" | "Failed")) if is_true => {
                    finished = Some((final_type == "Failed", c))
                }
                _ => {}
            }
        }
        if let Some(c) = member_running {
            running = Some(c.clone());
        }
        if let Some((failed, c)) = finished {
            let time = get_str(c, "lastTransitionTime").map(String::from);
            let kept = if failed {
                failed_clusters.push(item.cluster_name.clone());
                &mut failed_time
            } else {
                succeeded += 1;
                &mut succeeded_time
            };
            if time > *kept {
                *kept = time;
            }
        }
    }
    let all_succeeded = succeeded == items.len() && succeeded > 0;
    let mut conditions = Vec::new();
    let pytorch = job == Job::PyTorch;
    if pytorch {
        if created {
            let start = times.start.clone();
            conditions.push(condition(
                "Created",
                "PyTorchJobCreated",
                "PyTorchJob is created.",
                start,
            ));
        }
        if let Some(mut c) = running {
            if !failed_clusters.is_empty() || all_succeeded {
                c["status"] = json!("False");
            }
            c["reason"] = json!("PyTorchJobRunning");
            c["message"] = json!("PyTorchJob is running.");
            conditions.push(c);
        }
    }
    // TFJob's final conditions are stamped with the time of aggregation: left out here.
    if !failed_clusters.is_empty() {
        let message = format!(
            "{} executed failed in member clusters: {}",
            job.name(),
            failed_clusters.join(", ")
        );
        let reason = if pytorch {
            "PyTorchJobFailed"
        } else {
            "TFJobFailed"
        };
        let time = failed_time.filter(|_| pytorch);
        conditions.push(condition("Failed", reason, &message, time));
    } else if all_succeeded {
        conditions.push(if pytorch {
            condition(
                "Succeeded",
                "PyTorchJobSucceeded",
                "PyTorchJob is successfully completed.",
                succeeded_time,
            )
        } else {
            condition(
                "Succeeded",
                "Completed",
                "TFJob completed successfully",
                None,
            )
        });
    }
    let mut status = status_map(&object);
    put(&mut status, "startTime", times.start);
    put(&mut status, "lastReconcileTime", times.reconcile);
    if all_succeeded {
        put(&mut status, "completionTime", times.completion);
    }
    status.insert("replicaStatuses".into(), Value::Object(replica_statuses));
    status.insert("conditions".into(), Value::Array(conditions));
    let mut status = Value::Object(status);
    strip_defaults(&mut status);
    if status.as_object().is_some_and(|m| m.is_empty()) {
        crate::remove(&mut object, "status");
    } else {
        set(&mut object, "status", status)?;
    }
    Ok(object)
}

/// A true condition; its update and transition times are `time` (left out when `None`).
fn condition(type_: &str, reason: &str, message: &str, time: Option<String>) -> Value {
    let mut condition = json!({
        "type": type_,
        "status": "True",
        "reason": reason,
        "message": message,
    });
    if time.is_some() {
        condition["lastUpdateTime"] = json!(time);
        condition["lastTransitionTime"] = json!(time);
    }
    condition
}

/// MPIJob: counters per role summed, one condition per type (the latest), times folded.
fn aggregate_mpi(mut object: Value, items: &[StatusItem]) -> Result<Value, PluginError> {
    match items {
        [] => return Ok(object),
        [only] => {
            match &only.status {
                Some(status) => set(&mut object, "status", status.clone())?,
                None => crate::remove(&mut object, "status"),
            }
            return Ok(object);
        }
        _ => {}
    }
    let mut times = Times::default();
    let mut replica_statuses = Map::new();
    let mut conditions: Vec<Value> = Vec::new();
    for status in items.iter().filter_map(|i| i.status.as_ref()) {
        times.observe(status);
        if let Some(roles) = status.get("replicaStatuses").and_then(Value::as_object) {
            for (role, counts) in roles {
                let entry = replica_statuses
                    .entry(role.clone())
                    .or_insert_with(|| json!({"active": 0, "failed": 0, "succeeded": 0}));
                for field in ["active", "succeeded", "failed"] {
                    if let Some(n) = counts.get(field).and_then(Value::as_i64) {
                        let total = entry.get(field).and_then(Value::as_i64).unwrap_or(0) + n;
                        entry[field] = json!(total);
                    }
                }
            }
        }
        for condition in status
            .get("conditions")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            // A condition without a time is not kept, as in Karmada's script.
            let stamp = |c: &Value| {
                get_str(c, "lastUpdateTime")
                    .or_else(|| get_str(c, "lastTransitionTime"))
                    .unwrap_or("")
                    .to_string()
            };
            let time = stamp(condition);
            if time.is_empty() {
                continue;
            }
            let type_ = get_str(condition, "type");
            match conditions.iter_mut().find(|c| get_str(c, "type") == type_) {
                Some(kept) => {
                    if time > stamp(kept) {
                        *kept = condition.clone();
                    }
                }
                None => conditions.push(condition.clone()),
            }
        }
    }
    // Karmada's script replaces the whole status with the folded one.
    let mut status = Map::new();
    status.insert("replicaStatuses".into(), Value::Object(replica_statuses));
    status.insert("conditions".into(), Value::Array(conditions));
    put(&mut status, "startTime", times.start);
    put(&mut status, "completionTime", times.completion);
    put(&mut status, "lastReconcileTime", times.reconcile);
    let mut status = Value::Object(status);
    as_lua_returns(&mut status);
    set(&mut object, "status", status)?;
    Ok(object)
}

/// Karmada's training-job aggregation drops zeros, empty strings, `"0s"` and empty tables.
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
        Value::Number(n) => n.as_i64() == Some(0) || n.as_f64() == Some(0.0),
        Value::String(s) => s.is_empty() || s == "0s",
        Value::Object(map) => map.is_empty(),
        Value::Array(items) => items.is_empty(),
        Value::Bool(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(cluster: &str, conditions: Value) -> StatusItem {
        StatusItem {
            cluster_name: cluster.to_string(),
            status: Some(json!({ "conditions": conditions })),
            applied: true,
            applied_message: String::new(),
            health: None,
        }
    }

    fn cond(type_: &str, status: &str, time: &str) -> Value {
        json!({"type": type_, "status": status, "reason": format!("Member{type_}"),
               "message": "member wording", "lastUpdateTime": time, "lastTransitionTime": time})
    }

    fn aggregated_conditions(job: Job, items: &[StatusItem]) -> Value {
        let object = json!({"kind": job.name(), "status": {"old": true}});
        let object = aggregate_status(job, object, items).unwrap_or_default();
        object["status"]["conditions"].clone()
    }

    /// The rebuilt final conditions: who counts as failed or succeeded, and their wording.
    #[test]
    fn training_jobs_rebuild_their_final_conditions() {
        let t1 = "2025-01-01T01:00:00Z";
        let t2 = "2025-01-01T02:00:00Z";
        type Case = (&'static str, Job, Vec<StatusItem>, Value);
        let cases: Vec<Case> = vec![
            (
                "PyTorchJob: all succeeded, Karmada's wording, the latest success time",
                Job::PyTorch,
                vec![
                    item("a", json!([cond("Succeeded", "True", t2)])),
                    item("b", json!([cond("Succeeded", "True", t1)])),
                ],
                json!([{"type": "Succeeded", "status": "True", "reason": "PyTorchJobSucceeded",
                        "message": "PyTorchJob is successfully completed.",
                        "lastUpdateTime": t2, "lastTransitionTime": t2}]),
            ),
            (
                "PyTorchJob: the Running condition is reworded, its times kept",
                Job::PyTorch,
                vec![
                    item(
                        "a",
                        json!([cond("Running", "False", t1), cond("Succeeded", "True", t2)]),
                    ),
                    item("b", json!([cond("Running", "True", t1)])),
                ],
                json!([{"type": "Running", "status": "True", "reason": "PyTorchJobRunning",
                        "message": "PyTorchJob is running.",
                        "lastUpdateTime": t1, "lastTransitionTime": t1}]),
            ),
            (
                "TFJob: the last true final condition of a member decides (here Succeeded)",
                Job::Tf,
                vec![
                    item(
                        "a",
                        json!([cond("Failed", "True", t1), cond("Succeeded", "True", t2)]),
                    ),
                    item("b", json!([cond("Succeeded", "True", t2)])),
                ],
                json!([{"type": "Succeeded", "status": "True", "reason": "Completed",
                        "message": "TFJob completed successfully"}]),
            ),
            (
                "TFJob: a later Failed condition makes the member failed",
                Job::Tf,
                vec![
                    item(
                        "a",
                        json!([cond("Succeeded", "True", t1), cond("Failed", "True", t2)]),
                    ),
                    item("b", json!([cond("Succeeded", "True", t2)])),
                ],
                json!([{"type": "Failed", "status": "True", "reason": "TFJobFailed",
                        "message": "TFJob executed failed in member clusters: a"}]),
            ),
        ];
        for (name, job, items, want) in cases {
            assert_eq!(aggregated_conditions(job, &items), want, "{name}");
        }
    }

    /// MPIJob's script builds a new status: the old one's fields go, conditions without a
    /// time are not kept, and selectors are not folded.
    #[test]
    fn mpi_aggregation_replaces_the_status() {
        let t1 = "2025-01-01T01:00:00Z";
        let mut untimed = cond("Ready", "True", t1);
        if let Some(fields) = untimed.as_object_mut() {
            fields.remove("lastUpdateTime");
            fields.remove("lastTransitionTime");
        }
        let mut a = item("a", json!([cond("Created", "True", t1), untimed]));
        a.status = Some(json!({
            "conditions": a.status.as_ref().map(|s| s["conditions"].clone()),
            "replicaStatuses": {"Worker": {"active": 1, "selector": "job=x"}}
        }));
        let b = item("b", json!([]));
        let object = json!({"kind": "MPIJob", "status": {"old": true}});
        let object = aggregate_status(Job::Mpi, object, &[a, b]).unwrap_or_default();
        assert_eq!(
            object["status"],
            json!({
                "replicaStatuses": {"Worker": {"active": 1, "failed": 0, "succeeded": 0}},
                "conditions": [cond("Created", "True", t1)]
            })
        );
    }

    #[test]
    fn mpi_dependencies_come_from_every_replica_spec() {
        let job = json!({
            "kind": "MPIJob",
            "metadata": {"namespace": "ml"},
            "spec": {"mpiReplicaSpecs": {
                "Launcher": {"template": {"spec": {"serviceAccountName": "launcher"}}},
                "Worker": {"template": {"spec": {"containers": [
                    {"name": "w", "envFrom": [{"secretRef": {"name": "creds"}}]}
                ]}}}
            }}
        });
        let names: Vec<(String, String)> = interpret_dependency(Job::Mpi, &job)
            .into_iter()
            .map(|d| (d.kind, d.name))
            .collect();
        assert_eq!(
            names,
            [
                ("Secret".to_string(), "creds".to_string()),
                ("ServiceAccount".to_string(), "launcher".to_string())
            ]
        );
    }
}
