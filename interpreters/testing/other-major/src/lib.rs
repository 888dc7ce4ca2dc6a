//! Test fixture: a plugin built against `fedplan:interpreter@2.0.0`, which a 1.x host refuses.
#[allow(unsafe_code, missing_docs)]
mod bindings {
    wit_bindgen::generate!({ path: "wit", world: "interpreter-plugin" });
}

struct Raw;

use bindings::fedplan::interpreter::types::*;

fn refuse() -> PluginError {
    PluginError {
        message: "not implemented".into(),
        field: None,
    }
}
impl bindings::exports::fedplan::interpreter::plugin::Guest for Raw {
    fn manifest() -> Vec<Target> {
        vec![Target {
            api_version: "testing.fedplan.io/v1".into(),
            kind: "OtherMajor".into(),
            operations: vec![
                Operation::InterpretReplica,
                Operation::ReviseReplica,
                Operation::AggregateStatus,
                Operation::InterpretStatus,
                Operation::InterpretHealth,
                Operation::InterpretDependency,
            ],
        }]
    }
    fn interpret_replica(_object: String) -> Result<ReplicaInterpretation, PluginError> {
        Err(refuse())
    }
    fn revise_replica(_object: String, _replicas: i64) -> Result<String, PluginError> {
        Err(refuse())
    }
    fn retain(_desired: String, _observed: String) -> Result<String, PluginError> {
        Err(refuse())
    }
    fn aggregate_status(
        _object: String,
        _items: Vec<AggregatedStatusItem>,
    ) -> Result<String, PluginError> {
        Err(refuse())
    }
    fn interpret_status(_object: String) -> Result<Option<String>, PluginError> {
        Err(refuse())
    }
    fn interpret_health(_object: String) -> Result<bool, PluginError> {
        Ok(true)
    }
    fn interpret_dependency(_object: String) -> Result<Vec<DependentObjectReference>, PluginError> {
        Err(refuse())
    }
    fn interpret_component(_object: String) -> Result<Vec<Component>, PluginError> {
        Err(refuse())
    }
}

bindings::export!(Raw with_types_in bindings);
