//! Write fedplan interpreter plugins in Rust.
//!
//! A plugin implements [`Interpreter`] over `serde_json::Value` objects, lists the kinds and
//! operations it implements in [`Interpreter::manifest`], and exports itself with
//! [`export_plugin!`]. The operations it does not override report "not implemented"; fedplan
//! only calls the operations a manifest lists, so the built-ins answer the others.
//!
//! ```ignore
//! use fedplan_interpreter_sdk::prelude::*;
//!
//! struct Widget;
//!
//! impl Interpreter for Widget {
//!     fn manifest() -> Vec<Target> {
//!         vec![Target::new("example.io/v1", "Widget").with(&[Operation::InterpretHealth])]
//!     }
//!     fn interpret_health(object: &Value) -> Result<bool, PluginError> {
//!         Ok(condition_is_true(object, "Ready"))
//!     }
//! }
//!
//! export_plugin!(Widget);
//! ```
//!
//! Build for `wasm32-unknown-unknown` in release, then `wasm-tools component new`; see
//! `interpreters/README.md`.

#![warn(missing_docs)]
#![deny(unsafe_code)]

#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
pub mod arena;
mod fields;
mod helpers;
mod lua_compat;
pub mod quantity;

pub use fields::Fields;
pub use helpers::*;
pub use lua_compat::{
    as_lua_returns, component_requirements, go_parse_float, lua_integer, lua_number, lua_tonumber,
    lua_type_name, prune_empty_tables, through_lua,
};
pub use serde_json::{self, json, Map, Value};

/// The generated bindings of the `fedplan:interpreter` world (for plugins that need the raw
/// interface; [`Interpreter`] is the pleasant way).
#[allow(missing_docs, unsafe_code)]
pub mod bindings {
    wit_bindgen::generate!({
        path: "../wit",
        world: "interpreter-plugin",
        pub_export_macro: true,
        export_macro_name: "export_world",
        default_bindings_module: "fedplan_interpreter_sdk::bindings",
        additional_derives: [PartialEq],
    });
}

pub use bindings::fedplan::interpreter::host::Level;
pub use bindings::fedplan::interpreter::types::{
    Component, ComponentRequirements, DependentObjectReference, Health, LabelSelector,
    LabelSelectorRequirement, NodeClaim, NodeSelectorRequirement, NodeSelectorTerm, Operation,
    PluginError, ReplicaInterpretation, ReplicaRequirements, Target, Toleration,
};

/// Everything a plugin usually needs, in one `use`.
pub mod prelude {
    pub use crate::helpers::*;
    pub use crate::{as_lua_returns, component_requirements, prune_empty_tables};
    pub use crate::{
        export_plugin, fields_suffice, json, log, Component, ComponentRequirements,
        DependentObjectReference, Fields, Health, Interpreter, Level, Map, Operation, PluginError,
        ReplicaInterpretation, ReplicaRequirements, StatusItem, Target, Value,
    };
}

/// Every allocation of a plugin: a bump arena for the one call an instance lives for.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: arena::CallArena = arena::CallArena::new();

/// Lets go of a value the call no longer needs. In a plugin the instance is discarded after
/// the call, so walking the value to free it would be wasted work; natively (in a plugin's
/// unit tests) it is dropped as usual.
fn discard<T>(value: T) {
    #[cfg(target_arch = "wasm32")]
    std::mem::forget(value);
    #[cfg(not(target_arch = "wasm32"))]
    drop(value);
}

/// The world version this SDK builds plugins against.
pub const WORLD_VERSION: &str = "1.2.0";

/// Writes a line to the call's log (shown by `fedplan interpret -v`). In native unit tests of
/// a plugin (`cargo test`), the line goes to standard error.
pub fn log(level: Level, message: &str) {
    #[cfg(target_arch = "wasm32")]
    bindings::fedplan::interpreter::host::log(level, message);
    #[cfg(not(target_arch = "wasm32"))]
    eprintln!("[{level:?}] {message}");
}

impl Target {
    /// A kind with no operations yet; add them with [`Target::with`].
    pub fn new(api_version: &str, kind: &str) -> Self {
        Target {
            api_version: api_version.to_string(),
            kind: kind.to_string(),
            operations: Vec::new(),
        }
    }

    /// The target implementing `operations` too.
    pub fn with(mut self, operations: &[Operation]) -> Self {
        self.operations.extend_from_slice(operations);
        self
    }
}

impl PluginError {
    /// An error about the object as a whole.
    pub fn new(message: impl Into<String>) -> Self {
        PluginError {
            message: message.into(),
            field: None,
        }
    }

    /// An error about one field (a dotted JSON path such as `spec.replicas`).
    pub fn at(field: impl Into<String>, message: impl Into<String>) -> Self {
        PluginError {
            message: message.into(),
            field: Some(field.into()),
        }
    }
}

/// One member cluster's status, as [`Interpreter::aggregate_status`] receives it (the
/// `AggregatedStatusItem` with its status already parsed).
#[derive(Debug, Clone, PartialEq)]
pub struct StatusItem {
    /// Member cluster name.
    pub cluster_name: String,
    /// Status reflected from the member object; `None` when nothing was reflected.
    pub status: Option<Value>,
    /// Whether the manifest was applied.
    pub applied: bool,
    /// Why applying failed.
    pub applied_message: String,
    /// Health found by InterpretHealth, when interpreted.
    pub health: Option<Health>,
}

/// A plugin: the operations it implements for the kinds of its manifest.
///
/// Every operation has a default that fails with "not implemented"; override the ones the
/// manifest lists. Objects arrive parsed; the SDK serializes what the operations return.
pub trait Interpreter {
    /// The kinds this plugin interprets and, per kind, the operations it implements.
    fn manifest() -> Vec<Target>;

    /// The fields of the object `operation` reads, when it reads only some: the host then
    /// sends just those (see [`Fields`] and the world's `fields` interface), which makes a
    /// call on a large object several times cheaper. `None` (the default): the whole object.
    ///
    /// Asked for the operations that only read the object (InterpretReplica,
    /// InterpretStatus, InterpretHealth, InterpretDependency, InterpretComponent) and for
    /// AggregateStatus: with a list, the host keeps only the `status` of the object
    /// AggregateStatus returns (as Karmada writes back only that), so set the status and
    /// nothing else. ReviseReplica and Retain always get the whole object. A field the
    /// operation reads but the list misses looks absent: check the list in the plugin's
    /// tests with [`fields_suffice`]. (A host told not to cut objects down sends them whole;
    /// a right list gives the same answers either way.)
    fn fields(operation: Operation) -> Option<Fields> {
        let _ = operation;
        None
    }

    /// Whether the plugin ports a Karmada Lua script and so must see values as the script
    /// does: when `true`, every object and member status is passed through [`through_lua`]
    /// before an operation gets it (no `null`s in maps or lists, whole floats such as `2.0`
    /// read as integers), as Karmada's conversion into Lua tables does. Return statuses
    /// through [`as_lua_returns`] to match the way back.
    const VALUES_THROUGH_LUA: bool = false;

    /// The fields of each member status that AggregateStatus reads (paths inside the
    /// status, e.g. `readyReplicas`, `conditions`); `None` (the default): all of it.
    fn status_fields() -> Option<Fields> {
        None
    }

    /// `InterpretReplica`: replicas and per-replica requirements.
    fn interpret_replica(object: &Value) -> Result<ReplicaInterpretation, PluginError> {
        Err(not_implemented(object, "InterpretReplica"))
    }

    /// `ReviseReplica`: `object` with its replicas set to `replicas`.
    fn revise_replica(object: Value, replicas: i64) -> Result<Value, PluginError> {
        let _ = replicas;
        Err(not_implemented(&object, "ReviseReplica"))
    }

    /// `Retain`: `desired` keeping the member-owned values of `observed`.
    fn retain(desired: Value, observed: &Value) -> Result<Value, PluginError> {
        let _ = observed;
        Err(not_implemented(&desired, "Retain"))
    }

    /// `AggregateStatus`: `object` with its status folded from the members' `items`.
    fn aggregate_status(object: Value, items: &[StatusItem]) -> Result<Value, PluginError> {
        let _ = items;
        Err(not_implemented(&object, "AggregateStatus"))
    }

    /// `InterpretStatus`: the status worth reflecting; `None` when there is none.
    fn interpret_status(object: &Value) -> Result<Option<Value>, PluginError> {
        Err(not_implemented(object, "InterpretStatus"))
    }

    /// `InterpretHealth`: whether a member object is healthy.
    fn interpret_health(object: &Value) -> Result<bool, PluginError> {
        Err(not_implemented(object, "InterpretHealth"))
    }

    /// `InterpretDependency`: the objects `object` depends on.
    fn interpret_dependency(object: &Value) -> Result<Vec<DependentObjectReference>, PluginError> {
        Err(not_implemented(object, "InterpretDependency"))
    }

    /// `InterpretComponent`: the pod templates of a multi-template workload.
    fn interpret_component(object: &Value) -> Result<Vec<Component>, PluginError> {
        Err(not_implemented(object, "InterpretComponent"))
    }
}

fn not_implemented(object: &Value, operation: &str) -> PluginError {
    let kind = object.get("kind").and_then(Value::as_str).unwrap_or("?");
    PluginError::new(format!("{operation} is not implemented for kind {kind}"))
}

fn parse(what: &str, json: &str) -> Result<Value, PluginError> {
    serde_json::from_str(json).map_err(|e| not_json(what, e))
}

/// An object or status as `T` reads it (see [`Interpreter::VALUES_THROUGH_LUA`]).
fn input<T: Interpreter>(what: &str, json: &str) -> Result<Value, PluginError> {
    let mut value = parse(what, json)?;
    if T::VALUES_THROUGH_LUA {
        through_lua(&mut value);
    }
    Ok(value)
}

fn not_json(what: &str, error: serde_json::Error) -> PluginError {
    PluginError::new(format!("{what} is not JSON: {error}"))
}

/// Checks that the fields `T` declares ([`Interpreter::fields`],
/// [`Interpreter::status_fields`]) are all its operations read of `object` (and of
/// `statuses`, for AggregateStatus): each operation must give the same answer on the
/// declared fields as on the whole. For a plugin's unit tests; the error names the
/// operation that differs.
pub fn fields_suffice<T: Interpreter>(object: &Value, statuses: &[Value]) -> Result<(), String> {
    let text = object.to_string();
    let projected = |operation| match T::fields(operation) {
        None => Ok(object.clone()),
        Some(fields) => fields.parse(&text).map_err(|e| e.to_string()),
    };
    let differs = |operation: Operation, whole: String, part: String| {
        Err(format!(
            "{operation:?} differs on the declared fields: {part} instead of {whole}"
        ))
    };
    macro_rules! same {
        ($operation:expr, $call:expr) => {{
            let part_object = projected($operation)?;
            let whole = $call(object);
            let part = $call(&part_object);
            if whole != part {
                return differs($operation, format!("{whole:?}"), format!("{part:?}"));
            }
        }};
    }
    same!(Operation::InterpretReplica, T::interpret_replica);
    same!(Operation::InterpretStatus, T::interpret_status);
    same!(Operation::InterpretHealth, T::interpret_health);
    same!(Operation::InterpretDependency, T::interpret_dependency);
    same!(Operation::InterpretComponent, T::interpret_component);
    let status_fields = T::status_fields();
    let object_cut = T::fields(Operation::AggregateStatus).is_some();
    if status_fields.is_some() || object_cut {
        let items = |part: bool| -> Result<Vec<StatusItem>, String> {
            statuses
                .iter()
                .enumerate()
                .map(|(i, status)| {
                    let status = match status_fields.as_ref().filter(|_| part) {
                        Some(fields) => fields
                            .parse(&status.to_string())
                            .map_err(|e| e.to_string())?,
                        None => status.clone(),
                    };
                    Ok(StatusItem {
                        cluster_name: format!("member-{i}"),
                        status: Some(status),
                        applied: true,
                        applied_message: String::new(),
                        health: None,
                    })
                })
                .collect()
        };
        let whole = T::aggregate_status(object.clone(), &items(false)?);
        let part = T::aggregate_status(projected(Operation::AggregateStatus)?, &items(true)?);
        let (whole, part) = if object_cut {
            // The host keeps only the status of what returns, so that is all that may
            // change.
            let without_status = |v: &Value| {
                let mut v = v.clone();
                if let Some(fields) = v.as_object_mut() {
                    fields.remove("status");
                }
                v
            };
            if let Ok(returned) = &whole {
                if without_status(returned) != without_status(object) {
                    return Err(format!(
                        "AggregateStatus lists object fields but changes more than the status: {returned}"
                    ));
                }
            }
            let status = |r: Result<Value, PluginError>| r.map(|v| v.get("status").cloned());
            (
                format!("{:?}", status(whole)),
                format!("{:?}", status(part)),
            )
        } else {
            (format!("{whole:?}"), format!("{part:?}"))
        };
        if whole != part {
            return differs(Operation::AggregateStatus, whole, part);
        }
    }
    Ok(())
}

fn render(value: &Value) -> Result<String, PluginError> {
    serde_json::to_string(value).map_err(|e| PluginError::new(format!("cannot serialize: {e}")))
}

/// The members' statuses, each parsed by `parse`.
fn status_items(
    items: Vec<bindings::fedplan::interpreter::types::AggregatedStatusItem>,
    parse: impl Fn(&str) -> Result<Value, PluginError>,
) -> Result<Vec<StatusItem>, PluginError> {
    items
        .into_iter()
        .map(|item| {
            let status = match item.status {
                Some(raw) => Some(parse(&raw)?),
                None => None,
            };
            Ok(StatusItem {
                cluster_name: item.cluster_name,
                status,
                applied: item.applied,
                applied_message: item.applied_message,
                health: item.health,
            })
        })
        .collect()
}

/// Bridges an [`Interpreter`] to the generated bindings; [`export_plugin!`] uses it.
#[doc(hidden)]
pub struct Adapter<T>(std::marker::PhantomData<T>);

impl<T: Interpreter> bindings::exports::fedplan::interpreter::plugin::Guest for Adapter<T> {
    fn manifest() -> Vec<Target> {
        T::manifest()
    }

    fn interpret_replica(object: String) -> Result<ReplicaInterpretation, PluginError> {
        let object = input::<T>("object", &object)?;
        let result = T::interpret_replica(&object);
        discard(object);
        result
    }

    fn revise_replica(object: String, replicas: i64) -> Result<String, PluginError> {
        let revised = T::revise_replica(input::<T>("object", &object)?, replicas)?;
        let text = render(&revised);
        discard(revised);
        text
    }

    fn retain(desired: String, observed: String) -> Result<String, PluginError> {
        let observed = input::<T>("observed object", &observed)?;
        let retained = T::retain(input::<T>("desired object", &desired)?, &observed)?;
        let text = render(&retained);
        discard((observed, retained));
        text
    }

    fn aggregate_status(
        object: String,
        items: Vec<bindings::fedplan::interpreter::types::AggregatedStatusItem>,
    ) -> Result<String, PluginError> {
        let items = status_items(items, |raw| input::<T>("status item", raw))?;
        let aggregated = T::aggregate_status(input::<T>("object", &object)?, &items)?;
        let text = render(&aggregated);
        discard((items, aggregated));
        text
    }

    fn interpret_status(object: String) -> Result<Option<String>, PluginError> {
        let object = input::<T>("object", &object)?;
        let status = T::interpret_status(&object);
        discard(object);
        match status? {
            Some(status) => {
                let text = render(&status);
                discard(status);
                Ok(Some(text?))
            }
            None => Ok(None),
        }
    }

    fn interpret_health(object: String) -> Result<bool, PluginError> {
        let object = input::<T>("object", &object)?;
        let healthy = T::interpret_health(&object);
        discard(object);
        healthy
    }

    fn interpret_dependency(object: String) -> Result<Vec<DependentObjectReference>, PluginError> {
        let object = input::<T>("object", &object)?;
        let dependencies = T::interpret_dependency(&object);
        discard(object);
        dependencies
    }

    fn interpret_component(object: String) -> Result<Vec<Component>, PluginError> {
        let object = input::<T>("object", &object)?;
        let components = T::interpret_component(&object);
        discard(object);
        components
    }
}

/// The operations whose object the host may cut down to [`Interpreter::fields`]: those that
/// do not return the object, and AggregateStatus, of whose result the host keeps only the
/// status.
fn may_be_cut_down(operation: Operation) -> bool {
    matches!(
        operation,
        Operation::InterpretReplica
            | Operation::InterpretStatus
            | Operation::InterpretHealth
            | Operation::InterpretDependency
            | Operation::InterpretComponent
            | Operation::AggregateStatus
    )
}

/// Tells the host the fields of [`Interpreter::fields`] and [`Interpreter::status_fields`],
/// so that it sends only those. The plugin still cuts what it receives down to the same
/// fields, so a host that sends whole objects gives the same results.
impl<T: Interpreter> bindings::exports::fedplan::interpreter::fields::Guest for Adapter<T> {
    fn object_fields(operation: Operation) -> Option<Vec<String>> {
        if !may_be_cut_down(operation) {
            return None;
        }
        T::fields(operation).and_then(|fields| fields.paths())
    }

    fn status_fields() -> Option<Vec<String>> {
        T::status_fields().and_then(|fields| fields.paths())
    }
}

/// Exports an [`Interpreter`] as the plugin of this component. Use it once, in the crate root.
#[macro_export]
macro_rules! export_plugin {
    ($interpreter:ty) => {
        type __FedplanPluginExport = $crate::Adapter<$interpreter>;
        $crate::bindings::export_world!(__FedplanPluginExport with_types_in $crate::bindings);
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sums the members' `ready` into `status.ready`, and (when `SCALED`) multiplies it by
    /// the job's `spec.scale`; `TOUCHES` also labels the job. Lists no object field for
    /// AggregateStatus.
    struct Summing<const SCALED: bool, const TOUCHES: bool>;

    impl<const SCALED: bool, const TOUCHES: bool> Interpreter for Summing<SCALED, TOUCHES> {
        fn manifest() -> Vec<Target> {
            Vec::new()
        }

        fn fields(operation: Operation) -> Option<Fields> {
            (operation == Operation::AggregateStatus).then(Fields::new)
        }

        fn aggregate_status(mut job: Value, items: &[StatusItem]) -> Result<Value, PluginError> {
            let ready: i64 = items
                .iter()
                .filter_map(|i| i.status.as_ref()?.get("ready")?.as_i64())
                .sum();
            let scale = if SCALED {
                job.pointer("/spec/scale")
                    .and_then(Value::as_i64)
                    .unwrap_or(1)
            } else {
                1
            };
            job["status"] = json!({"ready": ready * scale});
            if TOUCHES {
                job["metadata"]["labels"] = json!({"aggregated": "yes"});
            }
            Ok(job)
        }
    }

    #[test]
    fn fields_suffice_checks_what_aggregate_status_reads_and_changes() {
        let job = json!({"metadata": {"name": "j"}, "spec": {"scale": 3}});
        let statuses = [json!({"ready": 1}), json!({"ready": 2})];
        assert_eq!(
            fields_suffice::<Summing<false, false>>(&job, &statuses),
            Ok(())
        );
        let missed = fields_suffice::<Summing<true, false>>(&job, &statuses).unwrap_err();
        assert!(missed.contains("AggregateStatus differs"), "{missed}");
        let touched = fields_suffice::<Summing<false, true>>(&job, &statuses).unwrap_err();
        assert!(
            touched.contains("changes more than the status"),
            "{touched}"
        );
    }
}
