//! The Lua semantics Karmada's Ray aggregation scripts rely on, for values that arrive as
//! JSON: a JSON `null` is Lua `nil` (the key, or the list element, is not there at all),
//! numbers are floats, `+` coerces numeric strings and fails on anything else, `<` compares
//! two numbers or two strings and fails on mixed operands.
use fedplan_interpreter_sdk::prelude::*;
use fedplan_interpreter_sdk::{go_parse_float, lua_integer, lua_number};

/// `value` unless it is JSON `null`, which Lua sees as `nil`.
pub use fedplan_interpreter_sdk::{lua_tonumber as tonumber, lua_type_name as type_name};

pub fn non_nil(value: Option<&Value>) -> Option<&Value> {
    value.filter(|v| !v.is_null())
}

/// Whether Lua can read fields of `value`: a table, or a string (whose fields are the
/// string library's, none of them a status field). `nil`, a number or a boolean cannot be
/// indexed.
pub fn indexable(value: &Value) -> bool {
    !matches!(value, Value::Null | Value::Number(_) | Value::Bool(_))
}

/// `value.key` as Lua reads it: a map's field, `nil` for a list or a string; an error for a
/// value that cannot be indexed.
pub fn index<'a>(value: &'a Value, key: &str) -> Result<Option<&'a Value>, String> {
    if !indexable(value) {
        return Err(format!("attempt to index a {} value", type_name(value)));
    }
    Ok(non_nil(value.get(key)))
}

/// `acc + value`: a number, or a string Lua's arithmetic reads as one.
pub fn add(acc: f64, value: &Value) -> Result<f64, String> {
    let operand = match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => arithmetic_string(s),
        _ => None,
    };
    operand
        .map(|n| acc + n)
        .ok_or_else(|| format!("cannot add a {} value ({value})", type_name(value)))
}

/// A string as an arithmetic operand (gopher-lua: an integer literal with an optional
/// `0x`/`0o`/`0b` or octal `0` prefix, else a float).
fn arithmetic_string(text: &str) -> Option<f64> {
    let text = text.trim_matches([' ', '\t', '\n']);
    let (negative, digits) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let prefixed = |prefix: [&str; 2], radix| {
        prefix
            .iter()
            .find_map(|p| digits.strip_prefix(p))
            .map(|rest| (rest, radix))
    };
    let integer = prefixed(["0x", "0X"], 16)
        .or_else(|| prefixed(["0o", "0O"], 8))
        .or_else(|| prefixed(["0b", "0B"], 2))
        .or_else(|| {
            digits
                .strip_prefix('0')
                .filter(|rest| !rest.is_empty())
                .map(|rest| (rest, 8))
        })
        .unwrap_or((digits, 10));
    let parsed = match integer {
        (rest, radix) if !rest.is_empty() && !rest.starts_with(['+', '-']) => {
            i64::from_str_radix(rest, radix).ok()
        }
        _ => None,
    };
    match parsed {
        Some(n) => Some(if negative { -(n as f64) } else { n as f64 }),
        None => go_parse_float(text),
    }
}

/// Lua's `tostring` of a number (gopher-lua): an integer without a fraction, any other
/// number as Go's `%v` writes it: the shortest exact digits, in exponent form when the
/// exponent is below -4 or 6 and above (`1.5`, `1e-05`, `1.2345675e+06`).
pub fn number_to_string(n: f64) -> String {
    if n.is_nan() {
        return "NaN".to_string();
    }
    if n.is_infinite() {
        return if n > 0.0 { "+Inf" } else { "-Inf" }.to_string();
    }
    if let Some(integer) = lua_integer(n) {
        return integer.to_string();
    }
    let sign = if n < 0.0 { "-" } else { "" };
    let (digits, point) = shortest_digits(n.abs());
    let exponent = point - 1;
    if !(-4..6).contains(&exponent) {
        let (head, tail) = digits.split_at(1.min(digits.len()));
        let dot = if tail.is_empty() { "" } else { "." };
        let exponent_sign = if exponent < 0 { '-' } else { '+' };
        return format!(
            "{sign}{head}{dot}{tail}e{exponent_sign}{:02}",
            exponent.unsigned_abs()
        );
    }
    let point = usize::try_from(point).unwrap_or(0);
    if point == 0 {
        let zeros = "0".repeat(usize::try_from(-exponent - 1).unwrap_or(0));
        return format!("{sign}0.{zeros}{digits}");
    }
    let (whole, fraction) = digits.split_at(point.min(digits.len()));
    format!("{sign}{whole}.{fraction}")
}

/// The shortest digits that read back as `magnitude` (positive, finite, not an integer),
/// and where the decimal point goes: `magnitude = 0.digits × 10^point`.
fn shortest_digits(magnitude: f64) -> (String, i32) {
    // serde_json writes floats with the shortest exact digits already.
    let text = Value::from(magnitude).to_string();
    let (mantissa, exponent) = match text.split_once(['e', 'E']) {
        Some((mantissa, exponent)) => (mantissa, exponent.parse::<i32>().unwrap_or(0)),
        None => (text.as_str(), 0),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all = format!("{whole}{fraction}");
    let significant = all.trim_start_matches('0');
    let leading_zeros = all.len() - significant.len();
    let point = i32::try_from(whole.len()).unwrap_or(0) - i32::try_from(leading_zeros).unwrap_or(0)
        + exponent;
    (significant.trim_end_matches('0').to_string(), point)
}

/// A Lua number as Karmada's result conversion writes it to JSON ([`lua_number`]); an error
/// for the values JSON cannot hold.
pub fn number_value(n: f64) -> Result<Value, String> {
    lua_number(n).ok_or_else(|| format!("{} cannot be written as JSON", number_to_string(n)))
}

/// Lua's `a < b`: numbers by value, strings byte by byte; an error for other operands.
pub fn less(a: &Value, b: &Value) -> Result<bool, String> {
    match (a, b) {
        (Value::String(a), Value::String(b)) => Ok(a < b),
        (Value::Number(x), Value::Number(y)) => match (x.as_f64(), y.as_f64()) {
            (Some(x), Some(y)) => Ok(x < y),
            _ => Err("numbers cannot be compared".to_string()),
        },
        _ => Err(format!(
            "attempt to compare {} with {}",
            type_name(a),
            type_name(b)
        )),
    }
}

/// The elements `ipairs(value)` visits: a list's elements (its `null`s are not in the Lua
/// table); none of a map, whose keys are strings; an error for other values.
pub fn ipairs(value: &Value) -> Result<impl Iterator<Item = &Value>, String> {
    let elements: &[Value] = match value {
        Value::Array(items) => items,
        Value::Object(_) => &[],
        other => {
            return Err(format!(
                "bad argument #1 to ipairs (table expected, got {})",
                type_name(other)
            ))
        }
    };
    Ok(elements.iter().filter(|v| !v.is_null()))
}

/// The `status` of an object as Karmada writes it back after running a script: every `null`
/// gone (Lua never held it), every number a float (an integer again when it has no
/// fraction), and every field or element that is an empty map or list gone (Lua's tables do
/// not tell `{}` from `[]`, and Karmada deletes them from a status result; see
/// `prune_empty_tables`), the status itself included.
pub fn status_as_returned(object: &mut Value) {
    let Some(map) = object.as_object_mut() else {
        return;
    };
    let Some(status) = map.get_mut("status") else {
        return;
    };
    as_lua_returns(status);
    let empty = match &*status {
        Value::Null => true,
        Value::Object(fields) => fields.is_empty(),
        Value::Array(items) => items.is_empty(),
        _ => false,
    };
    if empty {
        map.remove("status");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_reads_numbers_and_numeric_strings() {
        let cases = [
            (json!(2), Some(3.0)),
            (json!(1.5), Some(2.5)),
            (json!("2"), Some(3.0)),
            (json!(" 0x10 "), Some(17.0)),
            (json!("010"), Some(9.0)),
            (json!("-2"), Some(-1.0)),
            (json!("2.5e1"), Some(26.0)),
            (json!("007.5"), Some(8.5)),
            (json!("+.5"), Some(1.5)),
            (json!("1e999"), None),
            (json!("Inf"), Some(f64::INFINITY)),
            (json!("two"), None),
            (json!(""), None),
            (json!(true), None),
            (json!({}), None),
        ];
        for (value, want) in cases {
            assert_eq!(add(1.0, &value).ok(), want, "{value}");
        }
    }

    #[test]
    fn tonumber_follows_gopher_lua() {
        let cases = [
            (json!(3), Some(3.0)),
            (json!("2"), Some(2.0)),
            (json!(" 1.5 "), Some(1.5)),
            (json!("0x1F"), Some(31.0)),
            (json!("010"), Some(10.0)),
            (json!("1e3"), None),
            (json!("1.e3"), Some(1000.0)),
            (json!(".5"), Some(0.5)),
            (json!("2."), Some(2.0)),
            (json!("0x-5"), Some(-5.0)),
            (json!("."), None),
            (json!("1Gi"), None),
            (json!(""), None),
            (json!(false), None),
        ];
        for (value, want) in cases {
            assert_eq!(tonumber(&value), want, "{value}");
        }
    }

    #[test]
    fn numbers_print_as_go_writes_them() {
        let cases = [
            (0.0, "0"),
            (3.0, "3"),
            (-2.0, "-2"),
            (1.5, "1.5"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.5e-7, "1.5e-07"),
            (-0.25, "-0.25"),
            (123456.5, "123456.5"),
            (1234567.5, "1.2345675e+06"),
            (1e300, "1e+300"),
            (1e21, "1e+21"),
            (1.25e22, "1.25e+22"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "+Inf"),
        ];
        for (n, want) in cases {
            assert_eq!(number_to_string(n), want, "{n}");
        }
        assert_eq!(number_value(4.0), Ok(json!(4)));
        assert_eq!(number_value(2.5), Ok(json!(2.5)));
        assert!(number_value(f64::INFINITY).is_err());
    }

    #[test]
    fn comparisons_need_like_operands() {
        assert_eq!(less(&json!("a"), &json!("b")), Ok(true));
        assert_eq!(less(&json!(10), &json!(9)), Ok(false));
        assert!(less(&json!(1), &json!("2")).is_err());
    }

    #[test]
    fn ipairs_visits_list_elements_only() {
        let list = json!([1, null, 2]);
        assert_eq!(ipairs(&list).unwrap().count(), 2);
        assert_eq!(ipairs(&json!({"1": 1})).unwrap().count(), 0);
        assert!(ipairs(&json!("x")).is_err());
    }

    #[test]
    fn returned_status_loses_nulls_and_empty_tables() {
        let cases = [
            // `b` reaches Lua as a list holding one empty table: the element goes, the
            // list it leaves empty stays.
            (
                json!({"status": {"a": null, "b": [null, {}], "c": 1}}),
                json!({"status": {"b": [], "c": 1}}),
            ),
            (
                json!({"status": {"a": null, "b": [null], "c": 1}}),
                json!({"status": {"c": 1}}),
            ),
            (json!({"status": {"a": null}}), json!({})),
            (json!({"status": null}), json!({})),
            (json!({"status": "x"}), json!({"status": "x"})),
            (
                json!({"spec": {"p": {}}, "status": {"l": [1, null]}}),
                json!({"spec": {"p": {}}, "status": {"l": [1]}}),
            ),
            (
                json!({"status": {"a": 3.0, "b": 2.5, "c": 9007199254740993u64}}),
                json!({"status": {"a": 3, "b": 2.5, "c": 9007199254740992u64}}),
            ),
        ];
        for (mut object, want) in cases {
            status_as_returned(&mut object);
            assert_eq!(object, want);
        }
    }
}
