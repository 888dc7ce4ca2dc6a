//! Kyverno `ClusterPolicy` and `Policy` (`kyverno.io/v1`): Karmada's built-in customizations
//! as a plugin. Both kinds share every rule.
use fedplan_interpreter_sdk::prelude::*;

struct Kyverno;

const RULE_COUNTS: &[&str] = &["validate", "generate", "mutate", "verifyimages"];
const REFLECTED: &[&str] = &["ready", "conditions", "autogen", "rulecount"];

impl Interpreter for Kyverno {
    /// A port of Karmada's Lua customization: values arrive as the script sees them.
    const VALUES_THROUGH_LUA: bool = true;

    fn manifest() -> Vec<Target> {
        use Operation::*;
        let operations = [InterpretHealth, AggregateStatus, InterpretStatus];
        vec![
            Target::new("kyverno.io/v1", "ClusterPolicy").with(&operations),
            Target::new("kyverno.io/v1", "Policy").with(&operations),
        ]
    }

    /// What the reading operations look at; the host sends only these.
    fn fields(operation: Operation) -> Option<Fields> {
        match operation {
            Operation::InterpretHealth => {
                Some(Fields::new().with_under("status", &["ready", "conditions"]))
            }
            Operation::InterpretStatus => Some(Fields::new().with_under("status", REFLECTED)),
            // The status is rebuilt from the members alone, but without members the policy
            // keeps the status it has, so that is sent too; its rules are not.
            Operation::AggregateStatus => Some(Fields::new().with("status")),
            _ => None,
        }
    }

    fn status_fields() -> Option<Fields> {
        Some(Fields::new().with_under("", REFLECTED))
    }

    /// `status.ready` when the policy reports it; else a Ready condition that succeeded.
    fn interpret_health(policy: &Value) -> Result<bool, PluginError> {
        if let Some(ready) = get(policy, "status.ready").and_then(Value::as_bool) {
            return Ok(ready);
        }
        Ok(find_condition(policy, "Ready").is_some_and(|c| {
            get_str(c, "status") == Some("True") && get_str(c, "reason") == Some("Succeeded")
        }))
    }

    fn aggregate_status(mut policy: Value, items: &[StatusItem]) -> Result<Value, PluginError> {
        if items.is_empty() {
            return Ok(policy);
        }
        let mut status = Map::new();
        let mut rule_counts = [0i64; 4];
        let mut conditions: Vec<Value> = Vec::new();
        for item in items {
            let Some(member) = &item.status else { continue };
            for key in ["autogen", "ready"] {
                match member.get(key).filter(|v| !v.is_null()) {
                    Some(value) => status.insert(key.to_string(), value.clone()),
                    None => status.remove(key),
                };
            }
            if let Some(counts) = member.get("rulecount").filter(|v| !v.is_null()) {
                for (total, field) in rule_counts.iter_mut().zip(RULE_COUNTS) {
                    let n = counts.get(*field).and_then(Value::as_i64).ok_or_else(|| {
                        PluginError::at(
                            format!("status.rulecount.{field}"),
                            format!("missing in the status of cluster {}", item.cluster_name),
                        )
                    })?;
                    *total += n;
                }
            }
            merge_conditions(&mut conditions, &item.cluster_name, member);
        }
        let counts: Map<String, Value> = RULE_COUNTS
            .iter()
            .zip(rule_counts)
            .map(|(field, n)| (field.to_string(), json!(n)))
            .collect();
        status.insert("rulecount".into(), Value::Object(counts));
        status.insert("conditions".into(), Value::Array(conditions));
        let mut status = Value::Object(status);
        as_lua_returns(&mut status);
        set(&mut policy, "status", status)?;
        Ok(policy)
    }

    fn interpret_status(policy: &Value) -> Result<Option<Value>, PluginError> {
        let status = get(policy, "status").unwrap_or(&Value::Null);
        let reflected: Map<String, Value> = REFLECTED
            .iter()
            .filter_map(|key| {
                status
                    .get(*key)
                    .filter(|v| !v.is_null())
                    .map(|v| (key.to_string(), v.clone()))
            })
            .collect();
        let mut reflected = Value::Object(reflected);
        as_lua_returns(&mut reflected);
        Ok(Some(reflected))
    }
}

/// Each member condition's message becomes `<cluster>=<message>`; conditions with the same
/// type, status and reason become one, their messages joined with `", "`.
fn merge_conditions(merged: &mut Vec<Value>, cluster: &str, member: &Value) {
    let conditions = member.get("conditions").and_then(Value::as_array);
    for condition in conditions.into_iter().flatten() {
        let message = format!("{cluster}={}", get_str(condition, "message").unwrap_or(""));
        let key = |c: &Value| {
            (
                get_str(c, "type").map(String::from),
                get_str(c, "status").map(String::from),
                get_str(c, "reason").map(String::from),
            )
        };
        match merged.iter_mut().find(|c| key(c) == key(condition)) {
            Some(kept) => {
                let joined = format!("{}, {message}", get_str(kept, "message").unwrap_or(""));
                kept["message"] = json!(joined);
            }
            None => {
                let mut condition = condition.clone();
                condition["message"] = json!(message);
                merged.push(condition);
            }
        }
    }
}

export_plugin!(Kyverno);

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(kind: &str, status: Option<Value>) -> Value {
        let mut policy = json!({
            "apiVersion": "kyverno.io/v1",
            "kind": kind,
            "metadata": {
                "name": "require-labels",
                "namespace": "apps",
                "generation": 4,
                "annotations": {"policies.kyverno.io/title": "Require Labels"}
            },
            "spec": {
                "validationFailureAction": "Enforce",
                "background": true,
                "rules": [{
                    "name": "check-team",
                    "match": {"any": [{"resources": {"kinds": ["Pod"]}}]},
                    "validate": {
                        "message": "label `team` is required",
                        "pattern": {"metadata": {"labels": {"team": "?*"}}}
                    }
                }]
            }
        });
        if let Some(status) = status {
            policy["status"] = status;
        }
        policy
    }

    fn member(ready: bool, validate: i64, reason: &str, message: &str) -> Value {
        json!({
            "ready": ready,
            "autogen": {"rules": [{"name": "autogen-check-team"}]},
            "rulecount": {"validate": validate, "generate": 0, "mutate": 1, "verifyimages": 0},
            "conditions": [{
                "type": "Ready",
                "status": if ready { "True" } else { "False" },
                "reason": reason,
                "message": message,
                "lastTransitionTime": "2024-05-01T10:00:00Z"
            }]
        })
    }

    /// Values reach the plugin as they reach Karmada's script (no `null`s in maps or lists,
    /// whole floats as integers) and statuses come back as its conversion writes them.
    #[test]
    fn values_pass_through_lua_both_ways() {
        use fedplan_interpreter_sdk::bindings::exports::fedplan::interpreter::plugin::Guest;
        use fedplan_interpreter_sdk::bindings::fedplan::interpreter::types::AggregatedStatusItem;
        type Exported = fedplan_interpreter_sdk::Adapter<Kyverno>;

        let status = json!({"ready": true,
            "rulecount": {"validate": 1.0, "generate": 0, "mutate": 0, "verifyimages": 2.0},
            "autogen": {"rules": [null]},
            "conditions": [null, {"type": "Ready", "status": "True", "message": null}]});
        let policy = json!({"apiVersion": "kyverno.io/v1", "kind": "ClusterPolicy",
            "metadata": {"name": "p"}, "status": status});
        let reflected = Exported::interpret_status(policy.to_string())
            .unwrap()
            .unwrap();
        // `autogen.rules` reaches Lua as an empty table and is deleted on the way back;
        // `autogen`, not empty when converted, stays as `{}`.
        assert_eq!(
            fedplan_interpreter_sdk::serde_json::from_str::<Value>(&reflected).unwrap(),
            json!({"ready": true, "autogen": {},
                "rulecount": {"validate": 1, "generate": 0, "mutate": 0, "verifyimages": 2},
                "conditions": [{"type": "Ready", "status": "True"}]})
        );

        let member = AggregatedStatusItem {
            cluster_name: "m".into(),
            status: Some(status.to_string()),
            applied: true,
            applied_message: String::new(),
            health: None,
        };
        let aggregated = Exported::aggregate_status(policy.to_string(), vec![member]).unwrap();
        let aggregated: Value = fedplan_interpreter_sdk::serde_json::from_str(&aggregated).unwrap();
        assert_eq!(
            aggregated["status"],
            json!({"ready": true, "autogen": {},
                "rulecount": {"validate": 1, "generate": 0, "mutate": 0, "verifyimages": 2},
                "conditions": [{"type": "Ready", "status": "True", "message": "m="}]})
        );
    }

    #[test]
    fn declared_fields_suffice() {
        let aggregated = json!({
            "ready": true,
            "rulecount": {"validate": 2, "generate": 0, "mutate": 2, "verifyimages": 0},
            "conditions": [{"type": "Ready", "status": "True", "reason": "Succeeded",
                            "message": "a=ready, b=ready"}],
            "validatingadmissionpolicy": {"generated": false, "message": "kept"}
        });
        let ok = member(true, 1, "Succeeded", "ready");
        let failing = member(false, 0, "Failed", "webhook unreachable");
        let incomplete = json!({"ready": true, "rulecount": {"validate": 1}});
        let member_sets: [&[Value]; 5] = [
            &[],
            std::slice::from_ref(&ok),
            &[ok.clone(), ok.clone()],
            &[ok.clone(), failing.clone(), ok.clone()],
            &[ok.clone(), incomplete],
        ];
        for kind in ["ClusterPolicy", "Policy"] {
            for status in [None, Some(aggregated.clone())] {
                let object = policy(kind, status);
                for statuses in member_sets {
                    assert_eq!(
                        fields_suffice::<Kyverno>(&object, statuses),
                        Ok(()),
                        "{kind} with {} members",
                        statuses.len()
                    );
                }
            }
        }
    }
}
