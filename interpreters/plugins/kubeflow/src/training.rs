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

fn condition_true(status: &Value, type_: &str) -> Option<Value> {
    status
        .get("conditions")
        .and_then(Value::as_array)?
        .iter()
        .find(|c| get_str(c, "type") == Some(type_) && get_str(c, "status") == Some("True"))
        .cloned()
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
        created |= condition_true(status, "Created").is_some();
        if let Some(c) = status
            .get("conditions")
            .and_then(Value::as_array)
            .and_then(|cs| cs.iter().find(|c| get_str(c, "type") == Some("Running")))
        {
            running = Some(c.clone());
        }
        if let Some(c) = condition_true(status, "Failed") {
            failed_clusters.push(item.cluster_name.clone());
            let time = get_str(&c, "lastTransitionTime").map(String::from);
            if time > failed_time {
                failed_time = time;
            }
        } else if condition_true(status, "Succeeded").is_some() {
            succeeded += 1;
        }
    }
    let all_succeeded = succeeded == items.len() && succeeded > 0;
    let mut conditions = Vec::new();
    if job == Job::PyTorch {
        if created {
            let start = times.start.clone();
            conditions.push(json!({
                "type": "Created",
                "status": "True",
                "reason": "PyTorchJobCreated",
                "message": "PyTorchJob is created.",
                "lastUpdateTime": start,
                "lastTransitionTime": start,
            }));
        }
        if let Some(mut c) = running {
            if !failed_clusters.is_empty() || all_succeeded {
                c["status"] = json!("False");
            }
            conditions.push(c);
        }
    }
    if !failed_clusters.is_empty() {
        let mut condition = json!({
            "type": "Failed",
            "status": "True",
            "reason": format!("{}Failed", job.name()),
            "message": format!(
                "{} executed failed in member clusters: {}",
                job.name(),
                failed_clusters.join(", ")
            ),
        });
        if job == Job::PyTorch {
            condition["lastUpdateTime"] = json!(failed_time);
            condition["lastTransitionTime"] = json!(failed_time);
        }
        conditions.push(condition);
    } else if all_succeeded {
        conditions.push(json!({
            "type": "Succeeded",
            "status": "True",
            "reason": "Completed",
            "message": format!("{} completed successfully", job.name()),
        }));
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
                if let Some(selector) = counts.get("selector") {
                    entry["selector"] = selector.clone();
                }
            }
        }
        for condition in status
            .get("conditions")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let type_ = get_str(condition, "type");
            let stamp = |c: &Value| {
                get_str(c, "lastUpdateTime")
                    .or_else(|| get_str(c, "lastTransitionTime"))
                    .unwrap_or("")
                    .to_string()
            };
            match conditions.iter_mut().find(|c| get_str(c, "type") == type_) {
                Some(kept) => {
                    if stamp(condition) > stamp(kept) {
                        *kept = condition.clone();
                    }
                }
                None => conditions.push(condition.clone()),
            }
        }
    }
    let mut status = status_map(&object);
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
