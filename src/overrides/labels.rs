//! `labelsOverrider` and `annotationsOverrider`: change `metadata.labels` or
//! `metadata.annotations`.
//!
//! Per key of `value`: `add` sets the key, creating the map when it is missing (or is not a map
//! of strings, which Karmada replaces by an empty map); `replace` and `remove` act only on keys
//! that exist and skip missing keys silently. Each overrider entry becomes one JSON patch.

use serde_json::{Map, Value};

use crate::api::{LabelAnnotationOverrider, OverriderOperator};

use super::error::OverriderError;
use super::patch::{apply_patch, PatchOp};

/// Which metadata map an overrider changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetadataMap {
    /// `metadata.labels`.
    Labels,
    /// `metadata.annotations`.
    Annotations,
}

impl MetadataMap {
    /// The metadata field name.
    pub fn field(self) -> &'static str {
        match self {
            MetadataMap::Labels => "labels",
            MetadataMap::Annotations => "annotations",
        }
    }
}

/// Applies label or annotation overriders, in order, to `object`.
///
/// ```
/// use fedplan::api::LabelAnnotationOverrider;
/// use fedplan::overrides::{apply_label_annotation_overriders, MetadataMap};
/// use serde_json::json;
///
/// let mut object = json!({"kind": "ConfigMap", "metadata": {"name": "c"}});
/// let add: Vec<LabelAnnotationOverrider> = serde_json::from_value(json!(
///     [{"operator": "add", "value": {"team": "a"}}])).unwrap();
/// apply_label_annotation_overriders(&mut object, MetadataMap::Labels, &add).unwrap();
/// assert_eq!(object["metadata"]["labels"], json!({"team": "a"}));
/// ```
pub fn apply_label_annotation_overriders(
    object: &mut Value,
    map: MetadataMap,
    overriders: &[LabelAnnotationOverrider],
) -> Result<(), OverriderError> {
    for overrider in overriders {
        let patches = label_annotation_patches(object, map, overrider);
        if !patches.is_empty() {
            apply_patch(object, &patches)?;
        }
    }
    Ok(())
}

/// The patches of one overrider entry. For `add` this first creates the map in `object` when
/// it is missing, as Karmada does while building the patch.
pub fn label_annotation_patches(
    object: &mut Value,
    map: MetadataMap,
    overrider: &LabelAnnotationOverrider,
) -> Vec<PatchOp> {
    let field = map.field();
    let mut patches = Vec::with_capacity(overrider.value.len());
    for (key, value) in &overrider.value {
        match overrider.operator {
            OverriderOperator::Remove | OverriderOperator::Replace => {
                let exists = string_map(object, field).is_some_and(|m| m.contains_key(key));
                if !exists {
                    continue;
                }
            }
            OverriderOperator::Add => {
                if string_map(object, field).is_none() && !create_empty_map(object, field) {
                    continue;
                }
            }
        }
        patches.push(PatchOp {
            op: overrider.operator,
            path: format!("/metadata/{field}/{}", escape_token(key)),
            value: Some(Value::String(value.clone())),
        });
    }
    patches
}

/// `metadata.<field>` when it is an object whose values are all strings.
fn string_map<'v>(object: &'v Value, field: &str) -> Option<&'v Map<String, Value>> {
    match object.get("metadata")?.get(field)? {
        Value::Object(map) if map.values().all(Value::is_string) => Some(map),
        _ => None,
    }
}

/// Sets `metadata.<field>` to `{}`, creating `metadata` when absent; false when `metadata`
/// (or the object) is not an object.
fn create_empty_map(object: &mut Value, field: &str) -> bool {
    let Value::Object(root) = object else {
        return false;
    };
    let metadata = root
        .entry("metadata")
        .or_insert_with(|| Value::Object(Map::new()));
    match metadata {
        Value::Object(metadata) => {
            metadata.insert(field.to_owned(), Value::Object(Map::new()));
            true
        }
        _ => false,
    }
}

/// RFC 6901 escaping of one reference token.
fn escape_token(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(current: Value, overriders: Value) -> Value {
        let mut object = json!({"kind": "Pod", "metadata": {"name": "p", "labels": current}});
        let overriders: Vec<LabelAnnotationOverrider> = serde_json::from_value(overriders).unwrap();
        apply_label_annotation_overriders(&mut object, MetadataMap::Labels, &overriders).unwrap();
        object["metadata"]["labels"].clone()
    }

    #[test]
    fn labels_table() {
        let cases = [
            (
                json!(null),
                json!([{"operator": "add", "value": {"a": "1"}}]),
                json!({"a": "1"}),
            ),
            (
                json!({"a": "1"}),
                json!([{"operator": "add", "value": {"a": "2", "b/c": "3"}}]),
                json!({"a": "2", "b/c": "3"}),
            ),
            (
                json!({"a": "1"}),
                json!([{"operator": "replace", "value": {"a": "2", "z": "9"}}]),
                json!({"a": "2"}),
            ),
            (
                json!({"a": "1", "b": "2"}),
                json!([{"operator": "remove", "value": {"a": "ignored", "z": ""}}]),
                json!({"b": "2"}),
            ),
            (
                json!({"a": 1}),
                json!([{"operator": "add", "value": {"b": "2"}}]),
                json!({"b": "2"}),
            ),
            (
                json!({"a": 1}),
                json!([{"operator": "remove", "value": {"a": ""}}]),
                json!({"a": 1}),
            ),
        ];
        for (current, overriders, expected) in cases {
            assert_eq!(
                run(current.clone(), overriders.clone()),
                expected,
                "{current} {overriders}"
            );
        }
    }

    #[test]
    fn metadata_created_or_skipped() {
        let add: Vec<LabelAnnotationOverrider> =
            serde_json::from_value(json!([{"operator": "add", "value": {"k": "v"}}])).unwrap();
        let mut object = json!({"kind": "Pod"});
        apply_label_annotation_overriders(&mut object, MetadataMap::Annotations, &add).unwrap();
        assert_eq!(
            object,
            json!({"kind": "Pod", "metadata": {"annotations": {"k": "v"}}})
        );
        let mut object = json!({"kind": "Pod", "metadata": null});
        apply_label_annotation_overriders(&mut object, MetadataMap::Annotations, &add).unwrap();
        assert_eq!(object, json!({"kind": "Pod", "metadata": null}));
    }
}
