//! The resource interpreter: how fedplan understands a workload.
//!
//! [`ResourceInterpreter`] is Karmada's set of interpreter operations. Implementations say,
//! per kind and operation, whether they handle it ([`ResourceInterpreter::handles`]); a
//! chain asks its layers in Karmada's precedence (user customizations, then third-party
//! built-ins, then native built-ins) and the first layer that handles the operation answers.

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

    /// `object` with its status aggregated from the member `items`.
    fn aggregate_status(
        &self,
        object: &Value,
        items: &[AggregatedStatusItem],
    ) -> Result<Value, InterpreterError> {
        let _ = items;
        Err(unsupported(object, Operation::AggregateStatus))
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
