//! How Karmada's Rollout scripts see the values they read. Objects arrive as they reach a
//! script (`VALUES_THROUGH_LUA`: no `null`s, whole floats as integers), so what is left is
//! Lua's reading of them: a field of a table or a string is looked up (a string's fields are
//! its library's functions, none of them a Rollout field), a field of a number or a boolean is
//! an error; `ipairs` walks a list and nothing of a map; `tonumber` reads some strings.
use fedplan_interpreter_sdk::prelude::*;

pub use fedplan_interpreter_sdk::{lua_tonumber as tonumber, lua_type_name as type_name};

/// `value.key`, read at `path` (named in the error): a map's field, nothing of a list or a
/// string, an error for a number or a boolean.
pub fn field<'a>(
    value: &'a Value,
    key: &str,
    path: &str,
) -> Result<Option<&'a Value>, PluginError> {
    match value {
        Value::Object(map) => Ok(map.get(key).filter(|v| !v.is_null())),
        Value::Array(_) | Value::String(_) | Value::Null => Ok(None),
        other => Err(PluginError::at(
            path,
            format!("attempt to index a {} value", type_name(other)),
        )),
    }
}

/// `field` along `keys`, stopping at the first missing value (the scripts' `get(obj, path)`).
pub fn dig<'a>(
    value: &'a Value,
    keys: &[&str],
    path: &str,
) -> Result<Option<&'a Value>, PluginError> {
    let mut current = value;
    for key in keys {
        match field(current, key, path)? {
            Some(next) => current = next,
            None => return Ok(None),
        }
    }
    Ok(Some(current))
}

/// The elements `ipairs(value)` visits: a list's, none of a map's (its keys are strings); an
/// error for any other value.
pub fn ipairs<'a>(value: &'a Value, path: &str) -> Result<&'a [Value], PluginError> {
    match value {
        Value::Array(items) => Ok(items),
        Value::Object(_) => Ok(&[]),
        other => Err(PluginError::at(
            path,
            format!(
                "bad argument #1 to ipairs (table expected, got {})",
                type_name(other)
            ),
        )),
    }
}

/// The scripts' `to_num(value, default)`: `default` when the value is absent, `""` or not a
/// number `tonumber` can read.
pub fn to_num(value: Option<&Value>, default: f64) -> f64 {
    match value {
        None => default,
        Some(Value::String(text)) if text.is_empty() => default,
        Some(value) => tonumber(value).unwrap_or(default),
    }
}

/// A value joined into a string by Lua's `..`: a string as is, an integer in decimal digits.
/// Lua writes any other number in its own float format, and fails on everything else; both
/// are refused here.
pub fn concat_text(value: &Value, path: &str) -> Result<String, PluginError> {
    match value {
        Value::String(text) => Ok(text.clone()),
        Value::Number(n) if n.is_i64() || n.is_u64() => Ok(n.to_string()),
        other => Err(PluginError::at(
            path,
            format!("attempt to concatenate a {} value", type_name(other)),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tonumber_reads_as_gopher_lua_does() {
        let cases = [
            (json!(3), Some(3.0)),
            (json!(2.5), Some(2.5)),
            (json!("4"), Some(4.0)),
            (json!(" 7\n"), Some(7.0)),
            (json!("1.5"), Some(1.5)),
            (json!("0x10"), Some(16.0)),
            (json!("-2"), Some(-2.0)),
            (json!("1e3"), None),
            (json!("three"), None),
            (json!(""), None),
            (json!(true), None),
            (json!({}), None),
        ];
        for (value, want) in cases {
            assert_eq!(tonumber(&value), want, "{value}");
        }
    }

    #[test]
    fn to_num_falls_back_to_the_default() {
        let cases = [
            (None, 1.0),
            (Some(json!("")), 1.0),
            (Some(json!("x")), 1.0),
            (Some(json!(false)), 1.0),
            (Some(json!(5)), 5.0),
            (Some(json!("6")), 6.0),
        ];
        for (value, want) in cases {
            assert_eq!(to_num(value.as_ref(), 1.0), want, "{value:?}");
        }
    }

    #[test]
    fn fields_are_read_as_lua_reads_them() {
        let object = json!({"a": {"b": 1}, "s": "text", "l": [1], "n": 2, "t": true});
        assert_eq!(dig(&object, &["a", "b"], "a.b"), Ok(Some(&json!(1))));
        assert_eq!(dig(&object, &["s", "b"], "s.b"), Ok(None));
        assert_eq!(dig(&object, &["l", "b"], "l.b"), Ok(None));
        assert_eq!(dig(&object, &["x", "b"], "x.b"), Ok(None));
        assert!(dig(&object, &["n", "b"], "n.b").is_err());
        assert!(dig(&object, &["t", "b"], "t.b").is_err());
        assert_eq!(ipairs(&json!({"k": 1}), "p"), Ok(&[][..]));
        assert!(ipairs(&json!("list"), "p").is_err());
        assert_eq!(concat_text(&json!(12), "p"), Ok("12".to_string()));
        assert!(concat_text(&json!(1.5), "p").is_err());
        assert!(concat_text(&json!({}), "p").is_err());
    }
}
