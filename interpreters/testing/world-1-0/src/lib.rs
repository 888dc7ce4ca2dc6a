//! Test fixture: a plugin built against `fedplan:interpreter@1.0.0`, before the optional
//! `fields` export. A 1.x host must load it and send it whole objects: InterpretStatus
//! reflects the object it received, unchanged.
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
            kind: "WorldOneZero".into(),
            operations: vec![Operation::InterpretStatus, Operation::InterpretHealth],
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
    /// The object exactly as received.
    fn interpret_status(object: String) -> Result<Option<String>, PluginError> {
        Ok(Some(object))
    }
    /// Healthy when the object text mentions `"healthy":true`.
    fn interpret_health(object: String) -> Result<bool, PluginError> {
        Ok(object.contains("\"healthy\":true"))
    }
    fn interpret_dependency(_object: String) -> Result<Vec<DependentObjectReference>, PluginError> {
        Err(refuse())
    }
    fn interpret_component(_object: String) -> Result<Vec<Component>, PluginError> {
        Err(refuse())
    }
}

bindings::export!(Raw with_types_in bindings);
