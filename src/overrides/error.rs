//! Errors of override application.

use std::fmt;

use super::imageparser::ImageParseError;

/// What went wrong inside one overrider, before it is tied to a policy, rule and cluster.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OverriderError {
    /// A JSON patch operation could not be applied (missing path, index out of range, a
    /// parent that is not a container, `replace`/`remove` of an absent key).
    #[error("{op} operation at {path:?} does not apply: {reason}")]
    Patch {
        /// `add`, `remove` or `replace`.
        op: &'static str,
        /// The patch path.
        path: String,
        /// Why it failed.
        reason: String,
    },
    /// A JSON pointer is not well formed.
    #[error("invalid JSON pointer {path:?}: {reason}")]
    InvalidPointer {
        /// The pointer.
        path: String,
        /// Why it is invalid.
        reason: String,
    },
    /// Nothing exists at a path the overrider reads.
    #[error("no value at {path:?}")]
    MissingPath {
        /// The path.
        path: String,
    },
    /// The value at a path has the wrong JSON type.
    #[error("value at {path:?} is {found}, expected {expected}")]
    WrongType {
        /// The path.
        path: String,
        /// The JSON type needed.
        expected: &'static str,
        /// The JSON type found.
        found: &'static str,
    },
    /// A segment of an image predicate path that meets a list is not an index.
    #[error("image predicate path segment {segment:?} after a list is not an index")]
    NotAnIndex {
        /// The segment.
        segment: String,
    },
    /// An image predicate path does not start with `/`.
    #[error("image path {path:?} should start with '/'")]
    ImagePathNotAbsolute {
        /// The path.
        path: String,
    },
    /// The image found at a path is not a valid reference.
    #[error("invalid image {image:?} at {path:?}: {source}")]
    InvalidImage {
        /// Where the image is.
        path: String,
        /// The image string.
        image: String,
        /// Why it does not parse.
        #[source]
        source: ImageParseError,
    },
    /// The JSON document held in a string field does not parse, or is not an object or array.
    #[error("JSON document at {path:?} is invalid: {reason}")]
    InvalidJsonDocument {
        /// The field path.
        path: String,
        /// Why.
        reason: String,
    },
    /// The YAML document held in a string field does not parse or has no JSON form.
    #[error("YAML document at {path:?} is invalid: {reason}")]
    InvalidYamlDocument {
        /// The field path.
        path: String,
        /// Why.
        reason: String,
    },
    /// A YAML field overrider was given but fedplan was built without the `yaml` feature.
    #[error("fieldOverrider on {path:?} has yaml operations, which need the `yaml` feature")]
    YamlUnsupported {
        /// The field path.
        path: String,
    },
    /// After a patch the object is no longer an object with a string `kind`.
    #[error("the overridden object has no kind")]
    MissingKind,
}

/// Which (Cluster)OverridePolicy.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct PolicyRef {
    /// `OverridePolicy` or `ClusterOverridePolicy`.
    pub kind: &'static str,
    /// Namespace; empty for a ClusterOverridePolicy.
    pub namespace: String,
    /// Name.
    pub name: String,
}

impl fmt::Display for PolicyRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.namespace.is_empty() {
            write!(f, "{} {}", self.kind, self.name)
        } else {
            write!(f, "{} {}/{}", self.kind, self.namespace, self.name)
        }
    }
}

/// Which rule of a policy: an index into `overrideRules`, or the deprecated
/// `targetCluster`/`overriders` pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum RuleRef {
    /// `spec.overrideRules[i]`.
    Index(usize),
    /// `spec.overriders` (used when `overrideRules` is empty).
    Deprecated,
}

impl fmt::Display for RuleRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RuleRef::Index(i) => write!(f, "spec.overrideRules[{i}]"),
            RuleRef::Deprecated => f.write_str("spec.overriders"),
        }
    }
}

/// Why the overrides for one (template, cluster) pair could not be applied. No partially
/// overridden manifest is ever returned alongside it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OverrideError {
    /// The template is not a JSON object.
    #[error("the template is not a JSON object")]
    TemplateNotObject,
    /// One overrider of one rule failed.
    #[error(transparent)]
    Overrider(Box<OverriderFailure>),
}

/// One overrider of one rule failed for one cluster.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{policy} {rule} ({overrider}) for cluster {cluster} on {object}: {source}")]
pub struct OverriderFailure {
    /// The policy.
    pub policy: PolicyRef,
    /// The rule.
    pub rule: RuleRef,
    /// The overrider, e.g. `imageOverrider[1]` or `plaintext[0]`.
    pub overrider: String,
    /// The member cluster.
    pub cluster: String,
    /// The template, as `kind namespace/name`.
    pub object: String,
    /// What went wrong.
    #[source]
    pub source: OverriderError,
}
