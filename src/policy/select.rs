//! Choosing the policy that claims an unclaimed template (Karmada's detector, §2.2–2.3).

use std::borrow::Cow;
use std::cmp::Ordering;

use serde_json::Value;

use super::namespace::{
    is_reserved_namespace, NamespacePattern, NamespacePatternError,
    DEFAULT_SKIPPED_NAMESPACE_PATTERN,
};
use crate::api::{
    ClusterPropagationPolicy, ObjectMeta, PreemptionPolicy, PropagationPolicy, PropagationSpec,
};
use crate::selector::{resource_match_selectors_priority, ImplicitPriority, TemplateRef};

/// Label holding a PropagationPolicy's permanent id (on the policy, the claimed template and
/// its binding).
pub const PP_PERMANENT_ID_LABEL: &str = "propagationpolicy.karmada.io/permanent-id";
/// Annotation naming the claiming PropagationPolicy's namespace.
pub const PP_NAMESPACE_ANNOTATION: &str = "propagationpolicy.karmada.io/namespace";
/// Annotation naming the claiming PropagationPolicy.
pub const PP_NAME_ANNOTATION: &str = "propagationpolicy.karmada.io/name";
/// Label holding a ClusterPropagationPolicy's permanent id.
pub const CPP_PERMANENT_ID_LABEL: &str = "clusterpropagationpolicy.karmada.io/permanent-id";
/// Annotation naming the claiming ClusterPropagationPolicy.
pub const CPP_NAME_ANNOTATION: &str = "clusterpropagationpolicy.karmada.io/name";

/// Options of policy matching, named after Karmada's flags and gates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchOptions {
    /// Feature gate `PropagationPolicyPreemption` (Alpha, default off): lets policies with
    /// `preemption: Always` take templates claimed by other policies.
    pub preemption: bool,
    /// `--skipped-propagating-namespaces` (default `kube-.*`), each matched against the
    /// whole namespace.
    pub skipped_namespaces: Vec<NamespacePattern>,
}

impl Default for MatchOptions {
    fn default() -> Self {
        MatchOptions {
            preemption: false,
            skipped_namespaces: NamespacePattern::new(DEFAULT_SKIPPED_NAMESPACE_PATTERN)
                .into_iter()
                .collect(),
        }
    }
}

impl MatchOptions {
    /// The defaults with `--skipped-propagating-namespaces` set to `patterns`.
    pub fn with_skipped_namespaces<S: AsRef<str>>(
        patterns: &[S],
    ) -> Result<Self, NamespacePatternError> {
        Ok(MatchOptions {
            skipped_namespaces: patterns
                .iter()
                .map(|p| NamespacePattern::new(p.as_ref()))
                .collect::<Result<_, _>>()?,
            ..MatchOptions::default()
        })
    }
}

/// Why the detector ignores a template altogether.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IgnoreReason {
    /// The template is in `karmada-system`, `karmada-cluster` or a `karmada-es-*` namespace.
    ReservedNamespace(String),
    /// The namespace matches a `--skipped-propagating-namespaces` pattern.
    SkippedNamespace {
        /// The namespace.
        namespace: String,
        /// The pattern it matches.
        pattern: String,
    },
    /// A `v1` Secret of type `kubernetes.io/service-account-token` (created along with its
    /// ServiceAccount in each member cluster, so never propagated).
    ServiceAccountToken,
}

impl std::fmt::Display for IgnoreReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            IgnoreReason::ReservedNamespace(ns) => {
                write!(f, "namespace {ns:?} is reserved by Karmada")
            }
            IgnoreReason::SkippedNamespace { namespace, pattern } => write!(
                f,
                "namespace {namespace:?} matches skipped-propagating-namespaces pattern {pattern:?}"
            ),
            IgnoreReason::ServiceAccountToken => {
                f.write_str("service-account-token Secrets are never propagated")
            }
        }
    }
}

/// Whether Karmada's detector ignores `template` (its event filter), and why.
pub fn ignore_reason(template: &Value, options: &MatchOptions) -> Option<IgnoreReason> {
    let t = TemplateRef::of(template);
    if is_reserved_namespace(t.namespace) {
        return Some(IgnoreReason::ReservedNamespace(t.namespace.to_string()));
    }
    if let Some(p) = options
        .skipped_namespaces
        .iter()
        .find(|p| p.is_match(t.namespace))
    {
        return Some(IgnoreReason::SkippedNamespace {
            namespace: t.namespace.to_string(),
            pattern: p.as_str().to_string(),
        });
    }
    if t.api_version == "v1"
        && t.kind == "Secret"
        && template.get("type").and_then(Value::as_str)
            == Some("kubernetes.io/service-account-token")
    {
        return Some(IgnoreReason::ServiceAccountToken);
    }
    None
}

/// The two policy kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PolicyKind {
    /// Namespaced `PropagationPolicy`.
    PropagationPolicy,
    /// Cluster-scoped `ClusterPropagationPolicy`.
    ClusterPropagationPolicy,
}

impl PolicyKind {
    /// The kind's name.
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyKind::PropagationPolicy => "PropagationPolicy",
            PolicyKind::ClusterPropagationPolicy => "ClusterPropagationPolicy",
        }
    }
}

impl std::fmt::Display for PolicyKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A policy that claims (or may claim) a template.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ClaimedBy<'a> {
    /// A namespaced PropagationPolicy.
    PropagationPolicy(&'a PropagationPolicy),
    /// A ClusterPropagationPolicy.
    ClusterPropagationPolicy(&'a ClusterPropagationPolicy),
}

impl<'a> ClaimedBy<'a> {
    /// The policy's kind.
    pub fn kind(&self) -> PolicyKind {
        match self {
            ClaimedBy::PropagationPolicy(_) => PolicyKind::PropagationPolicy,
            ClaimedBy::ClusterPropagationPolicy(_) => PolicyKind::ClusterPropagationPolicy,
        }
    }

    /// The policy's metadata.
    pub fn metadata(&self) -> &'a ObjectMeta {
        match self {
            ClaimedBy::PropagationPolicy(p) => &p.metadata,
            ClaimedBy::ClusterPropagationPolicy(p) => &p.metadata,
        }
    }

    /// The policy's spec.
    pub fn spec(&self) -> &'a PropagationSpec {
        match self {
            ClaimedBy::PropagationPolicy(p) => &p.spec,
            ClaimedBy::ClusterPropagationPolicy(p) => &p.spec,
        }
    }

    /// The policy's name.
    pub fn name(&self) -> &'a str {
        &self.metadata().name
    }

    /// The policy's namespace (empty for a ClusterPropagationPolicy).
    pub fn namespace(&self) -> &'a str {
        match self {
            ClaimedBy::PropagationPolicy(p) => &p.metadata.namespace,
            ClaimedBy::ClusterPropagationPolicy(_) => "",
        }
    }

    /// `.spec.priority`, 0 when unset.
    pub fn explicit_priority(&self) -> i32 {
        self.spec().priority.unwrap_or(0)
    }

    /// The label key of this kind's permanent id.
    pub fn permanent_id_label(&self) -> &'static str {
        match self.kind() {
            PolicyKind::PropagationPolicy => PP_PERMANENT_ID_LABEL,
            PolicyKind::ClusterPropagationPolicy => CPP_PERMANENT_ID_LABEL,
        }
    }

    /// The policy's permanent id: its permanent-id label (stamped by Karmada's webhook);
    /// for a policy that was never defaulted, its `uid`, else `<namespace>.<name>` so that
    /// the claim still identifies it.
    pub fn permanent_id(&self) -> Cow<'a, str> {
        let meta = self.metadata();
        match meta.labels.get(self.permanent_id_label()) {
            Some(id) if !id.is_empty() => Cow::Borrowed(id.as_str()),
            _ if !meta.uid.is_empty() => Cow::Borrowed(meta.uid.as_str()),
            _ => Cow::Owned(format!("{}.{}", self.namespace(), self.name())),
        }
    }

    /// `kind namespace/name` (or `kind name`) for messages.
    pub fn describe(&self) -> String {
        match self {
            ClaimedBy::PropagationPolicy(p) => {
                format!(
                    "PropagationPolicy {}/{}",
                    p.metadata.namespace, p.metadata.name
                )
            }
            ClaimedBy::ClusterPropagationPolicy(p) => {
                format!("ClusterPropagationPolicy {}", p.metadata.name)
            }
        }
    }

    /// Whether the policy is being deleted.
    pub fn is_deleting(&self) -> bool {
        self.metadata().deletion_timestamp.is_some()
    }

    /// Whether the policy asks to preempt (`preemption: Always`).
    pub fn preempts(&self) -> bool {
        self.spec().preemption == Some(PreemptionPolicy::Always)
    }
}

/// Karmada's ranking of two matching policies of one kind: explicit priority, then implicit
/// priority, both higher first, then the smaller name (byte order). `Ordering::Less` means
/// `a` wins.
fn rank(a: (i32, ImplicitPriority, &str), b: (i32, ImplicitPriority, &str)) -> Ordering {
    b.0.cmp(&a.0)
        .then(b.1.cmp(&a.1))
        .then_with(|| a.2.as_bytes().cmp(b.2.as_bytes()))
}

fn best_of<'a, P: 'a>(
    template: &TemplateRef<'_>,
    policies: impl IntoIterator<Item = &'a P>,
    meta_spec: impl Fn(&'a P) -> (&'a ObjectMeta, &'a PropagationSpec),
) -> Option<(&'a P, ImplicitPriority)> {
    let mut best: Option<(&'a P, i32, ImplicitPriority, &'a str)> = None;
    for policy in policies {
        let (meta, spec) = meta_spec(policy);
        let implicit = resource_match_selectors_priority(template, &spec.resource_selectors);
        if !implicit.is_match() {
            continue;
        }
        let explicit = spec.priority.unwrap_or(0);
        let better = match &best {
            None => true,
            Some((_, be, bi, bn)) => {
                rank((explicit, implicit, &meta.name), (*be, *bi, bn)) == Ordering::Less
            }
        };
        if better {
            best = Some((policy, explicit, implicit, &meta.name));
        }
    }
    best.map(|(p, _, implicit, _)| (p, implicit))
}

/// Karmada's `getHighestPriorityPropagationPolicy`: the best matching policy among
/// `policies` (all of them: the caller filters by namespace and deletion), by explicit
/// priority, implicit priority, then smaller name.
pub fn highest_priority_propagation_policy<'a>(
    template: &Value,
    policies: &'a [PropagationPolicy],
) -> Option<&'a PropagationPolicy> {
    best_of(&TemplateRef::of(template), policies, |p| {
        (&p.metadata, &p.spec)
    })
    .map(|(p, _)| p)
}

/// Karmada's `getHighestPriorityClusterPropagationPolicy`; see
/// [`highest_priority_propagation_policy`].
pub fn highest_priority_cluster_propagation_policy<'a>(
    template: &Value,
    policies: &'a [ClusterPropagationPolicy],
) -> Option<&'a ClusterPropagationPolicy> {
    best_of(&TemplateRef::of(template), policies, |p| {
        (&p.metadata, &p.spec)
    })
    .map(|(p, _)| p)
}

/// Karmada's final tie-break between two equally ranked policies: the one with the smaller
/// name (plain byte order, so `ab` < `abc` and the empty name first); `a` may be absent.
pub fn higher_priority_by_name<'a, P>(
    a: Option<&'a P>,
    b: &'a P,
    name: impl Fn(&P) -> &str,
) -> &'a P {
    match a {
        Some(a) if name(a).as_bytes() < name(b).as_bytes() => a,
        _ => b,
    }
}

/// The ClusterPropagationPolicies that may claim templates (not being deleted).
pub(crate) fn candidate_cpps(
    cpps: &[ClusterPropagationPolicy],
) -> impl Iterator<Item = &ClusterPropagationPolicy> {
    cpps.iter()
        .filter(|p| p.metadata.deletion_timestamp.is_none())
}

/// Which policy claims an unclaimed `template`, as Karmada's detector decides (§2.3
/// steps 3–4): templates the detector ignores match nothing; otherwise the best matching
/// PropagationPolicy of the template's namespace (never for a cluster-scoped template), and
/// only if there is none the best matching ClusterPropagationPolicy. Policies being deleted
/// are skipped. Existing claims and preemption are [`super::claim()`]'s business.
///
/// ```
/// use fedplan::api::{ClusterPropagationPolicy, PropagationPolicy};
/// use fedplan::policy::{select, MatchOptions, PolicyKind};
///
/// let template = serde_json::json!({"apiVersion": "apps/v1", "kind": "Deployment",
///     "metadata": {"name": "nginx", "namespace": "default"}});
/// let pp: PropagationPolicy = serde_json::from_value(serde_json::json!({
///     "metadata": {"name": "pp", "namespace": "default"},
///     "spec": {"resourceSelectors": [{"apiVersion": "apps/v1", "kind": "Deployment"}]}
/// })).unwrap();
/// let cpp: ClusterPropagationPolicy = serde_json::from_value(serde_json::json!({
///     "metadata": {"name": "cpp"},
///     "spec": {"priority": 100, "resourceSelectors": [
///         {"apiVersion": "apps/v1", "kind": "Deployment", "name": "nginx"}]}
/// })).unwrap();
/// let (pps, cpps) = ([pp], [cpp]);
/// let winner = select(&template, &pps, &cpps, &MatchOptions::default()).unwrap();
/// assert_eq!(winner.kind(), PolicyKind::PropagationPolicy); // a PP beats any CPP
/// ```
pub fn select<'a>(
    template: &Value,
    pps: &'a [PropagationPolicy],
    cpps: &'a [ClusterPropagationPolicy],
    options: &MatchOptions,
) -> Option<ClaimedBy<'a>> {
    if ignore_reason(template, options).is_some() {
        return None;
    }
    select_unfiltered(&TemplateRef::of(template), pps, cpps)
}

pub(crate) fn select_unfiltered<'a>(
    t: &TemplateRef<'_>,
    pps: &'a [PropagationPolicy],
    cpps: &'a [ClusterPropagationPolicy],
) -> Option<ClaimedBy<'a>> {
    if !t.namespace.is_empty() {
        let ns: &str = t.namespace;
        let found = best_of(
            t,
            pps.iter()
                .filter(|p| p.metadata.namespace == ns && p.metadata.deletion_timestamp.is_none()),
            |p| (&p.metadata, &p.spec),
        );
        if let Some((pp, _)) = found {
            return Some(ClaimedBy::PropagationPolicy(pp));
        }
    }
    best_of(t, candidate_cpps(cpps), |p| (&p.metadata, &p.spec))
        .map(|(p, _)| ClaimedBy::ClusterPropagationPolicy(p))
}
