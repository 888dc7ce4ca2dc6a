//! Karmada's generic retention, applied by the object watcher to every kind before the
//! `Retain` hook when it updates an object in a member cluster.
//!
//! `metadata.resourceVersion`, `finalizers` and `ownerReferences` come from the member object.
//! Labels and annotations start from the desired object; member keys the desired object does
//! not have are added back, except keys Karmada itself put there earlier (listed in the
//! member's `resourcetemplate.karmada.io/managed-labels` / `managed-annotations` annotations)
//! that the desired object no longer carries: those are dropped.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::object::{as_map_mut, at};

/// Annotation listing (comma-separated) the annotation keys Karmada manages on a member object.
pub const MANAGED_ANNOTATIONS: &str = "resourcetemplate.karmada.io/managed-annotations";
/// Annotation listing (comma-separated) the label keys Karmada manages on a member object.
pub const MANAGED_LABELS: &str = "resourcetemplate.karmada.io/managed-labels";

fn managed_keys<'a>(observed: &'a Value, annotation: &str) -> BTreeSet<&'a str> {
    at(observed, &["metadata", "annotations", annotation])
        .and_then(Value::as_str)
        .map(|s| {
            s.split(',')
                .map(str::trim)
                .filter(|k| !k.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

/// Adds to `out` (the desired map) the member's keys it lacks, except managed ones.
fn merge_map(out: &mut Map<String, Value>, observed: Option<&Value>, managed: &BTreeSet<&str>) {
    if let Some(member) = observed.and_then(Value::as_object) {
        for (k, v) in member {
            if out.contains_key(k) || managed.contains(k.as_str()) {
                continue;
            }
            out.insert(k.clone(), v.clone());
        }
    }
}

/// `desired` after Karmada's generic retention against the member's `observed` object.
///
/// ```
/// use fedplan::interpreter::retention::retain_generic;
/// let desired = serde_json::json!({"metadata": {"labels": {"app": "a"}}});
/// let observed = serde_json::json!({"metadata": {"resourceVersion": "7",
///     "labels": {"app": "old", "added-by-member": "x"}}});
/// let out = retain_generic(&desired, &observed);
/// assert_eq!(out["metadata"]["resourceVersion"], "7");
/// assert_eq!(out["metadata"]["labels"], serde_json::json!({"app": "a", "added-by-member": "x"}));
/// ```
pub fn retain_generic(desired: &Value, observed: &Value) -> Value {
    retain_generic_owned(desired.clone(), observed)
}

/// [`retain_generic`] on a desired object the caller gives away, which is changed where it
/// stands instead of copied.
pub fn retain_generic_owned(desired: Value, observed: &Value) -> Value {
    let mut out = desired;
    let observed_meta = observed.get("metadata");
    let meta = as_map_mut(
        as_map_mut(&mut out)
            .entry("metadata")
            .or_insert(Value::Null),
    );
    for key in ["resourceVersion", "finalizers", "ownerReferences"] {
        match observed_meta
            .and_then(|m| m.get(key))
            .filter(|v| !v.is_null())
        {
            Some(v) => {
                meta.insert(key.into(), v.clone());
            }
            None => {
                meta.remove(key);
            }
        }
    }
    for (key, managed_annotation) in [
        ("labels", MANAGED_LABELS),
        ("annotations", MANAGED_ANNOTATIONS),
    ] {
        let managed = managed_keys(observed, managed_annotation);
        let observed_map = observed_meta.and_then(|m| m.get(key));
        match meta.get_mut(key) {
            Some(Value::Object(merged)) => {
                merge_map(merged, observed_map, &managed);
                if merged.is_empty() {
                    meta.remove(key);
                }
            }
            existing => {
                let mut merged = Map::new();
                merge_map(&mut merged, observed_map, &managed);
                match (existing, merged.is_empty()) {
                    (_, true) => {
                        meta.remove(key);
                    }
                    (Some(slot), false) => *slot = Value::Object(merged),
                    (None, false) => {
                        meta.insert(key.into(), Value::Object(merged));
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn managed_keys_removed_from_desired_are_dropped() {
        let desired = json!({"metadata": {"annotations": {"keep": "1"}}});
        let observed = json!({"metadata": {
            "finalizers": ["f"],
            "annotations": {"keep": "0", "gone": "x", "member": "y", MANAGED_ANNOTATIONS: "gone,keep"}}});
        let out = retain_generic(&desired, &observed);
        assert_eq!(
            out["metadata"]["annotations"],
            json!({"keep": "1", "member": "y", MANAGED_ANNOTATIONS: "gone,keep"})
        );
        assert_eq!(out["metadata"]["finalizers"], json!(["f"]));
    }
}
