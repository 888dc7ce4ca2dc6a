//! Kubernetes resource quantities (`500m`, `1Gi`, `2.5`, `1e3`) parsed exactly and compared
//! by value.
//!
//! The value is held as an `i128` count of nano-units, which covers every quantity Kubernetes
//! accepts (up to `1E` times a three-digit mantissa) without rounding, except that fractions
//! below one nano-unit are rounded up, as Kubernetes does. The original text is kept so
//! that a round trip writes back exactly what was read.
//!
//! The parser is written here rather than taken from a crate because the pure core must build
//! with serde, serde_json, json-patch, jsonpath-rust, indexmap and thiserror alone; the
//! quantity crates on crates.io pull in the whole `k8s-openapi` type tree.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt::{self, Write as _};
use std::hash::{Hash, Hasher};
use std::str::FromStr;
use std::sync::OnceLock;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

const NANO: i128 = 1_000_000_000;

/// Why a quantity string was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuantityError {
    /// The string is empty.
    #[error("empty quantity")]
    Empty,
    /// The string is not `<sign><digits>[.<digits>][suffix]`.
    #[error("invalid quantity {0:?}: expected a number with an optional suffix such as m, k, Mi, Gi or e3")]
    Syntax(String),
    /// The suffix is not one Kubernetes knows.
    #[error("invalid quantity {0:?}: unknown suffix {1:?}")]
    Suffix(String, String),
    /// The value does not fit.
    #[error("quantity {0:?} is out of range")]
    Overflow(String),
}

/// How a quantity is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    /// The text as read, kept verbatim.
    Original,
    /// Whole units when exact, else milli, micro or nano units.
    Canonical,
    /// Whole units with the largest exact decimal suffix (`k`, `M`, ... `E`).
    DecimalSi,
    /// Whole units with the largest exact binary suffix (`Ki`, `Mi`, ... `Ei`).
    BinarySi,
}

/// A Kubernetes resource quantity.
///
/// ```
/// use fedplan::api::Quantity;
/// let a: Quantity = "1Gi".parse().unwrap();
/// let b: Quantity = "1073741824".parse().unwrap();
/// assert_eq!(a, b);
/// assert!("500m".parse::<Quantity>().unwrap() < "1".parse::<Quantity>().unwrap());
/// assert_eq!("1.5".parse::<Quantity>().unwrap().milli_value(), 1500);
/// // Parsed text is written back as read; computed values in canonical form.
/// assert_eq!("0.5Gi".parse::<Quantity>().unwrap().to_string(), "0.5Gi");
/// assert_eq!(Quantity::from_milli(2500).to_string(), "2500m");
/// assert_eq!(a.add(&b).as_str(), "2147483648");
/// ```
#[derive(Clone)]
pub struct Quantity {
    nanos: i128,
    form: Form,
    /// The written text: set when parsed, otherwise produced on the first
    /// [`as_str`](Quantity::as_str) only. Computed quantities are written straight from
    /// `nanos` and `form`, so arithmetic and Display/Serialize allocate nothing.
    text: OnceLock<Box<str>>,
}

impl Quantity {
    fn computed(nanos: i128, form: Form) -> Self {
        Quantity {
            nanos,
            form,
            text: OnceLock::new(),
        }
    }

    /// A quantity of `nanos` nano-units, written in canonical form.
    pub fn from_nanos(nanos: i128) -> Self {
        Self::computed(nanos, Form::Canonical)
    }

    /// A quantity of `milli` thousandths (e.g. millicores).
    pub fn from_milli(milli: i64) -> Self {
        Self::from_nanos(milli as i128 * 1_000_000)
    }

    /// A whole-unit quantity.
    pub fn from_units(units: i64) -> Self {
        Self::from_nanos(units as i128 * NANO)
    }

    /// A whole-unit quantity written with the largest exact decimal suffix, as Kubernetes
    /// writes a DecimalSI value (`1000` as `1k`, `1500` as `1500`); `None` when it does not
    /// fit.
    ///
    /// ```
    /// use fedplan::api::Quantity;
    /// assert_eq!(Quantity::decimal_si_units(2_000_000).unwrap().as_str(), "2M");
    /// assert_eq!(Quantity::decimal_si_units(1500).unwrap().as_str(), "1500");
    /// ```
    pub fn decimal_si_units(units: i128) -> Option<Self> {
        Some(Self::computed(units.checked_mul(NANO)?, Form::DecimalSi))
    }

    /// A whole-unit quantity written with the largest exact binary suffix, as Kubernetes
    /// writes a BinarySI value (`1073741824` as `1Gi`, `1500` as `1500`); `None` when it
    /// does not fit.
    ///
    /// ```
    /// use fedplan::api::Quantity;
    /// assert_eq!(Quantity::binary_si_units(128 << 20).unwrap().as_str(), "128Mi");
    /// assert_eq!(Quantity::binary_si_units(1500).unwrap().as_str(), "1500");
    /// ```
    pub fn binary_si_units(units: i128) -> Option<Self> {
        Some(Self::computed(units.checked_mul(NANO)?, Form::BinarySi))
    }

    /// The exact value in nano-units.
    pub fn nanos(&self) -> i128 {
        self.nanos
    }

    /// The value in thousandths, rounded up (as Kubernetes' `MilliValue`).
    pub fn milli_value(&self) -> i64 {
        let v = div_ceil(self.nanos, 1_000_000);
        v.clamp(i64::MIN as i128, i64::MAX as i128) as i64
    }

    /// The value in whole units, rounded up (as Kubernetes' `Value`).
    pub fn value(&self) -> i64 {
        let v = div_ceil(self.nanos, NANO);
        v.clamp(i64::MIN as i128, i64::MAX as i128) as i64
    }

    /// The value as a float (for scores and ratios, never for comparisons).
    pub fn as_f64(&self) -> f64 {
        self.nanos as f64 / NANO as f64
    }

    /// True when the value is zero.
    pub fn is_zero(&self) -> bool {
        self.nanos == 0
    }

    /// True when the value is below zero.
    pub fn is_negative(&self) -> bool {
        self.nanos < 0
    }

    /// The text as read, or the canonical form for computed quantities.
    pub fn as_str(&self) -> &str {
        self.text.get_or_init(|| {
            let mut text = String::new();
            // Writing into a String cannot fail.
            let _ = write_form(&mut text, self.nanos, self.form);
            text.into_boxed_str()
        })
    }

    /// The sum of two quantities (saturating).
    pub fn add(&self, other: &Quantity) -> Quantity {
        Quantity::from_nanos(self.nanos.saturating_add(other.nanos))
    }

    /// The difference of two quantities (saturating).
    pub fn sub(&self, other: &Quantity) -> Quantity {
        Quantity::from_nanos(self.nanos.saturating_sub(other.nanos))
    }

    /// The quantity times an integer (saturating).
    pub fn mul(&self, factor: i64) -> Quantity {
        Quantity::from_nanos(self.nanos.saturating_mul(factor as i128))
    }
}

fn div_ceil(a: i128, b: i128) -> i128 {
    // Nearly every quantity fits in 64 bits; 128-bit division is a slow library call.
    if let (Ok(a), Ok(b)) = (i64::try_from(a), i64::try_from(b)) {
        if b != -1 {
            let q = a / b;
            let up = a % b != 0 && ((a > 0) == (b > 0));
            return i128::from(q) + i128::from(up);
        }
    }
    let q = a / b;
    if a % b != 0 && ((a > 0) == (b > 0)) {
        q + 1
    } else {
        q
    }
}

/// Writes a computed quantity: canonical text is whole units when exact, else milli when
/// exact, else micro, else nano; the SI forms (whole units only) strip the largest exact
/// power of the base into a suffix.
fn write_form(out: &mut impl fmt::Write, nanos: i128, form: Form) -> fmt::Result {
    match form {
        Form::DecimalSi if nanos % NANO == 0 => {
            write_si(out, nanos / NANO, 1000, &["", "k", "M", "G", "T", "P", "E"])
        }
        Form::BinarySi if nanos % NANO == 0 => write_si(
            out,
            nanos / NANO,
            1024,
            &["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"],
        ),
        _ => {
            if nanos % NANO == 0 {
                write!(out, "{}", nanos / NANO)
            } else if nanos % 1_000_000 == 0 {
                write!(out, "{}m", nanos / 1_000_000)
            } else if nanos % 1_000 == 0 {
                write!(out, "{}u", nanos / 1_000)
            } else {
                write!(out, "{nanos}n")
            }
        }
    }
}

fn write_si(out: &mut impl fmt::Write, mut n: i128, base: i128, suffixes: &[&str]) -> fmt::Result {
    let mut i = 0;
    while n != 0 && n % base == 0 && i + 1 < suffixes.len() {
        n /= base;
        i += 1;
    }
    write!(out, "{n}")?;
    out.write_str(suffixes.get(i).copied().unwrap_or(""))
}

/// Multiplier of a suffix as (numerator in nano-units per unit, power-of-ten exponent).
fn suffix_factor(suffix: &str) -> Option<(i128, i32)> {
    let binary = |shift: u32| Some((NANO << shift, 0));
    match suffix {
        "" => Some((NANO, 0)),
        "n" => Some((1, 0)),
        "u" => Some((1_000, 0)),
        "m" => Some((1_000_000, 0)),
        "k" => Some((NANO, 3)),
        "M" => Some((NANO, 6)),
        "G" => Some((NANO, 9)),
        "T" => Some((NANO, 12)),
        "P" => Some((NANO, 15)),
        "E" => Some((NANO, 18)),
        "Ki" => binary(10),
        "Mi" => binary(20),
        "Gi" => binary(30),
        "Ti" => binary(40),
        "Pi" => binary(50),
        "Ei" => binary(60),
        _ => None,
    }
}

/// The nano-unit value of a quantity string (sign, digits, optional fraction, suffix).
fn parse_nanos(original: &str) -> Result<i128, QuantityError> {
    let s = original.trim();
    if s.is_empty() {
        return Err(QuantityError::Empty);
    }
    let syntax = || QuantityError::Syntax(original.to_string());
    let overflow = || QuantityError::Overflow(original.to_string());
    let (negative, body) = match s.as_bytes()[0] {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let num_end = body
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(body.len());
    let (number, suffix) = body.split_at(num_end);
    if number.is_empty() || number == "." || number.matches('.').count() > 1 {
        return Err(syntax());
    }
    let (int_part, frac_part) = number.split_once('.').unwrap_or((number, ""));
    let digits = int_part
        .bytes()
        .chain(frac_part.bytes())
        .skip_while(|&b| b == b'0');
    let mut mantissa: i128 = 0;
    let mut dropped_nonzero = false;
    let mut scale = -(frac_part.len() as i32);
    for (i, c) in digits.enumerate() {
        if i >= 36 {
            // Digits past i128 precision only matter for rounding up.
            if c != b'0' {
                dropped_nonzero = true;
            }
            scale += 1;
            continue;
        }
        mantissa = mantissa * 10 + (c - b'0') as i128;
    }
    let (factor, exp10) = if let Some(f) = suffix_factor(suffix) {
        f
    } else if let Some(exp) = suffix.strip_prefix(['e', 'E']) {
        let exp: i32 = exp.parse().map_err(|_| syntax())?;
        (NANO, exp)
    } else {
        return Err(QuantityError::Suffix(
            original.to_string(),
            suffix.to_string(),
        ));
    };
    let total_exp = scale + exp10;
    let mut value = mantissa.checked_mul(factor).ok_or_else(overflow)?;
    if total_exp >= 0 {
        if total_exp > 38 && value != 0 {
            return Err(overflow());
        }
        for _ in 0..total_exp {
            value = value.checked_mul(10).ok_or_else(overflow)?;
        }
    } else {
        let mut rounded_up = dropped_nonzero;
        for _ in 0..(-total_exp) {
            if value % 10 != 0 {
                rounded_up = true;
            }
            value /= 10;
            if value == 0 {
                break;
            }
        }
        if rounded_up {
            // Kubernetes rounds sub-nano fractions up, away from zero.
            value += 1;
        }
    }
    if dropped_nonzero && total_exp >= 0 {
        value = value.checked_add(1).ok_or_else(overflow)?;
    }
    Ok(if negative { -value } else { value })
}

impl Quantity {
    fn with_text(nanos: i128, text: Box<str>) -> Self {
        Quantity {
            nanos,
            form: Form::Original,
            text: OnceLock::from(text),
        }
    }
}

impl FromStr for Quantity {
    type Err = QuantityError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let nanos = parse_nanos(s)?;
        Ok(Quantity::with_text(nanos, s.into()))
    }
}

impl PartialEq for Quantity {
    fn eq(&self, other: &Self) -> bool {
        self.nanos == other.nanos
    }
}
impl Eq for Quantity {}
impl PartialOrd for Quantity {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Quantity {
    fn cmp(&self, other: &Self) -> Ordering {
        self.nanos.cmp(&other.nanos)
    }
}
impl Hash for Quantity {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.nanos.hash(state)
    }
}
impl fmt::Debug for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Quantity(")?;
        fmt::Display::fmt(self, f)?;
        f.write_char(')')
    }
}
impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.text.get() {
            Some(text) => f.write_str(text),
            None => write_form(f, self.nanos, self.form),
        }
    }
}
impl Default for Quantity {
    fn default() -> Self {
        Quantity::from_nanos(0)
    }
}

impl Serialize for Quantity {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.text.get() {
            Some(text) => s.serialize_str(text),
            None => s.collect_str(self),
        }
    }
}

impl<'de> Deserialize<'de> for Quantity {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Kubernetes accepts both `"1"` and `1` on the wire; either way the text is kept as
        // read.
        let text = match serde_json::Value::deserialize(d)? {
            serde_json::Value::String(s) => s,
            serde_json::Value::Number(n) => n.to_string(),
            other => {
                return Err(serde::de::Error::custom(format!(
                    "invalid quantity {other}: expected a string or a number"
                )))
            }
        };
        let nanos = parse_nanos(&text).map_err(serde::de::Error::custom)?;
        Ok(Quantity::with_text(nanos, text.into_boxed_str()))
    }
}

/// A map from resource name (`cpu`, `memory`, `pods`, `nvidia.com/gpu`, ...) to quantity,
/// ordered by name so that output is stable.
pub type ResourceList = BTreeMap<String, Quantity>;

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Quantity {
        s.parse().unwrap()
    }

    #[test]
    fn parses_and_compares_by_value() {
        let cases: &[(&str, i128)] = &[
            ("0", 0),
            ("1", NANO),
            ("500m", NANO / 2),
            ("1.5", 3 * NANO / 2),
            ("1k", 1000 * NANO),
            ("1Ki", 1024 * NANO),
            ("1Mi", 1024 * 1024 * NANO),
            ("2Gi", 2 * (1 << 30) * NANO),
            ("1e3", 1000 * NANO),
            ("1E3", 1000 * NANO),
            ("100n", 100),
            ("0.5Gi", (1 << 29) * NANO),
            ("-2", -2 * NANO),
            ("+3", 3 * NANO),
            ("1e-3", 1_000_000),
            ("0.0000000001", 1),
            ("128974848", 128_974_848 * NANO),
            ("129e6", 129_000_000 * NANO),
            ("123Mi", 123 * 1024 * 1024 * NANO),
        ];
        for (s, n) in cases {
            assert_eq!(q(s).nanos(), *n, "{s}");
        }
        assert_eq!(q("1Gi"), q("1024Mi"));
        assert!(q("999m") < q("1"));
        assert_eq!(q("1.5").milli_value(), 1500);
        assert_eq!(q("1500m").value(), 2);
    }

    #[test]
    fn refuses_garbage() {
        for s in ["", "abc", "1.2.3", "1Qi", "--1", ".", "1e", "1ee3"] {
            assert!(s.parse::<Quantity>().is_err(), "{s}");
        }
    }

    #[test]
    fn round_trips_text() {
        let v: Quantity = serde_json::from_str("\"250m\"").unwrap();
        assert_eq!(serde_json::to_string(&v).unwrap(), "\"250m\"");
        let n: Quantity = serde_json::from_str("2").unwrap();
        assert_eq!(n, q("2"));
        assert_eq!(Quantity::from_milli(1500).as_str(), "1500m");
    }

    proptest::proptest! {
        #[test]
        fn canonical_round_trips(n in -1_000_000_000_000_000i128..1_000_000_000_000_000i128) {
            let a = Quantity::from_nanos(n);
            let b: Quantity = a.as_str().parse().unwrap();
            proptest::prop_assert_eq!(a, b);
        }
    }
}
