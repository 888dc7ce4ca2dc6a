//! Kubernetes resource quantities, enough to add requests up inside a plugin.
//!
//! Quantities are kept as nano-units; [`format()`] writes the shortest exact plain form
//! (`2`, `1500m`, `7n`). The host reads any Kubernetes quantity syntax, so plugins need not
//! reproduce Kubernetes' canonical suffix choice.

/// A quantity string parsed to nano-units, or `None` when it is not Kubernetes syntax or
/// does not fit.
pub fn parse_nanos(text: &str) -> Option<i128> {
    let text = text.trim();
    let split = text
        .bytes()
        .position(|b| !(b.is_ascii_digit() || matches!(b, b'.' | b'+' | b'-')))
        .unwrap_or(text.len());
    let (number, suffix) = text.split_at(split);
    let (negative, digits) = match number.as_bytes().first() {
        Some(b'-') => (true, &number[1..]),
        Some(b'+') => (false, &number[1..]),
        _ => (false, number),
    };
    let (whole, fraction) = match digits.bytes().position(|b| b == b'.') {
        Some(dot) => (&digits[..dot], &digits[dot + 1..]),
        None => (digits, ""),
    };
    if whole.is_empty() && fraction.is_empty() {
        return None;
    }
    let (multiplier, decimal_exp): (i128, i32) = match suffix {
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
    // value = whole.fraction * multiplier * 10^exp; in nanos the digits are scaled by
    // 10^(9 + exp - len(fraction)). The digits are gathered in 64 bits, whose arithmetic is
    // native in WebAssembly, and only widened when a quantity needs more.
    let mut small: u64 = 0;
    let mut large: Option<i128> = None;
    for byte in whole.bytes().chain(fraction.bytes()) {
        if !byte.is_ascii_digit() {
            return None;
        }
        let digit = byte - b'0';
        match large.as_mut() {
            Some(wide) => *wide = wide.checked_mul(10)?.checked_add(i128::from(digit))?,
            None => match small
                .checked_mul(10)
                .and_then(|n| n.checked_add(u64::from(digit)))
            {
                Some(n) => small = n,
                None => large = Some(i128::from(small) * 10 + i128::from(digit)),
            },
        }
    }
    let mantissa = large.unwrap_or(i128::from(small));
    let scale = 9 + decimal_exp - i32::try_from(fraction.len()).ok()?;
    let mut nanos = mantissa.checked_mul(multiplier)?;
    if scale >= 0 {
        nanos = nanos.checked_mul(10i128.checked_pow(u32::try_from(scale).ok()?)?)?;
    } else {
        let divisor = 10i128.checked_pow(u32::try_from(-scale).ok()?)?;
        // Kubernetes rounds sub-nano precision up.
        nanos = nanos / divisor + i128::from(nanos % divisor != 0);
    }
    Some(if negative { -nanos } else { nanos })
}

/// Writes nano-units as a quantity string the host reads exactly.
pub fn format(nanos: i128) -> String {
    let (value, suffix) = if nanos % 1_000_000_000 == 0 {
        (nanos / 1_000_000_000, "")
    } else if nanos % 1_000_000 == 0 {
        (nanos / 1_000_000, "m")
    } else {
        (nanos, "n")
    };
    let mut out = String::with_capacity(24);
    if value < 0 {
        out.push('-');
    }
    push_decimal(&mut out, value.unsigned_abs());
    out.push_str(suffix);
    out
}

/// Appends the decimal digits of `value`. 128-bit division is a library call per digit in
/// WebAssembly, so only the digits above 64 bits (which quantities rarely have) pay for it.
fn push_decimal(out: &mut String, mut value: u128) {
    let mut digits = [0u8; 40];
    let mut at = digits.len();
    let mut small = loop {
        match u64::try_from(value) {
            Ok(small) => break small,
            Err(_) => {
                at -= 1;
                digits[at] = b'0' + (value % 10) as u8;
                value /= 10;
            }
        }
    };
    loop {
        at -= 1;
        digits[at] = b'0' + (small % 10) as u8;
        small /= 10;
        if small == 0 {
            break;
        }
    }
    out.extend(digits[at..].iter().map(|&d| char::from(d)));
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
        for bad in [
            "",
            ".",
            "-",
            "1.2.3",
            "1x",
            "1Ki2",
            "+-1",
            "1e",
            "99999999999999999999999999999999999999999",
        ] {
            assert_eq!(parse_nanos(bad), None, "{bad:?}");
        }
        let extremes = [
            ("-1.5", "-1500m"),
            ("0.0000000001", "1n"),
            ("-0.0000000001", "-1n"),
            ("1.0000000001", "1000000001n"),
            ("0", "0"),
            ("+3", "3"),
            ("007", "7"),
            (".5", "500m"),
            ("5.", "5"),
            ("12E", "12000000000000000000"),
            ("8Ei", "9223372036854775808"),
            ("1e-3", "1m"),
            ("-9223372036854775809", "-9223372036854775809"),
            ("123456789012345678901234567", "123456789012345678901234567"),
        ];
        for (input, want) in extremes {
            assert_eq!(
                parse_nanos(input).map(format).as_deref(),
                Some(want),
                "{input}"
            );
        }
        assert_eq!(add(&["250m", "1", "750m"]), "2");
    }
}
