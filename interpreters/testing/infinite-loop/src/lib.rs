//! Test fixture: InterpretReplica spins forever.
use fedplan_interpreter_sdk::prelude::*;

struct Spin;

impl Interpreter for Spin {
    fn manifest() -> Vec<Target> {
        vec![Target::new("testing.fedplan.io/v1", "Spin").with(&[Operation::InterpretReplica])]
    }

    fn interpret_replica(_: &Value) -> Result<ReplicaInterpretation, PluginError> {
        let mut counter = 0u64;
        loop {
            counter = std::hint::black_box(counter.wrapping_add(1));
        }
    }
}

export_plugin!(Spin);
