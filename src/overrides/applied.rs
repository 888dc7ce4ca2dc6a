//! The record of applied overrides that Karmada writes on a Work.
//!
//! Each applied (policy, rule) pair is one `{"policyName": ..., "overriders": {...}}` item; a
//! policy with several matching rules gives several items. The annotation value is the JSON
//! array of the items sorted by policy name (not application order), written as Go's
//! `encoding/json` writes it: compact, HTML-sensitive characters escaped, and `value: null` on
//! plaintext and field operations that have no value. Nothing is written for an empty list.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::api::Overriders;

use super::patch::to_go_json;

/// Annotation on a Work listing the OverridePolicies applied to its manifest.
pub const APPLIED_OVERRIDES_ANNOTATION: &str = "policy.karmada.io/applied-overrides";
/// Annotation on a Work listing the ClusterOverridePolicies applied to its manifest.
pub const APPLIED_CLUSTER_OVERRIDES_ANNOTATION: &str =
    "policy.karmada.io/applied-cluster-overrides";

/// One applied rule: the policy's name and the rule's overriders.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppliedOverride {
    /// Name of the policy.
    pub policy_name: String,
    /// The overriders of the applied rule.
    pub overriders: Overriders,
}

/// The rules applied from one group of policies, in application order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AppliedOverrides {
    /// The applied rules.
    pub items: Vec<AppliedOverride>,
}

impl AppliedOverrides {
    /// Whether nothing was applied.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The items sorted by policy name (stable, so rules of one policy keep their order).
    pub fn sorted_items(&self) -> Vec<&AppliedOverride> {
        let mut items: Vec<&AppliedOverride> = self.items.iter().collect();
        items.sort_by(|a, b| a.policy_name.cmp(&b.policy_name));
        items
    }

    /// The annotation value Karmada writes, or `None` when nothing was applied.
    ///
    /// ```
    /// use fedplan::api::Overriders;
    /// use fedplan::overrides::{AppliedOverride, AppliedOverrides};
    ///
    /// let applied = AppliedOverrides { items: vec![
    ///     AppliedOverride { policy_name: "b".into(), overriders: Overriders::default() },
    ///     AppliedOverride { policy_name: "a".into(), overriders: Overriders::default() },
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
        let applied = AppliedOverrides {
            items: vec![
                AppliedOverride {
                    policy_name: "z".into(),
                    overriders: overriders.clone(),
                },
                AppliedOverride {
                    policy_name: "a".into(),
                    overriders: Overriders::default(),
                },
                AppliedOverride {
                    policy_name: "z".into(),
                    overriders: Overriders::default(),
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
