//! Test fixture: InterpretHealth panics (a trap with `panic = "abort"`).
use fedplan_interpreter_sdk::prelude::*;

struct Trap;

impl Interpreter for Trap {
    fn manifest() -> Vec<Target> {
        vec![Target::new("testing.fedplan.io/v1", "Trap").with(&[Operation::InterpretHealth])]
    }

    fn interpret_health(object: &Value) -> Result<bool, PluginError> {
        let items: Vec<u32> = Vec::new();
        let index = object.get("index").and_then(Value::as_u64).unwrap_or(3) as usize;
        Ok(std::hint::black_box(&items)[index] > 0)
    }
}

export_plugin!(Trap);
