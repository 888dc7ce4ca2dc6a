//! Claims: which policy a template belongs to, given the claim it already carries
//! (stickiness, release, preemption), and the claim metadata written on templates and
//! bindings.

use serde_json::{Map, Value};

use super::select::{
    ignore_reason, select_unfiltered, ClaimedBy, IgnoreReason, MatchOptions, PolicyKind,
    CPP_NAME_ANNOTATION, CPP_PERMANENT_ID_LABEL, PP_NAMESPACE_ANNOTATION, PP_NAME_ANNOTATION,
    PP_PERMANENT_ID_LABEL,
};
use super::PolicyError;
use crate::api::{ClusterPropagationPolicy, PropagationPolicy};
use crate::selector::{
    resource_match_selectors_priority, resource_selector_priority, ImplicitPriority, TemplateRef,
};

/// The claim a template (or binding) carries in its labels and annotations.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CurrentClaim {
    /// Kind of the claiming policy.
    pub kind: PolicyKind,
    /// Namespace of the claiming PropagationPolicy (empty for a ClusterPropagationPolicy).
    pub namespace: String,
    /// Name of the claiming policy.
    pub name: String,
    /// The policy's permanent id as recorded in the claim label.
    pub permanent_id: String,
}

impl std::fmt::Display for CurrentClaim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.kind {
            PolicyKind::PropagationPolicy => {
                write!(f, "PropagationPolicy {}/{}", self.namespace, self.name)
            }
            PolicyKind::ClusterPropagationPolicy => {
                write!(f, "ClusterPropagationPolicy {}", self.name)
            }
        }
    }
}

fn string_map<'v>(object: &'v Value, field: &str) -> Option<&'v Map<String, Value>> {
    object.get("metadata")?.get(field)?.as_object()
}

fn non_empty<'v>(map: Option<&'v Map<String, Value>>, key: &str) -> Option<&'v str> {
    map?.get(key)?.as_str().filter(|s| !s.is_empty())
}

/// The claim `object` (a template or a binding as JSON) carries, as Karmada reads it: a
/// PropagationPolicy claim needs the namespace and name annotations and the permanent-id
/// label; otherwise a ClusterPropagationPolicy claim needs the name annotation and its
/// permanent-id label.
pub fn current_claim(object: &Value) -> Option<CurrentClaim> {
    let labels = string_map(object, "labels");
    let annotations = string_map(object, "annotations");
    if let (Some(ns), Some(name), Some(id)) = (
        non_empty(annotations, PP_NAMESPACE_ANNOTATION),
        non_empty(annotations, PP_NAME_ANNOTATION),
        non_empty(labels, PP_PERMANENT_ID_LABEL),
    ) {
        return Some(CurrentClaim {
            kind: PolicyKind::PropagationPolicy,
            namespace: ns.to_string(),
            name: name.to_string(),
            permanent_id: id.to_string(),
        });
    }
    if let (Some(name), Some(id)) = (
        non_empty(annotations, CPP_NAME_ANNOTATION),
        non_empty(labels, CPP_PERMANENT_ID_LABEL),
    ) {
        return Some(CurrentClaim {
            kind: PolicyKind::ClusterPropagationPolicy,
            namespace: String::new(),
            name: name.to_string(),
            permanent_id: id.to_string(),
        });
    }
    None
}

/// Why a claim was removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReleaseReason {
    /// The claiming policy no longer exists.
    PolicyNotFound,
    /// The claiming policy's selectors no longer match the template.
    SelectorsNoLongerMatch,
}

impl std::fmt::Display for ReleaseReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ReleaseReason::PolicyNotFound => "the claiming policy no longer exists",
            ReleaseReason::SelectorsNoLongerMatch => {
                "the claiming policy's resource selectors no longer match"
            }
        })
    }
}

/// How a template came to be claimed by a policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClaimReason {
    /// The template was unclaimed and this is the best matching policy.
    Matched,
    /// The previous claim was removed and this is the best matching policy now.
    Rematched {
        /// The removed claim.
        released: CurrentClaim,
        /// Why it was removed.
        because: ReleaseReason,
    },
    /// This policy (`preemption: Always`, gate on) took the template from `from`.
    Preempted {
        /// The claim taken over.
        from: CurrentClaim,
    },
}

/// Why a claim cannot be decided now (Karmada returns an error and retries).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryReason {
    /// The claiming policy is being deleted; its claims are cleaned up first.
    ClaimedPolicyDeleting,
}

/// The outcome of [`claim`] for one template.
#[derive(Debug, Clone, PartialEq)]
pub enum ClaimDecision<'a> {
    /// The detector ignores the template (reserved or skipped namespace, service-account
    /// token); any claim it carries is left alone.
    Ignored(IgnoreReason),
    /// The template stays with the policy that claims it.
    Keep(ClaimedBy<'a>),
    /// The template is claimed by `policy` (claim metadata must be written).
    Claim {
        /// The claiming policy.
        policy: ClaimedBy<'a>,
        /// How it came to claim the template.
        reason: ClaimReason,
    },
    /// The template's claim is removed and no policy matches it now.
    Release {
        /// The removed claim.
        released: CurrentClaim,
        /// Why.
        because: ReleaseReason,
    },
    /// No policy matches the unclaimed template (Karmada puts it on its waiting list).
    Unmatched,
    /// The claimed policy is being deleted: nothing changes until it is gone.
    Retry {
        /// The claim that blocks the decision.
        claim: CurrentClaim,
        /// Why.
        reason: RetryReason,
    },
}

impl<'a> ClaimDecision<'a> {
    /// The policy the template belongs to after the decision, if any.
    pub fn policy(&self) -> Option<ClaimedBy<'a>> {
        match self {
            ClaimDecision::Keep(p) | ClaimDecision::Claim { policy: p, .. } => Some(*p),
            _ => None,
        }
    }
}

/// Whether `policy` may preempt for `template`: it asks to (`preemption: Always`) and one of
/// its selectors names the template (validation demands named selectors of preempting
/// policies; only those are fetched when Karmada preempts).
fn names_template(t: &TemplateRef<'_>, policy: ClaimedBy<'_>) -> bool {
    policy.preempts()
        && !policy.is_deleting()
        && policy.spec().resource_selectors.iter().any(|s| {
            !s.name.is_empty() && resource_selector_priority(t, s) == ImplicitPriority::MatchName
        })
}

/// The best of `candidates` by Karmada's order (explicit priority, then smaller name; all
/// preemptors match by name so implicit priority ties).
fn best_preemptor<'a>(candidates: impl Iterator<Item = ClaimedBy<'a>>) -> Option<ClaimedBy<'a>> {
    candidates.min_by(|a, b| {
        b.explicit_priority()
            .cmp(&a.explicit_priority())
            .then_with(|| a.name().as_bytes().cmp(b.name().as_bytes()))
    })
}

fn preemptor<'a>(
    t: &TemplateRef<'_>,
    claimant: ClaimedBy<'a>,
    pps: &'a [PropagationPolicy],
    cpps: &'a [ClusterPropagationPolicy],
) -> Option<ClaimedBy<'a>> {
    let is_claimant = |p: &ClaimedBy<'_>| {
        p.kind() == claimant.kind()
            && p.namespace() == claimant.namespace()
            && p.name() == claimant.name()
    };
    // A PropagationPolicy preempts a lower-priority PropagationPolicy or any
    // ClusterPropagationPolicy; it only ever names templates of its own namespace.
    let pp_preemptors = pps
        .iter()
        .filter(|p| !t.namespace.is_empty() && p.metadata.namespace == t.namespace)
        .map(ClaimedBy::PropagationPolicy)
        .filter(|p| !is_claimant(p) && names_template(t, *p))
        .filter(|p| match claimant.kind() {
            PolicyKind::PropagationPolicy => p.explicit_priority() > claimant.explicit_priority(),
            PolicyKind::ClusterPropagationPolicy => true,
        });
    if let Some(p) = best_preemptor(pp_preemptors) {
        return Some(p);
    }
    // A ClusterPropagationPolicy only preempts a lower-priority ClusterPropagationPolicy.
    if claimant.kind() != PolicyKind::ClusterPropagationPolicy {
        return None;
    }
    best_preemptor(
        cpps.iter()
            .map(ClaimedBy::ClusterPropagationPolicy)
            .filter(|p| !is_claimant(p) && names_template(t, *p))
            .filter(|p| p.explicit_priority() > claimant.explicit_priority()),
    )
}

fn find_claimant<'a>(
    claim: &CurrentClaim,
    pps: &'a [PropagationPolicy],
    cpps: &'a [ClusterPropagationPolicy],
) -> Option<ClaimedBy<'a>> {
    match claim.kind {
        PolicyKind::PropagationPolicy => pps
            .iter()
            .find(|p| p.metadata.namespace == claim.namespace && p.metadata.name == claim.name)
            .map(ClaimedBy::PropagationPolicy),
        PolicyKind::ClusterPropagationPolicy => cpps
            .iter()
            .find(|p| p.metadata.name == claim.name)
            .map(ClaimedBy::ClusterPropagationPolicy),
    }
}

/// Decides which policy `template` belongs to, given the claim it carries — Karmada's
/// detector in its settled state (§2.3, §2.5):
///
/// - a template the detector ignores is [`ClaimDecision::Ignored`];
/// - a claimed template stays with its policy ([`ClaimDecision::Keep`]) — a new,
///   better-ranked policy never takes it over — unless a policy with `preemption: Always`
///   and a selector naming the template preempts (only with [`MatchOptions::preemption`]):
///   a PropagationPolicy preempts a PropagationPolicy of strictly lower explicit priority
///   or any ClusterPropagationPolicy; a ClusterPropagationPolicy preempts only a
///   ClusterPropagationPolicy of strictly lower priority, never a PropagationPolicy;
/// - a claim whose policy is gone or no longer matches is removed and the template is
///   matched afresh ([`ClaimDecision::Claim`] with [`ClaimReason::Rematched`], or
///   [`ClaimDecision::Release`]);
/// - a claim whose policy is being deleted waits ([`ClaimDecision::Retry`]);
/// - an unclaimed template gets the best match of [`super::select()`], or
///   [`ClaimDecision::Unmatched`].
///
/// ```
/// use fedplan::api::PropagationPolicy;
/// use fedplan::policy::{claim, ClaimDecision, MatchOptions};
///
/// let pp = |name: &str, priority: i32| -> PropagationPolicy {
///     serde_json::from_value(serde_json::json!({
///         "metadata": {"name": name, "namespace": "default",
///                      "labels": {"propagationpolicy.karmada.io/permanent-id": name}},
///         "spec": {"priority": priority, "resourceSelectors": [
///             {"apiVersion": "v1", "kind": "ConfigMap", "name": "cm"}]}
///     })).unwrap()
/// };
/// // The template is claimed by "low"; "high" has a higher priority but may not preempt.
/// let template = serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap",
///     "metadata": {"name": "cm", "namespace": "default",
///         "labels": {"propagationpolicy.karmada.io/permanent-id": "low"},
///         "annotations": {"propagationpolicy.karmada.io/namespace": "default",
///                         "propagationpolicy.karmada.io/name": "low"}}});
/// let pps = [pp("low", 0), pp("high", 10)];
/// let decision = claim(&template, &pps, &[], &MatchOptions::default());
/// assert!(matches!(decision, ClaimDecision::Keep(p) if p.name() == "low"));
/// ```
pub fn claim<'a>(
    template: &Value,
    pps: &'a [PropagationPolicy],
    cpps: &'a [ClusterPropagationPolicy],
    options: &MatchOptions,
) -> ClaimDecision<'a> {
    if let Some(reason) = ignore_reason(template, options) {
        return ClaimDecision::Ignored(reason);
    }
    let t = TemplateRef::of(template);
    let Some(current) = current_claim(template) else {
        return match select_unfiltered(&t, pps, cpps) {
            Some(policy) => ClaimDecision::Claim {
                policy,
                reason: ClaimReason::Matched,
            },
            None => ClaimDecision::Unmatched,
        };
    };
    let because = match find_claimant(&current, pps, cpps) {
        Some(claimant) if claimant.is_deleting() => {
            return ClaimDecision::Retry {
                claim: current,
                reason: RetryReason::ClaimedPolicyDeleting,
            }
        }
        Some(claimant)
            if resource_match_selectors_priority(&t, &claimant.spec().resource_selectors)
                .is_match() =>
        {
            if options.preemption {
                if let Some(p) = preemptor(&t, claimant, pps, cpps) {
                    return ClaimDecision::Claim {
                        policy: p,
                        reason: ClaimReason::Preempted { from: current },
                    };
                }
            }
            return ClaimDecision::Keep(claimant);
        }
        Some(_) => ReleaseReason::SelectorsNoLongerMatch,
        None => ReleaseReason::PolicyNotFound,
    };
    match select_unfiltered(&t, pps, cpps) {
        Some(policy) => ClaimDecision::Claim {
            policy,
            reason: ClaimReason::Rematched {
                released: current,
                because,
            },
        },
        None => ClaimDecision::Release {
            released: current,
            because,
        },
    }
}

/// The claim labels and annotations `policy` puts on a template and its binding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimMetadata {
    /// Labels (the permanent id).
    pub labels: Vec<(&'static str, String)>,
    /// Annotations (the policy's namespace and name).
    pub annotations: Vec<(&'static str, String)>,
}

/// The claim metadata of `policy`: for a PropagationPolicy the
/// `propagationpolicy.karmada.io/permanent-id` label and the `…/namespace` and `…/name`
/// annotations; for a ClusterPropagationPolicy the
/// `clusterpropagationpolicy.karmada.io/permanent-id` label and `…/name` annotation.
pub fn claim_metadata(policy: ClaimedBy<'_>) -> ClaimMetadata {
    let id = policy.permanent_id().into_owned();
    match policy.kind() {
        PolicyKind::PropagationPolicy => ClaimMetadata {
            labels: vec![(PP_PERMANENT_ID_LABEL, id)],
            annotations: vec![
                (PP_NAMESPACE_ANNOTATION, policy.namespace().to_string()),
                (PP_NAME_ANNOTATION, policy.name().to_string()),
            ],
        },
        PolicyKind::ClusterPropagationPolicy => ClaimMetadata {
            labels: vec![(CPP_PERMANENT_ID_LABEL, id)],
            annotations: vec![(CPP_NAME_ANNOTATION, policy.name().to_string())],
        },
    }
}

const CLAIM_LABELS: [&str; 2] = [PP_PERMANENT_ID_LABEL, CPP_PERMANENT_ID_LABEL];
const CLAIM_ANNOTATIONS: [&str; 3] = [
    PP_NAMESPACE_ANNOTATION,
    PP_NAME_ANNOTATION,
    CPP_NAME_ANNOTATION,
];

fn metadata_map<'v>(
    object: &'v mut Value,
    field: &str,
) -> Result<&'v mut Map<String, Value>, PolicyError> {
    let t = TemplateRef::of(object);
    let (kind, namespace, name) = (
        t.kind.to_string(),
        t.namespace.to_string(),
        t.name.to_string(),
    );
    let malformed = move |path: &str| PolicyError::MalformedTemplate {
        kind: kind.clone(),
        namespace: namespace.clone(),
        name: name.clone(),
        field: path.to_string(),
        message: "not an object".to_string(),
    };
    let root = object.as_object_mut().ok_or_else(|| malformed("."))?;
    let meta = root
        .entry("metadata")
        .or_insert_with(|| Value::Object(Map::new()));
    if meta.is_null() {
        *meta = Value::Object(Map::new());
    }
    let meta = meta.as_object_mut().ok_or_else(|| malformed("metadata"))?;
    let map = meta
        .entry(field)
        .or_insert_with(|| Value::Object(Map::new()));
    if map.is_null() {
        *map = Value::Object(Map::new());
    }
    map.as_object_mut()
        .ok_or_else(|| malformed(&format!("metadata.{field}")))
}

/// Writes `policy`'s claim onto `template` (Karmada's `ClaimPolicyForObject`), removing any
/// claim of the other policy kind.
pub fn write_claim(template: &mut Value, policy: ClaimedBy<'_>) -> Result<(), PolicyError> {
    let md = claim_metadata(policy);
    let labels = metadata_map(template, "labels")?;
    for key in CLAIM_LABELS {
        labels.remove(key);
    }
    for (k, v) in md.labels {
        labels.insert(k.to_string(), Value::String(v));
    }
    let annotations = metadata_map(template, "annotations")?;
    for key in CLAIM_ANNOTATIONS {
        annotations.remove(key);
    }
    for (k, v) in md.annotations {
        annotations.insert(k.to_string(), Value::String(v));
    }
    Ok(())
}

/// Removes every claim label and annotation from `template` (Karmada's
/// `CleanupPolicyClaimMetadata`), so it can be matched again.
pub fn remove_claim(template: &mut Value) -> Result<(), PolicyError> {
    let labels = metadata_map(template, "labels")?;
    for key in CLAIM_LABELS {
        labels.remove(key);
    }
    let empty_labels = labels.is_empty();
    let annotations = metadata_map(template, "annotations")?;
    for key in CLAIM_ANNOTATIONS {
        annotations.remove(key);
    }
    let empty_annotations = annotations.is_empty();
    // Leave no empty maps behind that the template did not have.
    if let Some(meta) = template.get_mut("metadata").and_then(Value::as_object_mut) {
        if empty_labels {
            meta.remove("labels");
        }
        if empty_annotations {
            meta.remove("annotations");
        }
    }
    Ok(())
}
