//! Karmada's `kube.resourceAdd(a, b)`: two Kubernetes quantities added and written the way
//! Kubernetes writes a quantity (`21G + 21G = 42G`, `4Gi + 4Gi = 8Gi`).
use fedplan_interpreter_sdk::prelude::*;
use fedplan_interpreter_sdk::quantity;

use crate::lua;

const NANOS_PER_UNIT: i128 = 1_000_000_000;

/// The notation a quantity is written in; a sum keeps the notation of its first operand,
/// unless that operand is zero, and then takes the second's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    /// `1500m`, `3G`, `7`.
    DecimalSi,
    /// `8Gi`, `512Ki`.
    BinarySi,
    /// `1e3`.
    DecimalExponent,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Quantity {
    nanos: i128,
    format: Format,
}

/// A quantity string as Kubernetes parses it (no surrounding blanks allowed).
fn parse(text: &str) -> Option<Quantity> {
    if text.trim() != text {
        return None;
    }
    let nanos = quantity::parse_nanos(text)?;
    let number_end = text
        .find(|c: char| !(c.is_ascii_digit() || matches!(c, '.' | '+' | '-')))
        .unwrap_or(text.len());
    let suffix = &text[number_end..];
    let format = if suffix.ends_with('i') {
        Format::BinarySi
    } else if suffix.len() > 1 && suffix.starts_with(['e', 'E']) {
        Format::DecimalExponent
    } else {
        Format::DecimalSi
    };
    Some(Quantity { nanos, format })
}

/// `kube.resourceAdd(total, value)`: `value` is a quantity string or a number (read as a
/// decimal quantity with milli precision); anything else, or a string that is no quantity,
/// fails as the Lua call does.
pub fn resource_add(total: &str, value: &Value) -> Result<String, String> {
    let first = parse(total).ok_or_else(|| format!("{total:?} is not a quantity"))?;
    let second = match value {
        Value::String(text) => {
            parse(text).ok_or_else(|| format!("{text:?} is not a Kubernetes quantity"))?
        }
        Value::Number(n) => {
            let millis = (n.as_f64().unwrap_or(0.0) * 1000.0) as i64;
            Quantity {
                nanos: i128::from(millis) * 1_000_000,
                format: Format::DecimalSi,
            }
        }
        other => {
            return Err(format!(
                "a quantity string expected, got a {}",
                lua::type_name(other)
            ))
        }
    };
    let format = if first.nanos == 0 {
        second.format
    } else {
        first.format
    };
    let nanos = first
        .nanos
        .checked_add(second.nanos)
        .ok_or_else(|| format!("{total} + {value} is too large"))?;
    Ok(canonical(nanos, format))
}

/// Kubernetes' canonical form of `nanos` in `format`: the mantissa stripped of trailing
/// zeros, with an exponent that is a multiple of three (decimal) or of 2^10 (binary). A
/// binary quantity below 1024 or with a fraction is written decimal.
fn canonical(nanos: i128, format: Format) -> String {
    if nanos == 0 {
        return "0".to_string();
    }
    let small = nanos.abs() < 1024 * NANOS_PER_UNIT;
    let format = match format {
        Format::BinarySi if small || nanos % NANOS_PER_UNIT != 0 => Format::DecimalSi,
        other => other,
    };
    if format == Format::BinarySi {
        const BINARY: [&str; 7] = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];
        let mut units = nanos / NANOS_PER_UNIT;
        let mut suffix = 0;
        while units % 1024 == 0 && suffix + 1 < BINARY.len() {
            units /= 1024;
            suffix += 1;
        }
        return format!("{units}{}", BINARY[suffix]);
    }
    let mut mantissa = nanos;
    let mut exponent: i32 = -9;
    while mantissa % 10 == 0 {
        mantissa /= 10;
        exponent += 1;
    }
    match exponent.rem_euclid(3) {
        1 => {
            mantissa *= 10;
            exponent -= 1;
        }
        2 => {
            mantissa *= 100;
            exponent -= 2;
        }
        _ => {}
    }
    if format == Format::DecimalExponent {
        return match exponent {
            0 => mantissa.to_string(),
            e => format!("{mantissa}e{e}"),
        };
    }
    const DECIMAL: [&str; 10] = ["n", "u", "m", "", "k", "M", "G", "T", "P", "E"];
    // Beyond exa there is no suffix: the mantissa grows instead.
    while exponent > 18 {
        mantissa *= 1000;
        exponent -= 3;
    }
    let index = usize::try_from((exponent + 9) / 3).unwrap_or(0);
    format!("{mantissa}{}", DECIMAL[index])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Folds `values` as the RayCluster script does: `total = kube.resourceAdd(total, v)`
    /// from `"0"`.
    fn fold(values: &[Value]) -> Result<String, String> {
        values
            .iter()
            .try_fold("0".to_string(), |total, v| resource_add(&total, v))
    }

    #[test]
    fn sums_are_written_as_kubernetes_writes_them() {
        let cases: Vec<(Vec<Value>, &str)> = vec![
            (vec![json!("21G"), json!("21G")], "42G"),
            (vec![json!("3G"), json!("5G")], "8G"),
            (vec![json!("4Gi"), json!("4Gi")], "8Gi"),
            (vec![json!("2"), json!("4")], "6"),
            (vec![json!("500m"), json!("1")], "1500m"),
            (vec![json!("1.5")], "1500m"),
            (vec![json!("1500000")], "1500k"),
            (vec![], "0"),
            // A zero takes the notation of what is added to it.
            (vec![json!("0"), json!("4Gi")], "4Gi"),
            (vec![json!("0Gi"), json!("1G")], "1G"),
            // Below 1024, or with a fraction, a binary quantity is written decimal; the
            // written form then decides the notation of the next sum.
            (vec![json!("0.5Ki")], "512"),
            (vec![json!("1Gi"), json!("100"), json!("924")], "1073742848"),
            (vec![json!("1Gi"), json!("1Gi")], "2Gi"),
            (vec![json!("1e3"), json!("1e3")], "2e3"),
            (vec![json!(2), json!(0.5)], "2500m"),
        ];
        for (values, want) in cases {
            assert_eq!(fold(&values).as_deref(), Ok(want), "{values:?}");
        }
    }

    #[test]
    fn what_is_no_quantity_fails() {
        for value in [json!("lots"), json!(" 1"), json!(true), json!({"a": 1})] {
            assert!(fold(std::slice::from_ref(&value)).is_err(), "{value}");
        }
    }
}
