//! Selectors, exactly as Karmada and Kubernetes evaluate them.
//!
//! - [`label`]: `metav1.LabelSelector` (matchLabels, matchExpressions with `In`, `NotIn`,
//!   `Exists`, `DoesNotExist`), with Kubernetes' validation: an invalid selector selects
//!   nothing.
//! - [`field`]: a cluster affinity's `fieldSelector` on `provider`, `region` and `zone`.
//! - [`cluster`]: Karmada's `ClusterMatches` (exclude, labelSelector, fieldSelector,
//!   clusterNames).
//! - [`resource`]: resource selectors of propagation policies and their implicit priority
//!   (MisMatch < MatchAll < MatchLabelSelector < MatchName).
//!
//! Every matcher borrows its inputs and allocates nothing on the matching path; the
//! `try_*`/`validate_*` variants say why a selector is invalid.

pub mod cluster;
pub mod field;
pub mod label;
pub mod resource;

pub use cluster::{
    cluster_matches, cluster_names_matches, try_cluster_matches, ClusterAffinityMatcher,
};
pub use field::{
    cluster_zones, field_selector_matches, match_zones, validate_field_selector, ClusterFields,
    PROVIDER_FIELD, REGION_FIELD, ZONE_FIELD,
};
pub use label::{
    check_label_key, check_label_value, label_selector_matches, try_label_selector_matches,
    validate_label_selector, LabelSyntax, Labels, NoLabels, Operator, Requirement,
};
pub use resource::{
    resource_match_selectors_priority, resource_matches, resource_selector_priority,
    ImplicitPriority, TemplateRef,
};

/// Why a selector is invalid. Each variant names the field path inside the selector (e.g.
/// `matchExpressions[1].values`), the label key, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectorError {
    /// A label key is not a valid qualified name.
    #[error("{path}: invalid label key {key:?}: {reason}")]
    InvalidKey {
        /// Path of the offending field within the selector.
        path: String,
        /// The key.
        key: String,
        /// The syntax rule it breaks.
        reason: LabelSyntax,
    },
    /// A value is not a valid label value.
    #[error("{path}: invalid value {value:?} for key {key:?}: {reason}")]
    InvalidValue {
        /// Path of the offending field within the selector.
        path: String,
        /// The requirement's key.
        key: String,
        /// The value.
        value: String,
        /// The syntax rule it breaks.
        reason: LabelSyntax,
    },
    /// The operator is not one the selector kind supports.
    #[error("{path}: unsupported operator {operator:?} for key {key:?}")]
    UnsupportedOperator {
        /// Path of the operator field.
        path: String,
        /// The requirement's key.
        key: String,
        /// The operator as written.
        operator: String,
    },
    /// `In` / `NotIn` with no values.
    #[error("{path}: for 'In', 'NotIn' operators, values set can't be empty (key {key:?}, operator {operator})")]
    ValuesRequired {
        /// Path of the values field.
        path: String,
        /// The requirement's key.
        key: String,
        /// The operator.
        operator: String,
    },
    /// `Exists` / `DoesNotExist` with values.
    #[error("{path}: values set must be empty for exists and does not exist (key {key:?}, operator {operator})")]
    ValuesForbidden {
        /// Path of the values field.
        path: String,
        /// The requirement's key.
        key: String,
        /// The operator.
        operator: String,
    },
    /// `Gt` / `Lt` without exactly one value.
    #[error("{path}: for 'Gt', 'Lt' operators, exactly one value is required (key {key:?}, operator {operator})")]
    SingleValueRequired {
        /// Path of the values field.
        path: String,
        /// The requirement's key.
        key: String,
        /// The operator.
        operator: String,
    },
    /// `Gt` / `Lt` with a value that is not an integer.
    #[error("{path}: for 'Gt', 'Lt' operators, the value must be an integer, got {value:?} (key {key:?})")]
    NotAnInteger {
        /// Path of the value.
        path: String,
        /// The requirement's key.
        key: String,
        /// The value.
        value: String,
    },
}

impl SelectorError {
    /// The path of the offending field within the selector.
    pub fn path(&self) -> &str {
        match self {
            SelectorError::InvalidKey { path, .. }
            | SelectorError::InvalidValue { path, .. }
            | SelectorError::UnsupportedOperator { path, .. }
            | SelectorError::ValuesRequired { path, .. }
            | SelectorError::ValuesForbidden { path, .. }
            | SelectorError::SingleValueRequired { path, .. }
            | SelectorError::NotAnInteger { path, .. } => path,
        }
    }

    /// The same error with `prefix.` put in front of its path (to place a selector's error
    /// inside the object that holds it, e.g. `spec.placement.clusterAffinity.labelSelector`).
    pub fn within(mut self, prefix: &str) -> Self {
        let path = match &mut self {
            SelectorError::InvalidKey { path, .. }
            | SelectorError::InvalidValue { path, .. }
            | SelectorError::UnsupportedOperator { path, .. }
            | SelectorError::ValuesRequired { path, .. }
            | SelectorError::ValuesForbidden { path, .. }
            | SelectorError::SingleValueRequired { path, .. }
            | SelectorError::NotAnInteger { path, .. } => path,
        };
        *path = if path.is_empty() {
            prefix.to_string()
        } else {
            format!("{prefix}.{path}")
        };
        self
    }
}
