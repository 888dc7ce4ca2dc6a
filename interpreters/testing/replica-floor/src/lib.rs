//! Bench fixture: the least an InterpretReplica plugin written with the SDK can do.
//!
//! It asks for the same fields as the example plugin `training-job`, so the host sends it the
//! same object and the SDK parses the same JSON; then it reads the worker replicas and
//! computes no requirements. `benches/wasm_host.rs` runs it beside the example: the
//! difference is what computing the requirements costs, and this call is the floor of an
//! InterpretReplica on that object (fresh instance, projection, parse, result).
use fedplan_interpreter_sdk::prelude::*;

struct ReplicaFloor;

const WORKER_REPLICAS: &str = "spec.replicaSpecs.Worker.replicas";

impl Interpreter for ReplicaFloor {
    fn manifest() -> Vec<Target> {
        vec![Target::new("training.example.io/v1", "TrainingJob")
            .with(&[Operation::InterpretReplica])]
    }

    fn fields(operation: Operation) -> Option<Fields> {
        (operation == Operation::InterpretReplica).then(|| {
            Fields::new()
                .with("metadata.namespace")
                .with(WORKER_REPLICAS)
                .with_under("spec.replicaSpecs.Worker.template", POD_REQUIREMENTS_FIELDS)
        })
    }

    fn interpret_replica(job: &Value) -> Result<ReplicaInterpretation, PluginError> {
        Ok(ReplicaInterpretation {
            replicas: get_replicas(job, WORKER_REPLICAS, 1)?,
            requirements: None,
        })
    }
}

export_plugin!(ReplicaFloor);
