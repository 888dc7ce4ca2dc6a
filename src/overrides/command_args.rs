//! `commandOverrider` and `argsOverrider`: append to or remove from a container's command or
//! args.
//!
//! Only the regular containers of Pod (`/spec/containers`) and ReplicaSet, Deployment,
//! DaemonSet, Job, StatefulSet (`/spec/template/spec/containers`) are touched; other kinds get
//! nothing. Every container whose name equals `containerName` gets one patch: `add` of the new
//! list when the field is absent (so `remove` on a container without the field creates an
//! empty list), else `replace` with the current list plus the values (`add`) or minus every
//! element equal to one of them (`remove`); any other operator leaves the list as it is.

use serde_json::Value;

use crate::api::{CommandArgsOverrider, OverriderOperator};

use super::error::OverriderError;
use super::image::{containers_at, pod_spec_prefix};
use super::patch::{json_type, PatchOp};

/// Which container field a [`CommandArgsOverrider`] changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommandArgsTarget {
    /// `command`.
    Command,
    /// `args`.
    Args,
}

impl CommandArgsTarget {
    /// The container field name.
    pub fn field(self) -> &'static str {
        match self {
            CommandArgsTarget::Command => "command",
            CommandArgsTarget::Args => "args",
        }
    }
}

/// The patches one command or args overrider produces for `object`.
///
/// ```
/// use fedplan::api::CommandArgsOverrider;
/// use fedplan::overrides::{command_args_patches, CommandArgsTarget};
/// use serde_json::json;
///
/// let pod = json!({"kind": "Pod", "spec": {"containers": [{"name": "c", "args": ["-v"]}]}});
/// let o: CommandArgsOverrider = serde_json::from_value(json!(
///     {"containerName": "c", "operator": "add", "value": ["-x"]})).unwrap();
/// let patches = command_args_patches(CommandArgsTarget::Args, &pod, &o).unwrap();
/// assert_eq!(patches[0].value, Some(json!(["-v", "-x"])));
/// ```
pub fn command_args_patches(
    target: CommandArgsTarget,
    object: &Value,
    overrider: &CommandArgsOverrider,
) -> Result<Vec<PatchOp>, OverriderError> {
    let kind = object.get("kind").and_then(Value::as_str).unwrap_or("");
    let Some(prefix) = pod_spec_prefix(kind) else {
        return Ok(Vec::new());
    };
    let Some(containers) = containers_at(object, prefix)? else {
        return Ok(Vec::new());
    };
    let base = format!("/{}/containers", prefix.join("/"));
    let field = target.field();
    let mut patches = Vec::new();
    for (i, container) in containers.iter().enumerate() {
        let Value::Object(fields) = container else {
            return Err(OverriderError::WrongType {
                path: format!("{base}/{i}"),
                expected: "an object",
                found: json_type(container),
            });
        };
        if fields.get("name").and_then(Value::as_str) != Some(overrider.container_name.as_str()) {
            continue;
        }
        let path = format!("{base}/{i}/{field}");
        let patch = match fields.get(field) {
            None | Some(Value::Null) => PatchOp {
                op: OverriderOperator::Add,
                value: Some(strings_value(apply(Vec::new(), overrider))),
                path,
            },
            Some(Value::Array(items)) => {
                let mut current = Vec::with_capacity(items.len());
                for (j, item) in items.iter().enumerate() {
                    match item {
                        Value::String(s) => current.push(s.clone()),
                        other => {
                            return Err(OverriderError::WrongType {
                                path: format!("{path}/{j}"),
                                expected: "a string",
                                found: json_type(other),
                            })
                        }
                    }
                }
                PatchOp::replace(path, strings_value(apply(current, overrider)))
            }
            Some(other) => {
                return Err(OverriderError::WrongType {
                    path,
                    expected: "a list",
                    found: json_type(other),
                })
            }
        };
        patches.push(patch);
    }
    Ok(patches)
}

fn apply(mut current: Vec<String>, overrider: &CommandArgsOverrider) -> Vec<String> {
    match overrider.operator {
        OverriderOperator::Add => {
            current.extend(overrider.value.iter().cloned());
            current
        }
        OverriderOperator::Remove => current
            .into_iter()
            .filter(|v| !overrider.value.contains(v))
            .collect(),
        OverriderOperator::Replace => current,
    }
}

fn strings_value(items: Vec<String>) -> Value {
    Value::Array(items.into_iter().map(Value::String).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn command_args_table() {
        let deployment = |container: Value| {
            json!({"kind": "Deployment", "spec": {"template": {"spec": {
                "initContainers": [{"name": "c", "command": ["init"]}],
                "containers": [container, {"name": "other", "command": ["x"]}]}}}})
        };
        let cases = [
            (
                json!({"name": "c"}),
                json!({"containerName": "c", "operator": "remove", "value": ["a"]}),
                vec![
                    json!({"op": "add", "path": "/spec/template/spec/containers/0/command", "value": []}),
                ],
            ),
            (
                json!({"name": "c"}),
                json!({"containerName": "c", "operator": "add", "value": ["a"]}),
                vec![
                    json!({"op": "add", "path": "/spec/template/spec/containers/0/command", "value": ["a"]}),
                ],
            ),
            (
                json!({"name": "c", "command": ["a", "b", "a", "c"]}),
                json!({"containerName": "c", "operator": "remove", "value": ["a", "c"]}),
                vec![
                    json!({"op": "replace", "path": "/spec/template/spec/containers/0/command", "value": ["b"]}),
                ],
            ),
            (
                json!({"name": "c", "command": ["a"]}),
                json!({"containerName": "c", "operator": "replace", "value": ["z"]}),
                vec![
                    json!({"op": "replace", "path": "/spec/template/spec/containers/0/command", "value": ["a"]}),
                ],
            ),
            (
                json!({"name": "d", "command": ["a"]}),
                json!({"containerName": "c", "operator": "add", "value": ["z"]}),
                vec![],
            ),
        ];
        for (container, o, expected) in cases {
            let o: CommandArgsOverrider = serde_json::from_value(o).unwrap();
            let got = command_args_patches(CommandArgsTarget::Command, &deployment(container), &o)
                .unwrap();
            let got: Vec<Value> = got
                .iter()
                .map(|p| serde_json::to_value(p).unwrap())
                .collect();
            assert_eq!(got, expected, "{o:?}");
        }
        let cron = json!({"kind": "CronJob", "spec": {}});
        let o: CommandArgsOverrider = serde_json::from_value(
            json!({"containerName": "c", "operator": "add", "value": ["z"]}),
        )
        .unwrap();
        assert!(command_args_patches(CommandArgsTarget::Args, &cron, &o)
            .unwrap()
            .is_empty());
        let bad = json!({"kind": "Pod", "spec": {"containers": [{"name": "c", "args": "x"}]}});
        assert!(command_args_patches(CommandArgsTarget::Args, &bad, &o).is_err());
    }
}
