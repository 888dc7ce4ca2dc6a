//! Kubernetes label selectors (`metav1.LabelSelector`) and the requirement semantics shared
//! with node-selector-style field selectors.
//!
//! Matching follows `k8s.io/apimachinery/pkg/labels`: a selector with neither `matchLabels`
//! nor `matchExpressions` selects everything; every requirement is validated as
//! `labels.NewRequirement` validates it, and a selector with any invalid requirement selects
//! nothing. [`label_selector_matches`] is the allocation-free hot path (an invalid selector
//! simply does not match); [`try_label_selector_matches`] and [`validate_label_selector`]
//! report why a selector is invalid.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::SelectorError;
use crate::api::{LabelSelector, LabelSelectorRequirement};

/// Read access to a set of labels, without copying them.
pub trait Labels {
    /// The value of label `key`, `None` when the label is absent.
    fn get(&self, key: &str) -> Option<&str>;
}

impl Labels for BTreeMap<String, String> {
    fn get(&self, key: &str) -> Option<&str> {
        BTreeMap::get(self, key).map(String::as_str)
    }
}

/// A JSON `metadata.labels` object; a non-string value counts as absent.
impl Labels for Map<String, Value> {
    fn get(&self, key: &str) -> Option<&str> {
        Map::get(self, key).and_then(Value::as_str)
    }
}

impl<L: Labels + ?Sized> Labels for &L {
    fn get(&self, key: &str) -> Option<&str> {
        (**self).get(key)
    }
}

impl<L: Labels> Labels for Option<L> {
    fn get(&self, key: &str) -> Option<&str> {
        self.as_ref().and_then(|l| l.get(key))
    }
}

/// The empty label set.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoLabels;

impl Labels for NoLabels {
    fn get(&self, _key: &str) -> Option<&str> {
        None
    }
}

/// A requirement operator (`selection.Operator`), as written in selectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operator {
    /// `In`: the label is present and its value is listed.
    In,
    /// `NotIn`: the label is absent or its value is not listed.
    NotIn,
    /// `Exists`: the label is present.
    Exists,
    /// `DoesNotExist`: the label is absent.
    DoesNotExist,
    /// `Gt`: the label is present, an integer, and greater than the single value.
    Gt,
    /// `Lt`: the label is present, an integer, and less than the single value.
    Lt,
}

impl Operator {
    /// The operator of a `metav1.LabelSelectorRequirement` (only `In`, `NotIn`, `Exists`,
    /// `DoesNotExist`; case-sensitive, as Kubernetes compares them).
    pub fn parse_label_selector_op(op: &str) -> Option<Operator> {
        match op {
            "In" => Some(Operator::In),
            "NotIn" => Some(Operator::NotIn),
            "Exists" => Some(Operator::Exists),
            "DoesNotExist" => Some(Operator::DoesNotExist),
            _ => None,
        }
    }

    /// The operator of a `corev1.NodeSelectorRequirement` (adds `Gt` and `Lt`).
    pub fn parse_node_selector_op(op: &str) -> Option<Operator> {
        match op {
            "Gt" => Some(Operator::Gt),
            "Lt" => Some(Operator::Lt),
            other => Operator::parse_label_selector_op(other),
        }
    }

    /// The operator's name as Kubernetes writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Operator::In => "In",
            Operator::NotIn => "NotIn",
            Operator::Exists => "Exists",
            Operator::DoesNotExist => "DoesNotExist",
            Operator::Gt => "Gt",
            Operator::Lt => "Lt",
        }
    }
}

/// Why a label key or value is not valid (the rule Kubernetes applies).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelSyntax {
    /// The key (or its name part) is empty.
    EmptyName,
    /// The name part is longer than 63 characters.
    NameTooLong,
    /// The name part is not `[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?`.
    BadName,
    /// The key has a `/` but the prefix before it is empty.
    EmptyPrefix,
    /// The prefix is longer than 253 characters.
    PrefixTooLong,
    /// The prefix is not a lowercase RFC 1123 DNS subdomain.
    BadPrefix,
    /// The key has more than one `/`.
    TooManySlashes,
    /// The value is longer than 63 characters.
    ValueTooLong,
    /// The value is not empty and not `[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?`.
    BadValue,
}

impl LabelSyntax {
    /// A human-readable explanation, worded after Kubernetes' messages.
    pub fn message(self) -> &'static str {
        match self {
            LabelSyntax::EmptyName => "name part must be non-empty",
            LabelSyntax::NameTooLong => "name part must be no more than 63 characters",
            LabelSyntax::BadName => "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
            LabelSyntax::EmptyPrefix => "prefix part must be non-empty",
            LabelSyntax::PrefixTooLong => "prefix part must be no more than 253 characters",
            LabelSyntax::BadPrefix => "prefix part must be a lowercase RFC 1123 subdomain",
            LabelSyntax::TooManySlashes => "a qualified name must consist of an optional DNS subdomain prefix and a name, separated by a single '/'",
            LabelSyntax::ValueTooLong => "must be no more than 63 characters",
            LabelSyntax::BadValue => "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        }
    }
}

impl std::fmt::Display for LabelSyntax {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message())
    }
}

fn is_alnum(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

/// `[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?` on a non-empty string.
fn is_qualified_token(s: &[u8]) -> bool {
    match (s.first(), s.last()) {
        (Some(&first), Some(&last)) => {
            is_alnum(first)
                && is_alnum(last)
                && s.iter()
                    .all(|&b| is_alnum(b) || b == b'-' || b == b'_' || b == b'.')
        }
        _ => false,
    }
}

/// A lowercase RFC 1123 subdomain of at most 253 characters.
fn is_dns1123_subdomain(s: &str) -> bool {
    if s.is_empty() || s.len() > 253 {
        return false;
    }
    s.split('.').all(|part| {
        let b = part.as_bytes();
        match (b.first(), b.last()) {
            (Some(&f), Some(&l)) => {
                let ok = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
                ok(f) && ok(l) && b.iter().all(|&c| ok(c) || c == b'-')
            }
            _ => false,
        }
    })
}

/// Checks a label key as Kubernetes' `IsQualifiedName` does.
pub fn check_label_key(key: &str) -> Result<(), LabelSyntax> {
    let mut parts = key.splitn(3, '/');
    let first = parts.next().unwrap_or("");
    let (prefix, name) = match (parts.next(), parts.next()) {
        (None, _) => (None, first),
        (Some(name), None) => (Some(first), name),
        (Some(_), Some(_)) => return Err(LabelSyntax::TooManySlashes),
    };
    if let Some(prefix) = prefix {
        if prefix.is_empty() {
            return Err(LabelSyntax::EmptyPrefix);
        }
        if prefix.len() > 253 {
            return Err(LabelSyntax::PrefixTooLong);
        }
        if !is_dns1123_subdomain(prefix) {
            return Err(LabelSyntax::BadPrefix);
        }
    }
    if name.is_empty() {
        return Err(LabelSyntax::EmptyName);
    }
    if name.len() > 63 {
        return Err(LabelSyntax::NameTooLong);
    }
    if !is_qualified_token(name.as_bytes()) {
        return Err(LabelSyntax::BadName);
    }
    Ok(())
}

/// Checks a label value as Kubernetes' `IsValidLabelValue` does.
pub fn check_label_value(value: &str) -> Result<(), LabelSyntax> {
    if value.len() > 63 {
        return Err(LabelSyntax::ValueTooLong);
    }
    if !value.is_empty() && !is_qualified_token(value.as_bytes()) {
        return Err(LabelSyntax::BadValue);
    }
    Ok(())
}

/// Go's `strconv.ParseInt(s, 10, 64)`: optional sign, decimal digits, no spaces.
fn parse_go_int(s: &str) -> Option<i64> {
    s.parse::<i64>().ok()
}

/// One requirement, borrowed from a selector: a key, an operator and values.
#[derive(Debug, Clone, Copy)]
pub struct Requirement<'a> {
    /// Label key.
    pub key: &'a str,
    /// Operator.
    pub operator: Operator,
    /// Values.
    pub values: &'a [String],
}

/// The path-free reason a requirement is invalid; the caller adds the path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RequirementFault {
    Key(LabelSyntax),
    ValuesRequired,
    ValuesForbidden,
    SingleValueRequired,
    NotAnInteger(usize),
    Value(usize, LabelSyntax),
}

impl<'a> Requirement<'a> {
    /// Validates the requirement as `labels.NewRequirement` does.
    pub(crate) fn check(&self) -> Result<(), RequirementFault> {
        check_label_key(self.key).map_err(RequirementFault::Key)?;
        match self.operator {
            Operator::In | Operator::NotIn => {
                if self.values.is_empty() {
                    return Err(RequirementFault::ValuesRequired);
                }
            }
            Operator::Exists | Operator::DoesNotExist => {
                if !self.values.is_empty() {
                    return Err(RequirementFault::ValuesForbidden);
                }
            }
            Operator::Gt | Operator::Lt => {
                if self.values.len() != 1 {
                    return Err(RequirementFault::SingleValueRequired);
                }
                if let Some(i) = self.values.iter().position(|v| parse_go_int(v).is_none()) {
                    return Err(RequirementFault::NotAnInteger(i));
                }
            }
        }
        for (i, v) in self.values.iter().enumerate() {
            check_label_value(v).map_err(|e| RequirementFault::Value(i, e))?;
        }
        Ok(())
    }

    /// Whether `labels` satisfy the requirement (assumes it is valid).
    pub fn matches<L: Labels + ?Sized>(&self, labels: &L) -> bool {
        let value = labels.get(self.key);
        match self.operator {
            Operator::In => value.is_some_and(|v| self.values.iter().any(|x| x == v)),
            Operator::NotIn => !value.is_some_and(|v| self.values.iter().any(|x| x == v)),
            Operator::Exists => value.is_some(),
            Operator::DoesNotExist => value.is_none(),
            Operator::Gt | Operator::Lt => {
                let (Some(have), [want]) = (value.and_then(parse_go_int), self.values) else {
                    return false;
                };
                let Some(want) = parse_go_int(want) else {
                    return false;
                };
                if self.operator == Operator::Gt {
                    have > want
                } else {
                    have < want
                }
            }
        }
    }

    /// Validates, then matches: `None` when the requirement is invalid.
    pub fn checked_matches<L: Labels + ?Sized>(&self, labels: &L) -> Option<bool> {
        self.check().ok()?;
        Some(self.matches(labels))
    }
}

fn fault_to_error(
    fault: RequirementFault,
    path: String,
    key: &str,
    operator: &str,
    values: &[String],
) -> SelectorError {
    match fault {
        RequirementFault::Key(reason) => SelectorError::InvalidKey {
            path: format!("{path}.key"),
            key: key.to_string(),
            reason,
        },
        RequirementFault::ValuesRequired => SelectorError::ValuesRequired {
            path: format!("{path}.values"),
            key: key.to_string(),
            operator: operator.to_string(),
        },
        RequirementFault::ValuesForbidden => SelectorError::ValuesForbidden {
            path: format!("{path}.values"),
            key: key.to_string(),
            operator: operator.to_string(),
        },
        RequirementFault::SingleValueRequired => SelectorError::SingleValueRequired {
            path: format!("{path}.values"),
            key: key.to_string(),
            operator: operator.to_string(),
        },
        RequirementFault::NotAnInteger(i) => SelectorError::NotAnInteger {
            path: format!("{path}.values[{i}]"),
            key: key.to_string(),
            value: values.get(i).cloned().unwrap_or_default(),
        },
        RequirementFault::Value(i, reason) => SelectorError::InvalidValue {
            path: format!("{path}.values[{i}]"),
            key: key.to_string(),
            value: values.get(i).cloned().unwrap_or_default(),
            reason,
        },
    }
}

/// Validates one `matchExpressions` entry of a label selector; `path` names it.
pub(crate) fn check_label_expression(
    expr: &LabelSelectorRequirement,
    path: String,
) -> Result<Requirement<'_>, SelectorError> {
    let Some(operator) = Operator::parse_label_selector_op(&expr.operator) else {
        return Err(SelectorError::UnsupportedOperator {
            path: format!("{path}.operator"),
            key: expr.key.clone(),
            operator: expr.operator.clone(),
        });
    };
    let req = Requirement {
        key: &expr.key,
        operator,
        values: &expr.values,
    };
    req.check()
        .map_err(|f| fault_to_error(f, path, &expr.key, &expr.operator, &expr.values))?;
    Ok(req)
}

/// Validates a label selector as `metav1.LabelSelectorAsSelector` does, reporting the first
/// problem (in the order Kubernetes checks: `matchLabels` by key, then `matchExpressions`).
pub fn validate_label_selector(selector: &LabelSelector) -> Result<(), SelectorError> {
    for (key, value) in &selector.match_labels {
        check_label_key(key).map_err(|reason| SelectorError::InvalidKey {
            path: format!("matchLabels[{key:?}]"),
            key: key.clone(),
            reason,
        })?;
        check_label_value(value).map_err(|reason| SelectorError::InvalidValue {
            path: format!("matchLabels[{key:?}]"),
            key: key.clone(),
            value: value.clone(),
            reason,
        })?;
    }
    for (i, expr) in selector.match_expressions.iter().enumerate() {
        check_label_expression(expr, format!("matchExpressions[{i}]"))?;
    }
    Ok(())
}

/// Whether `selector` selects `labels`, or why the selector is invalid.
pub fn try_label_selector_matches<L: Labels + ?Sized>(
    selector: &LabelSelector,
    labels: &L,
) -> Result<bool, SelectorError> {
    validate_label_selector(selector)?;
    Ok(label_selector_matches(selector, labels))
}

/// Whether `selector` selects `labels`; an invalid selector selects nothing.
///
/// An empty selector (no `matchLabels`, no `matchExpressions`) selects everything.
/// Allocation-free.
///
/// ```
/// use std::collections::BTreeMap;
/// use fedplan::api::LabelSelector;
/// use fedplan::selector::label_selector_matches;
///
/// let mut labels = BTreeMap::new();
/// labels.insert("app".to_string(), "nginx".to_string());
/// let mut selector = LabelSelector::default();
/// selector.match_labels.insert("app".into(), "nginx".into());
/// assert!(label_selector_matches(&selector, &labels));
/// selector.match_labels.insert("".into(), "x".into()); // invalid key
/// assert!(!label_selector_matches(&selector, &labels));
/// ```
pub fn label_selector_matches<L: Labels + ?Sized>(selector: &LabelSelector, labels: &L) -> bool {
    // Every failure, invalid or unmatched, gives `false`, so checking and matching can be
    // interleaved and stop at the first failing requirement.
    for (key, value) in &selector.match_labels {
        if check_label_key(key).is_err() || check_label_value(value).is_err() {
            return false;
        }
        if labels.get(key) != Some(value.as_str()) {
            return false;
        }
    }
    for expr in &selector.match_expressions {
        let Some(operator) = Operator::parse_label_selector_op(&expr.operator) else {
            return false;
        };
        let req = Requirement {
            key: &expr.key,
            operator,
            values: &expr.values,
        };
        if req.checked_matches(labels) != Some(true) {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn expr(key: &str, op: &str, values: &[&str]) -> LabelSelectorRequirement {
        LabelSelectorRequirement {
            key: key.into(),
            operator: op.into(),
            values: values.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn sel(ml: &[(&str, &str)], me: Vec<LabelSelectorRequirement>) -> LabelSelector {
        LabelSelector {
            match_labels: labels(ml),
            match_expressions: me,
        }
    }

    #[test]
    fn operators_table() {
        let l = labels(&[("app", "nginx"), ("tier", "web"), ("n", "5")]);
        // (selector, expected match, valid?)
        let cases: Vec<(&str, LabelSelector, bool, bool)> = vec![
            ("empty selects all", sel(&[], vec![]), true, true),
            (
                "matchLabels hit",
                sel(&[("app", "nginx")], vec![]),
                true,
                true,
            ),
            (
                "matchLabels miss value",
                sel(&[("app", "x")], vec![]),
                false,
                true,
            ),
            (
                "matchLabels miss key",
                sel(&[("zz", "x")], vec![]),
                false,
                true,
            ),
            (
                "matchLabels empty value vs absent",
                sel(&[("zz", "")], vec![]),
                false,
                true,
            ),
            (
                "In hit",
                sel(&[], vec![expr("app", "In", &["a", "nginx"])]),
                true,
                true,
            ),
            (
                "In miss",
                sel(&[], vec![expr("app", "In", &["a"])]),
                false,
                true,
            ),
            (
                "In absent key",
                sel(&[], vec![expr("zz", "In", &["a"])]),
                false,
                true,
            ),
            (
                "In empty values invalid",
                sel(&[], vec![expr("app", "In", &[])]),
                false,
                false,
            ),
            (
                "NotIn hit",
                sel(&[], vec![expr("app", "NotIn", &["a"])]),
                true,
                true,
            ),
            (
                "NotIn miss",
                sel(&[], vec![expr("app", "NotIn", &["nginx"])]),
                false,
                true,
            ),
            (
                "NotIn absent key matches",
                sel(&[], vec![expr("zz", "NotIn", &["a"])]),
                true,
                true,
            ),
            (
                "NotIn empty values invalid",
                sel(&[], vec![expr("zz", "NotIn", &[])]),
                false,
                false,
            ),
            (
                "Exists hit",
                sel(&[], vec![expr("app", "Exists", &[])]),
                true,
                true,
            ),
            (
                "Exists miss",
                sel(&[], vec![expr("zz", "Exists", &[])]),
                false,
                true,
            ),
            (
                "Exists with values invalid",
                sel(&[], vec![expr("app", "Exists", &["x"])]),
                false,
                false,
            ),
            (
                "DoesNotExist hit",
                sel(&[], vec![expr("zz", "DoesNotExist", &[])]),
                true,
                true,
            ),
            (
                "DoesNotExist miss",
                sel(&[], vec![expr("app", "DoesNotExist", &[])]),
                false,
                true,
            ),
            (
                "DoesNotExist with values invalid",
                sel(&[], vec![expr("zz", "DoesNotExist", &["x"])]),
                false,
                false,
            ),
            (
                "Gt not a label-selector op",
                sel(&[], vec![expr("n", "Gt", &["1"])]),
                false,
                false,
            ),
            (
                "lowercase op invalid",
                sel(&[], vec![expr("app", "in", &["nginx"])]),
                false,
                false,
            ),
            (
                "empty key invalid",
                sel(&[("", "bar")], vec![]),
                false,
                false,
            ),
            (
                "bad value invalid",
                sel(&[("app", "-x")], vec![]),
                false,
                false,
            ),
            (
                "bad expr value invalid",
                sel(&[], vec![expr("app", "NotIn", &["a b"])]),
                false,
                false,
            ),
            (
                "prefixed key",
                sel(&[], vec![expr("example.com/app", "DoesNotExist", &[])]),
                true,
                true,
            ),
            (
                "uppercase prefix invalid",
                sel(&[], vec![expr("Example.com/app", "DoesNotExist", &[])]),
                false,
                false,
            ),
            (
                "two slashes invalid",
                sel(&[], vec![expr("a/b/c", "DoesNotExist", &[])]),
                false,
                false,
            ),
            (
                "AND of all",
                sel(
                    &[("app", "nginx")],
                    vec![
                        expr("tier", "In", &["web"]),
                        expr("zz", "DoesNotExist", &[]),
                    ],
                ),
                true,
                true,
            ),
            (
                "AND fails on one",
                sel(&[("app", "nginx")], vec![expr("tier", "In", &["db"])]),
                false,
                true,
            ),
            (
                "invalid after a mismatch still false",
                sel(&[("app", "x")], vec![expr("tier", "In", &[])]),
                false,
                false,
            ),
        ];
        for (name, s, want, valid) in cases {
            assert_eq!(label_selector_matches(&s, &l), want, "{name}");
            assert_eq!(validate_label_selector(&s).is_ok(), valid, "{name}");
            match try_label_selector_matches(&s, &l) {
                Ok(m) => {
                    assert!(valid, "{name}");
                    assert_eq!(m, want, "{name}");
                }
                Err(_) => assert!(!valid, "{name}"),
            }
        }
    }

    #[test]
    fn key_and_value_syntax() {
        let keys: &[(&str, bool)] = &[
            ("a", true),
            ("A-b_c.d", true),
            ("-a", false),
            ("a-", false),
            ("", false),
            ("karmada.io/x", true),
            ("/x", false),
            ("karmada.io/", false),
            ("Karmada.io/x", false),
            ("a..b/x", false),
            (&"x".repeat(63), true),
            (&"x".repeat(64), false),
            ("metadata.name", true),
        ];
        for (k, ok) in keys {
            assert_eq!(check_label_key(k).is_ok(), *ok, "{k}");
        }
        let values: &[(&str, bool)] = &[
            ("", true),
            ("a", true),
            ("a.b-c_d", true),
            ("_a", false),
            ("a b", false),
            (&"v".repeat(63), true),
            (&"v".repeat(64), false),
        ];
        for (v, ok) in values {
            assert_eq!(check_label_value(v).is_ok(), *ok, "{v}");
        }
    }

    #[test]
    fn gt_lt_requirements() {
        let l = labels(&[("n", "5"), ("s", "abc")]);
        let one = |v: &str| vec![v.to_string()];
        let cases = [
            (Operator::Gt, "n", one("4"), Some(true)),
            (Operator::Gt, "n", one("5"), Some(false)),
            (Operator::Lt, "n", one("6"), Some(true)),
            (Operator::Lt, "n", one("+6"), None), // a sign is not a valid label value
            (Operator::Lt, "zz", one("6"), Some(false)),
            (Operator::Gt, "s", one("1"), Some(false)),
            (Operator::Gt, "n", one("x"), None),
            (Operator::Gt, "n", vec![], None),
        ];
        for (op, key, values, want) in cases {
            let r = Requirement {
                key,
                operator: op,
                values: &values,
            };
            assert_eq!(r.checked_matches(&l), want, "{op:?} {key} {values:?}");
        }
    }

    #[test]
    fn json_labels() {
        let v: Value = serde_json::json!({"app": "nginx", "n": 3});
        let m = v.as_object().cloned().unwrap_or_default();
        assert_eq!(Labels::get(&m, "app"), Some("nginx"));
        assert_eq!(Labels::get(&m, "n"), None);
        let none: Option<&Map<String, Value>> = None;
        assert_eq!(none.get("app"), None);
    }

    #[test]
    fn error_names_path() {
        let s = sel(
            &[],
            vec![expr("app", "In", &["ok"]), expr("app", "In", &[])],
        );
        let err = validate_label_selector(&s).unwrap_err();
        assert_eq!(err.path(), "matchExpressions[1].values");
        let s = sel(&[], vec![expr("app", "Like", &["ok"])]);
        assert!(matches!(
            validate_label_selector(&s),
            Err(SelectorError::UnsupportedOperator { .. })
        ));
    }
}
