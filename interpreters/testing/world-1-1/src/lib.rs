//! Test fixture: a plugin built against `fedplan:interpreter@1.1.0`, whose `fields` export is
//! asked only for the operations that do not return the object. Its `object-fields` answers
//! for `aggregate-status` too, with a list a 1.x host must never use: a 1.2 host must neither
//! ask it nor send it a projected object for AggregateStatus, and must keep the whole object
//! it returns. InterpretHealth, which 1.1.0 does cover, is projected as usual.
#[allow(unsafe_code, missing_docs)]
mod bindings {
    wit_bindgen::generate!({ path: "wit", world: "interpreter-plugin" });
}

struct Raw;

use bindings::fedplan::interpreter::types::*;
use serde_json::{json, Value};

fn refuse() -> PluginError {
    PluginError {
        message: "not implemented".into(),
        field: None,
    }
}

fn fail(message: String) -> PluginError {
    PluginError {
        message,
        field: None,
    }
}

impl bindings::exports::fedplan::interpreter::plugin::Guest for Raw {
    fn manifest() -> Vec<Target> {
        vec![Target {
            api_version: "testing.fedplan.io/v1".into(),
            kind: "WorldOneOne".into(),
            operations: vec![Operation::AggregateStatus, Operation::InterpretHealth],
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
    /// The object it received, labelled `aggregated: members-<n>`, with a status holding a
    /// copy of what it received (so a test sees whether the host sent all of it, and whether
    /// the host kept more than the status).
    fn aggregate_status(
        object: String,
        items: Vec<AggregatedStatusItem>,
    ) -> Result<String, PluginError> {
        let mut object: Value =
            serde_json::from_str(&object).map_err(|e| fail(format!("object: {e}")))?;
        let received = object.clone();
        let fields = object
            .as_object_mut()
            .ok_or_else(|| fail("the object is not a JSON object".into()))?;
        let metadata = fields.entry("metadata").or_insert_with(|| json!({}));
        metadata["labels"]["aggregated"] = json!(format!("members-{}", items.len()));
        fields.insert("status".into(), json!({ "received": received }));
        Ok(object.to_string())
    }
    fn interpret_status(_object: String) -> Result<Option<String>, PluginError> {
        Err(refuse())
    }
    /// Healthy when `status.healthy` is true and the object came without its `spec`, which
    /// the fields it lists leave out.
    fn interpret_health(object: String) -> Result<bool, PluginError> {
        let object: Value =
            serde_json::from_str(&object).map_err(|e| fail(format!("object: {e}")))?;
        Ok(object["status"]["healthy"] == json!(true) && object.get("spec").is_none())
    }
    fn interpret_dependency(_object: String) -> Result<Vec<DependentObjectReference>, PluginError> {
        Err(refuse())
    }
    fn interpret_component(_object: String) -> Result<Vec<Component>, PluginError> {
        Err(refuse())
    }
}

impl bindings::exports::fedplan::interpreter::fields::Guest for Raw {
    fn object_fields(operation: Operation) -> Option<Vec<String>> {
        match operation {
            Operation::InterpretHealth => Some(vec!["status.healthy".into()]),
            // Outside what 1.1.0 may be asked: a host that used it would send only the
            // metadata and keep only the status.
            Operation::AggregateStatus => Some(vec!["metadata.name".into()]),
            _ => None,
        }
    }
    fn status_fields() -> Option<Vec<String>> {
        None
    }
}

bindings::export!(Raw with_types_in bindings);
