//! The record of applied overrides that Karmada writes on a Work.
//!
//! Each applied (policy, rule) pair is one `{"policyName": ..., "overriders": {...}}` item; a
//! policy with several matching rules gives several items. The annotation value is the JSON
//! array of the items sorted by policy name (not application order), written as Go's
//! `encoding/json` writes it: compact, HTML-sensitive characters escaped, and `value: null` on
//! plaintext and field operations that have no value. Nothing is written for an empty list.

use serde::Serialize;
use serde_json::Value;

use crate::api::Overriders;

use super::patch::to_go_json;

/// Annotation on a Work listing the OverridePolicies applied to its manifest.
pub const APPLIED_OVERRIDES_ANNOTATION: &str = "policy.karmada.io/applied-overrides";
/// Annotation on a Work listing the ClusterOverridePolicies applied to its manifest.
pub const APPLIED_CLUSTER_OVERRIDES_ANNOTATION: &str =
    "policy.karmada.io/applied-cluster-overrides";

/// One applied rule: the policy's name and the rule's overriders, borrowed from the policy.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppliedOverride<'p> {
    /// Name of the policy.
    pub policy_name: &'p str,
    /// The overriders of the applied rule.
    pub overriders: &'p Overriders,
}

/// The rules applied from one group of policies, in application order.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AppliedOverrides<'p> {
    /// The applied rules.
    pub items: Vec<AppliedOverride<'p>>,
}

impl AppliedOverrides<'_> {
    /// Whether nothing was applied.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The items sorted by policy name (stable, so rules of one policy keep their order).
    pub fn sorted_items(&self) -> Vec<AppliedOverride<'_>> {
        let mut items: Vec<AppliedOverride<'_>> = self.items.clone();
        items.sort_by(|a, b| a.policy_name.cmp(b.policy_name));
        items
    }

    /// The annotation value Karmada writes, or `None` when nothing was applied.
    ///
    /// ```
    /// use fedplan::api::Overriders;
    /// use fedplan::overrides::{AppliedOverride, AppliedOverrides};
    ///
    /// let none = Overriders::default();
    /// let applied = AppliedOverrides { items: vec![
    ///     AppliedOverride { policy_name: "b", overriders: &none },
    ///     AppliedOverride { policy_name: "a", overriders: &none },
    /// ]};
    /// assert_eq!(applied.annotation_value().unwrap(),
    ///            r#"[{"policyName":"a","overriders":{}},{"policyName":"b","overriders":{}}]"#);
    /// ```
    pub fn annotation_value(&self) -> Option<String> {
        if self.items.is_empty() {
            return None;
        }
        let items: Vec<Value> = self
            .sorted_items()
            .into_iter()
            .map(|item| {
                let mut value = serde_json::to_value(item).unwrap_or(Value::Null);
                if let Some(overriders) = value.get_mut("overriders") {
                    add_null_values(overriders);
                }
                value
            })
            .collect();
        Some(to_go_json(&items))
    }
}

/// Go keeps `"value": null` on plaintext and field operations without a value, because the
/// value is a struct that `omitempty` never drops.
fn add_null_values(overriders: &mut Value) {
    let fill = |ops: Option<&mut Value>| {
        if let Some(Value::Array(ops)) = ops {
            for op in ops {
                if let Value::Object(fields) = op {
                    fields.entry("value").or_insert(Value::Null);
                }
            }
        }
    };
    fill(overriders.get_mut("plaintext"));
    if let Some(Value::Array(fields)) = overriders.get_mut("fieldOverrider") {
        for field in fields {
            fill(field.get_mut("json"));
            fill(field.get_mut("yaml"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn annotation_shape() {
        let overriders: Overriders = serde_json::from_value(json!({
            "plaintext": [{"path": "/a", "operator": "remove"}],
            "commandOverrider": [{"containerName": "c", "operator": "add", "value": ["a && b"]}],
            "fieldOverrider": [{"fieldPath": "/data/x", "yaml": [{"subPath": "/k", "operator": "remove"}]}]
        }))
        .unwrap();
        let none = Overriders::default();
        let applied = AppliedOverrides {
            items: vec![
                AppliedOverride {
                    policy_name: "z",
                    overriders: &overriders,
                },
                AppliedOverride {
                    policy_name: "a",
                    overriders: &none,
                },
                AppliedOverride {
                    policy_name: "z",
                    overriders: &none,
                },
            ],
        };
        assert_eq!(
            applied.annotation_value().unwrap(),
            concat!(
                r#"[{"policyName":"a","overriders":{}},"#,
                r#"{"policyName":"z","overriders":{"plaintext":[{"path":"/a","operator":"remove","value":null}],"#,
                r#""commandOverrider":[{"containerName":"c","operator":"add","value":["a \u0026\u0026 b"]}],"#,
                r#""fieldOverrider":[{"fieldPath":"/data/x","yaml":[{"subPath":"/k","operator":"remove","value":null}]}]}},"#,
                r#"{"policyName":"z","overriders":{}}]"#
            )
        );
        assert_eq!(AppliedOverrides::default().annotation_value(), None);
    }
}
