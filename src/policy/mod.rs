//! Which propagation policy claims a resource template, and the binding built from it.
//!
//! - [`select()`]: the best matching policy for an unclaimed template (explicit priority,
//!   implicit precision, smaller name; a PropagationPolicy beats every
//!   ClusterPropagationPolicy; reserved and skipped namespaces ignored).
//! - [`claim()`]: the decision for a template given the claim it carries (stickiness,
//!   release, preemption), and [`write_claim`] / [`remove_claim`] for the claim metadata.
//! - [`build_binding`]: the (Cluster)ResourceBinding of a claimed template, merged into an
//!   existing binding without touching its scheduling result.

pub mod binding;
pub mod claim;
pub mod namespace;
pub mod select;

pub use binding::{
    binding_name, build_binding, refreshes_binding, BindingOptions, BINDING_FINALIZER,
    CLUSTER_BINDING_FINALIZER, KUBE_PRIORITY_CLASS,
};
pub use claim::{
    claim, claim_metadata, current_claim, remove_claim, write_claim, ClaimDecision, ClaimMetadata,
    ClaimReason, CurrentClaim, ReleaseReason, RetryReason,
};
pub use namespace::{
    is_reserved_namespace, NamespacePattern, NamespacePatternError,
    DEFAULT_SKIPPED_NAMESPACE_PATTERN, EXECUTION_SPACE_PREFIX, NAMESPACE_KARMADA_CLUSTER,
    NAMESPACE_KARMADA_SYSTEM,
};
pub use select::{
    higher_priority_by_name, highest_priority_cluster_propagation_policy,
    highest_priority_propagation_policy, ignore_reason, select, ClaimedBy, IgnoreReason,
    MatchOptions, PolicyKind, CPP_NAME_ANNOTATION, CPP_PERMANENT_ID_LABEL, PP_NAMESPACE_ANNOTATION,
    PP_NAME_ANNOTATION, PP_PERMANENT_ID_LABEL,
};

use crate::interpreter::InterpreterError;

/// Errors of the policy layer.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PolicyError {
    /// The template lacks a field the binding needs, or a field has the wrong shape.
    #[error("{kind} {namespace}/{name}: field {field}: {message}")]
    MalformedTemplate {
        /// Kind of the template (may be empty when that is what is missing).
        kind: String,
        /// Namespace of the template.
        namespace: String,
        /// Name of the template.
        name: String,
        /// JSON path of the offending field.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// InterpretReplica failed for the template.
    #[error("{kind} {namespace}/{name}: interpreting replicas: {source}")]
    Interpreter {
        /// Kind of the template.
        kind: String,
        /// Namespace of the template.
        namespace: String,
        /// Name of the template.
        name: String,
        /// The interpreter's error.
        source: Box<InterpreterError>,
    },
    /// The policy's `schedulePriority.priorityClassName` names no known PriorityClass.
    #[error("{policy}: field spec.schedulePriority.priorityClassName: PriorityClass {priority_class:?} not found")]
    PriorityClassNotFound {
        /// The policy (`Kind namespace/name`).
        policy: String,
        /// The PriorityClass name.
        priority_class: String,
    },
    /// The policy's `schedulePriority.priorityClassSource` is not `KubePriorityClass`.
    #[error("{policy}: field spec.schedulePriority.priorityClassSource: unsupported source {source_name:?}, only KubePriorityClass is implemented")]
    UnsupportedPriorityClassSource {
        /// The policy (`Kind namespace/name`).
        policy: String,
        /// The source as written.
        source_name: String,
    },
    /// A `--skipped-propagating-namespaces` pattern cannot be compiled.
    #[error(transparent)]
    SkippedNamespacePattern(#[from] NamespacePatternError),
}

/// The `dependentOverrides` of `policy` that do not exist yet (Karmada applies a policy
/// only once all of them exist, retrying until then). `exists` says whether an
/// OverridePolicy (for a ClusterPropagationPolicy: a ClusterOverridePolicy) of that name
/// exists in the policy's namespace.
pub fn missing_dependent_overrides<'a>(
    policy: ClaimedBy<'a>,
    exists: impl Fn(&str) -> bool,
) -> Vec<&'a str> {
    policy
        .spec()
        .dependent_overrides
        .iter()
        .map(String::as_str)
        .filter(|name| !exists(name))
        .collect()
}

#[cfg(test)]
mod tests;
