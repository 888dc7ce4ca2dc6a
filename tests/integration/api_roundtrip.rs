#![cfg(feature = "yaml")]
//! Every Karmada object in the fixtures deserializes into its typed form and serializes back
//! without losing a field.

use std::path::{Path, PathBuf};

use fedplan::api::*;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/karmada")
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            yaml_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(p);
        }
    }
}

/// Removes what Go's omitempty would drop: empty strings, false, zero numbers, empty maps and
/// lists, nulls.
fn prune(v: &Value) -> Option<Value> {
    match v {
        Value::Null => None,
        Value::Bool(false) => None,
        Value::String(s) if s.is_empty() => None,
        Value::Object(m) => {
            let m: serde_json::Map<_, _> = m
                .iter()
                .filter_map(|(k, v)| prune(v).map(|v| (k.clone(), v)))
                .collect();
            (!m.is_empty()).then_some(Value::Object(m))
        }
        Value::Array(a) if a.is_empty() => None,
        Value::Array(a) => Some(Value::Array(
            a.iter().map(|v| prune(v).unwrap_or(Value::Null)).collect(),
        )),
        Value::Number(n) if n.as_f64() == Some(0.0) => None,
        other => Some(other.clone()),
    }
}

fn check<T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug>(v: &Value, what: &str) {
    let typed: T = serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("{what}: {e}"));
    let back = serde_json::to_value(&typed).unwrap();
    let again: T = serde_json::from_value(back.clone()).unwrap();
    assert_eq!(typed, again, "{what}: typed round trip");
    // The deprecated purge modes are read as their current names (the only rewrite).
    let original = serde_json::to_string(v)
        .unwrap()
        .replace(
            "\"purgeMode\":\"Immediately\"",
            "\"purgeMode\":\"Directly\"",
        )
        .replace(
            "\"purgeMode\":\"Graciously\"",
            "\"purgeMode\":\"Gracefully\"",
        );
    let original: Value = serde_json::from_str(&original).unwrap();
    assert_eq!(
        prune(&original),
        prune(&back),
        "{what}: lost or changed fields"
    );
}

#[test]
fn fixture_objects_round_trip() {
    let mut files = Vec::new();
    yaml_files(&fixtures(), &mut files);
    let mut counted = 0;
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for (i, doc) in serde_yaml_ng::Deserializer::from_str(&text).enumerate() {
            let v: Value = match <Value as serde::Deserialize>::deserialize(doc) {
                Ok(v) => v,
                Err(e) => panic!("{}#{i}: {e}", f.display()),
            };
            let kind = v.get("kind").and_then(Value::as_str).unwrap_or("");
            let api = v.get("apiVersion").and_then(Value::as_str).unwrap_or("");
            let what = format!("{} document {i} ({kind})", f.display());
            match (api, kind) {
                ("cluster.karmada.io/v1alpha1", "Cluster") => check::<Cluster>(&v, &what),
                ("policy.karmada.io/v1alpha1", "PropagationPolicy") => {
                    check::<PropagationPolicy>(&v, &what)
                }
                ("policy.karmada.io/v1alpha1", "ClusterPropagationPolicy") => {
                    check::<ClusterPropagationPolicy>(&v, &what)
                }
                ("policy.karmada.io/v1alpha1", "OverridePolicy") => {
                    check::<OverridePolicy>(&v, &what)
                }
                ("policy.karmada.io/v1alpha1", "ClusterOverridePolicy") => {
                    check::<ClusterOverridePolicy>(&v, &what)
                }
                ("policy.karmada.io/v1alpha1", "ClusterTaintPolicy") => {
                    check::<ClusterTaintPolicy>(&v, &what)
                }
                ("work.karmada.io/v1alpha2", "ResourceBinding" | "ClusterResourceBinding") => {
                    check::<ResourceBinding>(&v, &what)
                }
                ("work.karmada.io/v1alpha1", "Work") => check::<Work>(&v, &what),
                _ => continue,
            }
            counted += 1;
        }
    }
    assert!(counted > 50, "only {counted} Karmada objects found");
}
