//! Example plugin: `training.example.io/v1` `TrainingJob`, a PyTorchJob-like kind whose
//! `spec.replicaSpecs` maps a role (`Master`, `Worker`) to `{replicas, template}`.
use fedplan_interpreter_sdk::prelude::*;

struct TrainingJob;

const STATUS_FIELDS: &[&str] = &["active", "succeeded", "failed"];

impl Interpreter for TrainingJob {
    fn manifest() -> Vec<Target> {
        use Operation::*;
        let ops = [
            InterpretReplica,
            ReviseReplica,
            AggregateStatus,
            InterpretHealth,
            InterpretDependency,
        ];
        vec![Target::new("training.example.io/v1", "TrainingJob").with(&ops)]
    }

    /// Workers are the scheduled replicas; each needs what the worker pod template asks for.
    fn interpret_replica(job: &Value) -> Result<ReplicaInterpretation, PluginError> {
        let replicas = get_replicas(job, "spec.replicaSpecs.Worker.replicas", 1)?;
        let template = get(job, "spec.replicaSpecs.Worker.template").unwrap_or(&Value::Null);
        let requirements = pod_requirements(template, namespace_of(job))?;
        log(Level::Debug, &format!("{replicas} workers"));
        Ok(ReplicaInterpretation {
            replicas,
            requirements,
        })
    }

    fn revise_replica(mut job: Value, replicas: i64) -> Result<Value, PluginError> {
        set(
            &mut job,
            "spec.replicaSpecs.Worker.replicas",
            json!(replicas),
        )?;
        Ok(job)
    }

    /// Sums the members' replica counters; the job has failed if any member's has.
    fn aggregate_status(mut job: Value, items: &[StatusItem]) -> Result<Value, PluginError> {
        let mut status = sum_status_fields(items, STATUS_FIELDS);
        let failed = items
            .iter()
            .filter_map(|i| i.status.as_ref())
            .any(|s| condition_is_true(s, "Failed"));
        status.insert(
            "phase".into(),
            json!(if failed { "Failed" } else { "Running" }),
        );
        set(&mut job, "status", Value::Object(status))?;
        Ok(job)
    }

    fn interpret_health(job: &Value) -> Result<bool, PluginError> {
        Ok(!condition_is_true(job, "Failed"))
    }

    /// What the worker pods use (ConfigMaps, Secrets, PVCs, service account).
    fn interpret_dependency(job: &Value) -> Result<Vec<DependentObjectReference>, PluginError> {
        let template = get(job, "spec.replicaSpecs.Worker.template").unwrap_or(&Value::Null);
        Ok(pod_dependencies(template, namespace_of(job)))
    }
}

export_plugin!(TrainingJob);

#[cfg(test)]
mod tests {
    use super::*;

    fn job() -> Value {
        json!({"apiVersion": "training.example.io/v1", "kind": "TrainingJob",
            "metadata": {"name": "mnist", "namespace": "ml"},
            "spec": {"replicaSpecs": {"Worker": {"replicas": 2, "template": {"spec": {
                "containers": [{"name": "w", "resources": {"limits": {"cpu": "2", "memory": "1Gi"}}}]}}}}}})
    }

    #[test]
    fn workers_are_the_replicas() {
        let got = TrainingJob::interpret_replica(&job()).unwrap();
        assert_eq!(got.replicas, 2);
        let request = got.requirements.unwrap().resource_request;
        assert_eq!(
            request,
            vec![
                ("cpu".into(), "2".into()),
                ("memory".into(), "1073741824".into())
            ]
        );
    }

    #[test]
    fn status_sums_the_members() {
        let item = |active| StatusItem {
            cluster_name: "m".into(),
            status: Some(json!({"active": active})),
            applied: true,
            applied_message: String::new(),
            health: None,
        };
        let got = TrainingJob::aggregate_status(job(), &[item(1), item(2)]).unwrap();
        assert_eq!(
            got["status"],
            json!({"active": 3, "succeeded": 0, "failed": 0, "phase": "Running"})
        );
    }
}
