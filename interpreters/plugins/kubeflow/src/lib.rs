//! Kubeflow `Notebook`, `PyTorchJob`, `TFJob` (`kubeflow.org/v1`) and `MPIJob`
//! (`kubeflow.org/v2beta1`): Karmada's built-in customizations as one plugin.
use fedplan_interpreter_sdk::prelude::*;

mod notebook;
mod training;

struct Kubeflow;

impl Interpreter for Kubeflow {
    /// A port of Karmada's Lua customization: values arrive as the script sees them.
    const VALUES_THROUGH_LUA: bool = true;

    fn manifest() -> Vec<Target> {
        use Operation::*;
        vec![
            Target::new("kubeflow.org/v1", "Notebook").with(&[
                InterpretReplica,
                InterpretHealth,
                AggregateStatus,
                InterpretStatus,
            ]),
            Target::new("kubeflow.org/v1", "PyTorchJob").with(&[
                InterpretComponent,
                AggregateStatus,
                InterpretHealth,
                InterpretDependency,
            ]),
            Target::new("kubeflow.org/v1", "TFJob").with(&[
                InterpretComponent,
                AggregateStatus,
                InterpretHealth,
                InterpretDependency,
            ]),
            Target::new("kubeflow.org/v2beta1", "MPIJob").with(&[
                InterpretHealth,
                InterpretComponent,
                AggregateStatus,
                InterpretStatus,
                InterpretDependency,
            ]),
        ]
    }

    /// What the reading operations look at, for every kind (each call first reads `kind`);
    /// the host sends only these.
    fn fields(operation: Operation) -> Option<Fields> {
        let fields = Fields::new().with("kind");
        match operation {
            Operation::InterpretReplica => {
                Some(fields.with_under("spec.template", POD_REQUIREMENTS_FIELDS))
            }
            Operation::InterpretHealth => {
                Some(fields.with_under("status", &["containerState", "conditions"]))
            }
            Operation::InterpretStatus => Some(fields.with_under(
                "status",
                &[
                    "readyReplicas",
                    "containerState",
                    "conditions",
                    "replicaStatuses",
                    "startTime",
                    "completionTime",
                    "lastReconcileTime",
                ],
            )),
            Operation::InterpretComponent => Some(training::role_fields(
                fields.with("metadata.namespace"),
                &["replicas"],
                POD_REQUIREMENTS_FIELDS,
            )),
            Operation::InterpretDependency => Some(training::role_fields(
                fields.with("metadata.namespace"),
                &[],
                POD_DEPENDENCIES_FIELDS,
            )),
            // Notebook, PyTorchJob and TFJob fold the members into the status the object has
            // (keeping the fields they do not fold); MPIJob keeps it only without members; no
            // kind reads the spec.
            Operation::AggregateStatus => Some(fields.with("status")),
            _ => None,
        }
    }

    fn interpret_replica(object: &Value) -> Result<ReplicaInterpretation, PluginError> {
        match kind(object)? {
            Kind::Notebook => notebook::interpret_replica(object),
            other => Err(unsupported(other, "InterpretReplica")),
        }
    }

    fn aggregate_status(object: Value, items: &[StatusItem]) -> Result<Value, PluginError> {
        match kind(&object)? {
            Kind::Notebook => notebook::aggregate_status(object, items),
            Kind::Training(job) => training::aggregate_status(job, object, items),
        }
    }

    fn interpret_status(object: &Value) -> Result<Option<Value>, PluginError> {
        match kind(object)? {
            Kind::Notebook => notebook::interpret_status(object),
            Kind::Training(training::Job::Mpi) => training::interpret_mpi_status(object),
            other => Err(unsupported(other, "InterpretStatus")),
        }
    }

    fn interpret_health(object: &Value) -> Result<bool, PluginError> {
        match kind(object)? {
            Kind::Notebook => Ok(notebook::interpret_health(object)),
            Kind::Training(job) => Ok(training::interpret_health(job, object)),
        }
    }

    fn interpret_dependency(object: &Value) -> Result<Vec<DependentObjectReference>, PluginError> {
        match kind(object)? {
            Kind::Training(job) => Ok(training::interpret_dependency(job, object)),
            other => Err(unsupported(other, "InterpretDependency")),
        }
    }

    fn interpret_component(object: &Value) -> Result<Vec<Component>, PluginError> {
        match kind(object)? {
            Kind::Training(job) => training::interpret_component(job, object),
            other => Err(unsupported(other, "InterpretComponent")),
        }
    }
}

/// The kinds this plugin knows.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Notebook,
    Training(training::Job),
}

fn kind(object: &Value) -> Result<Kind, PluginError> {
    match get_str(object, "kind") {
        Some("Notebook") => Ok(Kind::Notebook),
        Some("PyTorchJob") => Ok(Kind::Training(training::Job::PyTorch)),
        Some("TFJob") => Ok(Kind::Training(training::Job::Tf)),
        Some("MPIJob") => Ok(Kind::Training(training::Job::Mpi)),
        other => Err(PluginError::at(
            "kind",
            format!(
                "{} is not a Kubeflow kind this plugin interprets",
                other.unwrap_or("(none)")
            ),
        )),
    }
}

fn unsupported(kind: Kind, operation: &str) -> PluginError {
    let name = match kind {
        Kind::Notebook => "Notebook",
        Kind::Training(job) => job.name(),
    };
    PluginError::new(format!("{operation} is not implemented for {name}"))
}

/// Removes a field, used where Karmada's script assigns `nil`.
pub(crate) fn remove(object: &mut Value, key: &str) {
    if let Some(map) = object.as_object_mut() {
        map.remove(key);
    }
}

export_plugin!(Kubeflow);

#[cfg(test)]
mod tests {
    use super::*;

    fn pod_template(image: &str, cpu: &str, gpus: i64) -> Value {
        json!({
            "metadata": {"annotations": {"sidecar.istio.io/inject": "false"}},
            "spec": {
                "serviceAccountName": "trainer",
                "containers": [{
                    "name": "main",
                    "image": image,
                    "envFrom": [{"configMapRef": {"name": "training-env"}}],
                    "resources": {"limits": {"cpu": cpu, "memory": "8Gi", "nvidia.com/gpu": gpus}}
                }],
                "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": "datasets"}}]
            }
        })
    }

    fn object(api_version: &str, kind: &str, spec: Value, status: Option<Value>) -> Value {
        let mut object = json!({
            "apiVersion": api_version,
            "kind": kind,
            "metadata": {"name": "mnist", "namespace": "ml", "generation": 2},
            "spec": spec
        });
        if let Some(status) = status {
            object["status"] = status;
        }
        object
    }

    fn condition(type_: &str, status: &str, time: &str) -> Value {
        json!({
            "type": type_,
            "status": status,
            "reason": format!("Job{type_}"),
            "message": format!("job is {type_}"),
            "lastUpdateTime": time,
            "lastTransitionTime": time
        })
    }

    /// A training job member: its start, last reconcile and completion times, counters per
    /// role, and conditions.
    fn training_member(roles: &[&str], conditions: &[(&str, &str)], hour: u32) -> Value {
        let time = format!("2024-05-01T{hour:02}:00:00Z");
        let counts: Map<String, Value> = roles
            .iter()
            .map(|role| {
                (
                    role.to_string(),
                    json!({"active": 1, "succeeded": 1, "failed": 0}),
                )
            })
            .collect();
        let conditions: Vec<Value> = conditions
            .iter()
            .map(|(type_, status)| condition(type_, status, &time))
            .collect();
        json!({
            "startTime": time,
            "lastReconcileTime": time,
            "completionTime": time,
            "replicaStatuses": counts,
            "conditions": conditions
        })
    }

    fn check(object: &Value, member_sets: &[Vec<Value>]) {
        for statuses in member_sets {
            assert_eq!(
                fields_suffice::<Kubeflow>(object, statuses),
                Ok(()),
                "{} with {} members",
                object["kind"],
                statuses.len()
            );
        }
    }

    /// Each kind's object carries a spec the aggregation must not need and an earlier
    /// aggregated status (with a field no member reports) it builds on.
    #[test]
    fn declared_fields_suffice() {
        let old_status = |mut status: Value| {
            status["notReported"] = json!({"kept": true});
            Some(status)
        };

        let notebook_spec = json!({"template": pod_template("jupyter/scipy-notebook", "1", 0)});
        let running = json!({
            "readyReplicas": 1,
            "containerState": {"running": {"startedAt": "2024-05-01T10:00:00Z"}},
            "conditions": [condition("Running", "True", "2024-05-01T10:00:00Z")]
        });
        let waiting = json!({
            "readyReplicas": 0,
            "containerState": {"waiting": {"reason": "ImagePullBackOff"}},
            "conditions": []
        });
        let unscheduled = json!({"readyReplicas": 0, "containerState": {}});
        let notebook_members = [
            vec![],
            vec![running.clone()],
            vec![running.clone(), running.clone()],
            vec![running.clone(), waiting.clone(), running.clone()],
            vec![unscheduled, running.clone()],
        ];
        for status in [None, old_status(running.clone())] {
            let notebook = object("kubeflow.org/v1", "Notebook", notebook_spec.clone(), status);
            check(&notebook, &notebook_members);
        }

        for (kind, specs_field, roles) in [
            (
                "PyTorchJob",
                "pytorchReplicaSpecs",
                &["Master", "Worker"][..],
            ),
            ("TFJob", "tfReplicaSpecs", &["PS", "Worker", "Chief"][..]),
        ] {
            let specs: Map<String, Value> = roles
                .iter()
                .map(|role| {
                    let spec = json!({
                        "replicas": 2,
                        "restartPolicy": "OnFailure",
                        "template": pod_template("kubeflow/mnist", "4", 1)
                    });
                    (role.to_string(), spec)
                })
                .collect();
            let spec = json!({ "runPolicy": {"cleanPodPolicy": "None"}, specs_field: specs });
            let created = training_member(roles, &[("Created", "True"), ("Running", "True")], 9);
            let succeeded = training_member(
                roles,
                &[
                    ("Created", "True"),
                    ("Running", "False"),
                    ("Succeeded", "True"),
                ],
                11,
            );
            let failed = training_member(
                roles,
                &[
                    ("Created", "True"),
                    ("Running", "False"),
                    ("Failed", "True"),
                ],
                10,
            );
            let members = [
                vec![],
                vec![created.clone()],
                vec![succeeded.clone(), succeeded.clone()],
                vec![created.clone(), failed.clone(), succeeded.clone()],
                vec![json!({}), created.clone()],
            ];
            for status in [None, old_status(created.clone())] {
                let job = object("kubeflow.org/v1", kind, spec.clone(), status);
                check(&job, &members);
            }
        }

        let mpi_spec = json!({
            "slotsPerWorker": 1,
            "runPolicy": {"cleanPodPolicy": "Running"},
            "mpiReplicaSpecs": {
                "Launcher": {"replicas": 1, "template": pod_template("mpioperator/pi", "1", 0)},
                "Worker": {"replicas": 2, "template": pod_template("mpioperator/pi", "2", 0)}
            }
        });
        let mut launching = training_member(&["Launcher", "Worker"], &[("Created", "True")], 9);
        launching["replicaStatuses"]["Worker"]["selector"] =
            json!("training.kubeflow.org/job-name=mnist");
        let mpi_running = training_member(
            &["Launcher", "Worker"],
            &[("Created", "True"), ("Running", "True")],
            10,
        );
        let mpi_failed = training_member(&["Worker"], &[("Failed", "True")], 11);
        let mpi_members = [
            vec![],
            vec![mpi_running.clone()],
            vec![launching.clone(), mpi_running.clone()],
            vec![mpi_running.clone(), mpi_failed.clone(), launching.clone()],
        ];
        for status in [None, old_status(mpi_running.clone())] {
            let job = object("kubeflow.org/v2beta1", "MPIJob", mpi_spec.clone(), status);
            check(&job, &mpi_members);
        }
    }
}
