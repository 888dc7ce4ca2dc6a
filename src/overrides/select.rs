//! Which override rules apply to a (template, cluster) pair, and in which order.
//!
//! Within one group (ClusterOverridePolicies, or the OverridePolicies of the template's
//! namespace) a policy applies when its resource selector list is empty or one selector matches
//! the template. Matching policies are sorted, stably, by the implicit priority of their best
//! matching selector, ascending (match-all, then label selector, then name; an empty selector
//! list counts as match-all), ties broken by policy name ascending. So the most specific policy
//! is applied last and wins. Each policy then contributes, in rule order, every rule whose
//! `targetCluster` is absent or matches the cluster; a policy without `overrideRules`
//! contributes its deprecated `targetCluster`/`overriders` pair as one rule.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::api::{
    Cluster, ClusterAffinity, ClusterOverridePolicy, LabelSelector, OverridePolicy, OverrideSpec,
    Overriders, ResourceSelector,
};

use super::error::{PolicyRef, RuleRef};

/// The overriders of a policy whose deprecated `spec.overriders` is absent.
static NO_OVERRIDERS: Overriders = Overriders {
    plaintext: Vec::new(),
    image_overrider: Vec::new(),
    command_overrider: Vec::new(),
    args_overrider: Vec::new(),
    labels_overrider: Vec::new(),
    annotations_overrider: Vec::new(),
    field_overrider: Vec::new(),
};

/// An OverridePolicy or a ClusterOverridePolicy.
pub trait OverridePolicyObject {
    /// `OverridePolicy` or `ClusterOverridePolicy`.
    const KIND: &'static str;
    /// The policy's name.
    fn name(&self) -> &str;
    /// The policy's namespace (empty when cluster-scoped).
    fn namespace(&self) -> &str;
    /// The spec.
    fn spec(&self) -> &OverrideSpec;
    /// Whether Karmada would consider the policy for a template in `namespace` (namespaced
    /// policies only apply inside their own namespace).
    fn considered_for(&self, namespace: &str) -> bool;
}

impl OverridePolicyObject for OverridePolicy {
    const KIND: &'static str = "OverridePolicy";
    fn name(&self) -> &str {
        &self.metadata.name
    }
    fn namespace(&self) -> &str {
        &self.metadata.namespace
    }
    fn spec(&self) -> &OverrideSpec {
        &self.spec
    }
    fn considered_for(&self, namespace: &str) -> bool {
        !namespace.is_empty() && self.metadata.namespace == namespace
    }
}

impl OverridePolicyObject for ClusterOverridePolicy {
    const KIND: &'static str = "ClusterOverridePolicy";
    fn name(&self) -> &str {
        &self.metadata.name
    }
    fn namespace(&self) -> &str {
        &self.metadata.namespace
    }
    fn spec(&self) -> &OverrideSpec {
        &self.spec
    }
    fn considered_for(&self, _namespace: &str) -> bool {
        true
    }
}

/// One rule that applies to the pair, with the policy it comes from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MatchedRule<'p> {
    /// `OverridePolicy` or `ClusterOverridePolicy`.
    pub kind: &'static str,
    /// Namespace of the policy (empty when cluster-scoped).
    pub namespace: &'p str,
    /// Name of the policy.
    pub name: &'p str,
    /// Which rule.
    pub rule: RuleRef,
    /// Its overriders.
    pub overriders: &'p Overriders,
}

impl MatchedRule<'_> {
    /// The policy as an owned reference, for errors.
    pub fn policy_ref(&self) -> PolicyRef {
        PolicyRef {
            kind: self.kind,
            namespace: self.namespace.to_owned(),
            name: self.name.to_owned(),
        }
    }
}

/// How precisely a resource selector matches a template (Karmada's implicit priority).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ImplicitPriority {
    /// Does not match.
    Mismatch,
    /// Matches without name or label selector.
    MatchAll,
    /// Matches by label selector.
    LabelSelector,
    /// Matches by name.
    Name,
}

/// The rules of `policies` that apply to `template` on `cluster`, in application order.
///
/// Only policies Karmada would list for the template are considered: every
/// ClusterOverridePolicy, and the OverridePolicies of the template's namespace.
///
/// ```
/// use fedplan::api::{Cluster, OverridePolicy};
/// use fedplan::overrides::matching_rules;
/// use serde_json::json;
///
/// let policies: Vec<OverridePolicy> = serde_json::from_value(json!([
///   {"metadata": {"name": "b", "namespace": "default"},
///    "spec": {"resourceSelectors": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}],
///             "overrideRules": [{"overriders": {}}]}},
///   {"metadata": {"name": "a", "namespace": "default"},
///    "spec": {"overrideRules": [{"targetCluster": {"clusterNames": ["m1"]}, "overriders": {}}]}}
/// ])).unwrap();
/// let template = json!({"apiVersion": "apps/v1", "kind": "Deployment",
///                       "metadata": {"name": "web", "namespace": "default"}});
/// let cluster: Cluster = serde_json::from_value(json!({"metadata": {"name": "m1"}})).unwrap();
/// let names: Vec<&str> = matching_rules(&policies, &template, &cluster).iter().map(|r| r.name).collect();
/// assert_eq!(names, ["a", "b"]); // match-all before name match
/// ```
pub fn matching_rules<'p, P: OverridePolicyObject>(
    policies: &'p [P],
    template: &Value,
    cluster: &Cluster,
) -> Vec<MatchedRule<'p>> {
    if policies.is_empty() {
        return Vec::new();
    }
    let facts = TemplateFacts::of(template);
    let mut candidates: Vec<(ImplicitPriority, &'p P)> = policies
        .iter()
        .filter(|p| p.considered_for(facts.namespace))
        .filter_map(|p| {
            let selectors = &p.spec().resource_selectors;
            if selectors.is_empty() {
                return Some((ImplicitPriority::MatchAll, p));
            }
            let best = selectors
                .iter()
                .map(|rs| facts.priority(rs))
                .max()
                .unwrap_or(ImplicitPriority::Mismatch);
            (best > ImplicitPriority::Mismatch).then_some((best, p))
        })
        .collect();
    candidates.sort_by(|(pa, a), (pb, b)| pa.cmp(pb).then_with(|| a.name().cmp(b.name())));

    let mut rules = Vec::new();
    for (_, policy) in candidates {
        let spec = policy.spec();
        let mut push =
            |rule: RuleRef, target: Option<&ClusterAffinity>, overriders: &'p Overriders| {
                if target.is_none_or(|affinity| cluster_matches(cluster, affinity)) {
                    rules.push(MatchedRule {
                        kind: P::KIND,
                        namespace: policy.namespace(),
                        name: policy.name(),
                        rule,
                        overriders,
                    });
                }
            };
        if spec.override_rules.is_empty() {
            push(
                RuleRef::Deprecated,
                spec.target_cluster.as_ref(),
                spec.overriders.as_ref().unwrap_or(&NO_OVERRIDERS),
            );
        } else {
            for (i, rule) in spec.override_rules.iter().enumerate() {
                push(
                    RuleRef::Index(i),
                    rule.target_cluster.as_ref(),
                    &rule.overriders,
                );
            }
        }
    }
    rules
}

/// What resource selectors look at in a template.
struct TemplateFacts<'t> {
    api_version: &'t str,
    kind: &'t str,
    namespace: &'t str,
    name: &'t str,
    /// The metadata, from which labels are read only when a label selector asks.
    metadata: Option<&'t Value>,
}

impl<'t> TemplateFacts<'t> {
    fn of(template: &'t Value) -> Self {
        let text = |v: Option<&'t Value>| v.and_then(Value::as_str).unwrap_or("");
        let metadata = template.get("metadata");
        TemplateFacts {
            api_version: text(template.get("apiVersion")),
            kind: text(template.get("kind")),
            namespace: text(metadata.and_then(|m| m.get("namespace"))),
            name: text(metadata.and_then(|m| m.get("name"))),
            metadata,
        }
    }

    /// A label, when the labels are a map of strings (Kubernetes reads anything else as none).
    fn label(&self, key: &str) -> Option<&'t str> {
        string_map(self.metadata.and_then(|m| m.get("labels")))
            .and_then(|m| m.get(key))
            .and_then(Value::as_str)
    }

    fn priority(&self, rs: &ResourceSelector) -> ImplicitPriority {
        if self.api_version != rs.api_version
            || self.kind != rs.kind
            || (!rs.namespace.is_empty() && self.namespace != rs.namespace)
        {
            return ImplicitPriority::Mismatch;
        }
        if !rs.name.is_empty() {
            return if rs.name == self.name {
                ImplicitPriority::Name
            } else {
                ImplicitPriority::Mismatch
            };
        }
        match &rs.label_selector {
            None => ImplicitPriority::MatchAll,
            Some(selector) if label_selector_matches(selector, |k| self.label(k)) => {
                ImplicitPriority::LabelSelector
            }
            Some(_) => ImplicitPriority::Mismatch,
        }
    }
}

/// The map at `value` when it is an object of strings (as Kubernetes' accessors read labels).
fn string_map(value: Option<&Value>) -> Option<&Map<String, Value>> {
    match value {
        Some(Value::Object(map)) if map.values().all(Value::is_string) => Some(map),
        _ => None,
    }
}

/// `metav1.LabelSelector` matching; an invalid selector matches nothing.
fn label_selector_matches<'l>(
    selector: &LabelSelector,
    label: impl Fn(&str) -> Option<&'l str>,
) -> bool {
    let labels_ok = selector
        .match_labels
        .iter()
        .all(|(k, v)| label(k) == Some(v.as_str()));
    labels_ok
        && selector.match_expressions.iter().all(|req| {
            let value = label(&req.key);
            let listed = || value.is_some_and(|v| req.values.iter().any(|x| x == v));
            match req.operator.as_str() {
                "In" => !req.values.is_empty() && listed(),
                "NotIn" => !req.values.is_empty() && !listed(),
                "Exists" => req.values.is_empty() && value.is_some(),
                "DoesNotExist" => req.values.is_empty() && value.is_none(),
                _ => false,
            }
        })
}

/// Karmada's `ClusterMatches`: exclusions first, then label selector, field selector (zone
/// against `spec.zones`, provider/region against the cluster's fields) and cluster names.
fn cluster_matches(cluster: &Cluster, affinity: &ClusterAffinity) -> bool {
    let name = cluster.metadata.name.as_str();
    if affinity.exclude.iter().any(|n| n == name) {
        return false;
    }
    if let Some(selector) = &affinity.label_selector {
        let labels = &cluster.metadata.labels;
        if !label_selector_matches(selector, |k| labels.get(k).map(String::as_str)) {
            return false;
        }
    }
    if let Some(fields) = &affinity.field_selector {
        let spec = &cluster.spec;
        let mut known: BTreeMap<&str, &str> = BTreeMap::new();
        if !spec.provider.is_empty() {
            known.insert("provider", spec.provider.as_str());
        }
        if !spec.region.is_empty() {
            known.insert("region", spec.region.as_str());
        }
        for req in &fields.match_expressions {
            let ok = if req.key == "zone" {
                let zones = &spec.zones;
                match req.operator.as_str() {
                    "In" => !zones.is_empty() && zones.iter().all(|z| req.values.contains(z)),
                    "NotIn" => zones.iter().all(|z| !req.values.contains(z)),
                    "Exists" => !zones.is_empty(),
                    "DoesNotExist" => zones.is_empty(),
                    _ => false,
                }
            } else {
                let value = known.get(req.key.as_str()).copied();
                match req.operator.as_str() {
                    "In" => {
                        !req.values.is_empty()
                            && value.is_some_and(|v| req.values.iter().any(|x| x == v))
                    }
                    "NotIn" => {
                        !req.values.is_empty()
                            && !value.is_some_and(|v| req.values.iter().any(|x| x == v))
                    }
                    "Exists" => req.values.is_empty() && value.is_some(),
                    "DoesNotExist" => req.values.is_empty() && value.is_none(),
                    "Gt" | "Lt" => {
                        let bound = match req.values.as_slice() {
                            [one] => one.parse::<i64>().ok(),
                            _ => None,
                        };
                        match (bound, value.and_then(|v| v.parse::<i64>().ok())) {
                            (Some(b), Some(v)) if req.operator == "Gt" => v > b,
                            (Some(b), Some(v)) => v < b,
                            _ => false,
                        }
                    }
                    _ => false,
                }
            };
            if !ok {
                return false;
            }
        }
    }
    affinity.cluster_names.is_empty() || affinity.cluster_names.iter().any(|n| n == name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cluster(v: Value) -> Cluster {
        serde_json::from_value(v).unwrap()
    }

    fn affinity(v: Value) -> ClusterAffinity {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn cluster_affinity_table() {
        let c = cluster(json!({
            "metadata": {"name": "m1", "labels": {"env": "prod"}},
            "spec": {"provider": "aws", "region": "eu", "zones": ["eu-1", "eu-2"]}
        }));
        let cases = [
            (json!({}), true),
            (json!({"clusterNames": ["m1"]}), true),
            (json!({"clusterNames": ["m2"]}), false),
            (json!({"clusterNames": ["m1"], "exclude": ["m1"]}), false),
            (
                json!({"labelSelector": {"matchLabels": {"env": "prod"}}}),
                true,
            ),
            (
                json!({"labelSelector": {"matchLabels": {"env": "dev"}}}),
                false,
            ),
            (
                json!({"labelSelector": {"matchExpressions": [{"key": "env", "operator": "NotIn", "values": ["dev"]}]}}),
                true,
            ),
            (
                json!({"fieldSelector": {"matchExpressions": [{"key": "provider", "operator": "In", "values": ["aws"]}]}}),
                true,
            ),
            (
                json!({"fieldSelector": {"matchExpressions": [{"key": "region", "operator": "NotIn", "values": ["eu"]}]}}),
                false,
            ),
            (
                json!({"fieldSelector": {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["eu-1", "eu-2", "eu-3"]}]}}),
                true,
            ),
            (
                json!({"fieldSelector": {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["eu-1"]}]}}),
                false,
            ),
            (
                json!({"fieldSelector": {"matchExpressions": [{"key": "zone", "operator": "Exists"}]}}),
                true,
            ),
            (
                json!({"fieldSelector": {"matchExpressions": [{"key": "provider", "operator": "Bogus", "values": ["aws"]}]}}),
                false,
            ),
        ];
        for (a, expected) in cases {
            assert_eq!(cluster_matches(&c, &affinity(a.clone())), expected, "{a}");
        }
    }

    #[test]
    fn resource_selector_priority_table() {
        let t = json!({"apiVersion": "apps/v1", "kind": "Deployment",
                       "metadata": {"name": "web", "namespace": "ns", "labels": {"app": "web"}}});
        let facts = TemplateFacts::of(&t);
        let cases = [
            (
                json!({"apiVersion": "apps/v1", "kind": "Deployment"}),
                ImplicitPriority::MatchAll,
            ),
            (
                json!({"apiVersion": "apps/v1", "kind": "Deployment", "namespace": "other"}),
                ImplicitPriority::Mismatch,
            ),
            (
                json!({"apiVersion": "apps/v1", "kind": "StatefulSet"}),
                ImplicitPriority::Mismatch,
            ),
            (
                json!({"apiVersion": "apps/v1", "kind": "Deployment", "name": "web",
                    "labelSelector": {"matchLabels": {"app": "other"}}}),
                ImplicitPriority::Name,
            ),
            (
                json!({"apiVersion": "apps/v1", "kind": "Deployment", "name": "db"}),
                ImplicitPriority::Mismatch,
            ),
            (
                json!({"apiVersion": "apps/v1", "kind": "Deployment",
                    "labelSelector": {"matchLabels": {"app": "web"}}}),
                ImplicitPriority::LabelSelector,
            ),
            (
                json!({"apiVersion": "apps/v1", "kind": "Deployment", "labelSelector": {}}),
                ImplicitPriority::LabelSelector,
            ),
        ];
        for (rs, expected) in cases {
            let rs: ResourceSelector = serde_json::from_value(rs.clone()).unwrap();
            assert_eq!(facts.priority(&rs), expected, "{rs:?}");
        }
    }
}
