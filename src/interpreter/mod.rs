//! The resource interpreter: how fedplan understands a workload.
//!
//! [`ResourceInterpreter`] is Karmada's set of interpreter operations. Implementations say,
//! per kind and operation, whether they handle it ([`ResourceInterpreter::handles`]); the
//! [`chain::InterpreterChain`] asks its layers in Karmada's precedence (user customizations,
//! then the [third-party built-ins](thirdparty), then the [native built-ins](native)) and the
//! first layer that handles the operation answers. [`run_operation`] runs one operation and
//! shapes its result as `fedplan interpret` prints it.
//!
//! observedGeneration standardisation (the template's `status.observedGeneration` advances
//! only once every member caught up) lives in [`generation`]; the generic retention applied
//! before every `Retain` in [`retention`].
//!
//! # Deviations from Karmada
//!
//! Karmada's behaviour is matched everywhere except where it defeats its own documented
//! purpose:
//!
//! - **Native StatefulSet observedGeneration.** Karmada's reflection drops the member's
//!   `observedGeneration` and its aggregation compares `resourceTemplateGeneration` with the
//!   member's own generation, so the aggregated `observedGeneration` never advances once a
//!   member exists. Here StatefulSet reflects `observedGeneration` (omitted when zero) and
//!   aggregates with the Deployment rule (`observedGeneration >= generation` and
//!   `resourceTemplateGeneration >= template generation`), which is the documented intent.
//! - **HelmRelease failure counters.** Karmada adds the members' `failures`,
//!   `upgradeFailures` and `installFailures` to the template's previous value, so the counters
//!   grow on every aggregation, and only when the template already has the field. Here each
//!   counter is the sum over the members, written when the template has it or any member
//!   reports it.
//! - **HelmRelease versions.** The HelmRelease built-in also answers for
//!   `helm.toolkit.fluxcd.io/v2beta2` and `v2` (Karmada ships it for `v2beta1` only).
//! - **OCIRepository dependencies** do not fail when `spec.serviceAccountName` is absent
//!   (Karmada's script indexes a nil value and errors).
//! - **Lua state leaks.** Karmada's pooled Lua states leak globals between scripts of
//!   different kinds; every call here starts fresh.
//!
//! Kept on purpose although surprising (pinned by Karmada's tests): HelmChart reflection
//! never carries `observedGeneration`, so a HelmChart's aggregated `observedGeneration` only
//! advances when it is not propagated anywhere; native reflection of Deployment, ReplicaSet,
//! DaemonSet and StatefulSet fails when the member lacks the
//! `resourcetemplate.karmada.io/generation` annotation; BroadcastJob's finished state is not
//! reset between members and its success condition is `Completed`; Kruise DaemonSet's
//! `daemonSetHash` defaults to the number 0.

pub mod chain;
pub mod generation;
pub mod native;
pub(crate) mod object;
pub(crate) mod podspec;
pub mod retention;
pub mod thirdparty;

pub use object::TEMPLATE_GENERATION_ANNOTATION;

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::api::{AggregatedStatusItem, Component, DependentObjectReference, ReplicaRequirements};

pub mod declarative;
#[cfg(feature = "wasm")]
pub mod wasm;

/// One interpreter operation, named as Karmada names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Operation {
    /// Replicas and per-replica requirements of a workload.
    InterpretReplica,
    /// Set a workload's replicas to a cluster's share.
    ReviseReplica,
    /// Keep member-owned values of the live object when re-applying the desired object.
    Retain,
    /// Fold member statuses into the template's status.
    AggregateStatus,
    /// Reflect the status worth collecting from a member object.
    InterpretStatus,
    /// Decide whether a member object is healthy.
    InterpretHealth,
    /// List the objects a workload depends on.
    InterpretDependency,
    /// List the pod templates of a multi-template workload.
    InterpretComponent,
}

impl Operation {
    /// Every operation, in Karmada's order.
    pub const ALL: [Operation; 8] = [
        Operation::InterpretReplica,
        Operation::ReviseReplica,
        Operation::Retain,
        Operation::AggregateStatus,
        Operation::InterpretStatus,
        Operation::InterpretHealth,
        Operation::InterpretDependency,
        Operation::InterpretComponent,
    ];

    /// Karmada's name of the operation.
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::InterpretReplica => "InterpretReplica",
            Operation::ReviseReplica => "ReviseReplica",
            Operation::Retain => "Retain",
            Operation::AggregateStatus => "AggregateStatus",
            Operation::InterpretStatus => "InterpretStatus",
            Operation::InterpretHealth => "InterpretHealth",
            Operation::InterpretDependency => "InterpretDependency",
            Operation::InterpretComponent => "InterpretComponent",
        }
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Operation {
    type Err = InterpreterError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Operation::ALL
            .into_iter()
            .find(|op| op.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| InterpreterError::UnknownOperation(s.to_string()))
    }
}

/// Group/version and kind of an object (`apiVersion` as written, e.g. `apps/v1`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Gvk {
    /// `apiVersion`, e.g. `apps/v1` or `v1`.
    pub api_version: String,
    /// Kind, e.g. `Deployment`.
    pub kind: String,
}

impl Gvk {
    /// A GVK from its parts.
    pub fn new(api_version: impl Into<String>, kind: impl Into<String>) -> Self {
        Gvk {
            api_version: api_version.into(),
            kind: kind.into(),
        }
    }

    /// The GVK of a JSON object (empty strings where absent).
    pub fn of(obj: &Value) -> Self {
        let s = |k: &str| obj.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        Gvk {
            api_version: s("apiVersion"),
            kind: s("kind"),
        }
    }
}

impl fmt::Display for Gvk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}, Kind={}", self.api_version, self.kind)
    }
}

/// Result of InterpretReplica.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplicaInterpretation {
    /// Desired replicas.
    pub replicas: i32,
    /// What each replica needs; `None` for kinds without a pod template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replica_requirements: Option<ReplicaRequirements>,
}

/// Errors of the interpreter layer.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum InterpreterError {
    /// No layer of the chain implements this operation for this kind.
    #[error("no interpreter implements {operation} for {gvk}")]
    Unsupported {
        /// The operation asked for.
        operation: Operation,
        /// The object's kind.
        gvk: Gvk,
    },
    /// The operation name is not one of Karmada's.
    #[error("unknown interpreter operation {0:?}; expected one of InterpretReplica, ReviseReplica, Retain, AggregateStatus, InterpretStatus, InterpretHealth, InterpretDependency, InterpretComponent")]
    UnknownOperation(String),
    /// The object is not shaped as its kind requires (wrong type, negative quantity, missing
    /// template, ...).
    #[error("{operation} on {kind} {name:?}: field {field}: {message}")]
    Malformed {
        /// The operation that read the object.
        operation: Operation,
        /// Kind of the object.
        kind: String,
        /// `namespace/name` of the object (may be empty).
        name: String,
        /// JSON path of the offending field, e.g. `spec.replicas`.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// An input the operation needs was not given (e.g. the observed object for Retain).
    #[error("{operation} needs {input}")]
    MissingInput {
        /// The operation asked for.
        operation: Operation,
        /// What is missing, e.g. `an observed object`.
        input: String,
    },
    /// A plugin or declarative customization failed.
    #[error("interpreter {interpreter:?} failed {operation} on {kind}: {message}")]
    Customization {
        /// Plugin or customization name.
        interpreter: String,
        /// Kind being interpreted.
        kind: String,
        /// The operation.
        operation: Operation,
        /// What went wrong.
        message: String,
    },
}

/// Karmada's resource interpreter operations over JSON objects.
///
/// Every method has a default that reports [`InterpreterError::Unsupported`]; an
/// implementation overrides the operations it supports and says so in
/// [`handles`](ResourceInterpreter::handles). Implementations are pure: the same input gives
/// the same output, and nothing is remembered between calls.
pub trait ResourceInterpreter: Send + Sync {
    /// A name for messages (e.g. `native`, `thirdparty`, a plugin's file name).
    fn name(&self) -> &str;

    /// Whether this interpreter implements `operation` for objects of `gvk`.
    fn handles(&self, gvk: &Gvk, operation: Operation) -> bool;

    /// Replicas and per-replica requirements of `object`.
    fn interpret_replica(&self, object: &Value) -> Result<ReplicaInterpretation, InterpreterError> {
        Err(unsupported(object, Operation::InterpretReplica))
    }

    /// `object` with its replicas set to `replicas`.
    fn revise_replica(&self, object: &Value, replicas: i64) -> Result<Value, InterpreterError> {
        let _ = replicas;
        Err(unsupported(object, Operation::ReviseReplica))
    }

    /// `desired` with the member-owned values of `observed` kept.
    fn retain(&self, desired: &Value, observed: &Value) -> Result<Value, InterpreterError> {
        let _ = observed;
        Err(unsupported(desired, Operation::Retain))
    }

    /// [`retain`](ResourceInterpreter::retain) on a desired object the caller gives away, so
    /// that an interpreter with nothing to keep can hand it back without a copy. The default
    /// calls `retain`.
    fn retain_owned(&self, desired: Value, observed: &Value) -> Result<Value, InterpreterError> {
        self.retain(&desired, observed)
    }

    /// `object` with its status aggregated from the member `items`.
    fn aggregate_status(
        &self,
        object: &Value,
        items: &[AggregatedStatusItem],
    ) -> Result<Value, InterpreterError> {
        let _ = items;
        Err(unsupported(object, Operation::AggregateStatus))
    }

    /// As [`aggregate_status`](ResourceInterpreter::aggregate_status), distinguishing absent
    /// status items (`None`: the template has not been propagated anywhere yet) from an empty
    /// list (propagated to zero clusters), as Karmada's Lua customizations do
    /// (`statusItems == nil`). The default treats `None` as an empty list; the chain calls
    /// this method.
    fn aggregate_status_items(
        &self,
        object: &Value,
        items: Option<&[AggregatedStatusItem]>,
    ) -> Result<Value, InterpreterError> {
        self.aggregate_status(object, items.unwrap_or(&[]))
    }

    /// The status worth reflecting from a member object, `None` when there is none.
    fn interpret_status(&self, object: &Value) -> Result<Option<Value>, InterpreterError> {
        Err(unsupported(object, Operation::InterpretStatus))
    }

    /// Whether a member object is healthy.
    fn interpret_health(&self, object: &Value) -> Result<bool, InterpreterError> {
        Err(unsupported(object, Operation::InterpretHealth))
    }

    /// The objects `object` depends on.
    fn interpret_dependency(
        &self,
        object: &Value,
    ) -> Result<Vec<DependentObjectReference>, InterpreterError> {
        Err(unsupported(object, Operation::InterpretDependency))
    }

    /// The pod templates (components) of a multi-template workload.
    fn interpret_component(&self, object: &Value) -> Result<Vec<Component>, InterpreterError> {
        Err(unsupported(object, Operation::InterpretComponent))
    }
}

/// The error for an operation an interpreter does not implement for `object`'s kind.
pub fn unsupported(object: &Value, operation: Operation) -> InterpreterError {
    InterpreterError::Unsupported {
        operation,
        gvk: Gvk::of(object),
    }
}

fn missing(operation: Operation, input: &str) -> InterpreterError {
    InterpreterError::MissingInput {
        operation,
        input: input.to_string(),
    }
}

fn to_json<T: Serialize>(operation: Operation, value: &T) -> Result<Value, InterpreterError> {
    serde_json::to_value(value).map_err(|e| InterpreterError::Customization {
        interpreter: "output".into(),
        kind: String::new(),
        operation,
        message: e.to_string(),
    })
}

/// Runs one interpreter operation through `interpreter` (normally an
/// [`InterpreterChain`](chain::InterpreterChain)) and shapes the result as `fedplan interpret`
/// prints it:
///
/// | Operation | Output |
/// |---|---|
/// | InterpretReplica | `{replicas, replicaRequirements}` (requirements omitted when null) |
/// | ReviseReplica, AggregateStatus | the resulting object |
/// | Retain | the object after the generic retention and the `Retain` hook (if any layer has one) |
/// | InterpretStatus | the reflected status, or `null` |
/// | InterpretHealth | `{healthy}` (`true` when no layer interprets health, as Karmada reports it) |
/// | InterpretDependency | `{dependencies}` |
/// | InterpretComponent | `{components}` |
///
/// `desired` is the template (or desired object), `observed` the member's live object;
/// InterpretStatus and InterpretHealth read `observed` when given, else `desired`.
/// `status_items` `None` means the items are absent (not propagated anywhere), `Some(&[])`
/// zero clusters.
///
/// ```
/// use fedplan::interpreter::{chain::InterpreterChain, run_operation, Operation};
/// let chain = InterpreterChain::default();
/// let d = serde_json::json!({"apiVersion": "apps/v1", "kind": "Deployment",
///     "metadata": {"name": "web", "namespace": "ns"},
///     "spec": {"replicas": 2, "template": {"spec": {"containers": [{"name": "c"}]}}}});
/// let out = run_operation(&chain, Operation::InterpretReplica, Some(&d), None, None, None).unwrap();
/// assert_eq!(out, serde_json::json!({"replicas": 2}));
/// let out = run_operation(&chain, Operation::ReviseReplica, Some(&d), None, None, Some(5)).unwrap();
/// assert_eq!(out["spec"]["replicas"], 5);
/// ```
pub fn run_operation(
    interpreter: &dyn ResourceInterpreter,
    operation: Operation,
    desired: Option<&Value>,
    observed: Option<&Value>,
    status_items: Option<&[AggregatedStatusItem]>,
    desired_replica: Option<i64>,
) -> Result<Value, InterpreterError> {
    let desired_obj = || desired.ok_or_else(|| missing(operation, "a desired object"));
    let either = || {
        observed
            .or(desired)
            .ok_or_else(|| missing(operation, "an observed or desired object"))
    };
    let mut out = serde_json::Map::new();
    match operation {
        Operation::InterpretReplica => {
            let r = interpreter.interpret_replica(desired_obj()?)?;
            out.insert("replicas".into(), Value::from(r.replicas));
            if let Some(req) = r.replica_requirements {
                out.insert("replicaRequirements".into(), to_json(operation, &req)?);
            }
        }
        Operation::ReviseReplica => {
            let n = desired_replica.ok_or_else(|| missing(operation, "a desired replica count"))?;
            return interpreter.revise_replica(desired_obj()?, n);
        }
        Operation::Retain => {
            let desired = desired_obj()?;
            let observed = observed.ok_or_else(|| missing(operation, "an observed object"))?;
            let retained = retention::retain_generic(desired, observed);
            if interpreter.handles(&Gvk::of(desired), Operation::Retain) {
                return interpreter.retain(&retained, observed);
            }
            return Ok(retained);
        }
        Operation::AggregateStatus => {
            return interpreter.aggregate_status_items(desired_obj()?, status_items);
        }
        Operation::InterpretStatus => {
            return Ok(interpreter
                .interpret_status(either()?)?
                .unwrap_or(Value::Null));
        }
        Operation::InterpretHealth => {
            let obj = either()?;
            let healthy = if interpreter.handles(&Gvk::of(obj), Operation::InterpretHealth) {
                interpreter.interpret_health(obj)?
            } else {
                true
            };
            out.insert("healthy".into(), Value::Bool(healthy));
        }
        Operation::InterpretDependency => {
            let deps = interpreter.interpret_dependency(desired_obj()?)?;
            out.insert("dependencies".into(), to_json(operation, &deps)?);
        }
        Operation::InterpretComponent => {
            let comps = interpreter.interpret_component(desired_obj()?)?;
            out.insert("components".into(), to_json(operation, &comps)?);
        }
    }
    Ok(Value::Object(out))
}
