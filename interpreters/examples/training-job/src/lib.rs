//! Example plugin: `training.example.io/v1` `TrainingJob`, a PyTorchJob-like kind whose
//! `spec.replicaSpecs` maps a role (`Master`, `Worker`) to `{replicas, template}`.
use fedplan_interpreter_sdk::prelude::*;

struct TrainingJob;

const STATUS_FIELDS: &[&str] = &["active", "succeeded", "failed"];

/// The scheduled replicas and their pod template.
const WORKER_REPLICAS: &str = "spec.replicaSpecs.Worker.replicas";
const WORKER_TEMPLATE: &str = "spec.replicaSpecs.Worker.template";

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

    /// Only the fields each operation uses are sent: a call on a large job costs what its
    /// worker template's resources and scheduling constraints cost.
    fn fields(operation: Operation) -> Option<Fields> {
        let fields = Fields::new().with("metadata.namespace");
        match operation {
            Operation::InterpretReplica => Some(
                fields
                    .with(WORKER_REPLICAS)
                    .with_under(WORKER_TEMPLATE, POD_REQUIREMENTS_FIELDS),
            ),
            Operation::InterpretDependency => {
                Some(fields.with_under(WORKER_TEMPLATE, POD_DEPENDENCIES_FIELDS))
            }
            Operation::InterpretHealth => Some(Fields::new().with("status.conditions")),
            // The status comes from the members alone, and the host keeps only the status
            // of the job this returns: nothing of the job needs to be sent.
            Operation::AggregateStatus => Some(Fields::new()),
            _ => None,
        }
    }

    fn status_fields() -> Option<Fields> {
        Some(
            Fields::new()
                .with_under("", STATUS_FIELDS)
                .with_under("conditions", &["type", "status"]),
        )
    }

    /// Workers are the scheduled replicas; each needs what the worker pod template asks for.
    fn interpret_replica(job: &Value) -> Result<ReplicaInterpretation, PluginError> {
        let replicas = get_replicas(job, WORKER_REPLICAS, 1)?;
        let template = get(job, WORKER_TEMPLATE).unwrap_or(&Value::Null);
        let requirements = pod_requirements(template, namespace_of(job))?;
        log(Level::Debug, &format!("{replicas} workers"));
        Ok(ReplicaInterpretation {
            replicas,
            requirements,
        })
    }

    fn revise_replica(mut job: Value, replicas: i64) -> Result<Value, PluginError> {
        set(&mut job, WORKER_REPLICAS, json!(replicas))?;
        Ok(job)
    }

    /// Sums the members' replica counters; the job has failed if any member's has (its
    /// `Failed` condition is true).
    fn aggregate_status(mut job: Value, items: &[StatusItem]) -> Result<Value, PluginError> {
        let mut status = sum_status_fields(items, STATUS_FIELDS);
        let failed = items
            .iter()
            .filter_map(|i| i.status.as_ref()?.get("conditions"))
            .any(|conditions| condition_is_true(conditions, "Failed"));
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
        let template = get(job, WORKER_TEMPLATE).unwrap_or(&Value::Null);
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

    /// A job with two full pod templates, failed conditions and members that failed.
    fn full_job() -> Value {
        let template = json!({"metadata": {"labels": {"app": "x"}}, "spec": {
            "nodeSelector": {"gpu": "a100"},
            "tolerations": [{"key": "gpu", "operator": "Exists"}],
            "affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
                {"matchExpressions": [{"key": "t", "operator": "In", "values": ["p4d"]}]}]}}},
            "initContainers": [{"name": "i", "resources": {"requests": {"cpu": "100m"}}}],
            "containers": [{"name": "w", "image": "trainer", "command": ["python3"],
                "env": [{"name": "K", "valueFrom": {"secretKeyRef": {"name": "key", "key": "k"}}}],
                "resources": {"requests": {"cpu": "8", "memory": "32Gi"}, "limits": {"nvidia.com/gpu": "1"}}}],
            "volumes": [{"name": "d", "persistentVolumeClaim": {"claimName": "data"}}],
            "serviceAccountName": "trainer"
        }});
        json!({"apiVersion": "training.example.io/v1", "kind": "TrainingJob",
            "metadata": {"name": "mnist", "namespace": "ml", "labels": {"team": "ml"}},
            "spec": {"runPolicy": {"backoffLimit": 3}, "replicaSpecs": {
                "Master": {"replicas": 1, "template": template.clone()},
                "Worker": {"replicas": 8, "template": template}}},
            "status": {"conditions": [{"type": "Failed", "status": "True"}]}})
    }

    #[test]
    fn declared_fields_are_all_the_operations_read() {
        let statuses = [
            json!({"active": 1, "succeeded": 2, "failed": 0, "startTime": "t",
                "conditions": [{"type": "Running", "status": "True"}]}),
            json!({"active": 0, "failed": 1, "conditions": [{"type": "Failed", "status": "True"}]}),
        ];
        fields_suffice::<TrainingJob>(&full_job(), &statuses).unwrap();
        fields_suffice::<TrainingJob>(&job(), &statuses[..1]).unwrap();
    }

    #[test]
    fn a_failed_member_fails_the_job() {
        let member = |failed: &str| StatusItem {
            cluster_name: "m".into(),
            status: Some(
                json!({"active": 1, "conditions": [{"type": "Failed", "status": failed}]}),
            ),
            applied: true,
            applied_message: String::new(),
            health: None,
        };
        let phase = |items: &[StatusItem]| {
            TrainingJob::aggregate_status(job(), items).unwrap()["status"]["phase"].clone()
        };
        assert_eq!(phase(&[member("False")]), json!("Running"));
        assert_eq!(phase(&[member("False"), member("True")]), json!("Failed"));
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
