//! Test fixture: InterpretReplica allocates until the host refuses memory.
use fedplan_interpreter_sdk::prelude::*;

struct Bomb;

impl Interpreter for Bomb {
    fn manifest() -> Vec<Target> {
        vec![Target::new("testing.fedplan.io/v1", "Bomb").with(&[Operation::InterpretReplica])]
    }

    fn interpret_replica(_: &Value) -> Result<ReplicaInterpretation, PluginError> {
        let mut hoard: Vec<Vec<u8>> = Vec::new();
        loop {
            hoard.push(std::hint::black_box(vec![1u8; 1 << 20]));
            if hoard.len() == usize::MAX {
                return Ok(ReplicaInterpretation {
                    replicas: 0,
                    requirements: None,
                });
            }
        }
    }
}

export_plugin!(Bomb);
