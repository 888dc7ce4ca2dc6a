//! What ports of Karmada's Lua customizations need to give the same results: what a trip
//! through Lua does to JSON (no `null`s, numbers as floats, no empty tables), and component
//! requirements from a pod template.

use serde_json::Value;

use crate::{pod_requirements, ComponentRequirements, PluginError};

/// Removes every map field and every list element whose value is an empty object or an
/// empty list, at every depth of `value`, in one pass over the value as given: a container
/// left empty only because its own empty members went stays (`{"a": {"b": {}}}` becomes
/// `{"a": {}}`, `{"l": [[]]}` becomes `{"l": []}`). Karmada converts a Lua result table to
/// JSON without telling `{}` from `[]`, collects the paths (list indexes included) of what
/// came out as an empty table, and deletes those paths; for status results no reference
/// object can keep them. Ports of such scripts call this on the status they return to
/// produce the same objects.
pub fn prune_empty_tables(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, child| !is_empty_table(child));
            for child in map.values_mut() {
                prune_empty_tables(child);
            }
        }
        Value::Array(items) => {
            items.retain(|child| !is_empty_table(child));
            for child in items.iter_mut() {
                prune_empty_tables(child);
            }
        }
        _ => {}
    }
}

/// A value as a Lua script sees it and Karmada writes it back: every `null` gone from maps
/// and lists alike (a Lua table never holds `nil`), and every number a float, written as an
/// integer again when it has no fraction and fits 64 bits (so integers beyond 2^53 lose
/// precision, as in Karmada).
pub fn through_lua(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, child| !child.is_null());
            map.values_mut().for_each(through_lua);
        }
        Value::Array(items) => {
            items.retain(|child| !child.is_null());
            items.iter_mut().for_each(through_lua);
        }
        Value::Number(n) => {
            if let Some(number) = n.as_f64().and_then(lua_number) {
                *value = number;
            }
        }
        _ => {}
    }
}

/// A status (or any table) a Lua script returns, as Karmada converts it: [`through_lua`],
/// then [`prune_empty_tables`]. Ports of Karmada's scripts call this on the statuses they
/// return (aggregated and reflected).
pub fn as_lua_returns(value: &mut Value) {
    through_lua(value);
    prune_empty_tables(value);
}

/// A Lua number as Karmada's conversion writes it to JSON: an integer when [`lua_integer`]
/// reads it as one and it is below 10^21 (where Go's encoder turns to exponents), else a
/// float; `None` for infinities and NaN, which JSON cannot hold.
pub fn lua_number(n: f64) -> Option<Value> {
    const PLAIN_LIMIT: f64 = 1e21;
    if !n.is_finite() {
        return None;
    }
    match lua_integer(n) {
        Some(integer) if n.abs() < PLAIN_LIMIT => Some(Value::from(integer)),
        _ => serde_json::Number::from_f64(n).map(Value::Number),
    }
}

/// `n` as an `i64` when Lua (gopher-lua) counts it an integer: no fraction, and within
/// `[-2^63, 2^63)` (both bounds are exact as floats).
pub fn lua_integer(n: f64) -> Option<i64> {
    const TWO_TO_THE_63: f64 = 9_223_372_036_854_775_808.0;
    // Exact: `n` is whole and within i64's range.
    (n.fract() == 0.0 && (-TWO_TO_THE_63..TWO_TO_THE_63).contains(&n)).then_some(n as i64)
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

/// Lua's type name of a JSON value, for error messages.
pub fn lua_type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "nil",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) | Value::Object(_) => "table",
    }
}

/// Lua's `tonumber(value)` as gopher-lua reads it: a number as is; a string holding a `.` read as a float, else as
/// a decimal (or `0x` hexadecimal) integer; `None` (Lua `nil`) for anything else.
pub fn lua_tonumber(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => {
            let text = s.trim_matches([' ', '\t', '\n']);
            if text.contains('.') {
                go_parse_float(text)
            } else {
                let (radix, digits) = match text.get(..2) {
                    Some(prefix) if prefix.eq_ignore_ascii_case("0x") => (16, &text[2..]),
                    _ => (10, text),
                };
                i64::from_str_radix(digits, radix).ok().map(|n| n as f64)
            }
        }
        _ => None,
    }
}

/// Go's `strconv.ParseFloat` of the decimal forms (`[+-]digits[.digits][e[+-]digits]`,
/// either side of the point may be empty, `inf`, `infinity`, `nan`); `None` otherwise, and
/// for a value out of range.
pub fn go_parse_float(text: &str) -> Option<f64> {
    let (negative, body) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let special = match body.to_ascii_lowercase().as_str() {
        "inf" | "infinity" => Some(f64::INFINITY),
        "nan" => Some(f64::NAN),
        _ => None,
    };
    if let Some(special) = special {
        return Some(if negative { -special } else { special });
    }
    let (mantissa, exponent) = match body.split_once(['e', 'E']) {
        Some((mantissa, exponent)) => (mantissa, Some(exponent)),
        None => (body, None),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty()) || !digits(whole) || !digits(fraction) {
        return None;
    }
    let mut json = String::from(if negative { "-" } else { "" });
    json.push_str(match whole.trim_start_matches('0') {
        "" => "0",
        whole => whole,
    });
    if !fraction.is_empty() {
        json.push('.');
        json.push_str(fraction);
    }
    if let Some(exponent) = exponent {
        let unsigned = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
        if unsigned.is_empty() || !digits(unsigned) {
            return None;
        }
        json.push('e');
        json.push_str(exponent);
    }
    // serde_json reads JSON numbers as Go does, and refuses those out of range.
    serde_json::from_str::<Value>(&json)
        .ok()
        .and_then(|v| v.as_f64())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Only the fields that are empty tables in the given value go: Karmada deletes the
    /// paths it found empty in the converted result, and nothing else.
    #[test]
    fn empty_table_fields_disappear_in_one_pass() {
        let cases = [
            (json!({"a": {}, "b": [], "c": 0}), json!({"c": 0})),
            (json!({"a": {"b": {"c": []}}}), json!({"a": {"b": {}}})),
            (
                json!({"exclude": {"resources": {}}, "mutate": {}, "name": "n"}),
                json!({"exclude": {}, "name": "n"}),
            ),
            (json!({"l": [{}, 1, []]}), json!({"l": [1]})),
            (json!({"l": [[]]}), json!({"l": []})),
            (
                json!({"l": [{"a": {}, "b": 1}, {"a": []}]}),
                json!({"l": [{"b": 1}, {}]}),
            ),
            (json!({"s": "", "n": null}), json!({"s": "", "n": null})),
        ];
        for (mut input, want) in cases {
            prune_empty_tables(&mut input);
            assert_eq!(input, want);
        }
    }

    #[test]
    fn a_trip_through_lua_drops_nulls_and_makes_numbers_floats() {
        let cases = [
            (json!({"a": null, "b": 1}), json!({"b": 1})),
            (json!([1, null, 2]), json!([1, 2])),
            (json!({"n": {"m": null}}), json!({"n": {}})),
            (json!({"f": 3.0, "g": 2.5}), json!({"f": 3, "g": 2.5})),
            (json!(9007199254740993u64), json!(9007199254740992u64)),
            (json!(u64::MAX), json!(1.8446744073709552e19)),
            (json!(1e21), json!(1e21)),
            (json!("null"), json!("null")),
        ];
        for (mut input, want) in cases {
            through_lua(&mut input);
            assert_eq!(input, want);
        }
        let mut status = json!({"a": null, "b": {"c": null}, "d": [null], "e": 1.0});
        as_lua_returns(&mut status);
        assert_eq!(status, json!({"e": 1}));
        // A table emptied of its nils is empty in Lua, so it goes; its parent stays.
        let mut status = json!({"p": {"b": {"c": null}}});
        as_lua_returns(&mut status);
        assert_eq!(status, json!({"p": {}}));
        assert_eq!(lua_number(f64::NAN), None);
        assert_eq!(lua_number(f64::INFINITY), None);
        assert_eq!(lua_number(-4.0), Some(json!(-4)));
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
