//! Resource selectors of propagation policies and Karmada's implicit priority.

use serde_json::{Map, Value};

use super::label::label_selector_matches;
use crate::api::ResourceSelector;

/// How precisely a resource selector matches a template (Karmada's `ImplicitPriority`).
/// Ordered: `MisMatch < MatchAll < MatchLabelSelector < MatchName`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum ImplicitPriority {
    /// The selector does not match.
    #[default]
    MisMatch = 0,
    /// apiVersion/kind (and namespace) match, no name and no label selector.
    MatchAll = 1,
    /// The label selector matches.
    MatchLabelSelector = 2,
    /// The name matches.
    MatchName = 3,
}

impl ImplicitPriority {
    /// Karmada's name of the level (`PriorityMisMatch` without the prefix).
    pub fn as_str(self) -> &'static str {
        match self {
            ImplicitPriority::MisMatch => "MisMatch",
            ImplicitPriority::MatchAll => "MatchAll",
            ImplicitPriority::MatchLabelSelector => "MatchLabelSelector",
            ImplicitPriority::MatchName => "MatchName",
        }
    }

    /// Whether this level is a match.
    pub fn is_match(self) -> bool {
        self > ImplicitPriority::MisMatch
    }
}

impl std::fmt::Display for ImplicitPriority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for ImplicitPriority {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "MisMatch" => Ok(ImplicitPriority::MisMatch),
            "MatchAll" => Ok(ImplicitPriority::MatchAll),
            "MatchLabelSelector" => Ok(ImplicitPriority::MatchLabelSelector),
            "MatchName" => Ok(ImplicitPriority::MatchName),
            other => Err(format!(
                "unknown implicit priority {other:?}; expected MisMatch, MatchAll, MatchLabelSelector or MatchName"
            )),
        }
    }
}

/// The identifying fields of a resource template, borrowed from its JSON.
#[derive(Debug, Clone, Copy, Default)]
pub struct TemplateRef<'a> {
    /// `apiVersion`.
    pub api_version: &'a str,
    /// `kind`.
    pub kind: &'a str,
    /// `metadata.namespace` (empty for cluster-scoped templates).
    pub namespace: &'a str,
    /// `metadata.name`.
    pub name: &'a str,
    /// `metadata.labels`, when present.
    pub labels: Option<&'a Map<String, Value>>,
}

impl<'a> TemplateRef<'a> {
    /// Reads the identifying fields of `template`; missing or non-string fields are empty.
    pub fn of(template: &'a Value) -> Self {
        let str_at = |v: Option<&'a Value>| v.and_then(Value::as_str).unwrap_or("");
        let metadata = template.get("metadata");
        TemplateRef {
            api_version: str_at(template.get("apiVersion")),
            kind: str_at(template.get("kind")),
            namespace: str_at(metadata.and_then(|m| m.get("namespace"))),
            name: str_at(metadata.and_then(|m| m.get("name"))),
            labels: metadata
                .and_then(|m| m.get("labels"))
                .and_then(Value::as_object),
        }
    }
}

/// Karmada's `ResourceSelectorPriority`: how precisely `selector` matches `template`.
///
/// 1. apiVersion and kind must be equal (no group/version conversion), and a non-empty
///    selector namespace must equal the template's;
/// 2. a non-empty `name` gives `MatchName` when equal, else `MisMatch` (the label selector is
///    then ignored);
/// 3. no label selector gives `MatchAll`;
/// 4. else `MatchLabelSelector` when the selector matches the template's labels (an invalid
///    selector is a mismatch).
///
/// ```
/// use fedplan::api::ResourceSelector;
/// use fedplan::selector::{resource_selector_priority, ImplicitPriority, TemplateRef};
///
/// let template = serde_json::json!({"apiVersion": "apps/v1", "kind": "Deployment",
///     "metadata": {"name": "nginx", "namespace": "default"}});
/// let selector = ResourceSelector {
///     api_version: "apps/v1".into(),
///     kind: "Deployment".into(),
///     name: "nginx".into(),
///     ..Default::default()
/// };
/// assert_eq!(
///     resource_selector_priority(&TemplateRef::of(&template), &selector),
///     ImplicitPriority::MatchName
/// );
/// ```
pub fn resource_selector_priority(
    template: &TemplateRef<'_>,
    selector: &ResourceSelector,
) -> ImplicitPriority {
    if template.api_version != selector.api_version
        || template.kind != selector.kind
        || (!selector.namespace.is_empty() && template.namespace != selector.namespace)
    {
        return ImplicitPriority::MisMatch;
    }
    if !selector.name.is_empty() {
        return if selector.name == template.name {
            ImplicitPriority::MatchName
        } else {
            ImplicitPriority::MisMatch
        };
    }
    match &selector.label_selector {
        None => ImplicitPriority::MatchAll,
        Some(ls) if label_selector_matches(ls, &template.labels) => {
            ImplicitPriority::MatchLabelSelector
        }
        Some(_) => ImplicitPriority::MisMatch,
    }
}

/// Whether `selector` matches `template` at all.
pub fn resource_matches(template: &TemplateRef<'_>, selector: &ResourceSelector) -> bool {
    resource_selector_priority(template, selector).is_match()
}

/// A policy's implicit priority: the maximum over its selectors (`MisMatch` when it has
/// none).
pub fn resource_match_selectors_priority(
    template: &TemplateRef<'_>,
    selectors: &[ResourceSelector],
) -> ImplicitPriority {
    let mut best = ImplicitPriority::MisMatch;
    for s in selectors {
        let p = resource_selector_priority(template, s);
        if p > best {
            best = p;
            if best == ImplicitPriority::MatchName {
                break;
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::LabelSelector;
    use serde_json::json;

    fn rs(
        api: &str,
        kind: &str,
        ns: &str,
        name: &str,
        labels: Option<(&str, &str)>,
    ) -> ResourceSelector {
        ResourceSelector {
            api_version: api.into(),
            kind: kind.into(),
            namespace: ns.into(),
            name: name.into(),
            label_selector: labels.map(|(k, v)| {
                let mut s = LabelSelector::default();
                s.match_labels.insert(k.into(), v.into());
                s
            }),
        }
    }

    #[test]
    fn priority_table() {
        let t = json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "nginx", "namespace": "default", "labels": {"app": "nginx"}}});
        let t = TemplateRef::of(&t);
        use ImplicitPriority::*;
        let cases = [
            (rs("apps/v1", "Deployment", "", "", None), MatchAll),
            (rs("apps/v1", "Deployment", "default", "", None), MatchAll),
            (rs("apps/v1", "Deployment", "other", "", None), MisMatch),
            (
                rs("extensions/v1beta1", "Deployment", "", "", None),
                MisMatch,
            ),
            (rs("apps/v1", "StatefulSet", "", "", None), MisMatch),
            (rs("apps/v1", "Deployment", "", "nginx", None), MatchName),
            (
                rs("apps/v1", "Deployment", "", "nginx", Some(("app", "x"))),
                MatchName,
            ),
            (
                rs("apps/v1", "Deployment", "", "other", Some(("app", "nginx"))),
                MisMatch,
            ),
            (
                rs("apps/v1", "Deployment", "", "", Some(("app", "nginx"))),
                MatchLabelSelector,
            ),
            (
                rs("apps/v1", "Deployment", "", "", Some(("app", "x"))),
                MisMatch,
            ),
            (
                rs("apps/v1", "Deployment", "", "", Some(("", "nginx"))),
                MisMatch,
            ),
        ];
        for (sel, want) in cases {
            assert_eq!(resource_selector_priority(&t, &sel), want, "{sel:?}");
        }
        let mut empty_ls = rs("apps/v1", "Deployment", "", "", None);
        empty_ls.label_selector = Some(LabelSelector::default());
        assert_eq!(
            resource_selector_priority(&t, &empty_ls),
            MatchLabelSelector
        );
    }

    #[test]
    fn max_over_selectors() {
        let t = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "namespace": "n"}});
        let t = TemplateRef::of(&t);
        let sels = vec![
            rs("v1", "ConfigMap", "", "", None),
            rs("v1", "ConfigMap", "", "a", None),
            rs("v1", "Secret", "", "a", None),
        ];
        assert_eq!(
            resource_match_selectors_priority(&t, &sels),
            ImplicitPriority::MatchName
        );
        assert_eq!(
            resource_match_selectors_priority(&t, &[]),
            ImplicitPriority::MisMatch
        );
        assert!(ImplicitPriority::MisMatch < ImplicitPriority::MatchAll);
        assert!(ImplicitPriority::MatchLabelSelector < ImplicitPriority::MatchName);
    }

    #[test]
    fn template_without_labels_against_does_not_exist() {
        let t = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}});
        let t = TemplateRef::of(&t);
        let mut sel = rs("v1", "ConfigMap", "", "", None);
        sel.label_selector = Some(LabelSelector {
            match_expressions: vec![crate::api::LabelSelectorRequirement {
                key: "app".into(),
                operator: "DoesNotExist".into(),
                values: vec![],
            }],
            ..Default::default()
        });
        assert_eq!(
            resource_selector_priority(&t, &sel),
            ImplicitPriority::MatchLabelSelector
        );
    }
}
