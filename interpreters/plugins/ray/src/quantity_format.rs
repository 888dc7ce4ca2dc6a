//! Sums of Kubernetes quantities written the way Kubernetes writes them (`21G + 21G = 42G`,
//! `4Gi + 4Gi = 8Gi`), as Karmada's `kube.resourceAdd` returns them.
use fedplan_interpreter_sdk::quantity;

const NANOS_PER_UNIT: i128 = 1_000_000_000;

/// The sum of `values` (absent or unparsable ones count as zero) in the notation of the
/// first parsable one: binary suffixes when it had one, else decimal.
pub fn sum(values: &[Option<&str>]) -> String {
    let parsed: Vec<(&str, i128)> = values
        .iter()
        .flatten()
        .filter_map(|v| quantity::parse_nanos(v).map(|n| (*v, n)))
        .collect();
    let total: i128 = parsed.iter().map(|(_, n)| n).sum();
    let binary = parsed
        .first()
        .is_some_and(|(text, _)| text.trim_end().ends_with('i'));
    canonical(total, binary)
}

/// Kubernetes' canonical form of `nanos`: the largest suffix leaving an integer mantissa.
pub fn canonical(nanos: i128, binary: bool) -> String {
    if binary && nanos % NANOS_PER_UNIT == 0 {
        let mut units = nanos / NANOS_PER_UNIT;
        let mut suffix = 0;
        const BINARY: [&str; 7] = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];
        while units != 0 && units % 1024 == 0 && suffix + 1 < BINARY.len() {
            units /= 1024;
            suffix += 1;
        }
        return format!("{units}{}", BINARY[suffix]);
    }
    const DECIMAL: [&str; 10] = ["n", "u", "m", "", "k", "M", "G", "T", "P", "E"];
    let mut mantissa = nanos;
    let mut suffix = 0;
    while mantissa != 0 && mantissa % 1000 == 0 && suffix + 1 < DECIMAL.len() {
        mantissa /= 1000;
        suffix += 1;
    }
    if mantissa == 0 {
        return "0".to_string();
    }
    format!("{mantissa}{}", DECIMAL[suffix])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_keep_the_notation() {
        let cases: [(&[Option<&str>], &str); 6] = [
            (&[Some("21G"), Some("21G")], "42G"),
            (&[Some("3G"), Some("5G")], "8G"),
            (&[Some("4Gi"), Some("4Gi")], "8Gi"),
            (&[Some("2"), Some("4")], "6"),
            (&[Some("500m"), None, Some("1")], "1500m"),
            (&[None], "0"),
        ];
        for (values, want) in cases {
            assert_eq!(sum(values), want, "{values:?}");
        }
    }
}
