//! Sending a plugin only the fields it reads.
//!
//! A plugin built with the world's optional `fields` export lists, per read-only operation,
//! the fields of the object it reads, and the fields of each member status AggregateStatus
//! reads. Serializing a large object and parsing it again inside the plugin is most of a
//! call's cost, so the host serializes only those fields. The rules are the world's (and
//! the SDK's `Fields`): a path keeps the whole value it ends at; objects on the way keep
//! only the listed keys; a list on the way is kept element by element, the rest of the path
//! applying to each element; any other value on the way is kept as it is.

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use serde_json::Value;

use crate::interpreter::Operation;

/// A set of dotted paths as a tree: which keys to keep at each level.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct FieldTree {
    whole: bool,
    /// Few per level, so a list (most comparisons stop at the length).
    children: Vec<(String, FieldTree)>,
}

impl FieldTree {
    /// The tree of `paths`; `None` when a path is empty (the whole value is kept).
    pub(crate) fn from_paths<S: AsRef<str>>(paths: &[S]) -> Option<FieldTree> {
        let mut tree = FieldTree::default();
        for path in paths {
            tree.insert(path.as_ref());
        }
        (!tree.whole).then_some(tree)
    }

    fn insert(&mut self, path: &str) {
        let mut node = self;
        for segment in path.split('.').filter(|s| !s.is_empty()) {
            if node.whole {
                return;
            }
            let index = match node.children.iter().position(|(key, _)| key == segment) {
                Some(index) => index,
                None => {
                    node.children
                        .push((segment.to_string(), FieldTree::default()));
                    node.children.len() - 1
                }
            };
            node = &mut node.children[index].1;
        }
        node.whole = true;
        node.children.clear();
    }

    fn child(&self, key: &str) -> Option<&FieldTree> {
        self.children
            .iter()
            .find(|(name, _)| name == key)
            .map(|(_, child)| child)
    }

    /// `value` cut down to these fields, ready to serialize.
    pub(crate) fn project<'a>(&'a self, value: &'a Value) -> Projected<'a> {
        Projected {
            value,
            fields: self,
        }
    }
}

/// A value seen through a [`FieldTree`]: serializes only the kept fields, in the value's
/// own key order.
pub(crate) struct Projected<'a> {
    value: &'a Value,
    fields: &'a FieldTree,
}

impl Serialize for Projected<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.fields.whole {
            return self.value.serialize(serializer);
        }
        match self.value {
            Value::Object(map) => {
                let mut out = serializer.serialize_map(None)?;
                for (key, value) in map {
                    if let Some(fields) = self.fields.child(key) {
                        out.serialize_entry(key, &Projected { value, fields })?;
                    }
                }
                out.end()
            }
            Value::Array(items) => {
                let mut out = serializer.serialize_seq(Some(items.len()))?;
                for value in items {
                    out.serialize_element(&Projected {
                        value,
                        fields: self.fields,
                    })?;
                }
                out.end()
            }
            other => other.serialize(serializer),
        }
    }
}

/// What a plugin reads of its inputs, as its `fields` export declared at load.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct InputFields {
    /// Per read-only operation, the fields of the object; absent: the whole object.
    object: Vec<(Operation, FieldTree)>,
    /// The fields of each member status for AggregateStatus; `None`: whole statuses.
    pub(crate) status: Option<FieldTree>,
}

impl InputFields {
    /// The operations whose object may be cut down: those that do not return it.
    pub(crate) const READ_ONLY: [Operation; 5] = [
        Operation::InterpretReplica,
        Operation::InterpretStatus,
        Operation::InterpretHealth,
        Operation::InterpretDependency,
        Operation::InterpretComponent,
    ];

    /// Records the fields `operation` reads (ignored for ReviseReplica and Retain, which
    /// return the whole object; AggregateStatus, whose result is reduced to its status, is
    /// asked of plugins built against world 1.2.0 or later).
    pub(crate) fn set_object(&mut self, operation: Operation, fields: FieldTree) {
        if Self::READ_ONLY.contains(&operation) || operation == Operation::AggregateStatus {
            self.object.retain(|(op, _)| *op != operation);
            self.object.push((operation, fields));
        }
    }

    /// The fields of the object `operation` reads; `None`: all of it.
    pub(crate) fn object(&self, operation: Operation) -> Option<&FieldTree> {
        self.object
            .iter()
            .find(|(op, _)| *op == operation)
            .map(|(_, fields)| fields)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object() -> Value {
        json!({
            "apiVersion": "v1", "kind": "Job",
            "metadata": {"name": "a", "namespace": "ns", "labels": {"x": "y"}},
            "spec": {
                "replicas": 3,
                "template": {"spec": {
                    "containers": [
                        {"name": "a", "image": "i", "resources": {"requests": {"cpu": "1"}}},
                        {"name": "b", "env": [{"name": "E", "value": "v"}]}
                    ],
                    "nodeSelector": "not an object"
                }},
                "esc\"aped": {"k": 1}
            }
        })
    }

    fn projected(paths: &[&str], value: &Value) -> Value {
        match FieldTree::from_paths(paths) {
            None => value.clone(),
            Some(tree) => {
                let text = serde_json::to_string(&tree.project(value)).expect("serializes");
                serde_json::from_str(&text).expect("valid JSON")
            }
        }
    }

    /// The same cases as the SDK's `Fields` tests: host and plugin cut alike.
    #[test]
    fn keeps_exactly_the_listed_fields() {
        let cases: Vec<(&[&str], Value)> = vec![
            (&[], json!({})),
            (&[""], object()),
            (
                &["metadata.namespace", "spec.replicas"],
                json!({"metadata": {"namespace": "ns"}, "spec": {"replicas": 3}}),
            ),
            (
                &[
                    "spec.template.spec.containers.resources",
                    "spec.template.spec.nodeSelector",
                ],
                json!({"spec": {"template": {"spec": {
                    "containers": [{"resources": {"requests": {"cpu": "1"}}}, {}],
                    "nodeSelector": "not an object"
                }}}}),
            ),
            (
                &["metadata", "metadata.name"],
                json!({"metadata": {"name": "a", "namespace": "ns", "labels": {"x": "y"}}}),
            ),
            (
                &["metadata.name", "metadata"],
                json!({"metadata": {"name": "a", "namespace": "ns", "labels": {"x": "y"}}}),
            ),
            (
                &["spec.esc\"aped.k"],
                json!({"spec": {"esc\"aped": {"k": 1}}}),
            ),
            (&["kind.deeper"], json!({"kind": "Job"})),
            (&["missing.path"], json!({})),
        ];
        for (paths, want) in cases {
            assert_eq!(projected(paths, &object()), want, "{paths:?}");
        }
    }

    #[test]
    fn scalars_and_lists_at_the_top_are_kept() {
        assert_eq!(
            projected(&["a"], &json!([{"a": 1, "b": 2}, 3])),
            json!([{"a": 1}, 3])
        );
        assert_eq!(projected(&["a"], &json!("s")), json!("s"));
        assert_eq!(projected(&["a"], &json!(null)), Value::Null);
    }

    #[test]
    fn keys_keep_the_object_order() {
        let tree = FieldTree::from_paths(&["b", "a"]).expect("not whole");
        let text = serde_json::to_string(&tree.project(&json!({"a": 1, "c": 2, "b": 3})))
            .expect("serializes");
        assert_eq!(text, r#"{"a":1,"b":3}"#);
    }

    #[test]
    fn revise_and_retain_are_never_cut_down() {
        let tree = FieldTree::from_paths(&["spec"]).expect("not whole");
        let mut fields = InputFields::default();
        for operation in Operation::ALL {
            if operation != Operation::InterpretHealth {
                fields.set_object(operation, tree.clone());
            }
        }
        for operation in Operation::ALL {
            let expected = match operation {
                Operation::ReviseReplica | Operation::Retain | Operation::InterpretHealth => None,
                _ => Some(&tree),
            };
            assert_eq!(fields.object(operation), expected, "{operation:?}");
        }
    }
}
