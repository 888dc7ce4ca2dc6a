//! `RayJob`: the job's worst deployment and job status across members.
use fedplan_interpreter_sdk::prelude::*;

/// Deployment statuses from best to worst.
const DEPLOYMENT_ORDER: &[&[&str]] = &[
    &[""],
    &["Initializing"],
    &["Waiting"],
    &["Suspending", "Suspended"],
    &["Retrying"],
    &["Running"],
    &["Complete"],
    &["ValidationFailed"],
    &["Failed"],
];

/// Job statuses from best to worst.
const JOB_ORDER: &[&[&str]] = &[
    &[""],
    &["PENDING"],
    &["RUNNING"],
    &["SUCCEEDED"],
    &["STOPPED"],
    &["FAILED"],
];

fn rank(order: &[&[&str]], value: &str) -> usize {
    order
        .iter()
        .position(|level| level.contains(&value))
        .unwrap_or(0)
}

pub fn interpret_health(job: &Value) -> bool {
    match get_str(job, "status.jobDeploymentStatus") {
        Some("Running") => true,
        Some("Complete") => get_str(job, "status.jobStatus") == Some("SUCCEEDED"),
        _ => false,
    }
}

pub fn aggregate_status(mut job: Value, items: &[StatusItem]) -> Result<Value, PluginError> {
    if items.is_empty() {
        return Ok(job);
    }
    crate::remove(&mut job, "spec");
    let statuses: Vec<&Value> = items.iter().filter_map(|i| i.status.as_ref()).collect();
    let mut status = Map::new();
    let worst_deployment = statuses.iter().fold(None::<(usize, &Value)>, |worst, s| {
        let r = rank(
            DEPLOYMENT_ORDER,
            get_str(s, "jobDeploymentStatus").unwrap_or(""),
        );
        match worst {
            Some((w, _)) if w >= r => worst,
            _ => Some((r, s)),
        }
    });
    if let Some((_, member)) = worst_deployment {
        for key in ["jobDeploymentStatus", "reason", "message"] {
            if let Some(value) = member.get(key).filter(|v| !v.is_null()) {
                status.insert(key.into(), value.clone());
            }
        }
    }
    let worst_job = statuses
        .iter()
        .filter_map(|s| get_str(s, "jobStatus"))
        .fold(None::<&str>, |worst, s| match worst {
            Some(w) if rank(JOB_ORDER, w) >= rank(JOB_ORDER, s) => worst,
            _ => Some(s),
        });
    if let Some(job_status) = worst_job {
        status.insert("jobStatus".into(), json!(job_status));
    }
    let mut status = Value::Object(status);
    prune_empty_tables(&mut status);
    set(&mut job, "status", status)?;
    Ok(job)
}
