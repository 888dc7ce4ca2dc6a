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
    // The script reflects a notebook without status as an empty table.
    let Some(status) = get(notebook, "status").filter(|s| !s.is_null()) else {
        return Ok(Some(Value::Object(Map::new())));
    };
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

/// Ready replicas add up; the status is rebuilt from the members (the template's own status
/// is replaced). A member whose container state is missing, empty, waiting or terminated
/// failed; the state shown is then the last failing member's (`waiting: Unschedulable` for a
/// missing one). Otherwise the state shown is `running` with the latest `startedAt` of the
/// running members (compared as text, as the script does).
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
    let mut shown_state: Option<Value> = None;
    let mut latest_start: Option<String> = None;
    let mut running = 0usize;
    for item in items {
        let Some(status) = item.status.as_ref().filter(|s| !s.is_null()) else {
            continue;
        };
        ready += status
            .get("readyReplicas")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        let state = status
            .get("containerState")
            .filter(|s| s.as_object().is_some_and(|m| !m.is_empty()));
        let failed =
            state.is_none_or(|s| s.get("terminated").is_some() || s.get("waiting").is_some());
        if failed {
            failed_clusters.push(item.cluster_name.clone());
            shown_state = Some(
                state
                    .cloned()
                    .unwrap_or_else(|| json!({"waiting": {"reason": "Unschedulable"}})),
            );
            continue;
        }
        let Some(started) = state.and_then(|s| s.get("running")) else {
            continue;
        };
        if !failed_clusters.is_empty() {
            continue;
        }
        running += 1;
        let started_at = started.get("startedAt").and_then(Value::as_str);
        let later = started_at.is_some_and(|at| latest_start.as_deref().is_none_or(|l| at > l));
        if shown_state.is_none() || later {
            let mut shown = Map::new();
            if let Some(at) = started_at {
                shown.insert("startedAt".into(), json!(at));
            }
            shown_state = Some(json!({ "running": shown }));
            latest_start = started_at.map(String::from);
        }
    }
    let mut status = Map::new();
    status.insert("readyReplicas".into(), json!(ready));
    if let Some(state) = shown_state {
        status.insert("containerState".into(), state);
    }
    let mut conditions = Vec::new();
    if !failed_clusters.is_empty() {
        conditions.push(json!({
            "type": "Failed",
            "status": "True",
            "reason": "NotebookFailed",
            "message": format!(
                "Notebook executed failed in member clusters: {}",
                failed_clusters.join(", ")
            ),
        }));
    }
    if running == items.len() {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn item(cluster: &str, status: Option<Value>) -> StatusItem {
        StatusItem {
            cluster_name: cluster.into(),
            status,
            applied: true,
            applied_message: String::new(),
            health: None,
        }
    }

    fn running(at: &str) -> Option<Value> {
        Some(json!({"readyReplicas": 1, "containerState": {"running": {"startedAt": at, "x": 1}}}))
    }

    /// The state shown and the conditions, by member states.
    #[test]
    fn aggregated_state_follows_the_script() {
        let notebook = json!({"kind": "Notebook", "status": {"stale": true}});
        let cases = [
            (
                vec![
                    item("a", running("2025-10-09T06:00:00Z")),
                    item("b", running("2025-10-09T08:00:00Z")),
                    item("c", running("2025-10-09T07:00:00Z")),
                ],
                json!({"readyReplicas": 3,
                    "containerState": {"running": {"startedAt": "2025-10-09T08:00:00Z"}},
                    "conditions": [{"type": "Ready", "status": "True", "reason": "Ready",
                        "message": "All notebooks are ready"}]}),
            ),
            // A member without status is skipped, so not every member runs: no condition.
            (
                vec![item("a", running("2025-10-09T06:00:00Z")), item("b", None)],
                json!({"readyReplicas": 1,
                    "containerState": {"running": {"startedAt": "2025-10-09T06:00:00Z"}}}),
            ),
            (
                vec![
                    item("a", running("2025-10-09T06:00:00Z")),
                    item("b", Some(json!({"containerState": {}}))),
                ],
                json!({"readyReplicas": 1,
                    "containerState": {"waiting": {"reason": "Unschedulable"}},
                    "conditions": [{"type": "Failed", "status": "True", "reason": "NotebookFailed",
                        "message": "Notebook executed failed in member clusters: b"}]}),
            ),
        ];
        for (items, want) in cases {
            let out = aggregate_status(notebook.clone(), &items).unwrap();
            assert_eq!(out["status"], want);
        }
    }

    #[test]
    fn reflected_status_of_a_notebook_without_status_is_empty() {
        let cases = [
            (json!({"kind": "Notebook"}), json!({})),
            (
                json!({"kind": "Notebook", "status": {}}),
                json!({"readyReplicas": 0}),
            ),
        ];
        for (notebook, want) in cases {
            assert_eq!(interpret_status(&notebook).unwrap(), Some(want));
        }
    }
}
