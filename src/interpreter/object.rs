//! Small, allocation-free readers over JSON objects, shared by the built-in interpreters, and
//! a compact deep copy for objects kept in great numbers.
//!
//! Readers that look at *member-reported* data (status items) are lenient: a missing or
//! mistyped field reads as zero, as Karmada's typed conversions and Lua scripts treat it.
//! Readers that look at the *object being interpreted* are strict and return
//! [`InterpreterError::Malformed`] naming the operation, object and field path.

use serde_json::{Map, Value};

use super::{InterpreterError, Operation};

/// Annotation carrying the template generation a member manifest was rendered from.
pub const TEMPLATE_GENERATION_ANNOTATION: &str = "resourcetemplate.karmada.io/generation";

/// A deep copy of `value` without spare capacity. `Value::clone` gives each object's entries
/// the capacity of its hash table (up to three times the entries it holds); for objects kept
/// long and in great numbers, such as the manifests of Works and the member clusters' copies
/// of them, that is about a quarter of their memory. The keys are hashed again, which costs
/// less than the memory it saves takes to fill.
pub(crate) fn compact_clone(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut copy = Map::with_capacity(map.len());
            for (key, item) in map {
                copy.insert(key.clone(), compact_clone(item));
            }
            Value::Object(copy)
        }
        Value::Array(items) => Value::Array(items.iter().map(compact_clone).collect()),
        other => other.clone(),
    }
}

/// Follows `path` through nested maps.
pub(crate) fn at<'a>(value: &'a Value, path: &[&str]) -> Option<&'a Value> {
    let mut cur = value;
    for key in path {
        cur = cur.as_object()?.get(*key)?;
    }
    Some(cur)
}

/// A string at `path`, `""` when absent or not a string.
pub(crate) fn str_at<'a>(value: &'a Value, path: &[&str]) -> &'a str {
    at(value, path).and_then(Value::as_str).unwrap_or("")
}

/// An integer at `path`, 0 when absent or not an integer (lenient, for member data).
pub(crate) fn int_at(value: &Value, path: &[&str]) -> i64 {
    at(value, path).map(lenient_int).unwrap_or(0)
}

/// A JSON number read as an integer; floats with an integral value count, anything else is 0.
pub(crate) fn lenient_int(value: &Value) -> i64 {
    match value {
        Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64))
            .unwrap_or(0),
        _ => 0,
    }
}

/// `metadata.generation` of an object (0 when absent).
pub(crate) fn generation(obj: &Value) -> i64 {
    int_at(obj, &["metadata", "generation"])
}

/// `namespace/name` (or `name`) of an object for messages.
pub(crate) fn display_name(obj: &Value) -> String {
    let ns = str_at(obj, &["metadata", "namespace"]);
    let name = str_at(obj, &["metadata", "name"]);
    if ns.is_empty() {
        name.to_string()
    } else {
        format!("{ns}/{name}")
    }
}

/// The typed error for a malformed field of `obj`.
pub(crate) fn malformed(
    operation: Operation,
    obj: &Value,
    field: impl Into<String>,
    message: impl Into<String>,
) -> InterpreterError {
    InterpreterError::Malformed {
        operation,
        kind: str_at(obj, &["kind"]).to_string(),
        name: display_name(obj),
        field: field.into(),
        message: message.into(),
    }
}

/// A strict optional integer field of the interpreted object: absent or null is `None`, any
/// non-integer is an error.
pub(crate) fn strict_int(
    operation: Operation,
    obj: &Value,
    path: &[&str],
) -> Result<Option<i64>, InterpreterError> {
    match at(obj, path) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => match n.as_i64() {
            Some(i) => Ok(Some(i)),
            None => match n.as_f64() {
                Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(Some(f as i64)),
                _ => Err(malformed(
                    operation,
                    obj,
                    path.join("."),
                    format!("expected an integer, found {n}"),
                )),
            },
        },
        Some(other) => Err(malformed(
            operation,
            obj,
            path.join("."),
            format!("expected an integer, found {}", type_name(other)),
        )),
    }
}

/// The JSON type name of a value, for messages.
pub(crate) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The object's top-level map, or a typed error when the object is not a JSON object.
pub(crate) fn root_map(
    operation: Operation,
    obj: &Value,
) -> Result<&Map<String, Value>, InterpreterError> {
    obj.as_object()
        .ok_or_else(|| malformed(operation, obj, "<root>", "expected a JSON object"))
}

/// `value` as a mutable map, replacing a non-object by an empty map.
pub(crate) fn as_map_mut(value: &mut Value) -> &mut Map<String, Value> {
    if !value.is_object() {
        *value = Value::Object(Map::new());
    }
    match value {
        Value::Object(map) => map,
        // The value was made an object just above.
        _ => unreachable!("value is an object"),
    }
}

/// Sets an integer field, removing it when zero and `omit_zero` (Go `omitempty`).
pub(crate) fn set_int(map: &mut Map<String, Value>, key: &str, n: i64, omit_zero: bool) {
    if n == 0 && omit_zero {
        map.remove(key);
    } else {
        map.insert(key.to_string(), Value::from(n));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn compact_clone_keeps_every_value_and_the_key_order() {
        let cases = [
            json!(null),
            json!("text"),
            json!([]),
            json!({}),
            json!({"z": 1, "a": [1, {"y": true, "b": null}], "m": {"k": "v", "c": 2.5}}),
            json!([{"name": "app", "image": "app:v1"}, [], {}, -3]),
        ];
        for value in cases {
            let copy = compact_clone(&value);
            assert_eq!(copy, value);
            assert_eq!(copy.to_string(), value.to_string(), "key order of {value}");
        }
    }
}
