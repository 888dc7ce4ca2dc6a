//! Kubeflow `Notebook`, `PyTorchJob`, `TFJob` (`kubeflow.org/v1`) and `MPIJob`
//! (`kubeflow.org/v2beta1`): Karmada's built-in customizations as one plugin.
use fedplan_interpreter_sdk::prelude::*;

mod notebook;
mod training;

struct Kubeflow;

impl Interpreter for Kubeflow {
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
            // Every kind folds the members into the status the object has (keeping the
            // fields it does not fold, or all of it without members); no kind reads the spec.
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
