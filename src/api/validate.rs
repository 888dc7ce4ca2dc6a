//! Validation of Karmada objects as Karmada's validating admission webhooks (and the
//! constraints of the CRD schemas that serde does not enforce) would do it.
//!
//! Every function returns all problems found, not just the first, each as a
//! [`ValidationError`] naming the object and the JSON path of the offending field
//! (`spec.placement.spreadConstraints[1].maxGroups`). An empty vector means the object is
//! admitted.
//!
//! Validate objects after [`defaults`](super::defaults): like Karmada, validation expects
//! the values the mutating webhooks and CRD defaults fill in (the permanent-id label, the
//! selector namespaces, the CRD defaults).
//!
//! ```
//! use fedplan::api::validate::{validate_propagation_policy, ValidationOptions};
//! use fedplan::api::PropagationPolicy;
//!
//! let pp: PropagationPolicy = serde_json::from_value(serde_json::json!({
//!     "apiVersion": "policy.karmada.io/v1alpha1",
//!     "kind": "PropagationPolicy",
//!     "metadata": {"name": "nginx", "namespace": "default",
//!                  "labels": {"propagationpolicy.karmada.io/permanent-id": "id-1"}},
//!     "spec": {
//!         "resourceSelectors": [{"apiVersion": "apps/v1", "kind": "Deployment",
//!                                "namespace": "default"}],
//!         "placement": {"spreadConstraints": [{"spreadByField": "region", "minGroups": 2,
//!                                              "maxGroups": 1}]}
//!     }
//! })).unwrap();
//! let errors = validate_propagation_policy(&pp, &ValidationOptions::default());
//! let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
//! assert_eq!(fields, ["spec.placement.spreadConstraints[0].maxGroups",
//!                     "spec.placement.spreadConstraints"]);
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::binding::ResourceBinding;
use super::cluster::Cluster;
use super::meta::{Condition, ObjectMeta, Taint, Toleration};
use super::override_policy::{
    ClusterOverridePolicy, FieldOverrider, OverridePolicy, OverrideSpec, OverriderOperator,
    Overriders, SubPathPatch,
};
use super::policy::{
    ClusterAffinity, ClusterPropagationPolicy, FailoverBehavior, Placement, PropagationPolicy,
    PropagationSpec, PurgeMode, ReplicaDivisionPreference, ReplicaSchedulingType, ResourceSelector,
    StatePreservation,
};
use super::taint_policy::ClusterTaintPolicy;
use super::work::Work;

/// Label the PropagationPolicy mutating webhook stamps with a generated id.
pub const PROPAGATION_POLICY_PERMANENT_ID_LABEL: &str = "propagationpolicy.karmada.io/permanent-id";
/// Label the ClusterPropagationPolicy mutating webhook stamps with a generated id.
pub const CLUSTER_PROPAGATION_POLICY_PERMANENT_ID_LABEL: &str =
    "clusterpropagationpolicy.karmada.io/permanent-id";
/// Label the ResourceBinding mutating webhook stamps with a generated id.
pub const RESOURCE_BINDING_PERMANENT_ID_LABEL: &str = "resourcebinding.karmada.io/permanent-id";
/// Label the ClusterResourceBinding mutating webhook stamps with a generated id.
pub const CLUSTER_RESOURCE_BINDING_PERMANENT_ID_LABEL: &str =
    "clusterresourcebinding.karmada.io/permanent-id";
/// Label the Work mutating webhook stamps with a generated id.
pub const WORK_PERMANENT_ID_LABEL: &str = "work.karmada.io/permanent-id";

/// What kind of problem a [`ValidationError`] reports, as Kubernetes' `field.ErrorType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FieldErrorType {
    /// A required field is missing or empty.
    Required,
    /// The value is malformed or out of range.
    Invalid,
    /// The value is not one of the supported values.
    NotSupported,
    /// The value duplicates another one that must be unique.
    Duplicate,
    /// The field may not be set (in this combination).
    Forbidden,
    /// The value is too long.
    TooLong,
}

impl FieldErrorType {
    /// Kubernetes' wording of the error type.
    pub fn as_str(self) -> &'static str {
        match self {
            FieldErrorType::Required => "Required value",
            FieldErrorType::Invalid => "Invalid value",
            FieldErrorType::NotSupported => "Unsupported value",
            FieldErrorType::Duplicate => "Duplicate value",
            FieldErrorType::Forbidden => "Forbidden",
            FieldErrorType::TooLong => "Too long",
        }
    }
}

impl fmt::Display for FieldErrorType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem with one field of one object, as a validating webhook would report it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} {}: {field}: {error_type}: {message}", object_ref(.namespace, .name))]
pub struct ValidationError {
    /// Kind of the object (`PropagationPolicy`, `Cluster`, ...).
    pub kind: String,
    /// Namespace of the object; empty for cluster-scoped objects.
    pub namespace: String,
    /// Name of the object.
    pub name: String,
    /// JSON path of the field, e.g. `spec.placement.spreadConstraints[1].maxGroups`.
    pub field: String,
    /// What kind of problem it is.
    pub error_type: FieldErrorType,
    /// Karmada's (or Kubernetes') explanation.
    pub message: String,
}

fn object_ref(namespace: &str, name: &str) -> String {
    if namespace.is_empty() {
        name.to_string()
    } else {
        format!("{namespace}/{name}")
    }
}

/// Switches that Karmada exposes as webhook flags, plus opt-in fixes of Karmada quirks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValidationOptions {
    /// karmada-webhook's `--allow-no-execute-taint-policy` (default false): whether a
    /// ClusterTaintPolicy may manage NoExecute taints.
    pub allow_no_execute_taint_policy: bool,
    /// **[quirk fix]** Karmada's check that the deprecated `spec.overriders` and
    /// `spec.overrideRules` do not co-exist ignores `fieldOverrider` entries, so an
    /// OverridePolicy whose deprecated overriders hold only field overriders is admitted
    /// and those overriders are silently ignored. `true` rejects it as well.
    pub reject_deprecated_field_overriders: bool,
    /// **[stricter than Karmada]** Karmada only refuses the `Lt`/`Gt` operators in
    /// `clusterTolerations`; `true` also applies Kubernetes' pod toleration rules (key
    /// syntax, `Exists` with an empty key, `tolerationSeconds` only for NoExecute, value
    /// syntax, known effects).
    pub kubernetes_toleration_rules: bool,
}

/// Collects the errors of one object.
struct Sink<'a> {
    kind: &'a str,
    namespace: &'a str,
    name: &'a str,
    errors: Vec<ValidationError>,
}

impl<'a> Sink<'a> {
    fn new(kind: &'a str, meta: &'a ObjectMeta) -> Self {
        Sink {
            kind,
            namespace: &meta.namespace,
            name: &meta.name,
            errors: Vec::new(),
        }
    }

    fn push(
        &mut self,
        field: impl Into<String>,
        error_type: FieldErrorType,
        message: impl Into<String>,
    ) {
        self.errors.push(ValidationError {
            kind: self.kind.to_string(),
            namespace: self.namespace.to_string(),
            name: self.name.to_string(),
            field: field.into(),
            error_type,
            message: message.into(),
        });
    }

    fn invalid(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.push(field, FieldErrorType::Invalid, message);
    }

    fn required(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.push(field, FieldErrorType::Required, message);
    }
}

// ---------------------------------------------------------------------------------------
// Kubernetes name and label syntax (apimachinery/pkg/util/validation).
// ---------------------------------------------------------------------------------------

/// Kubernetes' name syntax checks, returning Kubernetes' messages (empty when valid).
pub mod syntax {
    const QUALIFIED_NAME_MAX_LENGTH: usize = 63;
    const LABEL_VALUE_MAX_LENGTH: usize = 63;
    const DNS1123_LABEL_MAX_LENGTH: usize = 63;
    const DNS1123_SUBDOMAIN_MAX_LENGTH: usize = 253;

    const QUALIFIED_NAME_ERR: &str = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
    const LABEL_VALUE_ERR: &str = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
    const DNS1123_LABEL_ERR: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
    const DNS1123_SUBDOMAIN_ERR: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

    fn is_alnum(c: char) -> bool {
        c.is_ascii_alphanumeric()
    }

    /// `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`
    fn matches_qualified_name_part(s: &str) -> bool {
        let (Some(first), Some(last)) = (s.chars().next(), s.chars().last()) else {
            return false;
        };
        is_alnum(first)
            && is_alnum(last)
            && s.chars()
                .all(|c| is_alnum(c) || c == '-' || c == '_' || c == '.')
    }

    fn matches_dns1123_label(s: &str) -> bool {
        let (Some(first), Some(last)) = (s.chars().next(), s.chars().last()) else {
            return false;
        };
        let ok = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
        ok(first) && ok(last) && s.chars().all(|c| ok(c) || c == '-')
    }

    fn matches_dns1123_subdomain(s: &str) -> bool {
        s.split('.').all(matches_dns1123_label)
    }

    /// `IsQualifiedName`: an optional DNS-subdomain prefix and `/`, then a name of at most
    /// 63 characters.
    pub fn qualified_name(value: &str) -> Vec<String> {
        let mut errs = Vec::new();
        let parts: Vec<&str> = value.split('/').collect();
        let name = match parts.as_slice() {
            [name] => *name,
            [prefix, name] => {
                if prefix.is_empty() {
                    errs.push("prefix part must be non-empty".to_string());
                } else {
                    for msg in dns1123_subdomain(prefix) {
                        errs.push(format!("prefix part {msg}"));
                    }
                }
                *name
            }
            _ => {
                errs.push(format!("a qualified name {QUALIFIED_NAME_ERR_SHORT}"));
                return errs;
            }
        };
        if name.is_empty() {
            errs.push("name part must be non-empty".to_string());
        } else if name.len() > QUALIFIED_NAME_MAX_LENGTH {
            errs.push(format!(
                "name part must be no more than {QUALIFIED_NAME_MAX_LENGTH} bytes"
            ));
        }
        if !name.is_empty() && !matches_qualified_name_part(name) {
            errs.push(QUALIFIED_NAME_ERR.to_string());
        }
        errs
    }

    const QUALIFIED_NAME_ERR_SHORT: &str = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')";

    /// `IsValidLabelValue`.
    pub fn label_value(value: &str) -> Vec<String> {
        let mut errs = Vec::new();
        if value.len() > LABEL_VALUE_MAX_LENGTH {
            errs.push(format!(
                "must be no more than {LABEL_VALUE_MAX_LENGTH} bytes"
            ));
        }
        if !value.is_empty() && !matches_qualified_name_part(value) {
            errs.push(LABEL_VALUE_ERR.to_string());
        }
        errs
    }

    /// `IsDNS1123Label`.
    pub fn dns1123_label(value: &str) -> Vec<String> {
        let mut errs = Vec::new();
        if value.len() > DNS1123_LABEL_MAX_LENGTH {
            errs.push(format!(
                "must be no more than {DNS1123_LABEL_MAX_LENGTH} bytes"
            ));
        }
        if !matches_dns1123_label(value) {
            errs.push(DNS1123_LABEL_ERR.to_string());
        }
        errs
    }

    /// `IsDNS1123Subdomain`.
    pub fn dns1123_subdomain(value: &str) -> Vec<String> {
        let mut errs = Vec::new();
        if value.len() > DNS1123_SUBDOMAIN_MAX_LENGTH {
            errs.push(format!(
                "must be no more than {DNS1123_SUBDOMAIN_MAX_LENGTH} bytes"
            ));
        }
        if !matches_dns1123_subdomain(value) {
            errs.push(DNS1123_SUBDOMAIN_ERR.to_string());
        }
        errs
    }

    /// go-openapi's `jsonpointer.New`: a pointer is empty or starts with `/`.
    pub fn json_pointer(value: &str) -> Vec<String> {
        if value.is_empty() || value.starts_with('/') {
            Vec::new()
        } else {
            vec!["JSON pointer must be empty or start with a \"/\"".to_string()]
        }
    }
}

fn check_qualified_name(sink: &mut Sink<'_>, field: &str, value: &str) {
    for msg in syntax::qualified_name(value) {
        sink.invalid(field, format!("{value:?}: {msg}"));
    }
}

fn check_label_value(sink: &mut Sink<'_>, field: &str, value: &str) {
    let errs = syntax::label_value(value);
    if !errs.is_empty() {
        sink.invalid(field, format!("{value:?}: {}", errs.join(";")));
    }
}

/// `metav1validation.ValidateLabels`: keys are qualified names, values label values.
fn check_labels(sink: &mut Sink<'_>, field: &str, labels: &BTreeMap<String, String>) {
    for (key, value) in labels {
        check_qualified_name(sink, field, key);
        check_label_value(sink, field, value);
    }
}

/// `apivalidation.ValidateAnnotations`: keys are qualified names (checked lowercased), and
/// the total size is at most 256 KiB.
fn check_annotations(sink: &mut Sink<'_>, field: &str, annotations: &BTreeMap<String, String>) {
    const TOTAL_ANNOTATION_SIZE_LIMIT: usize = 256 * 1024;
    let mut total = 0usize;
    for (key, value) in annotations {
        check_qualified_name(sink, field, &key.to_lowercase());
        total += key.len() + value.len();
    }
    if total > TOTAL_ANNOTATION_SIZE_LIMIT {
        sink.push(
            field,
            FieldErrorType::TooLong,
            format!("annotations may not have more than {TOTAL_ANNOTATION_SIZE_LIMIT} bytes"),
        );
    }
}

/// Object metadata as the API server checks it for a custom resource: a DNS-subdomain
/// name, and a DNS-label namespace on namespaced kinds.
fn check_object_meta(sink: &mut Sink<'_>, meta: &ObjectMeta, namespaced: bool) {
    if meta.name.is_empty() {
        if meta.generate_name.as_deref().unwrap_or("").is_empty() {
            sink.required("metadata.name", "name or generateName is required");
        }
    } else {
        for msg in syntax::dns1123_subdomain(&meta.name) {
            sink.invalid("metadata.name", format!("{:?}: {msg}", meta.name));
        }
    }
    if namespaced {
        if meta.namespace.is_empty() {
            sink.required(
                "metadata.namespace",
                "namespace is required for a namespaced kind",
            );
        } else {
            for msg in syntax::dns1123_label(&meta.namespace) {
                sink.invalid("metadata.namespace", format!("{:?}: {msg}", meta.namespace));
            }
        }
    }
    check_labels(sink, "metadata.labels", &meta.labels);
    check_annotations(sink, "metadata.annotations", &meta.annotations);
}

// ---------------------------------------------------------------------------------------
// (Cluster)PropagationPolicy
// ---------------------------------------------------------------------------------------

/// Validates a PropagationPolicy as Karmada's PropagationPolicy validating webhook does,
/// plus the CRD constraints serde leaves open.
pub fn validate_propagation_policy(
    policy: &PropagationPolicy,
    options: &ValidationOptions,
) -> Vec<ValidationError> {
    let kind = kind_or(&policy.kind, "PropagationPolicy");
    let mut sink = Sink::new(kind, &policy.metadata);
    check_object_meta(&mut sink, &policy.metadata, true);
    check_permanent_id(
        &mut sink,
        &policy.metadata,
        PROPAGATION_POLICY_PERMANENT_ID_LABEL,
    );
    check_propagation_spec(
        &mut sink,
        &policy.spec,
        Some(&policy.metadata.namespace),
        options,
    );
    sink.errors
}

/// Validates a ClusterPropagationPolicy as Karmada's ClusterPropagationPolicy validating
/// webhook does, plus the CRD constraints serde leaves open.
pub fn validate_cluster_propagation_policy(
    policy: &ClusterPropagationPolicy,
    options: &ValidationOptions,
) -> Vec<ValidationError> {
    let kind = kind_or(&policy.kind, "ClusterPropagationPolicy");
    let mut sink = Sink::new(kind, &policy.metadata);
    check_object_meta(&mut sink, &policy.metadata, false);
    check_permanent_id(
        &mut sink,
        &policy.metadata,
        CLUSTER_PROPAGATION_POLICY_PERMANENT_ID_LABEL,
    );
    check_propagation_spec(&mut sink, &policy.spec, None, options);
    sink.errors
}

/// What Karmada's (Cluster)PropagationPolicy webhooks refuse on update, beyond what
/// [`validate_propagation_policy`] checks on the new object: a changed `schedulerName` and
/// a changed permanent-id label. `kind` is `PropagationPolicy` or
/// `ClusterPropagationPolicy`; `new_meta`/`old_meta` and `new_spec`/`old_spec` are the two
/// versions of the object.
pub fn validate_propagation_policy_update(
    kind: &str,
    new_meta: &ObjectMeta,
    new_spec: &PropagationSpec,
    old_meta: &ObjectMeta,
    old_spec: &PropagationSpec,
) -> Vec<ValidationError> {
    let mut sink = Sink::new(kind, new_meta);
    if new_spec.scheduler_name != old_spec.scheduler_name {
        sink.push(
            "spec.schedulerName",
            FieldErrorType::Forbidden,
            "the schedulerName should not be updated",
        );
    }
    let label = if kind == "ClusterPropagationPolicy" {
        CLUSTER_PROPAGATION_POLICY_PERMANENT_ID_LABEL
    } else {
        PROPAGATION_POLICY_PERMANENT_ID_LABEL
    };
    if new_meta.labels.get(label) != old_meta.labels.get(label) {
        sink.push(
            "metadata.labels",
            FieldErrorType::Forbidden,
            format!("label {label} is immutable, it can only be set by the system during creation"),
        );
    }
    sink.errors
}

fn kind_or<'a>(kind: &'a str, fallback: &'a str) -> &'a str {
    if kind.is_empty() {
        fallback
    } else {
        kind
    }
}

fn check_permanent_id(sink: &mut Sink<'_>, meta: &ObjectMeta, label: &str) {
    if !meta.labels.contains_key(label) {
        sink.required(
            "metadata.labels",
            format!(
                "label {label} is required, it should be set by the mutating admission webhook during creation"
            ),
        );
    }
}

fn check_propagation_spec(
    sink: &mut Sink<'_>,
    spec: &PropagationSpec,
    namespace: Option<&str>,
    options: &ValidationOptions,
) {
    if spec.resource_selectors.is_empty() {
        sink.required(
            "spec.resourceSelectors",
            "at least one resource selector is required",
        );
    }
    if let Some(namespace) = namespace {
        check_selector_namespaces(sink, &spec.resource_selectors, namespace);
    }
    check_placement(sink, &spec.placement, "spec.placement", options);
    if spec
        .failover
        .as_ref()
        .is_some_and(|f| f.application.is_some())
        && !spec.propagate_deps
    {
        sink.invalid(
            "spec.propagateDeps",
            "application failover is set, propagateDeps must be true",
        );
    }
    if let Some(failover) = &spec.failover {
        check_failover(sink, failover, "spec.failover");
    }
    if spec.preemption == Some(super::policy::PreemptionPolicy::Always) {
        for (i, selector) in spec.resource_selectors.iter().enumerate() {
            if selector.name.is_empty() {
                sink.invalid(
                    format!("spec.resourceSelectors[{i}].name"),
                    "name cannot be empty if preemption is Always, the empty name may cause unexpected resources preemption",
                );
            }
        }
    }
    if let Some(suspension) = &spec.suspension {
        let dispatching = suspension.dispatching == Some(true);
        let on_clusters = suspension
            .dispatching_on_clusters
            .as_ref()
            .is_some_and(|c| !c.cluster_names.is_empty());
        if dispatching && on_clusters {
            sink.invalid(
                "spec.suspension",
                "suspension dispatching cannot co-exist with dispatchingOnClusters.clusterNames",
            );
        }
    }
    if let Some(priority) = &spec.schedule_priority {
        if priority.priority_class_source != "KubePriorityClass" {
            sink.push(
                "spec.schedulePriority.priorityClassSource",
                FieldErrorType::NotSupported,
                format!(
                    "{:?}: supported values: \"KubePriorityClass\"",
                    priority.priority_class_source
                ),
            );
        }
        if priority.priority_class_name.is_empty() {
            sink.required(
                "spec.schedulePriority.priorityClassName",
                "priorityClassName is required",
            );
        }
    }
}

fn check_selector_namespaces(sink: &mut Sink<'_>, selectors: &[ResourceSelector], namespace: &str) {
    for (i, selector) in selectors.iter().enumerate() {
        if selector.namespace != namespace {
            sink.invalid(
                format!("spec.resourceSelectors[{i}].namespace"),
                format!(
                    "{:?}: namespace of resource selector must be equal to the namespace of the policy",
                    selector.namespace
                ),
            );
        }
    }
}

/// Validates a placement (as embedded in a policy or a binding) at `path`.
fn check_placement(
    sink: &mut Sink<'_>,
    placement: &Placement,
    path: &str,
    options: &ValidationOptions,
) {
    if placement.cluster_affinity.is_some() && !placement.cluster_affinities.is_empty() {
        sink.invalid(
            path,
            "clusterAffinities cannot co-exist with clusterAffinity",
        );
    }
    if let Some(affinity) = &placement.cluster_affinity {
        check_cluster_affinity(sink, affinity, &format!("{path}.clusterAffinity"));
    }
    check_cluster_affinities(sink, placement, &format!("{path}.clusterAffinities"));
    check_tolerations(
        sink,
        &placement.cluster_tolerations,
        &format!("{path}.clusterTolerations"),
        options.kubernetes_toleration_rules,
    );
    check_spread_constraints(sink, placement, &format!("{path}.spreadConstraints"));
    if let Some(rs) = &placement.replica_scheduling {
        if let Some(weights) = &rs.weight_preference {
            for (i, w) in weights.static_weight_list.iter().enumerate() {
                let wpath =
                    format!("{path}.replicaScheduling.weightPreference.staticWeightList[{i}]");
                if w.weight < 1 {
                    sink.invalid(
                        format!("{wpath}.weight"),
                        format!("{}: should be greater than or equal to 1", w.weight),
                    );
                }
            }
        }
    }
    if let Some(wa) = &placement.workload_affinity {
        let wpath = format!("{path}.workloadAffinity");
        if let Some(a) = &wa.affinity {
            check_qualified_name(
                sink,
                &format!("{wpath}.affinity.groupByLabelKey"),
                &a.group_by_label_key,
            );
        }
        if let Some(a) = &wa.anti_affinity {
            check_qualified_name(
                sink,
                &format!("{wpath}.antiAffinity.groupByLabelKey"),
                &a.group_by_label_key,
            );
        }
        if let (Some(a), Some(b)) = (&wa.affinity, &wa.anti_affinity) {
            if a.group_by_label_key == b.group_by_label_key {
                sink.invalid(
                    wpath,
                    "affinity and antiAffinity must not use the same groupByLabelKey",
                );
            }
        }
    }
}

/// `fieldSelector` keys are `provider`, `region` or `zone`; operators `In` or `NotIn`.
fn check_cluster_affinity(sink: &mut Sink<'_>, affinity: &ClusterAffinity, path: &str) {
    let Some(fs) = &affinity.field_selector else {
        return;
    };
    for (i, req) in fs.match_expressions.iter().enumerate() {
        let rpath = format!("{path}.fieldSelector.matchExpressions[{i}]");
        if !matches!(req.key.as_str(), "provider" | "region" | "zone") {
            sink.push(
                format!("{rpath}.key"),
                FieldErrorType::NotSupported,
                format!(
                    "unsupported key {:?}, must be provider, region, or zone",
                    req.key
                ),
            );
        }
        if !matches!(req.operator.as_str(), "In" | "NotIn") {
            sink.push(
                format!("{rpath}.operator"),
                FieldErrorType::NotSupported,
                format!(
                    "unsupported operator {:?}, must be In or NotIn",
                    req.operator
                ),
            );
        }
    }
}

fn affinity_is_empty(a: &ClusterAffinity) -> bool {
    a.label_selector.is_none()
        && a.field_selector.is_none()
        && a.cluster_names.is_empty()
        && a.exclude.is_empty()
}

fn check_affinity_name(sink: &mut Sink<'_>, path: &str, name: &str) {
    if name.is_empty() {
        sink.required(path, "affinityName is required");
        return;
    }
    if name.len() > 32 {
        sink.push(
            path,
            FieldErrorType::TooLong,
            format!("{name:?}: may not be more than 32 bytes"),
        );
    }
    check_qualified_name(sink, path, name);
}

fn check_cluster_affinities(sink: &mut Sink<'_>, placement: &Placement, path: &str) {
    let mut names = BTreeSet::new();
    let mut any_overflow = false;
    for (i, term) in placement.cluster_affinities.iter().enumerate() {
        let tpath = format!("{path}[{i}]");
        check_affinity_name(sink, &format!("{tpath}.affinityName"), &term.affinity_name);
        if !names.insert(term.affinity_name.as_str()) {
            sink.push(
                format!("{tpath}.affinityName"),
                FieldErrorType::Duplicate,
                "each affinity term in a policy must have a unique name",
            );
        }
        check_cluster_affinity(sink, &term.affinity, &tpath);
        if term.overflow_affinities.is_empty() {
            continue;
        }
        any_overflow = true;
        if affinity_is_empty(&term.affinity) {
            sink.invalid(
                format!("{tpath}.overflowAffinities"),
                "overflowAffinities can only be used together with the inline ClusterAffinity",
            );
        }
        let mut overflow_names = BTreeSet::from([term.affinity_name.as_str()]);
        for (j, overflow) in term.overflow_affinities.iter().enumerate() {
            let opath = format!("{tpath}.overflowAffinities[{j}]");
            check_affinity_name(
                sink,
                &format!("{opath}.affinityName"),
                &overflow.affinity_name,
            );
            if !overflow_names.insert(overflow.affinity_name.as_str()) {
                sink.push(
                    format!("{opath}.affinityName"),
                    FieldErrorType::Duplicate,
                    "overflow affinity name must be unique and must not duplicate the primary group's affinityName",
                );
            }
            check_cluster_affinity(sink, &overflow.affinity, &opath);
        }
    }
    if any_overflow && !supports_overflow(placement) {
        sink.invalid(
            path,
            "overflowAffinities can only be used together with dynamic weight or aggregated scheduling",
        );
    }
}

/// Overflow tiers need Divided+Aggregated or Divided+Weighted with a dynamic weight.
fn supports_overflow(placement: &Placement) -> bool {
    let Some(rs) = &placement.replica_scheduling else {
        return false;
    };
    if rs
        .replica_scheduling_type
        .unwrap_or(ReplicaSchedulingType::Divided)
        != ReplicaSchedulingType::Divided
    {
        return false;
    }
    match rs.replica_division_preference {
        Some(ReplicaDivisionPreference::Aggregated) => true,
        Some(ReplicaDivisionPreference::Weighted) => rs
            .weight_preference
            .as_ref()
            .is_some_and(|w| w.dynamic_weight.is_some()),
        None => false,
    }
}

/// `clusterTolerations`: Karmada refuses only the numeric `Lt`/`Gt` operators (Kubernetes
/// 1.35's alpha TaintTolerationComparisonOperators). With
/// [`ValidationOptions::kubernetes_toleration_rules`], the rest of Kubernetes' pod
/// toleration rules apply too.
fn check_tolerations(sink: &mut Sink<'_>, tolerations: &[Toleration], path: &str, full: bool) {
    for (i, t) in tolerations.iter().enumerate() {
        let tpath = format!("{path}[{i}]");
        if matches!(t.operator.as_str(), "Lt" | "Gt") {
            sink.push(
                format!("{tpath}.operator"),
                FieldErrorType::NotSupported,
                format!("{:?}: supported values: \"Equal\", \"Exists\"", t.operator),
            );
            continue;
        }
        if full {
            check_toleration_syntax(sink, t, &tpath);
        }
    }
}

/// Kubernetes' `ValidateTolerations` for one toleration (operators `Lt`/`Gt` excluded
/// beforehand).
fn check_toleration_syntax(sink: &mut Sink<'_>, t: &Toleration, tpath: &str) {
    if !t.key.is_empty() {
        check_qualified_name(sink, &format!("{tpath}.key"), &t.key);
    } else if t.operator != "Exists" {
        sink.invalid(
            format!("{tpath}.operator"),
            format!(
                "{:?}: operator must be Exists when `key` is empty, which means \"match all values and all keys\"",
                t.operator
            ),
        );
    }
    if t.toleration_seconds.is_some() && t.effect != "NoExecute" {
        sink.invalid(
            format!("{tpath}.effect"),
            format!(
                "{:?}: effect must be 'NoExecute' when `tolerationSeconds` is set",
                t.effect
            ),
        );
    }
    match t.operator.as_str() {
        "" | "Equal" => check_label_value(sink, &format!("{tpath}.value"), &t.value),
        "Exists" => {
            if !t.value.is_empty() {
                sink.invalid(
                    format!("{tpath}.value"),
                    "value must be empty when `operator` is 'Exists'",
                );
            }
        }
        other => sink.push(
            format!("{tpath}.operator"),
            FieldErrorType::NotSupported,
            format!("{other:?}: supported values: \"Equal\", \"Exists\""),
        ),
    }
    if !t.effect.is_empty() {
        check_taint_effect(sink, &format!("{tpath}.effect"), &t.effect);
    }
}

fn check_taint_effect(sink: &mut Sink<'_>, path: &str, effect: &str) {
    if !matches!(effect, "NoSchedule" | "PreferNoSchedule" | "NoExecute") {
        sink.push(
            path,
            FieldErrorType::NotSupported,
            format!(
                "{effect:?}: supported values: \"NoSchedule\", \"PreferNoSchedule\", \"NoExecute\""
            ),
        );
    }
}

fn check_spread_constraints(sink: &mut Sink<'_>, placement: &Placement, path: &str) {
    let constraints = &placement.spread_constraints;
    let mut seen_fields = BTreeSet::new();
    let mut reported = BTreeSet::new();
    for (i, c) in constraints.iter().enumerate() {
        let cpath = format!("{path}[{i}]");
        if c.spread_by_field.is_some() && !c.spread_by_label.is_empty() {
            sink.invalid(
                format!("{cpath}.spreadByLabel"),
                "spreadByLabel should not co-exist with spreadByField",
            );
        }
        if c.min_groups < 0 {
            sink.invalid(
                format!("{cpath}.minGroups"),
                format!("{}: minGroups lower than 0 is not allowed", c.min_groups),
            );
        }
        if c.max_groups < 0 {
            sink.invalid(
                format!("{cpath}.maxGroups"),
                format!("{}: maxGroups lower than 0 is not allowed", c.max_groups),
            );
        }
        if c.max_groups > 0 && c.max_groups < c.min_groups {
            sink.invalid(
                format!("{cpath}.maxGroups"),
                format!(
                    "{}: maxGroups lower than minGroups ({}) is not allowed",
                    c.max_groups, c.min_groups
                ),
            );
        }
        if let Some(field) = c.spread_by_field {
            if !seen_fields.insert(field) && reported.insert(field) {
                sink.push(
                    format!("{cpath}.spreadByField"),
                    FieldErrorType::Duplicate,
                    format!(
                        "multiple {} spread constraints are not allowed",
                        field.as_str()
                    ),
                );
            }
        }
    }
    if !seen_fields.is_empty() && !seen_fields.contains(&super::policy::SpreadByField::Cluster) {
        sink.invalid(
            path,
            "the cluster spread constraint must be enabled in one of the constraints in case of SpreadByField is enabled",
        );
    }
}

fn check_failover(sink: &mut Sink<'_>, failover: &FailoverBehavior, path: &str) {
    if let Some(app) = &failover.application {
        let apath = format!("{path}.application");
        if let Some(secs) = app.decision_conditions.toleration_seconds {
            if secs < 0 {
                sink.invalid(
                    format!("{apath}.decisionConditions.tolerationSeconds"),
                    format!("{secs}: must be greater than or equal to 0"),
                );
            }
        }
        // An absent purge mode is what the CRD defaults to Gracefully.
        let graceful = app.purge_mode.unwrap_or(PurgeMode::Gracefully) == PurgeMode::Gracefully;
        match (graceful, app.grace_period_seconds) {
            (false, Some(secs)) => sink.invalid(
                format!("{apath}.gracePeriodSeconds"),
                format!("{secs}: only takes effect when purgeMode is gracefully"),
            ),
            (true, None) => sink.required(
                format!("{apath}.gracePeriodSeconds"),
                "should not be empty when purgeMode is gracefully",
            ),
            _ => {}
        }
        if let Some(secs) = app.grace_period_seconds {
            if secs <= 0 {
                sink.invalid(
                    format!("{apath}.gracePeriodSeconds"),
                    format!("{secs}: must be greater than 0"),
                );
            }
        }
        if let Some(sp) = &app.state_preservation {
            check_state_preservation(sink, sp, &format!("{apath}.statePreservation"));
        }
    }
    if let Some(cluster) = &failover.cluster {
        let cpath = format!("{path}.cluster");
        if cluster.purge_mode == Some(PurgeMode::Never) {
            sink.push(
                format!("{cpath}.purgeMode"),
                FieldErrorType::NotSupported,
                "\"Never\": supported values: \"Directly\", \"Gracefully\"",
            );
        }
        if let Some(sp) = &cluster.state_preservation {
            check_state_preservation(sink, sp, &format!("{cpath}.statePreservation"));
        }
    }
}

fn check_state_preservation(sink: &mut Sink<'_>, sp: &StatePreservation, path: &str) {
    for (i, rule) in sp.rules.iter().enumerate() {
        check_qualified_name(
            sink,
            &format!("{path}.rules[{i}].aliasLabelName"),
            &rule.alias_label_name,
        );
    }
}

// ---------------------------------------------------------------------------------------
// (Cluster)OverridePolicy
// ---------------------------------------------------------------------------------------

/// Validates an OverridePolicy as Karmada's OverridePolicy validating webhook does, plus
/// the CRD constraints serde leaves open.
pub fn validate_override_policy(
    policy: &OverridePolicy,
    options: &ValidationOptions,
) -> Vec<ValidationError> {
    let kind = kind_or(&policy.kind, "OverridePolicy");
    let mut sink = Sink::new(kind, &policy.metadata);
    check_object_meta(&mut sink, &policy.metadata, true);
    check_selector_namespaces(
        &mut sink,
        &policy.spec.resource_selectors,
        &policy.metadata.namespace,
    );
    check_override_spec(&mut sink, &policy.spec, options);
    sink.errors
}

/// Validates a ClusterOverridePolicy as Karmada's ClusterOverridePolicy validating webhook
/// does, plus the CRD constraints serde leaves open.
pub fn validate_cluster_override_policy(
    policy: &ClusterOverridePolicy,
    options: &ValidationOptions,
) -> Vec<ValidationError> {
    let kind = kind_or(&policy.kind, "ClusterOverridePolicy");
    let mut sink = Sink::new(kind, &policy.metadata);
    check_object_meta(&mut sink, &policy.metadata, false);
    check_override_spec(&mut sink, &policy.spec, options);
    sink.errors
}

fn deprecated_overriders_empty(o: &Overriders, options: &ValidationOptions) -> bool {
    o.plaintext.is_empty()
        && o.image_overrider.is_empty()
        && o.command_overrider.is_empty()
        && o.args_overrider.is_empty()
        && o.labels_overrider.is_empty()
        && o.annotations_overrider.is_empty()
        && (!options.reject_deprecated_field_overriders || o.field_overrider.is_empty())
}

fn check_override_spec(sink: &mut Sink<'_>, spec: &OverrideSpec, options: &ValidationOptions) {
    if let Some(target) = &spec.target_cluster {
        check_cluster_affinity(sink, target, "spec.targetCluster");
        if !spec.override_rules.is_empty() {
            sink.invalid(
                "spec.targetCluster",
                "overrideRules and targetCluster can't co-exist",
            );
        }
    }
    if let Some(overriders) = &spec.overriders {
        if !spec.override_rules.is_empty() && !deprecated_overriders_empty(overriders, options) {
            sink.invalid(
                "spec.overriders",
                "overrideRules and overriders can't co-exist",
            );
        }
        // The deprecated overriders are not checked by Karmada's webhook, only by the CRD
        // schema.
        check_overrider_schema(sink, overriders, "spec.overriders");
    }
    for (i, rule) in spec.override_rules.iter().enumerate() {
        let rpath = format!("spec.overrideRules[{i}]");
        let opath = format!("{rpath}.overriders");
        check_overrider_schema(sink, &rule.overriders, &opath);
        check_overriders(sink, &rule.overriders, &opath);
        if let Some(target) = &rule.target_cluster {
            check_cluster_affinity(sink, target, &format!("{rpath}.targetCluster"));
        }
    }
}

/// CRD-level constraints of an overriders block: command and args take `add` or `remove`.
fn check_overrider_schema(sink: &mut Sink<'_>, o: &Overriders, path: &str) {
    for (name, list) in [
        ("commandOverrider", &o.command_overrider),
        ("argsOverrider", &o.args_overrider),
    ] {
        for (i, c) in list.iter().enumerate() {
            if c.operator == OverriderOperator::Replace {
                sink.push(
                    format!("{path}.{name}[{i}].operator"),
                    FieldErrorType::NotSupported,
                    "\"replace\": supported values: \"add\", \"remove\"",
                );
            }
        }
    }
}

fn check_overriders(sink: &mut Sink<'_>, o: &Overriders, path: &str) {
    for (i, a) in o.annotations_overrider.iter().enumerate() {
        check_annotations(
            sink,
            &format!("{path}.annotationsOverrider[{i}].value"),
            &a.value,
        );
    }
    for (i, l) in o.labels_overrider.iter().enumerate() {
        check_labels(
            sink,
            &format!("{path}.labelsOverrider[{i}].value"),
            &l.value,
        );
    }
    for (i, image) in o.image_overrider.iter().enumerate() {
        if let Some(predicate) = &image.predicate {
            let ppath = format!("{path}.imageOverrider[{i}].predicate.path");
            for msg in syntax::json_pointer(&predicate.path) {
                sink.invalid(&ppath, format!("{:?}: {msg}", predicate.path));
            }
        }
    }
    for (i, p) in o.plaintext.iter().enumerate() {
        let ppath = format!("{path}.plaintext[{i}].path");
        for msg in syntax::json_pointer(&p.path) {
            sink.invalid(&ppath, format!("{:?}: {msg}", p.path));
        }
    }
    for (i, f) in o.field_overrider.iter().enumerate() {
        check_field_overrider(sink, f, &format!("{path}.fieldOverrider[{i}]"));
    }
}

fn check_field_overrider(sink: &mut Sink<'_>, f: &FieldOverrider, path: &str) {
    match (f.yaml.is_empty(), f.json.is_empty()) {
        (false, false) => sink.invalid(
            path,
            "FieldOverrider has both YAML and JSON set. Only one is allowed",
        ),
        (true, true) => sink.invalid(path, "FieldOverrider must have either YAML or JSON set"),
        _ => {}
    }
    for msg in syntax::json_pointer(&f.field_path) {
        sink.invalid(
            format!("{path}.fieldPath"),
            format!("{:?}: {msg}", f.field_path),
        );
    }
    check_sub_path_patches(sink, &f.json, &format!("{path}.json"));
    check_sub_path_patches(sink, &f.yaml, &format!("{path}.yaml"));
}

fn check_sub_path_patches(sink: &mut Sink<'_>, patches: &[SubPathPatch], path: &str) {
    for (i, p) in patches.iter().enumerate() {
        let ppath = format!("{path}[{i}]");
        for msg in syntax::json_pointer(&p.sub_path) {
            sink.invalid(
                format!("{ppath}.subPath"),
                format!("{:?}: {msg}", p.sub_path),
            );
        }
        let has_value = p.value.as_ref().is_some_and(|v| !v.is_null());
        match p.operator {
            OverriderOperator::Add | OverriderOperator::Replace if !has_value => sink.invalid(
                format!("{ppath}.value"),
                "value is required for add or replace operation",
            ),
            OverriderOperator::Remove if has_value => sink.push(
                format!("{ppath}.value"),
                FieldErrorType::Invalid,
                "value is not allowed for remove operation",
            ),
            _ => {}
        }
    }
}

// ---------------------------------------------------------------------------------------
// ClusterTaintPolicy
// ---------------------------------------------------------------------------------------

/// Validates a ClusterTaintPolicy as Karmada's ClusterTaintPolicy validating webhook does,
/// plus the CRD constraints serde leaves open.
pub fn validate_cluster_taint_policy(
    policy: &ClusterTaintPolicy,
    options: &ValidationOptions,
) -> Vec<ValidationError> {
    let kind = kind_or(&policy.kind, "ClusterTaintPolicy");
    let mut sink = Sink::new(kind, &policy.metadata);
    check_object_meta(&mut sink, &policy.metadata, false);
    let taints = &policy.spec.taints;
    if taints.is_empty() {
        sink.required("spec.taints", "at least one taint is required");
    }
    for (i, taint) in taints.iter().enumerate() {
        let tpath = format!("spec.taints[{i}]");
        if !options.allow_no_execute_taint_policy && taint.effect == "NoExecute" {
            sink.push(
                tpath.clone(),
                FieldErrorType::Forbidden,
                "Configuring taint with NoExecute effect is not allowed, this capability must be explicitly enabled by administrators through command-line flags",
            );
        }
        if taints[i + 1..]
            .iter()
            .any(|t| t.key == taint.key && t.effect == taint.effect)
        {
            sink.push(
                tpath,
                FieldErrorType::Duplicate,
                format!(
                    "Duplicate taint with the same key({}) and effect({}) is not allowed",
                    taint.key, taint.effect
                ),
            );
        }
    }
    if let Some(target) = &policy.spec.target_clusters {
        check_cluster_affinity(&mut sink, target, "spec.targetClusters");
    }
    sink.errors
}

// ---------------------------------------------------------------------------------------
// Cluster
// ---------------------------------------------------------------------------------------

/// Validates a Cluster as Karmada's aggregated API server does on create.
pub fn validate_cluster(cluster: &Cluster, _options: &ValidationOptions) -> Vec<ValidationError> {
    let kind = kind_or(&cluster.kind, "Cluster");
    let mut sink = Sink::new(kind, &cluster.metadata);
    let name = &cluster.metadata.name;
    if name.is_empty() {
        sink.required("metadata.name", "must be not empty");
    } else if name.len() > 48 {
        sink.push(
            "metadata.name",
            FieldErrorType::TooLong,
            "must be no more than 48 characters",
        );
    } else {
        for msg in syntax::dns1123_label(name) {
            sink.invalid("metadata.name", format!("{name:?}: {msg}"));
        }
    }
    check_labels(&mut sink, "metadata.labels", &cluster.metadata.labels);
    check_annotations(
        &mut sink,
        "metadata.annotations",
        &cluster.metadata.annotations,
    );
    let spec = &cluster.spec;
    if spec.sync_mode.is_empty() {
        sink.required("spec.syncMode", "syncMode is required");
    } else if !matches!(spec.sync_mode.as_str(), "Push" | "Pull") {
        sink.push(
            "spec.syncMode",
            FieldErrorType::NotSupported,
            format!("{:?}: supported values: \"Pull\", \"Push\"", spec.sync_mode),
        );
    }
    if !spec.api_endpoint.is_empty() {
        check_api_endpoint(&mut sink, &spec.api_endpoint);
    }
    for (field, secret) in [
        ("secretRef", &spec.secret_ref),
        ("impersonatorSecretRef", &spec.impersonator_secret_ref),
    ] {
        if let Some(secret) = secret {
            for part in ["namespace", "name"] {
                if secret
                    .get(part)
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .is_empty()
                {
                    sink.required(
                        format!("spec.{field}.{part}"),
                        format!("{part} is required"),
                    );
                }
            }
        }
    }
    if !spec.proxy_url.is_empty() {
        match parse_url(&spec.proxy_url) {
            Err(msg) => sink.invalid("spec.proxyURL", format!("{:?}: {msg}", spec.proxy_url)),
            Ok(url) => {
                if !matches!(url.scheme, "http" | "https" | "socks5") {
                    sink.invalid(
                        "spec.proxyURL",
                        format!(
                            "unsupported scheme {:?}, must be http, https, or socks5",
                            url.scheme
                        ),
                    );
                }
            }
        }
    }
    check_cluster_taints(&mut sink, &spec.taints);
    check_resource_models(&mut sink, cluster);
    sink.errors
}

fn check_cluster_taints(sink: &mut Sink<'_>, taints: &[Taint]) {
    let mut seen = BTreeSet::new();
    for (i, t) in taints.iter().enumerate() {
        let tpath = format!("spec.taints[{i}]");
        check_qualified_name(sink, &format!("{tpath}.key"), &t.key);
        check_label_value(sink, &format!("{tpath}.value"), &t.value);
        if t.effect.is_empty() {
            sink.required(format!("{tpath}.effect"), "effect is required");
        } else {
            check_taint_effect(sink, &format!("{tpath}.effect"), &t.effect);
        }
        if !seen.insert((t.effect.as_str(), t.key.as_str())) {
            sink.push(
                tpath,
                FieldErrorType::Duplicate,
                "taints must be unique by key and effect pair",
            );
        }
    }
}

/// Karmada's resource-model checks; like Karmada, only the first problem is reported.
fn check_resource_models(sink: &mut Sink<'_>, cluster: &Cluster) {
    let models = &cluster.spec.resource_models;
    let path = "spec.resourceModels";
    let supported = ["cpu", "ephemeral-storage", "memory", "storage"];
    let max = super::Quantity::from_units(i64::MAX);
    for (i, model) in models.iter().enumerate() {
        let previous = i.checked_sub(1).and_then(|p| models.get(p));
        if let Some(prev) = previous {
            if prev.grade == model.grade {
                return sink.invalid(path, "The grade of each models should not be the same");
            }
            if prev.ranges.len() != model.ranges.len() {
                return sink.invalid(path, "The number of resource types should be the same");
            }
        }
        for (j, range) in model.ranges.iter().enumerate() {
            if !supported.contains(&range.name.as_str()) {
                return sink.push(
                    format!("{path}.ranges.name"),
                    FieldErrorType::NotSupported,
                    format!(
                        "{:?}: supported values: \"cpu\", \"ephemeral-storage\", \"memory\", \"storage\"",
                        range.name
                    ),
                );
            }
            if range.max <= range.min {
                return sink.invalid(
                    path,
                    "The max value of each resource must be greater than the min value",
                );
            }
            match previous.and_then(|p| p.ranges.get(j)) {
                None if i == 0 && !range.min.is_zero() => {
                    return sink.invalid(
                        path,
                        "The min value of each resource in the first model should be 0",
                    );
                }
                Some(prev) if prev.name != range.name => {
                    return sink
                        .invalid(path, "The resource types of each models should be the same");
                }
                Some(prev) if prev.max != range.min => {
                    return sink.invalid(
                        path,
                        "Model intervals for resources must be contiguous and non-overlapping",
                    );
                }
                _ => {}
            }
            if i + 1 == models.len() && range.max != max {
                return sink.invalid(
                    path,
                    "The max value of each resource in the last model should be MaxInt64",
                );
            }
        }
    }
}

/// The parts of a URL that Karmada's checks look at.
struct UrlParts<'a> {
    scheme: &'a str,
    host: &'a str,
    user: bool,
    query: bool,
    fragment: bool,
}

/// A small RFC 3986 splitter that fails where Go's `url.Parse` does for the inputs that
/// matter here (a scheme-less `host:port`).
fn parse_url(s: &str) -> Result<UrlParts<'_>, String> {
    let (rest, fragment) = match s.split_once('#') {
        Some((r, _)) => (r, true),
        None => (s, false),
    };
    let (rest, query) = match rest.split_once('?') {
        Some((r, q)) => (r, !q.is_empty()),
        None => (rest, false),
    };
    let mut scheme = "";
    let mut after = rest;
    if let Some(colon) = rest.find(':') {
        let candidate = &rest[..colon];
        let valid_scheme = candidate
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
            && candidate
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
        if valid_scheme {
            scheme = candidate;
            after = &rest[colon + 1..];
        } else if !candidate.contains('/') {
            return Err("first path segment in URL cannot contain colon".to_string());
        }
    }
    let Some(authority_and_path) = after.strip_prefix("//") else {
        return Ok(UrlParts {
            scheme,
            host: "",
            user: false,
            query,
            fragment,
        });
    };
    let authority = authority_and_path.split('/').next().unwrap_or("");
    let (user, host) = match authority.rsplit_once('@') {
        Some((_, h)) => (true, h),
        None => (false, authority),
    };
    Ok(UrlParts {
        scheme,
        host,
        user,
        query,
        fragment,
    })
}

fn check_api_endpoint(sink: &mut Sink<'_>, endpoint: &str) {
    const FORM: &str = "; desired format: hostname, hostname:port, IP or IP:port";
    match parse_url(endpoint) {
        Err(msg) => sink.invalid(
            "spec.apiEndpoint",
            format!("{endpoint:?}: apiEndpoint must be a valid URL: {msg}{FORM}"),
        ),
        Ok(url) => {
            if url.host.is_empty() {
                sink.invalid("spec.apiEndpoint", format!("host must be provided{FORM}"));
            }
            if url.user {
                sink.invalid(
                    "spec.apiEndpoint",
                    "user information is not permitted in the URL",
                );
            }
            if url.fragment {
                sink.invalid("spec.apiEndpoint", "fragments are not permitted in the URL");
            }
            if url.query {
                sink.invalid(
                    "spec.apiEndpoint",
                    "query parameters are not permitted in the URL",
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// ResourceBinding, Work
// ---------------------------------------------------------------------------------------

/// Validates a (Cluster)ResourceBinding against the constraints of its CRD that serde does
/// not enforce (Karmada has no validating webhook for bindings beyond resource quotas).
pub fn validate_resource_binding(
    binding: &ResourceBinding,
    _options: &ValidationOptions,
) -> Vec<ValidationError> {
    let kind = kind_or(&binding.kind, "ResourceBinding");
    let namespaced = kind != "ClusterResourceBinding";
    let mut sink = Sink::new(kind, &binding.metadata);
    check_object_meta(&mut sink, &binding.metadata, namespaced);
    let spec = &binding.spec;
    for (field, value) in [
        ("apiVersion", &spec.resource.api_version),
        ("kind", &spec.resource.kind),
        ("name", &spec.resource.name),
    ] {
        if value.is_empty() {
            sink.required(
                format!("spec.resource.{field}"),
                format!("{field} is required"),
            );
        }
    }
    for (i, c) in spec.components.iter().enumerate() {
        if c.name.len() > 32 {
            sink.push(
                format!("spec.components[{i}].name"),
                FieldErrorType::TooLong,
                "may not be more than 32 bytes",
            );
        }
    }
    if let Some(placement) = &spec.placement {
        check_placement_schema(&mut sink, placement, "spec.placement");
    }
    if let Some(failover) = &spec.failover {
        if failover
            .cluster
            .as_ref()
            .is_some_and(|c| c.purge_mode == Some(PurgeMode::Never))
        {
            sink.push(
                "spec.failover.cluster.purgeMode",
                FieldErrorType::NotSupported,
                "\"Never\": supported values: \"Directly\", \"Gracefully\"",
            );
        }
    }
    for (i, task) in spec.graceful_eviction_tasks.iter().enumerate() {
        let tpath = format!("spec.gracefulEvictionTasks[{i}]");
        if task.from_cluster.is_empty() {
            sink.required(format!("{tpath}.fromCluster"), "fromCluster is required");
        }
        if task.producer.is_empty() {
            sink.required(format!("{tpath}.producer"), "producer is required");
        }
        check_reason(&mut sink, &format!("{tpath}.reason"), &task.reason, 32);
        if task.message.len() > 1024 {
            sink.push(
                format!("{tpath}.message"),
                FieldErrorType::TooLong,
                "may not be more than 1024 bytes",
            );
        }
    }
    if let Some(status) = &binding.status {
        check_conditions(&mut sink, &status.conditions, "status.conditions");
    }
    sink.errors
}

/// The CRD constraints of a placement copied into a binding.
fn check_placement_schema(sink: &mut Sink<'_>, placement: &Placement, path: &str) {
    for (i, term) in placement.cluster_affinities.iter().enumerate() {
        let tpath = format!("{path}.clusterAffinities[{i}]");
        check_affinity_length(sink, &format!("{tpath}.affinityName"), &term.affinity_name);
        for (j, o) in term.overflow_affinities.iter().enumerate() {
            check_affinity_length(
                sink,
                &format!("{tpath}.overflowAffinities[{j}].affinityName"),
                &o.affinity_name,
            );
        }
    }
    if let Some(weights) = placement
        .replica_scheduling
        .as_ref()
        .and_then(|r| r.weight_preference.as_ref())
    {
        for (i, w) in weights.static_weight_list.iter().enumerate() {
            if w.weight < 1 {
                sink.invalid(
                    format!(
                        "{path}.replicaScheduling.weightPreference.staticWeightList[{i}].weight"
                    ),
                    format!("{}: should be greater than or equal to 1", w.weight),
                );
            }
        }
    }
}

fn check_affinity_length(sink: &mut Sink<'_>, path: &str, name: &str) {
    if name.is_empty() {
        sink.required(path, "affinityName is required");
    } else if name.len() > 32 {
        sink.push(
            path,
            FieldErrorType::TooLong,
            format!("{name:?}: may not be more than 32 bytes"),
        );
    }
}

/// `^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$`, 1..=`max` characters.
fn check_reason(sink: &mut Sink<'_>, path: &str, reason: &str, max: usize) {
    if reason.is_empty() {
        sink.required(path, "reason is required");
        return;
    }
    if reason.len() > max {
        sink.push(
            path,
            FieldErrorType::TooLong,
            format!("may not be more than {max} bytes"),
        );
    }
    let first_ok = reason
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic());
    let last_ok = reason.len() == 1
        || reason
            .chars()
            .last()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
    let body_ok = reason
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | ',' | ':'));
    if !(first_ok && last_ok && body_ok) {
        sink.invalid(
            path,
            format!("{reason:?}: should match '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$'"),
        );
    }
}

/// `metav1.Condition` as the CRD schema constrains it.
fn check_conditions(sink: &mut Sink<'_>, conditions: &[Condition], path: &str) {
    for (i, c) in conditions.iter().enumerate() {
        let cpath = format!("{path}[{i}]");
        if c.type_.is_empty() {
            sink.required(format!("{cpath}.type"), "type is required");
        } else if c.type_.len() > 316 {
            sink.push(
                format!("{cpath}.type"),
                FieldErrorType::TooLong,
                "may not be more than 316 bytes",
            );
        }
        if !matches!(c.status.as_str(), "True" | "False" | "Unknown") {
            sink.push(
                format!("{cpath}.status"),
                FieldErrorType::NotSupported,
                format!(
                    "{:?}: supported values: \"True\", \"False\", \"Unknown\"",
                    c.status
                ),
            );
        }
        check_reason(sink, &format!("{cpath}.reason"), &c.reason, 1024);
        if c.message.len() > 32768 {
            sink.push(
                format!("{cpath}.message"),
                FieldErrorType::TooLong,
                "may not be more than 32768 bytes",
            );
        }
        if c.last_transition_time.is_none() {
            sink.required(
                format!("{cpath}.lastTransitionTime"),
                "lastTransitionTime is required",
            );
        }
    }
}

/// Validates a Work against the constraints of its CRD that serde does not enforce.
pub fn validate_work(work: &Work, _options: &ValidationOptions) -> Vec<ValidationError> {
    let kind = kind_or(&work.kind, "Work");
    let mut sink = Sink::new(kind, &work.metadata);
    check_object_meta(&mut sink, &work.metadata, true);
    for (i, m) in work.spec.workload.manifests.iter().enumerate() {
        if !m.is_object() {
            sink.invalid(
                format!("spec.workload.manifests[{i}]"),
                "each manifest must be an object",
            );
        }
    }
    if let Some(status) = &work.status {
        check_conditions(&mut sink, &status.conditions, "status.conditions");
    }
    sink.errors
}

// ---------------------------------------------------------------------------------------
// Typed objects
// ---------------------------------------------------------------------------------------

/// One Karmada object of a kind fedplan validates.
#[derive(Debug, Clone, PartialEq)]
pub enum KarmadaObject {
    /// `cluster.karmada.io/v1alpha1` Cluster.
    Cluster(Box<Cluster>),
    /// `policy.karmada.io/v1alpha1` PropagationPolicy.
    PropagationPolicy(Box<PropagationPolicy>),
    /// `policy.karmada.io/v1alpha1` ClusterPropagationPolicy.
    ClusterPropagationPolicy(Box<ClusterPropagationPolicy>),
    /// `policy.karmada.io/v1alpha1` OverridePolicy.
    OverridePolicy(Box<OverridePolicy>),
    /// `policy.karmada.io/v1alpha1` ClusterOverridePolicy.
    ClusterOverridePolicy(Box<ClusterOverridePolicy>),
    /// `policy.karmada.io/v1alpha1` ClusterTaintPolicy.
    ClusterTaintPolicy(Box<ClusterTaintPolicy>),
    /// `work.karmada.io/v1alpha2` ResourceBinding or ClusterResourceBinding (see `kind`).
    ResourceBinding(Box<ResourceBinding>),
    /// `work.karmada.io/v1alpha1` Work.
    Work(Box<Work>),
}

/// An object that claims a Karmada kind but does not decode into it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} {}: cannot decode: {message}", object_ref(.namespace, .name))]
pub struct DecodeError {
    /// The kind the object claims.
    pub kind: String,
    /// Its `metadata.namespace`, if readable.
    pub namespace: String,
    /// Its `metadata.name`, if readable.
    pub name: String,
    /// serde's explanation (it names the offending field where it can).
    pub message: String,
}

impl DecodeError {
    /// The error as one line prefixed with its source, `file#index: ...`.
    pub fn located(&self, file: &str, index: usize) -> String {
        format!("{file}#{index}: {self}")
    }
}

impl KarmadaObject {
    /// Decodes `value` when its `apiVersion`/`kind` name a Karmada kind fedplan models;
    /// `Ok(None)` for any other object (a resource template, a CRD, ...).
    pub fn from_value(value: &Value) -> Result<Option<KarmadaObject>, DecodeError> {
        let api = value
            .get("apiVersion")
            .and_then(Value::as_str)
            .unwrap_or("");
        let kind = value.get("kind").and_then(Value::as_str).unwrap_or("");
        fn decode<T: DeserializeOwned>(value: &Value, kind: &str) -> Result<Box<T>, DecodeError> {
            serde_json::from_value(value.clone())
                .map(Box::new)
                .map_err(|e| {
                    let meta = value.get("metadata");
                    let read = |k: &str| {
                        meta.and_then(|m| m.get(k))
                            .and_then(Value::as_str)
                            .unwrap_or("")
                            .to_string()
                    };
                    DecodeError {
                        kind: kind.to_string(),
                        namespace: read("namespace"),
                        name: read("name"),
                        message: e.to_string(),
                    }
                })
        }
        let object = match (api, kind) {
            ("cluster.karmada.io/v1alpha1", "Cluster") => {
                KarmadaObject::Cluster(decode(value, kind)?)
            }
            ("policy.karmada.io/v1alpha1", "PropagationPolicy") => {
                KarmadaObject::PropagationPolicy(decode(value, kind)?)
            }
            ("policy.karmada.io/v1alpha1", "ClusterPropagationPolicy") => {
                KarmadaObject::ClusterPropagationPolicy(decode(value, kind)?)
            }
            ("policy.karmada.io/v1alpha1", "OverridePolicy") => {
                KarmadaObject::OverridePolicy(decode(value, kind)?)
            }
            ("policy.karmada.io/v1alpha1", "ClusterOverridePolicy") => {
                KarmadaObject::ClusterOverridePolicy(decode(value, kind)?)
            }
            ("policy.karmada.io/v1alpha1", "ClusterTaintPolicy") => {
                KarmadaObject::ClusterTaintPolicy(decode(value, kind)?)
            }
            ("work.karmada.io/v1alpha2", "ResourceBinding" | "ClusterResourceBinding") => {
                KarmadaObject::ResourceBinding(decode(value, kind)?)
            }
            ("work.karmada.io/v1alpha1", "Work") => KarmadaObject::Work(decode(value, kind)?),
            _ => return Ok(None),
        };
        Ok(Some(object))
    }

    /// Serializes the object back to JSON (Karmada's field names, omitempty as Go).
    pub fn to_value(&self) -> Result<Value, serde_json::Error> {
        match self {
            KarmadaObject::Cluster(o) => serde_json::to_value(o),
            KarmadaObject::PropagationPolicy(o) => serde_json::to_value(o),
            KarmadaObject::ClusterPropagationPolicy(o) => serde_json::to_value(o),
            KarmadaObject::OverridePolicy(o) => serde_json::to_value(o),
            KarmadaObject::ClusterOverridePolicy(o) => serde_json::to_value(o),
            KarmadaObject::ClusterTaintPolicy(o) => serde_json::to_value(o),
            KarmadaObject::ResourceBinding(o) => serde_json::to_value(o),
            KarmadaObject::Work(o) => serde_json::to_value(o),
        }
    }

    /// The object's kind (`ClusterResourceBinding` for a cluster-scoped binding).
    pub fn kind(&self) -> &str {
        match self {
            KarmadaObject::Cluster(o) => kind_or(&o.kind, "Cluster"),
            KarmadaObject::PropagationPolicy(o) => kind_or(&o.kind, "PropagationPolicy"),
            KarmadaObject::ClusterPropagationPolicy(o) => {
                kind_or(&o.kind, "ClusterPropagationPolicy")
            }
            KarmadaObject::OverridePolicy(o) => kind_or(&o.kind, "OverridePolicy"),
            KarmadaObject::ClusterOverridePolicy(o) => kind_or(&o.kind, "ClusterOverridePolicy"),
            KarmadaObject::ClusterTaintPolicy(o) => kind_or(&o.kind, "ClusterTaintPolicy"),
            KarmadaObject::ResourceBinding(o) => kind_or(&o.kind, "ResourceBinding"),
            KarmadaObject::Work(o) => kind_or(&o.kind, "Work"),
        }
    }

    /// The object's metadata.
    pub fn metadata(&self) -> &ObjectMeta {
        match self {
            KarmadaObject::Cluster(o) => &o.metadata,
            KarmadaObject::PropagationPolicy(o) => &o.metadata,
            KarmadaObject::ClusterPropagationPolicy(o) => &o.metadata,
            KarmadaObject::OverridePolicy(o) => &o.metadata,
            KarmadaObject::ClusterOverridePolicy(o) => &o.metadata,
            KarmadaObject::ClusterTaintPolicy(o) => &o.metadata,
            KarmadaObject::ResourceBinding(o) => &o.metadata,
            KarmadaObject::Work(o) => &o.metadata,
        }
    }
}

/// A loaded document after [`admit`]: the typed, defaulted object and the problems
/// validation found (empty when Karmada would admit it).
#[derive(Debug, Clone, PartialEq)]
pub struct Admission {
    /// The object after defaulting.
    pub object: KarmadaObject,
    /// Every validation problem of the defaulted object.
    pub errors: Vec<ValidationError>,
}

/// What the API server and Karmada's webhooks do with one created object, for a loader
/// holding a JSON value: decode it (when it is of a Karmada kind fedplan models), default
/// it, validate it. `Ok(None)` for objects of other kinds (resource templates, CRDs, ...).
///
/// ```
/// use fedplan::api::defaults::DefaultingContext;
/// use fedplan::api::validate::{admit, ValidationOptions};
///
/// let doc = serde_json::json!({
///     "apiVersion": "policy.karmada.io/v1alpha1", "kind": "OverridePolicy",
///     "metadata": {"name": "o"},
///     "spec": {"overrideRules": [{"overriders": {"plaintext": [
///         {"path": "spec/replicas", "operator": "remove"}]}}]}
/// });
/// let admission = admit(&doc, &DefaultingContext::default(), &ValidationOptions::default())
///     .unwrap()
///     .unwrap();
/// assert_eq!(admission.object.metadata().namespace, "default");
/// let lines: Vec<String> = admission.errors.iter().map(|e| e.located("op.yaml", 0)).collect();
/// assert_eq!(lines, [
///     "op.yaml#0: OverridePolicy default/o: spec.overrideRules[0].overriders.plaintext[0].path: \
///      Invalid value: \"spec/replicas\": JSON pointer must be empty or start with a \"/\"",
/// ]);
/// ```
pub fn admit(
    value: &Value,
    ctx: &super::defaults::DefaultingContext,
    options: &ValidationOptions,
) -> Result<Option<Admission>, DecodeError> {
    let Some(mut object) = KarmadaObject::from_value(value)? else {
        return Ok(None);
    };
    super::defaults::default_object(&mut object, ctx);
    let errors = validate_object(&object, options);
    Ok(Some(Admission { object, errors }))
}

impl ValidationError {
    /// The error as one line prefixed with its source, `file#index: ...`, as
    /// `fedplan validate` prints it.
    pub fn located(&self, file: &str, index: usize) -> String {
        format!("{file}#{index}: {self}")
    }
}

/// Validates any [`KarmadaObject`] with the function for its kind.
pub fn validate_object(
    object: &KarmadaObject,
    options: &ValidationOptions,
) -> Vec<ValidationError> {
    match object {
        KarmadaObject::Cluster(o) => validate_cluster(o, options),
        KarmadaObject::PropagationPolicy(o) => validate_propagation_policy(o, options),
        KarmadaObject::ClusterPropagationPolicy(o) => {
            validate_cluster_propagation_policy(o, options)
        }
        KarmadaObject::OverridePolicy(o) => validate_override_policy(o, options),
        KarmadaObject::ClusterOverridePolicy(o) => validate_cluster_override_policy(o, options),
        KarmadaObject::ClusterTaintPolicy(o) => validate_cluster_taint_policy(o, options),
        KarmadaObject::ResourceBinding(o) => validate_resource_binding(o, options),
        KarmadaObject::Work(o) => validate_work(o, options),
    }
}

#[cfg(test)]
mod tests {
    use super::syntax;

    #[test]
    fn qualified_names() {
        let cases: &[(&str, bool)] = &[
            ("app", true),
            ("app.kubernetes.io/name", true),
            ("A_b-9", true),
            ("example.com/state-key", true),
            ("", false),
            ("-bad", false),
            ("bad-", false),
            ("a b", false),
            ("a~b", false),
            ("INVALID.COM/x", false),
            ("/x", false),
            ("a/b/c", false),
            (&"a".repeat(63), true),
            (&"a".repeat(64), false),
        ];
        for (value, ok) in cases {
            assert_eq!(syntax::qualified_name(value).is_empty(), *ok, "{value:?}");
        }
    }

    #[test]
    fn label_values_and_dns_names() {
        for (value, ok) in [("", true), ("v1.2_3", true), ("-x", false), ("a b", false)] {
            assert_eq!(syntax::label_value(value).is_empty(), ok, "{value:?}");
        }
        for (value, ok) in [
            ("member1", true),
            ("Member1", false),
            ("m-", false),
            ("a.b", false),
        ] {
            assert_eq!(syntax::dns1123_label(value).is_empty(), ok, "{value:?}");
        }
        for (value, ok) in [("a.b-c", true), ("a..b", false), ("A", false)] {
            assert_eq!(syntax::dns1123_subdomain(value).is_empty(), ok, "{value:?}");
        }
        for (value, ok) in [("", true), ("/a/0", true), ("a/0", false)] {
            assert_eq!(syntax::json_pointer(value).is_empty(), ok, "{value:?}");
        }
    }

    #[test]
    fn urls() {
        let cases: &[(&str, Option<(&str, &str)>)] = &[
            ("https://1.2.3.4:6443", Some(("https", "1.2.3.4:6443"))),
            (
                "https://api.example.com/path",
                Some(("https", "api.example.com")),
            ),
            ("1.2.3.4:6443", None),
            ("socks5://proxy:1080", Some(("socks5", "proxy:1080"))),
            ("/relative", Some(("", ""))),
        ];
        for (url, expected) in cases {
            let got = super::parse_url(url).ok().map(|u| (u.scheme, u.host));
            assert_eq!(&got, expected, "{url}");
        }
    }
}
