//! `RayJob`: the job's worst deployment and job status across members.
use fedplan_interpreter_sdk::prelude::*;

use crate::aggregation::{values, Member, Status};

/// Deployment statuses from best to worst; any other value ranks with `""`.
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

/// Several members (or none): the worst `jobDeploymentStatus` with that member's `reason`
/// and `message`, and the worst non-empty `jobStatus`; ties go to the earlier member, and
/// values the script does not rank count as the best. These four fields are written, so one
/// no member has goes; the rest of the status (`startTime`, `dashboardURL`, ...) stays.
pub fn fold_status(status: &mut Status, members: &[Member]) -> Result<(), PluginError> {
    let worst_deployment = worst(values(members, "jobDeploymentStatus"), DEPLOYMENT_ORDER);
    let worst_job = worst(
        values(members, "jobStatus").filter(|(_, v)| v.as_str() != Some("")),
        JOB_ORDER,
    );
    status.put("jobStatus", worst_job.map(|(_, v)| v.clone()));
    status.put(
        "jobDeploymentStatus",
        worst_deployment.map(|(_, v)| v.clone()),
    );
    for key in ["reason", "message"] {
        status.put(key, worst_deployment.and_then(|(m, _)| m.get(key)).cloned());
    }
    Ok(())
}

/// The first of the highest-ranked values.
fn worst<'a, 'm>(
    values: impl Iterator<Item = (&'a Member<'m>, &'a Value)>,
    order: &[&[&str]],
) -> Option<(&'a Member<'m>, &'a Value)> {
    let mut worst: Option<(usize, (&Member, &Value))> = None;
    for (member, value) in values {
        let r = rank(order, value.as_str().unwrap_or(""));
        if worst.is_none_or(|(w, _)| r > w) {
            worst = Some((r, (member, value)));
        }
    }
    worst.map(|(_, found)| found)
}
