//! `fieldOverrider`: patch a JSON or YAML document held in a string field (a ConfigMap key,
//! say).
//!
//! The field at `fieldPath` (RFC 6901) must be a string. With `yaml` operations the document is
//! read as YAML, converted to JSON, patched and written back as YAML (Karmada re-serialises it:
//! comments and formatting are lost and mapping keys come out sorted the way Go's YAML library
//! sorts them). Otherwise, with `json` operations, the JSON document is patched and written back
//! compact. When both lists are present only `yaml` is used; when neither is, the field is
//! overwritten with the empty string, as Karmada does.

use serde_json::Value;

use crate::api::{FieldOverrider, SubPathPatch};

use super::error::OverriderError;
use super::patch::{apply_patch, json_type, to_go_json, PatchOp};

/// Applies one field overrider to `object`.
///
/// ```
/// use fedplan::api::FieldOverrider;
/// use fedplan::overrides::apply_field_overrider;
/// use serde_json::json;
///
/// let mut cm = json!({"kind": "ConfigMap", "data": {"cfg.json": "{\"level\":\"info\"}"}});
/// let o: FieldOverrider = serde_json::from_value(json!({"fieldPath": "/data/cfg.json",
///     "json": [{"subPath": "/level", "operator": "replace", "value": "debug"}]})).unwrap();
/// apply_field_overrider(&mut cm, &o).unwrap();
/// assert_eq!(cm["data"]["cfg.json"], json!("{\"level\":\"debug\"}"));
/// ```
pub fn apply_field_overrider(
    object: &mut Value,
    overrider: &FieldOverrider,
) -> Result<(), OverriderError> {
    let path = overrider.field_path.as_str();
    if !path.is_empty() && !path.starts_with('/') {
        return Err(OverriderError::InvalidPointer {
            path: path.to_owned(),
            reason: "a JSON pointer must be empty or start with '/'".to_owned(),
        });
    }
    let Some(target) = object.pointer_mut(path) else {
        return Err(OverriderError::MissingPath {
            path: path.to_owned(),
        });
    };
    let Value::String(text) = target else {
        return Err(OverriderError::WrongType {
            path: path.to_owned(),
            expected: "a string",
            found: json_type(target),
        });
    };
    let patched = if !overrider.yaml.is_empty() {
        patch_yaml(path, text, &overrider.yaml)?
    } else if !overrider.json.is_empty() {
        patch_json(path, text, &overrider.json)?
    } else {
        String::new()
    };
    *text = patched;
    Ok(())
}

fn ops(patches: &[SubPathPatch]) -> Vec<PatchOp> {
    patches
        .iter()
        .map(|p| PatchOp {
            op: p.operator,
            path: p.sub_path.clone(),
            value: Some(p.value.clone().unwrap_or(Value::Null)),
        })
        .collect()
}

/// Karmada's patch library only patches a document that is an object, or an array written
/// with `[` as its very first byte; an empty document is returned unchanged.
fn patch_json(path: &str, text: &str, patches: &[SubPathPatch]) -> Result<String, OverriderError> {
    if text.is_empty() {
        return Ok(String::new());
    }
    let invalid = |reason: String| OverriderError::InvalidJsonDocument {
        path: path.to_owned(),
        reason,
    };
    let mut doc: Value = serde_json::from_str(text).map_err(|e| invalid(e.to_string()))?;
    check_patchable(&doc, text.starts_with('[')).map_err(invalid)?;
    apply_patch(&mut doc, &ops(patches))?;
    Ok(to_go_json(&doc))
}

fn check_patchable(doc: &Value, starts_with_bracket: bool) -> Result<(), String> {
    match doc {
        Value::Object(_) => Ok(()),
        Value::Array(_) if starts_with_bracket => Ok(()),
        other => Err(format!(
            "the document is {}, not an object or a list",
            json_type(other)
        )),
    }
}

#[cfg(feature = "yaml")]
fn patch_yaml(path: &str, text: &str, patches: &[SubPathPatch]) -> Result<String, OverriderError> {
    let invalid = |reason: String| OverriderError::InvalidYamlDocument {
        path: path.to_owned(),
        reason,
    };
    let mut doc = yaml::to_json(text).map_err(invalid)?;
    check_patchable(&doc, doc.is_array()).map_err(invalid)?;
    apply_patch(&mut doc, &ops(patches))?;
    yaml::from_json(&doc).map_err(invalid)
}

#[cfg(not(feature = "yaml"))]
fn patch_yaml(
    path: &str,
    _text: &str,
    _patches: &[SubPathPatch],
) -> Result<String, OverriderError> {
    Err(OverriderError::YamlUnsupported {
        path: path.to_owned(),
    })
}

/// YAML ⇄ JSON the way Karmada's YAML library converts (first document only, integral floats
/// become integers, mapping keys become strings, output keys sorted in Go's YAML order).
#[cfg(feature = "yaml")]
pub(crate) mod yaml {
    use std::cmp::Ordering;

    use serde::Deserialize;
    use serde_json::{Map, Number, Value};
    use serde_yaml_ng::{Mapping, Value as Yaml};

    /// Parses the first YAML document of `text` into JSON; no document is `null`.
    pub(crate) fn to_json(text: &str) -> Result<Value, String> {
        let Some(document) = serde_yaml_ng::Deserializer::from_str(text).next() else {
            return Ok(Value::Null);
        };
        let yaml = Yaml::deserialize(document).map_err(|e| e.to_string())?;
        convert(yaml)
    }

    fn convert(yaml: Yaml) -> Result<Value, String> {
        Ok(match yaml {
            Yaml::Null => Value::Null,
            Yaml::Bool(b) => Value::Bool(b),
            Yaml::Number(n) => number(&n)?,
            Yaml::String(s) => Value::String(s),
            Yaml::Sequence(items) => {
                Value::Array(items.into_iter().map(convert).collect::<Result<_, _>>()?)
            }
            Yaml::Mapping(mapping) => {
                let mut map = Map::new();
                for (key, value) in mapping {
                    map.insert(key_string(key)?, convert(value)?);
                }
                Value::Object(map)
            }
            Yaml::Tagged(tagged) => convert(tagged.value)?,
        })
    }

    fn number(n: &serde_yaml_ng::Number) -> Result<Value, String> {
        if let Some(i) = n.as_i64() {
            return Ok(Value::from(i));
        }
        if let Some(u) = n.as_u64() {
            return Ok(Value::from(u));
        }
        let f = n.as_f64().unwrap_or(f64::NAN);
        if !f.is_finite() {
            return Err(format!(
                "unsupported value {n} (JSON has no NaN or infinity)"
            ));
        }
        // Go writes an integral float64 without a fraction, so it reads back as an integer.
        if f.fract() == 0.0 && f.abs() < 9.0e15 {
            return Ok(Value::from(f as i64));
        }
        Number::from_f64(f)
            .map(Value::Number)
            .ok_or_else(|| format!("unsupported value {n}"))
    }

    fn key_string(key: Yaml) -> Result<String, String> {
        match key {
            Yaml::String(s) => Ok(s),
            Yaml::Number(n) => Ok(n.to_string()),
            Yaml::Bool(b) => Ok(b.to_string()),
            Yaml::Null => Ok("null".to_owned()),
            Yaml::Tagged(tagged) => key_string(tagged.value),
            Yaml::Sequence(_) | Yaml::Mapping(_) => {
                Err("a mapping key is a list or a mapping, which JSON cannot hold".to_owned())
            }
        }
    }

    /// Writes JSON as YAML with mapping keys in Go's YAML order.
    pub(crate) fn from_json(value: &Value) -> Result<String, String> {
        serde_yaml_ng::to_string(&to_yaml(value)).map_err(|e| e.to_string())
    }

    fn to_yaml(value: &Value) -> Yaml {
        match value {
            Value::Null => Yaml::Null,
            Value::Bool(b) => Yaml::Bool(*b),
            Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
                (Some(i), _, _) => Yaml::Number(i.into()),
                (None, Some(u), _) => Yaml::Number(u.into()),
                (None, None, Some(f)) if f.fract() == 0.0 && f.abs() < 9.0e15 => {
                    Yaml::Number((f as i64).into())
                }
                (None, None, Some(f)) => Yaml::Number(f.into()),
                (None, None, None) => Yaml::Null,
            },
            Value::String(s) => Yaml::String(s.clone()),
            Value::Array(items) => Yaml::Sequence(items.iter().map(to_yaml).collect()),
            Value::Object(map) => {
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort_by(|a, b| go_yaml_key_order(a, b));
                let mut mapping = Mapping::with_capacity(keys.len());
                for key in keys {
                    mapping.insert(Yaml::String(key.clone()), to_yaml(&map[key.as_str()]));
                }
                Yaml::Mapping(mapping)
            }
        }
    }

    /// The key order of Go's YAML encoder: letters compare by code point, a non-letter sorts
    /// before a letter, and runs of digits compare by numeric value.
    pub(crate) fn go_yaml_key_order(a: &str, b: &str) -> Ordering {
        if key_less(a, b) {
            Ordering::Less
        } else if key_less(b, a) {
            Ordering::Greater
        } else {
            Ordering::Equal
        }
    }

    fn key_less(a: &str, b: &str) -> bool {
        let ar: Vec<char> = a.chars().collect();
        let br: Vec<char> = b.chars().collect();
        for i in 0..ar.len().min(br.len()) {
            if ar[i] == br[i] {
                continue;
            }
            let al = ar[i].is_alphabetic();
            let bl = br[i].is_alphabetic();
            if al && bl {
                return ar[i] < br[i];
            }
            if al || bl {
                return bl;
            }
            let (mut an, mut bn) = (0i64, 0i64);
            if ar[i] == '0' || br[i] == '0' {
                for j in (0..i).rev() {
                    if !ar[j].is_ascii_digit() {
                        break;
                    }
                    if ar[j] != '0' {
                        an = 1;
                        bn = 1;
                        break;
                    }
                }
            }
            let run = |chars: &[char], n: &mut i64| {
                let mut k = i;
                while k < chars.len() && chars[k].is_ascii_digit() {
                    let digit = i64::from(chars[k] as u8 - b'0');
                    *n = n.wrapping_mul(10).wrapping_add(digit);
                    k += 1;
                }
                k
            };
            let ai = run(&ar, &mut an);
            let bi = run(&br, &mut bn);
            if an != bn {
                return an < bn;
            }
            if ai != bi {
                return ai < bi;
            }
            return ar[i] < br[i];
        }
        ar.len() < br.len()
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use serde_json::json;

        #[test]
        fn go_key_order_table() {
            let mut keys = vec![
                "b", "a10", "a9", "a_b", "aB", "ab", "A", "1", "10", "2", "a",
            ];
            keys.sort_by(|a, b| go_yaml_key_order(a, b));
            assert_eq!(
                keys,
                ["1", "2", "10", "A", "a", "a_b", "a9", "a10", "aB", "ab", "b"]
            );
        }

        #[test]
        fn round_trip_table() {
            let cases = [
                ("a: 1\n", json!({"a": 1}), "a: 1\n"),
                ("b: x\na: 1.0\n", json!({"b": "x", "a": 1}), "a: 1\nb: x\n"),
                ("- 1\n- two\n", json!([1, "two"]), "- 1\n- two\n"),
                ("1: one\n", json!({"1": "one"}), "'1': one\n"),
                ("x: 1.5\n", json!({"x": 1.5}), "x: 1.5\n"),
                ("", json!(null), "null\n"),
            ];
            for (text, expected, back) in cases {
                let got = to_json(text).unwrap();
                assert_eq!(got, expected, "{text:?}");
                assert_eq!(from_json(&got).unwrap(), back, "{text:?}");
            }
            assert!(to_json("a: [").is_err());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn overrider(v: Value) -> FieldOverrider {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn json_documents() {
        let cases: Vec<(&str, Value, Result<&str, ()>)> = vec![
            (
                r#"{"a":1,"b":"<x>"}"#,
                json!([{"subPath": "/a", "operator": "replace", "value": 2}]),
                Ok(r#"{"a":2,"b":"\u003cx\u003e"}"#),
            ),
            (
                r#"[1,2]"#,
                json!([{"subPath": "/0", "operator": "remove"}]),
                Ok("[2]"),
            ),
            (
                r#" [1,2]"#,
                json!([{"subPath": "/0", "operator": "remove"}]),
                Err(()),
            ),
            (
                "",
                json!([{"subPath": "/a", "operator": "add", "value": 1}]),
                Ok(""),
            ),
            (
                "3",
                json!([{"subPath": "/a", "operator": "add", "value": 1}]),
                Err(()),
            ),
            (
                "{not json",
                json!([{"subPath": "/a", "operator": "add", "value": 1}]),
                Err(()),
            ),
            (
                r#"{"a":1}"#,
                json!([{"subPath": "/b/c", "operator": "add", "value": 1}]),
                Err(()),
            ),
        ];
        for (text, ops, expected) in cases {
            let mut object = json!({"kind": "ConfigMap", "data": {"f": text}});
            let o = overrider(json!({"fieldPath": "/data/f", "json": ops}));
            let got = apply_field_overrider(&mut object, &o);
            match expected {
                Ok(out) => {
                    assert!(got.is_ok(), "{text}: {got:?}");
                    assert_eq!(object["data"]["f"], json!(out), "{text}");
                }
                Err(()) => assert!(got.is_err(), "{text} should fail"),
            }
        }
    }

    #[test]
    fn field_path_checks() {
        let mut object = json!({"kind": "ConfigMap", "data": {"n": 1, "s": "{}"}});
        let cases = [
            ("/data/n", true),
            ("/data/missing", true),
            ("data/s", true),
            ("/data/s", false),
        ];
        for (path, fails) in cases {
            let o = overrider(
                json!({"fieldPath": path, "json": [{"subPath": "/a", "operator": "add", "value": 1}]}),
            );
            assert_eq!(
                apply_field_overrider(&mut object, &o).is_err(),
                fails,
                "{path}"
            );
        }
        let blank = overrider(json!({"fieldPath": "/data/s"}));
        apply_field_overrider(&mut object, &blank).unwrap();
        assert_eq!(object["data"]["s"], json!(""));
    }

    #[test]
    #[cfg(feature = "yaml")]
    fn yaml_documents() {
        let mut object =
            json!({"kind": "ConfigMap", "data": {"f": "z: 1\nkey:\n  key1: value # c\n"}});
        let o = overrider(json!({"fieldPath": "/data/f",
            "yaml": [{"subPath": "/key/key1", "operator": "replace", "value": "v2"}],
            "json": [{"subPath": "/ignored", "operator": "add", "value": 1}]}));
        apply_field_overrider(&mut object, &o).unwrap();
        assert_eq!(object["data"]["f"], json!("key:\n  key1: v2\nz: 1\n"));
        let mut bad = json!({"kind": "ConfigMap", "data": {"f": "a: ["}});
        assert!(matches!(
            apply_field_overrider(&mut bad, &o),
            Err(OverriderError::InvalidYamlDocument { .. })
        ));
    }

    #[test]
    #[cfg(not(feature = "yaml"))]
    fn yaml_needs_feature() {
        let mut object = json!({"kind": "ConfigMap", "data": {"f": "a: 1\n"}});
        let o = overrider(json!({"fieldPath": "/data/f",
            "yaml": [{"subPath": "/a", "operator": "replace", "value": 2}]}));
        assert!(matches!(
            apply_field_overrider(&mut object, &o),
            Err(OverriderError::YamlUnsupported { .. })
        ));
    }
}
