//! The serde types model every field of Karmada's CRD schemas: an object that sets every
//! field the schema declares decodes, and serializes back without losing any of them.
#![cfg(feature = "yaml")]

use crate::support;

use fedplan::api::validate::KarmadaObject;
use serde_json::{json, Map, Value};

/// An instance setting every property of `schema` to a value the schema accepts.
fn full_instance(schema: &Value) -> Value {
    if schema["x-kubernetes-int-or-string"] == json!(true) {
        return json!("1");
    }
    if let Some(values) = schema["enum"].as_array() {
        return values.first().cloned().unwrap_or(Value::Null);
    }
    match schema["type"].as_str() {
        Some("object") => {
            let mut out = Map::new();
            if let Some(props) = schema["properties"].as_object() {
                for (k, v) in props {
                    out.insert(k.clone(), full_instance(v));
                }
            } else if schema["additionalProperties"].is_object() {
                out.insert("key".into(), full_instance(&schema["additionalProperties"]));
            }
            Value::Object(out)
        }
        Some("array") => json!([full_instance(&schema["items"])]),
        Some("string") => match schema["format"].as_str() {
            Some("date-time") => json!("2026-01-01T00:00:00Z"),
            _ => json!("Abc"),
        },
        Some("integer") | Some("number") => json!(1),
        Some("boolean") => json!(true),
        _ => json!({}),
    }
}

fn leaf_paths(v: &Value, prefix: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            for (k, child) in m {
                leaf_paths(child, format!("{prefix}/{k}"), out);
            }
        }
        Value::Array(a) if !a.is_empty() => {
            for (i, child) in a.iter().enumerate() {
                leaf_paths(child, format!("{prefix}/{i}"), out);
            }
        }
        _ => out.push(prefix),
    }
}

#[test]
fn every_crd_field_survives_a_typed_round_trip() {
    let dir = support::karmada_fixtures().join("crds");
    let mut missing = Vec::new();
    let mut checked = 0;
    for file in support::yaml_files(&dir) {
        for crd in support::yaml_documents(&file) {
            let group = crd["spec"]["group"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let kind = crd["spec"]["names"]["kind"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            for version in crd["spec"]["versions"]
                .as_array()
                .cloned()
                .unwrap_or_default()
            {
                let api = format!("{group}/{}", version["name"].as_str().unwrap_or_default());
                let mut instance = full_instance(&version["schema"]["openAPIV3Schema"]);
                instance["apiVersion"] = json!(api);
                instance["kind"] = json!(kind);
                instance["metadata"] = json!({"name": "x", "namespace": "y"});
                let object = match KarmadaObject::from_value(&instance) {
                    Ok(Some(o)) => o,
                    Ok(None) => continue,
                    Err(e) => panic!("{api} {kind}: {e}"),
                };
                checked += 1;
                let back = object.to_value().unwrap();
                let mut before = Vec::new();
                leaf_paths(&instance, String::new(), &mut before);
                for path in before {
                    if back.pointer(&path).is_none() {
                        missing.push(format!("{api} {kind}: {path}"));
                    }
                }
            }
        }
    }
    assert!(checked >= 7, "only {checked} kinds checked");
    assert!(missing.is_empty(), "fields lost:\n{}", missing.join("\n"));
}
