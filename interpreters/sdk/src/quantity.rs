//! Kubernetes resource quantities, enough to add requests up inside a plugin.
//!
//! Quantities are kept as nano-units; [`format()`] writes the shortest exact plain form
//! (`2`, `1500m`, `7n`). The host reads any Kubernetes quantity syntax, so plugins need not
//! reproduce Kubernetes' canonical suffix choice.

/// A quantity string parsed to nano-units, or `None` when it is not Kubernetes syntax.
pub fn parse_nanos(text: &str) -> Option<i128> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+' || c == '-'))
        .unwrap_or(text.len());
    let (number, suffix) = text.split_at(split);
    let (negative, digits) = match number.as_bytes().first() {
        Some(b'-') => (true, &number[1..]),
        Some(b'+') => (false, &number[1..]),
        _ => (false, number),
    };
    let (whole, fraction) = match digits.split_once('.') {
        Some((w, f)) => (w, f),
        None => (digits, ""),
    };
    if (whole.is_empty() && fraction.is_empty())
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !fraction.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let (multiplier_num, decimal_exp): (i128, i32) = match suffix {
        "" => (1, 0),
        "n" => (1, -9),
        "u" => (1, -6),
        "m" => (1, -3),
        "k" => (1, 3),
        "M" => (1, 6),
        "G" => (1, 9),
        "T" => (1, 12),
        "P" => (1, 15),
        "E" => (1, 18),
        "Ki" => (1 << 10, 0),
        "Mi" => (1 << 20, 0),
        "Gi" => (1 << 30, 0),
        "Ti" => (1 << 40, 0),
        "Pi" => (1 << 50, 0),
        "Ei" => (1 << 60, 0),
        other => {
            let exp = other.strip_prefix(['e', 'E'])?;
            (1, exp.parse::<i32>().ok()?)
        }
    };
    // value = 0.whole.fraction * multiplier * 10^exp, in nanos: scale by 10^(9 + exp - len(fraction))
    let mantissa: i128 = format!("{whole}{fraction}").parse::<i128>().unwrap_or(0);
    let scale = 9 + decimal_exp - i32::try_from(fraction.len()).ok()?;
    let mut nanos = mantissa.checked_mul(multiplier_num)?;
    if scale >= 0 {
        nanos = nanos.checked_mul(10i128.checked_pow(u32::try_from(scale).ok()?)?)?;
    } else {
        let divisor = 10i128.checked_pow(u32::try_from(-scale).ok()?)?;
        // Kubernetes rounds sub-nano precision up.
        nanos = (nanos + divisor - 1) / divisor;
    }
    Some(if negative { -nanos } else { nanos })
}

/// Writes nano-units as a quantity string the host reads exactly.
pub fn format(nanos: i128) -> String {
    if nanos % 1_000_000_000 == 0 {
        (nanos / 1_000_000_000).to_string()
    } else if nanos % 1_000_000 == 0 {
        format!("{}m", nanos / 1_000_000)
    } else {
        format!("{nanos}n")
    }
}

/// The sum of quantity strings (absent or unparsable ones count as zero).
pub fn add(quantities: &[&str]) -> String {
    format(quantities.iter().filter_map(|q| parse_nanos(q)).sum())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_formats() {
        let cases = [
            ("1", "1"),
            ("500m", "500m"),
            ("1.5", "1500m"),
            ("1Ki", "1024"),
            ("2Gi", "2147483648"),
            ("1e3", "1000"),
            ("100M", "100000000"),
            ("7n", "7n"),
        ];
        for (input, want) in cases {
            assert_eq!(
                parse_nanos(input).map(format).as_deref(),
                Some(want),
                "{input}"
            );
        }
        assert_eq!(parse_nanos("lots"), None);
        assert_eq!(add(&["250m", "1", "750m"]), "2");
    }
}
