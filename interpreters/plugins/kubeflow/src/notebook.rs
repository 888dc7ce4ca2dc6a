//! `Notebook`: one pod whose container state is the notebook's health.
use fedplan_interpreter_sdk::prelude::*;

const FAILED_TERMINATION: &[&str] = &["Error", "OOMKilled", "ContainerCannotRun"];

pub fn interpret_replica(notebook: &Value) -> Result<ReplicaInterpretation, PluginError> {
    let template = get(notebook, "spec.template").unwrap_or(&Value::Null);
    Ok(ReplicaInterpretation {
        replicas: 1,
        requirements: pod_requirements(template, "")?,
    })
}

pub fn interpret_health(notebook: &Value) -> bool {
    let state = get(notebook, "status.containerState").unwrap_or(&Value::Null);
    if state.get("running").is_some() {
        return true;
    }
    if let Some(waiting) = state.get("waiting") {
        return get_str(waiting, "reason") == Some("ContainerCreating");
    }
    if let Some(terminated) = state.get("terminated") {
        let reason = get_str(terminated, "reason").unwrap_or("");
        let exit_code = terminated
            .get("exitCode")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        return !FAILED_TERMINATION.contains(&reason) && exit_code == 0;
    }
    false
}

pub fn interpret_status(notebook: &Value) -> Result<Option<Value>, PluginError> {
    let status = get(notebook, "status").unwrap_or(&Value::Null);
    let mut reflected = Map::new();
    let ready = status.get("readyReplicas").cloned().unwrap_or(json!(0));
    reflected.insert("readyReplicas".into(), ready);
    for key in ["containerState", "conditions"] {
        if let Some(value) = status.get(key).filter(|v| !v.is_null()) {
            reflected.insert(key.into(), value.clone());
        }
    }
    let mut reflected = Value::Object(reflected);
    as_lua_returns(&mut reflected);
    Ok(Some(reflected))
}

/// Ready replicas add up; the container state shown is a failing member's when there is one
/// (the notebook failed somewhere), else a running member's.
pub fn aggregate_status(mut notebook: Value, items: &[StatusItem]) -> Result<Value, PluginError> {
    match items {
        [] => return Ok(notebook),
        [only] => {
            match &only.status {
                Some(status) => set(&mut notebook, "status", status.clone())?,
                None => crate::remove(&mut notebook, "status"),
            }
            return Ok(notebook);
        }
        _ => {}
    }
    let mut ready = 0i64;
    let mut failed_clusters = Vec::new();
    let mut failed_state = None;
    let mut running_state = None;
    let mut running = 0usize;
    for item in items {
        let status = item.status.as_ref().unwrap_or(&Value::Null);
        ready += status
            .get("readyReplicas")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        let state = status
            .get("containerState")
            .filter(|s| s.as_object().is_some_and(|m| !m.is_empty()));
        match state {
            Some(state) if state.get("running").is_some() => {
                if failed_clusters.is_empty() {
                    running += 1;
                    running_state = Some(state.clone());
                }
            }
            Some(state) => {
                failed_clusters.push(item.cluster_name.clone());
                failed_state = Some(state.clone());
            }
            None => {
                failed_clusters.push(item.cluster_name.clone());
                failed_state = Some(json!({"waiting": {"reason": "Unschedulable"}}));
            }
        }
    }
    let mut status = get(&notebook, "status")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    status.insert("readyReplicas".into(), json!(ready));
    let mut conditions = Vec::new();
    if !failed_clusters.is_empty() {
        if let Some(state) = failed_state {
            status.insert("containerState".into(), state);
        }
        conditions.push(json!({
            "type": "Failed",
            "status": "True",
            "reason": "NotebookFailed",
            "message": format!(
                "Notebook executed failed in member clusters: {}",
                failed_clusters.join(", ")
            ),
        }));
    } else if running == items.len() {
        if let Some(state) = running_state {
            status.insert("containerState".into(), state);
        }
        conditions.push(json!({
            "type": "Ready",
            "status": "True",
            "reason": "Ready",
            "message": "All notebooks are ready",
        }));
    }
    status.insert("conditions".into(), Value::Array(conditions));
    let mut status = Value::Object(status);
    as_lua_returns(&mut status);
    set(&mut notebook, "status", status)?;
    Ok(notebook)
}
