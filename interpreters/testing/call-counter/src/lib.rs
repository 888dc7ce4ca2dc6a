//! Test fixture: counts calls in a global. With a fresh instance per call, every call sees 1.
use std::sync::atomic::{AtomicI32, Ordering};

use fedplan_interpreter_sdk::prelude::*;

static CALLS: AtomicI32 = AtomicI32::new(0);

struct Counter;

impl Interpreter for Counter {
    fn manifest() -> Vec<Target> {
        vec![Target::new("testing.fedplan.io/v1", "Counter")
            .with(&[Operation::InterpretReplica, Operation::InterpretStatus])]
    }

    /// Replicas = calls seen by this instance; echoes `spec.replicas` into the log.
    fn interpret_replica(object: &Value) -> Result<ReplicaInterpretation, PluginError> {
        let calls = CALLS.fetch_add(1, Ordering::SeqCst) + 1;
        log(Level::Info, &format!("call {calls}"));
        let asked = get_replicas(object, "spec.replicas", 0)?;
        log(Level::Debug, &format!("spec.replicas={asked}"));
        Ok(ReplicaInterpretation {
            replicas: calls,
            requirements: None,
        })
    }

    /// Reflects `{calls, replicas}`; floods the log when `spec.flood` is set.
    fn interpret_status(object: &Value) -> Result<Option<Value>, PluginError> {
        let calls = CALLS.fetch_add(1, Ordering::SeqCst) + 1;
        if get(object, "spec.flood").is_some() {
            for i in 0..10_000 {
                log(Level::Warn, &format!("line {i} {}", "x".repeat(4096)));
            }
        }
        Ok(Some(
            json!({"calls": calls, "replicas": get_i64(object, "spec.replicas")?}),
        ))
    }
}

export_plugin!(Counter);
