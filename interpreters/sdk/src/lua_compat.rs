//! What ports of Karmada's Lua customizations need to give the same results: Lua's loss of
//! empty tables, and component requirements from a pod template.

use serde_json::Value;

use crate::{pod_requirements, ComponentRequirements, PluginError};

/// Removes, recursively, every empty object and empty list inside `value` (the containers
/// left empty by a removal go too). Karmada converts a Lua result table to JSON without
/// telling `{}` from `[]` and, for status results, deletes every empty table it finds; ports
/// of such scripts call this on the status they return to produce the same objects.
pub fn prune_empty_tables(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for child in map.values_mut() {
                prune_empty_tables(child);
            }
            map.retain(|_, child| !is_empty_table(child));
        }
        Value::Array(items) => {
            for child in items.iter_mut() {
                prune_empty_tables(child);
            }
            items.retain(|child| !is_empty_table(child));
        }
        _ => {}
    }
}

fn is_empty_table(value: &Value) -> bool {
    match value {
        Value::Object(map) => map.is_empty(),
        Value::Array(items) => items.is_empty(),
        _ => false,
    }
}

/// A component's requirements from its pod template (`{metadata, spec}`): Karmada's pod
/// requirement rules without the namespace; `None` when the template asks for nothing.
pub fn component_requirements(
    pod_template: &Value,
) -> Result<Option<ComponentRequirements>, PluginError> {
    Ok(
        pod_requirements(pod_template, "")?.map(|r| ComponentRequirements {
            node_claim: r.node_claim,
            resource_request: r.resource_request,
            priority_class_name: r.priority_class_name,
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn empty_tables_disappear_recursively() {
        let cases = [
            (json!({"a": {}, "b": [], "c": 0}), json!({"c": 0})),
            (json!({"a": {"b": {"c": []}}}), json!({})),
            (json!({"l": [{}, 1, []]}), json!({"l": [1]})),
            (json!({"s": "", "n": null}), json!({"s": "", "n": null})),
        ];
        for (mut input, want) in cases {
            prune_empty_tables(&mut input);
            assert_eq!(input, want);
        }
    }

    #[test]
    fn component_requirements_drop_the_namespace() {
        let template = json!({"spec": {"containers": [{"resources": {"requests": {"cpu": "1"}}}]}});
        let found = component_requirements(&template).unwrap().unwrap();
        assert_eq!(
            found.resource_request,
            vec![("cpu".to_string(), "1".to_string())]
        );
        assert_eq!(component_requirements(&json!({})).unwrap(), None);
    }
}
