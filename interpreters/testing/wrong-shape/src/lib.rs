//! Test fixture: returns valid JSON of the wrong shape, and records that break the rules.
use fedplan_interpreter_sdk::bindings;

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
            kind: "WrongShape".into(),
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
        Ok(ReplicaInterpretation {
            replicas: -3,
            requirements: Some(ReplicaRequirements {
                node_claim: None,
                resource_request: vec![("cpu".into(), "lots".into())],
                namespace: String::new(),
                priority_class_name: String::new(),
            }),
        })
    }
    fn revise_replica(_object: String, _replicas: i64) -> Result<String, PluginError> {
        Ok("[1, 2, 3]".into())
    }
    fn retain(_desired: String, _observed: String) -> Result<String, PluginError> {
        Err(refuse())
    }
    fn aggregate_status(
        _object: String,
        _items: Vec<AggregatedStatusItem>,
    ) -> Result<String, PluginError> {
        Ok("\"done\"".into())
    }
    fn interpret_status(_object: String) -> Result<Option<String>, PluginError> {
        Err(refuse())
    }
    fn interpret_health(_object: String) -> Result<bool, PluginError> {
        Err(refuse())
    }
    fn interpret_dependency(_object: String) -> Result<Vec<DependentObjectReference>, PluginError> {
        Ok(vec![DependentObjectReference {
            api_version: String::new(),
            kind: "ConfigMap".into(),
            namespace: String::new(),
            name: String::new(),
            label_selector: None,
        }])
    }
    fn interpret_component(_object: String) -> Result<Vec<Component>, PluginError> {
        Err(refuse())
    }
}

/// Reads whole objects.
impl bindings::exports::fedplan::interpreter::fields::Guest for Raw {
    fn object_fields(_operation: Operation) -> Option<Vec<String>> {
        None
    }
    fn status_fields() -> Option<Vec<String>> {
        None
    }
}

fedplan_interpreter_sdk::bindings::export_world!(Raw with_types_in fedplan_interpreter_sdk::bindings);
